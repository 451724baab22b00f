"""Requests made with MFA: possible for any principal, but not something IAM data shows.

A user acting with long-term keys sends no ``aws:MultiFactorAuthPresent`` (spec §3.2), so
AWS's own "force MFA" policy (``Deny`` everything but a few IAM calls when ``BoolIfExists
aws:MultiFactorAuthPresent false``) denies each of its requests. The same user gets MFA
credentials with ``sts:GetSessionToken`` and its device (a role session with the
``SerialNumber`` of ``sts:AssumeRole``), and then the Deny does not apply. Asked only without
MFA, the analysis reported an ``AdministratorAccess`` user under that policy as no
administrator and lost every path through such users; and a permission granted only with MFA
never gave an edge.

So a question the policies in force answer with a denial is asked once more with MFA
(``aws:MultiFactorAuthPresent`` ``true``, ``aws:MultiFactorAuthAge`` ``0``: the device was just
used) when one of their statements tests an MFA key (``origins.authorize_from_some_origin``).
An allow found that way carries ``NEEDS_MFA`` among its reasons, and an edge built on it is
uncertain (``Edge``): MFA devices are not in IAM data (catalog rule 5), the same answer the
AssumeRole technique gives for a trust that requires MFA. A question whose context already
says whether MFA was used is asked as it is.

docs/decisions/analysis-mfa-requests.md records the choice.
"""

from __future__ import annotations

from ..evaluation import Decision, Reason

PRESENT = "aws:MultiFactorAuthPresent"
AGE = "aws:MultiFactorAuthAge"
KEYS_LOWER = frozenset({PRESENT.lower(), AGE.lower()})
#: what a request made just after an MFA sign-in carries
WITH_MFA = {PRESENT: "true", AGE: "0"}

#: how every uncertainty note about MFA starts (the AssumeRole technique writes its own)
MFA_PREFIX = "needs MFA"
#: the uncertainty note of an edge that needs MFA (``hop_text.UNCERTAIN_NOTES`` translates it)
NOTE = "needs MFA: a policy in force requires aws:MultiFactorAuthPresent, and MFA devices are not in IAM data"
#: the reason an allow found with MFA carries besides the engine's (compared by identity)
NEEDS_MFA = Reason("request", "allowed with MFA (aws:MultiFactorAuthPresent true); MFA devices are not in IAM data")


def with_mfa(d: Decision) -> Decision:
    """``d`` (an allow found with MFA) with ``NEEDS_MFA`` among its reasons."""
    return Decision(d.verdict, d.reasons + (NEEDS_MFA,), d.errors, d.rule, d.details)


def needed_mfa(d: Decision) -> bool:
    """Was this allow found only with MFA?"""
    return any(r is NEEDS_MFA for r in d.reasons)
