"""The compiled per-action plan (``evaluation/plan.py``) answers exactly as the procedure.

The plan is a second way to the same decision, so every test here compares it
with the step-by-step procedure (``authorizer._Evaluation``) on the same
request: same verdict, reasons, errors and rule. The hypothesis test draws
identity-only policy sets (the plan's case) from the law tests' statements,
with contexts that include values no condition can read.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamwarden.evaluation import Decision, PolicySet, Request, Verdict, authorize
from iamwarden.evaluation import authorizer as authorizer_module
from iamwarden.evaluation import plan as plan_module
from iamwarden.evaluation.plan import IdentityPlan
from tests.test_laws import CONTEXT_CHOICES, PRINCIPALS, policy_docs

from .helpers import (
    FEDUSER,
    QUEUE_A,
    QUEUE_B,
    ROOT_A,
    SESSION,
    TARGET_ROLE,
    USER,
    A,
    allow,
    deny,
    doc,
)

ALLOW = Verdict.ALLOW
EXPLICIT = Verdict.EXPLICIT_DENY
IMPLICIT = Verdict.IMPLICIT_DENY
KEY_A = f"arn:aws:kms:us-east-1:{A}:key/k1"


def step_by_step(request: Request, policies: PolicySet) -> Decision:
    """The procedure alone, without the plan (what ``authorize`` did before plans)."""
    action = request.action.lower()
    return authorizer_module._Evaluation(request, policies, action, policies.candidates(action)).run()


def plan_answer(request: Request, policies: PolicySet) -> Decision | None:
    plan = policies.candidates(request.action.lower()).plan
    return None if plan is None else plan.decide(request)


def both(request: Request, policies: PolicySet) -> tuple[Decision | None, Decision]:
    """(the plan's answer or None, the procedure's), after checking ``authorize`` gives the procedure's."""
    want = step_by_step(request, policies)
    assert authorize(request, policies) == want
    return plan_answer(request, policies), want


def test_plan_answers_a_user_in_its_own_account_as_the_procedure():
    """§1.3, §1.5: identity policies alone, same account: Deny wins, else an Allow allows."""
    ps = PolicySet.from_documents(identity=[
        doc(allow("sqs:*", QUEUE_A), deny("sqs:DeleteQueue", "*")),
        doc(allow("sqs:SendMessage", "*", Sid="Send")),
    ])
    for action, verdict in (("sqs:SendMessage", ALLOW), ("sqs:DeleteQueue", EXPLICIT), ("ec2:RunInstances", IMPLICIT)):
        got, want = both(Request.build(USER, action, QUEUE_A), ps)
        assert got == want and want.verdict is verdict, action
        assert got.reasons and got.rule


def test_plan_answers_a_role_session_without_session_policies():
    """§1.2: a role session with no session policy passed is limited by its role's policies only."""
    ps = PolicySet.from_documents(identity=[doc(allow("sqs:SendMessage", QUEUE_A))])
    got, want = both(Request.build(SESSION, "sqs:SendMessage", QUEUE_A), ps)
    assert got == want and want.verdict is ALLOW


@pytest.mark.parametrize("principal, action, resource, why", [
    (ROOT_A, "sqs:SendMessage", QUEUE_A, "the root user"),
    (FEDUSER, "sqs:SendMessage", QUEUE_A, "a federated user needs a session policy"),
    (USER, "sqs:SendMessage", QUEUE_B, "another account"),
    (USER, "kms:Decrypt", KEY_A, "a KMS key policy must allow"),
    (USER, "sts:AssumeRole", TARGET_ROLE, "a role's trust policy must allow"),
    (USER, "sts:GetCallerIdentity", "*", "needs no permission"),
])
def test_plan_leaves_other_requests_to_the_procedure(principal, action, resource, why):
    """The plan answers only the same-account user or role session; the rest is decided step by step."""
    ps = PolicySet.from_documents(identity=[doc(allow("*", "*"))])
    got, want = both(Request.build(principal, action, resource,
                                   principal_entity=USER if principal == FEDUSER else None), ps)
    assert got is None, why


@pytest.mark.parametrize("kind", ["boundary", "session", "resource", "scp", "rcp"])
def test_no_plan_when_other_policy_types_apply(kind):
    """A boundary, session policy, resource policy, SCP or RCP: every request goes step by step."""
    extra: dict[str, Any] = {
        "boundary": {"boundary": doc(allow())},
        "session": {"session": [doc(allow())]},
        "resource": {"resource": doc(allow(Principal="*"))},
        "scp": {"scp": [[doc(allow())]]},
        "rcp": {"rcp": [[doc(allow(Principal="*"))]]},
    }[kind]
    ps = PolicySet.from_documents(identity=[doc(allow())], **extra)
    assert ps.candidates("sqs:sendmessage").plan is None
    assert authorize(Request.build(SESSION, "sqs:SendMessage", QUEUE_A), ps) == step_by_step(
        Request.build(SESSION, "sqs:SendMessage", QUEUE_A), ps)


def test_condition_error_under_a_plan_is_reported_and_fails_closed():
    """§2.6 parsing failures: an unreadable value makes a Deny apply and an Allow not, reported."""
    ctx = {"s3:max-keys": "lots"}
    bad = {"NumericLessThan": {"s3:max-keys": "10"}}
    deny_ps = PolicySet.from_documents(identity=[doc(allow(), deny("s3:*", Condition=bad))])
    d = authorize(Request.build(USER, "s3:ListBucket", "arn:aws:s3:::b", context=ctx), deny_ps)
    assert d.verdict is EXPLICIT and d.errors
    assert d == step_by_step(Request.build(USER, "s3:ListBucket", "arn:aws:s3:::b", context=ctx), deny_ps)
    allow_ps = PolicySet.from_documents(identity=[doc(allow("s3:*", Condition=bad))])
    d = authorize(Request.build(USER, "s3:ListBucket", "arn:aws:s3:::b", context=ctx), allow_ps)
    assert d.verdict is IMPLICIT and d.errors
    assert d == step_by_step(Request.build(USER, "s3:ListBucket", "arn:aws:s3:::b", context=ctx), allow_ps)
    assert plan_answer(Request.build(USER, "s3:ListBucket", "arn:aws:s3:::b", context=ctx), allow_ps) is None


def test_internal_error_in_a_plan_fails_closed(monkeypatch):
    """Design/§1.10: ``authorize`` is total, also when the compiled plan fails."""

    def boom(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(IdentityPlan, "decide", boom)
    d = authorize(Request.build(USER, "s3:GetObject"), PolicySet.from_documents(identity=[doc(allow())]))
    assert d.verdict is IMPLICIT and d.errors and d.rule == "error"


def test_narrowing_per_resource_is_bounded_and_changes_no_answer(monkeypatch):
    """Bounded (tests/hostile): the per-resource narrowing is one bounded memo; warm or cold, same answers."""
    monkeypatch.setattr(plan_module, "_NARROWED", {})
    monkeypatch.setattr(plan_module, "_NARROWED_SIZE", 8)
    ps = PolicySet.from_documents(identity=[doc(
        allow("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q1*"),
        allow("sqs:SendMessage", "*", Condition={"Bool": {"aws:SecureTransport": "true"}}),
        deny("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q1?"),
    )])
    for _ in range(2):  # cold, then warm
        for i in range(40):
            for secure in ("true", "false"):
                r = Request.build(USER, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q{i}",
                                  context={"aws:SecureTransport": secure})
                got, want = both(r, ps)
                assert got == want
                assert len(plan_module._NARROWED) <= 8
    plan_module._NARROWED.clear()
    long = f"arn:aws:sqs:us-east-1:{A}:q1" + "x" * plan_module._NARROWED_LENGTH
    got, want = both(Request.build(USER, "sqs:SendMessage", long, context={"aws:SecureTransport": "true"}), ps)
    assert got == want and not plan_module._NARROWED  # too long to keep
    many = PolicySet.from_documents(identity=[doc(*(allow("sqs:SendMessage", f"arn:aws:sqs:*:{A}:q{i}")
                                                    for i in range(plan_module._NARROWED_ENTRIES + 1)))])
    got, want = both(Request.build(USER, "sqs:SendMessage", QUEUE_A), many)
    assert got == want and not plan_module._NARROWED  # too many statements to keep



def test_decisions_per_outcome_are_kept_bounded_and_change_no_answer(monkeypatch):
    """The plan keeps one immutable Decision per (plan, resource, conditions' outcomes); every
    combination of outcomes gives the procedure's answer, warm or cold, with a table and
    without one (more tests than ``_TABLE_BITS``), and the kept decisions are bounded."""
    monkeypatch.setattr(plan_module, "_NARROWED", {})
    monkeypatch.setattr(plan_module, "_KEPT_SIZE", 5)
    monkeypatch.setattr(plan_module, "_kept", 0)
    secure = {"Bool": {"aws:SecureTransport": "true"}}
    region = {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
    ps = PolicySet.from_documents(identity=[doc(
        allow("sqs:SendMessage", QUEUE_A, Sid="Fixed"),
        allow("sqs:SendMessage", "*", Condition=secure, Sid="Secure"),
        deny("sqs:SendMessage", "*", Condition=region, Sid="Region"),
        allow("sqs:SendMessage", "*", Condition={**secure, **region}, Sid="Both"),
    )])
    wide = PolicySet.from_documents(identity=[doc(*(
        allow("sqs:SendMessage", "*", Condition={"StringEquals": {f"aws:PrincipalTag/t{i}": "x"}}, Sid=f"T{i}")
        for i in range(plan_module._TABLE_BITS + 1)))])
    contexts = [{"aws:SecureTransport": s, "aws:RequestedRegion": r}
                for s in ("true", "false") for r in ("us-east-1", "eu-west-1")]
    contexts += [{f"aws:PrincipalTag/t{i}": "x" for i in range(0, plan_module._TABLE_BITS + 1, k)} for k in (1, 2, 3)]
    for _ in range(3):  # cold, warm, and again after the bound cleared the memo
        for policies in (ps, wide):
            for resource in (QUEUE_A, QUEUE_A + "2"):
                for ctx in contexts:
                    got, want = both(Request.build(USER, "sqs:SendMessage", resource, context=ctx), policies)
                    assert got == want
                    assert plan_module._kept <= 5
    plan_module._kept = 0  # room for the next two (monkeypatch restores it)
    first = authorize(Request.build(USER, "sqs:SendMessage", QUEUE_A, context=contexts[0]), ps)
    again = authorize(Request.build(USER, "sqs:SendMessage", QUEUE_A, context=dict(contexts[0])), ps)
    assert again is first and again.details == {}  # the same immutable value
    with pytest.raises(TypeError):
        first.details["x"] = 1  # type: ignore[index]


BAD_VALUES: dict[str, list[Any]] = {
    "s3:max-keys": ["lots"],
    "aws:SourceIp": ["not-an-ip"],
    "aws:CurrentTime": ["yesterday"],
    "aws:PrincipalArn": ["not-an-arn"],
    "aws:username": ["alice", "bob"],
}


#: conditions that raise a ConditionError on some of ``BAD_VALUES``
READ_ERRORS: list[dict[str, Any]] = [
    {"NumericLessThan": {"s3:max-keys": "10"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}},
    {"ForAnyValue:NumericEquals": {"s3:max-keys": ["5", "x"]}},
]


@st.composite
def identity_cases(draw):
    choices = {**CONTEXT_CHOICES}
    for k, vs in BAD_VALUES.items():
        choices[k] = choices.get(k, []) + vs
    ctx = {}
    for k in draw(st.lists(st.sampled_from(sorted(choices)), unique=True, max_size=6)):
        ctx[k] = draw(st.sampled_from(choices[k]))
    principal = draw(st.sampled_from(PRINCIPALS))
    docs = draw(st.lists(policy_docs(), max_size=3))
    if draw(st.booleans()):  # a statement whose condition may not read the request's value
        docs.append(doc({"Effect": draw(st.sampled_from(["Allow", "Deny"])), "Action": "*", "Resource": "*",
                         "Condition": draw(st.sampled_from(READ_ERRORS))}))
    return (
        docs,
        principal,
        draw(st.sampled_from(["s3:GetObject", "s3:ListBucket", "sqs:SendMessage", "ec2:RunInstances",
                              "iam:PassRole", "sts:AssumeRole", "kms:Decrypt"])),
        draw(st.sampled_from(["arn:aws:s3:::bucket/alice/notes", "arn:aws:s3:::bucket/a.txt", QUEUE_A, QUEUE_B,
                              TARGET_ROLE, KEY_A, "*"])),
        ctx,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(identity_cases())
def test_plan_and_procedure_agree_on_generated_identity_policies(case):
    """Whatever the plan answers, the procedure answers the same, word for word."""
    docs, principal, action, resource, ctx = case
    ps = PolicySet.from_documents(identity=docs)
    r = Request.build(principal, action, resource, context=ctx,
                      principal_entity=USER if principal == FEDUSER else None)
    got, want = both(r, ps)
    assert got is None or got == want


def test_an_action_is_looked_up_as_spelled_and_bounded():
    """§2.3: actions compare case-insensitively; the per-spelling look-up changes no answer and is bounded."""
    ps = PolicySet.from_documents(identity=[doc(allow("sqs:SendMessage", QUEUE_A), deny("sqs:Delete*", "*"))])
    for action in ("sqs:SendMessage", "SQS:SENDMESSAGE", "sqs:sendmessage", "sqs:DeleteQueue", "Sqs:deleteQUEUE"):
        for _ in range(2):
            got, want = both(Request.build(USER, action, QUEUE_A), ps)
            assert got == want
    assert ps._by_spelling["SQS:SENDMESSAGE"][1] is ps.candidates("sqs:sendmessage")
    for i in range(8300):
        authorize(Request.build(USER, f"sqs:Send{i}", QUEUE_A), ps)
    assert len(ps._by_spelling) <= 8192 and len(ps._by_action) <= 8192
    assert authorize(Request.build(USER, "sqs:Send8299", QUEUE_A), ps) == step_by_step(
        Request.build(USER, "sqs:Send8299", QUEUE_A), ps)


def test_a_shared_decision_pickles_and_copies_as_a_value():
    """A kept Decision is an immutable value: pickling and deep copies give an equal one, read-only too."""
    import copy
    import pickle

    ps = PolicySet.from_documents(identity=[doc(allow("sqs:SendMessage", QUEUE_A))])
    d = authorize(Request.build(USER, "sqs:SendMessage", QUEUE_A), ps)
    for twin in (pickle.loads(pickle.dumps(d)), copy.deepcopy(d), copy.copy(d)):
        assert twin == d and twin.details == {} and type(twin.details) is type(d.details)
    given = Decision(ALLOW, d.reasons, (), d.rule, {"k": "v"})
    again = pickle.loads(pickle.dumps(given))
    assert again == given and dict(again.details) == {"k": "v"}
    with pytest.raises(TypeError):
        again.details["k"] = "w"  # type: ignore[index]
