"""The Ray engine: the same tasks on Ray actors (the ``iamwarden[ray]`` extra).

Without ``address`` a local Ray instance is started with ``jobs`` CPUs and shut
down afterwards; with one (``ray://host:10001`` or ``auto``) the driver joins that
cluster. A Ray instance already running in this process (``ray.init`` called by
the caller) is used as it is and left running. The source goes into Ray's object
store once; one actor per CPU of the cluster indexes its share of it when created
(the accounts it owns and the cross-account summary: ``WorldSource.partial``), and
keeps its part of a split search (``analysis.split_search``) between rounds.
"""

from __future__ import annotations

import itertools
from typing import Any

from . import tasks
from .source import WorldSource

INSTALL_RAY = "install iamwarden[ray] (pip install 'iamwarden[ray]', or pip install -e '.[ray]' in a clone)"


class RayUnavailable(RuntimeError):
    pass


def import_ray() -> Any:
    try:
        import ray  # noqa: PLC0415 (optional dependency)
    except ImportError:
        raise RayUnavailable(f"--engine ray needs Ray, which is not installed: {INSTALL_RAY}") from None
    return ray


class RayFuture:
    def __init__(self, ray: Any, ref: Any):
        self.ray, self.ref = ray, ref

    def result(self) -> Any:
        return self.ray.get(self.ref)


class Worker:
    """A Ray actor: one worker process holding its share of the world's index and its search parts."""

    def __init__(self, source: WorldSource, owned: frozenset[str] | None = None):
        tasks.install(source, owned)
        tasks.warm_task(None)

    def run(self, name: str, *args: Any) -> Any:
        return tasks.TASKS[name](None, *args)


class RayEngine:
    """Joins (or starts) Ray; ``start`` then creates the actors, ``self.workers`` of them,
    actor ``i`` owning the accounts ``owned[i]`` (the driver deals them once it knows how
    many CPUs the cluster has)."""

    def __init__(self, source: WorldSource, jobs: int, address: str | None = None):
        ray = self.ray = import_ray()
        self.owned = not ray.is_initialized()
        if self.owned:
            if address:
                ray.init(address=address, logging_level="ERROR", log_to_driver=False)
            else:
                ray.init(num_cpus=jobs, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
        self.workers = max(1, int(ray.cluster_resources().get("CPU", jobs)))
        self.source = source
        self.actors: list[Any] = []
        self._next = itertools.cycle(range(self.workers))

    def start(self, owned: list[frozenset[str]] | None = None) -> None:
        ref = self.ray.put(self.source)
        actor = self.ray.remote(num_cpus=1)(Worker)
        self.actors = [actor.remote(ref, owned[i] if owned else None) for i in range(self.workers)]

    def submit(self, name: str, *args: Any) -> RayFuture:
        return self.submit_to(next(self._next), name, *args)

    def submit_to(self, worker: int, name: str, *args: Any) -> RayFuture:
        return RayFuture(self.ray, self.actors[worker].run.remote(name, *args))

    def close(self) -> None:
        for a in self.actors:
            self.ray.kill(a)
        if self.owned:
            self.ray.shutdown()
