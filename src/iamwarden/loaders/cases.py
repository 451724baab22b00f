"""Decision cases in the shape of ``conformance/decisions.json`` (spec §8).

A case is a set of policies plus a request. ``expected`` and ``why`` are
carried along when present (the conformance runner compares them; the CLI
ignores them).

Documents IAM would refuse to store are still decided (spec §1.4): they are
read with ``tolerant=True``, so a principal entry with a wildcard inside
matches nothing and the problem is reported in the decision's errors. A case
that cannot be decided at all (no request, a document that is not a policy)
is a ``CaseError`` of its own: in a list, it never stops the other cases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..evaluation.policyset import PolicySet
from ..evaluation.request import Request
from ..i18n import N_
from ..policy.document import PolicyKind
from ..policy.errors import PolicySyntaxError, Problem


class CaseError(ValueError):
    """A case that cannot be read: names the case and the field."""

    case_id: str | None = None


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
            raise CaseError(N_("policies.{field}: at most one document, got {n}", field=field, n=len(docs)))
        return docs[0]
    return docs


def case_from_dict(raw: Any, position: int = 0) -> Case:
    where = f"case[{position}]"
    if not isinstance(raw, dict):
        raise CaseError(N_("{where}: a case must be an object with 'policies' and 'request'", where=where))
    cid = str(raw.get("id", where))
    pol = raw.get("policies", {})
    req = raw.get("request")
    if not isinstance(pol, dict):
        raise CaseError(N_("{case}: 'policies' must be an object", case=cid))
    if not isinstance(req, dict):
        raise CaseError(N_("{case}: 'request' must be an object with principal, action, resource", case=cid))
    for f in ("principal", "action"):
        if not isinstance(req.get(f), str):
            raise CaseError(N_("{case}: request.{field} is required (a string)", case=cid, field=f))
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
            tolerant=True,
        )
    except PolicySyntaxError as e:
        raise CaseError(f"{cid}: {e}") from None
    except (TypeError, AttributeError) as e:  # a policies field of the wrong JSON type
        raise CaseError(N_("{case}: policies: not in the shape of decisions.json ({error})", case=cid,
                           error=str(e))) from None
    try:
        request = Request.build(
            req["principal"],
            action,
            resource,
            context=req.get("context") or {},
            resource_account=req.get("resource_account"),
            principal_entity=req.get("principal_entity"),
        )
    except (ValueError, TypeError, AttributeError) as e:
        raise CaseError(f"{cid}: request: {e}") from None
    return Case(cid, policies, request, raw.get("expected"), raw.get("why"))


def _is_trust(action: str, resource: str) -> bool:
    from ..evaluation.request import TRUST_ACTIONS

    return action.lower() in TRUST_ACTIONS and ":role/" in resource and resource.startswith("arn:")


def case_id(raw: Any, position: int) -> str:
    """The id a case is reported under: its ``id``, or ``case[i]``."""
    if isinstance(raw, dict) and "id" in raw:
        return str(raw["id"])
    return f"case[{position}]"


def load_cases(path: str | Path) -> tuple[list[Case | CaseError], bool]:
    """Read a file of one case or a list of cases. Returns (cases, was_a_list).

    Each entry is a ``Case``, or the ``CaseError`` that case raised: one bad
    case never stops the others (spec §1.4). Raises ``CaseError`` only when the
    file itself cannot be read as JSON.
    """
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as e:
        raise CaseError(N_("{path}: cannot read JSON: {error}", path=path, error=str(e))) from None
    if isinstance(raw, list) and not raw:
        raise CaseError(N_("{path}: an empty list: expected one case or a list of cases", path=path))
    items, is_list = (raw, True) if isinstance(raw, list) else ([raw], False)
    out: list[Case | CaseError] = []
    for i, c in enumerate(items):
        try:
            out.append(case_from_dict(c, i))
        except CaseError as e:
            e.case_id = case_id(c, i)
            out.append(e)
    return out, is_list


__all__ = ["Case", "CaseError", "case_from_dict", "case_id", "load_cases", "Problem"]
