"""Document structure (spec §2.1), Action/NotAction (§2.3) and Resource/NotResource (§2.4)."""

from __future__ import annotations

import pytest

from iamwarden.policy import PolicyKind, PolicySyntaxError, parse_policy
from tests.evaluation.helpers import USER, A, allow, decide, deny, doc, grant, stmt


def allowed(req_action: str, req_resource: str = "*", *, action="*", resource="*") -> bool:
    """Does an identity Allow of (action, resource) patterns allow the request?"""
    return decide(USER, req_action, req_resource, identity=[doc(stmt("Allow", action, resource))]).allowed


# --- §2.3 actions -------------------------------------------------------------------


def test_action_matching_is_case_insensitive():
    """§2.3: iam:ListAccessKeys ≡ IAM:listaccesskeys."""
    assert allowed("IAM:listaccesskeys", action="iam:ListAccessKeys")
    assert allowed("iam:ListAccessKeys", action="IAM:LISTACCESSKEYS")


def test_action_wildcards_star_and_question_mark():
    """§2.3: * any run (incl. empty), ? exactly one character."""
    assert allowed("s3:GetObject", action="s3:Get*")
    assert allowed("s3:Get", action="s3:Get*")
    assert allowed("iam:CreateAccessKey", action="iam:*AccessKey*")
    assert allowed("s3:GetObject", action="s3:GetObjec?")
    assert not allowed("s3:GetObjects", action="s3:GetObjec?")
    assert not allowed("s3:PutObject", action="s3:Get*")


def test_action_wildcard_may_cover_the_service_prefix():
    """§2.3: the glob is over the whole string; "*" matches everything, "*:X" any service's X."""
    assert allowed("ec2:RunInstances", action="*")
    assert allowed("ec2:RunInstances", action="*:RunInstances")
    assert allowed("ec2:RunInstances", action="e?2:*")
    assert not allowed("ec2:RunInstances", action="*:Run")


def test_not_action_applies_to_every_other_action():
    """§2.3: NotAction: every action not matching a listed pattern."""
    st = {"NotAction": "iam:*", "Resource": "*"}
    assert decide(USER, "s3:GetObject", identity=[doc({"Effect": "Allow", **st})]).allowed
    assert not decide(USER, "iam:CreateUser", identity=[doc({"Effect": "Allow", **st})]).allowed


def test_deny_not_action_denies_everything_except():
    """§2.3: Deny + NotAction denies everything but the listed actions."""
    pol = doc(allow(), {"Effect": "Deny", "NotAction": ["sts:*", "iam:Get*"], "Resource": "*"})
    assert decide(USER, "s3:GetObject", identity=[pol]).decision == "ExplicitDeny"
    assert decide(USER, "iam:GetUser", identity=[pol]).allowed


# --- §2.4 resources -----------------------------------------------------------------


def test_resource_matching_is_case_sensitive():
    """§2.4: ARNs compare case-sensitively."""
    alice = f"arn:aws:iam::{A}:user/alice"
    assert not allowed("iam:GetUser", alice, resource=f"arn:aws:iam::{A}:user/Alice")


def test_resource_star_matches_everything_including_no_resource():
    """§2.4: "*" matches every resource, including the no-resource "*"."""
    assert allowed("sts:GetSessionToken", "*", action="*", resource="*")
    assert allowed("s3:GetObject", "arn:aws:s3:::b/k", action="*", resource="*")


def test_resource_wildcard_spans_slash_and_colon():
    """§2.4: a * in the resource part spans / and : (awsdocs #175)."""
    pat = "arn:aws:s3:::bucket/*/test/*"
    assert allowed("s3:GetObject", "arn:aws:s3:::bucket/1/2/test/3/x", action="*", resource=pat)
    assert allowed("logs:PutLogEvents", f"arn:aws:logs:us-east-1:{A}:log-group:g:log-stream:s",
                   action="*", resource=f"arn:aws:logs:us-east-1:{A}:log-group:*")


def test_resource_question_mark_is_one_character():
    """§2.4: ? = exactly one character."""
    assert allowed("s3:GetObject", "arn:aws:s3:::b/k1", action="*", resource="arn:aws:s3:::b/k?")
    assert not allowed("s3:GetObject", "arn:aws:s3:::b/k12", action="*", resource="arn:aws:s3:::b/k?")


def test_resource_star_in_first_segments_may_cross_colon():
    """§2.4, §9.3 (UNCONFIRMED): the resource pattern is a whole-string glob, so a mid-segment *
    can cross ':' in the first five segments."""
    assert allowed("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q", action="*", resource="arn:aws:sqs:us-*:q")


def test_not_resource_applies_to_every_other_resource():
    """§2.4: NotResource: every resource matching none of the patterns."""
    st = {"Effect": "Allow", "Action": "*", "NotResource": ["arn:aws:s3:::secret/*", "arn:aws:s3:::secret"]}
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::public/x", identity=[doc(st)]).allowed
    assert not decide(USER, "s3:GetObject", "arn:aws:s3:::secret/x", identity=[doc(st)]).allowed


def test_resource_absent_in_resource_policy_means_the_attached_resource():
    """§2.1: Resource is optional in resource policies and defaults to the resource itself."""
    assert decide(USER, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q",
                  resource_policy=doc(grant(USER, "sqs:*"))).allowed


def test_statement_without_matching_resource_does_not_apply():
    """§2.4: an identity statement whose Resource does not match simply does not apply."""
    pol = doc(allow(), deny("*", "arn:aws:s3:::other/*"))
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::b/k", identity=[pol]).allowed


# --- §2.1 document structure -----------------------------------------------------


def test_statement_may_be_object_or_list():
    """§2.1: Statement is an object or a list of them."""
    single = {"Version": "2012-10-17", "Statement": allow("s3:*")}
    assert decide(USER, "s3:GetObject", identity=[single]).allowed


def test_scalar_equals_one_element_list():
    """§2.1: wherever a list is allowed a scalar is equivalent."""
    a = parse_policy(doc(allow("s3:GetObject", "arn:aws:s3:::b/*")))
    b = parse_policy(doc(allow(["s3:GetObject"], ["arn:aws:s3:::b/*"])))
    assert a.statements[0].actions == b.statements[0].actions
    assert [r.text for r in a.statements[0].resources] == [r.text for r in b.statements[0].resources]


def test_duplicate_keys_are_rejected():
    """§2.1: keys inside one object must be unique."""
    text = (
        '{"Version": "2012-10-17", "Statement": '
        '{"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}}'
    )
    with pytest.raises(PolicySyntaxError):
        parse_policy(text)


def test_effect_is_case_sensitive():
    """§2.1: Effect is "Allow" or "Deny", case-sensitive; the error names the JSON path."""
    with pytest.raises(PolicySyntaxError) as e:
        parse_policy(doc(stmt("allow")))
    assert e.value.problems[0].path == "$.Statement[0].Effect"


def test_action_and_not_action_are_exclusive():
    """§2.1: exactly one of Action / NotAction."""
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc({"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}))
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc({"Effect": "Allow", "Resource": "*"}))


def test_identity_policy_requires_resource():
    """§2.1: Resource is required in identity policies."""
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc({"Effect": "Allow", "Action": "*"}))


def test_invalid_version_rejected():
    """§2.1: only the two dated versions are valid."""
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc(allow(), version="2024-01-01"))


def test_principal_forbidden_in_identity_policy():
    """§1.4: identity policies must not specify a principal."""
    with pytest.raises(PolicySyntaxError) as e:
        parse_policy(doc(allow(Principal="*")))
    assert "principal" in str(e.value)


def test_not_principal_forbidden_in_trust_policy():
    """§1.4, §1.6: role trust policies cannot use NotPrincipal."""
    st = {"Effect": "Allow", "Action": "sts:AssumeRole", "NotPrincipal": {"AWS": USER}}
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc(st), PolicyKind.TRUST)


def test_partial_wildcard_principal_rejected():
    """§1.4: no partial wildcards in principal ARNs."""
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc(grant(f"arn:aws:iam::{A}:user/*", "s3:*")), PolicyKind.RESOURCE)


def test_resource_policy_requires_principal():
    """§1.4: resource and trust policies must name a principal."""
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc(stmt("Allow", "s3:*", None)), PolicyKind.RESOURCE)
