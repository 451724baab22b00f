"""The Ray engine: the same tasks as Ray remote functions (the ``iamwarden[ray]`` extra).

Without ``address`` a local Ray instance is started with ``jobs`` CPUs and shut
down afterwards; with one (``ray://host:10001`` or ``auto``) the driver joins that
cluster. A Ray instance already running in this process (``ray.init`` called by
the caller) is used as it is and left running. The source goes into Ray's object
store once; every worker process indexes it the first time a task needs it.
"""

from __future__ import annotations

from typing import Any

from ..analysis.index import WorldIndex
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


class RayEngine:
    def __init__(self, source: WorldSource, ix: WorldIndex, jobs: int, address: str | None = None):
        ray = self.ray = import_ray()
        self.owned = not ray.is_initialized()
        if self.owned:
            if address:
                ray.init(address=address, logging_level="ERROR", log_to_driver=False)
            else:
                ray.init(num_cpus=jobs, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
        self.source = ray.put(source)
        self.remote = {name: ray.remote(fn) for name, fn in tasks.TASKS.items()}
        self.workers = max(1, int(ray.cluster_resources().get("CPU", jobs)))

    def submit(self, name: str, *args: Any) -> RayFuture:
        return RayFuture(self.ray, self.remote[name].remote(self.source, *args))

    def close(self) -> None:
        if self.owned:
            self.ray.shutdown()
