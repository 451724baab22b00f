"""Condition blocks and operators (spec §2.5–§2.7), one test per rule."""

from __future__ import annotations

from typing import Any

import pytest

from iamwarden.evaluation import Request
from iamwarden.policy import PolicySyntaxError, parse_policy
from iamwarden.policy import conditions as conditions_module
from iamwarden.policy.conditions import ConditionError
from tests.evaluation.helpers import USER, allow, decide, deny, doc


def holds(block: dict, context: dict | None = None, version: str | None = "2012-10-17") -> bool:
    """Evaluate a Condition block (AND of its entries) for USER with ``context``."""
    pol = parse_policy(doc(allow(Condition=block), version=version))
    ctx = Request.build(USER, "s3:GetObject", context=context or {}).context
    return all(c.evaluate(ctx) for c in pol.statements[0].conditions)


# --- §2.5 block semantics ---------------------------------------------------------


def test_different_operators_are_anded():
    """§2.5: Op1 AND Op2."""
    block = {"StringEquals": {"k:a": "1"}, "StringLike": {"k:b": "x*"}}
    assert holds(block, {"k:a": "1", "k:b": "xyz"})
    assert not holds(block, {"k:a": "1", "k:b": "yz"})


def test_different_keys_under_one_operator_are_anded():
    """§2.5: k1 AND k2 under one operator."""
    block = {"StringEquals": {"k:a": "1", "k:b": "2"}}
    assert holds(block, {"k:a": "1", "k:b": "2"})
    assert not holds(block, {"k:a": "1", "k:b": "3"})


def test_values_of_one_key_are_ored():
    """§2.5: several values for one key: OR for positive operators."""
    assert holds({"StringEquals": {"k:a": ["1", "2"]}}, {"k:a": "2"})


def test_negated_operator_values_are_nored():
    """§2.5: StringNotEquals [a, b] holds iff the value equals neither."""
    block = {"StringNotEquals": {"k:a": ["a", "b"]}}
    assert holds(block, {"k:a": "c"})
    assert not holds(block, {"k:a": "b"})


def test_empty_condition_block_is_no_condition():
    """§2.5: "Condition": {} always holds."""
    assert decide(USER, "s3:GetObject", identity=[doc(allow(Condition={}))]).allowed


def test_condition_key_names_are_case_insensitive():
    """§2.5: aws:SourceIP ≡ AWS:sourceip."""
    assert holds({"IpAddress": {"AWS:sourceip": "10.0.0.0/8"}}, {"aws:SourceIp": "10.1.2.3"})


def test_tag_key_part_of_condition_key_is_case_insensitive():
    """§2.5: the tag-key part of aws:PrincipalTag/… is case-insensitive; the value is not."""
    assert holds({"StringEquals": {"aws:PrincipalTag/Team": "red"}}, {"aws:principaltag/TEAM": "red"})
    assert not holds({"StringEquals": {"aws:PrincipalTag/Team": "red"}}, {"aws:principaltag/TEAM": "Red"})


NEGATED = [
    ("StringNotEquals", "x"),
    ("StringNotEqualsIgnoreCase", "x"),
    ("StringNotLike", "x*"),
    ("NumericNotEquals", "1"),
    ("DateNotEquals", "2020-01-01T00:00:00Z"),
    ("ArnNotEquals", "arn:aws:iam::111122223333:user/x"),
    ("ArnNotLike", "arn:aws:iam::*:user/*"),
    ("NotIpAddress", "10.0.0.0/8"),
]
POSITIVE = [
    ("StringEquals", "x"),
    ("StringEqualsIgnoreCase", "x"),
    ("StringLike", "*"),
    ("NumericEquals", "1"),
    ("NumericLessThan", "1"),
    ("NumericGreaterThanEquals", "1"),
    ("DateEquals", "2020-01-01T00:00:00Z"),
    ("DateLessThan", "2020-01-01T00:00:00Z"),
    ("DateGreaterThan", "2020-01-01T00:00:00Z"),
    ("Bool", "true"),
    ("BinaryEquals", "QmluYXJ5"),
    ("IpAddress", "0.0.0.0/0"),
    ("ArnEquals", "*:*:*:*:*:*"),
    ("ArnLike", "arn:*:*:*:*:*"),
]


@pytest.mark.parametrize("op,value", NEGATED)
def test_negated_operator_matches_when_key_missing(op, value):
    """§2.5 missing keys, §0 rule 9: a negated operator holds when the key is absent."""
    assert holds({op: {"k:missing": value}})


@pytest.mark.parametrize("op,value", POSITIVE)
def test_positive_operator_false_when_key_missing(op, value):
    """§2.5 missing keys: a positive operator does not hold when the key is absent."""
    assert not holds({op: {"k:missing": value}})


@pytest.mark.parametrize("op,value", POSITIVE + NEGATED)
def test_if_exists_matches_when_key_missing(op, value):
    """§2.5: …IfExists makes an absent key match, for every operator."""
    assert holds({op + "IfExists": {"k:missing": value}})


def test_if_exists_evaluates_normally_when_key_present():
    """§2.5: with the key present, IfExists is the plain operator."""
    assert holds({"StringEqualsIfExists": {"k:a": "x"}}, {"k:a": "x"})
    assert not holds({"StringEqualsIfExists": {"k:a": "x"}}, {"k:a": "y"})


def test_string_not_equals_if_exists_in_deny_denies_when_key_missing():
    """§2.5: StringNotEqualsIfExists in a Deny still denies when the key is missing."""
    pol = doc(allow(), deny(Condition={"StringNotEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}))
    assert decide(USER, "s3:GetObject", identity=[pol]).decision == "ExplicitDeny"


def test_mfa_bool_if_exists_table():
    """§3.2 MFA table: Bool vs BoolIfExists vs Deny+BoolIfExists false."""
    k = "aws:MultiFactorAuthPresent"
    for ctx, plain, ifexists, denied in (
        ({}, False, True, True),
        ({k: "false"}, False, False, True),
        ({k: "true"}, True, True, False),
    ):
        assert holds({"Bool": {k: "true"}}, ctx) is plain
        assert holds({"BoolIfExists": {k: "true"}}, ctx) is ifexists
        assert holds({"BoolIfExists": {k: "false"}}, ctx) is denied


def test_null_true_holds_iff_key_absent():
    """§2.5 Null: "true" holds iff the key is absent."""
    assert holds({"Null": {"aws:TokenIssueTime": "true"}})
    assert not holds({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"})


def test_null_false_holds_iff_key_present():
    """§2.5 Null: "false" holds iff the key is present."""
    assert holds({"Null": {"k:a": "false"}}, {"k:a": "v"})
    assert not holds({"Null": {"k:a": "false"}})


def test_null_treats_empty_set_as_absent():
    """§2.5: a key with an empty set of values is null."""
    assert holds({"Null": {"aws:TagKeys": "true"}}, {"aws:TagKeys": []})


def test_unknown_operator_rejected_when_parsing():
    """§2.5: unknown operators are rejected at validation time."""
    with pytest.raises(PolicySyntaxError) as e:
        parse_policy(doc(allow(Condition={"StringEqualz": {"k:a": "x"}})))
    assert "StringEqualz" in str(e.value)


def test_json_numbers_and_booleans_are_read_as_strings():
    """§2.1: unquoted 10 ≡ "10", true ≡ "true"."""
    assert holds({"NumericLessThan": {"s3:max-keys": 10}}, {"s3:max-keys": "5"})
    assert holds({"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": "true"})


# --- §2.6 operators ---------------------------------------------------------------


def test_string_equals_is_case_sensitive_and_exact():
    """§2.6: StringEquals: exact, case-sensitive, no wildcards."""
    assert holds({"StringEquals": {"k:a": "Abc"}}, {"k:a": "Abc"})
    assert not holds({"StringEquals": {"k:a": "Abc"}}, {"k:a": "abc"})
    assert not holds({"StringEquals": {"k:a": "A*"}}, {"k:a": "Abc"})


def test_string_equals_ignore_case():
    """§2.6: StringEqualsIgnoreCase folds case."""
    assert holds({"StringEqualsIgnoreCase": {"k:a": "ABC"}}, {"k:a": "abc"})
    assert not holds({"StringNotEqualsIgnoreCase": {"k:a": "ABC"}}, {"k:a": "abc"})


def test_string_like_glob_is_case_sensitive():
    """§2.6: StringLike: * any run, ? one char, anywhere; case-sensitive."""
    assert holds({"StringLike": {"k:a": "a*c?"}}, {"k:a": "abbbcd"})
    assert not holds({"StringLike": {"k:a": "a*c?"}}, {"k:a": "abbbc"})
    assert not holds({"StringLike": {"k:a": "A*"}}, {"k:a": "abc"})
    assert holds({"StringNotLike": {"k:a": "x*"}}, {"k:a": "abc"})


def test_numeric_operators_compare_integers_and_decimals():
    """§2.6: Numeric* compare numbers, not strings."""
    assert holds({"NumericEquals": {"k:n": "10"}}, {"k:n": "10.0"})
    assert holds({"NumericLessThan": {"k:n": "10"}}, {"k:n": "9.5"})
    assert holds({"NumericLessThanEquals": {"k:n": "10"}}, {"k:n": "10"})
    assert holds({"NumericGreaterThan": {"k:n": "9"}}, {"k:n": "10"})  # not "10" < "9" as strings
    assert holds({"NumericGreaterThanEquals": {"k:n": "-1"}}, {"k:n": "-1"})
    assert holds({"NumericNotEquals": {"k:n": "1"}}, {"k:n": "2"})


def test_date_epoch_and_iso():
    """§2.6 Date row: ISO-8601 forms (with offsets, date-only) and epoch seconds compare as instants."""
    t = "2020-01-01T00:00:01Z"
    assert holds({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, {"aws:CurrentTime": t})
    assert holds({"DateEquals": {"aws:CurrentTime": "1577836801"}}, {"aws:CurrentTime": t})
    assert holds({"DateEquals": {"aws:CurrentTime": "2020-01-01T02:00:01+02:00"}}, {"aws:CurrentTime": t})
    assert holds({"DateLessThan": {"aws:CurrentTime": "2020-01-02"}}, {"aws:CurrentTime": t})
    assert holds({"DateGreaterThanEquals": {"aws:CurrentTime": "2020-01-01"}}, {"aws:CurrentTime": t})
    assert holds({"DateLessThanEquals": {"aws:EpochTime": t}}, {"aws:EpochTime": "1577836801"})
    assert holds({"DateNotEquals": {"aws:CurrentTime": "2021-01-01"}}, {"aws:CurrentTime": t})


def test_epoch_time_compares_with_numeric_or_date_operators():
    """§2.6: aws:EpochTime may be compared with Date or Numeric operators."""
    ctx = {"aws:EpochTime": "1700000000"}
    assert holds({"NumericGreaterThan": {"aws:EpochTime": "1600000000"}}, ctx)
    assert holds({"DateGreaterThan": {"aws:EpochTime": "2020-01-01T00:00:00Z"}}, ctx)


def test_bool_compares_case_insensitively():
    """§2.6 Bool row (mixed case UNCONFIRMED: compare case-insensitively)."""
    assert holds({"Bool": {"aws:SecureTransport": "True"}}, {"aws:SecureTransport": "true"})
    assert not holds({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "false"})


@pytest.mark.parametrize("value", ["asdf", "t", "1", "yes", "", "  false "])
def test_bool_request_value_that_is_not_true_counts_as_false(value):
    """§2.6 Bool row (corrected): a request value other than ``true`` counts as ``false``
    (AWS's simulator: ``Bool "false"`` matches ``asdf`` and ``t``)."""
    k = "aws:SecureTransport"
    assert holds({"Bool": {k: "false"}}, {k: value})
    assert not holds({"Bool": {k: "true"}}, {k: value})
    # IfExists: the key is present, so it is evaluated normally, as false (§2.5)
    assert holds({"BoolIfExists": {k: "false"}}, {k: value})
    assert not holds({"BoolIfExists": {k: "true"}}, {k: value})
    # with a variable in the policy value (not precompiled)
    assert holds({"Bool": {k: "${aws:username}"}}, {k: value}) is False


def test_bool_rule_leaves_true_and_missing_keys_alone():
    """§2.6/§2.5: ``true`` (any case) is true; a missing key is false for Bool, true for IfExists."""
    k = "aws:SecureTransport"
    assert holds({"Bool": {k: "true"}}, {k: "TRUE"})
    assert not holds({"Bool": {k: "false"}})
    assert holds({"BoolIfExists": {k: "false"}})


def test_binary_equals_compares_decoded_bytes():
    """§2.6: BinaryEquals decodes the base64 policy value."""
    assert holds({"BinaryEquals": {"k:b": "QmluYXJ5"}}, {"k:b": "QmluYXJ5"})
    assert holds({"BinaryEquals": {"k:b": "QmluYXJ5"}}, {"k:b": "Binary"})
    assert not holds({"BinaryEquals": {"k:b": "QmluYXJ5"}}, {"k:b": "Other"})


def test_ipaddress_ipv4_cidr_and_bare_address():
    """§2.6: request IP in CIDR; a bare IPv4 address means /32."""
    assert holds({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.7"})
    assert not holds({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.114.7"})
    assert holds({"IpAddress": {"aws:SourceIp": "203.0.113.7"}}, {"aws:SourceIp": "203.0.113.7"})
    assert not holds({"IpAddress": {"aws:SourceIp": "203.0.113.7"}}, {"aws:SourceIp": "203.0.113.8"})


def test_ipaddress_ipv6():
    """§2.6: IPv6 CIDRs; a bare IPv6 address means /128 (§9.8 UNCONFIRMED)."""
    assert holds({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8:1::5"})
    assert not holds({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db9::5"})
    assert holds({"IpAddress": {"aws:SourceIp": "2001:db8::5"}}, {"aws:SourceIp": "2001:DB8:0::5"})
    assert not holds({"IpAddress": {"aws:SourceIp": "2001:db8::5"}}, {"aws:SourceIp": "2001:db8::6"})


def test_ipv4_address_never_in_ipv6_network():
    """§2.6: families do not mix; NotIpAddress then holds."""
    assert not holds({"IpAddress": {"aws:SourceIp": "::/0"}}, {"aws:SourceIp": "10.0.0.1"})
    assert holds({"NotIpAddress": {"aws:SourceIp": "::/0"}}, {"aws:SourceIp": "10.0.0.1"})


def test_not_ip_address_holds_outside_every_range():
    """§2.6: NotIpAddress: request IP in none of the ranges."""
    block = {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}
    assert holds(block, {"aws:SourceIp": "172.16.0.1"})
    assert not holds(block, {"aws:SourceIp": "192.168.1.1"})


def test_arnlike_compares_segment_by_segment():
    """§2.6: ArnLike splits both ARNs into six parts; a * never crosses a colon
    in the first five segments, where StringLike's does."""
    pattern = "arn:aws:someservice:*:111122223333:finance/*"
    value = "arn:aws:someservice:us-east-1:extra:111122223333:finance/x"
    assert holds({"StringLike": {"k:arn": pattern}}, {"k:arn": value})
    assert not holds({"ArnLike": {"k:arn": pattern}}, {"k:arn": value})
    assert holds({"ArnLike": {"k:arn": pattern}}, {"k:arn": "arn:aws:someservice:us-east-1:111122223333:finance/x"})


def test_arnlike_resource_part_may_hold_colons():
    """§2.6: the sixth part is everything after the fifth colon."""
    assert holds({"ArnLike": {"k:arn": "arn:aws:logs:*:*:log-group:*"}},
                 {"k:arn": "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s"})


def test_arnequals_behaves_like_arnlike():
    """§2.6: ArnEquals and ArnLike are identical (wildcards included)."""
    block = {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:*:111122223333:topic-?"}}
    assert holds(block, {"aws:SourceArn": "arn:aws:sns:eu-west-1:111122223333:topic-1"})


def test_arn_operators_are_case_sensitive():
    """§2.6: Arn* compare case-sensitively."""
    assert not holds({"ArnLike": {"k:arn": "arn:aws:iam::*:user/Bob"}}, {"k:arn": "arn:aws:iam::1:user/bob"})


def test_arn_operator_needs_six_parts():
    """§2.6: part counts must both be 6."""
    assert not holds({"ArnLike": {"k:arn": "arn:aws:iam::*:user/*"}}, {"k:arn": "not-an-arn"})
    assert not holds({"ArnLike": {"k:arn": "arn:aws:iam::*:user/*"}}, {"k:arn": "a:b:c:d:e"})


@pytest.mark.parametrize("op", ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"])
@pytest.mark.parametrize("value", ["not-an-arn", "arn:aws:iam::1", "", "a:b:c:d:e"])
def test_arn_operators_on_a_request_value_that_is_not_an_arn_are_false(op, value):
    """§2.6 (corrected): a non-ARN request value makes the positive *and* the negated Arn
    operators false (AWS's simulator) — the negation does not turn the non-match into a match."""
    pattern = "arn:aws:iam::*:user/*"
    assert not holds({op: {"k:arn": pattern}}, {"k:arn": value})
    assert not holds({op: {"k:arn": [pattern, "arn:aws:s3:::b"]}}, {"k:arn": value})
    assert not holds({f"{op}IfExists": {"k:arn": pattern}}, {"k:arn": value})
    # with a variable in the policy value (the unprecompiled path)
    assert not holds({op: {"k:arn": "arn:aws:iam::*:user/${aws:username}"}}, {"k:arn": value})


def test_negated_arn_operators_still_hold_on_a_missing_key_and_a_different_arn():
    """§2.5/§2.6: the non-ARN rule changes nothing for missing keys or real ARNs."""
    assert holds({"ArnNotLike": {"k:arn": "arn:aws:iam::*:user/*"}})
    assert holds({"ArnNotLike": {"k:arn": "arn:aws:iam::*:user/*"}}, {"k:arn": "arn:aws:iam::1:role/r"})
    assert not holds({"ArnNotLike": {"k:arn": "arn:aws:iam::*:user/*"}}, {"k:arn": "arn:aws:iam::1:user/u"})


@pytest.mark.parametrize("set_op", ["ForAllValues", "ForAnyValue"])
def test_arn_set_operators_count_a_non_arn_value_as_false(set_op):
    """§2.6 + §2.7: per request value, a non-ARN value matches neither ArnLike nor ArnNotLike."""
    ctx = {"k:arns": ["not-an-arn"]}
    assert not holds({f"{set_op}:ArnLike": {"k:arns": "arn:*:*:*:*:*"}}, ctx)
    assert not holds({f"{set_op}:ArnNotLike": {"k:arns": "arn:aws:iam::*:user/*"}}, ctx)
    mixed = {"k:arns": ["not-an-arn", "arn:aws:iam::1:role/r"]}
    expected = set_op == "ForAnyValue"  # the real ARN is not a user: ArnNotLike holds for it
    assert holds({f"{set_op}:ArnNotLike": {"k:arns": "arn:aws:iam::*:user/*"}}, mixed) is expected


# --- §2.5 / §9.4 single-valued operator on a multivalued key ---------------------


def test_single_valued_operator_on_multivalued_key_is_false():
    """§2.5, §9.4 (UNCONFIRMED): no set operator + multivalued key ⇒ false, negated too."""
    assert conditions_module.SINGLE_VALUED_OPERATOR_ON_MULTIVALUED_KEY is False
    ctx = {"aws:TagKeys": ["a", "b"]}
    assert not holds({"StringEquals": {"aws:TagKeys": "a"}}, ctx)
    assert not holds({"StringNotEquals": {"aws:TagKeys": "z"}}, ctx)
    assert not holds({"StringLike": {"aws:TagKeys": "*"}}, ctx)


# --- §2.7 set operators -----------------------------------------------------------


# --- §2.5 Null with set operators ---------------------------------------------------


def test_null_with_set_operators_is_accepted_not_refused():
    """§2.5 (corrected): ForAllValues:Null and ForAnyValue:Null parse and validate."""
    from iamwarden.policy.validation import has_errors, validate_policy

    for op in ("ForAllValues:Null", "ForAnyValue:Null"):
        d = doc(allow(Condition={op: {"aws:TagKeys": "false"}}))
        parse_policy(d)
        assert not has_errors(validate_policy(d))


@pytest.mark.parametrize(
    ("op", "value", "absent", "empty", "present"),
    [
        # each present value is a present value: per value Null "false" holds, "true" fails;
        # then ForAllValues over no values is true, ForAnyValue over no values is false (§2.7)
        ("ForAllValues:Null", "true", True, True, False),
        ("ForAllValues:Null", "false", True, True, True),
        ("ForAnyValue:Null", "true", False, False, False),
        ("ForAnyValue:Null", "false", False, False, True),
    ],
)
def test_null_with_set_operators_is_evaluated_per_value(op, value, absent, empty, present):
    """§2.5: ForAllValues:Null / ForAnyValue:Null, per request value, then §2.7."""
    block = {op: {"aws:TagKeys": value}}
    assert holds(block) is absent
    assert holds(block, {"aws:TagKeys": []}) is empty
    assert holds(block, {"aws:TagKeys": ["a"]}) is present
    assert holds(block, {"aws:TagKeys": ["a", "b"]}) is present


def test_null_with_set_operator_in_a_policy_decides():
    """§2.5: a Deny with ForAnyValue:Null "false" denies a request that carries the key."""
    d = doc(allow(), deny(Condition={"ForAnyValue:Null": {"aws:TagKeys": "false"}}))
    assert decide(USER, "s3:GetObject", identity=[d]).allowed
    assert not decide(USER, "s3:GetObject", identity=[d], context={"aws:TagKeys": ["x"]}).allowed


def test_forallvalues_vacuous_on_missing_key():
    """§2.7, §0 rule 9: ForAllValues holds on a missing or empty key."""
    assert holds({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}})
    assert holds({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}}, {"aws:TagKeys": []})


def test_foranyvalue_false_on_missing_key():
    """§2.7: ForAnyValue does not hold on a missing or empty key."""
    assert not holds({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}})
    assert not holds({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}}, {"aws:TagKeys": []})


def test_forallvalues_every_request_value_must_match():
    """§2.7 doc example (dynamodb:Attributes)."""
    block = {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["ID", "Message", "Tags"]}}
    assert holds(block, {"dynamodb:Attributes": ["Message", "Tags"]})
    assert not holds(block, {"dynamodb:Attributes": ["PostDateTime", "UserName"]})


def test_foranyvalue_one_request_value_must_match():
    """§2.7 doc example."""
    block = {"ForAnyValue:StringEquals": {"dynamodb:Attributes": ["ID", "PostDateTime"]}}
    assert holds(block, {"dynamodb:Attributes": ["UserName", "Message", "PostDateTime"]})
    assert not holds(block, {"dynamodb:Attributes": ["UserName"]})


def test_forallvalues_negated_in_deny_doc_example():
    """§2.7 doc example: ForAllValues:StringNotLike key1* in a Deny."""
    block = {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}
    assert not holds(block, {"aws:TagKeys": ["key1:legal"]})
    assert holds(block, {"aws:TagKeys": ["key2:audit"]})
    assert holds(block)


def test_forallvalues_allow_also_allows_requests_without_the_key():
    """§2.7: pair ForAllValues with Null false when at least one value is required."""
    block = {"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}, "Null": {"aws:TagKeys": "false"}}
    assert not holds(block)
    assert holds(block, {"aws:TagKeys": ["a"]})


@pytest.mark.parametrize("set_op", ["ForAllValues", "ForAnyValue"])
def test_set_operator_with_if_exists_holds_on_missing_key(set_op):
    """§2.7, §9.6 (UNCONFIRMED): set semantics + IfExists: a missing key holds for both."""
    assert holds({f"{set_op}:StringEqualsIfExists": {"aws:TagKeys": "a"}})
    assert holds({f"{set_op}:StringEqualsIfExists": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["a"]})
    assert not holds({f"{set_op}:StringEqualsIfExists": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["b"]})


def test_set_operator_on_single_valued_key_treats_value_as_one_element_set():
    """§2.7: a single value counts as a one-element set."""
    assert holds({"ForAnyValue:StringEquals": {"aws:RequestTag/team": ["red", "blue"]}},
                 {"aws:RequestTag/team": "red"})
    assert holds({"ForAllValues:StringLike": {"aws:RequestTag/team": "r*"}}, {"aws:RequestTag/team": "red"})


# --- §2.6 parsing failures (§9.5) --------------------------------------------------


@pytest.mark.parametrize(
    "op,value,ctx",
    [
        ("NumericEquals", "ten", "10"),
        ("DateLessThan", "yesterday", "2020-01-01T00:00:00Z"),
        ("IpAddress", "10.0.0.0/99", "10.0.0.1"),
        ("BinaryEquals", "%%%", "x"),
    ],
)
def test_unreadable_policy_value_is_an_evaluation_error(op, value, ctx):
    """§2.6 parsing failures, §9.5: a bad Numeric/Date/IP/Binary value is reported as an
    error (the authorizer fails closed), never a silent match."""
    with pytest.raises(ConditionError):
        holds({op: {"k:x": value}}, {"k:x": ctx})


def test_unreadable_value_under_negated_operator_is_an_error_too():
    """§9.5: for negated operators the result is unknown; we report an error (fail closed)."""
    with pytest.raises(ConditionError):
        holds({"NumericNotEquals": {"k:x": "ten"}}, {"k:x": "5"})
    d = decide(USER, "s3:GetObject", identity=[doc(allow(Condition={"NumericNotEquals": {"k:x": "ten"}}))],
               context={"k:x": "5"})
    assert not d.allowed and d.errors


_: Any = None


# --- remembered answers (bounded; an error is never remembered) ---------------------


def test_remembered_answers_are_bounded_and_errors_are_not_remembered(monkeypatch):
    """Bounded (tests/hostile): the answers kept for IP/ARN/number/date tests stay under their
    bound whatever values come; a value that cannot be read raises each time it is asked."""
    monkeypatch.setattr(conditions_module, "_ANSWERS", {})
    monkeypatch.setattr(conditions_module, "_ANSWERS_SIZE", 16)
    block = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    for i in range(100):
        assert holds(block, {"aws:SourceIp": f"10.0.{i}.1"})
        assert not holds(block, {"aws:SourceIp": f"192.0.2.{i}"})
        assert len(conditions_module._ANSWERS) <= 16
    long_arn = "arn:aws:iam::111122223333:user/" + "u" * 400
    arn_like = {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}
    for _ in range(2):
        assert holds(arn_like, {"aws:PrincipalArn": long_arn})
    assert all(r != long_arn for _, r in conditions_module._ANSWERS)  # too long to keep
    for _ in range(3):
        with pytest.raises(ConditionError):
            holds({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "lots"})
    assert holds({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "5"})
    assert not holds({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "50"})
