"""Run the audit's pieces on an engine and join them (``analysis.shards``).

Order, so that the driver's search overlaps the workers' work:

0. the accounts are dealt out (by size) to the workers and the driver;
1. the driver indexes the world (it needs the index for the global step) while
   the workers start (spawn, Ray: then each is sent its share, its accounts' documents
   and the others' cut to the principals that could act across accounts,
   ``analysis.partition``, and indexes it) or inherit the driver's whole index (fork);
2. every part's principals: admin status and one-step edges (``facts``);
3. the search, split (``analysis.split_search``): each round, every worker (and the
   driver) asks who can get into the targets of the accounts it owns; the driver
   replays the answers in queue order (the same paths as one process);
4. IW001's lists for the powerful open roles and IW005's "can assume" graph into
   each part's roles (workers and driver), then the cycles and ``join``.

Every question a worker is asked is about its own accounts, so its share of the
world answers it exactly as the whole world would.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any, Callable, Protocol

from .._gc import gc_paused
from ..analysis import AuditResult, audit, index_world
from ..analysis.graph import Progress
from ..analysis.index import WorldIndex
from ..analysis.partition import Dropped, shares
from ..analysis.shards import (
    adopt_facts,
    assume_lists,
    cycle_graph,
    cycles_from,
    join,
    powerful_open_roles,
    principal_facts,
    shard,
)
from ..analysis.split_search import (
    CERTAIN,
    UNCERTAIN,
    Found,
    Part,
    Placed,
    RunRound,
    deal_accounts,
    expand,
    split_escalation,
)
from ..loaders.authz_details import details_subset
from ..model.account import World
from .source import WorldSource

#: below this many principals the audit runs in-process: a worker's start-up (fork
#: ~10 ms, spawn/Ray ~1-2 s of imports and indexing) is more than the whole audit
#: costs (1,000 principals: ~0.5 s CPU). docs/scale.md has the measurements.
PARALLEL_MIN_PRINCIPALS = 5_000
#: shards of principals per worker (smaller shards even out uneven ones); the driver does
#: an equal share itself, so ``--jobs N`` is N-1 worker processes and the driver
SHARDS_PER_WORKER = 4
ENGINES = ("local", "ray")


class EngineUnavailable(RuntimeError):
    """The engine cannot run here (Ray not installed); the message says what to install."""


class Engine(Protocol):
    def submit(self, name: str, *args: Any) -> Any: ...

    def submit_to(self, worker: int, name: str, *args: Any) -> Any: ...

    def close(self) -> None: ...


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def audit_world(source: WorldSource, jobs: int | None = None, engine: str = "local", address: str | None = None,
                progress: Progress | None = None, min_principals: int | None = None,
                start_method: str | None = None, world: World | None = None,
                known_accounts: frozenset[str] | None = None) -> AuditResult:
    """The audit of ``source``: in-process with ``jobs=1`` (or a small local world), else on
    ``jobs`` local processes or on Ray. The result is the same in every mode.

    ``world``: ``source.world()`` when the caller already built it (it is not built twice);
    ``known_accounts``: the ``--known-accounts`` (the trust findings' third parties)."""
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r}: expected one of {', '.join(ENGINES)}")
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs {jobs}: expected at least 1")
    world = world if world is not None else source.world()
    n = sum(len(a.users) + len(a.roles) for a in world.accounts.values())
    if min_principals is None:
        min_principals = PARALLEL_MIN_PRINCIPALS
    if engine == "local" and (jobs == 1 or n < min_principals):
        return audit(world, progress=progress, now=source.now, known_accounts=known_accounts)
    if progress:
        progress("indexing", 0, n)
    clock = _Clock()
    sizes = {a: len(acct.users) + len(acct.roles) for a, acct in world.accounts.items()}
    eng: Engine
    ix: WorldIndex | None = None
    if engine == "ray":
        from .ray_engine import RayEngine, RayUnavailable  # noqa: PLC0415 (optional dependency)

        try:
            eng = RayEngine(jobs, address)  # the actors start (imports) while the driver indexes
        except RayUnavailable as e:
            raise EngineUnavailable(str(e)) from None
        workers = eng.workers
        send = True
    else:
        from .local import LocalEngine  # noqa: PLC0415
        from .local import start_method as default_method  # noqa: PLC0415

        workers = max(1, jobs - 1)  # the driver is the jobs-th process: it takes shards too
        send = (start_method or default_method()) != "fork"
        if not send:  # forked workers inherit the driver's whole index: build it first
            ix = index_world(world, source.now)
            clock.lap("index")
        eng = LocalEngine(source, ix, workers, start_method or default_method())
    owner = deal_accounts(sizes, workers + 1)
    try:
        if send:  # each worker parses its own accounts while the driver indexes (then its share)
            docs: list[list[tuple[str, bytes]]] = [[] for _ in range(workers)]
            for doc, a in zip(source.accounts, world.accounts, strict=True):
                if owner[a] < workers:  # the last part is the driver's own
                    docs[owner[a]].append(doc)
            for i in range(workers):
                eng.submit_to(i, "preparse", docs[i])
        clock.lap("start")
        if ix is None:
            ix = index_world(world, source.now)
            clock.lap("index")
        if send:  # each worker's share: its accounts, the others' cross-account summary
            for i, (share, dropped) in enumerate(_shares(source, world, ix, owner, workers)):
                eng.submit_to(i, "load", share, dropped)  # ahead of its other tasks, in order
            clock.lap("shares")
        part_of: list[list[str]] = [[] for _ in range(workers + 1)]  # each principal to the part owning its account
        for a, s in ix.subjects.items():
            part_of[owner[s.account_id]].append(a)
        facts = _by_part(eng, "facts", part_of, SHARDS_PER_WORKER,
                         clock.own("facts", lambda part: principal_facts(ix, part)), progress)
        first = adopt_facts(ix, facts)
        clock.lap("facts")
        esc = split_escalation(ix, first, _rounds(eng, ix, owner, workers, clock), progress)
        clock.lap("search")
        accounts = _owned(owner, workers + 1)
        graph_futs = [eng.submit_to(i, "cycle_graph", sorted(accounts[i]), i) for i in range(workers)]
        roles = powerful_open_roles(ix, esc)
        lists: dict[str, tuple[str, ...]] = {}
        roles_of: list[list[str]] = [[] for _ in range(workers + 1)]
        for r in roles:
            roles_of[owner[ix.subjects[r].account_id]].append(r)
        for got in _by_part(eng, "assume", roles_of, 1,
                            clock.own("lists", lambda part: assume_lists(ix, part))):
            lists.update(got)
        lists = {r: lists[r] for r in roles}
        t0 = time.process_time()
        mine = [a for a, s in ix.subjects.items() if s.kind == "role" and owner[s.account_id] == workers]
        graphs = [cycle_graph(ix, mine, workers)]
        clock.add("own_lists", time.process_time() - t0)
        cycles = cycles_from([*(f.result() for f in graph_futs), *graphs])
        clock.lap("lists")
        LAST_RUN["workers_cpu"] = [f.result() for f in [eng.submit_to(i, "cpu") for i in range(workers)]]
        peaks = [f.result() for f in [eng.submit_to(i, "peak") for i in range(workers)]]
        LAST_RUN["workers_peak_mib"] = [p for p, _ in peaks]
        LAST_RUN["workers_principals"] = [k for _, k in peaks]
    finally:
        eng.close()
    result = join(ix, esc, lists, cycles, known_accounts)
    clock.lap("join")
    LAST_RUN.update(workers=workers, principals=n)
    return result


def _owned(owner: dict[str, int], parts: int) -> list[frozenset[str]]:
    """The accounts of each of ``parts`` parts (``owner``: account -> part)."""
    out: list[set[str]] = [set() for _ in range(parts)]
    for a, i in owner.items():
        if i < parts:
            out[i].add(a)
    return [frozenset(o) for o in out]


def _shares(source: WorldSource, world: World, ix: WorldIndex, owner: dict[str, int],
            workers: int) -> list[tuple[WorldSource, Dropped]]:
    """What each worker is sent (``analysis.partition``): its accounts' documents whole, every
    other account's cut to its summary (cut once, shared by every worker not owning it), and
    what the cut left out. ``world`` is ``source.world()``: one account per document, in order."""
    with gc_paused():  # many short-lived objects (the documents' JSON) beside a large heap
        cut = shares(ix)
        summary = {a: details_subset(raw, frozenset(cut.summary[a]))
                   for (_, raw), a in zip(source.accounts, world.accounts, strict=True) if a in cut.summary}
        accounts = list(world.accounts)
        out = []
        for i, owned in enumerate(_owned(owner, workers)):
            out.append((source.share(accounts, owned, summary, f"{source.key}/{i}/{workers}"), cut.dropped(owned)))
        return out


#: the driver's CPU seconds per step of the last parallel audit (``own_*``: its share of the
#: workers' kind of work) and the workers' CPU seconds: what ``benchmarks/scale.py`` prints
LAST_RUN: dict[str, Any] = {}


class _Clock:
    def __init__(self) -> None:
        LAST_RUN.clear()
        self.t = time.process_time()

    def lap(self, name: str) -> None:
        t = time.process_time()
        LAST_RUN[name] = LAST_RUN.get(name, 0.0) + t - self.t
        self.t = t

    def add(self, name: str, seconds: float) -> None:
        LAST_RUN[name] = LAST_RUN.get(name, 0.0) + seconds

    def own(self, name: str, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def timed(arg: Any) -> Any:
            t = time.process_time()
            try:
                return fn(arg)
            finally:
                self.add("own_" + name, time.process_time() - t)
        return timed


def _rounds(eng: Engine, ix: WorldIndex, owner: dict[str, int], workers: int, clock: _Clock) -> RunRound:
    """The split search's rounds (``analysis.split_search``): each round's targets go to the
    part owning their account (``owner``; the driver owns the last share); every worker
    hears what was placed since its last round, whether it has targets this round or not."""
    search_id = uuid.uuid4().hex
    mine = {CERTAIN: Part(CERTAIN), UNCERTAIN: Part(UNCERTAIN)}

    def run(phase: int, placed: Placed, targets: list[tuple[str, int]]) -> Found:
        cut: list[list[tuple[str, int]]] = [[] for _ in range(workers + 1)]
        for t, d in targets:
            cut[owner[ix.subjects[t].account_id]].append((t, d))
        futs = [eng.submit_to(i, "expand", search_id, phase, placed, cut[i]) for i in range(workers)]
        t0 = time.process_time()
        out = expand(ix, mine[phase], placed, cut[workers])
        clock.add("own_search", time.process_time() - t0)
        clock.add("rounds", 1)
        for f in futs:
            out.update(f.result())
        return out

    return run


def _by_part(eng: Engine, name: str, items: list[list[str]], shards: int,
             here: Callable[[list[str]], Any], progress: Progress | None = None) -> list[Any]:
    """``items[i]`` to worker ``i`` (in up to ``shards`` shards), the last list done by the
    driver itself meanwhile: a worker holds only its accounts, so each is asked about
    those alone. Results in worker order, the driver's last."""
    workers = len(items) - 1
    futs = [eng.submit_to(i, name, c) for i in range(workers) for c in shard(items[i], shards)]
    mine = [here(items[workers])] if items[workers] else []
    out = []
    for i, f in enumerate(futs):
        out.append(f.result())
        if progress:
            progress(name, i + 1, len(futs))
    return [*out, *mine]
