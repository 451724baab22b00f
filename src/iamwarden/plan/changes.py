"""A change set: what a Terraform plan or a CloudFormation template does to an account's IAM.

The readers (``plan.terraform``, ``plan.cloudformation``) turn their input into
these values; ``apply(account, changes)`` builds the account as it will be after
the deployment, so the existing analysis can be run on before and after
(``plan.compare``). Pure: no files, no clock.

Operations are *final-state* edits (put = create or replace what is there, remove
= delete it), applied removals first, then additions, each in dependency order
(entities and managed policies before what refers to them): this is the state
AWS ends in whatever order the deployment tool calls the API in.

What a plan does not say until it is applied (Terraform's ``after_unknown``, a
CloudFormation intrinsic that cannot be resolved offline) is an ``Unknown``: the
edit that needed it is left out of the after state and the unknown is reported
with its source location, never silently dropped (docs/decisions/plan-unknown-values.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from ..i18n import N_, Text, Translator
from ..model.account import AWS_MANAGED_BUILTINS, Account, Group, InlinePolicy, ManagedPolicy, Role, User
from ..model.oidc_provider import OidcProvider
from ..policy.document import Policy, PolicyKind, parse_policy
from ..policy.errors import PolicySyntaxError
from ..store.aws_managed import AWS_MANAGED

#: entity kinds a change can name
KINDS = ("user", "group", "role")
#: a trust policy that admits nobody (IAM refuses an empty Statement list, so: one Deny for
#: everyone): stands for a trust document not known until apply, or a role outside the data
EMPTY_TRUST: dict[str, Any] = {"Version": "2012-10-17", "Statement": [
    {"Sid": "UnknownTrust", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:*"}]}


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a change comes from: a Terraform address or a CloudFormation logical id, and the
    source file and line when they are known (for SARIF locations)."""

    address: str
    file: str | None = None
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "file": self.file, "line": self.line}


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value the plan does not know until it is applied; ``what`` says which, ``effect``
    what the after state does without it."""

    origin: Origin
    field: str
    #: marked messages (``N_``): English in ``str()``, translated by a report in the reader's language
    what: Text
    effect: Text
    #: the managed policy ARN the unknown document belongs to, when it is one
    arn: str | None = None

    def to_json(self, translate: Translator | None = None) -> dict[str, Any]:
        """``what`` and ``effect`` in English, or in ``translate``'s language (``field`` stays as named)."""
        show = translate.text if translate is not None else str
        return {"origin": self.origin.to_json(), "field": self.field, "what": show(self.what),
                "effect": show(self.effect)}


@dataclass(frozen=True, slots=True)
class PutEntity:
    """Create a user, group or role, or replace its own attributes (its policies, attachments
    and memberships are separate changes and are kept)."""

    kind: str
    name: str
    origin: Origin
    path: str = "/"
    trust: Any = None  # role: the trust document (dict or JSON text)
    boundary: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    max_session_duration: int = 3600


@dataclass(frozen=True, slots=True)
class RemoveEntity:
    kind: str
    name: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class PutManagedPolicy:
    name: str
    document: Any
    origin: Origin
    path: str = "/"


@dataclass(frozen=True, slots=True)
class RemoveManagedPolicy:
    arn: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class PutInline:
    kind: str
    owner: str
    name: str
    document: Any
    origin: Origin


@dataclass(frozen=True, slots=True)
class RemoveInline:
    kind: str
    owner: str
    name: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class Attach:
    kind: str
    owner: str
    policy_arn: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class Detach:
    kind: str
    owner: str
    policy_arn: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class AddMember:
    user: str
    group: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class RemoveMember:
    user: str
    group: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class SetBoundary:
    """``aws_iam_*_permissions_boundary``-style edits: set (or clear, ``None``) a boundary."""

    kind: str
    name: str
    boundary: str | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class PutInstanceProfile:
    name: str
    roles: tuple[str, ...]
    origin: Origin
    path: str = "/"


@dataclass(frozen=True, slots=True)
class RemoveInstanceProfile:
    name: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class PutOidcProvider:
    url: str
    client_ids: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True, slots=True)
class RemoveOidcProvider:
    url: str
    origin: Origin


Removal = (RemoveEntity | RemoveManagedPolicy | RemoveInline | Detach | RemoveMember | RemoveInstanceProfile
           | RemoveOidcProvider)
Addition = (PutEntity | PutManagedPolicy | PutInline | Attach | AddMember | SetBoundary | PutInstanceProfile
            | PutOidcProvider)


@dataclass(frozen=True, slots=True)
class ResourceChange:
    """One planned resource change as the input states it (for the report)."""

    origin: Origin
    type: str
    action: str  # create | update | delete | replace | read | no-op

    def to_json(self) -> dict[str, Any]:
        return {**self.origin.to_json(), "type": self.type, "action": self.action}


@dataclass(frozen=True, slots=True)
class ChangeSet:
    account_id: str
    removals: tuple[Removal, ...] = ()
    additions: tuple[Addition, ...] = ()
    unknowns: tuple[Unknown, ...] = ()
    resources: tuple[ResourceChange, ...] = ()
    #: notes about how the input was read (a resource type that is not IAM, a guess stated), marked
    #: with ``N_`` so that a report shows them in the reader's language
    notes: tuple[Text, ...] = ()
    source: str | None = None


class ChangeError(ValueError):
    """A change that cannot be applied (a malformed policy document): names its origin."""


def entity_arn(account_id: str, kind: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"


def policy_arn(account_id: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account_id}:policy{path}{name}"


def _fake_id(prefix: str, arn: str) -> str:
    """A stable unique id for an entity the plan creates (AWS assigns the real one at apply)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    digest = hashlib.sha256(arn.encode()).digest()
    return prefix + "".join(alphabet[b % 32] for b in digest[:17])


_ID_PREFIX = {"user": "AIDA", "group": "AGPA", "role": "AROA"}


def _parse(doc: Any, kind: PolicyKind, name: str, origin: Origin) -> Policy:
    try:
        return parse_policy(doc, kind, name)
    except PolicySyntaxError as e:
        details = "; ".join(f"{p.path}: {p.message}" for p in e.problems[:5])
        where = origin.address + (f" ({origin.file}:{origin.line})" if origin.file and origin.line else "")
        raise ChangeError(N_("{where}: the policy document would be refused by IAM: {details}", where=where,
                             details=details)) from None


@dataclass
class _State:
    """The account being edited (mutable while ``apply`` runs, frozen again at the end)."""

    account_id: str
    users: dict[str, User]
    groups: dict[str, Group]
    roles: dict[str, Role]
    policies: dict[str, ManagedPolicy]
    profiles: dict[str, tuple[str, tuple[str, ...]]]  # name -> (arn, role names)


def apply(account: Account, changes: ChangeSet) -> Account:
    """The account after the change set (removals first, then additions, in dependency order).

    An attachment of a managed policy the data does not hold (a customer-managed policy that is
    neither in the account data nor in the plan, an AWS-managed policy iamwarden does not know)
    is left out: the reader reports it as an ``Unknown`` (``missing_policies``).
    """
    st = _State(account.account_id, dict(account.users), dict(account.groups), dict(account.roles),
                dict(account.policies), {})
    for r in account.roles.values():
        for ip in r.instance_profiles:
            name = ip.rsplit("/", 1)[-1]
            arn, roles = st.profiles.get(name, (ip, ()))
            st.profiles[name] = (arn, roles + (r.name,))
    order = (RemoveInline, Detach, RemoveMember, RemoveInstanceProfile, RemoveEntity, RemoveManagedPolicy,
             RemoveOidcProvider)
    for typ in order:
        for op in changes.removals:
            if isinstance(op, typ):
                _remove(st, op)
    order2 = (PutManagedPolicy, PutEntity, SetBoundary, PutInline, Attach, AddMember, PutInstanceProfile,
              PutOidcProvider)
    for typ2 in order2:
        for add in changes.additions:
            if isinstance(add, typ2):
                _add(st, add)
    # instance profiles are recorded on their roles (the shape GAAD gives)
    ips: dict[str, list[str]] = {}
    for _name, (arn, roles) in st.profiles.items():
        for rn in roles:
            ips.setdefault(rn, []).append(arn)
    roles_out = {n: replace(r, instance_profiles=tuple(sorted(ips.get(n, ())))) for n, r in st.roles.items()}
    return Account(st.account_id, st.users, st.groups, roles_out, st.policies,
                   changes.source or account.source, dict(account.saml_providers),
                   _oidc_providers(account, changes))


def _bare(url: str) -> str:
    """IAM keeps an OIDC provider's URL without its scheme (the provider ARN's last part)."""
    return url.removeprefix("https://").rstrip("/")


def _oidc_providers(account: Account, changes: ChangeSet) -> tuple[OidcProvider, ...]:
    """The account's OIDC providers after the change set (removed by URL, then created)."""
    gone = {_bare(op.url) for op in changes.removals if isinstance(op, RemoveOidcProvider)}
    out = {p.url: p for p in account.oidc_providers if _bare(p.url) not in gone}
    for op in changes.additions:
        if isinstance(op, PutOidcProvider):
            url = _bare(op.url)
            old = out.get(url)
            out[url] = OidcProvider(f"arn:aws:iam::{account.account_id}:oidc-provider/{url}", url, op.client_ids,
                                    old.thumbprints if old else (), old.tags if old else {},
                                    old.jwks if old else ())
    return tuple(out.values())


def missing_policies(account: Account) -> list[tuple[str, str]]:
    """(owner ARN, policy ARN) of attachments and boundaries naming a policy the data does not hold."""
    out = []
    for coll in (account.users, account.groups, account.roles):
        for e in coll.values():
            for arn in e.attached:
                if account.managed(arn) is None:
                    out.append((e.arn, arn))
            b = getattr(e, "boundary", None)
            if b and account.managed(b) is None:
                out.append((e.arn, b))
    return out


def without_missing(account: Account) -> Account:
    """The account with attachments and boundaries of policies it does not hold left out."""
    def keep(arns: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(a for a in arns if account.managed(a) is not None)

    def fix(e: Any) -> Any:
        e = replace(e, attached=keep(e.attached))
        b = getattr(e, "boundary", None)
        if b and account.managed(b) is None:
            e = replace(e, boundary=None)
        return e

    return Account(account.account_id, {n: fix(u) for n, u in account.users.items()},
                   {n: fix(g) for n, g in account.groups.items()},
                   {n: fix(r) for n, r in account.roles.items()}, dict(account.policies), account.source,
                   dict(account.saml_providers), account.oidc_providers)


def _coll(st: _State, kind: str) -> dict[str, Any]:
    colls: dict[str, dict[str, Any]] = {"user": st.users, "group": st.groups, "role": st.roles}
    return colls[kind]


def _remove(st: _State, op: Removal) -> None:
    if isinstance(op, RemoveEntity):
        _coll(st, op.kind).pop(op.name, None)
        if op.kind == "group":
            for n, u in list(st.users.items()):
                if op.name in u.groups:
                    st.users[n] = replace(u, groups=tuple(g for g in u.groups if g != op.name))
        if op.kind == "role":
            for n, (arn, roles) in list(st.profiles.items()):
                st.profiles[n] = (arn, tuple(r for r in roles if r != op.name))
    elif isinstance(op, RemoveManagedPolicy):
        st.policies.pop(op.arn, None)
    elif isinstance(op, RemoveInline):
        e = _coll(st, op.kind).get(op.owner)
        if e is not None:
            _coll(st, op.kind)[op.owner] = replace(e, inline=tuple(p for p in e.inline if p.name != op.name))
    elif isinstance(op, Detach):
        e = _coll(st, op.kind).get(op.owner)
        if e is not None:
            _coll(st, op.kind)[op.owner] = replace(e, attached=tuple(a for a in e.attached if a != op.policy_arn))
    elif isinstance(op, RemoveMember):
        member = st.users.get(op.user)
        if member is not None:
            st.users[op.user] = replace(member, groups=tuple(g for g in member.groups if g != op.group))
    elif isinstance(op, RemoveInstanceProfile):
        st.profiles.pop(op.name, None)
    # OIDC providers: applied with the additions (``_oidc_providers``)


def _placeholder(st: _State, kind: str, name: str) -> Any:
    """An entity named by a change but neither in the account data nor created by the plan."""
    arn = entity_arn(st.account_id, kind, name)
    if kind == "user":
        e: Any = User(arn, name, "/", _fake_id("AIDA", arn))
    elif kind == "group":
        e = Group(arn, name, "/", _fake_id("AGPA", arn))
    else:
        trust = parse_policy(EMPTY_TRUST, PolicyKind.TRUST, f"role/{name}:trust")
        e = Role(arn, name, "/", _fake_id("AROA", arn), trust)
    _coll(st, kind)[name] = e
    return e


def _owner(st: _State, kind: str, name: str) -> Any:
    return _coll(st, kind).get(name) or _placeholder(st, kind, name)


def _add(st: _State, op: Addition) -> None:
    if isinstance(op, PutManagedPolicy):
        arn = policy_arn(st.account_id, op.name, op.path)
        doc = _parse(op.document, PolicyKind.IDENTITY, arn, op.origin)
        old = st.policies.get(arn)
        st.policies[arn] = ManagedPolicy(arn, op.name, op.path, old.policy_id if old else _fake_id("ANPA", arn),
                                         "v1", {"v1": doc}, old.attachment_count if old else 0)
    elif isinstance(op, PutEntity):
        coll = _coll(st, op.kind)
        old = coll.get(op.name)
        arn = entity_arn(st.account_id, op.kind, op.name, op.path)
        uid = getattr(old, f"{op.kind}_id", None) or _fake_id(_ID_PREFIX[op.kind], arn)
        if op.kind == "user":
            coll[op.name] = User(arn, op.name, op.path, uid, old.inline if old else (), old.attached if old else (),
                                 old.groups if old else (), op.boundary, dict(op.tags))
        elif op.kind == "group":
            coll[op.name] = Group(arn, op.name, op.path, uid, old.inline if old else (), old.attached if old else ())
        else:
            trust = _parse(op.trust if op.trust is not None else EMPTY_TRUST, PolicyKind.TRUST,
                           f"role/{op.name}:trust", op.origin)
            coll[op.name] = Role(arn, op.name, op.path, uid, trust, old.inline if old else (),
                                 old.attached if old else (), op.boundary, dict(op.tags),
                                 old.instance_profiles if old else (), op.max_session_duration)
    elif isinstance(op, SetBoundary):
        e = _owner(st, op.kind, op.name)
        _coll(st, op.kind)[op.name] = replace(e, boundary=op.boundary)
    elif isinstance(op, PutInline):
        e = _owner(st, op.kind, op.owner)
        pol = _parse(op.document, PolicyKind.IDENTITY, f"{op.kind}/{op.owner}:{op.name}", op.origin)
        inline = tuple(p for p in e.inline if p.name != op.name) + (InlinePolicy(op.name, pol),)
        _coll(st, op.kind)[op.owner] = replace(e, inline=inline)
    elif isinstance(op, Attach):
        e = _owner(st, op.kind, op.owner)
        if op.policy_arn not in e.attached:
            _coll(st, op.kind)[op.owner] = replace(e, attached=e.attached + (op.policy_arn,))
        _ensure_aws_managed(st, op.policy_arn)
    elif isinstance(op, AddMember):
        u = _owner(st, "user", op.user)
        _owner(st, "group", op.group)
        if op.group not in u.groups:
            st.users[op.user] = replace(u, groups=u.groups + (op.group,))
    elif isinstance(op, PutInstanceProfile):
        arn = f"arn:aws:iam::{st.account_id}:instance-profile{op.path}{op.name}"
        for r in op.roles:
            _owner(st, "role", r)
        st.profiles[op.name] = (arn, op.roles)


def _ensure_aws_managed(st: _State, arn: str) -> None:
    """AWS-managed policies iamwarden knows (``store.aws_managed``) are added when attached."""
    if arn in st.policies or arn in AWS_MANAGED_BUILTINS:
        return
    known = AWS_MANAGED.get(arn)
    if known is not None:
        pol = parse_policy(known.document, PolicyKind.IDENTITY, arn)
        st.policies[arn] = ManagedPolicy(arn, known.name, known.path, known.policy_id, known.version_id,
                                         {known.version_id: pol})


def empty_account(account_id: str) -> Account:
    """The account to apply a plan to when no current account data is given."""
    return Account(account_id, {}, {}, {}, {}, None)
