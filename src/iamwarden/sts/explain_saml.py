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
    message: str  # the STS error (or "allowed")
    facts: SamlFacts | None = None
    keys: dict[str, Any] = field(default_factory=dict)
    conditions: tuple[ConditionCheck, ...] = ()
    decisions: tuple[tuple[str, str, str], ...] = ()  # (action, decision, rule)
    trusted: tuple[str, ...] = ()  # Federated principals the trust policy names
    changes: tuple[str, ...] = ()

    def text(self) -> str:
        verdict = "ALLOWED" if self.allowed else "DENIED"
        lines = [f"AssumeRoleWithSAML {self.role_arn}", f"  via {self.provider_arn}: {verdict}"]
        if self.failed_step:
            lines.append(f"  refused at: {self.failed_step}: {self.message}")
        f = self.facts
        if f is not None:
            a = f.assertion
            lines.append(f"assertion ({a.signed} signed, verified against the provider's certificate):")
            lines.append(f"  issuer {a.issuer}; subject {a.subject} ({a.subject_format or 'unspecified'})")
            lines.append(f"  recipient {a.recipient}; audience {', '.join(a.audiences)}")
            for role, provider in role_pairs(a):
                mark = "*" if (role, provider) == (self.role_arn, self.provider_arn) else " "
                lines.append(f"  {mark} Role {role}  via {provider}")
            lines.append(f"  RoleSessionName {f.session_name}" + (
                f"; tags {', '.join(f'{t.key}={t.value}' for t in f.tags)}" if f.tags else "")
                + (f"; SourceIdentity {f.source_identity}" if f.source_identity else ""))
        if self.keys:
            lines.append("keys the trust policy sees:")
            for k in sorted(self.keys):
                if k.startswith(("saml:", "aws:FederatedProvider", "sts:")):
                    lines.append(f"  {k} = {self.keys[k]}")
        if self.trusted:
            lines.append("the trust policy lets in: " + ", ".join(self.trusted))
        for c in self.conditions:
            mark = "ok  " if c.held else "FAIL"
            sid = f" ({c.sid})" if c.sid else ""
            lines.append(f"  [{mark}] statement {c.statement}{sid}: {c.operator} {c.key} {list(c.wanted)} "
                         f"-- the assertion gives {c.supplied!r}")
        for action, decision, rule in self.decisions:
            lines.append(f"{action}: {decision} ({rule})")
        for ch in self.changes:
            lines.append(f"to change the answer: {ch}")
        return "\n".join(lines) + "\n"


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
                               changes=("fix the assertion or the provider's metadata (see the message)",))
    pair_ok = (role_arn, provider_arn) in role_pairs(facts.assertion)
    role = find_role(directory, role_arn)
    ctx = saml_context(facts.assertion, facts.provider, role, facts.session_name, facts.tags,
                       facts.source_identity, now)
    if not pair_ok:
        return SamlExplanation(
            role_arn, provider_arn, False, "role attribute",
            f"AccessDenied: the Role attribute does not map the user to {role_arn} via {provider_arn}",
            facts, ctx, changes=(f"the IdP must send https://aws.amazon.com/SAML/Attributes/Role = "
                                 f"{role_arn},{provider_arn}",))
    decided = authorize_saml(directory, provider_arn, role_arn, role, ctx, bool(facts.tags),
                             facts.source_identity is not None, stop_at_first_deny=False)
    decisions = tuple((d.action, d.decision.decision, d.decision.rule or "") for d in decided)
    allowed = role is not None and all(d.decision.allowed for d in decided)
    conditions: list[ConditionCheck] = []
    trusted: tuple[str, ...] = ()
    changes: list[str] = []
    if role is not None and decided:
        conditions = _conditions(role, provider_arn, ctx, decided[0].request.context)
        trusted = _trusted(role)
    if not allowed:
        if role is None:
            changes.append(f"{role_arn} does not exist in the loaded accounts")
        elif not any(t == f"Federated: {provider_arn}" for t in trusted):
            changes.append(f'the trust policy must name {{"Federated": "{provider_arn}"}} for sts:AssumeRoleWithSAML')
        for c in conditions:
            if not c.held:
                changes.append(f"statement {c.statement}: {c.key} must satisfy {c.operator} {list(c.wanted)} "
                               f"(the assertion gives {c.supplied!r})")
        for d in decided:
            if not d.decision.allowed and d.action != ASSUME_ROLE_WITH_SAML:
                changes.append(f"the trust policy must also allow {d.action} (the assertion carries "
                               f"{'tags' if d.action.endswith('TagSession') else 'a source identity'})")
    return SamlExplanation(
        role_arn, provider_arn, allowed, None if allowed else "trust policy",
        "allowed" if allowed else f"AccessDenied: Not authorized to perform "
        f"{next((d.action for d in decided if not d.decision.allowed), ASSUME_ROLE_WITH_SAML)}",
        facts, ctx, tuple(conditions), decisions, trusted, tuple(changes),
    )
