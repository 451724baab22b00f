"""AssumeRole end to end over a world (spec §1.6, §3.2–§3.3, §4.2–§4.4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from iamwarden.sts import (
    AssumeRoleResult,
    Keyring,
    ManualClock,
    SeededRandom,
    StsError,
    assume_role,
    get_caller_identity,
    get_session_token,
    rules,
)
from iamwarden.sts.session import SessionTag

from .conftest import A, B, arn_role, arn_user


def ar(world: Any, caller: Any, role: str, clock: ManualClock, keyring: Keyring, **params: Any) -> AssumeRoleResult:
    p = {"RoleArn": arn_role(role) if not role.startswith("arn:") else role, "RoleSessionName": "s1"}
    p.update(params)
    return assume_role(world, caller, p, clock, keyring, SeededRandom(7))


def denied(world: Any, caller: Any, role: str, clock: ManualClock, keyring: Keyring, **params: Any) -> StsError:
    with pytest.raises(StsError) as e:
        ar(world, caller, role, clock, keyring, **params)
    return e.value


# -- who may assume (§1.6) -----------------------------------------------------------


def test_same_account_trust_naming_account_and_identity_allow_succeeds(world, clock, keyring) -> None:
    r = ar(world, arn_user("alice"), "AppRole", clock, keyring)
    assert r.session.arn == f"arn:aws:sts::{A}:assumed-role/AppRole/s1"
    assert r.session.assumed_role_id == "AROAAPPROLE0000000000:s1"
    assert r.to_api()["AssumedRoleUser"] == {"Arn": r.session.arn, "AssumedRoleId": r.session.assumed_role_id}


def test_trust_naming_account_without_identity_allow_is_access_denied(world, clock, keyring) -> None:
    e = denied(world, arn_user("bob"), "AppRole", clock, keyring)
    assert (e.code, e.status) == ("AccessDenied", 403)
    assert e.message == (f"User: arn:aws:iam::{A}:user/bob is not authorized to perform: "
                         f"sts:AssumeRole on resource: arn:aws:iam::{A}:role/AppRole")


def test_same_account_trust_naming_user_directly_needs_no_identity_allow(world, clock, keyring) -> None:
    r = ar(world, arn_user("bob"), "NamedRole", clock, keyring)
    assert r.session.role_arn == arn_role("NamedRole")


def test_identity_allow_without_trust_allow_is_access_denied(world, clock, keyring) -> None:
    e = denied(world, arn_user("alice"), "NamedRole", clock, keyring)
    assert e.code == "AccessDenied"


def test_explicit_deny_in_trust_policy_is_access_denied(world, clock, keyring) -> None:
    assert denied(world, arn_user("carl"), "DenyBobRole", clock, keyring).code == "AccessDenied"
    ar(world, arn_user("alice"), "DenyBobRole", clock, keyring)


def test_cross_account_needs_identity_allow_and_trust(world, clock, keyring) -> None:
    r = ar(world, arn_user("vera", B), "CrossRole", clock, keyring)
    assert r.session.account == A
    e = denied(world, arn_user("ivan", B), "CrossRole", clock, keyring)
    assert e.message.startswith(f"User: arn:aws:iam::{B}:user/ivan is not authorized")


def test_cross_account_trust_not_naming_caller_account_is_access_denied(world, clock, keyring) -> None:
    assert denied(world, arn_user("vera", B), "AppRole", clock, keyring).code == "AccessDenied"


def test_root_may_not_assume_roles(world, clock, keyring) -> None:
    e = denied(world, f"arn:aws:iam::{A}:root", "AppRole", clock, keyring)
    assert (e.code, e.message, e.status) == ("AccessDenied", "Roles may not be assumed by root accounts.", 403)


def test_root_with_session_token_credentials_may_not_assume_roles(world, clock, keyring) -> None:
    gst = get_session_token(world, f"arn:aws:iam::{A}:root", {}, clock, keyring)
    e = denied(world, gst.session, "AppRole", clock, keyring)
    assert e.message == rules.ROOT_MAY_NOT_ASSUME


def test_missing_role_is_access_denied_without_revealing_existence(world, clock, keyring) -> None:
    e = denied(world, arn_user("alice"), "NoSuchRole", clock, keyring)
    assert e.code == "AccessDenied"
    assert e.message.endswith(f"on resource: arn:aws:iam::{A}:role/NoSuchRole")


def test_role_arn_with_wrong_path_counts_as_missing(world, clock, keyring) -> None:
    assert denied(world, arn_user("alice"), "PathRole", clock, keyring).code == "AccessDenied"
    r = ar(world, arn_user("alice"), f"arn:aws:iam::{A}:role/app/PathRole", clock, keyring)
    assert r.session.arn == f"arn:aws:sts::{A}:assumed-role/PathRole/s1"  # session ARN drops the path


# -- context keys in the trust policy (§3.2, §3.3) -----------------------------------


def test_external_id_condition_needs_the_right_external_id(world, clock, keyring) -> None:
    assert denied(world, arn_user("alice"), "ExternalRole", clock, keyring).code == "AccessDenied"
    assert denied(world, arn_user("alice"), "ExternalRole", clock, keyring, ExternalId="Wrong1").code == "AccessDenied"
    ar(world, arn_user("alice"), "ExternalRole", clock, keyring, ExternalId="Example987")


def test_mfa_condition_needs_serial_number_and_token_code(world, clock, keyring) -> None:
    denied(world, arn_user("alice"), "MfaRole", clock, keyring)
    r = ar(world, arn_user("alice"), "MfaRole", clock, keyring,
           SerialNumber=f"arn:aws:iam::{A}:mfa/alice", TokenCode="123456")
    assert r.session.mfa and r.session.context()["aws:MultiFactorAuthPresent"] == "true"


def test_invalid_mfa_code_is_access_denied(world, clock, keyring) -> None:
    with pytest.raises(StsError) as e:
        assume_role(world, arn_user("alice"), {"RoleArn": arn_role("MfaRole"), "RoleSessionName": "s1",
                    "SerialNumber": f"arn:aws:iam::{A}:mfa/alice", "TokenCode": "000000"},
                    clock, keyring, mfa_verifier=lambda serial, code: code == "123456")
    assert (e.value.code, e.value.message) == ("AccessDenied", rules.MFA_FAILED)


def test_role_session_name_condition_sees_sts_role_session_name(world, clock, keyring) -> None:
    denied(world, arn_user("alice"), "NameRole", clock, keyring, RoleSessionName="someone")
    ar(world, arn_user("alice"), "NameRole", clock, keyring, RoleSessionName="alice")


def test_tags_need_sts_tag_session_in_the_trust_policy(world, clock, keyring) -> None:
    ar(world, arn_user("alice"), "NoTagRole", clock, keyring)
    e = denied(world, arn_user("alice"), "NoTagRole", clock, keyring, Tags=[{"Key": "k", "Value": "v"}])
    assert e.message == (f"User: arn:aws:iam::{A}:user/alice is not authorized to perform: "
                         f"sts:TagSession on resource: arn:aws:iam::{A}:role/NoTagRole")


def test_tags_need_sts_tag_session_in_the_identity_policy_when_trust_names_the_account(world, clock, keyring) -> None:
    e = denied(world, arn_user("carl"), "AppRole", clock, keyring, Tags=[{"Key": "k", "Value": "v"}])
    assert "sts:TagSession" in e.message


def test_source_identity_needs_sts_set_source_identity(world, clock, keyring) -> None:
    e = denied(world, arn_user("carl"), "AppRole", clock, keyring, SourceIdentity="carl")
    assert e.message.endswith(f"perform: sts:SetSourceIdentity on resource: {arn_role('AppRole')}")
    r = ar(world, arn_user("alice"), "AppRole", clock, keyring, SourceIdentity="alice")
    assert r.source_identity == "alice" and r.to_api()["SourceIdentity"] == "alice"


def test_transitive_tag_overrides_role_tag_as_resource_tag_in_trust(world, clock, keyring) -> None:
    """BlueOnlyRole is tagged team=red; its trust wants aws:ResourceTag/team=blue (spec §3.2)."""
    denied(world, arn_user("alice"), "BlueOnlyRole", clock, keyring)
    first = ar(world, arn_user("alice"), "AppRole", clock, keyring,
               Tags=[{"Key": "team", "Value": "blue"}], TransitiveTagKeys=["team"])
    ar(world, first.session, "BlueOnlyRole", clock, keyring)
    plain = ar(world, arn_user("alice"), "AppRole", clock, keyring, Tags=[{"Key": "team", "Value": "blue"}])
    denied(world, plain.session, "BlueOnlyRole", clock, keyring)  # not transitive: no override


# -- duration (§4.4) -----------------------------------------------------------------


def test_default_duration_is_one_hour(world, clock, keyring) -> None:
    r = ar(world, arn_user("alice"), "AppRole", clock, keyring)
    assert r.credentials.expiration == clock() + timedelta(hours=1)
    assert r.to_api()["Credentials"]["Expiration"] == "2025-01-06T10:30:00Z"


def test_duration_900_is_accepted(world, clock, keyring) -> None:
    r = ar(world, arn_user("alice"), "AppRole", clock, keyring, DurationSeconds=900)
    assert r.credentials.expiration - clock() == timedelta(seconds=900)


def test_duration_899_is_validation_error(world, clock, keyring) -> None:
    e = denied(world, arn_user("alice"), "AppRole", clock, keyring, DurationSeconds=899)
    assert e.code == "ValidationError" and "greater than or equal to 900" in e.message


def test_duration_above_max_session_duration_is_validation_error(world, clock, keyring) -> None:
    e = denied(world, arn_user("alice"), "AppRole", clock, keyring, DurationSeconds=3601)
    assert (e.code, e.message) == ("ValidationError", rules.DURATION_OVER_MAX_SESSION)


def test_duration_43200_with_max_session_duration_43200_is_accepted(world, clock, keyring) -> None:
    r = ar(world, arn_user("alice"), "LongRole", clock, keyring, DurationSeconds=43200)
    assert r.credentials.expiration - clock() == timedelta(hours=12)


def test_duration_43201_is_validation_error_even_with_max_session_duration_43200(world, clock, keyring) -> None:
    e = denied(world, arn_user("alice"), "LongRole", clock, keyring, DurationSeconds=43201)
    assert e.code == "ValidationError" and "less than or equal to 43200" in e.message


def test_chained_duration_3600_is_accepted(world, clock, keyring) -> None:
    first = ar(world, arn_user("alice"), "LongRole", clock, keyring)
    r = ar(world, first.session, "LongRole", clock, keyring, DurationSeconds=3600)
    assert r.session.chained and r.credentials.expiration - clock() == timedelta(hours=1)


def test_chained_duration_over_one_hour_is_validation_error(world, clock, keyring) -> None:
    first = ar(world, arn_user("alice"), "LongRole", clock, keyring)
    e = denied(world, first.session, "LongRole", clock, keyring, DurationSeconds=3601)
    assert (e.code, e.message, e.status) == ("ValidationError", rules.DURATION_OVER_CHAINED_LIMIT, 400)


def test_chained_duration_defaults_to_one_hour(world, clock, keyring) -> None:
    first = ar(world, arn_user("alice"), "LongRole", clock, keyring, DurationSeconds=43200)
    r = ar(world, first.session, "LongRole", clock, keyring)
    assert r.credentials.expiration - clock() == timedelta(hours=1)


def test_chaining_from_session_token_credentials_is_capped_at_one_hour(world, clock, keyring) -> None:
    gst = get_session_token(world, arn_user("alice"), {}, clock, keyring)
    e = denied(world, gst.session, "LongRole", clock, keyring, DurationSeconds=7200)
    assert e.message == rules.DURATION_OVER_CHAINED_LIMIT
    r = ar(world, gst.session, "LongRole", clock, keyring)
    assert r.session.chained and r.session.caller_arn == arn_user("alice")


def test_unauthorized_caller_learns_nothing_about_duration(world, clock, keyring) -> None:
    """Authorization before the duration check (rules.CHECK_ORDER, UNCONFIRMED)."""
    e = denied(world, arn_user("bob"), "AppRole", clock, keyring, DurationSeconds=7200)
    assert e.code == "AccessDenied"


# -- chaining keeps transitive tags and source identity (§4.4) ----------------------


def test_chaining_keeps_transitive_tags_and_drops_the_others(world, clock, keyring) -> None:
    first = ar(world, arn_user("alice"), "AppRole", clock, keyring,
               Tags=[{"Key": "project", "Value": "x"}, {"Key": "cost", "Value": "1"}],
               TransitiveTagKeys=["project"])
    second = ar(world, first.session, "LongRole", clock, keyring)
    assert second.session.inherited_tags == (SessionTag("project", "x", True, True),)
    third = ar(world, second.session, "AppRole", clock, keyring)
    assert third.session.principal_tags() == {"env": "prod", "team": "red", "project": "x"}


def test_chained_tag_with_inherited_transitive_key_is_refused(world, clock, keyring) -> None:
    first = ar(world, arn_user("alice"), "AppRole", clock, keyring,
               Tags=[{"Key": "project", "Value": "x"}], TransitiveTagKeys=["project"])
    e = denied(world, first.session, "LongRole", clock, keyring, Tags=[{"Key": "PROJECT", "Value": "y"}])
    assert e.code == rules.TRANSITIVE_TAG_CONFLICT_CODE and "PROJECT" in e.message


def test_chaining_keeps_source_identity(world, clock, keyring) -> None:
    first = ar(world, arn_user("alice"), "AppRole", clock, keyring, SourceIdentity="alice")
    second = ar(world, first.session, "LongRole", clock, keyring)
    assert second.session.source_identity == "alice"
    assert second.session.context()["aws:SourceIdentity"] == "alice"


def test_chaining_cannot_change_source_identity(world, clock, keyring) -> None:
    first = ar(world, arn_user("alice"), "AppRole", clock, keyring, SourceIdentity="alice")
    e = denied(world, first.session, "LongRole", clock, keyring, SourceIdentity="mallory")
    assert e.code == rules.SOURCE_IDENTITY_CHANGE_CODE and "alice" in e.message
    same = ar(world, first.session, "LongRole", clock, keyring, SourceIdentity="alice")
    assert same.source_identity == "alice"


def test_chained_access_denied_names_the_session_arn(world, clock, keyring) -> None:
    first = ar(world, arn_user("alice"), "AppRole", clock, keyring)
    e = denied(world, first.session, "NamedRole", clock, keyring)
    assert e.message.startswith(f"User: arn:aws:sts::{A}:assumed-role/AppRole/s1 is not authorized")


def test_session_policy_of_caller_limits_chaining(world, clock, keyring) -> None:
    first = ar(world, arn_user("alice"), "AppRole", clock, keyring,
               Policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}')
    e = denied(world, first.session, "LongRole", clock, keyring)
    assert e.message.startswith(f"User: {first.session.arn} is not authorized to perform: sts:AssumeRole")


# -- session policies and packed size (§4.1, §4.2 step 5, 9) -------------------------


def test_malformed_session_policy_is_malformed_policy_document(world, clock, keyring) -> None:
    e = denied(world, arn_user("alice"), "AppRole", clock, keyring, Policy='{"Statement": [{"Effect": "Perhaps"}]}')
    assert (e.code, e.status) == ("MalformedPolicyDocument", 400)
    e = denied(world, arn_user("alice"), "AppRole", clock, keyring, Policy="not json")
    assert e.code == "MalformedPolicyDocument"


def test_unknown_policy_arn_is_refused(world, clock, keyring) -> None:
    e = denied(world, arn_user("alice"), "AppRole", clock, keyring,
               PolicyArns=[{"arn": f"arn:aws:iam::{A}:policy/Nope"}])
    assert e.code == rules.UNKNOWN_POLICY_ARN_CODE


def test_packed_policy_size_is_reported_when_policies_or_tags_are_passed(world, clock, keyring) -> None:
    assert ar(world, arn_user("alice"), "AppRole", clock, keyring).packed_policy_size is None
    r = ar(world, arn_user("alice"), "AppRole", clock, keyring, PolicyArns=[{"arn": f"arn:aws:iam::{A}:policy/ReadOnlyS3"}])
    assert r.packed_policy_size is not None and 0 < r.packed_policy_size <= 100
    assert r.to_api()["PackedPolicySize"] == r.packed_policy_size


def test_too_many_tag_characters_is_packed_policy_too_large(world, clock, keyring) -> None:
    tags = [{"Key": f"k{i:02d}" + "x" * 124, "Value": "v" * 256} for i in range(10)]
    e = denied(world, arn_user("alice"), "AppRole", clock, keyring, Tags=tags)
    assert e.code == "PackedPolicyTooLarge" and e.message.startswith("Packed size of session tags consumes ")
    assert e.message.endswith("% of allotted space.")


def test_get_caller_identity_of_assumed_session(world, clock, keyring) -> None:
    r = ar(world, arn_user("alice"), "AppRole", clock, keyring)
    assert get_caller_identity(r.session).to_api() == {
        "UserId": "AROAAPPROLE0000000000:s1", "Account": A, "Arn": f"arn:aws:sts::{A}:assumed-role/AppRole/s1",
    }
