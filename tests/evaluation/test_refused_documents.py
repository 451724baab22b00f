"""Documents IAM would refuse to store still get a decision (spec §1.4, §2.5).

Read with ``tolerant=True`` (``check`` cases), a document is evaluated as AWS evaluates what
it holds and the problems go in the decision's errors; the strict reader still refuses it.
"""

from __future__ import annotations

import pytest

from iamwarden.evaluation import PolicySet, Request, Verdict, authorize
from iamwarden.policy import PolicyKind, PolicySyntaxError, parse_policy
from iamwarden.policy.document import parse_policy_tolerant

from .helpers import ALLOW_ALL, OTHER_USER, QUEUE_A, ROOT_A, USER, A, allow, deny, doc, grant

SEND = "sqs:SendMessage"


def _decide(principal: str, *, identity=(), resource=None, kind=PolicyKind.RESOURCE):
    ps = PolicySet.from_documents(identity=list(identity), resource=resource, resource_kind=kind, tolerant=True)
    return authorize(Request.build(principal, SEND, QUEUE_A), ps)


def test_principal_arn_with_a_wildcard_inside_matches_nothing():
    """§1.4: ``user/*`` is not a wildcard; the entry matches nothing, the rest still matches."""
    d = _decide(USER, resource=doc(grant(f"arn:aws:iam::{A}:user/*", SEND)))
    assert d.verdict is Verdict.IMPLICIT_DENY
    assert any("$.Statement[0].Principal.AWS" in e and "wildcards" in e for e in d.errors)
    d = _decide(USER, resource=doc(grant({"AWS": [f"arn:aws:iam::{A}:user/*", USER]}, SEND)))
    assert d.verdict is Verdict.ALLOW and d.errors


def test_not_principal_arn_with_a_wildcard_inside_exempts_nobody():
    """§1.4: in NotPrincipal the entry lists nothing, so the Deny reaches the principal."""
    st = grant("*", SEND, "Deny")
    del st["Principal"]
    st["NotPrincipal"] = {"AWS": [f"arn:aws:iam::{A}:user/al*", ROOT_A]}
    d = _decide(USER, identity=[ALLOW_ALL], resource=doc(grant("*", SEND), st))
    assert d.verdict is Verdict.EXPLICIT_DENY and d.errors


def test_statement_with_an_unknown_operator_never_applies():
    """§2.5: at evaluation time an unknown operator is a false condition, for Allow and Deny."""
    bad = {"StringEqualz": {"aws:username": "alice"}}
    d = _decide(USER, identity=[doc(allow(Condition=bad))])
    assert d.verdict is Verdict.IMPLICIT_DENY and d.errors
    d = _decide(USER, identity=[doc(allow(), deny(Condition=bad))])
    assert d.verdict is Verdict.ALLOW
    assert any("StringEqualz" in e for e in d.errors)


def test_rejected_allow_statement_grants_nothing():
    """§1.4: a statement the parser rejects matches nothing; the other statements still count."""
    broken = {"Effect": "Allow", "Action": "sqs:*"}  # identity policy without Resource
    assert _decide(USER, identity=[doc(broken)]).verdict is Verdict.IMPLICIT_DENY
    d = _decide(USER, identity=[doc(broken, allow(SEND))])
    assert d.verdict is Verdict.ALLOW
    assert any("$.Statement[0]" in e for e in d.errors)


@pytest.mark.parametrize("effect", ["Deny", "deny", None])
def test_rejected_statement_that_may_be_a_deny_fails_closed(effect):
    """Fail closed: what an unreadable Deny would deny is unknown, so nothing is allowed."""
    broken = {"Action": "sqs:*", "Resource": "*", "Condition": "oops"}
    if effect is not None:
        broken["Effect"] = effect
    d = _decide(USER, identity=[doc(allow(), broken)])
    assert d.verdict is Verdict.IMPLICIT_DENY
    assert d.rule == "error" and d.errors


def test_valid_documents_read_tolerantly_carry_no_problems():
    """The tolerant reader changes nothing for a document IAM accepts."""
    rp = doc(grant(USER, SEND), grant(OTHER_USER, SEND, "Deny"))
    got = parse_policy_tolerant(rp, PolicyKind.RESOURCE)
    assert got.problems == () and got.unreadable_denies == ()
    assert len(got.policy.statements) == 2
    d = _decide(USER, resource=rp)
    assert d.verdict is Verdict.ALLOW and d.errors == ()


def test_strict_reader_still_refuses_what_iam_refuses():
    """``parse_policy`` (validate, the endpoint) keeps refusing: tolerance is for ``check`` only."""
    with pytest.raises(PolicySyntaxError, match="wildcards are not allowed"):
        parse_policy(doc(grant(f"arn:aws:iam::{A}:user/*", SEND)), PolicyKind.RESOURCE)
    with pytest.raises(PolicySyntaxError, match="unknown condition operator"):
        parse_policy(doc(allow(Condition={"StringEqualz": {"k": "v"}})))


def test_document_with_nothing_to_evaluate_is_still_an_error():
    """Not JSON, or no Statement: there is nothing AWS could hold, so the case is refused."""
    with pytest.raises(PolicySyntaxError):
        PolicySet.from_documents(identity=["{not json"], tolerant=True)
    with pytest.raises(PolicySyntaxError):
        PolicySet.from_documents(identity=[{"Version": "2012-10-17"}], tolerant=True)
