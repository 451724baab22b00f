"""Sessions: what STS issued, as principals the engine can evaluate later (spec §3.1–§3.2, §4.3–§4.4).

:class:`Session` is a role session (AssumeRole); :class:`UserSession` holds
GetSessionToken credentials of a user or root. Both are immutable snapshots
taken at issue time (session policies included: spec §4.3 recommends a
snapshot). ``caller()`` gives the engine's :class:`Caller`; ``context()`` the
condition keys that follow from the session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from ..model.arn import Arn, session_arn
from ..model.principal import Caller, PrincipalType
from ..policy.document import Policy
from .clock import iso8601, utc


@dataclass(frozen=True, slots=True)
class SessionTag:
    """A session tag; ``transitive`` tags pass to the next session of a chain (spec §4.4)."""

    key: str
    value: str
    transitive: bool = False
    inherited: bool = False  # came from the parent session of a chain


def _overlay(base: Mapping[str, str], tags: tuple[SessionTag, ...]) -> dict[str, str]:
    """Keys are case-insensitive: a session tag replaces a base tag whatever its case."""
    out = {k: v for k, v in base.items()}
    for t in tags:
        for k in [k for k in out if k.lower() == t.key.lower()]:
            del out[k]
        out[t.key] = t.value
    return out


def _mfa_keys(mfa: bool, mfa_time: datetime | None, now: datetime | None) -> dict[str, Any]:
    out: dict[str, Any] = {"aws:MultiFactorAuthPresent": "true" if mfa else "false"}
    if mfa and mfa_time is not None and now is not None:
        out["aws:MultiFactorAuthAge"] = str(max(0, int((utc(now) - utc(mfa_time)).total_seconds())))
    return out


@dataclass(frozen=True, slots=True)
class Session:
    """A role session (spec §4.3 "Properties of the created session")."""

    role_arn: str
    role_id: str
    account: str
    session_name: str
    issued: datetime
    expires: datetime
    access_key_id: str = ""
    session_policies: tuple[Policy, ...] = ()
    tags: tuple[SessionTag, ...] = ()  # passed in Tags (transitive flag from TransitiveTagKeys)
    inherited_tags: tuple[SessionTag, ...] = ()  # transitive tags of the parent session
    source_identity: str | None = None
    mfa: bool = False
    mfa_time: datetime | None = None
    chained: bool = False
    role_tags: Mapping[str, str] = field(default_factory=dict)  # the role's tags at issue time
    caller_arn: str | None = None  # who assumed the role, for logs
    packed_policy_size: int | None = None
    #: AssumeRoleWithWebIdentity/SAML: the provider that authenticated it (``aws:FederatedProvider``, §3.2)
    federated_provider: str | None = None

    @property
    def partition(self) -> str:
        a = Arn.parse(self.role_arn)
        return a.partition if a else "aws"

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[-1]

    @property
    def arn(self) -> str:
        """``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`` (no role path, spec §5.2)."""
        return session_arn(self.role_arn, self.session_name)

    @property
    def assumed_role_id(self) -> str:
        """``AROA…:SESSION``: also ``aws:userid`` (spec §3.1)."""
        return f"{self.role_id}:{self.session_name}"

    @property
    def is_temporary(self) -> bool:
        return True

    def expired(self, now: datetime) -> bool:
        return utc(now) >= utc(self.expires)

    def caller(self) -> Caller:
        return Caller(
            PrincipalType.ROLE_SESSION, self.arn, self.account, self.role_arn, self.role_name,
            self.session_name, self.role_id or None, self.partition,
        )

    def all_session_tags(self) -> tuple[SessionTag, ...]:
        """Inherited transitive tags, then this session's own tags."""
        return self.inherited_tags + self.tags

    def transitive_tags(self) -> tuple[SessionTag, ...]:
        """What the next session of a chain inherits (spec §4.4)."""
        own = tuple(SessionTag(t.key, t.value, True, True) for t in self.tags if t.transitive)
        return tuple(SessionTag(t.key, t.value, True, True) for t in self.inherited_tags) + own

    def principal_tags(self, role_tags: Mapping[str, str] | None = None) -> dict[str, str]:
        """``aws:PrincipalTag/*``: role tags overlaid by session tags (spec §3.2)."""
        base = self.role_tags if role_tags is None else role_tags
        return _overlay(base, self.all_session_tags())

    def context(self, now: datetime | None = None, role_tags: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Condition keys derived from the session (spec §3.1, §3.2).

        The engine adds the principal keys (``aws:PrincipalArn``,
        ``aws:PrincipalType``…) from :meth:`caller`; ``aws:userid`` is given
        here too so the context reads complete on its own.
        """
        ctx: dict[str, Any] = {
            "aws:userid": self.assumed_role_id,
            "aws:PrincipalArn": self.role_arn,
            "aws:PrincipalType": PrincipalType.ROLE_SESSION.value,
            "aws:PrincipalAccount": self.account,
            "aws:TokenIssueTime": iso8601(self.issued),
        }
        ctx.update(_mfa_keys(self.mfa, self.mfa_time, now))
        for k, v in self.principal_tags(role_tags).items():
            ctx[f"aws:PrincipalTag/{k}"] = v
        if self.source_identity is not None:
            ctx["aws:SourceIdentity"] = self.source_identity
        if self.federated_provider is not None:
            ctx["aws:FederatedProvider"] = self.federated_provider
        return ctx


@dataclass(frozen=True, slots=True)
class UserSession:
    """GetSessionToken credentials: the user (or root) itself, with temporary keys (spec §4.6)."""

    principal_arn: str  # the user ARN, or the root ARN
    unique_id: str  # AIDA… for a user; the account id for root
    account: str
    issued: datetime
    expires: datetime
    access_key_id: str = ""
    mfa: bool = False
    mfa_time: datetime | None = None
    user_tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_root(self) -> bool:
        return self.principal_arn.endswith(":root")

    @property
    def arn(self) -> str:
        return self.principal_arn

    @property
    def source_identity(self) -> str | None:
        return None

    @property
    def is_temporary(self) -> bool:
        return True

    def expired(self, now: datetime) -> bool:
        return utc(now) >= utc(self.expires)

    def caller(self) -> Caller:
        if self.is_root:
            return Caller(PrincipalType.ROOT, self.principal_arn, self.account, self.principal_arn)
        name = self.principal_arn.rsplit("/", 1)[-1]
        return Caller(PrincipalType.USER, self.principal_arn, self.account, self.principal_arn, name,
                      unique_id=self.unique_id or None)

    def transitive_tags(self) -> tuple[SessionTag, ...]:
        return ()

    def principal_tags(self, role_tags: Mapping[str, str] | None = None) -> dict[str, str]:
        return dict(self.user_tags)

    def context(self, now: datetime | None = None) -> dict[str, Any]:
        ctx: dict[str, Any] = {"aws:TokenIssueTime": iso8601(self.issued)}
        ctx.update(_mfa_keys(self.mfa, self.mfa_time, now))
        for k, v in self.user_tags.items():
            ctx[f"aws:PrincipalTag/{k}"] = v
        return ctx


TemporarySession = Session | UserSession
