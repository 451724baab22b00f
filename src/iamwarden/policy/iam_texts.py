"""The texts IAM answers a malformed policy with (spec §5.4).

IAM's ``MalformedPolicyDocument`` says one short sentence, not where the
problem is. Clients and tests written against AWS match those sentences, so the
endpoint answers with them; ``validate`` keeps our JSON-path problems, which
say where and what is accepted. Each :class:`~iamwarden.policy.errors.Problem`
carries the IAM text of its family; ``errors.iam_message`` picks the one IAM
would give for a whole document.

Which problem IAM reports when a document has several is not documented: we
take the first in document order, except that unparseable JSON always wins
(nothing else can be read). That choice lives here (UNCONFIRMED, spec §9).
"""

from __future__ import annotations

from .echo import echo

#: Not parseable JSON (including what our strict reader refuses: duplicate keys,
#: NaN, numbers out of range, nesting over the depth limit, text not UTF-8).
INVALID_JSON = "This policy contains invalid Json"
#: Valid JSON, but an unknown or mistyped element.
SYNTAX = "Syntax errors in policy."
#: An identity-type statement without Action/NotAction.
MISSING_ACTIONS = "Policy statement must contain actions."
#: An identity-type statement without Resource/NotResource.
MISSING_RESOURCES = "Policy statement must contain resources."
#: Principal/NotPrincipal in an identity policy (or a boundary, session policy, SCP).
PRINCIPAL_FORBIDDEN = "Policy document should not specify a principal."
#: Resource/NotResource in a role trust policy.
PROHIBITED_RESOURCE = "Has prohibited field Resource"
#: A Version other than the two dates (UNCONFIRMED which of IAM's texts; §2.1, §5.4).
LEGACY_PARSING = "The policy failed legacy parsing"


def invalid_principal(principal_type: str, value: str) -> str:
    """``Invalid principal in policy: "AWS":"<value>"``: a malformed or unknown principal (§5.4)."""
    return f'Invalid principal in policy: "{principal_type}":"{echo(value)}"'
