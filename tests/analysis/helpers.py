from __future__ import annotations

from iamwarden.analysis import AuditResult, audit
from iamwarden.model.account import World


def run(w: World) -> AuditResult:
    return audit(w)


def techniques(result: AuditResult, arn: str, uncertain: bool = False) -> list[list[str]]:
    p = result.principal(arn)
    assert p is not None, arn
    paths = p.uncertain_paths if uncertain else p.paths
    return [[e.technique for e in steps] for steps in paths]


def escalates(result: AuditResult, arn: str) -> bool:
    p = result.principal(arn)
    assert p is not None, arn
    return p.can_escalate
