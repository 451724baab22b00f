"""Session tokens cannot be forged (spec §4.3 SessionToken, §6.3): AES-GCM under a keyring."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from iamwarden.sts import (
    Keyring,
    ManualClock,
    SeededRandom,
    TokenExpired,
    TokenKeyUnknown,
    TokenMalformed,
    TokenMismatch,
    TokenTampered,
    assume_role,
    issue_token,
    verify_token,
)
from iamwarden.sts.credentials import new_access_key_id, new_secret_access_key

from .conftest import arn_role, arn_user


def _issue(keyring: Keyring, clock: ManualClock, seconds: int = 3600) -> str:
    return issue_token(keyring, "ASIAEXAMPLE000000001", "sid-1", clock(), clock() + timedelta(seconds=seconds))


def _flip(token: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[index] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


def test_genuine_token_verifies_and_carries_its_claims(keyring, clock) -> None:
    c = verify_token(keyring, _issue(keyring, clock), "ASIAEXAMPLE000000001", clock())
    assert (c.access_key_id, c.session_id, c.key_id) == ("ASIAEXAMPLE000000001", "sid-1", "k1")
    assert c.expires == clock() + timedelta(hours=1)


def test_token_with_any_flipped_byte_is_rejected(keyring, clock) -> None:
    token = _issue(keyring, clock)
    n = len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    for i in range(n):
        with pytest.raises((TokenTampered, TokenMalformed, TokenKeyUnknown)) as e:
            verify_token(keyring, _flip(token, i), "ASIAEXAMPLE000000001", clock())
        assert e.value.code == "InvalidClientTokenId" and e.value.status == 403


def test_flipped_ciphertext_byte_is_tampered(keyring, clock) -> None:
    token = _issue(keyring, clock)
    with pytest.raises(TokenTampered) as e:
        verify_token(keyring, _flip(token, 30), "ASIAEXAMPLE000000001", clock())
    assert e.value.message == "The security token included in the request is invalid"


def test_token_under_a_different_key_with_the_same_id_is_tampered(keyring, clock) -> None:
    other = Keyring.generate("k1", SeededRandom(99))
    with pytest.raises(TokenTampered):
        verify_token(other, _issue(keyring, clock), "ASIAEXAMPLE000000001", clock())


def test_token_under_an_unknown_key_id_is_rejected(keyring, clock) -> None:
    with pytest.raises(TokenKeyUnknown):
        verify_token(Keyring.generate("other"), _issue(keyring, clock), "ASIAEXAMPLE000000001", clock())


def test_rotation_keeps_old_tokens_until_the_old_key_is_retired(keyring, clock) -> None:
    old = _issue(keyring, clock)
    rotated = keyring.rotate("k2", SeededRandom(5))
    verify_token(rotated, old, "ASIAEXAMPLE000000001", clock())
    assert verify_token(rotated, _issue(rotated, clock), "ASIAEXAMPLE000000001", clock()).key_id == "k2"
    retired = rotated.retire("k1")
    with pytest.raises(TokenKeyUnknown):
        verify_token(retired, old, "ASIAEXAMPLE000000001", clock())


def test_active_key_cannot_be_retired(keyring) -> None:
    with pytest.raises(ValueError):
        keyring.retire("k1")


def test_token_presented_with_another_access_key_is_rejected(keyring, clock) -> None:
    with pytest.raises(TokenMismatch) as e:
        verify_token(keyring, _issue(keyring, clock), "ASIAEXAMPLE000000002", clock())
    assert e.value.code == "InvalidClientTokenId"


def test_token_is_valid_until_just_before_expiry_then_expired(keyring, clock) -> None:
    token = _issue(keyring, clock, 900)
    clock.advance(899)
    verify_token(keyring, token, "ASIAEXAMPLE000000001", clock())
    clock.advance(1)
    with pytest.raises(TokenExpired) as e:
        verify_token(keyring, token, "ASIAEXAMPLE000000001", clock())
    assert (e.value.code, e.value.status) == ("ExpiredToken", 403)
    assert e.value.message == "The security token included in the request is expired"


def test_garbage_is_malformed(keyring, clock) -> None:
    for junk in ["", "abc", "!!!!", base64.urlsafe_b64encode(b"IWT\x09rest").decode()]:
        with pytest.raises(TokenMalformed):
            verify_token(keyring, junk, "ASIAEXAMPLE000000001", clock())


def test_keyring_repr_hides_key_material(keyring) -> None:
    assert "k1" in repr(keyring) and str(keyring.keys["k1"]) not in repr(keyring)


def test_assume_role_credentials_have_aws_shapes_and_a_verifiable_token(world, clock, keyring) -> None:
    r = assume_role(world, arn_user("alice"), {"RoleArn": arn_role("AppRole"), "RoleSessionName": "s1"},
                    clock, keyring)
    c = r.credentials
    assert c.access_key_id.startswith("ASIA") and len(c.access_key_id) == 20
    assert len(c.secret_access_key) == 40
    assert verify_token(keyring, c.session_token, c.access_key_id, clock()).expires == c.expiration
    assert c.secret_access_key not in repr(c) and c.session_token not in repr(r)
    clock.advance(3600)
    with pytest.raises(TokenExpired):
        verify_token(keyring, c.session_token, c.access_key_id, clock())


def test_identifiers_come_from_the_injected_random_source() -> None:
    assert new_access_key_id(SeededRandom(1)) == new_access_key_id(SeededRandom(1))
    key = new_access_key_id(SeededRandom(1))
    assert key[:4] == "ASIA" and set(key[4:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert set(new_secret_access_key(SeededRandom(2))) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
