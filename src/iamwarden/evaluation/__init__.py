"""Deciding requests: context keys, the authorizer, and decisions with their reasons."""

from .authorizer import authorize
from .context import RequestContext
from .decision import Decision, Reason, Verdict
from .policyset import PolicySet
from .request import Request
from .world import UnknownPrincipal, caller_for, decide, policies_for

__all__ = [
    "Decision",
    "PolicySet",
    "Reason",
    "Request",
    "RequestContext",
    "UnknownPrincipal",
    "Verdict",
    "authorize",
    "caller_for",
    "decide",
    "policies_for",
]
