"""Escalation through resources of other services that are loaded with their policies.

R01/R02: a Lambda function runs as a role; whoever may update its code or its
configuration runs code as that role (the same move as catalog E01/E02). With the
function in a resources file the step is **certain**: the function exists, and the
engine decides the update with the function's own policy and account (spec §1.5),
so another account named by the function policy reaches the role too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ...model.account import Role
from ..edges import Edge, reasons_of
from . import Want
from ._service import trusts_service

if TYPE_CHECKING:
    from ..index import WorldIndex
    from ..subject import Subject

LAMBDA = "lambda.amazonaws.com"
#: technique id -> the action that takes over a loaded function
TAKEOVER = (("R01", "lambda:UpdateFunctionCode"), ("R02", "lambda:UpdateFunctionConfiguration"))


class ResourcePolicyChecker:
    family = "resource"
    actions = frozenset(a for _, a in TAKEOVER)

    def self_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]:
        return ()

    def granting_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]:
        return ()

    def edges_into(self, target: Subject, ix: WorldIndex, want: Want) -> Iterable[Edge]:
        role = target.entity
        if not isinstance(role, Role) or not len(ix.world.resources):
            return
        functions = [r for r in ix.world.resources if r.kind == "lambda-function" and r.role == role.arn]
        if not functions:
            return
        svc = trusts_service(ix, role, LAMBDA)
        if svc is None:
            return
        done: set[str] = set()
        for fn in functions:
            for tid, action in TAKEOVER:
                for src, s in ix.subjects.items():
                    if src in done or src == target.arn or not want(src):
                        continue
                    d = ix.ask(s, action, fn.arn)
                    if not d.allowed:
                        continue
                    done.add(src)
                    yield Edge(src, target.arn, tid,
                               f"can {action.split(':', 1)[1]} on Lambda function {fn.name}, which runs as "
                               f"{role.name}", reasons_of(svc, d))
