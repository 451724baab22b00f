"""Escalation analysis: who is admin, who can become admin, how, and what to fix.

Pure core (no I/O): give it a ``World`` (``loaders.authz_details.load_world``).

- ``audit(world) -> AuditResult`` (``.to_json()`` is the report shape);
- ``who_can(world, action, resource)`` and ``find_path(world, source, target)``;
- ``WorldIndex`` and the checkers in ``analysis.techniques`` for finer use.

Technique IDs are those of ``docs/privesc-catalog.md``.
"""

from __future__ import annotations

from datetime import datetime

from .._gc import gc_paused
from ..model.account import World
from .edges import Edge
from .findings import Finding
from .graph import Escalation, Progress, escalation
from .index import WorldIndex
from .queries import Reach, find_path, who_can
from .result import AuditResult, PrincipalResult
from .shards import join
from .techniques import ACTIONS


def index_world(world: World, now: datetime | None = None) -> WorldIndex:
    """Index a world for the technique checkers (done once per audit).

    ``now``: the moment of the audit, so conditions on ``aws:CurrentTime`` and
    ``aws:TokenIssueTime`` are decided with the values a request made now has
    (``analysis.session``); the core reads no clock, the caller passes it.
    The cyclic collector is paused (``_gc``): the split audit's driver and its workers index
    outside ``audit``, and indexing 1,000,000 principals took 77 s of the driver's CPU with
    the collector running against 36 s in one process.
    """
    with gc_paused():
        return WorldIndex(world, ACTIONS, now)


def audit(world: World, progress: Progress | None = None, index: WorldIndex | None = None,
          now: datetime | None = None, known_accounts: frozenset[str] | None = None) -> AuditResult:
    """The whole audit: admins, escalation paths (certain, then uncertain), findings.

    ``known_accounts``: account ids that are not loaded but known (``--known-accounts``);
    trusts of other unloaded accounts are third-party findings (IW003/IW018).
    """
    with gc_paused():
        ix = index or index_world(world, now)
        esc = escalation(ix, progress)
        return join(ix, esc, None, None, known_accounts)


__all__ = [
    "AuditResult", "Edge", "Escalation", "Finding", "PrincipalResult", "Reach", "WorldIndex",
    "audit", "escalation", "find_path", "index_world", "who_can",
]
