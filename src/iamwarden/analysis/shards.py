"""The audit split into the pieces that can run apart, and the step that joins them.

Pure core (no processes, no I/O): ``iamwarden.scale`` runs these functions in
worker processes or on Ray and calls ``join`` in the driver. Every piece is a
function of the world alone, so a worker that indexed the same world returns
exactly what the driver would have computed itself:

- ``principal_facts(ix, arns)``: admin status (catalog rule 2) and the one-step
  edges to admin (self-escalation, modify-then-assume) of a shard of principals;
- ``assume_lists(ix, roles)``: IW001's "who can actually assume it" (catalog
  D15) for a shard of roles whose trust opens them to an account or ``*``;
- ``cycle_findings(ix)``: IW005 (roles that can assume each other), or in parts:
  ``cycle_graph(ix, roles, part)`` per set of roles, joined by ``cycles_from``.

A worker may hold only its accounts and the cross-account summary
(``analysis.partition``): then it is asked only about its accounts' principals.

The backwards search from the admins is split too, in rounds whose answers the
driver replays (``analysis.split_search``). The last step stays in one place
(``join``): the findings that depend on the search's result. Results are
identical to ``analysis.audit``: the driver's index holds the same world, the
pieces are deterministic, and ``join`` keeps the subjects' order.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Mapping, Sequence

from .._gc import gc_paused
from ..model.account import Role
from .admin import AdminStatus
from .edges import Edge
from .external import entries as external_entries
from .external import entry_findings
from .findings import Finding, _cycles, _who_can_assume, assume_graph, cycles_of, trust_issues
from .findings import findings as _findings
from .graph import Escalation, first_step_edges
from .index import WorldIndex
from .resource_access import external_access, resource_findings
from .result import AuditResult, build_result

#: what ``principal_facts`` returns: admin status per principal, one-step edges per non-admin
Facts = tuple[dict[str, AdminStatus], dict[str, list[Edge]]]
#: IW005's graph (``findings.assume_graph``): node -> the nodes it reaches
AssumeGraph = dict[object, list[object]]


def shard(items: Sequence[str], parts: int) -> list[list[str]]:
    """``items`` cut into at most ``parts`` contiguous runs of near-equal length (order kept)."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out, at = [], 0
    for i in range(parts):
        n = size + (1 if i < extra else 0)
        out.append(list(items[at:at + n]))
        at += n
    return [s for s in out if s]


def principal_facts(ix: WorldIndex, arns: Iterable[str]) -> Facts:
    """Admin status of each principal, and the one-step edges of those that are not admin."""
    with gc_paused():
        status: dict[str, AdminStatus] = {}
        first: dict[str, list[Edge]] = {}
        for arn in arns:
            st = status[arn] = ix.admin(arn)
            if st.admin:
                continue
            edges = first_step_edges(ix, arn)
            if edges:
                first[arn] = edges
        return status, first


def open_roles(ix: WorldIndex, arns: Iterable[str]) -> list[str]:
    """Of ``arns``, the roles whose trust names a whole account or ``*`` (IW001's candidates)."""
    out = []
    for arn in arns:
        s = ix.subjects.get(arn)
        if s is not None and isinstance(s.entity, Role):
            t = ix.trust[arn]
            if t.accounts or t.everyone:
                out.append(arn)
    return out


def assume_lists(ix: WorldIndex, roles: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Who the engine lets assume each role (catalog D15), as IW001 names them."""
    with gc_paused():
        out = {}
        for arn in roles:
            role = ix.subjects[arn].entity
            assert isinstance(role, Role)
            out[arn] = _who_can_assume(ix, role)
        return out


def cycle_findings(ix: WorldIndex) -> list[Finding]:
    """IW005, which needs every role's assume relation and nothing from the search."""
    with gc_paused():
        return _cycles(ix)


def cycle_graph(ix: WorldIndex, roles: Iterable[str], part: object) -> AssumeGraph:
    """IW005's "can assume" graph into ``roles`` only (a worker's own roles: who can assume
    them, cross account included), its blocks named by ``part``; ``cycles_from`` joins them."""
    with gc_paused():
        return assume_graph(ix, roles, part)


def cycles_from(graphs: Iterable[AssumeGraph]) -> list[Finding]:
    """IW005 from the graphs of disjoint sets of roles that cover every role: ``cycle_findings``."""
    joined: AssumeGraph = {}
    for g in graphs:
        for node, out in g.items():
            joined.setdefault(node, []).extend(out)
    with gc_paused():
        return cycles_of(joined)


def admins_of(ix: WorldIndex, status: Mapping[str, AdminStatus]) -> list[str]:
    """The admins, in the subjects' order (the roots of the search)."""
    return [a for a in ix.subjects if status[a].admin]


def adopt_facts(ix: WorldIndex, facts: Iterable[Facts]) -> dict[str, list[Edge]]:
    """Put the shards' admin statuses into ``ix`` and return the one-step edges in the
    subjects' order (the order ``graph.first_steps`` produces)."""
    first: dict[str, list[Edge]] = {}
    for status, edges in facts:
        ix._admin.update(status)
        first.update(edges)
    missing = [a for a in ix.subjects if a not in ix._admin]
    if missing:
        raise ValueError(f"shards left out {len(missing)} principal(s), e.g. {missing[0]}")
    return {a: first[a] for a in ix.subjects if a in first}


def powerful_open_roles(ix: WorldIndex, esc: Escalation) -> list[str]:
    """Roles IW001 reports: admin or escalating, with a trust open to an account or ``*``."""
    admins = set(esc.admins)
    return [a for a in open_roles(ix, ix.subjects) if a in admins or a in esc.certain.dist]


def join(ix: WorldIndex, esc: Escalation, lists: Mapping[str, tuple[str, ...]] | None,
         cycles: list[Finding] | None, known: frozenset[str] | None = None) -> AuditResult:
    """The findings and the result, from the search and the shards' pieces (None: computed here).

    The one global step every mode ends with: trust findings (``known``: the
    ``--known-accounts``), outside entry points, every finding, the result.
    """
    with gc_paused():
        issues = trust_issues(ix, esc, known)
        outside = external_entries(ix, esc, issues)
        found = (_findings(ix, esc, lists, cycles, known=known, issues=issues) + entry_findings(outside)
                 + resource_findings(ix))
        result = replace(build_result(ix, esc, found), external=tuple(e.to_json() for e in outside))
        world = ix.world
        if world.organization is not None or len(world.resources):
            result = replace(result, external_access=tuple(a.to_json() for a in external_access(world)),
                             organization=world.organization.to_json() if world.organization else None)
        return result
