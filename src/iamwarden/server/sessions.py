"""Resolving temporary credentials for SigV4: the token is the session (spec §4.3, §6.3).

Nothing is stored per session. A request with an ``ASIA`` key is accepted
only when its session token verifies under the installation's keyring, the
key id derived from the token is the one the request was signed with, and the
identity the session is bound to (by unique id) still exists; the secret to
check the signature against is derived from the token too
(:mod:`iamwarden.sts.tokens`, ``docs/decisions/sts-session-binding.md``).

Refusals: a tampered, forged, oversized or rotated-out token is
``InvalidClientTokenId``, an expired one ``ExpiredToken``; a session whose
identity is gone is refused as ``UNBOUND_SESSION_REFUSAL`` prescribes —
GetSessionToken credentials of a deleted user at authentication
(``InvalidClientTokenId``), a role session by the engine on every call
(``AccessDenied``), checked again at decision time against the current world.

Opening a token (AES-GCM, inflate, parse its session policies) is cached by
token digest in a small LRU; what a cache hit skips is only work that depends
on the token bytes and the keyring, never the expiry or binding checks.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from ..model.account import World
from ..sts import Keyring, Session, UserSession, as_directory
from ..sts.errors import TokenError, TokenExpired
from ..sts.federated_user import FederatedUserSession
from ..sts.session_binding import UNBOUND_SESSION_REFUSAL, session_kind, unbound_reason
from ..sts.session_claims import open_session
from ..sts.tokens import MAX_TOKEN_CHARS
from .errors import ExpiredToken, InvalidClientTokenId
from .sigv4 import ResolvedCredential

TemporarySession = Session | UserSession | FederatedUserSession

#: Opened tokens kept (each at most one session's parsed policies: bounded memory).
OPEN_CACHE_SIZE = 1024


@dataclass(frozen=True, slots=True)
class SessionPrincipal:
    """What a handler sees for a request signed with temporary credentials."""

    session: TemporarySession
    access_key_id: str

    @property
    def account_id(self) -> str:
        return self.session.account

    @property
    def arn(self) -> str:
        return self.session.arn


class SessionVault:
    """Checks temporary credentials (the ``temporary`` resolver hook); holds no session state."""

    def __init__(self, keyring: Keyring, world: Callable[[], World], clock: Callable[[], datetime]):
        self._keyring = keyring
        self.world = world
        self.clock = clock
        self._opened: OrderedDict[bytes, tuple[TemporarySession, str]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def keyring(self) -> Keyring:
        return self._keyring

    @keyring.setter
    def keyring(self, ring: Keyring) -> None:
        """A rotated keyring: forget opened tokens, so a retired key's tokens are refused at once."""
        with self._lock:
            self._keyring = ring
            self._opened.clear()

    def open(self, access_key_id: str, session_token: str) -> tuple[TemporarySession, str]:
        """The session and secret a token stands for, or a typed :class:`TokenError`."""
        digest = hashlib.blake2b(session_token.encode("utf-8", "surrogatepass"), digest_size=20).digest()
        with self._lock:
            hit = self._opened.get(digest)
            ring = self._keyring
            if hit is not None:
                self._opened.move_to_end(digest)
        now = self.clock()
        if hit is not None:
            session, secret = hit
            if session.access_key_id != access_key_id:
                raise InvalidClientTokenId()
            if session.expired(now):
                raise ExpiredToken()
            return hit
        found = open_session(ring, session_token, access_key_id, now)
        with self._lock:
            if ring is self._keyring:
                self._opened[digest] = found
                while len(self._opened) > OPEN_CACHE_SIZE:
                    self._opened.popitem(last=False)
        return found

    def resolve(self, access_key_id: str, session_token: str | None) -> ResolvedCredential:
        if not session_token or len(session_token) > MAX_TOKEN_CHARS:
            raise InvalidClientTokenId()  # refused before any decoding: bounded work
        try:
            session, secret = self.open(access_key_id, session_token)
        except TokenExpired:
            raise ExpiredToken() from None
        except TokenError:
            raise InvalidClientTokenId() from None
        if UNBOUND_SESSION_REFUSAL[session_kind(session)] == "InvalidClientTokenId":
            if unbound_reason(as_directory(self.world()), session) is not None:
                raise InvalidClientTokenId()
        return ResolvedCredential(secret, SessionPrincipal(session, access_key_id), session.expires)
