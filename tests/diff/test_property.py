"""Property: a "no new access" answer is never contradicted by the engine on random requests.

Requests are drawn from the policies' own literals plus noise (spec: docs/decisions/diff-request-space.md).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamwarden.diff import HOLDS, Example, check_no_new_access, engine_decision
from iamwarden.policy.document import parse_policy

ACTIONS = ["s3:GetObject", "s3:Get*", "s3:*", "s3:PutObject", "iam:PassRole", "iam:*", "*", "ec2:Describe*"]
RESOURCES = ["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/x/*", "arn:aws:s3:::b/x", "arn:aws:iam::1:role/*"]
CONDS = [
    {},
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringLike": {"s3:prefix": "home/*"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}},
]

statement = st.builds(
    lambda e, a, r, c: {"Effect": e, "Action": a, "Resource": r, **({"Condition": c} if c else {})},
    st.sampled_from(["Allow", "Allow", "Deny"]), st.sampled_from(ACTIONS), st.sampled_from(RESOURCES),
    st.sampled_from(CONDS),
)
policy = st.lists(statement, min_size=1, max_size=4).map(
    lambda ss: parse_policy({"Version": "2012-10-17", "Statement": ss}))
noise = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=6)
request = st.builds(
    lambda a, r, tag, prefix, ip, age, sec, keys: Example(a, r, {k: v for k, v in {
        "aws:PrincipalTag/team": tag, "s3:prefix": prefix, "aws:SourceIp": ip, "aws:MultiFactorAuthAge": age,
        "aws:SecureTransport": sec, "aws:TagKeys": keys}.items() if v is not None}),
    st.sampled_from(["s3:GetObject", "s3:PutObject", "iam:PassRole", "ec2:DescribeInstances", "S3:getobject"]) | noise,
    st.sampled_from(["arn:aws:s3:::b/x", "arn:aws:s3:::b/x/y", "arn:aws:s3:::b/z", "arn:aws:iam::1:role/r"]) | noise,
    st.none() | st.sampled_from(["red", "blue"]) | noise,
    st.none() | st.sampled_from(["home/a", "x"]) | noise,
    st.none() | st.sampled_from(["10.1.2.3", "192.0.2.1", "::1", "bad"]),
    st.none() | st.sampled_from(["10", "3599.9", "3600", "x"]),
    st.none() | st.sampled_from(["true", "false", " TRUE "]),
    st.none() | st.lists(st.sampled_from(["a", "b", "c"]), max_size=3),
)


@pytest.mark.timeout(600)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=policy, new=policy, probes=st.lists(request, min_size=20, max_size=20))
def test_no_new_access_is_never_contradicted(old, new, probes):
    answer = check_no_new_access([old], [new], budget_ms=20_000)
    if answer.result != HOLDS:
        return
    for ex in probes:
        assert not (engine_decision([new], ex).allowed and not engine_decision([old], ex).allowed), ex


@pytest.mark.timeout(600)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=policy, new=policy)
def test_every_example_is_confirmed(old, new):
    answer = check_no_new_access([old], [new], budget_ms=20_000)
    if answer.example is not None:
        assert engine_decision([new], answer.example).allowed
        assert not engine_decision([old], answer.example).allowed
        assert answer.result == "fails"
