"""GetSessionToken and GetCallerIdentity (spec §4.6)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from iamwarden.sts import (
    StsError,
    assume_role,
    get_caller_identity,
    get_session_token,
    rules,
    session_decide,
)

from .conftest import A, arn_role, arn_user

ROOT = f"arn:aws:iam::{A}:root"


def test_get_session_token_defaults_to_12_hours(world, clock, keyring) -> None:
    r = get_session_token(world, arn_user("alice"), {}, clock, keyring)
    assert r.credentials.expiration - clock() == timedelta(seconds=43200)
    assert r.credentials.access_key_id.startswith("ASIA")


@pytest.mark.parametrize("d", [900, 129600])
def test_get_session_token_accepts_900_to_129600(world, clock, keyring, d: int) -> None:
    r = get_session_token(world, arn_user("alice"), {"DurationSeconds": d}, clock, keyring)
    assert r.credentials.expiration - clock() == timedelta(seconds=d)


@pytest.mark.parametrize("d,phrase", [(899, "greater than or equal to 900"), (129601, "less than or equal to 129600")])
def test_get_session_token_duration_out_of_range_is_validation_error(world, clock, keyring, d: int, phrase: str) -> None:
    with pytest.raises(StsError) as e:
        get_session_token(world, arn_user("alice"), {"DurationSeconds": d}, clock, keyring)
    assert e.value.code == "ValidationError" and phrase in e.value.message


def test_get_session_token_for_root_is_clamped_to_one_hour(world, clock, keyring) -> None:
    for d in (None, 7200, 129600):
        params = {} if d is None else {"DurationSeconds": d}
        r = get_session_token(world, ROOT, params, clock, keyring)
        assert r.credentials.expiration - clock() == timedelta(seconds=3600)
    assert get_session_token(world, ROOT, {"DurationSeconds": 900}, clock, keyring).session.expires - clock() == timedelta(seconds=900)


def test_get_session_token_with_session_credentials_is_access_denied(world, clock, keyring) -> None:
    s = assume_role(world, arn_user("alice"), {"RoleArn": arn_role("AppRole"), "RoleSessionName": "s1"}, clock, keyring).session
    for caller in (s, get_session_token(world, arn_user("alice"), {}, clock, keyring).session):
        with pytest.raises(StsError) as e:
            get_session_token(world, caller, {}, clock, keyring)
        assert (e.value.code, e.value.message, e.value.status) == ("AccessDenied", rules.SESSION_TOKEN_WITH_SESSION, 403)


def test_get_session_token_with_mfa_marks_the_session(world, clock, keyring) -> None:
    r = get_session_token(world, arn_user("alice"), {"SerialNumber": f"arn:aws:iam::{A}:mfa/alice", "TokenCode": "123456"},
                          clock, keyring)
    assert r.session.mfa and r.session.context()["aws:MultiFactorAuthPresent"] == "true"
    assert get_session_token(world, arn_user("alice"), {}, clock, keyring).session.context()["aws:MultiFactorAuthPresent"] == "false"


def test_session_token_credentials_act_as_the_user(world, clock, keyring) -> None:
    s = get_session_token(world, arn_user("alice"), {}, clock, keyring).session
    assert session_decide(world, s, "sts:AssumeRole", arn_role("AppRole")).allowed
    assert session_decide(world, s, "s3:GetObject", "*").decision == "ImplicitDeny"
    assert s.context()["aws:PrincipalTag/team"] == "blue"


def test_get_caller_identity_for_user_root_and_sessions(world, clock, keyring) -> None:
    assert get_caller_identity(arn_user("alice"), world).to_api() == {
        "UserId": "AIDAALICE000000000000", "Account": A, "Arn": arn_user("alice")}
    assert get_caller_identity(ROOT).to_api() == {"UserId": A, "Account": A, "Arn": ROOT}
    gst = get_session_token(world, arn_user("alice"), {}, clock, keyring).session
    assert get_caller_identity(gst) == get_caller_identity(arn_user("alice"), world)
    s = assume_role(world, arn_user("alice"), {"RoleArn": arn_role("AppRole"), "RoleSessionName": "x1"}, clock, keyring).session
    assert get_caller_identity(s).to_api() == {
        "UserId": "AROAAPPROLE0000000000:x1", "Account": A, "Arn": f"arn:aws:sts::{A}:assumed-role/AppRole/x1"}
