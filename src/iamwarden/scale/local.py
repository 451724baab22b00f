"""The local engine: worker processes on this machine (``concurrent.futures``).

One single-process pool per worker, so that ``submit_to(i, ...)`` reaches the same
process every time: a split search's part (``analysis.split_search.Part``) lives in
its worker between rounds, and a spawned worker holds only its share of the world.
Other tasks go round-robin."""

from __future__ import annotations

import itertools
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from ..analysis.index import WorldIndex
from . import tasks
from .source import WorldSource


def start_method() -> str:
    """``fork`` where the platform has it (workers inherit the driver's index: nothing is
    parsed twice), else ``spawn`` (each worker indexes the source once)."""
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


class LocalEngine:
    """``jobs`` worker processes; ``method`` overrides the start method (tests use spawn).

    Forked workers inherit ``ix``, the driver's index of the whole world (needed then, and
    nothing is parsed twice); spawned ones start now (their imports overlap the driver's
    indexing) and are sent their share later (``tasks.load_task``)."""

    def __init__(self, source: WorldSource, ix: WorldIndex | None, jobs: int, method: str | None = None):
        self.method = method or start_method()
        ctx = multiprocessing.get_context(self.method)
        if self.method == "fork":
            if ix is None:
                raise ValueError("fork workers inherit the driver's index: index the world first")
            tasks.adopt(source, ix)  # before the pools fork
        self.pools = [ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=tasks.install,
                                          initargs=(None,)) for _ in range(jobs)]
        self.workers = jobs
        self._next = itertools.cycle(range(jobs))
        if self.method != "fork":
            for p in self.pools:  # start the processes (imports) while the driver indexes
                p.submit(tasks.cpu_task, None)

    def submit(self, name: str, *args: Any) -> Future[Any]:
        return self.submit_to(next(self._next), name, *args)

    def submit_to(self, worker: int, name: str, *args: Any) -> Future[Any]:
        return self.pools[worker].submit(tasks.TASKS[name], None, *args)

    def close(self) -> None:
        for p in self.pools:
            p.shutdown(wait=True, cancel_futures=True)
        tasks._INDEX.clear()
        tasks._SOURCE.clear()
        tasks._DROPPED[:] = [None]
        tasks._PARTS.clear()
