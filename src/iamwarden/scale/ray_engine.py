"""The Ray engine: the same tasks on Ray actors (the ``iamwarden[ray]`` extra).

Without ``address`` a local Ray instance is started with ``jobs`` CPUs and shut
down afterwards; with one (``ray://host:10001`` or ``auto``) the driver joins that
cluster. A Ray instance already running in this process (``ray.init`` called by
the caller) is used as it is and left running. The source goes into Ray's object
store once per actor: one actor per CPU of the cluster, started while the driver
indexes, is sent its share once the driver has cut it (the accounts it owns and the
cross-account summary: ``WorldSource.share``), and keeps its part of a split search
(``analysis.split_search``) between rounds.
"""

from __future__ import annotations

import itertools
from typing import Any

from . import tasks

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

    def __init__(self) -> None:
        tasks.install(None)  # its share comes with its first task (``tasks.load_task``)

    def run(self, name: str, *args: Any) -> Any:
        return tasks.TASKS[name](None, *args)


class RayEngine:
    """Joins (or starts) Ray and creates ``self.workers`` actors, one per CPU of the cluster;
    each is sent its share of the world by the driver (``tasks.load_task``)."""

    def __init__(self, jobs: int, address: str | None = None):
        ray = self.ray = import_ray()
        self.owned = not ray.is_initialized()
        if self.owned:
            if address:
                ray.init(address=address, logging_level="ERROR", log_to_driver=False)
            else:
                ray.init(num_cpus=jobs, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
        self.workers = max(1, int(ray.cluster_resources().get("CPU", jobs)))
        actor = ray.remote(num_cpus=1)(Worker)
        self.actors = [actor.remote() for _ in range(self.workers)]
        self._next = itertools.cycle(range(self.workers))

    def submit(self, name: str, *args: Any) -> RayFuture:
        return self.submit_to(next(self._next), name, *args)

    def submit_to(self, worker: int, name: str, *args: Any) -> RayFuture:
        return RayFuture(self.ray, self.actors[worker].run.remote(name, *args))

    def close(self) -> None:
        for a in self.actors:
            self.ray.kill(a)
        if self.owned:
            self.ray.shutdown()
