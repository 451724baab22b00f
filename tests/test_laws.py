"""Laws of the decision procedure, checked on generated policies and requests (hypothesis).

- statement order and policy order never matter (spec §1.2: Allows OR-ed, any Deny wins);
- adding a Deny statement never turns a deny into Allow;
- adding an Allow statement to a policy already in force never turns an Allow into a deny
  (while a *new* boundary or session policy can: shown by example);
- decisions are deterministic (also across re-parsed copies, so caches cannot leak);
- ``authorize`` never raises, whatever the request context holds.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from iamwarden.evaluation import PolicySet, Request, Verdict, authorize
from iamwarden.evaluation.request import TRUST_ACTIONS
from iamwarden.policy import PolicyKind

A = "111122223333"
B = "444455556666"
USER = f"arn:aws:iam::{A}:user/alice"
ROLE = f"arn:aws:iam::{A}:role/R1"
SESSION = f"arn:aws:sts::{A}:assumed-role/R1/s1"
FEDUSER = f"arn:aws:sts::{A}:federated-user/alice"
USER_B = f"arn:aws:iam::{B}:user/bert"
SESSION_B = f"arn:aws:sts::{B}:assumed-role/RB/s1"

SESSIONS = (SESSION, FEDUSER, SESSION_B)
PRINCIPALS = [USER, SESSION, FEDUSER, f"arn:aws:iam::{A}:root", USER_B, SESSION_B, "ec2.amazonaws.com"]
ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "ec2:RunInstances",
    "ec2:DescribeInstances",
    "iam:PassRole",
    "sqs:SendMessage",
    "sts:AssumeRole",
]
ACTION_PATTERNS = ACTIONS + ["s3:*", "s3:Get*", "ec2:Describe*", "*", "iam:Pass?ole", "sqs:*Message", "sts:*"]
RESOURCES = [
    "arn:aws:s3:::bucket/a.txt",
    "arn:aws:s3:::bucket/alice/notes",
    "arn:aws:s3:::other/k",
    f"arn:aws:sqs:us-east-1:{A}:q",
    f"arn:aws:sqs:us-east-1:{B}:q",
    f"arn:aws:ec2:us-east-1:{A}:instance/i-1",
    f"arn:aws:iam::{A}:role/Target",
    f"arn:aws:iam::{B}:role/Target",
    "*",
]
RESOURCE_PATTERNS = RESOURCES + [
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::*",
    "*",
    f"arn:aws:sqs:*:{A}:*",
    "arn:aws:s3:::bucket/${aws:username}/*",
    "arn:aws:iam::*:role/T*",
]
RESOURCE_PRINCIPALS: list[Any] = [
    "*",
    {"AWS": USER},
    {"AWS": ROLE},
    {"AWS": SESSION},
    {"AWS": A},
    {"AWS": f"arn:aws:iam::{A}:root"},
    {"AWS": B},
    {"AWS": [USER_B, SESSION_B]},
    {"Service": "ec2.amazonaws.com"},
]
CONDITIONS: list[dict] = [
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": ["red", "blue"]}},
    {"StringLike": {"s3:prefix": "home/*"}},
    {"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "RED"}},
    {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}},
    {"NotIpAddress": {"aws:SourceIp": "10.1.0.0/16"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
    {"NumericLessThan": {"s3:max-keys": "10"}},
    {"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}},
    {"ForAllValues:StringLike": {"aws:TagKeys": "e*"}},
    {"Null": {"aws:PrincipalTag/team": "false"}},
    {"StringEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:*"}},
    {"StringLike": {"s3:prefix": "${aws:username}/*"}},
]
CONTEXT_CHOICES: dict[str, list[Any]] = {
    "aws:PrincipalTag/team": ["red", "blue", "green"],
    "s3:prefix": ["home/x", "alice/y", "other"],
    "aws:SourceIp": ["10.0.0.5", "10.1.2.3", "192.0.2.1", "2001:db8::1"],
    "aws:SecureTransport": ["true", "false"],
    "aws:MultiFactorAuthPresent": ["true", "false"],
    "s3:max-keys": ["5", "50"],
    "aws:CurrentTime": ["2023-06-01T00:00:00Z", "2025-06-01T00:00:00Z"],
    "aws:TagKeys": [["env"], ["env", "team"], ["owner"], []],
    "aws:RequestedRegion": ["us-east-1", "eu-west-1"],
}

FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_FULL_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}

conditions = st.one_of(
    st.just(None),
    st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=2).map(
        lambda cs: {k: v for c in cs for k, v in c.items()}
    ),
)


@st.composite
def statements(draw, effect=None, principal=False):
    s: dict[str, Any] = {"Effect": effect or draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    if principal:
        s["Principal"] = draw(st.sampled_from(RESOURCE_PRINCIPALS))
    key = "NotAction" if draw(st.integers(0, 9)) == 0 else "Action"
    s[key] = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3, unique=True))
    if not principal or draw(st.booleans()):
        rkey = "NotResource" if draw(st.integers(0, 9)) == 0 else "Resource"
        s[rkey] = draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2, unique=True))
    c = draw(conditions)
    if c:
        s["Condition"] = c
    if draw(st.integers(0, 3)) == 0:
        s["Sid"] = f"S{draw(st.integers(0, 99))}"
    return s


def policy_docs(principal=False, min_size=1):
    return st.lists(statements(principal=principal), min_size=min_size, max_size=4).map(
        lambda ss: {"Version": "2012-10-17", "Statement": ss}
    )


@st.composite
def requests(draw):
    principal = draw(st.sampled_from(PRINCIPALS))
    ctx = {}
    for k in draw(st.lists(st.sampled_from(sorted(CONTEXT_CHOICES)), unique=True, max_size=5)):
        ctx[k] = draw(st.sampled_from(CONTEXT_CHOICES[k]))
    return {
        "principal": principal,
        "action": draw(st.sampled_from(ACTIONS)),
        "resource": draw(st.sampled_from(RESOURCES)),
        "context": ctx,
        "principal_entity": USER if principal == FEDUSER else None,
    }


@st.composite
def cases(draw):
    """A request and the documents that apply to it (raw JSON, so they can be edited)."""
    req = draw(requests())
    docs = {
        "identity": draw(st.lists(policy_docs(), max_size=3)),
        "resource": draw(st.one_of(st.none(), policy_docs(principal=True))),
        "boundary": draw(st.one_of(st.none(), st.none(), policy_docs())),
        "session": draw(st.lists(policy_docs(), max_size=2)) if req["principal"] in SESSIONS else [],
        "scp": draw(st.lists(st.lists(policy_docs(), min_size=1, max_size=2), max_size=2)),
        "rcp": draw(st.lists(st.lists(policy_docs(principal=True), min_size=1, max_size=2), max_size=1)),
    }
    # as in real organizations, FullAWSAccess is usually attached (RCPFullAWSAccess always is)
    for level in docs["scp"]:
        if draw(st.integers(0, 3)):
            level.append(FULL_ACCESS)
    for level in docs["rcp"]:
        level.append(RCP_FULL_ACCESS)
    return req, docs


def _as_trust(doc: dict | None) -> dict | None:
    """A role trust policy has no Resource element (IAM refuses one, spec §5.4): drop it."""
    if doc is None:
        return None
    return {**doc, "Statement": [{k: v for k, v in s.items() if k not in ("Resource", "NotResource")}
                                 for s in doc["Statement"]]}


def build(req: dict, docs: dict) -> tuple[Request, PolicySet]:
    trust = req["action"].lower() in TRUST_ACTIONS and ":role/" in req["resource"]
    ps = PolicySet.from_documents(
        identity=docs["identity"],
        resource=_as_trust(docs["resource"]) if trust else docs["resource"],
        boundary=docs["boundary"],
        session=docs["session"],
        scp=docs["scp"],
        rcp=docs["rcp"],
        resource_kind=PolicyKind.TRUST if trust else PolicyKind.RESOURCE,
    )
    r = Request.build(
        req["principal"],
        req["action"],
        req["resource"],
        context=req["context"],
        principal_entity=req["principal_entity"],
    )
    return r, ps


def verdict(req: dict, docs: dict) -> Verdict:
    r, ps = build(req, docs)
    return authorize(r, ps).verdict


FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _permute(docs: dict, rnd) -> dict:
    out = copy.deepcopy(docs)

    def shuffle_doc(d):
        if d is not None:
            rnd.shuffle(d["Statement"])

    for key in ("identity", "session"):
        for d in out[key]:
            shuffle_doc(d)
        rnd.shuffle(out[key])
    shuffle_doc(out["resource"])
    shuffle_doc(out["boundary"])
    for key in ("scp", "rcp"):
        for level in out[key]:
            for d in level:
                shuffle_doc(d)
            rnd.shuffle(level)
        rnd.shuffle(out[key])
    return out


@FAST
@given(cases(), st.randoms(use_true_random=False))
def test_statement_and_policy_order_never_matter(case, rnd):
    """§1.2: statements and policies are OR-ed for Allow, any Deny wins: order is irrelevant."""
    req, docs = case
    assert verdict(req, docs) is verdict(req, _permute(docs, rnd))


def _targets(docs: dict) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = [("identity", i) for i in range(len(docs["identity"]))]
    out += [("session", i) for i in range(len(docs["session"]))]
    if docs["resource"] is not None:
        out.append(("resource", None))
    if docs["boundary"] is not None:
        out.append(("boundary", None))
    return out


def _add(docs: dict, where: tuple[str, int | None], statement: dict) -> dict:
    out = copy.deepcopy(docs)
    kind, i = where
    target = out[kind] if i is None else out[kind][i]
    target["Statement"].append(statement)
    return out


@FAST
@given(cases(), st.data())
def test_adding_a_deny_statement_never_turns_a_deny_into_allow(case, data):
    """§1.3 step 1: a Deny can only take permissions away; an ExplicitDeny stays one."""
    req, docs = case
    targets = _targets(docs)
    assume(targets)
    where = data.draw(st.sampled_from(targets))
    new = data.draw(statements(effect="Deny", principal=where[0] == "resource"))
    before = verdict(req, docs)
    after = verdict(req, _add(docs, where, new))
    if before is not Verdict.ALLOW:
        assert after is not Verdict.ALLOW
    if before is Verdict.EXPLICIT_DENY:
        assert after is Verdict.EXPLICIT_DENY


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.data())
def test_adding_an_allow_statement_to_a_policy_in_force_never_turns_allow_into_deny(case, data):
    """§1.2: Allows are OR-ed within a policy type, so a further Allow statement in a policy
    that already applies (identity, resource, boundary, session, SCP) cannot take anything away."""
    req, docs = case
    targets = _targets(docs) + [("scp", li) for li in range(len(docs["scp"]))]
    assume(targets)
    where = data.draw(st.sampled_from(targets))
    new = data.draw(statements(effect="Allow", principal=where[0] == "resource"))
    if where[0] == "scp":
        grown = copy.deepcopy(docs)
        grown["scp"][where[1]][0]["Statement"].append(new)
    else:
        grown = _add(docs, where, new)
    r, ps = build(req, grown)
    d = authorize(r, ps)
    assume(not d.errors)  # our generator never produces unreadable values; stay honest anyway
    if verdict(req, docs) is Verdict.ALLOW:
        assert d.verdict is Verdict.ALLOW


def test_a_new_boundary_or_session_policy_can_turn_allow_into_deny():
    """§1.7, §1.2: a *new* ceiling (boundary, session policy) can take away an Allow —
    which is why the monotonicity law above is about policies already in force."""
    req = {"principal": SESSION, "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/a.txt",
           "context": {}, "principal_entity": None}
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    only_ec2 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}
    docs = {"identity": [allow_all], "resource": None, "boundary": None, "session": [], "scp": [], "rcp": []}
    assert verdict(req, docs) is Verdict.ALLOW
    assert verdict(req, {**docs, "boundary": only_ec2}) is Verdict.IMPLICIT_DENY
    assert verdict(req, {**docs, "session": [only_ec2]}) is Verdict.IMPLICIT_DENY
    # and a new SCP level likewise
    assert verdict(req, {**docs, "scp": [[only_ec2]]}) is Verdict.IMPLICIT_DENY


@FAST
@given(cases())
def test_decisions_are_deterministic(case):
    """Design: ``authorize`` is a pure function: same input, same decision, reasons and errors,
    whether asked twice of one PolicySet (warm caches) or of a freshly parsed copy."""
    req, docs = case
    r, ps = build(req, docs)
    first = authorize(r, ps).to_json()
    assert authorize(r, ps).to_json() == first
    r2, ps2 = build(copy.deepcopy(req), copy.deepcopy(docs))
    assert authorize(r2, ps2).to_json() == first


wild_values = st.one_of(
    st.text(max_size=12),
    st.lists(st.text(max_size=6), max_size=3),
    st.sampled_from(["", "nan", "inf", "1e999", "::", "10.0.0.0/99", "-0", "2024-13-45", "${x}", "*"]),
    st.booleans(),
    st.integers(),
)


WILD_KEYS = st.sampled_from([*sorted(CONTEXT_CHOICES), "aws:userid", "k:x"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.dictionaries(WILD_KEYS, wild_values, max_size=5))
def test_authorize_never_raises(case, wild_context):
    """Design: ``authorize`` is total; unreadable values become reported errors, never exceptions,
    and an errored decision is never Allow only because of the error."""
    req, docs = case
    req = {**req, "context": {**req["context"], **wild_context}}
    r, ps = build(req, docs)
    d = authorize(r, ps)
    assert d.verdict in (Verdict.ALLOW, Verdict.EXPLICIT_DENY, Verdict.IMPLICIT_DENY)
    if d.errors:
        assert d.verdict is not Verdict.ALLOW
