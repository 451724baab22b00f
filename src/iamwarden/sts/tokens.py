"""Self-contained session tokens that cannot be forged (spec §4.3 ``SessionToken``, §6.3).

AWS's design, which we follow: the token *is* the session. Everything the
session needs later — who it is bound to, when it expires, its session policies
and tags — is sealed inside it with AES-256-GCM (the ``cryptography`` package)
under one key of a :class:`Keyring`, and the temporary credentials are
*derived* from the token under the same key, so issuing writes nothing and
nothing grows per session (issue 8, "What users get" 3;
``docs/decisions/sts-session-binding.md``):

* the **session id** is 128 random bits in clear in the token;
* each token is sealed under its **own key**, HMAC-SHA256(header, session id)
  under the sealing sub-key, with a fixed nonce: no nonce is ever reused
  under one key, however many tokens a keyring key seals (random 96-bit GCM
  nonces would near their 2^32-message safety limit under a busy key);
* the **secret access key** is HMAC-SHA256 over (header, session id) under a
  key derived from the keyring key for that purpose (HKDF, one sub-key per
  purpose: sealing, secrets, access key ids — never the raw key twice);
* the **access key id** is ``ASIA`` + 16 base32 characters laid out as AWS
  lays out its own: 40 bits of the account id (so GetAccessKeyInfo can answer
  without state) and 40 bits of an HMAC over (header, session id). A request's key
  id must equal the one derived from the token it comes with.

Claims are compact JSON compressed with raw DEFLATE and a preset dictionary of
ARN and policy words before sealing. Tokens are bounded: anything longer than
:data:`MAX_TOKEN_CHARS` is refused before it is decoded, a claim set that
inflates beyond :data:`MAX_CLAIMS_BYTES` is refused, and issuing a token that
would exceed the bound fails (:class:`TokenTooLarge`) rather than hand out
credentials we would refuse.

The key id travels in clear and is bound into the associated data, so changing
any byte (version, key id, session id, ciphertext or tag) fails verification. Keys
are per installation; the keyring holds several by id with one active for
issuing. Rotating adds a new active key; retiring removes an old one, and every
token under it is then refused. Refusals are typed (:mod:`.errors`).

Wire form (base64url, no padding)::

    "IWT" version(1) | len(kid)(1) | kid | session id(16) | AES-GCM(deflate(claims)) + tag(16)
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .clock import RandomSource, SecretsRandom, utc
from .credentials import access_key_id_for, secret_for
from .errors import TokenExpired, TokenKeyUnknown, TokenMalformed, TokenMismatch, TokenTampered, TokenTooLarge

MAGIC = b"IWT"
VERSION = 2  # 1: claims only, credentials stored server-side (retired with the sessions table)
KEY_BYTES = 32
SESSION_ID_BYTES = 16
NONCE = bytes(12)  # each token has its own key (see _token_cipher): one message per key
TAG_BYTES = 16

#: Longest token accepted or issued, in characters. AWS bounds its own tokens
#: (the packed size); ours must also fit the HTTP front's header limits. A token
#: carrying the largest session the packed-size budgets allow stays well below
#: (tests/sts/test_session_claims.py measures it).
MAX_TOKEN_CHARS = 8192
#: Largest claim set once inflated; the largest legitimate one is a few KB.
MAX_CLAIMS_BYTES = 64 * 1024

#: Preset DEFLATE dictionary: words every session token repeats. Part of the
#: token format (changing it means a new VERSION).
ZDICT = (
    b'"Condition":"StringEquals":"StringLike":"Resource":"*"'
    b'"Action":"sts:AssumeRole","iam:Get","s3:GetObject","Effect":"Deny","Effect":"Allow"'
    b'{"Version":"2012-10-17","Statement":[{"Sid":'
    b'arn:aws:iam::aws:policy/arn:aws:sts::assumed-role/arn:aws:iam::role/user/'
)

_PURPOSE_SEAL = b"iamwarden/sts-token/v2/seal"
_PURPOSE_SECRET = b"iamwarden/sts-token/v2/secret-access-key"
_PURPOSE_KEY_ID = b"iamwarden/sts-token/v2/access-key-id"


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


@lru_cache(maxsize=256)
def _subkey(key: bytes, purpose: bytes) -> bytes:
    """One key per purpose from a keyring key (HKDF-SHA256); cached, keyrings are few and small."""
    return HKDF(algorithm=SHA256(), length=KEY_BYTES, salt=None, info=purpose).derive(key)


def _token_cipher(key: bytes, material: bytes) -> AESGCM:
    """AES-GCM under this token's own key: HMAC-SHA256(header ‖ session id) under the sealing sub-key."""
    return AESGCM(hmac.digest(_subkey(key, _PURPOSE_SEAL), material, "sha256"))


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token and the credentials derived from it (nothing of it is stored anywhere)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a verified token says, and the credentials it stands for.

    ``claims`` holds what the issuer sealed (``a`` account, ``iat``/``exp``
    epoch seconds, and whatever else, see :mod:`.session_claims`).
    """

    access_key_id: str
    secret_access_key: str = field(repr=False)
    issued: datetime
    expires: datetime
    key_id: str
    session_id: str
    claims: Mapping[str, Any] = field(repr=False, default_factory=dict)

    @property
    def account(self) -> str:
        return str(self.claims.get("a", ""))


def _b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode("ascii").rstrip("=")


def _b64d(s: str) -> bytes:
    return base64.b64decode(s + "=" * (-len(s) % 4), altchars=b"-_", validate=True)


def _deflate(body: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, ZDICT)
    return c.compress(body) + c.flush()


def _inflate(data: bytes) -> bytes:
    d = zlib.decompressobj(-15, zdict=ZDICT)
    out = d.decompress(data, MAX_CLAIMS_BYTES)
    if d.unconsumed_tail or not d.eof:
        raise TokenMalformed("claims do not inflate within the bound")
    return out


def _credentials(key: bytes, material: bytes, account: str) -> tuple[str, str]:
    secret = hmac.digest(_subkey(key, _PURPOSE_SECRET), material, "sha256")
    tag = hmac.digest(_subkey(key, _PURPOSE_KEY_ID), material, "sha256")
    return access_key_id_for(account, tag), secret_for(secret)


def issue_token(
    keyring: Keyring,
    account: str,
    issued: datetime,
    expires: datetime,
    claims: Mapping[str, Any] | None = None,
    rnd: RandomSource | None = None,
) -> IssuedToken:
    """Seal ``claims`` (plus account, issue and expiry times) under the active key.

    Raises :class:`TokenTooLarge` when the sealed token would exceed
    :data:`MAX_TOKEN_CHARS`; ``ValueError`` for an account id that is not 12 digits.
    """
    r = rnd or SecretsRandom()
    kid = keyring.active.encode()
    key = keyring.keys[keyring.active]
    header = MAGIC + bytes([VERSION, len(kid)]) + kid
    sid = r.token_bytes(SESSION_ID_BYTES)
    body = dict(claims or {})
    body.update({"a": account, "iat": int(utc(issued).timestamp()), "exp": int(utc(expires).timestamp())})
    plain = json.dumps(body, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
    material = header + sid
    sealed = _token_cipher(key, material).encrypt(NONCE, _deflate(plain), header)
    token = _b64e(material + sealed)
    if len(token) > MAX_TOKEN_CHARS:
        raise TokenTooLarge(len(token), MAX_TOKEN_CHARS)
    akid, secret = _credentials(key, material, account)
    return IssuedToken(akid, secret, token)


def read_token(keyring: Keyring, token: str) -> TokenClaims:
    """Authenticate and decrypt a token, without the expiry or access-key checks.

    The size bound comes first: an oversized value costs a length check, never
    a decode.
    """
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise TokenMalformed("longer than any token this installation issues")
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
    if len(raw) < hend + SESSION_ID_BYTES + TAG_BYTES:
        raise TokenMalformed("truncated")
    header = raw[:hend]
    try:
        kid = raw[len(MAGIC) + 2:hend].decode()
    except UnicodeDecodeError:
        raise TokenTampered("key id is not text") from None
    key = keyring.keys.get(kid)
    if key is None:
        raise TokenKeyUnknown(f"key {kid!r} is not in the keyring (never issued here, or retired)")
    material, sealed = raw[:hend + SESSION_ID_BYTES], raw[hend + SESSION_ID_BYTES:]
    try:
        body = _token_cipher(key, material).decrypt(NONCE, sealed, header)
    except InvalidTag:
        raise TokenTampered("authentication tag does not verify") from None
    try:
        c = json.loads(_inflate(body))
        if not isinstance(c, dict) or not isinstance(c.get("a"), str):
            raise TypeError("claims are not an object naming an account")
        account = c["a"]
        issued = datetime.fromtimestamp(c["iat"], UTC)
        expires = datetime.fromtimestamp(c["exp"], UTC)
        akid, secret = _credentials(key, material, account)
    except (ValueError, KeyError, TypeError, OverflowError, OSError, zlib.error):
        # authentic but unreadable: refuse
        raise TokenMalformed("claims unreadable") from None
    return TokenClaims(akid, secret, issued, expires, kid, _b64e(material[hend:]), c)


def verify_token(keyring: Keyring, token: str, access_key_id: str, now: datetime) -> TokenClaims:
    """The claims of a token presented with ``access_key_id`` at ``now``, or a typed refusal.

    Order: authenticity first (so a forged token never reveals whether it
    would have expired), then the access key binding (the key id derived from
    the token must be the one the request was signed with), then expiry.
    """
    claims = read_token(keyring, token)
    if not hmac.compare_digest(claims.access_key_id.encode(), access_key_id.encode()):
        raise TokenMismatch("token was issued for another access key id")
    if utc(now) >= claims.expires:
        raise TokenExpired(f"expired at {claims.expires.isoformat()}")
    return claims
