"""Session tokens cannot be forged (spec §4.3 SessionToken, §6.3): AES-GCM under a keyring.

The credentials are derived from the token (nothing is stored): its access key
id and secret follow from the key and the token's nonce, so a token verifies
only with the key id it was issued with.
"""

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
from iamwarden.sts.credentials import access_key_id_for, account_of_access_key_id, secret_for
from iamwarden.sts.tokens import IssuedToken

from .conftest import A, arn_role, arn_user


def _issued(keyring: Keyring, clock: ManualClock, seconds: int = 3600, seed: int = 1) -> IssuedToken:
    return issue_token(keyring, A, clock(), clock() + timedelta(seconds=seconds), {"x": "y"}, SeededRandom(seed))


def _issue(keyring: Keyring, clock: ManualClock, seconds: int = 3600) -> str:
    return _issued(keyring, clock, seconds).session_token


def _flip(token: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[index] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


def test_genuine_token_verifies_and_carries_its_claims(keyring, clock) -> None:
    t = _issued(keyring, clock)
    c = verify_token(keyring, t.session_token, t.access_key_id, clock())
    assert (c.access_key_id, c.secret_access_key, c.key_id) == (t.access_key_id, t.secret_access_key, "k1")
    assert c.expires == clock() + timedelta(hours=1) and c.issued == clock()
    assert c.claims["x"] == "y" and c.account == A


def test_credentials_are_derived_from_the_token_so_nothing_needs_storing(keyring, clock) -> None:
    t = _issued(keyring, clock)
    again = verify_token(keyring, t.session_token, t.access_key_id, clock())
    assert again.secret_access_key == t.secret_access_key
    other = _issued(keyring, clock, seed=2)
    assert other.access_key_id != t.access_key_id and other.secret_access_key != t.secret_access_key


def test_temporary_access_key_id_carries_its_account_in_aws_layout(keyring, clock) -> None:
    t = _issued(keyring, clock)
    assert t.access_key_id.startswith("ASIA") and len(t.access_key_id) == 20
    assert set(t.access_key_id[4:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert account_of_access_key_id(t.access_key_id) == A
    # AWS's own layout: bits 46..7 of the first 48 (trufflesecurity's decoding of real keys)
    for account in ("000000000001", "999999999999", "123456789012"):
        assert account_of_access_key_id(access_key_id_for(account, bytes(range(5)))) == account
    assert account_of_access_key_id("AKIAIOSFODNN7EXAMPLE") is None
    assert account_of_access_key_id("ASIA!!!!") is None


def test_secret_is_40_characters_of_the_aws_alphabet(keyring, clock) -> None:
    s = _issued(keyring, clock).secret_access_key
    assert len(s) == 40
    assert set(s) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    with pytest.raises(ValueError):
        secret_for(b"short")


def test_token_with_any_flipped_byte_is_rejected(keyring, clock) -> None:
    t = _issued(keyring, clock)
    n = len(base64.urlsafe_b64decode(t.session_token + "=" * (-len(t.session_token) % 4)))
    for i in range(n):
        with pytest.raises((TokenTampered, TokenMalformed, TokenKeyUnknown)) as e:
            verify_token(keyring, _flip(t.session_token, i), t.access_key_id, clock())
        assert e.value.code == "InvalidClientTokenId" and e.value.status == 403


def test_flipped_ciphertext_byte_is_tampered(keyring, clock) -> None:
    t = _issued(keyring, clock)
    with pytest.raises(TokenTampered) as e:
        verify_token(keyring, _flip(t.session_token, 30), t.access_key_id, clock())
    assert e.value.message == "The security token included in the request is invalid"


def test_token_under_a_different_key_with_the_same_id_is_tampered(keyring, clock) -> None:
    other = Keyring.generate("k1", SeededRandom(99))
    t = _issued(keyring, clock)
    with pytest.raises(TokenTampered):
        verify_token(other, t.session_token, t.access_key_id, clock())


def test_token_under_an_unknown_key_id_is_rejected(keyring, clock) -> None:
    t = _issued(keyring, clock)
    with pytest.raises(TokenKeyUnknown):
        verify_token(Keyring.generate("other"), t.session_token, t.access_key_id, clock())


def test_rotation_keeps_old_tokens_until_the_old_key_is_retired(keyring, clock) -> None:
    old = _issued(keyring, clock)
    rotated = keyring.rotate("k2", SeededRandom(5))
    verify_token(rotated, old.session_token, old.access_key_id, clock())
    new = _issued(rotated, clock)
    assert verify_token(rotated, new.session_token, new.access_key_id, clock()).key_id == "k2"
    retired = rotated.retire("k1")
    with pytest.raises(TokenKeyUnknown):
        verify_token(retired, old.session_token, old.access_key_id, clock())


def test_active_key_cannot_be_retired(keyring) -> None:
    with pytest.raises(ValueError):
        keyring.retire("k1")


def test_token_presented_with_another_access_key_is_rejected(keyring, clock) -> None:
    t, other = _issued(keyring, clock), _issued(keyring, clock, seed=2)
    with pytest.raises(TokenMismatch) as e:
        verify_token(keyring, t.session_token, other.access_key_id, clock())
    assert e.value.code == "InvalidClientTokenId"


def test_token_is_valid_until_just_before_expiry_then_expired(keyring, clock) -> None:
    t = _issued(keyring, clock, 900)
    clock.advance(899)
    verify_token(keyring, t.session_token, t.access_key_id, clock())
    clock.advance(1)
    with pytest.raises(TokenExpired) as e:
        verify_token(keyring, t.session_token, t.access_key_id, clock())
    assert (e.value.code, e.value.status) == ("ExpiredToken", 403)
    assert e.value.message == "The security token included in the request is expired"


def test_garbage_is_malformed(keyring, clock) -> None:
    for junk in ["", "abc", "!!!!", base64.urlsafe_b64encode(b"IWT\x09rest").decode(),
                 base64.urlsafe_b64encode(b"IWT\x01\x02k1" + bytes(40)).decode()]:  # version 1: retired
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
    v = verify_token(keyring, c.session_token, c.access_key_id, clock())
    assert v.expires == c.expiration and v.secret_access_key == c.secret_access_key
    assert r.session.access_key_id == c.access_key_id
    assert c.secret_access_key not in repr(c) and c.session_token not in repr(r)
    clock.advance(3600)
    with pytest.raises(TokenExpired):
        verify_token(keyring, c.session_token, c.access_key_id, clock())


def test_identifiers_come_from_the_injected_random_source(keyring, clock) -> None:
    assert _issued(keyring, clock, seed=1) == _issued(keyring, clock, seed=1)
    assert _issued(keyring, clock, seed=1).access_key_id != _issued(keyring, clock, seed=3).access_key_id
