"""The audit result and its JSON form (the shape every report renders).

Shape (fields may be added, these stay)::

    {"accounts": [{"id", "source", "users", "roles", "groups", "policies"}],
     "summary": {"principals", "admins", "can_escalate", "may_escalate", ...},
     "principals": [{"arn", "type", "account", "name", "admin": bool,
                     "admin_kind": "effective"|"effective-with-mfa"|null,
                     "can_escalate": bool, "escalation": "self"|"path"|null,
                     "uncertain": bool, "distance": int|null,
                     "paths": [{"steps": [{"from", "to", "technique", "reason",
                                          "statements": [...], "uncertain"?, "grants_admin"?}],
                                "techniques": [...]}],
                     "uncertain_paths": [...same shape...],
                     "admin_statements": [...]}],
     "edges": [{"from", "to", "technique", "uncertain"}],   # every step of every path
     "findings": [{"id", "rule", "severity", "arn", "message", "fix", "related",
                   "statement"?, "who"?, "corrected"?, "outsider"?}],
     "external_entries": [{"identity", "kind", "role", "policy", "action", "statement", "sid",
                           "claims", "open_to_strangers", "can_become_admin", "path"}],
     "errors": [...]}

A self-escalation is a path whose steps all go from the principal to itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .._gc import gc_paused
from ..i18n import Translator
from .edges import Edge
from .findings import Finding
from .graph import Escalation
from .index import WorldIndex

SCHEMA_VERSION = 1
#: ``related`` lists longer than this are cut to their first RELATED_SAMPLE entries in the
#: JSON, with ``related_count`` giving the full length, unless ``full_lists`` is asked
#: (docs/decisions/analysis-iw001-full-lists.md): IW001's "who can actually assume it"
#: grows with accounts × holders, the rest of the report with principals.
RELATED_SAMPLE = 20


@dataclass(frozen=True, slots=True)
class PrincipalResult:
    arn: str
    type: str
    account: str
    name: str
    admin: bool
    admin_kind: str | None
    can_escalate: bool
    uncertain: bool
    distance: int | None
    paths: tuple[tuple[Edge, ...], ...]
    uncertain_paths: tuple[tuple[Edge, ...], ...]
    admin_statements: tuple[dict[str, Any], ...] = ()

    @property
    def escalation(self) -> str | None:
        if not self.paths:
            return None
        return "self" if all(e.source == e.target for e in self.paths[0]) else "path"

    def to_json(self) -> dict[str, Any]:
        return {
            "arn": self.arn,
            "type": self.type,
            "account": self.account,
            "name": self.name,
            "admin": self.admin,
            "admin_kind": self.admin_kind,
            "can_escalate": self.can_escalate,
            "escalation": self.escalation,
            "uncertain": self.uncertain,
            "distance": self.distance,
            "paths": [_path_json(p) for p in self.paths],
            "uncertain_paths": [_path_json(p) for p in self.uncertain_paths],
            "admin_statements": list(self.admin_statements),
        }


def _path_json(steps: tuple[Edge, ...]) -> dict[str, Any]:
    return {"steps": [e.to_json() for e in steps], "techniques": [e.technique for e in steps]}


@dataclass(frozen=True, slots=True)
class AuditResult:
    accounts: tuple[dict[str, Any], ...]
    principals: tuple[PrincipalResult, ...]
    findings: tuple[Finding, ...]
    errors: tuple[str, ...] = ()
    #: outside entry points (``analysis.external``), as JSON; in the report as "external_entries"
    external: tuple[dict[str, Any], ...] = ()
    #: with ``--org`` / ``--resources`` only (absent from the JSON otherwise): the organization's
    #: tree and the resource policies' outside entry points (``analysis.resource_access``)
    organization: dict[str, Any] | None = None
    external_access: tuple[dict[str, Any], ...] = ()

    def principal(self, arn: str) -> PrincipalResult | None:
        return next((p for p in self.principals if p.arn == arn), None)

    def to_json(self, full_lists: bool = False, translate: Translator | None = None) -> dict[str, Any]:
        """The report shape. ``full_lists``: every finding's ``related`` in full. With ``translate``,
        the findings' messages and fixes in its language."""
        with gc_paused():
            return self._to_json(full_lists, translate)

    def _to_json(self, full_lists: bool = False, translate: Translator | None = None) -> dict[str, Any]:
        edges: dict[tuple[str, str, str], dict[str, Any]] = {}
        for p in self.principals:
            for path in p.paths + p.uncertain_paths:
                for e in path:
                    edges.setdefault((e.source, e.target, e.technique), {
                        "from": e.source, "to": e.target, "technique": e.technique,
                        "uncertain": e.uncertain is not None})
        sev: dict[str, int] = {}
        for f in self.findings:
            sev[f.severity] = sev.get(f.severity, 0) + 1
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": "iamwarden",
            "accounts": list(self.accounts),
            "summary": {
                "principals": len(self.principals),
                "admins": sum(p.admin for p in self.principals),
                "can_escalate": sum(p.can_escalate for p in self.principals),
                "may_escalate": sum(p.uncertain for p in self.principals),
                "findings": sev,
            },
            "principals": [p.to_json() for p in self.principals],
            "edges": list(edges.values()),
            "findings": [_finding_json(f, full_lists, translate) for f in self.findings],
            "external_entries": list(self.external),
            "errors": list(self.errors),
            **({"organization": self.organization} if self.organization is not None else {}),
            **({"external_access": list(self.external_access)} if self.external_access else {}),
        }


def _finding_json(f: Finding, full_lists: bool, translate: Translator | None = None) -> dict[str, Any]:
    if full_lists or len(f.related) <= RELATED_SAMPLE:
        return f.to_json(translate)
    out = replace(f, related=f.related[:RELATED_SAMPLE]).to_json(translate)
    out["related_count"] = len(f.related)
    return out


def build_result(ix: WorldIndex, esc: Escalation, found: list[Finding]) -> AuditResult:
    accounts = tuple(
        {"id": a.account_id, "source": a.source, "users": len(a.users), "roles": len(a.roles),
         "groups": len(a.groups), "policies": len(a.policies)}
        for a in ix.world.accounts.values()
    )
    admins = set(esc.admins)
    out = []
    for arn, s in ix.subjects.items():
        st = ix.admin(arn)
        certain = arn in esc.certain.dist and arn not in admins
        unc = not certain and arn not in admins and arn in esc.uncertain.dist
        out.append(PrincipalResult(
            arn=arn, type=s.kind, account=s.account_id, name=s.entity.name,
            admin=st.admin,
            admin_kind=("effective-with-mfa" if st.needs_mfa else "effective") if st.admin else None,
            can_escalate=certain,
            uncertain=unc,
            distance=esc.certain.dist.get(arn) if certain else (esc.uncertain.dist.get(arn) if unc else None),
            paths=tuple(tuple(p) for p in esc.certain.paths(arn)) if certain else (),
            uncertain_paths=tuple(tuple(p) for p in esc.uncertain.paths(arn)) if unc else (),
            admin_statements=tuple(r.to_json() for r in st.decision.reasons) if st.admin and st.decision else (),
        ))
    return AuditResult(accounts, tuple(out), tuple(found), tuple(ix.errors))
