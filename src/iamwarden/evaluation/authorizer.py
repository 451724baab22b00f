"""AWS's decision procedure for one request (spec §1.3), step by step.

``authorize`` is a pure, total function: it never raises, and an error while
evaluating never yields Allow. A condition that cannot be evaluated makes an
Allow statement not apply and a Deny statement apply (fail closed); the error
is reported in ``Decision.errors``.
"""

from __future__ import annotations

from ..model.principal import PrincipalType
from ..policy.conditions import Condition, ConditionError
from ..policy.document import Effect, Policy, PolicyKind, Statement
from .context import RequestContext
from .decision import Decision, Reason, Verdict
from .policyset import Candidates, Picked, PolicySet
from .principals import MatchClass, classify, exempt
from .reasons import _DENY_MESSAGES, _NOT_PRINCIPAL_GRANT, _label, _reason, _rule
from .request import TRUST_ACTIONS, Request, _resource_kind

#: Spec §1.6 / §9.1 (UNCONFIRMED): a trust policy naming the caller's *role*
#: ARN stands in for the identity allow, as for any same-account resource
#: policy. Some emulators require an identity allow instead; flip to compare.
ROLE_ARN_TRUST_SUBSTITUTES_IDENTITY = True

#: Spec §4.2 step 3: root may not assume roles (a hard STS rule, not a policy).
ROOT_FORBIDDEN_ACTIONS = frozenset({"sts:assumerole", "sts:tagsession", "sts:setsourceidentity"})

Match = tuple[Policy, Statement, MatchClass | None]

# Enum members as module constants: ``PrincipalType.ROOT`` is a slow class lookup in Python 3.11.
_ROOT = PrincipalType.ROOT
_ANONYMOUS = PrincipalType.ANONYMOUS
_FEDERATED_USER = PrincipalType.FEDERATED_USER
_RESOURCE_ONLY = (PrincipalType.SERVICE, PrincipalType.ANONYMOUS)
_SESSIONS = (PrincipalType.ROLE_SESSION, PrincipalType.FEDERATED_USER)
_DENY = Effect.DENY
_ALLOW_V = Verdict.ALLOW
_EXPLICIT_DENY_V = Verdict.EXPLICIT_DENY
_IMPLICIT_DENY_V = Verdict.IMPLICIT_DENY
_DIRECT = MatchClass.DIRECT
_ACCOUNT = MatchClass.ACCOUNT
_ROLE_LIKE = (MatchClass.ROLE, MatchClass.FEDUSER)


def authorize(request: Request, policies: PolicySet) -> Decision:
    """Decide ``request`` against ``policies`` exactly as AWS does (spec §1.3)."""
    try:
        hit = policies._by_spelling.get(request.action)  # ``candidates_as_spelled``, inlined
        if hit is None:
            hit = policies.candidates_as_spelled(request.action)
        action, cands = hit  # ``Request.action_key`` and its candidates
        plan = cands.plan  # the compiled plan, when this policy set has one for the action (``plan``)
        if plan is not None:
            d = plan.decide(request)
            if d is None:  # not a request the plan answers: step by step
                d = _Evaluation(request, policies, action, cands).run()
        else:
            d = _Evaluation(request, policies, action, cands).run()
        return _with_document_problems(d, policies) if policies.problems else d
    except Exception as e:  # fail closed: never Allow on an internal error
        return Decision(
            Verdict.IMPLICIT_DENY,
            (_rule("error", "evaluation failed; denied (fail closed)"),),
            (f"internal error while evaluating: {type(e).__name__}: {e}",),
            rule="error",
        )


def _with_document_problems(d: Decision, policies: PolicySet) -> Decision:
    """Report what the documents hold that IAM would refuse (spec §1.4).

    The decision is the one AWS takes on what the documents hold (a principal
    entry with a wildcard inside matches nothing); the problems go in its
    errors. A left-out statement that may be a Deny makes an Allow an implicit
    deny: what it would deny is unknown, so we fail closed (design: bounded and
    fail closed; docs/decisions/engine-refused-documents.md).
    """
    errors = d.errors + policies.problems
    if policies.unreadable_denies and d.verdict is _ALLOW_V and d.rule != "GetCallerIdentity":
        where = ", ".join(policies.unreadable_denies)
        return Decision(
            _IMPLICIT_DENY_V,
            (_rule("error", f"a statement that may be a Deny could not be read ({where}); denied (fail closed)"),),
            errors,
            rule="error",
        )
    return Decision(d.verdict, d.reasons, errors, d.rule, d.details)


class _Evaluation:
    __slots__ = ("req", "ps", "cands", "errors", "caller", "action")

    def __init__(self, request: Request, policies: PolicySet, action: str, cands: Candidates):
        self.req = request
        self.ps = policies
        self.caller = request.caller
        self.action = action  # ``request.action_key``
        self.cands = cands  # ``policies.candidates(action)``
        self.errors: list[str] = []

    # -- statement matching ------------------------------------------------

    def applies(self, p: Policy, s: Statement) -> tuple[bool, MatchClass | None]:
        """Does statement ``s`` (action already matched) apply to this request?"""
        req = self.req
        if s._plain:  # no Principal, no Condition: the common identity-policy shape
            return s.matches_resource(req.resource, req.context), None
        cls: MatchClass | None = None
        if s.principal is not None:
            if s.not_principal:
                # an exemption on the caller's whole chain (§1.4, corrected 2026-12)
                if exempt(s.principal, self.caller):
                    # Deny+NotPrincipal always denies principals with a boundary (§1.4 quirk)
                    if not (s.effect is _DENY and self.ps.boundary is not None):
                        return False, None
                # Allow+NotPrincipal grants every non-exempt caller like an Allow to "*" (§1.4)
                cls = None if s.effect is _DENY else _DIRECT
            else:
                cls = classify(s.principal, self.caller)
                if cls is None:
                    return False, None
        if not s.matches_resource(req.resource, req.context):
            return False, None
        for c in s.conditions:
            try:
                if not c.evaluate(req.context):
                    return False, None
            except ConditionError as e:
                self._condition_error(p, s, c, e)
                # fail closed: a Deny applies, an Allow does not
                return s.effect is _DENY, cls
        return True, cls

    def _condition_error(self, p: Policy, s: Statement, c: Condition, e: ConditionError) -> None:
        self.errors.append(
            f"{p.name} statement {s.index}{' (' + s.sid + ')' if s.sid else ''}: "
            f"condition {c.operator.text} on {c.key}: {e}"
        )

    def matching(self, picked: Picked) -> list[Match]:
        """The statements of ``picked`` (one effect, action already matched) that apply."""
        out: list[Match] = []
        if not picked:
            return out
        resource = self.req.resource
        ctx = self.req.context
        values: dict[str, str | tuple[str, ...]] | None = None
        if type(ctx) is RequestContext:
            values = ctx._values
        # else a context of another kind: the step-by-step path reads it through its methods
        for p, s in picked:
            applies = s._applies  # the statement's whole test in one closure (``Statement._compile_applies``)
            if applies is not None and values is not None:
                try:
                    if applies(resource, values, ctx):
                        out.append((p, s, None))
                    continue
                except ConditionError:
                    pass  # the path below meets the same error and reports it (fail closed)
            if s.principal is None:  # inlined ``applies`` for statements without a Principal
                rm = s._resource_match  # ``matches_resource`` for fixed patterns, inlined
                if rm is not None:
                    if not s._any_resource and not rm(resource):
                        continue
                elif not (s._any_resource or s.matches_resource(resource, ctx)):
                    continue
                if s.conditions:
                    ok = True
                    for c in s.conditions:
                        try:
                            if not c.evaluate(ctx):
                                ok = False
                                break
                        except ConditionError as e:
                            self._condition_error(p, s, c, e)
                            ok = s.effect is _DENY  # fail closed: a Deny applies, an Allow does not
                            break
                    if not ok:
                        continue
                out.append((p, s, None))
                continue
            ok, cls = self.applies(p, s)
            if ok:
                out.append((p, s, cls))
        return out

    def decision(self, verdict: Verdict, reasons: list[Reason], rule: str) -> Decision:
        if self.errors and verdict is _ALLOW_V:
            verdict = _IMPLICIT_DENY_V
            reasons = [_rule("error", "an error occurred while evaluating; denied (fail closed)")]
            rule = "error"
        return Decision(verdict, tuple(reasons), tuple(self.errors), rule)

    # -- the procedure -----------------------------------------------------

    def run(self) -> Decision:
        req, caller, c = self.req, self.caller, self.cands
        action = self.action
        t = caller.type

        # 0. special cases
        if action == "sts:getcalleridentity" and t is not _ANONYMOUS:
            return Decision(
                _ALLOW_V,
                (_rule("rule", "sts:GetCallerIdentity needs no permission and cannot be denied"),),
                rule="GetCallerIdentity",
            )
        if action in ROOT_FORBIDDEN_ACTIONS and t is _ROOT:
            return Decision(
                _IMPLICIT_DENY_V,
                (_rule("rule", "Roles may not be assumed by root accounts."),),
                rule="root may not assume roles",
            )

        resource_only = t in _RESOURCE_ONLY
        # only asked when there are SCPs (the service-linked check reads the entity ARN)
        scp_applies = bool(self.ps.scp) and not resource_only and not self._service_linked_role()

        # 1. explicit deny anywhere
        denies: list[Reason] = []
        for ptype, picked in c.denies:
            if resource_only and ptype in ("identity", "boundary", "session"):
                continue
            if ptype == "scp" and not scp_applies:
                continue
            for p, s, _ in self.matching(picked):
                denies.append(_reason(ptype, p, s, _DENY_MESSAGES[ptype]))
        if denies:
            return self.decision(_EXPLICIT_DENY_V, denies, "explicit deny")

        # 2. RCP levels of the resource account: every level must allow
        allows: list[Reason] = []
        for i, level in enumerate(c.rcp_allow):
            hits = self.matching(level)
            if not hits:
                return self.decision(
                    _IMPLICIT_DENY_V,
                    [_rule("rcp", f"no resource control policy at organization level {i} allows this")],
                    "RCP",
                )
        # 3. SCP levels of the principal's account
        if scp_applies:
            for i, level in enumerate(c.scp_allow):
                hits = self.matching(level)
                if not hits:
                    return self.decision(
                        _IMPLICIT_DENY_V,
                        [_rule("scp", f"no service control policy at organization level {i} allows this")],
                        "SCP",
                    )
                allows += [_reason("scp", p, s, "allowed by a service control policy") for p, s, _ in hits]

        if resource_only:
            return self._resource_only(allows)

        # 4. the root user
        if t is _ROOT:
            if req.same_account:
                return self.decision(
                    _ALLOW_V,
                    allows + [_rule("rule", "the root user has full access in its own account")],
                    "root user, same account",
                )
            hits = self.matching(c.allow["resource"])
            if hits:
                return self.decision(
                    _ALLOW_V,
                    allows + [_reason("resource", p, s, "resource policy allows the account") for p, s, _ in hits],
                    "root user, cross account",
                )
            return self.decision(
                _IMPLICIT_DENY_V,
                [_rule("resource", "no resource policy statement allows this account")],
                "root user, cross account",
            )
        if req.same_account:
            return self._same_account(allows)
        return self._cross_account(allows)

    def _service_linked_role(self) -> bool:
        """SCPs do not restrict service-linked roles (spec §1.2)."""
        e = self.caller.entity_arn or ""
        return ":role/aws-service-role/" in e

    def _resource_only(self, allows: list[Reason]) -> Decision:
        """Service principals and anonymous callers: only the resource policy can allow (§1.9)."""
        hits = self.matching(self.cands.allow["resource"])
        if hits:
            return self.decision(
                _ALLOW_V,
                allows + [_reason("resource", p, s, "resource policy names this principal") for p, s, _ in hits],
                "resource policy only",
            )
        return self.decision(
            _IMPLICIT_DENY_V,
            [_rule("resource", "no resource policy statement allows this principal")],
            "resource policy only",
        )

    def _ceilings(self) -> Decision | list[Reason]:
        """Boundary and session-policy ceilings (§1.7, session policies §1.2)."""
        out: list[Reason] = []
        c, caller = self.cands, self.caller
        if self.ps.boundary is not None:
            hits = self.matching(c.allow["boundary"])
            if not hits:
                return self.decision(
                    _IMPLICIT_DENY_V,
                    [_rule("boundary", "the permissions boundary does not allow this action")],
                    "permissions boundary",
                )
            out += [_reason("boundary", p, s, "permissions boundary allows") for p, s, _ in hits]
        if caller.type in _SESSIONS:  # ``Caller.is_session``
            if self.ps.session:
                hits = self.matching(c.allow["session"])
                if not hits:
                    return self.decision(
                        _IMPLICIT_DENY_V,
                        [_rule("session", "no session policy allows this action")],
                        "session policy",
                    )
                out += [_reason("session", p, s, "session policy allows") for p, s, _ in hits]
            elif caller.type is _FEDERATED_USER:
                return self.decision(
                    _IMPLICIT_DENY_V,
                    [_rule("session", "a federated user session without session policies has no permissions")],
                    "federated user without session policy",
                )
        return out

    def _same_account(self, allows: list[Reason]) -> Decision:
        """Same account (spec §1.3 ``same_account``, §1.5 matrix)."""
        c = self.cands
        kind = _resource_kind(self.req.resource)
        trust = kind == "role" and self.action in TRUST_ACTIONS  # ``Request.on_trust_policy``
        rtype = "trust" if trust else "resource"
        r_hits = self.matching(c.allow["resource"])
        direct = [(p, s) for p, s, k in r_hits if k is _DIRECT] if r_hits else ()
        if direct:
            return self.decision(
                _ALLOW_V,
                allows
                + [_reason(rtype, p, s, _NOT_PRINCIPAL_GRANT if s.not_principal
                           else f"the {_label(rtype)} names the caller directly") for p, s in direct],
                f"same account, {_label(rtype)} names the caller directly, so no identity permission was needed",
            )
        named_role = [(p, s) for p, s, k in r_hits if k in _ROLE_LIKE] if r_hits else ()
        role_like = named_role
        if trust and not ROLE_ARN_TRUST_SUBSTITUTES_IDENTITY:
            role_like = ()  # the role-ARN trust still opens the door to identity policies
        account = [(p, s) for p, s, k in r_hits if k is _ACCOUNT] if r_hits else ()
        id_hits = self.matching(c.allow["identity"])
        # role trust and KMS key policies must always allow the caller (§1.3 notes, §1.5)
        must_name = trust or kind == "kms-key"  # ``Request.on_key_policy``
        path_identity = bool(id_hits) and (not must_name or bool(account) or bool(named_role))
        if not (path_identity or role_like):
            if not trust and must_name:
                return self.decision(
                    _IMPLICIT_DENY_V,
                    [_rule("resource", "a KMS key policy must allow the caller (directly, via its "
                            "role, or by trusting the account), and no statement does")],
                    "same account, KMS key policy",
                )
            if trust:
                if not r_hits:
                    msg = "no statement in the role's trust policy allows this caller"
                else:
                    msg = ("the trust policy only trusts the account, which delegates to identity "
                           "policies, and no identity-based policy allows this action")
                return self.decision(
                    _IMPLICIT_DENY_V,
                    [_rule("trust" if not r_hits else "identity", msg)],
                    "same account, trust policy",
                )
            return self.decision(
                _IMPLICIT_DENY_V,
                [_rule("identity", "no identity-based or resource-based policy allows this action")],
                "same account",
            )
        ceiling = self._ceilings()
        if isinstance(ceiling, Decision):
            return ceiling
        reasons = list(allows)
        if path_identity:
            reasons += [_reason("identity", p, s, "identity-based policy allows") for p, s, _ in id_hits]
            if account:
                reasons += [
                    _reason(rtype, p, s, f"the {_label(rtype)} trusts the account (delegation)") for p, s in account
                ]
        if named_role:
            reasons += [
                _reason(rtype, p, s, f"the {_label(rtype)} names the caller's role or user")
                for p, s in named_role
            ]
        reasons += ceiling
        if path_identity:
            rule = ("same account, trust policy trusts the account, so an identity permission was needed"
                    if trust and account and not role_like else "same account, identity-based policy allows")
        else:
            rule = f"same account, {_label(rtype)} names the caller's role (limited by boundary and session policies)"
        return self.decision(_ALLOW_V, reasons, rule)

    def _cross_account(self, allows: list[Reason]) -> Decision:
        """Cross account: both the caller's and the resource's account must allow (§1.3)."""
        c = self.cands
        trust = self.req.on_trust_policy
        rtype = "trust" if trust else "resource"
        id_hits = self.matching(c.allow["identity"])
        if not id_hits:
            return self.decision(
                _IMPLICIT_DENY_V,
                [_rule("identity",
                        "cross account: the caller's identity-based policies must allow this, and none does")],
                "cross account",
            )
        ceiling = self._ceilings()
        if isinstance(ceiling, Decision):
            return ceiling
        r_hits = self.matching(c.allow["resource"])
        if not r_hits:
            return self.decision(
                _IMPLICIT_DENY_V,
                [_rule(rtype, f"cross account: the {_label(rtype)} must allow this caller, and no statement does")],
                "cross account",
            )
        reasons = list(allows)
        reasons += [_reason("identity", p, s, "identity-based policy allows") for p, s, _ in id_hits]
        reasons += ceiling
        reasons += [_reason(rtype, p, s, f"the {_label(rtype)} allows the caller") for p, s, _ in r_hits]
        return self.decision(_ALLOW_V, reasons, "cross account, both sides allow")


__all__ = ["authorize", "ROLE_ARN_TRUST_SUBSTITUTES_IDENTITY", "PolicyKind"]
