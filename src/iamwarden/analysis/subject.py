"""A principal as the analysis asks about it: who it is and every policy that applies.

Building the ``PolicySet`` once per principal (instead of per question, as
``evaluation.decide`` does) is what keeps an audit of thousands of principals
fast: the set memoises its per-action statement candidates, so the second
question about ``iam:CreateAccessKey`` costs a dict lookup. Hypothetical
principals ("alice after joining group admins", "this role once it holds
AdministratorAccess") are the same type with a different policy set, which is
how the self-escalation techniques (catalog D01, D02, D07-D13) are checked
with the engine rather than by reading action names.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Mapping

from ..evaluation import PolicySet, caller_for, policies_for
from ..evaluation.world import principal_org_keys, resource_org_keys
from ..model.account import Account, Group, Role, User, World
from ..model.principal import Caller
from ..policy.document import Policy, PolicyKind, parse_policy
from .session import session_keys

#: AWS's AdministratorAccess document: what a self-escalating principal grants itself.
ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
ADMIN_DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
ADMIN_POLICY: Policy = parse_policy(ADMIN_DOCUMENT, PolicyKind.IDENTITY, ADMIN_POLICY_ARN)


@dataclass(frozen=True, slots=True, eq=False)
class Subject:
    """One (possibly hypothetical) principal and the policies in force for it.

    ``policies`` has no resource policy: questions about a role's trust add it
    with ``PolicySet.replace``. ``note`` says what is hypothetical, if anything.
    ``context``: the condition keys every request of this principal carries
    (``analysis.session``), under every question asked about it.
    """

    arn: str
    kind: str  # "user" | "role"
    account: Account
    entity: User | Role
    caller: Caller
    policies: PolicySet
    groups: tuple[str, ...] = ()
    note: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def account_id(self) -> str:
        return self.account.account_id

    @property
    def is_user(self) -> bool:
        return self.kind == "user"

    def with_identity(self, *extra: Policy, note: str) -> Subject:
        """The same principal holding ``extra`` identity policies as well."""
        ps = self.policies.replace(identity=self.policies.identity + tuple(extra))
        return replace(self, policies=ps, note=note)

    def with_group(self, group: Group) -> Subject:
        """A user after ``iam:AddUserToGroup`` (catalog D13)."""
        extra = [p.policy for p in group.inline]
        for arn in group.attached:
            p = self.account.managed(arn)
            if p is not None:
                extra.append(p)
        s = self.with_identity(*extra, note=f"after joining group {group.name}")
        return replace(s, groups=self.groups + (group.name,))

    def with_own_inline_replaced(self, new: Policy, note: str) -> Subject:
        """The principal after writing ``new`` under the name of each of its own inline policies.

        ``iam:PutUserPolicy`` / ``iam:PutRolePolicy`` with an existing policy name replaces
        that policy (IAM API reference), so a principal that may write its own inline
        policies can also remove the Denies they hold (catalog D10, D12; issue 10).
        """
        own = {id(ip.policy) for ip in self.entity.inline}
        kept = tuple(p for p in self.policies.identity if id(p) not in own)
        return replace(self, policies=self.policies.replace(identity=kept + (new,)), note=note)

    def with_boundary(self, boundary: Policy | None, arn: str | None, note: str) -> Subject:
        """The principal after its permissions boundary is deleted (None) or replaced by the
        managed policy ``arn`` (B01); its entity says so too, for the requests made on it."""
        entity = replace(self.entity, boundary=arn)
        return replace(self, entity=entity, policies=self.policies.replace(boundary=boundary), note=note)

    def with_tags(self, tags: Mapping[str, str], note: str) -> Subject:
        """The principal after tagging itself (B02): its principal tags are ``tags``."""
        return replace(self, entity=replace(self.entity, tags=dict(tags)), note=note)

    def with_policy_swapped(self, old: Policy, new: Policy, note: str) -> Subject:
        """The principal after a managed policy's default version changes (catalog D01, D02)."""
        ident = tuple(new if p is old else p for p in self.policies.identity)
        return replace(self, policies=self.policies.replace(identity=ident), note=note)


def subject_for(world: World, account: Account, entity: User | Role, now: datetime | None = None,
                share: Callable[[PolicySet], PolicySet] | None = None) -> Subject:
    """The subject for a loaded user or role (raises ``AccountError`` on dangling references).

    ``now``: the moment of the audit, for the time keys of ``context``. ``share``: gives
    the policy set to use for one built here (an equal one already in use: the index's
    ``_shared_set``).
    """
    caller = caller_for(world, entity.arn)
    ps = policies_for(world, caller, "*")
    if share is not None:
        ps = share(ps)
    # the resource keys of the caller's own account: what a request on "*" (admin probes) carries;
    # ``WorldIndex._ask`` sets them per resource (``owner_org_keys``)
    ctx: dict[str, Any] = {**session_keys(caller, now), **principal_org_keys(world, caller),
                           **resource_org_keys(world, caller.account)}
    if isinstance(entity, User):
        return Subject(entity.arn, "user", account, entity, caller, ps, tuple(entity.groups), context=ctx)
    return Subject(entity.arn, "role", account, entity, caller, ps, context=ctx)


def new_role_subject(world: World, account: Account, name: str = "iamwarden-new-role",
                     now: datetime | None = None) -> Subject:
    """A role the caller would create (catalog D24): AdministratorAccess, no boundary."""
    arn = f"arn:aws:iam::{account.account_id}:role/{name}"
    trust = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": account.account_id},
                                                  "Action": "sts:AssumeRole"}]},
        PolicyKind.TRUST, f"role/{name}:trust",
    )
    role = Role(arn, name, "/", "", trust)
    caller = Caller.from_arn(arn)
    ps = PolicySet(identity=(ADMIN_POLICY,), scp=world.scps.get(account.account_id, ()))
    return Subject(arn, "role", account, role, caller, ps, note="a new role holding AdministratorAccess",
                   context=session_keys(caller, now))
