"""Policy variables (spec §2.8) and the 2008-10-17 rule (§2.2)."""

from __future__ import annotations

from iamwarden.evaluation import Request
from iamwarden.policy import parse_policy
from tests.evaluation.helpers import SESSION, USER, A, allow, decide, deny, doc

OBJ = "arn:aws:s3:::mybucket/{}/notes.txt"
PER_USER = "arn:aws:s3:::mybucket/${aws:username}/*"


def test_variable_in_resource_resolves_to_request_value():
    """§2.8 doc example: ${aws:username} for user alice matches mybucket/alice/…."""
    pol = doc(allow("s3:GetObject", PER_USER))
    assert decide(USER, "s3:GetObject", OBJ.format("alice"), identity=[pol]).allowed
    assert not decide(USER, "s3:GetObject", OBJ.format("bob"), identity=[pol]).allowed


def test_variables_literal_in_2008_version():
    """§2.2: under 2008-10-17 a ${…} is literal text, in Resource and in conditions."""
    pol = doc(allow("s3:GetObject", PER_USER), version="2008-10-17")
    assert not decide(USER, "s3:GetObject", OBJ.format("alice"), identity=[pol]).allowed
    literal = "arn:aws:s3:::mybucket/${aws:username}/notes.txt"
    assert decide(USER, "s3:GetObject", literal, identity=[pol]).allowed
    cond = doc(allow(Condition={"StringEquals": {"s3:prefix": "${aws:username}"}}), version="2008-10-17")
    assert not decide(USER, "s3:ListBucket", identity=[cond], context={"s3:prefix": "alice"}).allowed
    assert decide(USER, "s3:ListBucket", identity=[cond], context={"s3:prefix": "${aws:username}"}).allowed


def test_variables_literal_when_version_missing():
    """§2.2: a missing Version evaluates as 2008-10-17."""
    pol = doc(allow("s3:GetObject", PER_USER), version=None)
    assert not decide(USER, "s3:GetObject", OBJ.format("alice"), identity=[pol]).allowed


def test_substituted_variable_value_is_not_a_wildcard():
    """§2.8: a * inside an inserted value is literal text, in StringLike and in Resource."""
    ctx = {"aws:PrincipalTag/project": "*"}
    res = doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/project}/*"))
    assert not decide(USER, "s3:GetObject", "arn:aws:s3:::b/secret/x", identity=[res], context=ctx).allowed
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::b/*/x", identity=[res], context=ctx).allowed
    like = doc(allow(Condition={"StringLike": {"aws:ResourceTag/project": "${aws:PrincipalTag/project}"}}))
    assert not decide(USER, "ec2:StartInstances", identity=[like],
                      context={**ctx, "aws:ResourceTag/project": "other"}).allowed
    assert decide(USER, "ec2:StartInstances", identity=[like],
                  context={**ctx, "aws:ResourceTag/project": "*"}).allowed


def test_substituted_value_keeps_pattern_wildcards_of_the_policy():
    """§2.8: only inserted text is literal; the policy's own * still globs."""
    like = doc(allow(Condition={"StringLike": {"s3:prefix": "home/${aws:username}/*"}}))
    assert decide(USER, "s3:ListBucket", identity=[like], context={"s3:prefix": "home/alice/docs/x"}).allowed
    assert not decide(USER, "s3:ListBucket", identity=[like], context={"s3:prefix": "home/bob/x"}).allowed


def test_special_variables_are_literal_wildcard_characters():
    """§2.8: ${*}, ${?}, ${$} insert a literal *, ?, $."""
    pol = doc(allow("s3:GetObject", "arn:aws:s3:::b/${*}${?}${$}"))
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::b/*?$", identity=[pol]).allowed
    assert not decide(USER, "s3:GetObject", "arn:aws:s3:::b/abc", identity=[pol]).allowed
    cond = doc(allow(Condition={"StringLike": {"s3:prefix": "a${*}"}}))
    assert decide(USER, "s3:ListBucket", identity=[cond], context={"s3:prefix": "a*"}).allowed
    assert not decide(USER, "s3:ListBucket", identity=[cond], context={"s3:prefix": "abc"}).allowed


def test_variable_default_used_when_key_absent():
    """§2.8: ${key, 'default'} is used when the key is absent."""
    pol = doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/team, 'company-wide'}/*"))
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::b/company-wide/x", identity=[pol]).allowed
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::b/red/x", identity=[pol],
                  context={"aws:PrincipalTag/team": "red"}).allowed
    assert not decide(USER, "s3:GetObject", "arn:aws:s3:::b/company-wide/x", identity=[pol],
                      context={"aws:PrincipalTag/team": "red"}).allowed


def test_unresolvable_variable_in_resource_matches_nothing():
    """§2.8, §2.4: no value, no default: the pattern matches no resource (role sessions
    have no aws:username); a Deny with it does not deny."""
    pol = doc(allow("s3:GetObject", PER_USER))
    assert not decide(SESSION, "s3:GetObject", OBJ.format("R1"), identity=[pol]).allowed
    assert not decide(SESSION, "s3:GetObject", "arn:aws:s3:::mybucket//notes.txt", identity=[pol]).allowed
    guard = doc(allow(), deny("s3:*", PER_USER))
    assert decide(SESSION, "s3:GetObject", OBJ.format("R1"), identity=[guard]).allowed


def test_unresolvable_variable_in_condition_positive_false_negated_true():
    """§2.8: an unresolved variable is null: positive operators don't match, negated ones do."""
    eq = {"StringEquals": {"s3:prefix": "${aws:username}"}}
    ne = {"StringNotEquals": {"s3:prefix": "${aws:username}"}}
    ctx = {"s3:prefix": "x"}
    assert not decide(SESSION, "s3:ListBucket", identity=[doc(allow(Condition=eq))], context=ctx).allowed
    assert decide(SESSION, "s3:ListBucket", identity=[doc(allow(Condition=ne))], context=ctx).allowed


def test_variable_key_names_are_case_insensitive():
    """§2.8: key names in variables are case-insensitive."""
    pol = doc(allow("s3:GetObject", "arn:aws:s3:::mybucket/${AWS:UserName}/*"))
    assert decide(USER, "s3:GetObject", OBJ.format("alice"), identity=[pol]).allowed


def test_multivalued_key_cannot_be_a_variable():
    """§2.8: multivalued keys cannot be variables: the reference stays unresolved."""
    pol = doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:TagKeys}/*"))
    assert not decide(USER, "s3:GetObject", "arn:aws:s3:::b/a/x", identity=[pol],
                      context={"aws:TagKeys": ["a"]}).allowed


def test_variables_in_string_and_arn_condition_values():
    """§2.8: variables work in String* and Arn* values."""
    arn = doc(allow(Condition={"ArnEquals": {"aws:SourceArn": "arn:aws:iam::${aws:PrincipalAccount}:user/*"}}))
    assert decide(USER, "s3:GetObject", identity=[arn], context={"aws:SourceArn": f"arn:aws:iam::{A}:user/x"}).allowed
    assert not decide(USER, "s3:GetObject", identity=[arn],
                      context={"aws:SourceArn": "arn:aws:iam::999999999999:user/x"}).allowed


def test_variables_in_bool_values_are_resolved():
    """§2.8, §9.17 (UNCONFIRMED, pages conflict): we accept variables in Bool values."""
    pol = doc(allow(Condition={"Bool": {"aws:SecureTransport": "${aws:PrincipalTag/tls}"}}))
    ctx = {"aws:SecureTransport": "true", "aws:PrincipalTag/tls": "true"}
    assert decide(USER, "s3:GetObject", identity=[pol], context=ctx).allowed
    assert not decide(USER, "s3:GetObject", identity=[pol], context={**ctx, "aws:PrincipalTag/tls": "false"}).allowed


def test_variables_not_substituted_in_numeric_values():
    """§2.8: no variables in Numeric values; the text stays literal (and so is unreadable)."""
    pol = parse_policy(doc(allow(Condition={"NumericLessThan": {"s3:max-keys": "${aws:PrincipalTag/max}"}})))
    assert pol.statements[0].conditions[0]._parts == (None,)
    d = decide(USER, "s3:ListBucket", identity=[pol.document],
               context={"s3:max-keys": "5", "aws:PrincipalTag/max": "10"})
    assert not d.allowed


def test_variables_not_in_action():
    """§2.8: Action has no variables: ${…} there is literal."""
    pol = doc(allow("s3:${aws:username}"))
    assert not decide(USER, "s3:alice", identity=[pol]).allowed


def test_principal_tag_variable_in_resource():
    """§2.8 common variables: aws:PrincipalTag/k."""
    pol = doc(allow("s3:*", "arn:aws:s3:::b/${aws:PrincipalTag/dept}/*"))
    ctx = {"aws:PrincipalTag/dept": "eng"}
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::b/eng/x", identity=[pol], context=ctx).allowed
    assert not decide(USER, "s3:GetObject", "arn:aws:s3:::b/ops/x", identity=[pol], context=ctx).allowed


def test_variable_in_sts_role_session_name_condition():
    """§3.3 example: StringLike sts:RoleSessionName ${aws:username}."""
    trust = doc({"Effect": "Allow", "Principal": {"AWS": A}, "Action": "sts:AssumeRole",
                 "Condition": {"StringLike": {"sts:RoleSessionName": "${aws:username}"}}})
    target = f"arn:aws:iam::{A}:role/T"
    ident = [doc(allow("sts:AssumeRole"))]
    ok = decide(USER, "sts:AssumeRole", target, identity=ident, resource_policy=trust,
                context={"sts:RoleSessionName": "alice"})
    bad = decide(USER, "sts:AssumeRole", target, identity=ident, resource_policy=trust,
                 context={"sts:RoleSessionName": "mallory"})
    assert ok.allowed and not bad.allowed


_ = Request
