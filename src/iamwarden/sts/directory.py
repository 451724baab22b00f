"""Where STS looks up roles, users and policies: a small protocol (spec §4.2 steps 5–6).

The library ships :class:`WorldDirectory` over a loaded :class:`World`; the
server can implement :class:`Directory` over its store. STS asks only these
questions, so a store needs nothing else to back AssumeRole.
"""

from __future__ import annotations

from typing import Mapping, Protocol, runtime_checkable

from ..evaluation.policyset import PolicySet
from ..evaluation.world import policies_for
from ..model.account import AccountError, Role, User, World
from ..model.arn import Arn
from ..model.principal import Caller
from ..policy.document import Policy


@runtime_checkable
class Directory(Protocol):
    def role(self, arn: str) -> Role | None:
        """The role with exactly this ARN, or None."""

    def user(self, arn: str) -> User | None:
        """The user with this ARN, or None."""

    def managed_policy(self, arn: str) -> Policy | None:
        """The default version of a managed policy (AWS-managed ones included), or None."""

    def policies_for(self, caller: Caller, resource: str, action: str,
                     session: tuple[Policy, ...] = ()) -> PolicySet:
        """Everything the authorizer reads for ``caller`` acting on ``resource`` (spec §1.1)."""

    def tags_of(self, arn: str) -> Mapping[str, str]:
        """Tags of the user or role with this ARN (empty when unknown)."""


class WorldDirectory:
    """:class:`Directory` over accounts loaded from files."""

    def __init__(self, world: World):
        self.world = world

    def role(self, arn: str) -> Role | None:
        e = self.world.entity(arn)
        return e if isinstance(e, Role) else None

    def user(self, arn: str) -> User | None:
        e = self.world.entity(arn)
        return e if isinstance(e, User) else None

    def managed_policy(self, arn: str) -> Policy | None:
        a = Arn.parse(arn)
        if a is None:
            return None
        if a.account == "aws":
            for each in self.world.accounts.values():
                p = each.managed(arn)
                if p is not None:
                    return p
            return None
        owner = self.world.account(a.account)
        return owner.managed(arn) if owner else None

    def policies_for(self, caller: Caller, resource: str, action: str,
                     session: tuple[Policy, ...] = ()) -> PolicySet:
        return policies_for(self.world, caller, resource, action, session)

    def tags_of(self, arn: str) -> Mapping[str, str]:
        e = self.world.entity(arn)
        return dict(e.tags) if isinstance(e, (User, Role)) else {}


def as_directory(source: World | Directory) -> Directory:
    """Accept a loaded world or any directory."""
    if isinstance(source, World):
        return WorldDirectory(source)
    return source


__all__ = ["AccountError", "Directory", "WorldDirectory", "as_directory"]
