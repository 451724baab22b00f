"""The local engine: worker processes on this machine (``concurrent.futures``)."""

from __future__ import annotations

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
    """``jobs`` worker processes; ``method`` overrides the start method (tests use spawn)."""

    def __init__(self, source: WorldSource, ix: WorldIndex, jobs: int, method: str | None = None):
        self.method = method or start_method()
        if self.method == "fork":
            tasks.adopt(source, ix)  # before the pool forks
            initargs: tuple[Any, ...] = (None,)
        else:
            initargs = (source,)
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(self.method),
                                        initializer=tasks.install, initargs=initargs)
        if self.method != "fork":
            for _ in range(jobs):  # start indexing in every worker while the driver indexes too
                self.pool.submit(tasks.warm_task, None)

    def submit(self, name: str, *args: Any) -> Future[Any]:
        return self.pool.submit(tasks.TASKS[name], None, *args)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        tasks._INDEX.clear()
        tasks._SOURCE.clear()
