"""Each UNCONFIRMED choice of sts/rules.py, pinned by a test (spec §9; docs/decisions/sts-*.md)."""

from __future__ import annotations

import pytest

from iamwarden.sts import SeededRandom, StsError, assume_role, rules
from iamwarden.sts.packing import PackedSize, check_packed_size, packed_size
from iamwarden.sts.session import SessionTag

from .conftest import arn_role, arn_user


def _ar(world, caller, role, clock, keyring, **kw):  # type: ignore[no-untyped-def]
    return assume_role(world, caller, {"RoleArn": arn_role(role), "RoleSessionName": "s1", **kw}, clock, keyring,
                       SeededRandom(3))


def test_check_order_is_validation_root_policies_authorization_duration_tags_source_identity_size() -> None:
    assert rules.CHECK_ORDER == ("validate-parameters", "root-caller", "session-policies", "authorize",
                                 "duration", "tags", "source-identity", "packed-size")


def test_root_check_comes_after_validation(world, clock, keyring) -> None:
    with pytest.raises(StsError) as e:
        _ar(world, "arn:aws:iam::111122223333:root", "AppRole", clock, keyring, DurationSeconds=10)
    assert e.value.code == "ValidationError"


def test_malformed_session_policy_is_reported_before_authorization(world, clock, keyring) -> None:
    with pytest.raises(StsError) as e:
        _ar(world, arn_user("bob"), "AppRole", clock, keyring, Policy="{")
    assert e.value.code == "MalformedPolicyDocument"


def test_duration_is_checked_after_authorization(world, clock, keyring) -> None:
    with pytest.raises(StsError) as e:
        _ar(world, arn_user("bob"), "AppRole", clock, keyring, DurationSeconds=7200)
    assert e.value.code == "AccessDenied"


def test_packed_size_counts_minified_policy_json_and_tag_characters() -> None:
    doc = {"Version": "2012-10-17", "Statement": []}
    size = packed_size([doc], [SessionTag("ab", "cd")])
    assert size.policy_percent == -(-100 * len('{"Version":"2012-10-17","Statement":[]}') // rules.SESSION_POLICY_BUDGET)
    assert size.tag_percent == -(-100 * 4 // rules.SESSION_TAG_BUDGET)
    assert (rules.SESSION_POLICY_BUDGET, rules.SESSION_TAG_BUDGET) == (2048, 2048)


def test_packed_size_of_exactly_100_percent_passes_and_101_fails() -> None:
    check_packed_size(PackedSize(100, 100))
    with pytest.raises(StsError) as e:
        check_packed_size(PackedSize(101, 3))
    assert e.value.message == "Packed policy consumes 101% of allotted space, please use smaller policy."


def test_inherited_transitive_tags_count_toward_packed_size(world, clock, keyring) -> None:
    first = _ar(world, arn_user("alice"), "AppRole", clock, keyring,
                Tags=[{"Key": "k" * 128, "Value": "v" * 256}], TransitiveTagKeys=["k" * 128])
    second = _ar(world, first.session, "LongRole", clock, keyring, Tags=[{"Key": "x", "Value": "y"}])
    assert second.packed_policy_size == -(-100 * (384 + 2) // rules.SESSION_TAG_BUDGET)


def test_transitive_tag_conflict_is_invalid_parameter_value() -> None:
    assert rules.TRANSITIVE_TAG_CONFLICT_CODE == "InvalidParameterValue"


def test_source_identity_change_is_invalid_parameter_value() -> None:
    assert rules.SOURCE_IDENTITY_CHANGE_CODE == "InvalidParameterValue"


def test_inherited_transitive_tags_alone_do_not_need_tag_session(world, clock, keyring) -> None:
    first = _ar(world, arn_user("alice"), "AppRole", clock, keyring,
                Tags=[{"Key": "p", "Value": "1"}], TransitiveTagKeys=["p"])
    assert not rules.INHERITED_TRANSITIVE_TAGS_NEED_TAG_SESSION
    _ar(world, first.session, "NoTagRole", clock, keyring)  # NoTagRole's trust allows only sts:AssumeRole


def test_chained_session_expiry_is_not_capped_by_the_parent(world, clock, keyring) -> None:
    first = _ar(world, arn_user("alice"), "AppRole", clock, keyring, DurationSeconds=900)
    clock.advance(600)
    second = _ar(world, first.session, "AppRole", clock, keyring)
    assert not rules.CHAINED_EXPIRY_CAPPED_BY_PARENT
    assert second.session.expires > first.session.expires


def test_access_denied_has_no_reason_suffix_by_default(world, clock, keyring) -> None:
    with pytest.raises(StsError) as e:
        _ar(world, arn_user("bob"), "AppRole", clock, keyring)
    assert not rules.APPEND_DENY_REASON and e.value.message.endswith(arn_role("AppRole"))


def test_inline_policy_over_2048_characters_is_validation_error(world, clock, keyring) -> None:
    big = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"' + "a" * 2048 + '"}]}'
    with pytest.raises(StsError) as e:
        _ar(world, arn_user("alice"), "AppRole", clock, keyring, Policy=big)
    assert e.value.code == "ValidationError" and "Member must have length less than or equal to 2048" in e.value.message
