"""Why a SAML assertion can or cannot assume a role: ``explain --saml-assertion`` (spec §1.4, §1.6, §3.4).

:func:`explain_saml` runs the steps of :func:`~.saml.assume_role_with_saml`
without issuing anything, and stops at the first that refuses -- naming it:
the assertion's verification (signature, issuer, recipient, audience, times),
the ``Role`` attribute's pairs, the session-name / tag / source-identity
attributes, or the trust policy. For the trust policy it lists every Allow
statement that names the provider, each condition with the value the
assertion supplied and whether it held, and the decision of each needed
action (``sts:AssumeRoleWithSAML``, ``sts:TagSession``,
``sts:SetSourceIdentity``). Pure: the clock is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..i18n import N_, Text
from ..model.account import Role, World
from ..policy.conditions import ConditionError
from ..policy.document import Effect
from .authorization import find_role
from .directory import Directory, as_directory
from .errors import StsError
from .saml import (
    ASSUME_ROLE_WITH_SAML,
    Providers,
    SamlFacts,
    authorize_saml,
    federated_caller,
    providers_of,
    read_request,
    role_pairs,
    saml_context,
)


@dataclass(frozen=True, slots=True)
class ConditionCheck:
    statement: int
    sid: str | None
    operator: str
    key: str
    wanted: tuple[str, ...]
    supplied: Any  # what the assertion made of the key (None: absent)
    held: bool


@dataclass(frozen=True, slots=True)
class SamlExplanation:
    role_arn: str
    provider_arn: str
    allowed: bool
    failed_step: str | None  # "assertion", "role attribute", "trust policy", … or None
    message: str | Text  # the STS error, as AWS writes it (or "allowed")
    facts: SamlFacts | None = None
    keys: dict[str, Any] = field(default_factory=dict)
    conditions: tuple[ConditionCheck, ...] = ()
    decisions: tuple[tuple[str, str, str], ...] = ()  # (action, decision, rule)
    trusted: tuple[str, ...] = ()  # Federated principals the trust policy names
    changes: tuple[str | Text, ...] = ()  # marked for translation (str(): English)


def _conditions(role: Role, caller_arn: str, ctx: dict[str, Any], req_ctx: Any) -> list[ConditionCheck]:
    from ..evaluation.principals import classify

    caller = federated_caller(caller_arn)
    out = []
    for s in role.trust.statements:
        if s.effect is not Effect.ALLOW or s.principal is None or not s.matches_action(ASSUME_ROLE_WITH_SAML):
            continue
        if classify(s.principal, caller) is None:
            continue
        for c in s.conditions:
            try:
                held = c.evaluate(req_ctx)
            except ConditionError:
                held = False
            supplied = next((v for k, v in ctx.items() if k.lower() == c.key_lower), None)
            out.append(ConditionCheck(s.index, s.sid, c.operator.text, c.key, c.values, supplied, held))
    return out


def _trusted(role: Role) -> tuple[str, ...]:
    out: list[str] = []
    for s in role.trust.statements:
        if s.effect is Effect.ALLOW and s.principal is not None and s.matches_action(ASSUME_ROLE_WITH_SAML):
            for ptype, values in s.principal.entries:
                out += [f"{ptype}: {v}" for v in values]
    return tuple(dict.fromkeys(out))


def explain_saml(source: World | Directory, role_arn: str, provider_arn: str, saml_assertion: str,
                 now: datetime, providers: Providers | None = None) -> SamlExplanation:
    """Explain one AssumeRoleWithSAML (see the module docstring)."""
    directory = as_directory(source)
    if providers is None:
        providers = providers_of(source) if isinstance(source, World) else {}
    params = {"RoleArn": role_arn, "PrincipalArn": provider_arn, "SAMLAssertion": saml_assertion}
    try:
        facts = read_request(params, providers, now, check_pair=False)
    except StsError as e:
        step = "request" if e.code == "ValidationError" else "assertion"
        if e.message == "Specified provider doesn't exist":
            step = "provider"
        return SamlExplanation(role_arn, provider_arn, False, step, f"{e.code}: {e.message}",
                               changes=(N_("fix the assertion or the provider's metadata (see the message)"),))
    pair_ok = (role_arn, provider_arn) in role_pairs(facts.assertion)
    role = find_role(directory, role_arn)
    ctx = saml_context(facts.assertion, facts.provider, role, facts.session_name, facts.tags,
                       facts.source_identity, now)
    if not pair_ok:
        return SamlExplanation(
            role_arn, provider_arn, False, "role attribute",
            N_("AccessDenied: the Role attribute does not map the user to {role} via {provider}", role=role_arn,
               provider=provider_arn),
            facts, ctx, changes=(N_("the IdP must send https://aws.amazon.com/SAML/Attributes/Role = {role},{provider}",
                                    role=role_arn, provider=provider_arn),))
    decided = authorize_saml(directory, provider_arn, role_arn, role, ctx, bool(facts.tags),
                             facts.source_identity is not None, stop_at_first_deny=False)
    decisions = tuple((d.action, d.decision.decision, d.decision.rule or "") for d in decided)
    allowed = role is not None and all(d.decision.allowed for d in decided)
    conditions: list[ConditionCheck] = []
    trusted: tuple[str, ...] = ()
    changes: list[str | Text] = []
    if role is not None and decided:
        conditions = _conditions(role, provider_arn, ctx, decided[0].request.context)
        trusted = _trusted(role)
    if not allowed:
        if role is None:
            changes.append(N_("{role} does not exist in the loaded accounts", role=role_arn))
        elif not any(t == f"Federated: {provider_arn}" for t in trusted):
            changes.append(N_('the trust policy must name {{"Federated": "{provider}"}} for sts:AssumeRoleWithSAML',
                              provider=provider_arn))
        for c in conditions:
            if not c.held:
                changes.append(N_("statement {index}: {key} must satisfy {operator} {wanted} (the assertion gives "
                                  "{supplied!r})", index=c.statement, key=c.key, operator=c.operator,
                                  wanted=list(c.wanted), supplied=c.supplied))
        for d in decided:
            if not d.decision.allowed and d.action != ASSUME_ROLE_WITH_SAML:
                changes.append(N_("the trust policy must also allow {action} (the assertion carries tags)",
                                  action=d.action) if d.action.endswith("TagSession") else
                               N_("the trust policy must also allow {action} (the assertion carries a source "
                                  "identity)", action=d.action))
    return SamlExplanation(
        role_arn, provider_arn, allowed, None if allowed else "trust policy",
        "allowed" if allowed else f"AccessDenied: Not authorized to perform "
        f"{next((d.action for d in decided if not d.decision.allowed), ASSUME_ROLE_WITH_SAML)}",
        facts, ctx, tuple(conditions), decisions, trusted, tuple(changes),
    )
