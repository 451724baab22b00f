"""An AWS account's IAM entities, as ``get-account-authorization-details`` describes them.

Immutable values. Policies are parsed once when the account is built, so a
malformed stored document is found (and reported with its place) at load time
rather than silently ignored at decision time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from ..policy.document import Policy, PolicyKind, parse_policy
from .arn import Arn
from .oidc_provider import OidcProvider
from .organization import Organization
from .resources import EMPTY, ResourceInventory
from .saml_provider import SamlProvider

#: AWS-managed policies every account can attach even when the export omits
#: them (exports list AWS-managed policies only when attached somewhere).
AWS_MANAGED_BUILTINS: dict[str, dict[str, Any]] = {
    "arn:aws:iam::aws:policy/AdministratorAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
}


@dataclass(frozen=True, slots=True)
class InlinePolicy:
    name: str
    policy: Policy


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    arn: str
    name: str
    path: str
    policy_id: str
    default_version_id: str
    #: version id → parsed document (only the default version is in force)
    versions: Mapping[str, Policy]
    attachment_count: int = 0

    @property
    def default(self) -> Policy:
        return self.versions[self.default_version_id]

    @property
    def aws_managed(self) -> bool:
        return self.arn.split(":")[4] == "aws"


@dataclass(frozen=True, slots=True)
class Group:
    arn: str
    name: str
    path: str
    group_id: str
    inline: tuple[InlinePolicy, ...] = ()
    attached: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class User:
    arn: str
    name: str
    path: str
    user_id: str
    inline: tuple[InlinePolicy, ...] = ()
    attached: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()  # group names
    boundary: str | None = None  # managed policy ARN
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Role:
    arn: str
    name: str
    path: str
    role_id: str
    trust: Policy
    inline: tuple[InlinePolicy, ...] = ()
    attached: tuple[str, ...] = ()
    boundary: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    instance_profiles: tuple[str, ...] = ()  # instance profile ARNs
    max_session_duration: int = 3600

    @property
    def service_linked(self) -> bool:
        return self.path.startswith("/aws-service-role/")


Entity = User | Role | Group


class AccountError(ValueError):
    """Account data that cannot be used: names the entity and field."""


@dataclass(frozen=True, slots=True, eq=False)
class Account:
    account_id: str
    users: Mapping[str, User]  # by name
    groups: Mapping[str, Group]
    roles: Mapping[str, Role]
    policies: Mapping[str, ManagedPolicy]  # by ARN
    source: str | None = None
    #: IAM SAML providers by ARN (trusted by ``{"Federated": ARN}``, spec §1.4, §4.6)
    saml_providers: Mapping[str, SamlProvider] = field(default_factory=dict)
    #: IAM OIDC identity providers of the account (``OpenIDConnectProviderList`` of an account file)
    oidc_providers: tuple[OidcProvider, ...] = ()
    _by_arn: dict[str, Entity] = field(default_factory=dict, repr=False)
    _identity_cache: dict[str, tuple[Policy, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for coll in (self.users, self.groups, self.roles):
            for e in coll.values():
                self._by_arn[e.arn] = e

    def entity(self, arn: str) -> Entity | None:
        """User, role or group by ARN (role session ARNs resolve to their role)."""
        e = self._by_arn.get(arn)
        if e is not None:
            return e
        a = Arn.parse(arn)
        if a is None or a.account != self.account_id:
            return None
        if a.service == "sts" and a.resource.startswith("assumed-role/"):
            return self.roles.get(a.resource.split("/")[1])
        kind = a.resource_type
        if kind == "user":
            return self.users.get(a.name)
        if kind == "role":
            return self.roles.get(a.name)
        if kind == "group":
            return self.groups.get(a.name)
        return None

    def managed(self, arn: str) -> Policy | None:
        mp = self.policies.get(arn)
        if mp is not None:
            return mp.default
        doc = AWS_MANAGED_BUILTINS.get(arn)
        if doc is not None:
            return parse_policy(doc, PolicyKind.IDENTITY, arn)
        return None

    def identity_policies(self, entity: User | Role | Group) -> tuple[Policy, ...]:
        """Inline and attached policies; for a user also those of its groups (spec §1.1).

        Memoised per entity: an ``Account`` never changes once built.
        """
        hit = self._identity_cache.get(entity.arn)
        if hit is not None:
            return hit
        result = self._collect_identity(entity)
        self._identity_cache[entity.arn] = result
        return result

    def _collect_identity(self, entity: User | Role | Group) -> tuple[Policy, ...]:
        out: list[Policy] = [p.policy for p in entity.inline]
        out += self._attached(entity.attached, entity.arn)
        if isinstance(entity, User):
            for gname in entity.groups:
                g = self.groups.get(gname)
                if g is None:
                    continue
                out += [p.policy for p in g.inline]
                out += self._attached(g.attached, g.arn)
        return tuple(out)

    def _attached(self, arns: tuple[str, ...], owner: str) -> list[Policy]:
        out = []
        for arn in arns:
            p = self.managed(arn)
            if p is None:
                raise AccountError(f"{owner}: attached managed policy {arn} is not in the account data")
            out.append(p)
        return out

    def boundary(self, entity: User | Role) -> Policy | None:
        if entity.boundary is None:
            return None
        p = self.managed(entity.boundary)
        if p is None:
            raise AccountError(f"{entity.arn}: permissions boundary {entity.boundary} is not in the account data")
        return p

    def principals(self) -> Iterator[User | Role]:
        yield from self.users.values()
        yield from self.roles.values()

    def groups_of(self, user: User) -> tuple[Group, ...]:
        return tuple(self.groups[g] for g in user.groups if g in self.groups)


@dataclass(frozen=True, slots=True, eq=False)
class World:
    """Several accounts, optionally in one organization (SCP/RCP levels per account)."""

    accounts: Mapping[str, Account]
    scps: Mapping[str, tuple[tuple[Policy, ...], ...]] = field(default_factory=dict)
    rcps: Mapping[str, tuple[tuple[Policy, ...], ...]] = field(default_factory=dict)
    #: the organization the SCP/RCP levels come from (``loaders.organization``), for the
    #: principal's organization keys and "outside the organization" questions; None = none loaded
    organization: Organization | None = None
    #: resources of other services with their policies (``loaders.resources``); empty = none loaded
    resources: ResourceInventory = EMPTY

    def account(self, account_id: str | None) -> Account | None:
        return self.accounts.get(account_id or "")

    def entity(self, arn: str) -> Entity | None:
        a = Arn.parse(arn)
        if a is None:
            return None
        acct = self.accounts.get(a.account)
        return acct.entity(arn) if acct else None

    def oidc_providers(self) -> Iterator[OidcProvider]:
        """Every loaded account's OIDC providers (what AssumeRoleWithWebIdentity may verify against)."""
        for acct in self.accounts.values():
            yield from acct.oidc_providers

    def principals(self) -> Iterator[tuple[Account, User | Role]]:
        for acct in self.accounts.values():
            for p in acct.principals():
                yield acct, p
