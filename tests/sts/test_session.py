"""Sessions evaluated later (spec §1.2, §3.1–§3.2): role policies cut by session policies, derived keys."""

from __future__ import annotations

from datetime import timedelta

from iamwarden.sts import assume_role, session_decide

from .conftest import A, arn_role, arn_user

S3_GET = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'


def _assume(world, clock, keyring, role="AppRole", **kw):  # type: ignore[no-untyped-def]
    p = {"RoleArn": arn_role(role), "RoleSessionName": "s1", **kw}
    return assume_role(world, arn_user("alice"), p, clock, keyring).session


def test_session_policy_cuts_the_role_rights(world, clock, keyring) -> None:
    s = _assume(world, clock, keyring, Policy=S3_GET)
    assert session_decide(world, s, "s3:GetObject", "arn:aws:s3:::b/k").allowed
    d = session_decide(world, s, "s3:PutObject", "arn:aws:s3:::b/k")
    assert not d.allowed and d.rule == "session policy"


def test_managed_session_policy_cuts_the_role_rights(world, clock, keyring) -> None:
    s = _assume(world, clock, keyring, PolicyArns=[{"arn": f"arn:aws:iam::{A}:policy/ReadOnlyS3"}])
    assert session_decide(world, s, "s3:ListBucket", "arn:aws:s3:::b").allowed
    assert not session_decide(world, s, "s3:DeleteObject", "arn:aws:s3:::b/k").allowed


def test_session_without_session_policy_has_the_role_rights(world, clock, keyring) -> None:
    s = _assume(world, clock, keyring)
    assert session_decide(world, s, "s3:PutObject", "arn:aws:s3:::b/k").allowed
    assert not session_decide(world, s, "iam:CreateUser", "*").allowed


def test_principal_tag_comes_from_session_tags_over_role_tags(world, clock, keyring) -> None:
    s = _assume(world, clock, keyring, role="TaggedAccessRole", Tags=[{"Key": "team", "Value": "blue"}])
    assert s.context()["aws:PrincipalTag/team"] == "blue"
    assert session_decide(world, s, "s3:GetObject", "arn:aws:s3:::data/blue/x").allowed
    assert not session_decide(world, s, "s3:GetObject", "arn:aws:s3:::data/red/x").allowed
    plain = _assume(world, clock, keyring, role="TaggedAccessRole")
    assert session_decide(world, plain, "s3:GetObject", "arn:aws:s3:::data/red/x").allowed  # role tag team=red


def test_userid_is_role_id_and_session_name(world, clock, keyring) -> None:
    s = _assume(world, clock, keyring, role="TaggedAccessRole", RoleSessionName="audit")
    assert s.context()["aws:userid"] == "AROATAGGEDACCESSROLE0:audit"
    assert session_decide(world, s, "s3:ListBucket", "*").allowed
    other = _assume(world, clock, keyring, role="TaggedAccessRole", RoleSessionName="other")
    assert not session_decide(world, other, "s3:ListBucket", "*").allowed


def test_source_identity_is_a_condition_key_of_the_session(world, clock, keyring) -> None:
    s = _assume(world, clock, keyring, role="TaggedAccessRole", SourceIdentity="alice")
    assert session_decide(world, s, "s3:PutObject", "*").allowed
    assert not session_decide(world, _assume(world, clock, keyring, role="TaggedAccessRole"), "s3:PutObject", "*").allowed


def test_token_issue_time_and_mfa_present_are_derived(world, clock, keyring) -> None:
    ctx = _assume(world, clock, keyring).context()
    assert ctx["aws:TokenIssueTime"] == "2025-01-06T09:30:00Z"
    assert ctx["aws:MultiFactorAuthPresent"] == "false" and "aws:MultiFactorAuthAge" not in ctx
    assert ctx["aws:PrincipalArn"] == arn_role("AppRole") and ctx["aws:PrincipalType"] == "AssumedRole"


def test_mfa_age_counts_from_the_mfa_time(world, clock, keyring) -> None:
    s = _assume(world, clock, keyring, role="MfaRole", SerialNumber=f"arn:aws:iam::{A}:mfa/alice", TokenCode="123456")
    assert s.context(clock() + timedelta(seconds=90))["aws:MultiFactorAuthAge"] == "90"


def test_expired_session_is_denied(world, clock, keyring) -> None:
    s = _assume(world, clock, keyring)
    assert session_decide(world, s, "s3:GetObject", "*", now=clock() + timedelta(seconds=3599)).allowed
    d = session_decide(world, s, "s3:GetObject", "*", now=clock() + timedelta(seconds=3600))
    assert not d.allowed and d.rule == "expired session"
