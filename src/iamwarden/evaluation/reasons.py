"""The reasons a decision gives (spec §1.3): immutable values, each built once.

One place for the authorizer's wording, shared by the step-by-step procedure
(``authorizer``) and the compiled per-action plans (``plan``), so both give
the same reasons, word for word.
"""

from __future__ import annotations

from functools import lru_cache

from ..policy.document import Policy, Statement
from .decision import Reason


@lru_cache(maxsize=1024)
def _rule(ptype: str, message: str) -> Reason:
    """A reason that names a rule, not a statement: immutable, so built once per message."""
    return Reason(ptype, message)


_REASONS: dict[tuple[str, Policy, Statement, str], Reason] = {}


def _reason(ptype: str, p: Policy, s: Statement, message: str) -> Reason:
    """Reasons are immutable values: build each (policy type, statement, message) once."""
    key = (ptype, p, s, message)
    r = _REASONS.get(key)
    if r is None:
        if len(_REASONS) >= 65536:
            _REASONS.clear()
        r = _REASONS[key] = Reason(ptype, message, p.name, s.index, s.sid, s.effect.value)
    return r


#: why an Allow + NotPrincipal statement granted (spec §1.4): it is read like Principal "*"
_NOT_PRINCIPAL_GRANT = ("Allow with NotPrincipal: the caller is not exempted, so it is granted "
                        "as by Principal \"*\"")

_DENY_MESSAGES = {
    t: f"explicit Deny in the {label}"
    for t, label in (("identity", "identity-based policy"), ("resource", "resource-based policy"),
                     ("boundary", "permissions boundary"), ("session", "session policy"),
                     ("scp", "service control policy"), ("rcp", "resource control policy"))
}


_LABELS = {
    "identity": "identity-based policy",
    "resource": "resource-based policy",
    "trust": "role trust policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "scp": "service control policy",
    "rcp": "resource control policy",
}


def _label(ptype: str) -> str:
    return _LABELS.get(ptype, ptype)
