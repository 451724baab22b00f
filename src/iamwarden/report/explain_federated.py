"""``explain --saml-assertion`` and ``explain --web-identity-token/--claims`` as text, in the reader's language.

The explanations themselves (``sts.explain_saml``, ``sts.explain.explain_web_identity``) are
language-free: their own sentences are marked with ``N_`` (English ``str()``, kept in JSON),
the engine's rule is read back by ``decision_text``. What stays English on purpose: AWS's
codes and error messages (``AccessDenied: Not authorized to perform …``, ``ExpiredTokenException:
…``), condition operators, keys, ARNs and the values the assertion or token carries.
"""

from __future__ import annotations

from typing import Any

from ..i18n import N_, Text, translator
from .decision_text import decision_message, verdict_word

#: the step of AssumeRoleWithSAML that refused (``SamlExplanation.failed_step``), for people
SAML_STEPS: dict[str, Text] = {
    "request": N_("request"), "assertion": N_("assertion"), "provider": N_("provider"),
    "role attribute": N_("role attribute"), "trust policy": N_("trust policy"),
}


def saml_text(x: Any, lang: str = "en") -> str:
    """A :class:`~iamwarden.sts.explain_saml.SamlExplanation` as the lines ``explain --saml-assertion`` prints."""
    _ = translator(lang)
    verdict = _("ALLOWED") if x.allowed else _("DENIED")
    lines = [f"AssumeRoleWithSAML {x.role_arn}", _("  via {provider}: {verdict}", provider=x.provider_arn,
                                                   verdict=verdict)]
    if x.failed_step:
        step = _.text(SAML_STEPS.get(x.failed_step, x.failed_step))
        lines.append(_("  refused at: {step}: {message}", step=step, message=_.text(x.message)))
    f = x.facts
    if f is not None:
        a = f.assertion
        lines.append(_("assertion ({signed} signed, verified against the provider's certificate):", signed=a.signed))
        lines.append(_("  issuer {issuer}; subject {subject} ({format})", issuer=a.issuer, subject=a.subject,
                       format=a.subject_format or _("unspecified")))
        lines.append(_("  recipient {recipient}; audience {audiences}", recipient=a.recipient,
                       audiences=", ".join(a.audiences)))
        from ..sts.saml import role_pairs  # noqa: PLC0415 (the renderer reads the assertion's pairs)

        for role, provider in role_pairs(a):
            mark = "*" if (role, provider) == (x.role_arn, x.provider_arn) else " "
            lines.append(f"  {mark} Role {role}  " + _("via {provider}", provider=provider))
        lines.append(f"  RoleSessionName {f.session_name}" + (
            _("; tags {tags}", tags=", ".join(f"{t.key}={t.value}" for t in f.tags)) if f.tags else "")
            + (f"; SourceIdentity {f.source_identity}" if f.source_identity else ""))
    if x.keys:
        lines.append(_("keys the trust policy sees:"))
        for k in sorted(x.keys):
            if k.startswith(("saml:", "aws:FederatedProvider", "sts:")):
                lines.append(f"  {k} = {x.keys[k]}")
    if x.trusted:
        lines.append(_("the trust policy lets in: {principals}", principals=", ".join(x.trusted)))
    for c in x.conditions:
        mark = "ok  " if c.held else "FAIL"
        where = (_("statement {index} ({sid})", index=c.statement, sid=c.sid) if c.sid
                 else _("statement {index}", index=c.statement))
        lines.append(f"  [{mark}] " + _("{where}: {operator} {key} {wanted} -- the assertion gives {supplied!r}",
                                        where=where, operator=c.operator, key=c.key, wanted=list(c.wanted),
                                        supplied=c.supplied))
    for action, decision, rule in x.decisions:
        lines.append(f"{action}: {verdict_word(decision, _)} ({decision_message(rule, _)})")
    for ch in x.changes:
        lines.append(_("to change the answer: {change}", change=_.text(ch)))
    return "\n".join(lines) + "\n"


def web_identity_text(x: Any, lang: str = "en") -> str:
    """A :class:`~iamwarden.sts.explain.WebIdentityExplanation` as ``explain --web-identity-token`` prints it."""
    _ = translator(lang)
    verdict = _("ALLOWED") if x.allowed else _("DENIED")
    token = (_("signature, issuer, audience and times verified") if x.verified and not x.token_error
             else x.token_error or _("claims given with --claims: not verified (what-if)"))
    lines = [_("{verdict}: AssumeRoleWithWebIdentity on {role}", verdict=verdict, role=x.role_arn),
             _("  provider: {provider}", provider=x.provider_arn),
             _("  token:    {token}", token=token)]
    if x.decision is not None:
        lines.append(_("  trust:    {verdict} ({rule})", verdict=verdict_word(x.decision.verdict.value, _),
                       rule=decision_message(x.decision.rule, _)))
    lines.append(_("  keys the token gives:"))
    lines += [f"    {k} = {v}" for k, v in sorted(x.keys.items()) if ":" in k and not k.startswith("aws:Current")
              and not k.startswith("aws:Epoch")]
    if x.trusted:
        lines.append(_("  the trust policy names: {principals}", principals=", ".join(x.trusted)))
    if x.changes:
        lines.append(_("  what would change the answer:"))
        lines += [f"    - {_.text(c)}" for c in x.changes]
    return "\n".join(lines) + "\n"


def web_identity_json(x: Any, lang: str = "en") -> dict[str, Any]:
    """``explain --web-identity-token/--claims --format json``: ``WebIdentityExplanation.to_json()``
    with its sentences in ``lang`` (``rule`` and ``what_would_change``, as ``explain``'s JSON does;
    docs/decisions/i18n-json.md). Keys, ARNs, claims and the engine's ``reasons`` stay as they are."""
    out: dict[str, Any] = x.to_json()
    if lang == "en":
        return out
    _ = translator(lang)
    if out.get("rule"):
        out["rule"] = decision_message(out["rule"], _)
    out["what_would_change"] = [_.text(c) for c in x.changes]
    return out
