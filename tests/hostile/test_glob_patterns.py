"""Hostile wildcard patterns (issue 8, "Wildcard patterns backtrack exponentially").

The old matcher turned ``*`` into ``.*``: ``*a*a*…*b`` with 20+ stars against a
few hundred characters never finished, and held the GIL while it tried. Every
entry point that matches globs is driven here with patterns of 30+ stars and
long ``?`` runs against 64 KB values, each under a hang guard, and each must
give the right answer, not just return.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from iamwarden.analysis import audit
from iamwarden.policy.validation import validate_policy
from tests.analysis.builders import ADMIN, Builder, allow, arn, trust, world
from tests.analysis.builders import doc as account_doc
from tests.evaluation.helpers import USER, decide, doc

VALUE = "a" * 65536  # 64 KB of the character every pattern asks for, and no "b"
VALUE_B = "a" * 65535 + "b"

#: (name, pattern, matches VALUE, matches VALUE_B)
HOSTILE = [
    ("stars-then-b", "*" + "a*" * 40 + "b", False, True),  # the finding's shape
    ("stars-around-b", "*a" * 40 + "*b*", False, True),  # every star open: a full scan for "b"
    ("stars-then-question-runs", "*a" * 30 + "*" + "?" * 500 + "*b", False, True),
    ("question-segments", "*" + "a?" * 30 + "b*", False, True),  # the anchor "a" fits everywhere
    ("many-question-segments", ("*" + "a?" * 8 + "b") * 12 + "*", False, False),
    ("long-question-run", "?" * 65536, True, True),
    ("long-question-run-plus-one", "?" * 65537, False, False),
]
IDS = [h[0] for h in HOSTILE]


def _answers(want: bool) -> str:
    return "Allow" if want else "ImplicitDeny"


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("name", "pattern", "on_a", "on_b"), HOSTILE, ids=IDS)
def test_hostile_action_pattern_is_decided_in_bounded_time(name: str, pattern: str, on_a: bool, on_b: bool):
    """Action globs (case-insensitive) against a 64 KB action name."""
    pol = doc({"Effect": "Allow", "Action": "svc:" + pattern, "Resource": "*"})
    assert decide(USER, "svc:" + VALUE, identity=[pol]).decision == _answers(on_a)
    assert decide(USER, "SVC:" + VALUE_B.upper(), identity=[pol]).decision == _answers(on_b)


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("name", "pattern", "on_a", "on_b"), HOSTILE, ids=IDS)
def test_hostile_not_action_pattern_is_decided_in_bounded_time(name: str, pattern: str, on_a: bool, on_b: bool):
    """NotAction: the same match, negated."""
    pol = doc({"Effect": "Allow", "NotAction": "svc:" + pattern, "Resource": "*"})
    assert decide(USER, "svc:" + VALUE, identity=[pol]).decision == _answers(not on_a)
    assert decide(USER, "svc:" + VALUE_B, identity=[pol]).decision == _answers(not on_b)


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("name", "pattern", "on_a", "on_b"), HOSTILE, ids=IDS)
def test_hostile_resource_pattern_is_decided_in_bounded_time(name: str, pattern: str, on_a: bool, on_b: bool):
    """Resource and NotResource globs against a 64 KB ARN, fixed and with a policy variable."""
    fixed = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/" + pattern})
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::b/" + VALUE, identity=[fixed]).decision == _answers(on_a)
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::b/" + VALUE_B, identity=[fixed]).decision == _answers(on_b)
    var = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${aws:username}/" + pattern})
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::alice/" + VALUE, identity=[var]).decision == _answers(on_a)
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::alice/" + VALUE_B, identity=[var]).decision == _answers(on_b)
    neg = doc({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/" + pattern})
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::b/" + VALUE, identity=[neg]).decision == _answers(not on_a)


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("name", "pattern", "on_a", "on_b"), HOSTILE, ids=IDS)
def test_hostile_string_like_on_user_agent_is_decided_in_bounded_time(
    name: str, pattern: str, on_a: bool, on_b: bool
):
    """StringLike / StringNotLike on aws:UserAgent: the value is the caller's own header."""
    like = doc({"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"StringLike": {"aws:UserAgent": pattern}}})
    assert decide(USER, "s3:GetObject", identity=[like], context={"aws:UserAgent": VALUE}).decision == _answers(on_a)
    assert decide(USER, "s3:GetObject", identity=[like], context={"aws:UserAgent": VALUE_B}).decision == _answers(on_b)
    # with a policy variable in the pattern (the inserted text is literal)
    var = doc({"Effect": "Allow", "Action": "*", "Resource": "*",
               "Condition": {"StringNotLike": {"aws:UserAgent": "${aws:username}" + pattern}}})
    ctx = {"aws:UserAgent": "alice" + VALUE}
    assert decide(USER, "s3:GetObject", identity=[var], context=ctx).decision == _answers(not on_a)


@pytest.mark.timeout(10)
def test_finding_user_agent_pattern_against_a_65_kb_header():
    """The finding's own example: an ordinary-looking admin condition, a 65 KB User-Agent."""
    cond = {"StringLike": {"aws:UserAgent": "aws-cli/*Python/*Linux/*botocore/*"}}
    pol = doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": cond})
    hostile = "aws-cli/" + "Python/Linux/" * 5000  # never "botocore/"
    assert decide(USER, "iam:GetUser", identity=[pol], context={"aws:UserAgent": hostile}).decision == "ImplicitDeny"
    fine = "aws-cli/2.15 Python/3.11 Linux/6.1 botocore/2.0"
    assert decide(USER, "iam:GetUser", identity=[pol], context={"aws:UserAgent": fine}).allowed


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("name", "pattern", "on_a", "on_b"), HOSTILE, ids=IDS)
def test_hostile_arn_like_pattern_is_decided_in_bounded_time(name: str, pattern: str, on_a: bool, on_b: bool):
    """ArnLike / ArnNotLike: segment by segment, the hostile part in the resource segment."""
    like = doc({"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::" + pattern}}})
    for value, want in ((VALUE, on_a), (VALUE_B, on_b)):
        ctx = {"aws:SourceArn": "arn:aws:s3:::" + value}
        assert decide(USER, "sqs:SendMessage", identity=[like], context=ctx).decision == _answers(want)
    var = doc({"Effect": "Allow", "Action": "*", "Resource": "*",
               "Condition": {"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::${aws:username}" + pattern}}})
    ctx = {"aws:SourceArn": "arn:aws:s3:::alice" + VALUE}
    assert decide(USER, "sqs:SendMessage", identity=[var], context=ctx).decision == _answers(not on_a)


@pytest.mark.timeout(10)
def test_hostile_patterns_in_validate():
    """validate: redundancy checks match each wildcard entry against the others; the action
    catalogue is searched with the pattern; ``${`` runs are scanned once."""
    stars = "*" + "a*" * 40 + "b"
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": ["iam:" + stars, "iam:" + VALUE, "iam:" + VALUE_B],
        "Resource": ["arn:aws:s3:::" + stars, "arn:aws:s3:::" + VALUE, "arn:aws:s3:::" + VALUE_B,
                     "arn:aws:s3:::x/" + "${" * 20000],
    }]}
    findings = validate_policy(json.dumps(document))
    redundant = {(f.code, f.path) for f in findings if f.code.startswith("REDUNDANT_")}
    base = "$.Statement[0]"
    # only the entry ending in "b" is covered by the pattern (unknown actions are errors first)
    assert redundant == {("REDUNDANT_RESOURCE", f"{base}.Resource[2]")}
    codes = {(f.code, f.path) for f in findings}
    assert {("UNKNOWN_ACTION", f"{base}.Action[1]"), ("UNKNOWN_ACTION", f"{base}.Action[2]")} <= codes
    assert ("NO_MATCHING_ACTION", f"{base}.Action[0]") in codes  # the catalogue was searched with it


@pytest.mark.timeout(10)
def test_hostile_patterns_in_an_audited_account():
    """audit of a crafted account: a PassRole grant of 40 stars, roles with 64 KB names."""
    lam = {"Service": "lambda.amazonaws.com"}
    b = Builder()
    b.role(VALUE, trust(lam), attached=(ADMIN,))
    stars = "*" + "a*" * 40 + "b"
    # the Lambda actions on any function: on the role pattern they would name no function at
    # all (docs/decisions/analysis-one-created-resource.md)
    no = b.user("no", account_doc(allow("iam:PassRole", arn("role", stars)),
                                  allow(["lambda:CreateFunction", "lambda:InvokeFunction"])))
    result = audit(world(b))
    assert not result.principal(no).can_escalate  # the only role's name has no "b"
    b.role(VALUE_B, trust(lam), attached=(ADMIN,))
    result = audit(world(b))
    assert result.principal(no).can_escalate


@pytest.mark.timeout(10)
def test_hostile_patterns_for_one_created_resource_share_one_search_budget():
    """P04 decides CreateFunction and InvokeFunction on one function name found by a search over
    the caller's patterns (``glob_witness``): users holding 8 x 8 long wildcard patterns (each
    pair a search of 20,000 states) cost one budget per policy setup, not 64 searches; where the
    patterns meet the escalation is still found, where they cannot meet it is not."""
    from tests.analysis.builders import ACCT

    b = Builder()
    b.role("fn", trust({"Service": "lambda.amazonaws.com"}), attached=(ADMIN,))
    fn = f"arn:aws:lambda:*:{ACCT}:function:"
    users = {}
    for u in range(6):
        meet = u % 2 == 0  # odd users: every Invoke pattern starts where no Create pattern may
        create = [fn + "c" + "*?" * 60 + f"{u}{k}" for k in range(8)]
        invoke = [fn + ("c" if meet else "d") + "?*" * 60 + f"z{u}{k}" for k in range(8)]
        users[b.user(f"u{u}", account_doc(allow("iam:PassRole"), allow("lambda:CreateFunction", create),
                                          allow("lambda:InvokeFunction", invoke)))] = meet
    result = audit(world(b))
    assert {a: result.principal(a).can_escalate for a in users} == users


# --- the server ---------------------------------------------------------------

#: 1,861 characters, inside the session policy quota; as a regex (``.*`` per star) it never ends
HOSTILE_2K = "*a" * 30 + "*" * 1800 + "*b"


def _simulate(iam: Any, policy: dict[str, Any], user_agent: str) -> str:
    out = iam.simulate_custom_policy(
        PolicyInputList=[json.dumps(policy)], ActionNames=["s3:GetObject"],
        ContextEntries=[{"ContextKeyName": "aws:UserAgent", "ContextKeyValues": [user_agent],
                         "ContextKeyType": "string"}],
    )
    return out["EvaluationResults"][0]["EvalDecision"]


@pytest.mark.e2e
@pytest.mark.timeout(20)
def test_hostile_pattern_in_simulate_custom_policy(iamwarden_endpoint):
    """SimulateCustomPolicy: a caller-supplied policy and a caller-supplied 64 KB context value."""
    iam = iamwarden_endpoint.client("iam")
    pol = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
               "Condition": {"StringLike": {"aws:UserAgent": HOSTILE_2K}}})
    assert _simulate(iam, pol, VALUE) == "implicitDeny"
    assert _simulate(iam, pol, VALUE_B) == "allowed"
    # and the server still answers others promptly
    assert iamwarden_endpoint.client("sts").get_caller_identity()["Account"] == iamwarden_endpoint.account_id


@pytest.mark.e2e
@pytest.mark.timeout(20)
def test_hostile_pattern_in_an_assume_role_session_policy(iamwarden_endpoint):
    """AssumeRole with an inline session Policy of 1,831 stars; the session's calls are decided."""
    acct = iamwarden_endpoint.account_id
    iam = iamwarden_endpoint.client("iam")
    iam.create_user(UserName="caller")
    iam.put_user_policy(UserName="caller", PolicyName="assume", PolicyDocument=json.dumps(doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})))
    key = iam.create_access_key(UserName="caller")["AccessKey"]
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:user/caller"}, "Action": "sts:AssumeRole"})))
    iam.put_role_policy(RoleName="r", PolicyName="all", PolicyDocument=json.dumps(doc(
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"})))
    session_policy = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser",
                                                 "Resource": f"arn:aws:iam::{acct}:user/" + HOSTILE_2K}]},
        separators=(",", ":"),
    )
    assert len(session_policy) <= 2048
    sts = iamwarden_endpoint.client("sts", access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"])
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{acct}:role/r", RoleSessionName="hostile", Policy=session_policy)["Credentials"]
    session = iamwarden_endpoint.client("iam", access_key_id=creds["AccessKeyId"],
                                        secret_access_key=creds["SecretAccessKey"],
                                        session_token=creds["SessionToken"])
    with pytest.raises(ClientError) as e:
        session.get_user(UserName="a" * 64)
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError) as e:
        session.get_user(UserName="a" * 63 + "b")
    assert e.value.response["Error"]["Code"] == "NoSuchEntity"  # authorized; there is no such user
