"""Deciding requests made later with session credentials (spec §1.2, §3.1–§3.2).

A role session acts with the role's identity policies and boundary, cut by
its session policies; its context carries ``aws:userid`` (``AROA…:name``),
``aws:PrincipalTag/*`` (role tags overlaid by session and inherited
transitive tags), ``aws:TokenIssueTime``, ``aws:MultiFactorAuthPresent`` and
``aws:SourceIdentity``. An expired session is denied (fail closed), and so is
a session whose role or user is gone or was re-created under the same name:
sessions are bound by unique id (spec §5.3, :mod:`.session_binding`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from ..evaluation.authorizer import authorize
from ..evaluation.decision import Decision, Reason, Verdict
from ..evaluation.request import Request
from ..evaluation.world import entity_keys
from ..model.account import AccountError, Role, User, World
from .clock import iso8601, utc
from .directory import Directory, as_directory
from .federated_user import FederatedUserSession
from .session import Session, UserSession
from .session_binding import unbound_reason


def session_context(directory: Directory, session: Session | UserSession | FederatedUserSession,
                    now: datetime | None = None) -> dict[str, Any]:
    if isinstance(session, FederatedUserSession):
        user = directory.user(session.user_arn)
        return session.context(now, dict(user.tags) if user is not None else None)
    if isinstance(session, Session):
        role_tags = directory.tags_of(session.role_arn) if directory.role(session.role_arn) else None
        return session.context(now, role_tags)
    ctx = session.context(now)
    for k, v in directory.tags_of(session.principal_arn).items():
        ctx[f"aws:PrincipalTag/{k}"] = v
    return ctx


def session_decide(
    source: World | Directory,
    session: Session | UserSession | FederatedUserSession,
    action: str,
    resource: str = "*",
    context: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Decision:
    """Decide ``action`` on ``resource`` for a request signed with the session's credentials."""
    directory = as_directory(source)
    if now is not None and session.expired(now):
        return Decision(
            Verdict.IMPLICIT_DENY,
            (Reason("rule", f"the session expired at {iso8601(session.expires)}"),),
            rule="expired session",
        )
    unbound = unbound_reason(directory, session)
    if unbound is not None:
        return Decision(Verdict.IMPLICIT_DENY, (Reason("rule", unbound),), rule="unbound session")
    caller = session.caller()
    ctx: dict[str, Any] = {}
    if now is not None:
        t = utc(now)
        ctx["aws:CurrentTime"] = iso8601(t)
        ctx["aws:EpochTime"] = str(int(t.timestamp()))
    ctx.update(session_context(directory, session, now))
    target = directory.role(resource) or directory.user(resource) if resource.startswith("arn:") else None
    if isinstance(target, (Role, User)):
        ctx.update(entity_keys(target, action))  # its tags and, for IAM writes, its boundary
    ctx.update(context or {})
    policies = session.session_policies if isinstance(session, (Session, FederatedUserSession)) else ()
    try:
        ps = directory.policies_for(caller, resource, action, policies)
    except AccountError as e:
        return Decision(Verdict.IMPLICIT_DENY, (Reason("error", "account data incomplete; denied"),),
                        (str(e),), "error")
    return authorize(Request.build(caller, action, resource, ctx), ps)
