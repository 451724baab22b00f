"""The worker side: index the source once per process, then answer shards.

Module-level functions (picklable by name) so ``spawn``, ``forkserver`` and Ray
workers can run them; under ``fork`` the driver's own index is inherited through
``_INDEX`` and nothing is rebuilt.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from ..analysis import index_world
from ..analysis.findings import Finding
from ..analysis.index import WorldIndex
from ..analysis.shards import Facts, assume_lists, cycle_findings, principal_facts
from ..analysis.split_search import Found, Part, Placed, expand
from .source import WorldSource

#: this process's index: (source key, index); one world at a time
_INDEX: list[tuple[str, WorldIndex]] = []
#: the source installed by the pool's initializer (tasks then need not carry it)
_SOURCE: list[WorldSource] = []
#: this worker's parts of the current split search, by (search id, pass); one search at a time
_PARTS: dict[tuple[str, int], Part] = {}


def install(source: WorldSource | None) -> None:
    """Pool initializer: remember the source (None under fork: the index is inherited)."""
    if source is not None:
        _SOURCE[:] = [source]


def adopt(source: WorldSource, ix: WorldIndex) -> None:
    """The driver's index, for workers forked after this call."""
    _INDEX[:] = [(source.key, ix)]
    _SOURCE[:] = [source]


def index_for(source: WorldSource | None) -> WorldIndex:
    src = source if source is not None else (_SOURCE[0] if _SOURCE else None)
    if src is None:
        raise RuntimeError("worker has no world: install() was not called")
    if _INDEX and _INDEX[0][0] == src.key:
        return _INDEX[0][1]
    _INDEX.clear()  # drop the previous world before building the next
    ix = index_world(src.world(), src.now)
    _INDEX[:] = [(src.key, ix)]
    return ix


def facts_task(source: WorldSource | None, arns: list[str]) -> Facts:
    return principal_facts(index_for(source), arns)


def assume_task(source: WorldSource | None, roles: list[str]) -> dict[str, tuple[str, ...]]:
    return assume_lists(index_for(source), roles)


def cycles_task(source: WorldSource | None) -> list[Finding]:
    return cycle_findings(index_for(source))


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


def warm_task(source: WorldSource | None) -> int:
    """Index the world now (Ray: overlaps the workers' indexing with the driver's)."""
    return len(index_for(source).subjects)


TASKS: dict[str, Callable[..., Any]] = {
    "facts": facts_task, "assume": assume_task, "cycles": cycles_task, "warm": warm_task,
    "expand": expand_task, "cpu": cpu_task}
