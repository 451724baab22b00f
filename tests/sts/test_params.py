"""Parameter rules of AssumeRole (spec §4.1, §4.2 step 2): edge values and AWS's wording."""

from __future__ import annotations

import pytest

from iamwarden.sts import AssumeRoleParams, StsError, Tag, assume_role
from iamwarden.sts.params import validate_assume_role

from .conftest import arn_role, arn_user

ROLE = arn_role("LongRole")


def params(**kw: object) -> AssumeRoleParams:
    base: dict[str, object] = {"role_arn": ROLE, "role_session_name": "s1"}
    base.update(kw)
    return AssumeRoleParams(**base)  # type: ignore[arg-type]


def error_of(p: AssumeRoleParams) -> StsError:
    with pytest.raises(StsError) as e:
        validate_assume_role(p)
    return e.value


def one(value: str, member: str, constraint: str) -> str:
    return f"1 validation error detected: Value {value} at '{member}' failed to satisfy constraint: {constraint}"


# -- RoleSessionName: 2..64, [\w+=,.@-]* ------------------------------------------


def test_session_name_of_one_character_is_validation_error() -> None:
    e = error_of(params(role_session_name="a"))
    assert (e.code, e.status) == ("ValidationError", 400)
    assert e.message == one("'a'", "roleSessionName", "Member must have length greater than or equal to 2")


@pytest.mark.parametrize("n", [2, 64])
def test_session_name_of_2_and_64_characters_is_accepted(n: int) -> None:
    validate_assume_role(params(role_session_name="a" * n))


def test_session_name_of_65_characters_is_validation_error() -> None:
    e = error_of(params(role_session_name="a" * 65))
    assert e.message == one(f"'{'a' * 65}'", "roleSessionName", "Member must have length less than or equal to 64")


@pytest.mark.parametrize("bad", ["a b", "a/b", "a:b", "a[b]", "é-x", "a*b"])
def test_session_name_with_bad_characters_is_validation_error(bad: str) -> None:
    e = error_of(params(role_session_name=bad))
    assert e.message == one(f"'{bad}'", "roleSessionName",
                            r"Member must satisfy regular expression pattern: [\w+=,.@-]*")


def test_session_name_with_all_allowed_punctuation_is_accepted() -> None:
    validate_assume_role(params(role_session_name="a_b+c=d,e.f@g-h"))


def test_missing_session_name_is_member_must_not_be_null() -> None:
    e = error_of(params(role_session_name=None))
    assert e.message == one("null", "roleSessionName", "Member must not be null")


def test_several_violations_are_counted_and_joined() -> None:
    e = error_of(params(role_session_name="a b c", duration_seconds=899, external_id="x"))
    assert e.message.startswith("3 validation errors detected: ")
    assert e.message.count("; ") == 2
    assert "at 'durationSeconds'" in e.message and "at 'externalId'" in e.message


def test_one_short_name_with_bad_characters_reports_length_then_pattern() -> None:
    e = error_of(params(role_session_name=" "))
    assert e.message.startswith("2 validation errors detected: ")
    assert e.message.index("length greater") < e.message.index("regular expression")


# -- RoleArn ----------------------------------------------------------------------


def test_role_arn_shorter_than_20_is_validation_error() -> None:
    e = error_of(params(role_arn="arn:aws:iam::1:r/x"))
    assert "at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20" in e.message


def test_missing_role_arn_is_member_must_not_be_null() -> None:
    assert error_of(params(role_arn=None)).message == one("null", "roleArn", "Member must not be null")


# -- DurationSeconds: 900..43200 --------------------------------------------------


def test_duration_899_is_validation_error() -> None:
    e = error_of(params(duration_seconds=899))
    assert e.message == one("'899'", "durationSeconds", "Member must have value greater than or equal to 900")


@pytest.mark.parametrize("d", [900, 3600, 43200])
def test_duration_900_to_43200_passes_model_check(d: int) -> None:
    validate_assume_role(params(duration_seconds=d))


def test_duration_43201_is_validation_error() -> None:
    e = error_of(params(duration_seconds=43201))
    assert e.message == one("'43201'", "durationSeconds", "Member must have value less than or equal to 43200")


# -- ExternalId: 2..1224, [\w+=,.@:/-]* -------------------------------------------


def test_external_id_of_one_character_is_validation_error() -> None:
    e = error_of(params(external_id="x"))
    assert e.message == one("'x'", "externalId", "Member must have length greater than or equal to 2")


@pytest.mark.parametrize("n", [2, 1224])
def test_external_id_of_2_and_1224_characters_is_accepted(n: int) -> None:
    validate_assume_role(params(external_id="x" * n))


def test_external_id_of_1225_characters_is_validation_error() -> None:
    e = error_of(params(external_id="x" * 1225))
    assert e.message.endswith("at 'externalId' failed to satisfy constraint: "
                              "Member must have length less than or equal to 1224")


def test_external_id_with_space_is_validation_error() -> None:
    e = error_of(params(external_id="ab cd"))
    assert e.message == one("'ab cd'", "externalId",
                            r"Member must satisfy regular expression pattern: [\w+=,.@:\/-]*")


def test_external_id_allows_colon_and_slash() -> None:
    validate_assume_role(params(external_id="urn:a/b"))


# -- Tags, TransitiveTagKeys, PolicyArns ------------------------------------------


def test_fifty_tags_are_accepted() -> None:
    validate_assume_role(params(tags=tuple(Tag(f"k{i}", "v") for i in range(50))))


def test_more_than_50_tags_is_validation_error() -> None:
    e = error_of(params(tags=tuple(Tag(f"k{i}", "v") for i in range(51))))
    assert e.message.startswith("1 validation error detected: Value '[{Key=k0, Value=v}, ")
    assert e.message.endswith("at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")


def test_tag_key_of_129_characters_is_validation_error() -> None:
    e = error_of(params(tags=(Tag("k" * 129, "v"),)))
    assert "at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128" in e.message


def test_tag_value_of_257_characters_is_validation_error() -> None:
    e = error_of(params(tags=(Tag("k", "v" * 257),)))
    assert "at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256" in e.message


def test_tag_with_bad_character_is_validation_error() -> None:
    e = error_of(params(tags=(Tag("ok", "fine"), Tag("k", "a,b"))))
    assert e.message == one("'a,b'", "tags.2.member.value",
                            r"Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*")


def test_tag_letters_spaces_and_numbers_of_any_script_are_accepted() -> None:
    validate_assume_role(params(tags=(Tag("Équipe 1", "日本 ٣"),)))


def test_empty_tag_value_is_accepted() -> None:
    validate_assume_role(params(tags=(Tag("k", ""),)))


def test_more_than_50_transitive_tag_keys_is_validation_error() -> None:
    tags = tuple(Tag(f"k{i}", "v") for i in range(50))
    e = error_of(params(tags=tags, transitive_tag_keys=tuple(f"k{i}" for i in range(51))))
    assert "at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50" in e.message


def test_transitive_tag_key_not_in_tags_is_invalid_parameter_value() -> None:
    e = error_of(params(tags=(Tag("a", "1"),), transitive_tag_keys=("b",)))
    assert e.code == "InvalidParameterValue" and "b" in e.message


def test_transitive_tag_key_matches_tags_case_insensitively() -> None:
    validate_assume_role(params(tags=(Tag("Team", "1"),), transitive_tag_keys=("team",)))


def test_duplicate_tag_keys_differing_by_case_is_validation_error() -> None:
    e = error_of(params(tags=(Tag("team", "1"), Tag("TEAM", "2"))))
    assert e.code == "ValidationError" and "case insensitive" in e.message


def test_tag_key_with_reserved_aws_prefix_is_refused() -> None:
    e = error_of(params(tags=(Tag("aws:team", "1"),)))
    assert e.code == "InvalidParameterValue"


def test_ten_policy_arns_pass_the_model_check() -> None:
    validate_assume_role(params(policy_arns=tuple(f"arn:aws:iam::111122223333:policy/P{i}" for i in range(10))))


def test_more_than_10_policy_arns_is_validation_error() -> None:
    e = error_of(params(policy_arns=tuple(f"arn:aws:iam::111122223333:policy/P{i}" for i in range(11))))
    assert e.message.endswith("at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10")


def test_short_policy_arn_is_validation_error_at_member_path() -> None:
    e = error_of(params(policy_arns=("arn:aws:iam::1:p/x",)))
    assert "at 'policyArns.1.member.arn'" in e.message


# -- Policy, SerialNumber, TokenCode, SourceIdentity ------------------------------


def test_empty_inline_policy_is_validation_error() -> None:
    e = error_of(params(policy=""))
    assert e.message == one("''", "policy", "Member must have length greater than or equal to 1")


def test_inline_policy_with_character_above_u00ff_is_validation_error() -> None:
    e = error_of(params(policy='{"x":"Ā"}'))
    assert "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" in e.message


def test_serial_number_of_8_characters_is_validation_error() -> None:
    e = error_of(params(serial_number="12345678", token_code="123456"))
    assert "at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9" in e.message


@pytest.mark.parametrize("code", ["12345", "1234567"])
def test_token_code_not_six_characters_is_validation_error(code: str) -> None:
    e = error_of(params(serial_number="GAHT12345678", token_code=code))
    assert "at 'tokenCode' failed to satisfy constraint: Member must have length" in e.message


def test_token_code_with_letters_is_validation_error() -> None:
    e = error_of(params(serial_number="GAHT12345678", token_code="12345a"))
    assert e.message == one("'12345a'", "tokenCode", r"Member must satisfy regular expression pattern: [\d]*")


def test_source_identity_of_one_character_is_validation_error() -> None:
    e = error_of(params(source_identity="a"))
    assert "at 'sourceIdentity' failed to satisfy constraint: Member must have length greater than or equal to 2" in e.message


def test_source_identity_with_aws_prefix_fails_the_pattern() -> None:
    e = error_of(params(source_identity="aws:alice"))
    assert "at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern" in e.message


def test_validation_comes_before_authorization(world, clock, keyring) -> None:  # type: ignore[no-untyped-def]
    """An unauthorized caller with a bad session name gets ValidationError (rules.CHECK_ORDER)."""
    with pytest.raises(StsError) as e:
        assume_role(world, arn_user("bob"), {"RoleArn": ROLE, "RoleSessionName": "a"}, clock, keyring)
    assert e.value.code == "ValidationError"


def test_from_api_reads_boto3_names() -> None:
    p = AssumeRoleParams.from_api({
        "RoleArn": ROLE, "RoleSessionName": "s", "DurationSeconds": "900",
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
        "Tags": [{"Key": "k", "Value": "v"}], "TransitiveTagKeys": ["k"], "ExternalId": "xy",
    })
    assert p.duration_seconds == 900 and p.policy_arns == ("arn:aws:iam::aws:policy/ReadOnlyAccess",)
    assert p.tags == (Tag("k", "v"),) and p.transitive_tag_keys == ("k",) and p.passes_tags
