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
    """:class:`Directory` over accounts loaded from files.

    A loaded :class:`World` is immutable (the store builds a new one after
    every write), so answers derived from it alone are memoised on the
    directory: the :class:`PolicySet` per (caller entity, resource, action)
    when no session policies are passed -- which also keeps the engine's
    per-action candidate index warm across requests -- and, in
    :func:`~iamwarden.sts.caller.resolve_caller`, the caller info of a
    long-term caller ARN. :func:`as_directory` hands out the same directory
    for the same world object.
    """

    def __init__(self, world: World):
        self.world = world
        self.memo: dict[object, object] = {}

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
        if session:
            return policies_for(self.world, caller, resource, action, session)
        # everything policies_for reads of the caller: type, account, entity
        key = ("policies", caller.type, caller.account, caller.entity_arn, resource, action.lower())
        hit = self.memo.get(key)
        if hit is None:
            hit = policies_for(self.world, caller, resource, action, session)
            if len(self.memo) < MEMO_MAX:
                self.memo[key] = hit
        return hit  # type: ignore[return-value]

    def tags_of(self, arn: str) -> Mapping[str, str]:
        e = self.world.entity(arn)
        return dict(e.tags) if isinstance(e, (User, Role)) else {}


MEMO_MAX = 4096
_last: WorldDirectory | None = None


def as_directory(source: World | Directory) -> Directory:
    """Accept a loaded world or any directory (the same one again for the same world)."""
    global _last
    if isinstance(source, World):
        last = _last
        if last is not None and last.world is source:
            return last
        last = _last = WorldDirectory(source)
        return last
    return source


__all__ = ["AccountError", "Directory", "WorldDirectory", "as_directory"]
