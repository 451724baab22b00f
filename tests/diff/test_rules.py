"""Rule-named tests per operator family: each solver example is checked by the engine (the oracle)."""

from __future__ import annotations

import pytest

from iamwarden.diff import FAILS, HOLDS, UNKNOWN, check_access_not_granted, check_no_new_access, engine_decision
from iamwarden.policy.document import parse_policy


def P(*statements, version="2012-10-17"):
    return parse_policy({"Version": version, "Statement": list(statements)})


def allow(action="*", resource="*", **cond):
    s = {"Effect": "Allow", "Action": action, "Resource": resource}
    if cond:
        s["Condition"] = cond
    return s


def deny(action="*", resource="*", **cond):
    return {**allow(action, resource, **cond), "Effect": "Deny"}


def assert_new_access(old, new):
    a = check_no_new_access([old], [new], budget_ms=20_000)
    assert a.result == FAILS, a
    # the oracle: the engine allows the example under NEW and denies it under OLD
    assert engine_decision([new], a.example).allowed
    assert not engine_decision([old], a.example).allowed
    return a.example


def assert_no_new_access(old, new):
    a = check_no_new_access([old], [new], budget_ms=20_000)
    assert a.result == HOLDS, a


CASES = {
    "action_widened_to_service_wildcard": (
        P(allow("s3:GetObject", "arn:aws:s3:::b/*")), P(allow("s3:*", "arn:aws:s3:::b/*"))),
    "resource_widened": (P(allow("s3:GetObject", "arn:aws:s3:::b/a/*")), P(allow("s3:GetObject", "arn:aws:s3:::b/*"))),
    "question_mark_matches_one_character": (P(allow("s3:GetObject", "arn:aws:s3:::b?")), P(allow("s3:GetObject", "arn:aws:s3:::b??"))),
    "deny_removed": (P(allow(), deny("iam:*")), P(allow())),
    "not_action_grants_everything_else": (P(allow("s3:*")), P({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})),
    "not_resource": (P(allow("s3:*", "arn:aws:s3:::a")), P({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret"})),
    "string_equals_value_added": (
        P(allow(StringEquals={"aws:PrincipalTag/team": "red"})), P(allow(StringEquals={"aws:PrincipalTag/team": ["red", "blue"]}))),
    "string_not_equals": (P(allow(StringEquals={"s3:prefix": "home/"})), P(allow(StringNotEquals={"s3:prefix": "secret/"}))),
    "string_like": (P(allow(StringLike={"s3:prefix": "home/*"})), P(allow(StringLike={"s3:prefix": "*"}))),
    "string_equals_ignore_case": (
        P(allow(StringEquals={"aws:PrincipalTag/env": "dev"})), P(allow(StringEqualsIgnoreCase={"aws:PrincipalTag/env": "dev"}))),
    "numeric_less_than_widened": (
        P(allow(NumericLessThan={"aws:MultiFactorAuthAge": "3600"})), P(allow(NumericLessThan={"aws:MultiFactorAuthAge": "3600.5"}))),
    "date_window_widened": (
        P(allow(DateLessThan={"aws:CurrentTime": "2024-01-01T00:00:00Z"})),
        P(allow(DateLessThan={"aws:CurrentTime": "2024-01-01T00:00:01Z"}))),
    "bool_condition_dropped": (P(allow(Bool={"aws:MultiFactorAuthPresent": "true"})), P(allow())),
    "ip_range_widened": (P(allow(IpAddress={"aws:SourceIp": "10.0.0.0/16"})), P(allow(IpAddress={"aws:SourceIp": "10.0.0.0/8"}))),
    "ipv6_range": (P(allow(IpAddress={"aws:SourceIp": "10.0.0.0/8"})), P(allow(IpAddress={"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}))),
    "not_ip_address": (P(allow(IpAddress={"aws:SourceIp": "10.0.0.0/8"})), P(allow(NotIpAddress={"aws:SourceIp": "192.0.2.0/24"}))),
    "arn_like": (
        P(allow(ArnLike={"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic"})),
        P(allow(ArnLike={"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}))),
    "null_condition": (P(allow(Null={"aws:TokenIssueTime": "false"})), P(allow())),
    "if_exists_allows_missing_key": (
        P(allow(StringEquals={"aws:RequestedRegion": "eu-west-1"})), P(allow(StringEqualsIfExists={"aws:RequestedRegion": "eu-west-1"}))),
    "for_any_value": (
        P(allow(**{"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}})),
        P(allow(**{"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}))),
    "for_all_values_on_missing_key_is_true": (
        P(allow(**{"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}})),
        P(allow(**{"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}}))),
    "policy_variable_in_resource": (
        P(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")), P(allow("s3:GetObject", "arn:aws:s3:::home/*"))),
    "unparseable_number_is_an_error_that_denies": (
        P(allow(NumericLessThan={"aws:MultiFactorAuthAge": "10"})), P(allow(NumericGreaterThan={"aws:MultiFactorAuthAge": "5"}))),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(CASES))
def test_new_access_examples_are_confirmed_by_the_engine(name):
    old, new = CASES[name]
    assert_new_access(old, new)
    assert_no_new_access(new, new)


@pytest.mark.timeout(60)
def test_no_new_access_when_narrowed():
    assert_no_new_access(P(allow("s3:*", "arn:aws:s3:::b/*")), P(allow("s3:Get*", "arn:aws:s3:::b/x/*")))
    assert_no_new_access(P(allow()), P(allow(), deny("iam:*")))
    assert_no_new_access(P(allow(IpAddress={"aws:SourceIp": "10.0.0.0/8"})),
                         P(allow(IpAddress={"aws:SourceIp": "10.1.0.0/16"})))


@pytest.mark.timeout(60)
def test_action_case_is_ignored():
    assert_no_new_access(P(allow("S3:getobject")), P(allow("s3:GetObject")))


@pytest.mark.timeout(60)
def test_get_caller_identity_is_outside_the_space():
    assert_no_new_access(P(allow("s3:*")), P(allow("sts:GetCallerIdentity")))


@pytest.mark.timeout(60)
def test_policy_variable_resolves_from_context():
    ex = assert_new_access(P(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}")),
                           P(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}*")))
    assert ex.resource.startswith("arn:aws:s3:::home/")


@pytest.mark.timeout(60)
def test_binary_equals_is_unknown_not_a_guess():
    a = check_no_new_access([P(allow())], [P(allow(BinaryEquals={"k": "QUJD"}))])
    assert a.result == UNKNOWN and "BinaryEquals" in str(a.reason)


@pytest.mark.timeout(60)
def test_non_ascii_literal_is_unknown():
    a = check_no_new_access([P(allow("s3:GetObject"))], [P(allow("s3:GetObject", "arn:aws:s3:::caf\u00e9"))])
    assert a.result == UNKNOWN


@pytest.mark.timeout(60)
def test_access_not_granted():
    p = P(allow("s3:Get*"), deny("s3:GetObject", "arn:aws:s3:::secret/*"))
    assert check_access_not_granted([p], ["iam:PassRole"]).result == HOLDS
    assert check_access_not_granted([p], ["s3:GetObject"], ["arn:aws:s3:::secret/*"]).result == HOLDS
    a = check_access_not_granted([p], ["s3:GetObject"])
    assert a.result == FAILS and engine_decision([p], a.example).allowed
