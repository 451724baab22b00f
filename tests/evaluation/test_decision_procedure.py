"""The decision procedure, one test per rule (spec §1.3, §1.8–§1.10).

Each test name states the rule it pins; the docstring cites the section.
"""

from __future__ import annotations

import pytest

from iamwarden.evaluation import PolicySet, Request, Verdict, authorize
from iamwarden.evaluation import authorizer as authorizer_module

from .helpers import (
    ALLOW_ALL,
    BUCKET_OBJ,
    QUEUE_A,
    QUEUE_B,
    ROOT_A,
    ROOT_B,
    SESSION,
    TARGET_ROLE,
    USER,
    USER_B,
    A,
    B,
    allow,
    decide,
    deny,
    doc,
    grant,
)

ALLOW = Verdict.ALLOW
EXPLICIT = Verdict.EXPLICIT_DENY
IMPLICIT = Verdict.IMPLICIT_DENY

# --- §1.3 step 0: special cases ---------------------------------------------


def test_get_caller_identity_never_denied():
    """§1.3 step 0, §4.6: GetCallerIdentity needs no permission, even under an explicit deny."""
    d = decide(
        USER,
        "sts:GetCallerIdentity",
        identity=[doc(deny())],
        scp=[[doc(deny())]],
        boundary=doc(deny()),
    )
    assert d.verdict is ALLOW


def test_get_caller_identity_needs_no_policy_at_all():
    """§1.3 step 0: a caller with no policies at all may still ask who it is."""
    assert decide(SESSION, "sts:GetCallerIdentity").verdict is ALLOW


def test_get_caller_identity_action_name_is_case_insensitive():
    """§1.3 step 0 with §2.3: the action is recognised whatever its case."""
    assert decide(USER, "STS:getcalleridentity", identity=[doc(deny())]).verdict is ALLOW


def test_get_caller_identity_not_free_for_anonymous():
    """§1.3 step 0 applies only to authenticated callers."""
    assert decide("*", "sts:GetCallerIdentity").verdict is not ALLOW


@pytest.mark.parametrize("action", ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"])
def test_root_cannot_assume_role(action):
    """§1.3 step 0, §0 rule 7: 'Roles may not be assumed by root accounts.' whatever the trust says."""
    d = decide(ROOT_A, action, TARGET_ROLE, resource_policy=doc(grant("*", "sts:*")))
    assert d.verdict is not ALLOW
    assert any("root" in r.message for r in d.reasons)


def test_root_cannot_assume_role_cross_account():
    """§1.6 root row: the same rule holds cross account, even if the trust names the account."""
    d = decide(
        ROOT_B, "sts:AssumeRole", TARGET_ROLE, resource_policy=doc(grant(ROOT_B, "sts:AssumeRole"))
    )
    assert d.verdict is not ALLOW


# --- §1.9 service principals and anonymous callers ---------------------------


def test_service_principal_resource_policy_only():
    """§1.9: a service principal is decided by the resource/trust policy alone."""
    trust = doc(grant({"Service": "ec2.amazonaws.com"}, "sts:AssumeRole"))
    d = decide("ec2.amazonaws.com", "sts:AssumeRole", TARGET_ROLE, resource_policy=trust)
    assert d.verdict is ALLOW
    # identity policies (if any were passed) play no part
    d = decide("ec2.amazonaws.com", "sts:AssumeRole", TARGET_ROLE, identity=[doc(deny())])
    assert d.verdict is IMPLICIT


def test_service_principal_not_named_is_denied():
    """§1.9/§1.4: a trust naming another service does not admit this one."""
    trust = doc(grant({"Service": "lambda.amazonaws.com"}, "sts:AssumeRole"))
    d = decide("ec2.amazonaws.com", "sts:AssumeRole", TARGET_ROLE, resource_policy=trust)
    assert d.verdict is IMPLICIT


def test_service_principal_not_limited_by_scp():
    """§1.9: SCPs do not apply to a service principal."""
    trust = doc(grant({"Service": "ec2.amazonaws.com"}, "sts:AssumeRole"))
    d = decide(
        "ec2.amazonaws.com",
        "sts:AssumeRole",
        TARGET_ROLE,
        resource_policy=trust,
        scp=[[doc(deny())]],
    )
    assert d.verdict is ALLOW


def test_service_principal_limited_by_rcp():
    """§1.9: RCPs of the resource's account may restrict a service principal."""
    trust = doc(grant({"Service": "ec2.amazonaws.com"}, "sts:AssumeRole"))
    rcp = [[doc(grant("*", "*"), grant("*", "sts:AssumeRole", "Deny"))]]
    d = decide("ec2.amazonaws.com", "sts:AssumeRole", TARGET_ROLE, resource_policy=trust, rcp=rcp)
    assert d.verdict is EXPLICIT


def test_anonymous_needs_resource_policy_naming_everyone():
    """§1.9: only a resource policy with Principal "*" can allow an anonymous caller."""
    assert decide("*", "s3:GetObject", BUCKET_OBJ, resource_policy=doc(grant("*", "s3:GetObject"))).allowed
    assert not decide("*", "s3:GetObject", BUCKET_OBJ, identity=[ALLOW_ALL]).allowed


def test_anonymous_not_matched_by_account_principal():
    """§1.4/§1.9: naming an account does not name anonymous callers."""
    d = decide("*", "s3:GetObject", BUCKET_OBJ, resource_policy=doc(grant(A, "s3:GetObject")))
    assert d.verdict is IMPLICIT


# --- §1.3 step 1: explicit deny anywhere -------------------------------------


@pytest.mark.parametrize("where", ["identity", "resource", "boundary", "session", "scp", "rcp"])
def test_explicit_deny_in_any_policy_type_wins(where):
    """§1.3 step 1, §1.2: a matching Deny in any applicable policy denies, whatever allows."""
    kw: dict = {
        "identity": [ALLOW_ALL],
        "resource_policy": doc(grant("*", "*")),
        "boundary": ALLOW_ALL,
        "session": [ALLOW_ALL],
        "scp": [[ALLOW_ALL]],
        "rcp": [[doc(grant("*", "*"))]],
    }
    if where == "identity":
        kw["identity"] = [ALLOW_ALL, doc(deny("s3:GetObject"))]
    elif where == "resource":
        kw["resource_policy"] = doc(grant("*", "*"), grant("*", "s3:GetObject", "Deny"))
    elif where in ("boundary",):
        kw["boundary"] = doc(allow(), deny("s3:GetObject"))
    elif where == "session":
        kw["session"] = [doc(allow(), deny("s3:GetObject"))]
    elif where == "scp":
        kw["scp"] = [[doc(allow(), deny("s3:GetObject"))]]
    else:
        kw["rcp"] = [[doc(grant("*", "*"), grant("*", "s3:GetObject", "Deny"))]]
    d = decide(SESSION, "s3:GetObject", BUCKET_OBJ, **kw)
    assert d.verdict is EXPLICIT
    assert any(r.effect == "Deny" and r.policy_type == where for r in d.reasons)


def test_explicit_deny_beats_direct_resource_grant():
    """§0 rule 1: a direct grant bypasses implicit denies only; an explicit identity Deny still wins."""
    d = decide(
        USER,
        "s3:GetObject",
        BUCKET_OBJ,
        identity=[doc(deny("s3:*"))],
        resource_policy=doc(grant(USER, "s3:GetObject")),
    )
    assert d.verdict is EXPLICIT


def test_explicit_deny_in_boundary_blocks_direct_grant():
    """§1.7: an explicit deny in the boundary blocks everything, direct grants included."""
    d = decide(
        USER,
        "s3:GetObject",
        BUCKET_OBJ,
        boundary=doc(deny("s3:GetObject")),
        resource_policy=doc(grant(USER, "s3:GetObject")),
    )
    assert d.verdict is EXPLICIT


def test_deny_with_false_condition_does_not_deny():
    """§1.10: a Deny statement applies only if its condition holds."""
    d = decide(
        USER,
        "s3:GetObject",
        BUCKET_OBJ,
        identity=[ALLOW_ALL, doc(deny(Condition={"Bool": {"aws:SecureTransport": "false"}}))],
        context={"aws:SecureTransport": "true"},
    )
    assert d.verdict is ALLOW


def test_statement_order_and_policy_count_do_not_matter_for_deny():
    """§1.2: statements and policies of one type are OR-ed; any matching Deny wins."""
    a = decide(USER, "s3:GetObject", identity=[doc(deny("s3:Get*"), allow())])
    b = decide(USER, "s3:GetObject", identity=[doc(allow()), doc(deny("s3:Get*"))])
    assert a.verdict is b.verdict is EXPLICIT


# --- §1.3 steps 2-3, §1.8: SCPs and RCPs -------------------------------------


def test_scp_every_level_must_allow():
    """§1.8: each level's policies are OR-ed, levels are AND-ed; one silent level denies."""
    allow_s3 = doc(allow("s3:*"))
    allow_ec2 = doc(allow("ec2:*"))
    ok = decide(USER, "s3:GetObject", identity=[ALLOW_ALL], scp=[[ALLOW_ALL], [allow_ec2, allow_s3], [allow_s3]])
    assert ok.verdict is ALLOW
    bad = decide(USER, "s3:GetObject", identity=[ALLOW_ALL], scp=[[ALLOW_ALL], [allow_ec2], [allow_s3]])
    assert bad.verdict is IMPLICIT
    assert bad.rule == "SCP"


def test_scp_does_not_grant():
    """§1.2: an SCP is a ceiling; without an identity allow the answer is still deny."""
    assert decide(USER, "s3:GetObject", scp=[[ALLOW_ALL]]).verdict is IMPLICIT


def test_no_scp_levels_means_not_in_an_organization():
    """§1.8: an empty level list means no SCPs apply."""
    assert decide(USER, "s3:GetObject", identity=[ALLOW_ALL], scp=[]).verdict is ALLOW


def test_scp_applies_to_member_account_root_user():
    """§1.8: SCPs restrict the member account's root user too."""
    assert decide(ROOT_A, "s3:GetObject", BUCKET_OBJ, scp=[[doc(allow("ec2:*"))]]).verdict is IMPLICIT
    assert decide(ROOT_A, "s3:GetObject", BUCKET_OBJ, scp=[[doc(deny("s3:*"), allow())]]).verdict is EXPLICIT


def test_scp_does_not_restrict_service_linked_role():
    """§1.2: SCPs do not restrict service-linked roles."""
    slr = f"arn:aws:iam::{A}:role/aws-service-role/elasticmapreduce.amazonaws.com/AWSServiceRoleForEMR"
    sess = f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForEMR/s"
    d = decide(sess, "ec2:RunInstances", identity=[ALLOW_ALL], scp=[[doc(deny())]], principal_entity=slr)
    assert d.verdict is ALLOW


def test_scp_of_the_principal_account_applies_cross_account():
    """§1.3 step 3: SCPs follow the principal, not the resource."""
    d = decide(
        USER,
        "sqs:SendMessage",
        QUEUE_B,
        identity=[ALLOW_ALL],
        resource_policy=doc(grant(USER, "sqs:*")),
        scp=[[doc(allow("s3:*"))]],
    )
    assert d.verdict is IMPLICIT


def test_rcp_every_level_must_allow():
    """§1.8: RCP levels are AND-ed like SCP levels."""
    full = doc(grant("*", "*"))
    only_s3 = doc(grant("*", "s3:*"))
    ok = decide(USER, "sqs:SendMessage", QUEUE_A, identity=[ALLOW_ALL], rcp=[[full], [full]])
    assert ok.verdict is ALLOW
    bad = decide(USER, "sqs:SendMessage", QUEUE_A, identity=[ALLOW_ALL], rcp=[[full], [only_s3]])
    assert bad.verdict is IMPLICIT
    assert bad.rule == "RCP"


def test_rcp_deny_applies_to_outside_principals():
    """§1.8: an RCP restricts every principal, including ones from outside the organization."""
    rcp = [[doc(grant("*", "*"), grant("*", "sqs:*", "Deny", Condition={
        "StringNotEqualsIfExists": {"aws:PrincipalAccount": B}}))]]
    d = decide(
        USER,
        "sqs:SendMessage",
        QUEUE_B,
        identity=[ALLOW_ALL],
        resource_policy=doc(grant(A, "sqs:SendMessage")),
        rcp=rcp,
    )
    assert d.verdict is EXPLICIT
    assert any(r.policy_type == "rcp" for r in d.reasons)


def test_rcp_does_not_grant():
    """§1.2: RCPFullAWSAccess is a ceiling; it grants nothing by itself."""
    assert decide(USER, "sqs:SendMessage", QUEUE_A, rcp=[[doc(grant("*", "*"))]]).verdict is IMPLICIT


# --- §1.3 step 4: the root user ----------------------------------------------


def test_root_has_full_access_in_own_account():
    """§1.3 step 4: root needs no identity policy in its own account."""
    assert decide(ROOT_A, "iam:CreateUser", f"arn:aws:iam::{A}:user/x").verdict is ALLOW


def test_root_explicitly_denied_by_resource_policy():
    """§1.10: root is affected by resource policies that explicitly deny it."""
    d = decide(ROOT_A, "sqs:SendMessage", QUEUE_A, resource_policy=doc(grant(ROOT_A, "sqs:*", "Deny")))
    assert d.verdict is EXPLICIT


def test_root_cross_account_needs_resource_policy_naming_its_account():
    """§1.3: root's principal side needs no identity policy; the resource policy must allow the account."""
    assert decide(ROOT_B, "sqs:SendMessage", QUEUE_A, resource_policy=doc(grant(B, "sqs:*"))).allowed
    assert decide(ROOT_B, "sqs:SendMessage", QUEUE_A, resource_policy=doc(grant(ROOT_B, "sqs:*"))).allowed
    assert not decide(ROOT_B, "sqs:SendMessage", QUEUE_A).allowed
    assert not decide(ROOT_B, "sqs:SendMessage", QUEUE_A, resource_policy=doc(grant(USER_B, "sqs:*"))).allowed


# --- same account, plain identity path ----------------------------------------


def test_no_applicable_policy_is_implicit_deny():
    """§1.3: without any Allow the answer is the implicit deny."""
    d = decide(USER, "s3:GetObject", BUCKET_OBJ)
    assert d.verdict is IMPLICIT and d.decision == "ImplicitDeny"


def test_identity_allow_suffices_without_resource_policy():
    """§1.5 last row: no resource policy is fine when the identity policy allows."""
    assert decide(USER, "s3:GetObject", BUCKET_OBJ, identity=[doc(allow("s3:GetObject"))]).allowed


def test_identity_allows_are_unioned_across_policies():
    """§1.2: Allows are OR-ed across all identity policies."""
    d = decide(USER, "s3:GetObject", BUCKET_OBJ, identity=[doc(allow("ec2:*")), doc(allow("s3:Get*"))])
    assert d.verdict is ALLOW


def test_resource_policy_not_naming_caller_does_not_block_identity_allow():
    """§1.3 note: a resource policy that does not mention the caller is fine if identity allows."""
    d = decide(
        USER,
        "sqs:SendMessage",
        QUEUE_A,
        identity=[ALLOW_ALL],
        resource_policy=doc(grant(f"arn:aws:iam::{A}:user/other", "sqs:*")),
    )
    assert d.verdict is ALLOW


# --- decisions carry their why -----------------------------------------------


def test_decision_reasons_name_policy_statement_and_sid():
    """Design: a decision names the policy, statement index and Sid that decided it."""
    d = decide(USER, "s3:GetObject", identity=[doc(allow("ec2:*"), allow("s3:*", Sid="S3"))])
    r = [r for r in d.reasons if r.policy_type == "identity"][0]
    assert (r.policy, r.statement, r.sid, r.effect) == ("identity[0]", 1, "S3", "Allow")
    assert d.to_json()["decision"] == "Allow"


# --- §1.10 errors fail closed --------------------------------------------------


def test_error_in_condition_never_allows():
    """§1.10, §2.6: an unreadable Numeric value never yields Allow and is reported;
    in a Deny it denies (fail closed)."""
    bad = {"NumericLessThan": {"s3:max-keys": "ten"}}
    d = decide(USER, "s3:ListBucket", identity=[doc(allow(Condition=bad))], context={"s3:max-keys": "5"})
    assert d.verdict is not ALLOW
    assert d.errors and "ten" in d.errors[0]
    d = decide(
        USER,
        "s3:ListBucket",
        identity=[ALLOW_ALL, doc(deny(Condition=bad))],
        context={"s3:max-keys": "5"},
    )
    assert d.verdict is EXPLICIT
    assert d.errors


def test_error_in_condition_never_allows_even_when_another_statement_allows():
    """§1.10: a decision touched by an evaluation error is never Allow."""
    bad = {"NumericLessThan": {"s3:max-keys": "ten"}}
    d = decide(
        USER,
        "s3:ListBucket",
        identity=[ALLOW_ALL, doc(allow(Condition=bad))],
        context={"s3:max-keys": "5"},
    )
    assert d.verdict is not ALLOW
    assert d.errors


def test_bad_request_value_is_an_error_not_a_match():
    """§2.6 parsing failures: a request value that is not a number is an error, not an Allow."""
    d = decide(
        USER,
        "s3:ListBucket",
        identity=[doc(allow(Condition={"NumericLessThan": {"s3:max-keys": "10"}}))],
        context={"s3:max-keys": "lots"},
    )
    assert d.verdict is not ALLOW and d.errors


def test_internal_error_fails_closed(monkeypatch):
    """Design/§1.10: ``authorize`` is total; an internal failure is a reported deny, never a raise."""

    def boom(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(authorizer_module._Evaluation, "run", boom)
    # a boundary: no compiled plan answers first (tests/evaluation/test_plan.py breaks the plan instead)
    d = authorize(Request.build(USER, "s3:GetObject"), PolicySet.from_documents(boundary=doc(allow())))
    assert d.verdict is IMPLICIT and d.errors
