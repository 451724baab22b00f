"""External access through resource policies, in the manner of IAM Access Analyzer.

For each loaded resource (S3 bucket, KMS key, Lambda function or alias, SQS queue,
SNS topic, secret, ECR repository): which principals outside the *zone of trust* can
act on it, by which statement, and under which condition. The zone is the
organization's accounts when an organization is loaded, else the loaded accounts.

What admits an outsider (spec §1.4 principal matching): ``"*"`` / ``{"AWS": "*"}`` or
an Allow with ``NotPrincipal`` (everyone), an account ID or ARN of an account outside
the zone, a ``Federated`` or ``CanonicalUser`` principal. A condition with fixed values
on ``aws:PrincipalOrgID``, ``aws:PrincipalAccount``, ``aws:SourceAccount``,
``aws:SourceOwner``, ``aws:PrincipalArn`` or ``aws:SourceArn`` narrows "everyone" to
those accounts; any other condition is reported as the condition that admits them.
Service principals are AWS services, not outside principals (Access Analyzer does the
same), and are left out.

What still blocks them, decided by the engine where it can be:
- an RCP of the resource's account (spec §1.8), probed with a principal of an
  account outside the organization;
- S3 Block Public Access ``RestrictPublicBuckets`` on a bucket whose policy is
  public: only the bucket's account and AWS services may then use it (S3 User Guide,
  "Blocking public access to your Amazon S3 storage"); docs/decisions/resources-kms-grants.md.

Findings (continuing the IW numbering from IW200): IW200 public, IW201 shared
outside the zone, IW202 blocked (by Block Public Access or an RCP; what the policy
would open if that were turned off), IW203 a KMS key whose policy lets IAM policies of
the account decide and principals who can rewrite that key policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from ..evaluation import PolicySet
from ..evaluation.world import rcp_levels
from ..i18n import N_, Text, gettext_noop
from ..model.account import World
from ..model.arn import Arn
from ..model.principal import Caller
from ..model.resources import HeldResource
from ..policy.document import Effect, PolicyKind, Statement, parse_policy
from .findings import Finding
from .index import WorldIndex
from .origins import authorize_from_some_origin

_ACCOUNT = re.compile(r"[0-9]{12}")
#: the condition of a statement that has none (kept English in JSON; marked for reports)
NO_CONDITION = gettext_noop("none")

#: condition keys whose fixed values name who may call (narrowing "*" to those accounts)
ACCOUNT_KEYS = ("aws:principalaccount", "aws:sourceaccount", "aws:sourceowner")
ARN_KEYS = ("aws:principalarn", "aws:sourcearn")
ORG_KEY = "aws:principalorgid"
#: operators whose values fix the key (not negated, not IfExists)
_FIXING = ("StringEquals", "StringLike", "ArnEquals", "ArnLike", "StringEqualsIgnoreCase")
#: an account that is in no organization and not loaded, for the RCP probe
OUTSIDE_PROBE_ACCOUNT = "000000000000"
_ALLOW_EVERYONE = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]},
    PolicyKind.RESOURCE, "iamwarden:probe")


@dataclass(frozen=True, slots=True)
class ExternalAccess:
    """``principal`` (an account ID, ``*``, or a federated/canonical principal) outside the zone
    may do ``actions`` on ``resource`` by statement ``sid``/``statement`` when ``condition`` holds."""

    resource: str
    kind: str
    account: str
    principal: str
    actions: tuple[str, ...]
    statement: int
    sid: str | None
    condition: str
    public: bool
    blocked_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"resource": self.resource, "kind": self.kind, "account": self.account,
                               "principal": self.principal, "actions": list(self.actions),
                               "statement": self.statement, "sid": self.sid, "condition": self.condition,
                               "public": self.public}
        if self.blocked_by:
            out["blocked_by"] = self.blocked_by
        return out


def trusted_accounts(world: World) -> frozenset[str]:
    """The zone of trust: the organization's accounts, else the loaded accounts."""
    if world.organization is not None:
        return frozenset(world.organization.accounts)
    return frozenset(world.accounts)


def _account_of(value: str) -> str | None:
    if _ACCOUNT.fullmatch(value):
        return value
    a = Arn.parse(value)
    return a.account if a is not None and _ACCOUNT.fullmatch(a.account or "") else None


def _fixed(st: Statement) -> tuple[set[str] | None, set[str] | None, list[str]]:
    """(accounts the conditions fix, org ids they fix, the other conditions as text)."""
    accounts: set[str] | None = None
    orgs: set[str] | None = None
    other: list[str] = []
    for c in st.conditions:
        op = c.operator
        fixing = op.base in _FIXING and not op.negated and not op.if_exists and op.set_op is None
        key = c.key_lower
        if fixing and key in ACCOUNT_KEYS:
            vals = {v for v in c.values if _ACCOUNT.fullmatch(v)}
            if len(vals) == len(c.values):
                accounts = vals if accounts is None else accounts & vals
                continue
        if fixing and key in ARN_KEYS:
            accts = {_account_of(v) for v in c.values}
            if None not in accts:
                vals = {a for a in accts if a}
                accounts = vals if accounts is None else accounts & vals
                continue
        if fixing and key == ORG_KEY and "*" not in "".join(c.values):
            vals = set(c.values)
            orgs = vals if orgs is None else orgs & vals
            continue
        other.append(f"{op.text} {c.key} {list(c.values)}")
    return accounts, orgs, other


def statement_access(world: World, r: HeldResource, st: Statement, zone: frozenset[str]) -> list[ExternalAccess]:
    """The outsiders one Allow statement admits (empty when it admits none)."""
    if st.effect is not Effect.ALLOW or st.principal is None:
        return []
    named: list[str] = []
    everyone = st.not_principal or st.principal.is_everyone
    for ptype, values in st.principal.entries:
        if ptype == "AWS":
            for v in values:
                if v == "*":
                    continue
                acct = _account_of(v)
                if acct is None or acct not in zone:
                    named.append(acct or v)
        elif ptype in ("Federated", "CanonicalUser"):
            named += [f"{ptype}:{v}" for v in values]
    accounts, orgs, other = _fixed(st)
    own_org = world.organization.id if world.organization is not None else None
    cond_parts = list(other)
    if accounts is not None:
        cond_parts.insert(0, f"account in {sorted(accounts)}")
    if orgs is not None:
        cond_parts.insert(0, f"aws:PrincipalOrgID in {sorted(orgs)}")
    condition = "; ".join(cond_parts) or NO_CONDITION
    who: list[tuple[str, bool]] = []
    if everyone:
        if orgs is not None and own_org is not None and orgs <= {own_org}:
            pass  # only our organization
        elif accounts is not None:
            who += [(a, False) for a in sorted(accounts - zone)]
        elif orgs is not None:
            who += [(f"organization {o}", False) for o in sorted(orgs - {own_org} if own_org else orgs)]
        else:
            # public unless a network condition (source VPC/IP) narrows it; reported with it either way
            who.append(("*", not other))
    for n in named:
        if accounts is not None and _ACCOUNT.fullmatch(n) and n not in accounts:
            continue
        who.append((n, False))
    actions = tuple(st.actions) if not st.not_action else tuple(f"NotAction {a}" for a in st.actions)
    return [ExternalAccess(r.arn, r.kind, r.account, p, actions, st.index, st.sid, condition, public)
            for p, public in who]


def _is_public_policy(accesses: Iterable[ExternalAccess]) -> bool:
    return any(a.public for a in accesses)


def _rcp_blocks(world: World, r: HeldResource, action: str) -> bool:
    """Whether the resource account's RCPs deny a principal from outside the organization (engine-decided)."""
    levels = rcp_levels(world, r.account, action, r)
    if not levels or "*" in action or "?" in action:
        return False
    caller = Caller.from_arn(f"arn:aws:iam::{OUTSIDE_PROBE_ACCOUNT}:root")
    d = authorize_from_some_origin(caller, action, r.arn, {}, PolicySet(resource=_ALLOW_EVERYONE, rcp=levels),
                                 resource_account=r.account)
    return not d.allowed


def external_access(world: World) -> list[ExternalAccess]:
    """Every outside entry point of every loaded resource policy, blocked ones marked."""
    zone = trusted_accounts(world)
    out: list[ExternalAccess] = []
    for r in sorted(world.resources, key=lambda x: x.arn):
        if r.policy is None:
            continue
        found = [a for st in r.policy.statements for a in statement_access(world, r, st, zone)]
        bpa = r.public_access_block
        restricted = r.kind == "s3-bucket" and bpa is not None and bpa.restrict_public_buckets \
            and _is_public_policy(found)
        for a in found:
            blocked = None
            if restricted:
                blocked = gettext_noop("S3 Block Public Access (RestrictPublicBuckets)")
            elif any(_rcp_blocks(world, r, act) for act in a.actions):
                blocked = gettext_noop("a resource control policy")
            out.append(ExternalAccess(a.resource, a.kind, a.account, a.principal, a.actions, a.statement, a.sid,
                                      a.condition, a.public, blocked))
    return out


def _key_admins(ix: WorldIndex, r: HeldResource) -> list[str]:
    return sorted(arn for arn, s in ix.subjects.items() if ix.ask(s, "kms:PutKeyPolicy", r.arn).allowed)


def _delegates_to_account(r: HeldResource) -> bool:
    if r.policy is None:
        return False
    root = f"arn:aws:iam::{r.account}:root"
    return any(st.effect is Effect.ALLOW and st.principal is not None and not st.not_action
               and any(t == "AWS" and (root in vs or r.account in vs) for t, vs in st.principal.entries)
               and any(a in ("*", "kms:*") for a in st.actions) and not st.conditions
               for st in r.policy.statements)


def resource_findings(ix: WorldIndex) -> list[Finding]:
    """IW200-IW203 for the loaded resources (none when no resources file is loaded)."""
    world = ix.world
    if not len(world.resources):
        return []
    out: list[Finding] = []
    for a in external_access(world):
        what: Text | str = N_("everyone (public)") if a.principal == "*" else a.principal
        acts = ", ".join(a.actions)
        where = (N_("statement {index} ({sid})", index=a.statement, sid=a.sid) if a.sid
                 else N_("statement {index}", index=a.statement))
        condition = Text(a.condition) if a.condition == NO_CONDITION else a.condition
        if a.blocked_by:
            out.append(Finding.of("IW202", "outside-access-blocked", "low", a.resource,
                                  N_("{kind} {resource} would let {who} {actions} ({where}, condition: {condition}), "
                                     "but {blocked_by} blocks it", kind=a.kind, resource=a.resource, who=what,
                                     actions=acts, where=where, condition=condition, blocked_by=Text(a.blocked_by)),
                                  N_("remove the statement, so that turning the block off opens nothing"),
                                  (a.principal,)))
        elif a.principal == "*":
            sev = "critical" if a.public else "high"
            out.append(Finding.of("IW200", "resource-public", sev, a.resource,
                                  N_("{kind} {resource} lets {who} {actions} ({where}, condition: {condition})",
                                     kind=a.kind, resource=a.resource, who=what, actions=acts, where=where,
                                     condition=condition),
                                  N_("name the principals that need access, or add aws:PrincipalOrgID / "
                                     "aws:SourceAccount conditions; for S3 turn on Block Public Access"),
                                  (a.principal,)))
        else:
            zone = N_("organization") if world.organization else N_("loaded accounts")
            out.append(Finding.of("IW201", "resource-shared-outside", "medium", a.resource,
                                  N_("{kind} {resource} lets {who}, outside the {zone}, {actions} ({where}, "
                                     "condition: {condition})", kind=a.kind, resource=a.resource, who=what,
                                     zone=zone, actions=acts, where=where, condition=condition),
                                  N_("check that this account is meant to have access; otherwise remove it from "
                                     "the resource policy"), (a.principal,)))
    for r in sorted(world.resources, key=lambda x: x.arn):
        if r.kind == "kms-key" and not r.managed and _delegates_to_account(r):
            admins = _key_admins(ix, r)
            out.append(Finding.of(
                "IW203", "kms-key-policy-delegates-to-account", "low" if len(admins) <= 1 else "medium", r.arn,
                N_("the key policy of {key} grants kms:* to account {account}: IAM policies decide who uses the key, "
                   "and {n} principal(s) can rewrite its key policy (kms:PutKeyPolicy): {admins}", key=r.arn,
                   account=r.account, n=len(admins), admins=", ".join(admins) or N_("none")),
                N_("grant key administration and key use to named roles in the key policy instead of the whole "
                   "account"), tuple(admins)))
    return out
