"""Catalog D15: assume a role, with the engine's full same-/cross-account trust logic.

Candidates come from the trust index: principals the trust names by ARN or
unique ID; for a trusted *account* only the holders of an identity Allow for
``sts:AssumeRole`` in that account (trusting an account only delegates,
catalog rule 3); for ``*`` every principal. The engine then decides each
candidate with the role's trust policy as the resource policy, so explicit
Denies, boundaries (delegated case), SCPs and conditions all apply.

Context the caller can supply is supplied (catalog rule 5): its own
``aws:PrincipalArn``/``aws:username``/``aws:PrincipalTag`` come from the data;
``sts:ExternalId`` (and the session name / source identity) take the values the
trust expects, since the caller reads them from the trust policy. When only
``aws:MultiFactorAuthPresent`` stands in the way, the edge is kept and marked
uncertain: MFA devices are not in the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ...evaluation import Decision
from ...model.account import Role
from ..edges import Edge, reasons_of
from . import Want

if TYPE_CHECKING:
    from ..index import WorldIndex
    from ..subject import Subject

ASSUME = "sts:AssumeRole"
MFA_NOTE = "needs MFA: the trust or identity policy requires aws:MultiFactorAuthPresent, and MFA devices are not in IAM data"


def assume_decision(ix: "WorldIndex", s: "Subject", role: Role) -> tuple[Decision, str | None]:
    """Can ``s`` assume ``role``? Returns the deciding decision and an uncertainty note."""
    t = ix.trust[role.arn]
    contexts: list[dict[str, str]] = [{}]
    for key, values in t.supplied.items():
        contexts = [{**c, key: v} for c in contexts for v in values[:4]] or contexts
    d: Decision | None = None
    for ctx in contexts[:8]:
        d = ix.ask(s, ASSUME, role.arn, ctx, trust=role.trust)
        if d.allowed:
            return d, None
    assert d is not None
    mfa = t.mentions_mfa or any(
        c.key_lower == "aws:multifactorauthpresent"
        for st in ix.allow_statements(s, ASSUME)
        for c in st.conditions
    )
    if mfa:
        for ctx in contexts[:8]:
            d2 = ix.ask(s, ASSUME, role.arn, {**ctx, "aws:MultiFactorAuthPresent": "true"}, trust=role.trust)
            if d2.allowed:
                return d2, MFA_NOTE
    return d, "no"


def assume_candidates(ix: "WorldIndex", role: Role) -> set[str]:
    """Principals that could possibly assume ``role`` (the engine decides which do)."""
    t = ix.trust[role.arn]
    if t.everyone:
        return set(ix.subjects)
    out: set[str] = set()
    for n in t.named:
        arn = ix.by_unique_id.get(n, n)
        if arn in ix.subjects:
            out.add(arn)
        else:
            e = ix.world.entity(arn)
            if e is not None and e.arn in ix.subjects:
                out.add(e.arn)
    if t.accounts:
        holders = ix.holders_of(ASSUME, role.arn)
        out |= {h for h in holders if ix.subjects[h].account_id in t.accounts}
    return out


def assumable_roles(ix: "WorldIndex", s: "Subject") -> set[str]:
    """Roles whose trust could let ``s`` in (forward direction of ``assume_candidates``)."""
    out = set(ix.trusted_by_name.get(s.arn, ()))
    uid = getattr(s.entity, "user_id", None) or getattr(s.entity, "role_id", None)
    if uid:
        out |= ix.trusted_by_name.get(uid, set())
    out |= ix.trusted_by_everyone
    acct_roles = ix.trusted_by_account.get(s.account_id)
    if acct_roles and ix.holds(s, ASSUME):
        out |= set(ix.targets(s, ASSUME, acct_roles))
    out.discard(s.arn)
    return out


class AssumeRoleChecker:
    family = "direct"
    actions = frozenset({"sts:assumerole"})

    def self_edges(self, s: "Subject", ix: "WorldIndex") -> Iterable[Edge]:
        return ()

    def granting_edges(self, s: "Subject", ix: "WorldIndex") -> Iterable[Edge]:
        return ()

    def edges_into(self, target: "Subject", ix: "WorldIndex", want: Want) -> Iterable[Edge]:
        role = target.entity
        if not isinstance(role, Role):
            return
        for src in sorted(assume_candidates(ix, role)):
            if src == target.arn or not want(src):
                continue
            d, note = assume_decision(ix, ix.subjects[src], role)
            if note == "no":
                continue
            yield Edge(src, target.arn, "D15", f"can assume {role.name} ({d.rule})",
                       reasons_of(d), uncertain=note)
