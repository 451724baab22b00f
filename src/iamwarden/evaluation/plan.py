"""A compiled plan per (policy set, action) for the commonest question (spec §1.3, §1.5).

Most decisions ask about a user or a role session acting in its own account,
under identity policies alone: no resource policy, boundary, session policy,
SCP or RCP. For such a policy set the procedure of ``authorizer`` reduces to
two questions: does a Deny statement apply (explicit deny), and does an Allow
statement apply (allowed; else the implicit deny "same account"). This module
compiles, once per action, the candidate statements of both effects into
``(test, reason)`` pairs, the test being the statement's whole check in one
closure (``Statement._applies``) and the reason the one the procedure gives.
Per (plan, resource) the pairs are narrowed once to the statements whose
resource matches (a resource test is a pure glob match), so a request asks
only their conditions; with none left to ask, the reasons are fixed.

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


#: an entry of a plan: (the statement's whole test, its reason, its two halves or None)
Entry = tuple[Applies, Reason, Any]
#: the entries that can apply to one resource: (test or None, reason, whether the test reads
#: only the context's dict: ``test(values)``, else ``test(resource, values, ctx)``)
Narrowed = tuple[tuple[Any, Reason, bool], ...]


class _Outcomes:
    """One effect's entries narrowed to one resource, and the decisions they lead to.

    The entries that still have a test (their conditions, or their whole test when
    the resource test reads the context) are numbered in the plan's order; a
    request's outcome is the mask of the bits of the tests that held.
    ``vtests``: ``(test, bit)`` of the tests that read only the context's dict,
    ``tests``: the others. Each test is pure, and any ``ConditionError`` hands
    the request to the procedure, so the two groups may be asked one after the
    other. ``always``: some entry applies whatever the request holds.
    ``table[mask]``: the ``Decision`` those outcomes give, assembled the first
    time it is met (the reasons of the entries that apply, in order), or None
    when there are more than ``_TABLE_BITS`` tests (then each request assembles
    its own). Decisions are immutable values, so one may be given to every
    request with the same outcomes; every test is still asked per request.
    """

    __slots__ = ("entries", "vtests", "tests", "always", "table")

    def __init__(self, entries: Narrowed) -> None:
        self.entries = entries
        vtests: list[tuple[Any, int]] = []
        tests: list[tuple[Any, int]] = []
        n = 0
        for test, _, values_only in entries:
            if test is not None:
                (vtests if values_only else tests).append((test, 1 << n))
                n += 1
        self.vtests = tuple(vtests)
        self.tests = tuple(tests)
        self.always = n < len(entries)
        self.table: list[Decision | None] | None = [None] * (1 << n) if n <= _TABLE_BITS else None

    def reasons(self, mask: int) -> tuple[Reason, ...]:
        """The reasons of the entries that apply when the tests of ``mask`` held, in order."""
        out: list[Reason] = []
        bit = 1
        for test, reason, _ in self.entries:
            if test is None:
                out.append(reason)
            else:
                if mask & bit:
                    out.append(reason)
                bit <<= 1
        return tuple(out)


#: a plan's tests hold at most this many per effect and resource for its decisions to be kept
_TABLE_BITS = 6

#: (plan, resource) -> the plan's Deny and Allow entries narrowed to that resource
#: (``_Outcomes``; None for the Deny entries of a plan that has none). One dict for
#: every plan, bounded like ``reasons._REASONS``: cleared when full, and only
#: resources up to ``_NARROWED_LENGTH`` characters of plans up to
#: ``_NARROWED_ENTRIES`` statements are kept (about 50 MB at the very most), so no
#: stream of distinct or long resources or actions can grow it. The decisions the
#: entries keep are counted in ``_kept``; past ``_KEPT_SIZE`` (about 40 MB of
#: decisions and reason tuples at the very most, and the tables' slots about 10 MB)
#: the dict is cleared too.
_NARROWED: dict[tuple[Any, str], tuple[_Outcomes | None, _Outcomes]] = {}
_NARROWED_SIZE = 8192
_NARROWED_LENGTH = 2048
_NARROWED_ENTRIES = 64
_KEPT_SIZE = 65536
_kept = 0


def _narrow(entries: tuple[Entry, ...], resource: str) -> _Outcomes:
    """The entries that can apply to ``resource``, in order.

    A statement whose resource test needs no context is asked about the resource
    here, once (a glob match: pure, never raises); the others keep their whole test.
    """
    out: list[tuple[Any, Reason, bool]] = []
    for test, reason, split in entries:
        if split is None:
            out.append((test, reason, False))
            continue
        resource_test, conditions_test, values_test = split
        if resource_test is None or resource_test(resource):
            if values_test is not None:
                out.append((values_test, reason, True))
            else:
                out.append((conditions_test, reason, False))
    return _Outcomes(tuple(out))


def _decision(outcomes: _Outcomes, mask: int, deny: bool) -> Decision:
    """The decision of ``outcomes`` for ``mask``, kept in its table when it has one."""
    global _kept
    reasons = outcomes.reasons(mask)
    if deny:
        d = Decision(_EXPLICIT_DENY, reasons, (), "explicit deny")
    elif reasons:
        d = Decision(_ALLOW, reasons, (), _ALLOW_RULE)
    else:
        d = _NOTHING_ALLOWED
    table = outcomes.table
    if table is not None:
        _kept += 1
        if _kept > _KEPT_SIZE:
            _kept = 0
            _NARROWED.clear()  # the tables go with their entries
        table[mask] = d
    return d


_NOTHING_ALLOWED = Decision(_IMPLICIT_DENY, _NOTHING_ALLOWS_REASONS, (), "same account")


@dataclass(frozen=True, slots=True, eq=False)
class IdentityPlan:
    """One action's candidate statements of an identity-only policy set, compiled.

    ``denies`` / ``allows``: entries in the order the procedure reports them.
    ``trust_action``: the action is one whose resource policy, on a role, is the
    trust policy (the plan then leaves IAM role resources to the procedure).
    Per resource, the entries are narrowed once to the statements whose
    resource matches (``_NARROWED``); a request then asks only their conditions,
    and the decision for the conditions' outcomes is assembled once (``_Outcomes``).
    """

    denies: tuple[Entry, ...]
    allows: tuple[Entry, ...]
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
        key = (self, resource)
        narrowed = _NARROWED.get(key)
        if narrowed is None:
            narrowed = (_narrow(self.denies, resource) if self.denies else None, _narrow(self.allows, resource))
            if len(resource) <= _NARROWED_LENGTH and len(self.denies) + len(self.allows) <= _NARROWED_ENTRIES:
                if len(_NARROWED) >= _NARROWED_SIZE:
                    _NARROWED.clear()
                _NARROWED[key] = narrowed
        denies, allows = narrowed
        # every test is asked as the procedure asks it; a ConditionError hands the
        # request to the procedure, which meets the same error and reports it
        try:
            if denies is not None:
                mask = 0
                for test, bit in denies.vtests:
                    if test(values):
                        mask |= bit
                for test, bit in denies.tests:
                    if test(resource, values, ctx):
                        mask |= bit
                if mask or denies.always:
                    table = denies.table
                    return (table[mask] if table is not None else None) or _decision(denies, mask, True)
            mask = 0
            for test, bit in allows.vtests:
                if test(values):
                    mask |= bit
            for test, bit in allows.tests:
                if test(resource, values, ctx):
                    mask |= bit
        except ConditionError:
            return None
        table = allows.table
        return (table[mask] if table is not None else None) or _decision(allows, mask, False)


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
    denies: list[Entry] = []
    allows: list[Entry] = []
    message = _DENY_MESSAGES["identity"]
    for p, s in candidates.identity:
        test = s._applies
        if test is None:
            return None
        if s.effect is Effect.DENY:
            denies.append((test, _reason("identity", p, s, message), s._split))
        else:
            allows.append((test, _reason("identity", p, s, "identity-based policy allows"), s._split))
    return IdentityPlan(tuple(denies), tuple(allows), action_key in TRUST_ACTIONS)
