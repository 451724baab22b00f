"""Federated-user sessions: what GetFederationToken issues (spec §1.4, §1.5, §3.1, §4.6).

A :class:`FederatedUserSession` is the principal
``arn:aws:sts::ACCOUNT:federated-user/NAME``. It acts with the permissions of
the IAM user that created it, cut by its session policies (without session
policies it can do nothing, spec §1.2); a resource policy may name it
directly (DIRECT) or through its user (FEDUSER, still under the user's
boundary and the session policies, spec §1.5). Like every session it is an
immutable snapshot taken at issue time, and it is bound to its user by unique
id (:mod:`.session_binding`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from ..model.arn import Arn
from ..model.principal import Caller, PrincipalType
from ..policy.document import Policy
from .clock import iso8601, utc
from .session import SessionTag, _mfa_keys, _overlay


def federated_user_arn(account: str, name: str, partition: str = "aws") -> str:
    """``arn:aws:sts::ACCOUNT:federated-user/NAME`` (spec §5.2)."""
    return f"arn:{partition}:sts::{account}:federated-user/{name}"


@dataclass(frozen=True, slots=True)
class FederatedUserSession:
    """A GetFederationToken session (spec §4.6): the user's permissions ∩ the session policies."""

    user_arn: str  # the IAM user (or root) whose long-term credentials called GetFederationToken
    user_id: str  # the user's unique id (AIDA…), the account id for root
    account: str
    name: str  # the federated user's name (GetFederationToken ``Name``)
    issued: datetime
    expires: datetime
    access_key_id: str = ""
    session_policies: tuple[Policy, ...] = ()
    tags: tuple[SessionTag, ...] = ()
    user_tags: Mapping[str, str] = field(default_factory=dict)  # the user's tags at issue time
    packed_policy_size: int | None = None

    @property
    def partition(self) -> str:
        a = Arn.parse(self.user_arn)
        return a.partition if a else "aws"

    @property
    def arn(self) -> str:
        return federated_user_arn(self.account, self.name, self.partition)

    @property
    def federated_user_id(self) -> str:
        """``ACCOUNT:NAME``: also ``aws:userid`` (spec §3.1)."""
        return f"{self.account}:{self.name}"

    @property
    def is_root(self) -> bool:
        return self.user_arn.endswith(":root")

    @property
    def source_identity(self) -> str | None:
        return None

    @property
    def mfa(self) -> bool:
        return False

    @property
    def mfa_time(self) -> datetime | None:
        return None

    @property
    def is_temporary(self) -> bool:
        return True

    def expired(self, now: datetime) -> bool:
        return utc(now) >= utc(self.expires)

    def caller(self) -> Caller:
        """The engine's principal: its own ARN, the user as the entity whose policies apply."""
        return Caller(PrincipalType.FEDERATED_USER, self.arn, self.account, self.user_arn, self.name,
                      unique_id=self.user_id or None, partition=self.partition)

    def transitive_tags(self) -> tuple[SessionTag, ...]:
        return ()  # GetFederationToken tags are never transitive (spec §4.6)

    def principal_tags(self, user_tags: Mapping[str, str] | None = None) -> dict[str, str]:
        """``aws:PrincipalTag/*``: the user's tags overlaid by the session tags."""
        return _overlay(self.user_tags if user_tags is None else user_tags, self.tags)

    def context(self, now: datetime | None = None, user_tags: Mapping[str, str] | None = None) -> dict[str, Any]:
        ctx: dict[str, Any] = {"aws:TokenIssueTime": iso8601(self.issued)}
        ctx.update(_mfa_keys(False, None, now))
        for k, v in self.principal_tags(user_tags).items():
            ctx[f"aws:PrincipalTag/{k}"] = v
        return ctx
