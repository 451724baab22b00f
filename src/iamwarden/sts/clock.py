"""Time and randomness, injected (design: the core reads no clock and no entropy itself).

``Clock`` is any zero-argument callable returning an aware UTC ``datetime``;
the server passes the real time, tests a :class:`ManualClock`. ``RandomSource``
gives bytes; the default is :mod:`secrets`, tests use :class:`SeededRandom`
for reproducible identifiers (never for keys that guard anything).
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta
from typing import Callable, Protocol

Clock = Callable[[], datetime]


class ManualClock:
    """A clock that moves only when told: ``clock.advance(3600)``."""

    def __init__(self, start: datetime | str = "2025-01-06T09:30:00Z"):
        if isinstance(start, str):
            start = datetime.fromisoformat(start.replace("Z", "+00:00"))
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now = self.now + timedelta(seconds=seconds)
        return self.now


class RandomSource(Protocol):
    def token_bytes(self, n: int) -> bytes: ...


class SecretsRandom:
    """Cryptographically strong bytes from :mod:`secrets` (the default)."""

    def token_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)


class SeededRandom:
    """Reproducible bytes for tests and examples; not for keys."""

    def __init__(self, seed: int = 0):
        self._r = random.Random(seed)

    def token_bytes(self, n: int) -> bytes:
        return self._r.randbytes(n)


def iso8601(t: datetime) -> str:
    """``2025-01-06T09:30:00Z``: the form of ``Expiration`` and ``aws:TokenIssueTime`` (spec §3.2, §4.3)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc(t: datetime) -> datetime:
    if t.tzinfo is None:
        raise ValueError("the clock must return timezone-aware datetimes (UTC)")
    return t.astimezone(UTC)
