"""Session tokens that cannot be forged (spec §4.3 ``SessionToken``, §6.3).

A token is AES-256-GCM authenticated encryption (the ``cryptography``
package) of a small JSON claim set — access key id, session id, issue and
expiry times — under one key of a :class:`Keyring`. The key id travels in
clear and is bound into the associated data, so changing any byte (key id,
nonce, ciphertext or tag) fails verification. Keys are per installation; the
keyring holds several by id with one active for issuing. Rotating adds a new
active key; retiring removes an old one, and every token under it is then
refused. Refusals are typed (:mod:`.errors`): tampered, unknown/rotated-out
key, malformed, wrong access key, expired — on the wire ``InvalidClientTokenId``
or ``ExpiredToken``.

Wire form (base64url, no padding)::

    "IWT" version(1) | len(kid)(1) | kid | nonce(12) | ciphertext+tag
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .clock import RandomSource, SecretsRandom, utc
from .errors import TokenExpired, TokenKeyUnknown, TokenMalformed, TokenMismatch, TokenTampered

MAGIC = b"IWT"
VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12


@dataclass(frozen=True, slots=True)
class Keyring:
    """Token keys by id; ``active`` signs new tokens, all present keys verify.

    Immutable: :meth:`rotate` and :meth:`retire` return a new keyring, which
    the owner (the server's store) persists.
    """

    keys: Mapping[str, bytes] = field(repr=False)
    active: str

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise ValueError(f"active key {self.active!r} is not in the keyring")
        for kid, key in self.keys.items():
            if not kid or len(kid.encode()) > 255:
                raise ValueError("key ids must be 1..255 bytes")
            if len(key) != KEY_BYTES:
                raise ValueError(f"key {kid!r}: AES-256-GCM keys are {KEY_BYTES} bytes")

    @classmethod
    def generate(cls, key_id: str = "k1", rnd: RandomSource | None = None) -> Keyring:
        r = rnd or SecretsRandom()
        return cls({key_id: r.token_bytes(KEY_BYTES)}, key_id)

    def rotate(self, key_id: str, rnd: RandomSource | None = None) -> Keyring:
        """A new active key; old keys still verify until retired."""
        if key_id in self.keys:
            raise ValueError(f"key id {key_id!r} already used")
        r = rnd or SecretsRandom()
        return Keyring({**self.keys, key_id: r.token_bytes(KEY_BYTES)}, key_id)

    def retire(self, key_id: str) -> Keyring:
        """Remove a key: tokens issued under it are refused from now on."""
        if key_id == self.active:
            raise ValueError("cannot retire the active key; rotate first")
        return Keyring({k: v for k, v in self.keys.items() if k != key_id}, self.active)

    def __repr__(self) -> str:  # never show key material
        return f"Keyring(ids={sorted(self.keys)}, active={self.active!r})"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a verified token says."""

    access_key_id: str
    session_id: str
    issued: datetime
    expires: datetime
    key_id: str
    extra: Mapping[str, Any] = field(default_factory=dict)


def _b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode("ascii").rstrip("=")


def _b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def issue_token(
    keyring: Keyring,
    access_key_id: str,
    session_id: str,
    issued: datetime,
    expires: datetime,
    rnd: RandomSource | None = None,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """Seal the claims under the keyring's active key."""
    r = rnd or SecretsRandom()
    kid = keyring.active.encode()
    header = MAGIC + bytes([VERSION, len(kid)]) + kid
    nonce = r.token_bytes(NONCE_BYTES)
    claims = {
        "akid": access_key_id,
        "sid": session_id,
        "iat": int(utc(issued).timestamp()),
        "exp": int(utc(expires).timestamp()),
    }
    if extra:
        claims["x"] = dict(extra)
    body = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
    sealed = AESGCM(keyring.keys[keyring.active]).encrypt(nonce, body, header)
    return _b64e(header + nonce + sealed)


def read_token(keyring: Keyring, token: str) -> TokenClaims:
    """Authenticate and decrypt a token, without the expiry or access-key checks."""
    try:
        raw = _b64d(token)
    except (binascii.Error, ValueError):
        raise TokenMalformed("not base64url") from None
    if len(raw) < len(MAGIC) + 2 or not raw.startswith(MAGIC):
        raise TokenMalformed("not an iamwarden session token")
    if raw[len(MAGIC)] != VERSION:
        raise TokenMalformed(f"unknown token version {raw[len(MAGIC)]}")
    klen = raw[len(MAGIC) + 1]
    hend = len(MAGIC) + 2 + klen
    if len(raw) < hend + NONCE_BYTES + 16:
        raise TokenMalformed("truncated")
    header = raw[:hend]
    try:
        kid = raw[len(MAGIC) + 2:hend].decode()
    except UnicodeDecodeError:
        raise TokenTampered("key id is not text") from None
    key = keyring.keys.get(kid)
    if key is None:
        raise TokenKeyUnknown(f"key {kid!r} is not in the keyring (never issued here, or retired)")
    nonce, sealed = raw[hend:hend + NONCE_BYTES], raw[hend + NONCE_BYTES:]
    try:
        body = AESGCM(key).decrypt(nonce, sealed, header)
    except InvalidTag:
        raise TokenTampered("authentication tag does not verify") from None
    try:
        c = json.loads(body)
        return TokenClaims(
            c["akid"], c["sid"],
            datetime.fromtimestamp(c["iat"], UTC),
            datetime.fromtimestamp(c["exp"], UTC),
            kid, c.get("x") or {},
        )
    except (ValueError, KeyError, TypeError):  # authentic but unreadable: refuse
        raise TokenMalformed("claims unreadable") from None


def verify_token(keyring: Keyring, token: str, access_key_id: str, now: datetime) -> TokenClaims:
    """The claims of a token presented with ``access_key_id`` at ``now``, or a typed refusal.

    Order: authenticity first (so a forged token never reveals whether it
    would have expired), then the access key binding, then expiry.
    """
    claims = read_token(keyring, token)
    if claims.access_key_id != access_key_id:
        raise TokenMismatch("token was issued for another access key id")
    if utc(now) >= claims.expires:
        raise TokenExpired(f"expired at {claims.expires.isoformat()}")
    return claims
