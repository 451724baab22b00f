"""Resource-policy grants: the same-account matrix (spec §1.5), role trust
policies (§1.6), cross-account intersection (§1.3), boundaries (§1.7) and
session policies (§1.2).
"""

from __future__ import annotations

import pytest

from iamwarden.evaluation import Verdict
from iamwarden.evaluation import authorizer as authorizer_module

from .helpers import (
    ALLOW_ALL,
    FEDUSER,
    QUEUE_A,
    QUEUE_B,
    ROLE,
    ROLE_B,
    SESSION,
    SESSION_B,
    TARGET_ROLE,
    TARGET_ROLE_B,
    USER,
    USER_B,
    A,
    B,
    allow,
    decide,
    doc,
    grant,
)

ALLOW = Verdict.ALLOW
EXPLICIT = Verdict.EXPLICIT_DENY
IMPLICIT = Verdict.IMPLICIT_DENY

ALLOW_EC2 = doc(allow("ec2:*"))  # a ceiling that says nothing about sqs/sts
SEND = "sqs:SendMessage"


def _send(principal, resource_policy, **kw):
    return decide(principal, SEND, QUEUE_A, resource_policy=resource_policy, **kw)


# --- §1.5 same-account matrix ------------------------------------------------


def test_same_account_resource_policy_naming_user_arn_needs_no_identity_allow():
    """§1.5 row 1: naming the user ARN grants on its own."""
    assert _send(USER, doc(grant(USER, SEND))).verdict is ALLOW


def test_boundary_does_not_limit_direct_user_arn_grant():
    """§1.5 row 1, §1.7: a boundary's implicit deny does not block a direct user-ARN grant."""
    assert _send(USER, doc(grant(USER, SEND)), boundary=ALLOW_EC2).verdict is ALLOW


def test_session_arn_grant_needs_no_identity_allow():
    """§1.5 row 2: naming the role-session ARN grants on its own."""
    assert _send(SESSION, doc(grant(SESSION, SEND))).verdict is ALLOW


def test_boundary_does_not_limit_session_arn_grant():
    """§1.5 row 2 (boundary part, Ben Kehoe's live test)."""
    assert _send(SESSION, doc(grant(SESSION, SEND)), boundary=ALLOW_EC2).verdict is ALLOW


def test_session_policy_does_not_limit_session_arn_grant():
    """§1.5 row 2, §9.2 (UNCONFIRMED, follow the docs): the session policy does not limit it."""
    assert _send(SESSION, doc(grant(SESSION, SEND)), session=[ALLOW_EC2]).verdict is ALLOW


def test_role_arn_grant_needs_no_identity_allow():
    """§1.5 row 3: naming the role ARN stands in for the identity allow."""
    assert _send(SESSION, doc(grant(ROLE, SEND))).verdict is ALLOW


def test_role_arn_grant_limited_by_boundary():
    """§1.5 row 3, §0 rule 2: the role's boundary still limits a role-ARN grant."""
    d = _send(SESSION, doc(grant(ROLE, SEND)), boundary=ALLOW_EC2)
    assert d.verdict is IMPLICIT
    assert d.rule == "permissions boundary"


def test_role_arn_grant_limited_by_session_policy():
    """§1.5 row 3, §0 rule 2: the session policy still limits a role-ARN grant."""
    d = _send(SESSION, doc(grant(ROLE, SEND)), session=[ALLOW_EC2])
    assert d.verdict is IMPLICIT
    assert d.rule == "session policy"


def test_role_arn_grant_allowed_when_boundary_and_session_policy_allow():
    """§1.5 row 3: with both ceilings allowing, the role-ARN grant stands."""
    d = _send(SESSION, doc(grant(ROLE, SEND)), boundary=ALLOW_ALL, session=[doc(allow("sqs:*"))])
    assert d.verdict is ALLOW


def test_federated_user_arn_grant_not_limited_by_session_policy():
    """§1.5 row 4: naming the federated-user ARN grants directly, even without a session policy."""
    assert _send(FEDUSER, doc(grant(FEDUSER, SEND))).verdict is ALLOW
    assert _send(FEDUSER, doc(grant(FEDUSER, SEND)), session=[ALLOW_EC2]).verdict is ALLOW


def test_user_arn_grant_to_federated_session_limited_by_session_policy():
    """§1.5 row 5: naming the IAM user behind a federated session is limited by the session policy."""
    kw = {"principal_entity": USER}
    assert _send(FEDUSER, doc(grant(USER, SEND)), session=[ALLOW_EC2], **kw).verdict is IMPLICIT
    assert _send(FEDUSER, doc(grant(USER, SEND)), session=[doc(allow("sqs:*"))], **kw).verdict is ALLOW


def test_user_arn_grant_to_federated_session_limited_by_boundary():
    """§1.5 row 5: ... and by the user's boundary."""
    d = _send(FEDUSER, doc(grant(USER, SEND)), session=[ALLOW_ALL], boundary=ALLOW_EC2, principal_entity=USER)
    assert d.verdict is IMPLICIT


def test_federated_user_without_session_policy_has_no_permissions():
    """§1.3 notes: a federated session created without a session policy has no permissions
    except direct grants naming the federated-user ARN."""
    d = decide(FEDUSER, SEND, QUEUE_A, identity=[ALLOW_ALL], principal_entity=USER)
    assert d.verdict is IMPLICIT
    d = decide(FEDUSER, SEND, QUEUE_A, identity=[ALLOW_ALL], session=[ALLOW_ALL], principal_entity=USER)
    assert d.verdict is ALLOW


def test_wildcard_principal_grant_is_direct():
    """§1.5 row 6: "*" (with an aws:PrincipalArn condition) is a direct grant, unlimited by
    boundary and session policy."""
    rp = doc(grant("*", SEND, Condition={"ArnEquals": {"aws:PrincipalArn": ROLE}}))
    assert _send(SESSION, rp, boundary=ALLOW_EC2, session=[ALLOW_EC2]).verdict is ALLOW
    assert _send(USER, rp).verdict is IMPLICIT  # the condition still applies


def test_aws_star_principal_equivalent_to_star():
    """§1.4: {"AWS": "*"} and "*" are the same principal."""
    assert _send(SESSION, doc(grant({"AWS": "*"}, SEND)), boundary=ALLOW_EC2).verdict is ALLOW


def test_account_principal_is_delegation_needs_identity_allow():
    """§1.5 row 7, §0 rule 3: naming the account delegates; the identity policy must allow."""
    rp = doc(grant(f"arn:aws:iam::{A}:root", SEND))
    assert _send(USER, rp).verdict is IMPLICIT
    assert _send(USER, rp, identity=[doc(allow("sqs:*"))]).verdict is ALLOW


def test_account_principal_limited_by_boundary_and_session_policy():
    """§1.5 row 7: account delegation stays under the boundary and the session policy."""
    rp = doc(grant(A, SEND))
    assert _send(SESSION, rp, identity=[ALLOW_ALL], boundary=ALLOW_EC2).verdict is IMPLICIT
    assert _send(SESSION, rp, identity=[ALLOW_ALL], session=[ALLOW_EC2]).verdict is IMPLICIT


def test_identity_allow_limited_by_boundary():
    """§1.7: a boundary is a ceiling for identity permissions."""
    assert decide(USER, SEND, QUEUE_A, identity=[ALLOW_ALL], boundary=ALLOW_EC2).verdict is IMPLICIT
    assert decide(USER, SEND, QUEUE_A, identity=[ALLOW_ALL], boundary=doc(allow("sqs:*"))).verdict is ALLOW


def test_boundary_does_not_grant():
    """§1.2: a boundary alone grants nothing."""
    assert decide(USER, SEND, QUEUE_A, boundary=ALLOW_ALL).verdict is IMPLICIT


def test_identity_allow_limited_by_session_policy():
    """§1.2: a session policy is a ceiling over the role's identity permissions."""
    assert decide(SESSION, SEND, QUEUE_A, identity=[ALLOW_ALL], session=[ALLOW_EC2]).verdict is IMPLICIT


def test_session_policy_does_not_grant():
    """§1.2: a session policy alone grants nothing."""
    assert decide(SESSION, SEND, QUEUE_A, session=[ALLOW_ALL]).verdict is IMPLICIT


def test_session_policies_are_unioned():
    """§8 session field: the session policies allow if any of them allows."""
    d = decide(SESSION, SEND, QUEUE_A, identity=[ALLOW_ALL], session=[ALLOW_EC2, doc(allow("sqs:Send*"))])
    assert d.verdict is ALLOW


def test_session_without_session_policy_has_role_permissions():
    """§1.3 notes: a role session without session policy simply has the role's permissions."""
    assert decide(SESSION, SEND, QUEUE_A, identity=[ALLOW_ALL]).verdict is ALLOW


def test_nothing_matching_in_resource_policy_falls_back_to_identity():
    """§1.5 last row: a resource policy naming someone else neither grants nor blocks."""
    rp = doc(grant(f"arn:aws:iam::{A}:user/zed", SEND))
    assert _send(USER, rp).verdict is IMPLICIT
    assert _send(USER, rp, identity=[ALLOW_ALL]).verdict is ALLOW


# --- §1.4 principal matching ---------------------------------------------------


def test_user_principal_arn_is_case_sensitive():
    """§1.4: the user-name part of a user ARN in Principal is case sensitive."""
    assert _send(USER, doc(grant(f"arn:aws:iam::{A}:user/Alice", SEND))).verdict is IMPLICIT


def test_role_principal_matches_any_session_of_the_role():
    """§1.4: a role ARN names every session of that role (class ROLE)."""
    other = f"arn:aws:sts::{A}:assumed-role/R1/another"
    assert _send(other, doc(grant(ROLE, SEND))).verdict is ALLOW


def test_role_principal_with_path_matches_its_sessions():
    """§1.4: a role ARN with a path names its sessions (the session ARN has no path)."""
    with_path = f"arn:aws:iam::{A}:role/team/R1"
    assert _send(SESSION, doc(grant(with_path, SEND)), principal_entity=with_path).verdict is ALLOW
    assert _send(SESSION, doc(grant(with_path, SEND))).verdict is ALLOW


def test_session_arn_principal_names_only_that_session():
    """§1.4: a session ARN is DIRECT for exactly that session name."""
    other = f"arn:aws:sts::{A}:assumed-role/R1/another"
    assert _send(other, doc(grant(SESSION, SEND))).verdict is IMPLICIT


def test_role_principal_of_another_account_does_not_match():
    """§1.4: a same-named role in another account is another principal."""
    assert _send(SESSION, doc(grant(f"arn:aws:iam::{B}:role/R1", SEND))).verdict is IMPLICIT


def test_unique_id_principal_matches_the_entity():
    """§5.3: a trust policy stores principals as unique IDs; a caller with that ID matches."""
    from iamwarden.evaluation import PolicySet, Request, authorize
    from iamwarden.model.principal import Caller, PrincipalType

    caller = Caller(PrincipalType.USER, USER, A, USER, "alice", unique_id="AIDAEXAMPLE1")
    ps = PolicySet.from_documents(resource=doc(grant("AIDAEXAMPLE1", SEND)))
    assert authorize(Request.build(caller, SEND, QUEUE_A), ps).allowed
    ps = PolicySet.from_documents(resource=doc(grant("AIDAOTHER", SEND)))
    assert not authorize(Request.build(caller, SEND, QUEUE_A), ps).allowed


def test_not_principal_applies_to_everyone_not_listed():
    """§1.4: a Deny with NotPrincipal applies to every principal it does not exempt
    (an exempt user is listed with its account: the chain rule, tests/evaluation/test_not_principal.py)."""
    other = f"arn:aws:iam::{A}:user/admin"
    rp = doc(grant("*", SEND), grant({"AWS": [other, f"arn:aws:iam::{A}:root"]}, SEND, "Deny"))
    rp["Statement"][1]["NotPrincipal"] = rp["Statement"][1].pop("Principal")
    assert _send(USER, rp).verdict is EXPLICIT
    assert _send(other, rp).verdict is ALLOW


def test_not_principal_exempts_session_listed_with_role_and_account():
    """§1.4: listing the session, role and account ARNs exempts a role session."""
    st = grant("*", SEND, "Deny")
    st["NotPrincipal"] = {"AWS": [SESSION, ROLE, f"arn:aws:iam::{A}:root"]}
    del st["Principal"]
    assert _send(SESSION, doc(grant("*", SEND), st)).verdict is ALLOW


def test_deny_notprincipal_always_denies_principal_with_boundary():
    """§1.4 quirk: Deny+NotPrincipal denies a principal with a boundary even if it is listed."""
    st = grant("*", SEND, "Deny")
    st["NotPrincipal"] = {"AWS": [SESSION, ROLE, f"arn:aws:iam::{A}:root"]}
    del st["Principal"]
    d = _send(SESSION, doc(grant("*", SEND), st), boundary=ALLOW_ALL)
    assert d.verdict is EXPLICIT


# --- §1.6 role trust policies ---------------------------------------------------


def _assume(principal, trust, **kw):
    target = kw.pop("target", TARGET_ROLE)
    return decide(principal, "sts:AssumeRole", target, resource_policy=trust, **kw)


def test_same_account_trust_naming_user_arn_needs_no_identity_allow():
    """§1.6 row 1, §0 rule 5."""
    assert _assume(USER, doc(grant(USER, "sts:AssumeRole"))).verdict is ALLOW


def test_same_account_trust_naming_user_arn_not_limited_by_boundary():
    """§1.6 row 1: the boundary does not limit the direct trust grant either."""
    assert _assume(USER, doc(grant(USER, "sts:AssumeRole")), boundary=ALLOW_EC2).verdict is ALLOW


@pytest.mark.parametrize("account", [f"arn:aws:iam::{A}:root", A])
def test_same_account_trust_naming_account_needs_identity_allow(account):
    """§1.6 rows 2-3: root ARN and bare account ID both delegate to identity policies."""
    trust = doc(grant(account, "sts:AssumeRole"))
    d = _assume(USER, trust)
    assert d.verdict is IMPLICIT
    assert _assume(USER, trust, identity=[doc(allow("sts:AssumeRole", TARGET_ROLE))]).verdict is ALLOW


def test_same_account_trust_wildcard_principal_is_direct():
    """§1.6 row 4: "*" in a trust policy is DIRECT (no identity allow needed)."""
    assert _assume(USER, doc(grant("*", "sts:AssumeRole"))).verdict is ALLOW


def test_trust_naming_role_arn_needs_no_identity_allow_but_boundary_limits():
    """§1.6 row 5, §9.1 (UNCONFIRMED, ROLE_ARN_TRUST_SUBSTITUTES_IDENTITY=True)."""
    trust = doc(grant(ROLE, "sts:AssumeRole"))
    assert authorizer_module.ROLE_ARN_TRUST_SUBSTITUTES_IDENTITY is True
    assert _assume(SESSION, trust).verdict is ALLOW
    assert _assume(SESSION, trust, boundary=ALLOW_EC2).verdict is IMPLICIT
    assert _assume(SESSION, trust, session=[ALLOW_EC2]).verdict is IMPLICIT


def test_trust_naming_role_arn_with_flag_off_requires_identity_allow(monkeypatch):
    """§9.1 alternative: with the flag off, the role-ARN trust needs an identity allow
    (as some emulators model it) and then allows."""
    monkeypatch.setattr(authorizer_module, "ROLE_ARN_TRUST_SUBSTITUTES_IDENTITY", False)
    trust = doc(grant(ROLE, "sts:AssumeRole"))
    assert _assume(SESSION, trust).verdict is IMPLICIT
    assert _assume(SESSION, trust, identity=[doc(allow("sts:AssumeRole"))]).verdict is ALLOW


def test_trust_naming_session_arn_is_direct():
    """§1.6 row 6: the exact session ARN needs no identity allow."""
    assert _assume(SESSION, doc(grant(SESSION, "sts:AssumeRole")), boundary=ALLOW_EC2).verdict is ALLOW


def test_trust_policy_must_allow_even_with_identity_allow():
    """§0 rule 4, §1.5: identity allow without a trust-policy allow is an implicit deny."""
    trust = doc(grant(f"arn:aws:iam::{A}:user/other", "sts:AssumeRole"))
    assert _assume(USER, trust, identity=[ALLOW_ALL]).verdict is IMPLICIT
    assert _assume(USER, None, identity=[ALLOW_ALL]).verdict is IMPLICIT


def test_trust_rule_applies_to_tag_session_and_set_source_identity():
    """§3.3: sts:TagSession / sts:SetSourceIdentity are evaluated against the trust policy too."""
    for action in ("sts:TagSession", "sts:SetSourceIdentity"):
        d = decide(USER, action, TARGET_ROLE, identity=[ALLOW_ALL], resource_policy=doc(grant(A, "sts:AssumeRole")))
        assert d.verdict is IMPLICIT


def test_cross_account_trust_naming_user_arn_needs_identity_allow():
    """§1.6 row 1, cross-account column: identity allow always needed."""
    trust = doc(grant(USER_B, "sts:AssumeRole"))
    assert _assume(USER_B, trust).verdict is IMPLICIT
    assert _assume(USER_B, trust, identity=[doc(allow("sts:AssumeRole"))]).verdict is ALLOW


def test_cross_account_needs_identity_allow_even_when_trust_names_session_arn():
    """§1.3 cross_account, §0 rule 6: no cross-account bypass, even for the exact session ARN."""
    trust = doc(grant(SESSION_B, "sts:AssumeRole"))
    assert _assume(SESSION_B, trust).verdict is IMPLICIT
    assert _assume(SESSION_B, trust, identity=[doc(allow("sts:AssumeRole"))]).verdict is ALLOW


def test_cross_account_trust_limited_by_callers_boundary():
    """§1.3 cross_account: the caller's boundary must allow too."""
    trust = doc(grant(ROLE_B, "sts:AssumeRole"))
    d = _assume(SESSION_B, trust, identity=[ALLOW_ALL], boundary=ALLOW_EC2)
    assert d.verdict is IMPLICIT


def test_cross_account_trust_must_allow():
    """§1.6 last row: identity allow without trust allow is denied cross account too."""
    d = _assume(USER_B, doc(grant(f"arn:aws:iam::{B}:user/x", "sts:AssumeRole")), identity=[ALLOW_ALL])
    assert d.verdict is IMPLICIT


# --- §1.3 cross_account --------------------------------------------------------


def test_cross_account_needs_both_identity_and_resource_allow():
    """§1.3 cross_account: two evaluations; both must allow."""
    rp = doc(grant(USER, SEND))
    assert decide(USER, SEND, QUEUE_B, identity=[ALLOW_ALL], resource_policy=rp).verdict is ALLOW
    assert decide(USER, SEND, QUEUE_B, identity=[ALLOW_ALL]).verdict is IMPLICIT
    assert decide(USER, SEND, QUEUE_B, resource_policy=rp).verdict is IMPLICIT


@pytest.mark.parametrize("named", [A, f"arn:aws:iam::{A}:root", ROLE, SESSION, "*"])
def test_cross_account_any_principal_class_counts_on_resource_side(named):
    """§1.3 cross_account: DIRECT, ROLE, FEDUSER or ACCOUNT all satisfy the resource side."""
    d = decide(SESSION, SEND, QUEUE_B, identity=[ALLOW_ALL], resource_policy=doc(grant(named, SEND)))
    assert d.verdict is ALLOW


def test_cross_account_session_policy_limits_direct_session_grant():
    """§0 rule 6: direct-grant bypasses do not apply cross account."""
    d = decide(
        SESSION,
        SEND,
        QUEUE_B,
        identity=[ALLOW_ALL],
        session=[ALLOW_EC2],
        resource_policy=doc(grant(SESSION, SEND)),
    )
    assert d.verdict is IMPLICIT


def test_resource_account_given_out_of_band_for_s3():
    """§1.1: S3 ARNs carry no account; resource_account decides same vs cross account."""
    obj = "arn:aws:s3:::bucket/k"
    rp = doc(grant(USER, "s3:GetObject"))
    assert decide(USER, "s3:GetObject", obj, resource_policy=rp).allowed
    assert not decide(USER, "s3:GetObject", obj, resource_policy=rp, resource_account=B).allowed


def test_resource_grant_does_not_apply_to_other_actions():
    """§2.3: the resource statement's Action scopes the grant."""
    assert _send(USER, doc(grant(USER, "sqs:ReceiveMessage"))).verdict is IMPLICIT


_ = (QUEUE_A, TARGET_ROLE_B)


# --- §1.3 notes: KMS key policies ------------------------------------------------

KEY_A = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_kms_key_policy_must_allow_even_with_identity_allow():
    """§1.3 notes, §1.5: like a trust policy, a KMS key policy must allow the caller;
    an identity allow alone is an implicit deny."""
    other = doc(grant(f"arn:aws:iam::{A}:user/keyadmin", "kms:*"))
    assert decide(USER, "kms:Decrypt", KEY_A, identity=[ALLOW_ALL], resource_policy=other).verdict is IMPLICIT
    assert decide(USER, "kms:Decrypt", KEY_A, identity=[ALLOW_ALL]).verdict is IMPLICIT


def test_kms_key_policy_trusting_account_delegates_to_identity():
    """§1.3 notes: a key policy naming the account opens the door to identity policies."""
    kp = doc(grant(f"arn:aws:iam::{A}:root", "kms:*"))
    assert decide(USER, "kms:Decrypt", KEY_A, resource_policy=kp).verdict is IMPLICIT
    assert decide(USER, "kms:Decrypt", KEY_A, identity=[ALLOW_ALL], resource_policy=kp).verdict is ALLOW


def test_kms_key_policy_naming_user_grants_directly():
    """§1.5 row 1 applies to key policies too."""
    assert decide(USER, "kms:Decrypt", KEY_A, resource_policy=doc(grant(USER, "kms:Decrypt"))).verdict is ALLOW
