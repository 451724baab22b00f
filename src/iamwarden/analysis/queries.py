"""Questions over the graph: who can do X (directly or through a path), and how A becomes B."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..evaluation import Decision
from ..evaluation.request import TRUST_ACTIONS
from .edges import Edge
from .graph import first_steps, reverse_bfs
from .index import WorldIndex


@dataclass(frozen=True, slots=True)
class Reach:
    """``arn`` can do the action: directly (``steps`` empty, ``decision`` says why) or via ``steps``."""

    arn: str
    direct: bool
    steps: tuple[Edge, ...] = ()
    decision: Decision | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"arn": self.arn, "direct": self.direct,
                               "steps": [e.to_json() for e in self.steps]}
        if self.decision is not None:
            out["statements"] = [r.to_json() for r in self.decision.reasons]
        return out


def who_can(ix: WorldIndex, action: str, resource: str = "*", context: Mapping[str, Any] | None = None,
            include_uncertain: bool = False) -> list[Reach]:
    """Principals that may do ``action`` on ``resource``: directly, or by a path to one that
    may, or by escalating to admin first (self-escalation / modify-then-assume)."""
    trust = None
    if action.lower() in TRUST_ACTIONS:
        role = ix.role(resource)
        trust = role.trust if role is not None else None
    direct: dict[str, Decision] = {}
    for arn, s in ix.subjects.items():
        d = ix.ask(s, action, resource, context, trust=trust)
        if d.allowed:
            direct[arn] = d
    first = first_steps(ix, set(direct))
    accept = (lambda e: True) if include_uncertain else (lambda e: e.certain)
    sr = reverse_bfs(ix, list(direct), first, accept=accept)
    out = []
    for arn in sorted(sr.dist, key=lambda a: (sr.dist[a], a)):
        if arn in direct:
            out.append(Reach(arn, True, decision=direct[arn]))
        else:
            paths = sr.paths(arn, 1)
            out.append(Reach(arn, False, tuple(paths[0]) if paths else ()))
    return out


def find_path(ix: WorldIndex, source: str, target: str, include_uncertain: bool = False) -> list[Edge] | None:
    """A shortest path of edges by which ``source`` gains ``target``'s powers, or None.

    ``[]`` when source and target are the same principal.
    """
    if source == target:
        return []
    accept = (lambda e: True) if include_uncertain else (lambda e: e.certain)
    sr = reverse_bfs(ix, [target], accept=accept, stop=source)
    if source not in sr.dist:
        return None
    paths = sr.paths(source, 1)
    return paths[0] if paths else None
