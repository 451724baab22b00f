"""Who is calling STS: a long-term user, root, or temporary credentials (spec §3.1, §4.4).

:func:`resolve_caller` turns whatever the caller is — an ARN, an engine
:class:`Caller`, a role :class:`Session` or GetSessionToken
:class:`UserSession` — into one :class:`CallerInfo` holding what the
authorization needs: the engine principal, its tags and session keys, its
session policies, and what a chain inherits (transitive tags, source
identity, MFA).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from ..model.principal import Caller, PrincipalError, PrincipalType
from ..policy.document import Policy
from .directory import Directory
from .federated_user import FederatedUserSession
from .session import Session, SessionTag, UserSession

CallerLike = str | Caller | Session | UserSession | FederatedUserSession


class UnknownCaller(ValueError):
    """The caller names a user that the directory does not hold."""


@dataclass(frozen=True, slots=True)
class CallerInfo:
    caller: Caller
    session: Session | UserSession | None = None
    tags: Mapping[str, str] = field(default_factory=dict)  # aws:PrincipalTag/*
    context: Mapping[str, Any] = field(default_factory=dict)  # keys derived from the credentials
    session_policies: tuple[Policy, ...] = ()
    transitive_tags: tuple[SessionTag, ...] = ()
    source_identity: str | None = None
    mfa: bool = False
    mfa_time: datetime | None = None

    @property
    def arn(self) -> str:
        """The ARN AccessDenied messages name: the session ARN for role sessions (spec §4.2 step 6)."""
        return self.caller.arn

    @property
    def temporary(self) -> bool:
        """Calling with temporary credentials: AssumeRole is then role chaining (spec §4.4)."""
        return self.session is not None or self.caller.type is PrincipalType.ROLE_SESSION

    @property
    def is_root(self) -> bool:
        return self.caller.type is PrincipalType.ROOT


def resolve_caller(directory: Directory, who: CallerLike, now: datetime | None = None) -> CallerInfo:
    if isinstance(who, Session):
        role_tags = directory.tags_of(who.role_arn) if directory.role(who.role_arn) else who.role_tags
        tags = who.principal_tags(role_tags)
        return CallerInfo(
            who.caller(), who, tags, who.context(now, role_tags), who.session_policies,
            who.transitive_tags(), who.source_identity, who.mfa, who.mfa_time,
        )
    if isinstance(who, FederatedUserSession):
        # a federated user assumes no role and gets no further tokens (spec §4.6): the
        # operations refuse it by its type; what it carries is given for completeness
        user = directory.user(who.user_arn)
        ftags = who.principal_tags(dict(user.tags) if user is not None else None)
        return CallerInfo(who.caller(), None, ftags, who.context(now, ftags), who.session_policies)
    if isinstance(who, UserSession):
        tags = dict(directory.tags_of(who.principal_arn)) or dict(who.user_tags)
        ctx = who.context(now)
        ctx.update({f"aws:PrincipalTag/{k}": v for k, v in tags.items()})
        return CallerInfo(who.caller(), who, tags, ctx, mfa=who.mfa, mfa_time=who.mfa_time)
    if isinstance(who, str):
        # a long-term caller ARN: the answer depends on the directory alone
        memo = getattr(directory, "memo", None)
        if isinstance(memo, dict):
            key = ("caller", who)
            hit = memo.get(key)
            if hit is None:
                hit = _resolve_long_term(directory, _from_arn(who))
                if len(memo) < 4096:
                    memo[key] = hit
            return hit
    return _resolve_long_term(directory, who if isinstance(who, Caller) else _from_arn(who))


def _resolve_long_term(directory: Directory, caller: Caller) -> CallerInfo:
    if caller.type is PrincipalType.USER:
        user = directory.user(caller.arn)
        if user is None:
            raise UnknownCaller(f"{caller.arn}: no such user in the loaded accounts")
        caller = Caller(PrincipalType.USER, user.arn, caller.account, user.arn, user.name,
                        unique_id=user.user_id or caller.unique_id, partition=caller.partition)
        tags = dict(user.tags)
        return CallerInfo(caller, tags=tags, context={f"aws:PrincipalTag/{k}": v for k, v in tags.items()})
    if caller.type is PrincipalType.ROLE_SESSION and caller.entity_arn:
        role = directory.role(caller.entity_arn)
        if role is None:
            raise UnknownCaller(f"{caller.entity_arn}: no such role in the loaded accounts")
        caller = Caller(PrincipalType.ROLE_SESSION, caller.arn, caller.account, role.arn, role.name,
                        caller.session_name, role.role_id or caller.unique_id, caller.partition)
        tags = dict(role.tags)
        return CallerInfo(caller, tags=tags, context={f"aws:PrincipalTag/{k}": v for k, v in tags.items()})
    return CallerInfo(caller)


def _from_arn(arn: str) -> Caller:
    try:
        return Caller.from_arn(arn)
    except PrincipalError as e:
        raise UnknownCaller(str(e)) from None
