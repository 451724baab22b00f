"""Semantic policy diff: z3 over an encoding of the policy language, with the engine as its oracle.

``check_no_new_access(old, new)`` answers "does NEW allow any request that OLD
denies?" (IAM Access Analyzer's ``CheckNoNewAccess``); ``check_access_not_granted``
answers ``CheckAccessNotGranted``. An answer either holds (no request exists in
the searched space), fails with a concrete request the engine confirms, or is
unknown with its reason. The searched space and the encoding's limits are in
``docs/decisions/diff-request-space.md``.
"""

from .domain import DEFAULT_BUDGET_MS, Unsupported
from .example import Example, engine_decision
from .query import FAILS, HOLDS, UNKNOWN, Answer, check_access_not_granted, check_no_new_access

__all__ = [
    "DEFAULT_BUDGET_MS",
    "FAILS",
    "HOLDS",
    "UNKNOWN",
    "Answer",
    "Example",
    "Unsupported",
    "check_access_not_granted",
    "check_no_new_access",
    "engine_decision",
]
