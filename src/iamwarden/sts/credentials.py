"""Temporary credentials (spec §4.3, §5.1): ``ASIA`` access key ids and 40-character secrets."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime

from .clock import RandomSource, iso8601

TEMPORARY_KEY_PREFIX = "ASIA"


def new_access_key_id(rnd: RandomSource) -> str:
    """``ASIA`` + 16 characters of the base32 alphabet ``[A-Z2-7]`` (20 in all, like AWS's)."""
    return TEMPORARY_KEY_PREFIX + base64.b32encode(rnd.token_bytes(10)).decode("ascii")


def new_secret_access_key(rnd: RandomSource) -> str:
    """40 characters of ``[A-Za-z0-9/+]`` (30 random bytes, base64)."""
    return base64.b64encode(rnd.token_bytes(30)).decode("ascii")


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
