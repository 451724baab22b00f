"""What a session token carries: the whole session, packed (spec §4.3 "Properties of the created session").

A role :class:`~.session.Session` packs its role's ARN and unique id
(``AROA…``, what the session is bound to, :mod:`.session_binding`), account,
session name, issue and expiry times, session policies (the documents as
minified JSON: a snapshot, spec §4.3), session tags with their transitive
flags, inherited transitive tags, source identity, MFA, the chaining flag, the
caller's ARN and the PackedPolicySize it was issued with. A
:class:`~.session.UserSession` (GetSessionToken) packs the user's ARN and
unique id (``AIDA…``; the account id for root) and MFA.

Keys are one or two letters: every byte is sent with every request. Role and
user tags are *not* packed: a bound session reads its identity's current tags.
:func:`seal_session` issues the token and the credentials derived from it;
:func:`open_session` verifies a presented token and rebuilds the session.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ..policy.document import Policy, PolicyKind, parse_policy
from ..policy.errors import PolicySyntaxError
from .clock import RandomSource
from .credentials import Credentials
from .errors import TokenMalformed
from .federated_user import FederatedUserSession
from .session import Session, SessionTag, UserSession
from .tokens import Keyring, TokenClaims, issue_token, verify_token

TemporarySession = Session | UserSession | FederatedUserSession
INLINE_POLICY_NAME = "session policy"  # the name assume_role gives the inline Policy


def _doc_text(doc: Any) -> str:
    return doc if isinstance(doc, str) else json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def _epoch(t: datetime | None) -> int | None:
    return None if t is None else int(t.timestamp())


def _whole(t: datetime) -> datetime:
    return t.replace(microsecond=0)


def _time(v: Any) -> datetime | None:
    return None if v is None else datetime.fromtimestamp(int(v), UTC)


def _policy_claim(p: Policy) -> list[Any]:
    """``[document]`` for the inline policy, ``[document, arn]`` for a managed one."""
    text = _doc_text(p.document)
    return [text] if p.name == INLINE_POLICY_NAME else [text, p.name]


def _policy_of(item: list[Any]) -> Policy:
    if len(item) == 1:
        return parse_policy(item[0], PolicyKind.SESSION, INLINE_POLICY_NAME)
    doc, arn = item
    q = parse_policy(doc, PolicyKind.IDENTITY, arn)
    return Policy(arn, PolicyKind.SESSION, q.version, q.id, q.statements, q.document)


def session_claims(session: TemporarySession) -> dict[str, Any]:
    """The claim set sealed into the token (without ``a``/``iat``/``exp``, which the sealer adds)."""
    out: dict[str, Any]
    if isinstance(session, Session):
        out = {"k": "r", "ra": session.role_arn, "ri": session.role_id, "sn": session.session_name}
        if session.session_policies:
            out["p"] = [_policy_claim(p) for p in session.session_policies]
        if session.tags:
            out["t"] = [[t.key, t.value, 1] if t.transitive else [t.key, t.value] for t in session.tags]
        if session.inherited_tags:
            out["it"] = [[t.key, t.value] for t in session.inherited_tags]
        if session.source_identity is not None:
            out["si"] = session.source_identity
        if session.chained:
            out["c"] = 1
        if session.caller_arn is not None:
            out["ca"] = session.caller_arn
        if session.packed_policy_size is not None:
            out["ps"] = session.packed_policy_size
        if session.federated_provider is not None:
            out["fp"] = session.federated_provider
    elif isinstance(session, FederatedUserSession):
        out = {"k": "f", "pa": session.user_arn, "ui": session.user_id, "n": session.name}
        if session.session_policies:
            out["p"] = [_policy_claim(p) for p in session.session_policies]
        if session.tags:
            out["t"] = [[t.key, t.value] for t in session.tags]
        if session.packed_policy_size is not None:
            out["ps"] = session.packed_policy_size
        return out
    else:
        out = {"k": "u", "pa": session.principal_arn, "ui": session.unique_id}
    if session.mfa:
        out["m"] = 1
    if session.mfa_time is not None:
        out["mt"] = _epoch(session.mfa_time)
    return out


def session_of(claims: TokenClaims) -> TemporarySession:
    """Rebuild the session a verified token carries; an unreadable claim set is ``TokenMalformed``."""
    c = claims.claims
    try:
        common: dict[str, Any] = dict(
            account=claims.account, issued=claims.issued, expires=claims.expires,
            access_key_id=claims.access_key_id, mfa=bool(c.get("m")), mfa_time=_time(c.get("mt")),
        )
        if c["k"] == "r":
            return Session(
                role_arn=str(c["ra"]), role_id=str(c["ri"]), session_name=str(c["sn"]),
                session_policies=tuple(_policy_of(p) for p in c.get("p", ())),
                tags=tuple(SessionTag(str(t[0]), str(t[1]), len(t) > 2 and bool(t[2])) for t in c.get("t", ())),
                inherited_tags=tuple(SessionTag(str(k), str(v), True, True) for k, v in c.get("it", ())),
                source_identity=c.get("si"), chained=bool(c.get("c")), caller_arn=c.get("ca"),
                packed_policy_size=c.get("ps"), federated_provider=c.get("fp"), **common,
            )
        if c["k"] == "f":
            return FederatedUserSession(
                user_arn=str(c["pa"]), user_id=str(c["ui"]), account=claims.account, name=str(c["n"]),
                issued=claims.issued, expires=claims.expires, access_key_id=claims.access_key_id,
                session_policies=tuple(_policy_of(p) for p in c.get("p", ())),
                tags=tuple(SessionTag(str(t[0]), str(t[1])) for t in c.get("t", ())),
                packed_policy_size=c.get("ps"),
            )
        if c["k"] == "u":
            return UserSession(principal_arn=str(c["pa"]), unique_id=str(c["ui"]), **common)
    except (KeyError, TypeError, ValueError, IndexError, OverflowError, OSError, PolicySyntaxError):
        pass
    raise TokenMalformed("session claims unreadable")


def seal_session(keyring: Keyring, session: TemporarySession,
                 rnd: RandomSource | None = None) -> tuple[Credentials, TemporarySession]:
    """Issue the token for ``session``: its credentials, and the session naming its access key id.

    Raises :class:`~.errors.TokenTooLarge` (``PackedPolicyTooLarge``) when the
    packed session would exceed the token bound.
    """
    # the token keeps whole seconds; so does the session handed back, so the
    # caller and every later request see the same issue and expiry times
    start, end = _whole(session.issued), _whole(session.expires)
    issued = issue_token(keyring, session.account, start, end, session_claims(session), rnd)
    creds = Credentials(issued.access_key_id, issued.secret_access_key, issued.session_token, end)
    return creds, replace(session, access_key_id=issued.access_key_id, issued=start, expires=end)


def open_session(keyring: Keyring, token: str, access_key_id: str,
                 now: datetime) -> tuple[TemporarySession, str]:
    """The session and secret of a token presented with ``access_key_id`` at ``now``, or a typed refusal.

    Authenticity, key binding and expiry are :func:`~.tokens.verify_token`'s;
    whether the identity still exists is :mod:`.session_binding`'s.
    """
    claims = verify_token(keyring, token, access_key_id, now)
    return session_of(claims), claims.secret_access_key
