"""The escalation graph, searched backwards from the administrators.

Nodes are users and roles; edges come from the technique checkers. Instead of
simulating every pair of principals (PMapper's cost), the search starts at
the admins and asks, for each principal it reaches, only *who can get into
it*: ``edges_into`` with a ``want`` filter that skips sources already placed
at a shorter distance. Every principal is asked at most once about its own
self-escalation (D01, D02, D07-D13, D24) and modify-then-assume (D16-D23)
steps, which lead straight to admin and so sit at distance 1.

Two passes: the first uses only certain edges (decidable from IAM data); the
second adds uncertain ones (existing resources, MFA) for principals the first
did not reach, so ``can_escalate`` stays a certain answer and
``uncertain_paths`` says what else might work.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from .edges import Edge
from .index import WorldIndex
from .techniques import REGISTRY, Checker, Want

#: alternatives kept per principal and hop: "shortest path(s)"
MAX_ALTERNATIVES = 3

Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class Search:
    """Distances to the roots and, per principal, the first edges of its shortest paths."""

    dist: dict[str, int] = field(default_factory=dict)
    next: dict[str, list[Edge]] = field(default_factory=dict)

    def paths(self, arn: str, limit: int = MAX_ALTERNATIVES) -> list[list[Edge]]:
        """Up to ``limit`` shortest paths from ``arn`` (each ends at a root or an admin-granting step)."""
        out: list[list[Edge]] = []
        for first in self.next.get(arn, ())[:limit]:
            steps = list(first.steps())
            cur = first
            while not cur.grants_admin and self.dist.get(cur.target, 0) > 0:
                cur = self.next[cur.target][0]
                steps += cur.steps()
            out.append(steps)
        return out


class Wanted:
    """A ``want`` predicate with the identity of its search (``key``).

    Within one search a source that is not wanted stays unwanted (distances only
    grow in breadth-first order, alternatives only fill up), which lets checkers
    keep shrinking lists of candidate sources (``WorldIndex.live``) instead of
    scanning every holder for every target.
    """

    __slots__ = ("fn", "key", "log", "round", "keeps_uncertain")

    def __init__(self, fn: Callable[[str, bool], bool], key: object,
                 log: list[str] | None = None, round: int = 0,
                 keeps_uncertain: Callable[[str], bool] | None = None):
        self.fn = fn
        self.key = key
        #: stricter than ``fn(source, True)`` where it may: would an uncertain edge from this
        #: source change the search's outcome at all? (In the certain pass, one from a source
        #: already placed only fills ``pending``, which the second pass skips for placed
        #: sources.) Checkers building many uncertain edges per target skip the rest; None:
        #: use ``fn``
        self.keeps_uncertain = keeps_uncertain
        #: the sources whose state ``fn`` reads (distance, alternatives, pending edges) changed,
        #: in order, appended by the search; with ``round`` (``fn`` reads nothing else that
        #: changes within one round), ``WorldIndex.live`` re-tests only the sources logged since
        #: it last filtered a list instead of the whole list for every target
        self.log = log
        self.round = round

    def __call__(self, source: str, uncertain: bool = False) -> bool:
        return self.fn(source, uncertain)


#: an uncertain edge, to ask an ``accept`` predicate whether it takes uncertain edges
_PROBE_UNCERTAIN = Edge("", "", "E01", "", uncertain="probe")


def in_edges(ix: WorldIndex, target: str, want: Want,
             checkers: Sequence[Checker] = REGISTRY) -> Iterable[Edge]:
    t = ix.subjects[target]
    for c in checkers:
        yield from c.edges_into(t, ix, want)


def first_steps(ix: WorldIndex, skip: set[str], checkers: Sequence[Checker] = REGISTRY,
                progress: Progress | None = None) -> dict[str, list[Edge]]:
    """Self-escalation and modify-then-assume edges: one step to admin (distance 1)."""
    out: dict[str, list[Edge]] = {}
    total = len(ix.subjects)
    for i, arn in enumerate(ix.subjects):
        if progress and i % 256 == 0:
            progress("self-escalation", i, total)
        if arn in skip:
            continue
        edges = first_step_edges(ix, arn, checkers)
        if edges:
            out[arn] = edges
    return out


def first_step_edges(ix: WorldIndex, arn: str, checkers: Sequence[Checker] = REGISTRY) -> list[Edge]:
    """One principal's one-step edges to admin: self-escalation, else modify-then-assume.

    Depends on that principal and the world only (not on the search), so shards of
    principals can be asked in parallel (``analysis.shards``)."""
    s = ix.subjects[arn]
    edges = [e for c in checkers for e in c.self_edges(s, ix)]
    if not any(e.certain for e in edges):
        edges += [e for c in checkers for e in c.granting_edges(s, ix)]
    return edges


def reverse_bfs(
    ix: WorldIndex,
    roots: Iterable[str],
    first: dict[str, list[Edge]] | None = None,
    accept: Callable[[Edge], bool] = lambda e: True,
    search: Search | None = None,
    stop: str | None = None,
    pending: dict[str, list[Edge]] | None = None,
    progress: Progress | None = None,
    checkers: Sequence[Checker] = REGISTRY,
) -> Search:
    """Breadth-first search along edges reversed, from ``roots`` (distance 0).

    ``first``: edges that reach the goal in one step whatever their target
    (admin-granting). Edges rejected by ``accept`` are collected in
    ``pending`` by target, for a later pass. ``stop``: end as soon as this
    principal is placed.
    """
    sr = search or Search()
    dist, nxt = sr.dist, sr.next
    queue: deque[str] = deque()
    for r in roots:
        if r not in dist:
            dist[r] = 0
            queue.append(r)
    for arn, edges in (first or {}).items():
        ok = [e for e in edges if accept(e)]
        if ok and arn not in dist:
            dist[arn] = 1
            nxt[arn] = ok[:MAX_ALTERNATIVES]
            queue.append(arn)
    done = 0
    pending_count: dict[str, int] = {}
    accept_uncertain = accept(_PROBE_UNCERTAIN)
    token = object()  # names this search for WorldIndex.live
    log: list[str] = []  # sources whose dist / next / pending count changed (Wanted.log)

    def keeps_pending(src: str) -> bool:
        # an uncertain edge is only ever filed in ``pending`` here (three per source), and the
        # second pass (``escalation``) places nothing from a source this pass placed
        return src not in dist and pending_count.get(src, 0) < MAX_ALTERNATIVES

    keeps = keeps_pending if pending is not None and not accept_uncertain else None
    while queue:
        if stop is not None and stop in dist:
            break
        t = queue.popleft()
        d = dist[t]
        done += 1
        if progress and done % 64 == 0:
            progress("paths", len(dist), len(ix.subjects))

        def want_fn(src: str, uncertain: bool = False, d: int = d) -> bool:
            if src not in dist:
                if uncertain and pending is not None and not accept_uncertain:
                    return pending_count.get(src, 0) < MAX_ALTERNATIVES
                return True
            return dist[src] == d + 1 and len(nxt.get(src, ())) < MAX_ALTERNATIVES

        for e in in_edges(ix, t, Wanted(want_fn, token, log, d, keeps), checkers):
            if not accept(e):
                if pending is not None and pending_count.get(e.source, 0) < MAX_ALTERNATIVES:
                    pending.setdefault(t, []).append(e)
                    pending_count[e.source] = pending_count.get(e.source, 0) + 1
                    log.append(e.source)
                continue
            src = e.source
            if src not in dist:
                dist[src] = d + 1
                nxt[src] = [e]
                queue.append(src)
                log.append(src)
            elif dist[src] == d + 1 and len(nxt[src]) < MAX_ALTERNATIVES:
                nxt[src].append(e)
                log.append(src)
    return sr


@dataclass(slots=True)
class Escalation:
    """Result of the two-pass search: certain and (for the rest) uncertain paths to admin."""

    admins: list[str]
    first: dict[str, list[Edge]]
    certain: Search
    uncertain: Search


def escalation(ix: WorldIndex, progress: Progress | None = None,
               checkers: Sequence[Checker] = REGISTRY,
               first: dict[str, list[Edge]] | None = None) -> Escalation:
    """``first``: the one-step edges of every non-admin principal, when already computed
    (in shards, ``analysis.shards``); admin statuses are then expected in ``ix`` too."""
    total = len(ix.subjects)
    admins = []
    for i, a in enumerate(ix.subjects):
        if progress and i % 512 == 0:
            progress("admins", i, total)
        if ix.admin(a).admin:
            admins.append(a)
    if first is None:
        first = first_steps(ix, set(admins), checkers, progress)
    pending: dict[str, list[Edge]] = {}
    certain = reverse_bfs(ix, admins, first, accept=lambda e: e.certain, pending=pending,
                          progress=progress, checkers=checkers)
    # second pass: uncertain edges, for principals the certain pass did not reach
    reached = set(certain.dist)
    uncertain = Search(dict(certain.dist), {k: list(v) for k, v in certain.next.items()})
    queue: deque[str] = deque()
    dist, nxt = uncertain.dist, uncertain.next
    for arn, edges in first.items():
        if arn not in dist:
            dist[arn] = 1
            nxt[arn] = edges[:MAX_ALTERNATIVES]
            queue.append(arn)

    log: list[str] = []  # sources placed (Wanted.log); the want below reads nothing else

    def place(e: Edge) -> None:
        if e.source in reached:
            return
        dt = dist[e.target]
        if e.source not in dist:
            dist[e.source] = dt + 1
            nxt[e.source] = [e]
            queue.append(e.source)
            log.append(e.source)
        elif dist[e.source] == dt + 1 and len(nxt[e.source]) < MAX_ALTERNATIVES:
            nxt[e.source].append(e)

    token = object()
    for t in sorted(pending, key=lambda a: certain.dist[a]):
        for e in pending[t]:
            place(e)
    while queue:
        t = queue.popleft()
        want = Wanted(lambda src, _unc: src not in reached and src not in dist, token, log)
        for e in in_edges(ix, t, want, checkers):
            place(e)
    return Escalation(admins, first, certain, uncertain)
