"""The engine's reasons and rules (``Decision.reasons[].message``, ``Decision.rule``) in the reader's language.

The authorizer is the hot path and stays language-free: it builds each English
reason once and caches it (evaluation/authorizer.py). This module lists every
sentence it can write, marked for translation, and :func:`decision_message`
turns one back into the reader's language when a report is rendered. A
sentence with a part the authorizer fills in (an organization level, a
policy name) is matched by its fixed parts, in linear time: no regular
expression is built. A sentence not listed here stays English, and
tests/i18n/test_decision_text.py fails when the conformance vectors produce one.
"""

from __future__ import annotations

from functools import lru_cache

from ..i18n import N_, Text, Translator
from ..i18n.templates import match_template, split_template

#: every reason and rule the authorizer writes (evaluation/authorizer.py), English as it writes them
DECISION_MESSAGES: tuple[Text, ...] = (
    # reasons
    # added by the analysis to an allow it found in a region, from an origin or with MFA
    # (analysis/origins.py, analysis/mfa.py)
    N_("allowed for a request made in {region}"),
    N_("allowed for a request sent {origin}"),
    N_("allowed with MFA (aws:MultiFactorAuthPresent true); MFA devices are not in IAM data"),
    N_("evaluation failed; denied (fail closed)"),
    N_("an error occurred while evaluating; denied (fail closed)"),
    N_("a statement that may be a Deny could not be read ({where}); denied (fail closed)"),
    N_("sts:GetCallerIdentity needs no permission and cannot be denied"),
    N_("Roles may not be assumed by root accounts."),
    N_("no resource control policy at organization level {level} allows this"),
    N_("no service control policy at organization level {level} allows this"),
    N_("allowed by a service control policy"),
    N_("the root user has full access in its own account"),
    N_("resource policy allows the account"),
    N_("no resource policy statement allows this account"),
    N_("resource policy names this principal"),
    N_("no resource policy statement allows this principal"),
    N_("the permissions boundary does not allow this action"),
    N_("permissions boundary allows"),
    N_("no session policy allows this action"),
    N_("session policy allows"),
    N_("a federated user session without session policies has no permissions"),
    N_("the role trust policy names the caller directly"),
    N_("the resource-based policy names the caller directly"),
    N_("a KMS key policy must allow the caller (directly, via its role, or by trusting the account), "
       "and no statement does"),
    N_("no statement in the role's trust policy allows this caller"),
    N_("the trust policy only trusts the account, which delegates to identity policies, and no "
       "identity-based policy allows this action"),
    N_("no identity-based or resource-based policy allows this action"),
    N_("identity-based policy allows"),
    N_("the role trust policy trusts the account (delegation)"),
    N_("the resource-based policy trusts the account (delegation)"),
    N_("the role trust policy names the caller's role or user"),
    N_("the resource-based policy names the caller's role or user"),
    N_("cross account: the caller's identity-based policies must allow this, and none does"),
    N_("cross account: the role trust policy must allow this caller, and no statement does"),
    N_("cross account: the resource-based policy must allow this caller, and no statement does"),
    N_("the role trust policy allows the caller"),
    N_("the resource-based policy allows the caller"),
    N_("Allow with NotPrincipal: the caller is not exempted, so it is granted as by Principal \"*\""),
    N_("explicit Deny in the identity-based policy"),
    N_("explicit Deny in the resource-based policy"),
    N_("explicit Deny in the permissions boundary"),
    N_("explicit Deny in the session policy"),
    N_("explicit Deny in the service control policy"),
    N_("explicit Deny in the resource control policy"),
    # rules
    N_("error"),
    N_("root may not assume roles"),
    N_("GetCallerIdentity"),
    N_("RCP"),
    N_("SCP"),
    N_("explicit deny"),
    N_("root user, same account"),
    N_("root user, cross account"),
    N_("resource policy only"),
    N_("permissions boundary"),
    N_("session policy"),
    N_("federated user without session policy"),
    N_("same account, role trust policy names the caller directly, so no identity permission was needed"),
    N_("same account, resource-based policy names the caller directly, so no identity permission was needed"),
    N_("same account, KMS key policy"),
    N_("same account, trust policy"),
    N_("same account"),
    N_("same account, trust policy trusts the account, so an identity permission was needed"),
    N_("same account, identity-based policy allows"),
    N_("same account, role trust policy names the caller's role (limited by boundary and session policies)"),
    N_("same account, resource-based policy names the caller's role (limited by boundary and session policies)"),
    N_("cross account"),
    N_("cross account, both sides allow"),
)

#: the decision codes stay AWS's words; the reader's language gets them explained after
VERDICT_WORDS = {"Allow": N_("allowed").msgid, "ExplicitDeny": N_("explicit deny").msgid,
                 "ImplicitDeny": N_("implicit deny").msgid}


@lru_cache(maxsize=1)
def _constants() -> frozenset[str]:
    return frozenset(t.msgid for t in DECISION_MESSAGES if not split_template(t.msgid)[1])


@lru_cache(maxsize=1)
def _templates() -> tuple[str, ...]:
    return tuple(t.msgid for t in DECISION_MESSAGES if split_template(t.msgid)[1])


def decision_template(message: str) -> tuple[str, dict[str, str]] | None:
    """The listed msgid ``message`` was written from, with its filled-in parts; None if not listed."""
    if message in _constants():
        return message, {}
    for msgid in _templates():
        values = match_template(msgid, message)
        if values is not None:
            return msgid, values
    return None


def decision_message(message: str, _: Translator) -> str:
    """An engine sentence in ``_``'s language (unchanged when it is not one of the listed ones)."""
    if not message or _.lang == "en":
        return message
    found = _.gettext(message)
    if found != message:
        return found
    hit = decision_template(message)
    return _(hit[0], **hit[1]) if hit is not None and hit[1] else message


def verdict_word(decision: str, _: Translator) -> str:
    """``ImplicitDeny`` → ``ImplicitDeny (暗黙的な拒否)``: AWS's code, explained in the reader's language."""
    word = VERDICT_WORDS.get(decision)
    if word is None or _.lang == "en":
        return decision
    return f"{decision} ({_(word)})"
