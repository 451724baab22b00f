"""Temporary credentials (spec §4.3, §5.1): ``ASIA`` access key ids and 40-character secrets.

Both are derived from the session token (:mod:`.tokens`), never drawn at
random and stored. The access key id follows AWS's own layout — ``ASIA`` and
16 base32 characters encoding 80 bits, of which bits 46..7 of the first 48
are the account id — so the owning account can be read back from the key id
alone (GetAccessKeyInfo, spec §4.6) while the other 40 bits authenticate it
against its token.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime

from .clock import iso8601

TEMPORARY_KEY_PREFIX = "ASIA"
_ACCOUNT_MASK = 0x7FFFFFFFFF80  # over the first 6 bytes: 40 bits of account id, shifted by 7
_ACCOUNT_MAX = (1 << 40) - 1


def access_key_id_for(account: str, tag: bytes) -> str:
    """``ASIA`` + 16 base32 characters: the account id in AWS's bit positions, the rest from ``tag``.

    ``tag`` is at least 5 bytes of keyed MAC; 40 of its bits fill what the
    account does not. An account id that is not 12 digits (a hand-made test
    world) is carried as zero: the key then names no account.
    """
    n = int(account) if len(account) == 12 and account.isdigit() else 0
    assert n <= _ACCOUNT_MAX  # 12 digits always fit the 40 bits
    m = int.from_bytes(tag[:5], "big")
    hi = ((m >> 39) & 1) << 47  # top bit of the 48
    lo7 = (m >> 32) & 0x7F  # low 7 bits of the 48
    head = hi | (n << 7) | lo7
    raw = head.to_bytes(6, "big") + (m & 0xFFFFFFFF).to_bytes(4, "big")
    return TEMPORARY_KEY_PREFIX + base64.b32encode(raw).decode("ascii")


def account_of_access_key_id(access_key_id: str) -> str | None:
    """The account id an ``ASIA`` key id carries (AWS's layout), or None if it is not one."""
    if len(access_key_id) != 20 or not access_key_id.startswith(TEMPORARY_KEY_PREFIX):
        return None
    try:
        raw = base64.b32decode(access_key_id[4:])
    except (binascii.Error, ValueError):
        return None
    n = (int.from_bytes(raw[:6], "big") & _ACCOUNT_MASK) >> 7
    return f"{n:012d}" if n <= 999_999_999_999 else None


def secret_for(mac: bytes) -> str:
    """40 characters of ``[A-Za-z0-9/+]``: the first 30 bytes of a keyed MAC, base64."""
    if len(mac) < 30:
        raise ValueError("a secret needs 30 bytes of keyed MAC")
    return base64.b64encode(mac[:30]).decode("ascii")


@dataclass(frozen=True, slots=True)
class Credentials:
    """``Credentials`` of an STS response; the secret is kept out of ``repr``."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime

    def to_api(self) -> dict[str, str]:
        """boto3's shape (``Expiration`` as ISO 8601 UTC text)."""
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": iso8601(self.expiration),
        }
