"""Hostile session tokens: garbage, oversized, foreign or re-bound tokens are refused fast (issue 8).

Whoever sends a request controls ``X-Amz-Security-Token`` entirely. Every
such value is refused as ``InvalidClientTokenId`` after bounded work: an
oversized one by its length alone, before any decoding; anything else by
base64 and one AES-GCM tag check over at most ``MAX_TOKEN_CHARS``.
"""

from __future__ import annotations

import base64
import os
import random
import zlib
from datetime import timedelta

import pytest

from iamwarden.server.errors import AwsError
from iamwarden.server.sessions import SessionVault
from iamwarden.sts import Keyring, ManualClock, SeededRandom, TokenError, TokenMalformed
from iamwarden.sts import tokens as tokens_module
from iamwarden.sts.tokens import MAX_CLAIMS_BYTES, MAX_TOKEN_CHARS, issue_token, read_token
from iamwarden.testing import local_endpoint

A = "111122223333"


def _ring(seed: int = 1) -> Keyring:
    return Keyring.generate("k1", SeededRandom(seed))


def _vault(ring: Keyring, clock: ManualClock) -> SessionVault:
    from iamwarden.model.account import World

    return SessionVault(ring, lambda: World({}), clock)


def _refused(vault: SessionVault, akid: str, token: str) -> str:
    try:
        vault.resolve(akid, token)
    except AwsError as e:
        return e.code
    return "accepted"


def _garbage(rnd: random.Random) -> list[str]:
    out = ["", " ", "=", "====", "\x00" * 50, "é" * 100, "\ud800", "IWT", "SVdU", "SVdUAg"]
    for n in (1, 7, 19, 35, 36, 100, 1000, MAX_TOKEN_CHARS):
        out.append(base64.urlsafe_b64encode(rnd.randbytes(n)).decode()[:MAX_TOKEN_CHARS])
    kid = b"k1"
    for body in (b"", bytes(12), bytes(28), rnd.randbytes(200)):
        for version in (0, 1, 2, 3, 255):
            raw = b"IWT" + bytes([version, len(kid)]) + kid + body
            out.append(base64.urlsafe_b64encode(raw).decode().rstrip("="))
    out.append(base64.urlsafe_b64encode(b"IWT\x02\xff" + b"k" * 20).decode())  # key id runs off the end
    return out


@pytest.mark.timeout(30)
def test_garbage_session_tokens_are_invalid_client_token_id() -> None:
    clock = ManualClock()
    vault = _vault(_ring(), clock)
    for junk in _garbage(random.Random(3)):
        assert _refused(vault, "ASIA" + "A" * 16, junk) == "InvalidClientTokenId", junk[:40]
    assert not vault._opened  # nothing refused is remembered


@pytest.mark.timeout(30)
def test_oversized_token_is_refused_by_its_length_before_any_decoding(monkeypatch) -> None:
    calls: list[str] = []
    real = tokens_module._b64d
    monkeypatch.setattr(tokens_module, "_b64d", lambda s: calls.append("decode") or real(s))
    vault = _vault(_ring(), ManualClock())
    for n in (MAX_TOKEN_CHARS + 1, 64 * 1024, 4 * 1024 * 1024):
        assert _refused(vault, "ASIA" + "A" * 16, "A" * n) == "InvalidClientTokenId"
        with pytest.raises(TokenMalformed):
            read_token(_ring(), "A" * n)
    assert calls == []


@pytest.mark.timeout(60)
def test_many_random_tokens_at_the_size_bound_are_refused_in_bounded_work() -> None:
    """A flood of maximal tokens: each costs one base64 decode and one failed tag check."""
    rnd = random.Random(5)
    vault = _vault(_ring(), ManualClock())
    kid = b"k1"
    header = b"IWT" + bytes([tokens_module.VERSION, len(kid)]) + kid
    for _ in range(2000):
        raw = header + rnd.randbytes(MAX_TOKEN_CHARS * 3 // 4 - len(header) - 3)
        token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        assert len(token) <= MAX_TOKEN_CHARS
        assert _refused(vault, "ASIA" + "A" * 16, token) == "InvalidClientTokenId"


def test_token_of_another_installation_is_refused() -> None:
    clock = ManualClock()
    mine, theirs = _ring(1), _ring(2)
    t = issue_token(theirs, A, clock(), clock() + timedelta(hours=1), {"k": "u", "pa": f"arn:aws:iam::{A}:root",
                                                                       "ui": A})
    assert _refused(_vault(mine, clock), t.access_key_id, t.session_token) == "InvalidClientTokenId"


def test_genuine_token_with_another_sessions_key_id_is_refused() -> None:
    clock = ManualClock()
    ring = _ring()
    claims = {"k": "u", "pa": f"arn:aws:iam::{A}:root", "ui": A}
    t1 = issue_token(ring, A, clock(), clock() + timedelta(hours=1), claims, SeededRandom(1))
    t2 = issue_token(ring, A, clock(), clock() + timedelta(hours=1), claims, SeededRandom(2))
    vault = _vault(ring, clock)
    assert _refused(vault, t2.access_key_id, t1.session_token) == "InvalidClientTokenId"
    vault.resolve(t1.access_key_id, t1.session_token)  # cached now: the cache must not loosen the binding
    assert _refused(vault, t2.access_key_id, t1.session_token) == "InvalidClientTokenId"


def test_claims_that_inflate_past_the_bound_are_refused_even_when_authentic() -> None:
    """A decompression bomb needs the key; should one ever be sealed, it is still bounded."""
    ring = _ring()
    key = ring.keys["k1"]
    header = b"IWT" + bytes([tokens_module.VERSION, 2]) + b"k1"
    material = header + os.urandom(tokens_module.SESSION_ID_BYTES)
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, tokens_module.ZDICT)
    bomb = c.compress(b'{"a":"' + b"1" * (MAX_CLAIMS_BYTES * 4) + b'"}') + c.flush()
    sealed = tokens_module._token_cipher(key, material).encrypt(tokens_module.NONCE, bomb, header)
    token = base64.urlsafe_b64encode(material + sealed).decode().rstrip("=")
    assert len(token) <= MAX_TOKEN_CHARS
    with pytest.raises(TokenMalformed):
        read_token(ring, token)


def test_rotated_out_key_is_refused_at_once_even_for_a_cached_token() -> None:
    clock = ManualClock()
    ring = _ring()
    t = issue_token(ring, A, clock(), clock() + timedelta(hours=1),
                    {"k": "u", "pa": f"arn:aws:iam::{A}:root", "ui": A})
    vault = _vault(ring, clock)
    vault.resolve(t.access_key_id, t.session_token)
    vault.keyring = ring.rotate("k2").retire("k1")
    assert _refused(vault, t.access_key_id, t.session_token) == "InvalidClientTokenId"


@pytest.mark.timeout(60)
def test_hostile_tokens_over_the_wire_answer_403_and_the_server_keeps_serving() -> None:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    with local_endpoint(account_id=A) as ep:
        for junk in ["x", "A" * (MAX_TOKEN_CHARS + 1), base64.urlsafe_b64encode(os.urandom(3000)).decode()]:
            sts = boto3.client("sts", endpoint_url=ep.endpoint_url, region_name="us-east-1",
                               aws_access_key_id="ASIA" + "A" * 16, aws_secret_access_key="s" * 40,
                               aws_session_token=junk, config=Config(retries={"max_attempts": 0}))
            with pytest.raises(ClientError) as e:
                sts.get_caller_identity()
            status = e.value.response["ResponseMetadata"]["HTTPStatusCode"]
            if len(junk) > MAX_TOKEN_CHARS and status in (400, 431):
                continue  # the HTTP front's own header limit may answer first: also a refusal
            assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"
            assert status == 403
        assert ep.client("sts").get_caller_identity()["Account"] == A


def test_token_errors_are_all_invalid_client_token_id_on_the_wire() -> None:
    assert all(cls("x").code == "InvalidClientTokenId" for cls in TokenError.__subclasses__()
               if cls.__name__ != "TokenExpired")
