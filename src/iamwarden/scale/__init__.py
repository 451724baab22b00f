"""Audits across processes or a Ray cluster, with the same answer as one process.

An adapter around the pure core: ``analysis.shards`` says what can be computed
apart and how the pieces join; this package runs the pieces. Parsed policies
hold compiled matchers that do not pickle, so workers never receive a world:
they receive a ``WorldSource`` (the accounts' GAAD bytes or file paths, and the
moment of the audit) and index it themselves, once per worker.

- ``audit_world(source, jobs=None, engine="local", address=None)``: the audit,
  in-process below ``PARALLEL_MIN_PRINCIPALS`` or with ``jobs=1``;
- engines: ``local`` (``concurrent.futures.ProcessPoolExecutor``, fork where the
  platform has it, spawn-safe), ``ray`` (the optional ``iamwarden[ray]`` extra).
"""

from .driver import PARALLEL_MIN_PRINCIPALS, EngineUnavailable, audit_world, default_jobs
from .source import WorldSource

__all__ = ["PARALLEL_MIN_PRINCIPALS", "EngineUnavailable", "WorldSource", "audit_world", "default_jobs"]
