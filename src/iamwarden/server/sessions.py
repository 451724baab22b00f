"""Persisting STS sessions in the store, and resolving temporary credentials for SigV4.

A session is stored as a JSON snapshot keyed by its access key id (spec
§4.3 "store them server-side, keyed by access key id"); session policies are
kept as documents and re-parsed on load. The secret is stored beside it, as
long-term secrets are. A request with an ``ASIA`` key is accepted only when
its session token verifies under the installation's keyring *and* names the
same access key: a tampered, forged or rotated-out token is
``InvalidClientTokenId``, an expired one ``ExpiredToken`` (spec §6.3).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from ..policy.document import PolicyKind, parse_policy
from ..store import Store
from ..sts import Keyring, Session, SessionTag, UserSession, verify_token
from ..sts.errors import TokenError, TokenExpired
from .errors import ExpiredToken, InvalidClientTokenId
from .sigv4 import ResolvedCredential

TemporarySession = Session | UserSession


def _dt(v: str | None) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


def _tags(items: list[dict[str, Any]]) -> tuple[SessionTag, ...]:
    return tuple(SessionTag(t["key"], t["value"], t["transitive"], t["inherited"]) for t in items)


def encode_session(session: TemporarySession, secret: str) -> dict[str, Any]:
    if isinstance(session, Session):
        body: dict[str, Any] = {
            "kind": "role",
            "role_arn": session.role_arn,
            "role_id": session.role_id,
            "account": session.account,
            "session_name": session.session_name,
            "issued": session.issued.isoformat(),
            "expires": session.expires.isoformat(),
            "access_key_id": session.access_key_id,
            "session_policies": [p.document for p in session.session_policies],
            "tags": [vars_of(t) for t in session.tags],
            "inherited_tags": [vars_of(t) for t in session.inherited_tags],
            "source_identity": session.source_identity,
            "mfa": session.mfa,
            "mfa_time": session.mfa_time.isoformat() if session.mfa_time else None,
            "chained": session.chained,
            "role_tags": dict(session.role_tags),
            "caller_arn": session.caller_arn,
            "packed_policy_size": session.packed_policy_size,
        }
    else:
        body = {
            "kind": "user",
            "principal_arn": session.principal_arn,
            "unique_id": session.unique_id,
            "account": session.account,
            "issued": session.issued.isoformat(),
            "expires": session.expires.isoformat(),
            "access_key_id": session.access_key_id,
            "mfa": session.mfa,
            "mfa_time": session.mfa_time.isoformat() if session.mfa_time else None,
            "user_tags": dict(session.user_tags),
        }
    body["secret"] = secret
    return body


def vars_of(t: SessionTag) -> dict[str, Any]:
    return {"key": t.key, "value": t.value, "transitive": t.transitive, "inherited": t.inherited}


def decode_session(blob: dict[str, Any] | str) -> tuple[TemporarySession, str]:
    b = json.loads(blob) if isinstance(blob, str) else blob
    if b["kind"] == "role":
        policies = tuple(
            parse_policy(doc, PolicyKind.SESSION, f"session[{i}]")
            for i, doc in enumerate(b["session_policies"])
        )
        s: TemporarySession = Session(
            role_arn=b["role_arn"], role_id=b["role_id"], account=b["account"],
            session_name=b["session_name"], issued=_dt(b["issued"]), expires=_dt(b["expires"]),  # type: ignore[arg-type]
            access_key_id=b["access_key_id"], session_policies=policies,
            tags=_tags(b["tags"]), inherited_tags=_tags(b["inherited_tags"]),
            source_identity=b["source_identity"], mfa=b["mfa"], mfa_time=_dt(b["mfa_time"]),
            chained=b["chained"], role_tags=b["role_tags"], caller_arn=b["caller_arn"],
            packed_policy_size=b["packed_policy_size"],
        )
    else:
        s = UserSession(
            principal_arn=b["principal_arn"], unique_id=b["unique_id"], account=b["account"],
            issued=_dt(b["issued"]), expires=_dt(b["expires"]),  # type: ignore[arg-type]
            access_key_id=b["access_key_id"], mfa=b["mfa"], mfa_time=_dt(b["mfa_time"]),
            user_tags=b["user_tags"],
        )
    return s, b["secret"]


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
    """Stores sessions and checks temporary credentials (the ``temporary`` resolver hook)."""

    def __init__(self, store: Store, keyring: Keyring, clock: Callable[[], datetime]):
        self.store = store
        self.keyring = keyring
        self.clock = clock
        self._cache: dict[str, tuple[TemporarySession, str]] = {}
        self._lock = threading.Lock()

    def put(self, session: TemporarySession, secret: str) -> None:
        self.store.put_session(session.access_key_id, encode_session(session, secret), session.expires)
        with self._lock:
            self._cache[session.access_key_id] = (session, secret)

    def get(self, access_key_id: str) -> tuple[TemporarySession, str] | None:
        with self._lock:
            hit = self._cache.get(access_key_id)
        if hit is not None:
            return hit
        row = self.store.get_session(access_key_id)
        if row is None:
            return None
        found = decode_session(row[0])
        with self._lock:
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[access_key_id] = found
        return found

    def resolve(self, access_key_id: str, session_token: str | None) -> ResolvedCredential:
        if not session_token:
            raise InvalidClientTokenId()
        try:
            verify_token(self.keyring, session_token, access_key_id, self.clock())
        except TokenExpired:
            raise ExpiredToken() from None
        except TokenError:
            raise InvalidClientTokenId() from None
        found = self.get(access_key_id)
        if found is None:
            raise InvalidClientTokenId()
        session, secret = found
        if session.expired(self.clock()):
            raise ExpiredToken()
        return ResolvedCredential(secret, SessionPrincipal(session, access_key_id), session.expires)
