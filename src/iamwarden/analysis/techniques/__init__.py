"""Technique checkers: one module per catalog family, one interface, one registry.

A checker answers three questions, each by asking the engine through
``WorldIndex`` (never by reading action names):

- ``self_edges(s)``: can ``s`` grant itself administrator access on its own
  (catalog D01, D02, D07-D13, D24)? Edges from ``s`` to ``s`` with ``grants_admin``.
- ``edges_into(target, want)``: who can gain ``target``'s powers as they are
  (D03-D06, D14, D15, P01-P27, E01-E17)? ``want(source_arn)`` lets the graph
  skip sources it has already placed, so no question is asked twice for nothing.
- ``granting_edges(s)``: can ``s`` make another principal admin and then act as
  it (D16-D23)?

``REGISTRY`` lists the checkers; ``ACTIONS`` is every action any of them may
ask about, which is what ``WorldIndex`` indexes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Protocol

from ..edges import Edge

if TYPE_CHECKING:
    from ..index import WorldIndex
    from ..subject import Subject

class Want(Protocol):
    """``want(source_arn, uncertain=False)``: is an edge from this source still useful?
    Checkers whose edges are uncertain by nature say so, so the graph can cap them."""

    def __call__(self, source: str, uncertain: bool = False) -> bool: ...


class Checker(Protocol):
    family: str
    actions: frozenset[str]

    def self_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]: ...

    def edges_into(self, target: Subject, ix: WorldIndex, want: Want) -> Iterable[Edge]: ...

    def granting_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]: ...


def _registry() -> tuple[Checker, ...]:
    from .assume_role import AssumeRoleChecker
    from .existing_compute import ExistingComputeChecker
    from .iam_direct import IamDirectChecker
    from .passrole import PassRoleChecker
    from .resource_policies import ResourcePolicyChecker
    from .retag_role import RetagRoleChecker

    return (IamDirectChecker(), AssumeRoleChecker(), PassRoleChecker(), ExistingComputeChecker(),
            ResourcePolicyChecker(), RetagRoleChecker())


REGISTRY: tuple[Checker, ...] = _registry()
ACTIONS: frozenset[str] = frozenset(a for c in REGISTRY for a in c.actions)
