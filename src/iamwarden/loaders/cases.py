"""Decision cases in the shape of ``conformance/decisions.json`` (spec §8).

A case is a set of policies plus a request. ``expected`` and ``why`` are
carried along when present (the conformance runner compares them; the CLI
ignores them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..evaluation.policyset import PolicySet
from ..evaluation.request import Request
from ..policy.document import PolicyKind
from ..policy.errors import PolicySyntaxError, Problem


class CaseError(ValueError):
    """A case that cannot be read: names the case and the field."""


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    policies: PolicySet
    request: Request
    expected: str | None = None
    why: str | None = None


def _one(docs: Any, field: str) -> Any:
    if docs in (None, []):
        return None
    if isinstance(docs, list):
        if len(docs) > 1:
            raise CaseError(f"policies.{field}: at most one document, got {len(docs)}")
        return docs[0]
    return docs


def case_from_dict(raw: Any, position: int = 0) -> Case:
    where = f"case[{position}]"
    if not isinstance(raw, dict):
        raise CaseError(f"{where}: a case must be an object with 'policies' and 'request'")
    cid = str(raw.get("id", where))
    pol = raw.get("policies", {})
    req = raw.get("request")
    if not isinstance(pol, dict):
        raise CaseError(f"{cid}: 'policies' must be an object")
    if not isinstance(req, dict):
        raise CaseError(f"{cid}: 'request' must be an object with principal, action, resource")
    for f in ("principal", "action"):
        if not isinstance(req.get(f), str):
            raise CaseError(f"{cid}: request.{f} is required (a string)")
    action = req["action"]
    resource = req.get("resource", "*")
    try:
        kind = PolicyKind.TRUST if _is_trust(action, resource) else PolicyKind.RESOURCE
        policies = PolicySet.from_documents(
            identity=pol.get("identity") or [],
            resource=_one(pol.get("resource"), "resource"),
            boundary=_one(pol.get("boundary"), "boundary"),
            session=pol.get("session") or [],
            scp=pol.get("scp") or [],
            rcp=pol.get("rcp") or [],
            resource_kind=kind,
        )
    except PolicySyntaxError as e:
        raise CaseError(f"{cid}: {e}") from None
    try:
        request = Request.build(
            req["principal"],
            action,
            resource,
            context=req.get("context") or {},
            resource_account=req.get("resource_account"),
            principal_entity=req.get("principal_entity"),
        )
    except ValueError as e:
        raise CaseError(f"{cid}: request: {e}") from None
    return Case(cid, policies, request, raw.get("expected"), raw.get("why"))


def _is_trust(action: str, resource: str) -> bool:
    from ..evaluation.request import TRUST_ACTIONS

    return action.lower() in TRUST_ACTIONS and ":role/" in resource and resource.startswith("arn:")


def load_cases(path: str | Path) -> tuple[list[Case], bool]:
    """Read a file of one case or a list of cases. Returns (cases, was_a_list)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise CaseError(f"{path}: cannot read JSON: {e}") from None
    if isinstance(raw, list):
        if not raw:
            raise CaseError(f"{path}: an empty list: expected one case or a list of cases")
        return [case_from_dict(c, i) for i, c in enumerate(raw)], True
    return [case_from_dict(raw, 0)], False


__all__ = ["Case", "CaseError", "case_from_dict", "load_cases", "Problem"]
