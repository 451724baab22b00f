"""Unique IDs, access key IDs and secrets (spec §5.1), from an injected random source.

AWS unique IDs are 21 characters: a 4-character prefix (``AIDA`` user, ``AROA``
role, ``AGPA`` group, ``ANPA`` policy, ``AIPA`` instance profile) and 17 more;
access key IDs are 20 (``AKIA`` + 16). The alphabet is the base32 one AWS's
examples use (``[A-Z2-7]``, UNCONFIRMED as the exact generator). Secrets are 40
characters of ``[A-Za-z0-9/+]``.

The random source is injected (``random.Random(seed)`` in tests, the OS CSPRNG
otherwise) so tests are repeatable; secrets must come from a CSPRNG in real use,
which is the default.
"""

from __future__ import annotations

import random
import secrets
import string
from typing import Protocol

ID_ALPHABET = string.ascii_uppercase + "234567"
SECRET_ALPHABET = string.ascii_letters + string.digits + "/+"

USER = "AIDA"
ROLE = "AROA"
GROUP = "AGPA"
POLICY = "ANPA"
POLICY_VERSION = "ANVA"
INSTANCE_PROFILE = "AIPA"
ACCESS_KEY = "AKIA"
TEMPORARY_ACCESS_KEY = "ASIA"


class RandomSource(Protocol):
    def choice(self, seq: str) -> str: ...


class IdGenerator:
    """Makes IDs and secrets from ``rng`` (default: :class:`secrets.SystemRandom`)."""

    def __init__(self, rng: RandomSource | None = None) -> None:
        self._rng: RandomSource = rng if rng is not None else secrets.SystemRandom()

    def _chars(self, alphabet: str, n: int) -> str:
        choice = self._rng.choice
        return "".join(choice(alphabet) for _ in range(n))

    def unique_id(self, prefix: str) -> str:
        """21 characters: ``prefix`` + 17 of ``[A-Z2-7]``."""
        return prefix + self._chars(ID_ALPHABET, 21 - len(prefix))

    def access_key_id(self, prefix: str = ACCESS_KEY) -> str:
        """20 characters: ``AKIA`` (or ``ASIA``) + 16 of ``[A-Z2-7]``."""
        return prefix + self._chars(ID_ALPHABET, 20 - len(prefix))

    def secret_access_key(self) -> str:
        return self._chars(SECRET_ALPHABET, 40)

    def token(self, n: int) -> str:
        return self._chars(SECRET_ALPHABET, n)


def seeded(seed: int) -> IdGenerator:
    """A repeatable generator for tests."""
    return IdGenerator(random.Random(seed))
