"""Secrets sealed under a master key kept outside the database (issue 8, item 4).

What is sealed: every access key's secret (users' and root's) and each
account's settings (the session-token keyring). STS sessions are not stored
at all: they travel in their tokens, their secrets derived under the keyring. Each value is AES-256-GCM encrypted (the
``cryptography`` package) under the active master key with a fresh 96-bit
nonce; the associated data binds the ciphertext to its key id and to its row
(``access_keys:AKIA…``), so a sealed value copied to another row does not
open. Wire form in the database::

    "iws1:" kid ":" base64url(nonce(12) | ciphertext+tag)

The master keys live in a separate 0600 JSON file (default ``<db>.key``)::

    {"format": "iamwarden-master-key", "version": 1, "active": "m1",
     "keys": {"m1": "<base64 of 32 bytes>"}}

Several keys may be present during a rotation: values sealed under any of them
open, new values are sealed under ``active``. Decision and operator procedure:
docs/decisions/store-secrets-at-rest.md.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import StateError
from .statefiles import narrow_mode, write_private_file

KEY_FILE_FORMAT = "iamwarden-master-key"
KEY_FILE_VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
PREFIX = "iws1:"


class SealError(Exception):
    """A sealed value does not open under the keys at hand (wrong key, tampered, not sealed)."""


@dataclass(frozen=True)
class MasterKeys:
    """The master keys by id; ``active`` seals, every key opens. Never shows key bytes."""

    keys: Mapping[str, bytes] = field(repr=False)
    active: str
    _aead: Mapping[str, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise ValueError(f"active master key {self.active!r} is not in the key set")
        for kid, key in self.keys.items():
            if not kid or ":" in kid or len(key) != KEY_BYTES:
                raise ValueError(f"master key {kid!r} must have a name without ':' and {KEY_BYTES} bytes")
        object.__setattr__(self, "_aead", {kid: AESGCM(bytes(k)) for kid, k in self.keys.items()})

    @classmethod
    def generate(cls, key_id: str = "m1") -> MasterKeys:
        return cls({key_id: os.urandom(KEY_BYTES)}, key_id)

    def with_new_active(self) -> MasterKeys:
        """Every key kept, plus a new active one (first step of a rotation)."""
        n = len(self.keys) + 1
        while f"m{n}" in self.keys:
            n += 1
        kid = f"m{n}"
        return MasterKeys({**self.keys, kid: os.urandom(KEY_BYTES)}, kid)

    def only_active(self) -> MasterKeys:
        return MasterKeys({self.active: self.keys[self.active]}, self.active)

    def seal(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        ct = self._aead[self.active].encrypt(nonce, plaintext.encode(), _aad(self.active, context))
        body = base64.urlsafe_b64encode(nonce + ct).decode().rstrip("=")
        return f"{PREFIX}{self.active}:{body}"

    def unseal(self, sealed: str, context: str) -> str:
        if not sealed.startswith(PREFIX):
            raise SealError(f"{context}: value is not sealed")
        kid, _, body = sealed[len(PREFIX):].partition(":")
        aead = self._aead.get(kid)
        if aead is None:
            raise SealError(f"{context}: sealed under master key {kid!r}, which the key file does not hold")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(kid, context)).decode()
        except (InvalidTag, binascii.Error, ValueError, UnicodeDecodeError):
            raise SealError(f"{context}: sealed value does not open under master key {kid!r}") from None


def _aad(kid: str, context: str) -> bytes:
    return f"iamwarden-seal-v1|{kid}|{context}".encode()


# --- the key file -----------------------------------------------------------------------


def _encode(keys: MasterKeys) -> bytes:
    doc = {
        "format": KEY_FILE_FORMAT,
        "version": KEY_FILE_VERSION,
        "active": keys.active,
        "keys": {kid: base64.b64encode(k).decode() for kid, k in keys.keys.items()},
    }
    return (json.dumps(doc, indent=1) + "\n").encode()


def read_key_file(path: Path) -> MasterKeys:
    """The keys in ``path``; :class:`StateError` naming the file if it is unusable."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise StateError(f"cannot read key file {path}: {e.strerror or e}") from None
    try:
        doc = json.loads(raw)
        if doc.get("format") != KEY_FILE_FORMAT or doc.get("version") != KEY_FILE_VERSION:
            raise ValueError(f"not an {KEY_FILE_FORMAT} version {KEY_FILE_VERSION} file")
        keys = MasterKeys(
            {str(k): base64.b64decode(v, validate=True) for k, v in doc["keys"].items()},
            str(doc["active"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as e:
        raise StateError(f"key file {path} is damaged or not an iamwarden key file ({e})") from None
    narrow_mode(path)
    return keys


def create_key_file(path: Path) -> MasterKeys:
    """A new key file (0600); if another process made one meanwhile, that one wins."""
    keys = MasterKeys.generate()
    try:
        created = write_private_file(path, _encode(keys), replace=False)
    except OSError as e:
        raise StateError(f"cannot create key file {path}: {e.strerror or e}") from None
    return keys if created else read_key_file(path)


def replace_key_file(path: Path, keys: MasterKeys) -> None:
    """Atomically put ``keys`` in ``path`` (write beside, fsync, rename)."""
    try:
        write_private_file(path, _encode(keys), replace=True)
    except OSError as e:
        raise StateError(f"cannot write key file {path}: {e.strerror or e}") from None
