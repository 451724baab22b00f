"""The worker side: index the source once per process, then answer shards.

Module-level functions (picklable by name) so ``spawn``, ``forkserver`` and Ray
workers can run them; under ``fork`` the driver's own index is inherited through
``_INDEX`` and nothing is rebuilt. A spawned or Ray worker is sent its share once the
driver has cut it (``load_task``: its accounts' documents, the others' cross-account
summary, and what was dropped, ``analysis.partition``) and indexes that: it is asked
only about its own accounts' principals.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any, Callable, Iterable

from .._gc import gc_paused
from ..analysis import index_world
from ..analysis.index import WorldIndex
from ..analysis.partition import Dropped
from ..analysis.shards import AssumeGraph, Facts, assume_lists, cycle_graph, principal_facts
from ..analysis.split_search import Found, Part, Placed, expand
from ..analysis.techniques import ACTIONS
from ..loaders.authz_details import account_from_bytes
from ..model.account import Account
from .source import WorldSource

#: this process's index: (source key, index); one world at a time
_INDEX: list[tuple[str, WorldIndex]] = []
#: the source installed by the pool's initializer or ``load_task`` (tasks then need not carry it)
_SOURCE: list[WorldSource] = []
#: what the source's partial world left out (None: the source is the whole world)
_DROPPED: list[Dropped | None] = [None]
#: this worker's parts of the current split search, by (search id, pass); one search at a time
_PARTS: dict[tuple[str, int], Part] = {}
#: accounts parsed ahead (``preparse_task``), by (source name, SHA-256 of the bytes), taken by
#: the next index this worker builds
_PARSED: dict[tuple[str, bytes], Account] = {}


def install(source: WorldSource | None) -> None:
    """Pool initializer: remember the source (None: inherited under fork, or sent later)."""
    if source is not None:
        _SOURCE[:] = [source]
        _DROPPED[:] = [None]


def adopt(source: WorldSource, ix: WorldIndex) -> None:
    """The driver's index, for workers forked after this call."""
    _INDEX[:] = [(source.key, ix)]
    _SOURCE[:] = [source]
    _DROPPED[:] = [None]


def preparse_task(_: None, items: list[tuple[str, bytes]]) -> int:
    """Parse this worker's own accounts' documents now, while the driver indexes the world
    and cuts the shares (``load_task`` follows with the share; its documents that were parsed
    here, by name and bytes, are not parsed again)."""
    with gc_paused():
        for name, raw in items:
            _PARSED[(name, hashlib.sha256(raw).digest())] = account_from_bytes(raw, name)
    return len(items)


def load_task(_: None, source: WorldSource, dropped: Dropped | None) -> int:
    """This worker's share of the world (``WorldSource.share``) and what it left out; indexed
    now. Every later task of this worker asks about its own accounts only."""
    _INDEX.clear()
    _SOURCE[:] = [source]
    _DROPPED[:] = [dropped]
    return len(index_for(None).subjects)


def index_for(source: WorldSource | None) -> WorldIndex:
    src = source if source is not None else (_SOURCE[0] if _SOURCE else None)
    if src is None:
        raise RuntimeError("worker has no world: install() was not called")
    if _INDEX and _INDEX[0][0] == src.key:
        return _INDEX[0][1]
    _INDEX.clear()  # drop the previous world before building the next
    dropped = _DROPPED[0] if source is None else None
    world = src.world(_PARSED)
    _PARSED.clear()
    if dropped is None:
        ix = index_world(world, src.now)
    else:  # a share (``load_task``): the whole world's order of D15's groups comes with it
        with gc_paused():  # as ``index_world`` does
            ix = WorldIndex(world, ACTIONS, src.now, dropped)
    _INDEX[:] = [(src.key, ix)]
    return ix


def facts_task(source: WorldSource | None, arns: list[str]) -> Facts:
    return principal_facts(index_for(source), arns)


def assume_task(source: WorldSource | None, roles: list[str]) -> dict[str, tuple[str, ...]]:
    return assume_lists(index_for(source), roles)


def cycle_graph_task(source: WorldSource | None, accounts: Iterable[str], part: object) -> AssumeGraph:
    """IW005's graph into the roles of ``accounts`` (this worker's own)."""
    ix = index_for(source)
    mine = frozenset(accounts)
    return cycle_graph(ix, [a for a, s in ix.subjects.items() if s.kind == "role" and s.account_id in mine], part)


def expand_task(source: WorldSource | None, search_id: str, phase: int, placed: Placed,
                targets: list[tuple[str, int]]) -> Found:
    """One round of a split search (``analysis.split_search``) for this worker's targets. The
    worker keeps its part (what it knows was placed) between rounds: the engines send every
    round of one search to the same worker process."""
    ix = index_for(source)
    part = _PARTS.get((search_id, phase))
    if part is None:
        if any(k[0] != search_id for k in _PARTS):
            _PARTS.clear()
        part = _PARTS[(search_id, phase)] = Part(phase)
    return expand(ix, part, placed, targets)


def cpu_task(source: WorldSource | None) -> float:
    """This worker's CPU seconds so far (the benchmarks' split of the work)."""
    return time.process_time()


def peak_task(source: WorldSource | None) -> tuple[float, int]:
    """This worker's peak resident memory (MiB, ``ru_maxrss``) and how many principals its
    index holds (the benchmarks' memory per worker)."""
    n = len(_INDEX[0][1].subjects) if _INDEX else 0
    try:
        import resource  # noqa: PLC0415 (not on Windows)
    except ImportError:
        return 0.0, n
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, n


def warm_task(source: WorldSource | None) -> int:
    """Index the world now (Ray: overlaps the workers' indexing with the driver's)."""
    return len(index_for(source).subjects)


TASKS: dict[str, Callable[..., Any]] = {
    "facts": facts_task, "assume": assume_task, "warm": warm_task,
    "cycle_graph": cycle_graph_task, "expand": expand_task, "cpu": cpu_task, "peak": peak_task, "load": load_task,
    "preparse": preparse_task}
