"""A compiled plan per (policy set, action) for the commonest question (spec §1.3, §1.5).

Most decisions ask about a user or a role session acting in its own account,
under identity policies alone: no resource policy, boundary, session policy,
SCP or RCP. For such a policy set the procedure of ``authorizer`` reduces to
two questions: does a Deny statement apply (explicit deny), and does an Allow
statement apply (allowed; else the implicit deny "same account"). This module
compiles, once per action, the candidate statements of both effects into
``(test, reason)`` pairs, the test being the statement's whole check in one
closure (``Statement._applies``) and the reason the one the procedure gives.

A plan answers only what it can answer exactly as the procedure would;
everything else is handed back (``None``) and ``authorizer`` decides step by
step, from the start: another caller type (root, service, anonymous, a
federated user), another account, a KMS key (its key policy must allow), a
role's trust actions, a condition that raises ``ConditionError`` (so the error
is reported by the procedure, which fails closed), or a context that is not a
``RequestContext``. ``tests/evaluation/test_plan.py`` checks plan and
procedure against each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..model.principal import PrincipalType
from ..policy.conditions import ConditionError
from ..policy.document import Effect
from .context import RequestContext
from .decision import Decision, Reason, Verdict
from .reasons import _DENY_MESSAGES, _reason, _rule
from .request import TRUST_ACTIONS, Request, _resource_kind

Applies = Callable[[str, dict[str, str | tuple[str, ...]], RequestContext], bool]

#: callers whose same-account decision under identity policies alone is the two
#: questions above (a federated user needs a session policy: §1.2)
_PLAIN_CALLERS = (PrincipalType.USER, PrincipalType.ROLE_SESSION)
_ALLOW = Verdict.ALLOW
_EXPLICIT_DENY = Verdict.EXPLICIT_DENY
_IMPLICIT_DENY = Verdict.IMPLICIT_DENY
_NOTHING_ALLOWS = _rule("identity", "no identity-based or resource-based policy allows this action")
_NOTHING_ALLOWS_REASONS = (_NOTHING_ALLOWS,)
_ALLOW_RULE = "same account, identity-based policy allows"


@dataclass(frozen=True, slots=True)
class IdentityPlan:
    """One action's candidate statements of an identity-only policy set, compiled.

    ``denies`` / ``allows``: ``(test, reason)`` in the order the procedure reports
    them. ``trust_action``: the action is one whose resource policy, on a role, is
    the trust policy (the plan then leaves IAM role resources to the procedure).
    """

    denies: tuple[tuple[Applies, Reason], ...]
    allows: tuple[tuple[Applies, Reason], ...]
    trust_action: bool

    def decide(self, request: Request) -> Decision | None:
        """The decision, or None when this request is not one the plan answers."""
        caller = request.caller
        if caller.type not in _PLAIN_CALLERS:
            return None
        account = caller.account
        if account is None or account != request.resource_account:
            return None
        resource = request.resource
        # ``_resource_kind`` is "kms-key" only for a ``:kms:`` ARN and "role" only for an ``:iam:`` one
        if ":kms:" in resource or (self.trust_action and ":iam:" in resource):
            kind = _resource_kind(resource)
            if kind == "kms-key" or (kind == "role" and self.trust_action):
                return None
        ctx = request.context
        if type(ctx) is not RequestContext:
            return None
        values = ctx._values
        try:
            if self.denies:
                hits = [r for test, r in self.denies if test(resource, values, ctx)]
                if hits:
                    return Decision(_EXPLICIT_DENY, tuple(hits), (), "explicit deny")
            hits = [r for test, r in self.allows if test(resource, values, ctx)]
        except ConditionError:
            return None  # the procedure meets the same error and reports it
        if hits:
            return Decision(_ALLOW, tuple(hits), (), _ALLOW_RULE)
        return Decision(_IMPLICIT_DENY, _NOTHING_ALLOWS_REASONS, (), "same account")


def identity_plan(policies: Any, action_key: str, candidates: Any) -> IdentityPlan | None:
    """The plan for ``action_key``, or None when the policy set or a statement needs the procedure.

    ``policies`` is a ``PolicySet`` and ``candidates`` its ``Candidates`` for the
    action (typed loosely: ``policyset`` imports this module).
    """
    if (policies.resource is not None or policies.boundary is not None or policies.session
            or policies.scp or policies.rcp):
        return None
    if action_key == "sts:getcalleridentity":  # needs no permission (authorizer step 0)
        return None
    denies: list[tuple[Applies, Reason]] = []
    allows: list[tuple[Applies, Reason]] = []
    message = _DENY_MESSAGES["identity"]
    for p, s in candidates.identity:
        test = s._applies
        if test is None:
            return None
        if s.effect is Effect.DENY:
            denies.append((test, _reason("identity", p, s, message)))
        else:
            allows.append((test, _reason("identity", p, s, "identity-based policy allows")))
    return IdentityPlan(tuple(denies), tuple(allows), action_key in TRUST_ACTIONS)
