"""Before and after a deployment: what the change does to who is admin and who can become admin.

Runs the existing audit (``iamwarden.analysis.audit``: admins, escalation paths
by catalog technique, findings IW001–IW007) on the account as it is and as the
change set leaves it (``plan.changes.apply``), and reports the difference:

- new and removed admins (effective ``*`` on ``*``);
- new and removed escalation: principals that can (or may) become admin after
  and could not before, with the shortest path, and the reverse; new and removed
  escalation steps (edges ``from → to`` by technique);
- new and resolved findings, keyed by (finding id, principal ARN) so that a
  reworded message is not a new finding;
- new and removed OIDC providers (outside entry points: listed, and applied to the
  account's providers so the audit sees them);
- the values unknown until apply, each with its source.

The verdict: ``new-risk`` when a new finding is at or above the threshold, else
``unknown`` when values that shape IAM are unknown until apply (the answer is not
decided), else ``no-new-risk`` (docs/decisions/plan-unknown-values.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..analysis import audit
from ..analysis.findings import SEVERITIES
from ..i18n import N_, Translator
from ..model.account import Account, World
from .changes import (
    AddMember,
    Attach,
    ChangeSet,
    Origin,
    PutEntity,
    PutInline,
    PutInstanceProfile,
    PutManagedPolicy,
    PutOidcProvider,
    RemoveOidcProvider,
    SetBoundary,
    Unknown,
    apply,
    entity_arn,
    missing_policies,
    policy_arn,
    without_missing,
)

NEW_RISK = "new-risk"
NO_NEW_RISK = "no-new-risk"
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PlanReport:
    account_id: str
    verdict: str
    fail_on: str
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"tool": "iamwarden", "kind": "plan", "account": self.account_id, "verdict": self.verdict,
                "fail_on": self.fail_on, **self.data}


def origins_by_arn(changes: ChangeSet) -> dict[str, Origin]:
    """The source of each principal the change set touches (its own resource first)."""
    out: dict[str, Origin] = {}
    acct = changes.account_id
    for op in changes.additions:
        if isinstance(op, PutEntity):
            out[entity_arn(acct, op.kind, op.name, op.path)] = op.origin
    by_name: dict[str, Origin] = {}
    for op in changes.additions:
        if isinstance(op, (PutInline, Attach)):
            by_name.setdefault(f"{op.kind}/{op.owner}", op.origin)
        elif isinstance(op, SetBoundary):
            by_name.setdefault(f"{op.kind}/{op.name}", op.origin)
        elif isinstance(op, AddMember):
            by_name.setdefault(f"user/{op.user}", op.origin)
        elif isinstance(op, PutInstanceProfile):
            for r in op.roles:
                by_name.setdefault(f"role/{r}", op.origin)
    return {**{f"{k}": v for k, v in by_name.items()}, **out}


def policy_origins(changes: ChangeSet) -> dict[str, Origin]:
    """Policy name as decisions show it (``user/alice:AssumeAdmin``, a managed policy ARN, a
    role's ``role/NAME:trust``) → the resource that writes it."""
    out: dict[str, Origin] = {}
    for op in changes.additions:
        if isinstance(op, PutInline):
            out[f"{op.kind}/{op.owner}:{op.name}"] = op.origin
        elif isinstance(op, PutManagedPolicy):
            out[policy_arn(changes.account_id, op.name, op.path)] = op.origin
        elif isinstance(op, PutEntity) and op.kind == "role":
            out[f"role/{op.name}:trust"] = op.origin
    return out


def _origin_for(arn: str, origins: dict[str, Origin]) -> Origin | None:
    hit = origins.get(arn)
    if hit is not None:
        return hit
    parts = arn.split(":", 5)
    if len(parts) == 6:
        kind, _, rest = parts[5].partition("/")
        return origins.get(f"{kind}/{rest.rsplit('/', 1)[-1]}")
    return None


def after_account(before: Account, changes: ChangeSet) -> tuple[Account, list[Unknown]]:
    """The account after the change set, and the unknowns that apply adds (attachments of managed
    policies neither the account data nor the plan hold are left out, and said)."""
    after = apply(before, changes)
    origins = origins_by_arn(changes)
    extra = []
    pending = {u.arn for u in changes.unknowns if u.arn}
    for owner, parn in missing_policies(after):
        o = _origin_for(owner, origins) or Origin(owner)
        if parn in pending:  # its document is unknown until apply: already reported
            continue
        extra.append(Unknown(o, "policy_arn", N_("managed policy {policy} (attached to {owner}) is neither in the "
                                                 "account data nor in the plan", policy=parn, owner=owner),
                             N_("the attachment is left out: give the current account with --account")))
    created = {(op.kind, op.name) for op in changes.additions if isinstance(op, PutEntity)}
    for kind, coll_b, coll_a in (("user", before.users, after.users), ("group", before.groups, after.groups),
                                 ("role", before.roles, after.roles)):
        for name in sorted(set(coll_a) - set(coll_b)):
            if (kind, name) not in created:
                arn = coll_a[name].arn
                extra.append(Unknown(_origin_for(arn, origins) or Origin(arn), kind, *_NOT_LOADED[kind](name)))
    return (without_missing(after) if missing_policies(after) else after), extra


#: an entity the change set refers to that neither the account data nor the plan holds: what is
#: unknown of it, and how it is analysed
_NOT_LOADED = {
    "user": lambda name: (N_("user {name} is neither in the account data nor in the plan: its other policies are "
                             "unknown", name=name),
                          N_("analysed with only what the plan gives it: give the current account with --account")),
    "group": lambda name: (N_("group {name} is neither in the account data nor in the plan: its other policies are "
                              "unknown", name=name),
                           N_("analysed with only what the plan gives it: give the current account with --account")),
    "role": lambda name: (N_("role {name} is neither in the account data nor in the plan: its trust policy and "
                             "other policies are unknown", name=name),
                          N_("analysed with only what the plan gives it (trusting nobody): give the current "
                             "account with --account")),
}


def _principals(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["arn"]: p for p in result.get("principals") or []}


def _path_text(p: dict[str, Any], key: str) -> list[dict[str, Any]]:
    paths = p.get(key) or []
    return paths[0]["steps"] if paths else []


def compare(before: World, after: World, changes: ChangeSet, unknowns: list[Unknown],
            fail_on: str = "low", now: datetime | None = None, translate: Translator | None = None) -> PlanReport:
    """The difference the change set makes (see the module docstring). With ``translate``, the
    sentences a person reads (findings' messages and fixes, unknowns, notes) are in its language;
    what decides (ids, ARNs, severities) is the same in every language."""
    if fail_on not in SEVERITIES:
        raise ValueError(f"fail_on: one of {', '.join(SEVERITIES)}")
    b = audit(before, now=now).to_json(translate=translate)
    a = audit(after, now=now).to_json(translate=translate)
    bp, ap = _principals(b), _principals(a)
    origins = origins_by_arn(changes)

    def where(arn: str) -> dict[str, Any] | None:
        o = _origin_for(arn, origins)
        return o.to_json() if o else None

    new_admins = sorted(x for x, p in ap.items() if p["admin"] and not bp.get(x, {}).get("admin"))
    removed_admins = sorted(x for x, p in bp.items() if p["admin"] and not ap.get(x, {}).get("admin"))

    def escalating(ps: dict[str, dict[str, Any]]) -> dict[str, str]:
        return {x: ("can" if p["can_escalate"] else "may") for x, p in ps.items()
                if p["can_escalate"] or p["uncertain"]}

    be, ae = escalating(bp), escalating(ap)
    new_esc = [{"arn": x, "kind": k, "steps": _path_text(ap[x], "paths" if k == "can" else "uncertain_paths"),
                "origin": where(x)}
               for x, k in sorted(ae.items()) if be.get(x) != k and not (be.get(x) == "can" and k == "may")]
    removed_esc = [{"arn": x, "kind": k, "steps": _path_text(bp[x], "paths" if k == "can" else "uncertain_paths")}
                   for x, k in sorted(be.items()) if x not in ae or (k == "can" and ae[x] == "may")]

    def edges(r: dict[str, Any]) -> set[tuple[str, str, str]]:
        return {(e["from"], e["to"], e["technique"]) for e in r.get("edges") or []}

    be_edges, ae_edges = edges(b), edges(a)

    def fkey(f: dict[str, Any]) -> tuple[str, str]:
        return (f["id"], f["arn"])

    bf = {fkey(f): f for f in b.get("findings") or []}
    af = {fkey(f): f for f in a.get("findings") or []}
    by_policy = policy_origins(changes)

    def finding_origin(f: dict[str, Any]) -> dict[str, Any] | None:
        """An escalation finding points at the policy that grants its first step, when this
        change writes it; any other finding at its principal's resource."""
        p = ap.get(f["arn"]) or {}
        steps = _path_text(p, "paths") or _path_text(p, "uncertain_paths")
        if f["id"] in ("IW006", "IW007") and steps:
            for st in steps[0].get("statements") or []:
                o = by_policy.get(str(st.get("policy")))
                if o is not None and st.get("policy_type") == "identity":
                    return o.to_json()
        return where(f["arn"])

    new_findings = [{**f, "origin": finding_origin(f)} for k, f in af.items() if k not in bf]
    resolved = [f for k, f in bf.items() if k not in af]
    rank = SEVERITIES.index(fail_on)
    failing = [f for f in new_findings if f["severity"] in SEVERITIES and SEVERITIES.index(f["severity"]) <= rank]
    all_unknowns = list(changes.unknowns) + list(unknowns)
    verdict = NEW_RISK if failing else (UNKNOWN if all_unknowns else NO_NEW_RISK)
    oidc_new = [{"url": op.url, "client_ids": list(op.client_ids), "origin": op.origin.to_json()}
                for op in changes.additions if isinstance(op, PutOidcProvider)]
    oidc_removed = [{"url": op.url, "origin": op.origin.to_json()}
                    for op in changes.removals if isinstance(op, RemoveOidcProvider)
                    if op.url not in {o["url"] for o in oidc_new}]
    data = {
        "source": changes.source,
        "summary": {"resources": len(changes.resources), "new_admins": len(new_admins),
                    "removed_admins": len(removed_admins), "new_escalations": len(new_esc),
                    "removed_escalations": len(removed_esc), "new_findings": len(new_findings),
                    "resolved_findings": len(resolved), "failing_findings": len(failing),
                    "unknowns": len(all_unknowns)},
        "resources": [r.to_json() for r in changes.resources],
        "admins": {"new": [{"arn": x, "origin": where(x)} for x in new_admins],
                   "removed": [{"arn": x} for x in removed_admins]},
        "escalations": {"new": new_esc, "removed": removed_esc},
        "edges": {"new": [{"from": s, "to": t, "technique": k} for s, t, k in sorted(ae_edges - be_edges)],
                  "removed": [{"from": s, "to": t, "technique": k} for s, t, k in sorted(be_edges - ae_edges)]},
        "findings": {"new": sorted(new_findings, key=_fsort), "resolved": sorted(resolved, key=_fsort)},
        "oidc_providers": {"new": oidc_new, "removed": oidc_removed},
        "unknowns": [u.to_json(translate) for u in all_unknowns],
        "notes": [translate.text(n) if translate is not None else str(n) for n in changes.notes],
        "errors": sorted(set(a.get("errors") or []) - set(b.get("errors") or [])),
    }
    return PlanReport(changes.account_id, verdict, fail_on, data)


def _fsort(f: dict[str, Any]) -> tuple[int, str, str]:
    sev = f.get("severity")
    return (SEVERITIES.index(sev) if sev in SEVERITIES else 9, f["id"], f["arn"])
