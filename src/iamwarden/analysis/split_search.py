"""The backwards search from the admins, split so that workers ask for the edges.

``graph.escalation`` is a breadth-first search whose costly part is asking, for
each principal it reaches (the *target*), who can get into it
(``in_edges``). Here the queue is cut into rounds (the queue as it stands); a
round's targets are cut into parts (by account, ``scale`` picks), and each
part asks ``in_edges`` for its targets with its own, looser ``want``
(``Part``): it knows the distances placed before the round, not the ones placed
during it. A part therefore returns a superset of the edges the search would
have seen, in the checkers' order. The driver replays the round target by
target in queue order (``Replay``), applying to every edge the same test the
search's ``want`` and loop apply at that moment, so it keeps exactly the edges
one process keeps, in the same order: ``dist``, ``next`` and ``pending`` come
out equal to ``graph.escalation``'s.

Why a superset is enough (the parts' ``want`` may say yes where the search says
no, never the reverse): the search's ``want`` for a source turns false only for
good (a source placed nearer, or with its three alternatives, stays so), and a
part says no only when the search would: the source is known at another
distance, or the part itself returned three accepted edges for it from targets
at this distance (or three rejected ones: ``pending`` keeps three per source),
and its targets come in queue order.

One place depends on ``want`` beyond filtering: D15 for a role trusting whole
accounts groups its candidates by trust signature and orders the groups by
their first *live* member (``assume_role._live_classes``). A part records its
groups (``Part.record_groups``: the named members of each, and all members it
saw); the replay orders them by the first member the search would still want,
as one process would have.

Cross-account edges need nothing special: a part holds its accounts and every
principal of the others that could act across accounts (``analysis.partition``;
or the whole world's index), so D15 across trusts is asked like any other edge,
by the part that owns the target's account, and the replay joins them in the
global order.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from .._gc import gc_paused
from .edges import Edge
from .graph import MAX_ALTERNATIVES, Escalation, Search, Wanted
from .index import WorldIndex
from .techniques import REGISTRY, Checker

#: D15 groups of one target: (named members, all members seen), in the part's order
Groups = list[tuple[tuple[str, ...], tuple[str, ...]]]
#: one checker's answer for one target: its edges, and its D15 groups when it recorded them
Segment = tuple[list[Edge], Groups | None]
#: what a part returns: per target, the segments of the checkers that returned edges
Found = dict[str, list[Segment]]
#: (principal, distance) newly placed, sent to every part before the next round
Placed = list[tuple[str, int]]
#: runs a round: (pass 1 or 2, placed since the last round, targets with their distance) -> Found
RunRound = Callable[[int, Placed, list[tuple[str, int]]], Found]

CERTAIN, UNCERTAIN = 1, 2


class _PartWanted(Wanted):
    """A part's ``want``, which D15 also tells its groups (``assume_role.record_groups``)."""

    __slots__ = ("record_groups",)

    def __init__(self, fn: Callable[[str, bool], bool], key: object, record: Callable[[Groups], None]):
        super().__init__(fn, key)
        self.record_groups = record


@dataclass
class Part:
    """One part's view of a search: what it knows was placed, and what it returned."""

    phase: int = CERTAIN
    known: dict[str, int] = field(default_factory=dict)
    #: accepted edges returned per source: (distance of the targets, count)
    accepted: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: rejected (uncertain, pass 1) edges returned per source
    rejected: dict[str, int] = field(default_factory=dict)
    token: object = field(default_factory=object)
    groups: Groups | None = None

    def learn(self, placed: Placed) -> None:
        for arn, d in placed:
            self.known.setdefault(arn, d)

    def record_groups(self, groups: Groups) -> None:
        self.groups = groups

    def want(self, d: int) -> Wanted:
        """The looser ``want`` for targets at distance ``d`` (see the module's docstring)."""
        known, accepted, rejected = self.known, self.accepted, self.rejected
        if self.phase == UNCERTAIN:
            def fn2(src: str, uncertain: bool = False) -> bool:
                return src not in known
            return _PartWanted(fn2, self.token, self.record_groups)

        def fn(src: str, uncertain: bool = False) -> bool:
            k = known.get(src)
            if k is not None and k != d + 1:
                return False
            a = accepted.get(src)
            if a is not None and a[0] == d and a[1] >= MAX_ALTERNATIVES:
                return False
            return not (uncertain and rejected.get(src, 0) >= MAX_ALTERNATIVES)
        return _PartWanted(fn, self.token, self.record_groups)


def expand(ix: WorldIndex, part: Part, placed: Placed, targets: Sequence[tuple[str, int]],
           checkers: Sequence[Checker] = REGISTRY) -> Found:
    """The edges into ``targets`` (in their order) that the search may keep: a superset."""
    with gc_paused():
        return _expand(ix, part, placed, targets, checkers)


def _expand(ix: WorldIndex, part: Part, placed: Placed, targets: Sequence[tuple[str, int]],
            checkers: Sequence[Checker]) -> Found:
    part.learn(placed)
    out: Found = {}
    for t, d in targets:
        subject = ix.subjects[t]
        want = part.want(d)
        segs: list[Segment] = []
        for c in checkers:
            part.groups = None
            edges = list(c.edges_into(subject, ix, want))
            if not edges:
                continue
            segs.append((edges, part.groups))
            for e in edges:
                if part.phase == UNCERTAIN:
                    part.known.setdefault(e.source, d + 1)
                elif e.certain:
                    a = part.accepted.get(e.source)
                    part.accepted[e.source] = (d, a[1] + 1 if a is not None and a[0] == d else 1)
                else:
                    part.rejected[e.source] = part.rejected.get(e.source, 0) + 1
        part.groups = None
        if segs:
            out[t] = segs
    return out


def _ordered(segs: list[Segment], wanted: Callable[[str], bool]) -> list[Edge]:
    """The segments' edges in the order one process yields them: D15's groups ordered by
    their first member still wanted (named members count whether wanted or not)."""
    out: list[Edge] = []
    for edges, groups in segs:
        if not groups:
            out += edges
            continue
        keyed = []
        for named, members in groups:
            live = [m for m in members if m in named or wanted(m)]
            if live:
                keyed.append((min(live), set(members)))
        keyed.sort(key=lambda k: k[0])
        rank = {m: i for i, (_, ms) in enumerate(keyed) for m in ms}
        # a group's edges are contiguous and sorted; a stable sort by group rank reorders groups only
        out += sorted(edges, key=lambda e: rank.get(e.source, len(keyed)))
    return out


def split_escalation(ix: WorldIndex, first: dict[str, list[Edge]], run: RunRound,
                     progress: Callable[[str, int, int], None] | None = None) -> Escalation:
    """``graph.escalation(ix, first=first)``, with ``in_edges`` asked by ``run`` in rounds.

    Admin statuses are expected in ``ix`` (``shards.adopt_facts``)."""
    with gc_paused():
        return _split_escalation(ix, first, run, progress)


def _split_escalation(ix: WorldIndex, first: dict[str, list[Edge]], run: RunRound,
                      progress: Callable[[str, int, int], None] | None) -> Escalation:
    admins = [a for a in ix.subjects if ix.admin(a).admin]
    certain = Search()
    dist, nxt = certain.dist, certain.next
    queue: deque[str] = deque()
    for r in admins:
        if r not in dist:
            dist[r] = 0
            queue.append(r)
    for arn, edges in first.items():
        ok = [e for e in edges if e.certain]
        if ok and arn not in dist:
            dist[arn] = 1
            nxt[arn] = ok[:MAX_ALTERNATIVES]
            queue.append(arn)
    pending: dict[str, list[Edge]] = {}
    pending_count: dict[str, int] = {}
    placed: Placed = [(a, dist[a]) for a in queue]
    while queue:
        batch = list(queue)
        queue.clear()
        found = run(CERTAIN, placed, [(t, dist[t]) for t in batch])
        placed = []
        for t in batch:
            segs = found.get(t)
            if not segs:
                continue
            d = dist[t]

            def wanted(src: str, d: int = d) -> bool:
                return src not in dist or (dist[src] == d + 1 and len(nxt.get(src, ())) < MAX_ALTERNATIVES)

            for e in _ordered(segs, wanted):
                src = e.source
                if not e.certain:
                    if wanted(src) and pending_count.get(src, 0) < MAX_ALTERNATIVES:
                        pending.setdefault(t, []).append(e)
                        pending_count[src] = pending_count.get(src, 0) + 1
                    continue
                if src not in dist:
                    dist[src] = d + 1
                    nxt[src] = [e]
                    queue.append(src)
                    placed.append((src, d + 1))
                elif dist[src] == d + 1 and len(nxt[src]) < MAX_ALTERNATIVES:
                    nxt[src].append(e)
        if progress:
            progress("paths", len(dist), len(ix.subjects))
    # second pass: uncertain edges, for principals the certain pass did not reach
    reached = set(certain.dist)
    uncertain = Search(dict(certain.dist), {k: list(v) for k, v in certain.next.items()})
    dist2, nxt2 = uncertain.dist, uncertain.next
    for arn, edges in first.items():
        if arn not in dist2:
            dist2[arn] = 1
            nxt2[arn] = edges[:MAX_ALTERNATIVES]
            queue.append(arn)

    def place(e: Edge) -> None:
        if e.source in reached:
            return
        dt = dist2[e.target]
        if e.source not in dist2:
            dist2[e.source] = dt + 1
            nxt2[e.source] = [e]
            queue.append(e.source)
        elif dist2[e.source] == dt + 1 and len(nxt2[e.source]) < MAX_ALTERNATIVES:
            nxt2[e.source].append(e)

    for t in sorted(pending, key=lambda a: certain.dist[a]):
        for e in pending[t]:
            place(e)
    placed = list(dist2.items())
    while queue:
        batch = list(queue)
        queue.clear()
        found = run(UNCERTAIN, placed, [(t, dist2[t]) for t in batch])
        seen = len(dist2)
        for t in batch:
            segs = found.get(t)
            if not segs:
                continue

            def wanted2(src: str) -> bool:
                return src not in reached and src not in dist2

            for e in _ordered(segs, wanted2):
                if wanted2(e.source):
                    place(e)
        placed = list(dist2.items())[seen:]
    return Escalation(admins, first, certain, uncertain)


def assign_accounts(ix: WorldIndex, parts: int) -> dict[str, int]:
    """Each account to one of ``parts`` parts, the largest first to the least loaded (by
    principals): a target is asked by the part owning its account, so a part's caches
    (candidates per account, ``WorldIndex.live``) stay its own."""
    sizes: dict[str, int] = {}
    for s in ix.subjects.values():
        sizes[s.account_id] = sizes.get(s.account_id, 0) + 1
    return deal_accounts(sizes, parts)


def deal_accounts(sizes: Mapping[str, int], parts: int) -> dict[str, int]:
    """``assign_accounts`` from the principals per account (what a world says before it is
    indexed: a worker that indexes only its accounts must know them first)."""
    load = [0] * max(1, parts)
    out: dict[str, int] = {}
    for acct in sorted(sizes, key=lambda a: (-sizes[a], a)):
        i = min(range(len(load)), key=lambda j: (load[j], j))
        out[acct] = i
        load[i] += sizes[acct]
    return out
