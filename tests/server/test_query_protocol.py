"""Query protocol from botocore's models: decoding botocore-serialised input,
validation messages (spec §4.2 step 2), XML output read back by botocore's own
parser, error XML, and model-derived error statuses."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree

import botocore.session
import pytest
from botocore.parsers import QueryParser
from botocore.serialize import QuerySerializer

from iamwarden.server.errors import (
    FIXED_CODE_ERRORS,
    AccessDenied,
    InvalidParameterValue,
    PolicyEvaluation,
    ValidationError,
)
from iamwarden.server.patterns import compile_java_pattern, translate
from iamwarden.server.query import decode_input
from iamwarden.server.responses import OutputShapeError, error_xml, escape_text, success_xml
from iamwarden.server.service_model import modeled_error, service_spec
from iamwarden.server.validation import validate_input, validation_errors

_SESSION = botocore.session.get_session()


def botocore_params(service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """Serialise ``params`` exactly as boto3 would put them on the wire."""
    model = _SESSION.get_service_model(service)
    request = QuerySerializer().serialize_to_request(params, model.operation_model(operation))
    body = request["body"]
    encoded = "&".join(f"{k}={v}" for k, v in body.items())
    assert encoded  # botocore builds a dict; the server sees the form-encoded text
    return [(str(k), str(v)) for k, v in body.items()]


def decode(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    op = service_spec(service).operation(operation)
    assert op is not None
    return decode_input(op.input, botocore_params(service, operation, params))


# --- decoding --------------------------------------------------------------------

ASSUME_ROLE_INPUT: dict[str, Any] = {
    "RoleArn": "arn:aws:iam::123456789012:role/demo",
    "RoleSessionName": "TestAR",
    "DurationSeconds": 3600,
    "Policy": '{"Version":"2012-10-17","Statement":[]}',
    "PolicyArns": [
        {"arn": "arn:aws:iam::123456789012:policy/p1"},
        {"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
    ],
    "Tags": [{"Key": "Project", "Value": "X"}, {"Key": "Team", "Value": ""}],
    "TransitiveTagKeys": ["Project"],
    "ExternalId": "ext-1",
    "SerialNumber": "arn:aws:iam::123456789012:mfa/alice",
    "TokenCode": "123456",
    "SourceIdentity": "Alice",
    "ProvidedContexts": [
        {
            "ProviderArn": "arn:aws:iam::aws:contextProvider/IdentityCenter",
            "ContextAssertion": "abcd",
        }
    ],
}


def test_assume_role_round_trips_through_botocore_serialiser() -> None:
    assert decode("sts", "AssumeRole", ASSUME_ROLE_INPUT) == ASSUME_ROLE_INPUT


def test_simulate_custom_policy_context_entries_round_trip() -> None:
    params = {
        "PolicyInputList": ['{"Version":"2012-10-17"}', "{}"],
        "ActionNames": ["s3:GetObject", "s3:PutObject"],
        "ResourceArns": ["arn:aws:s3:::b/k"],
        "ContextEntries": [
            {
                "ContextKeyName": "aws:SourceIp",
                "ContextKeyValues": ["10.0.0.1"],
                "ContextKeyType": "ip",
            },
            {
                "ContextKeyName": "aws:MultiFactorAuthPresent",
                "ContextKeyValues": ["true"],
                "ContextKeyType": "boolean",
            },
        ],
        "MaxItems": 50,
        "OrderedOrganizationPolicyInputList": [{"ServiceControlPolicyInputList": ["{}"]}],
    }
    assert decode("iam", "SimulateCustomPolicy", params) == params


def test_empty_list_is_sent_as_bare_name_and_read_back_empty() -> None:
    wire = botocore_params(
        "sts", "AssumeRole", {"RoleArn": "a" * 20, "RoleSessionName": "s1", "Tags": []}
    )
    assert ("Tags", "") in wire
    assert (
        decode("sts", "AssumeRole", {"RoleArn": "a" * 20, "RoleSessionName": "s1", "Tags": []})[
            "Tags"
        ]
        == []
    )


def test_list_indices_are_ordered_numerically_and_unknown_fields_ignored() -> None:
    op = service_spec("sts").operation("AssumeRole")
    assert op is not None
    fields = [
        ("TransitiveTagKeys.member.10", "j"),
        ("TransitiveTagKeys.member.2", "b"),
        ("TransitiveTagKeys.member.1", "a"),
        ("TransitiveTagKeys.member.x", "ignored"),
        ("Unknown", "ignored"),
        ("Action", "AssumeRole"),
    ]
    assert decode_input(op.input, fields) == {"TransitiveTagKeys": ["a", "b", "j"]}


def test_maps_booleans_and_integers_decode() -> None:
    # IAM inputs have no maps; build a shape-level check with UpdateAccountPasswordPolicy
    # (booleans, integers) and a synthetic map read through the Query entry form.
    op = service_spec("iam").operation("UpdateAccountPasswordPolicy")
    assert op is not None
    decoded = decode_input(
        op.input,
        [("MinimumPasswordLength", "12"), ("RequireSymbols", "true"), ("RequireNumbers", "False")],
    )
    assert decoded == {"MinimumPasswordLength": 12, "RequireSymbols": True, "RequireNumbers": False}
    spec = service_spec("iam")
    map_shape = spec._compile(spec.model.shape_for("EvalDecisionDetailsType"))
    from iamwarden.server.query import _decode, group_fields

    node = group_fields([("M.entry.1.key", "IAM Policy"), ("M.entry.1.value", "allowed")])["M"]
    assert _decode(map_shape, node, "M") == {"IAM Policy": "allowed"}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("DurationSeconds", "abc", "Expected an integer"),
        ("DurationSeconds", "1.5", "Expected an integer"),
    ],
)
def test_unconvertible_values_are_invalid_parameter_value(
    field: str, value: str, expected: str
) -> None:
    op = service_spec("sts").operation("AssumeRole")
    assert op is not None
    with pytest.raises(InvalidParameterValue, match=expected):
        decode_input(op.input, [(field, value)])


# --- validation -------------------------------------------------------------------


def validate(service: str, operation: str, params: dict[str, Any]) -> str:
    op = service_spec(service).operation(operation)
    assert op is not None
    with pytest.raises(ValidationError) as info:
        validate_input(op.input, params)
    assert info.value.status == 400
    return info.value.message


VALID_ASSUME = {"RoleArn": "arn:aws:iam::123456789012:role/demo", "RoleSessionName": "s1"}


def test_valid_input_passes() -> None:
    op = service_spec("sts").operation("AssumeRole")
    assert op is not None
    assert validation_errors(op.input, ASSUME_ROLE_INPUT) == []


def test_role_session_name_pattern_message() -> None:
    assert validate("sts", "AssumeRole", {**VALID_ASSUME, "RoleSessionName": "bad name"}) == (
        "1 validation error detected: Value 'bad name' at 'roleSessionName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
    )


def test_role_session_name_too_long_message() -> None:
    name = "a" * 65
    assert validate("sts", "AssumeRole", {**VALID_ASSUME, "RoleSessionName": name}) == (
        f"1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy "
        "constraint: Member must have length less than or equal to 64"
    )


def test_duration_and_required_messages_combined() -> None:
    message = validate("sts", "AssumeRole", {"RoleSessionName": "s", "DurationSeconds": 899})
    assert message == (
        "3 validation errors detected: "
        "Value null at 'roleArn' failed to satisfy constraint: Member must not be null; "
        "Value 's' at 'roleSessionName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 2; "
        "Value '899' at 'durationSeconds' failed to satisfy constraint: "
        "Member must have value greater than or equal to 900"
    )


def test_nested_list_paths_and_list_length() -> None:
    message = validate(
        "sts",
        "AssumeRole",
        {
            **VALID_ASSUME,
            "Tags": [{"Key": "ok", "Value": "v"}, {"Key": "bad#key", "Value": "v"}],
            "TransitiveTagKeys": ["k"] * 51,
        },
    )
    assert message.startswith("2 validation errors detected: ")
    assert (
        "Value '[k, k, k," in message
        and "at 'transitiveTagKeys' failed to satisfy constraint: "
        "Member must have length less than or equal to 50"
        in message
    )
    assert (
        "Value 'bad#key' at 'tags.2.member.key' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"
    ) in message


def test_enum_and_unicode_tag_values() -> None:
    message = validate(
        "iam",
        "SimulateCustomPolicy",
        {
            "PolicyInputList": ["{}"],
            "ActionNames": ["s3:GetObject"],
            "ContextEntries": [{"ContextKeyName": "aws:SourceIp", "ContextKeyType": "ipv4"}],
        },
    )
    assert message.endswith(
        "Value 'ipv4' at 'contextEntries.1.member.contextKeyType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [string, stringList, numeric, numericList, boolean, "
        "booleanList, ip, ipList, binary, binaryList, date, dateList]"
    )
    op = service_spec("sts").operation("AssumeRole")
    assert op is not None
    unicode_tags = {**VALID_ASSUME, "Tags": [{"Key": "Équipe", "Value": "日本 ٣"}]}
    assert validation_errors(op.input, unicode_tags) == []


def test_sensitive_values_are_redacted() -> None:
    message = validate(
        "sts",
        "AssumeRoleWithWebIdentity",
        {
            "RoleArn": "arn:aws:iam::123456789012:role/r",
            "RoleSessionName": "s1",
            "WebIdentityToken": "abc",
        },
    )
    assert "Value '*** Sensitive Data Redacted ***' at 'webIdentityToken'" in message
    assert "abc" not in message


# --- Java pattern translation -------------------------------------------------------


def all_model_patterns() -> set[str]:
    found = set()
    for service in ("sts", "iam"):
        model = service_spec(service).model
        for name in model.shape_names:
            pattern = model.shape_for(name).metadata.get("pattern")
            if pattern:
                found.add(pattern)
    return found


def test_every_model_pattern_compiles() -> None:
    for pattern in all_model_patterns():
        compile_java_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        (r"[\w+=,.@-]*", "Alice.Bob@x-1", True),
        (r"[\w+=,.@-]*", "café", False),  # Java \w is ASCII
        (r"[\w+=,.@-]*", "a/b", False),
        (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*", "Ünïcödé 123 ٣", True),
        (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*", "a#b", False),
        (r"\d{12}", "123456789012", True),
        (r"\d{12}", "1234567890123", False),  # whole-value match
        ("[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", "tab\tok", True),
        ("[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", "\u0100", False),
        (
            "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+",
            '{"emoji": "\U0001f600"}',
            True,
        ),
    ],
)
def test_java_patterns(pattern: str, value: str, matches: bool) -> None:
    assert bool(compile_java_pattern(pattern).fullmatch(value)) is matches


def test_translate_leaves_plain_patterns_alone() -> None:
    assert translate(r"[\w+=,.@-]*") == r"[\w+=,.@-]*"
    assert re.compile(translate(r"\p{L}+")).fullmatch("abcé")


# --- XML responses ------------------------------------------------------------------


def parse_with_botocore(
    service: str, operation: str, body: bytes, status: int = 200
) -> dict[str, Any]:
    model = _SESSION.get_service_model(service)
    output_shape = model.operation_model(operation).output_shape
    return QueryParser().parse({"body": body, "headers": {}, "status_code": status}, output_shape)


def test_assume_role_output_read_back_by_botocore() -> None:
    from tests.server.fakes import ASSUME_ROLE_OUTPUT

    op = service_spec("sts").operation("AssumeRole")
    assert op is not None
    body = success_xml(service_spec("sts").namespace, op, ASSUME_ROLE_OUTPUT, "req-1")
    root = ElementTree.fromstring(body)
    assert root.tag == "{https://sts.amazonaws.com/doc/2011-06-15/}AssumeRoleResponse"
    assert b"<Expiration>2019-11-09T13:34:41Z</Expiration>" in body
    parsed = parse_with_botocore("sts", "AssumeRole", body)
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1"
    parsed.pop("ResponseMetadata")
    assert parsed == ASSUME_ROLE_OUTPUT


def test_lists_maps_booleans_read_back_by_botocore() -> None:
    from tests.server.fakes import SIMULATE_OUTPUT

    op = service_spec("iam").operation("SimulateCustomPolicy")
    assert op is not None
    body = success_xml(service_spec("iam").namespace, op, SIMULATE_OUTPUT, "req-2")
    assert (
        b"<EvalDecisionDetails><entry><key>IAM Policy</key><value>allowed</value></entry>" in body
    )
    assert b"<IsTruncated>false</IsTruncated>" in body
    parsed = parse_with_botocore("iam", "SimulateCustomPolicy", body)
    parsed.pop("ResponseMetadata")
    assert parsed == SIMULATE_OUTPUT


def test_output_without_members_has_only_metadata() -> None:
    op = service_spec("iam").operation("DeleteRole")
    assert op is not None
    body = success_xml(service_spec("iam").namespace, op, None, "r")
    assert body == (
        b'<DeleteRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        b"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteRoleResponse>"
    )


def test_result_element_written_even_when_all_members_are_none() -> None:
    op = service_spec("sts").operation("GetCallerIdentity")
    assert op is not None
    body = success_xml(service_spec("sts").namespace, op, {}, "r")
    assert b"<GetCallerIdentityResult></GetCallerIdentityResult>" in body


def test_unknown_output_member_is_a_handler_bug() -> None:
    op = service_spec("sts").operation("GetCallerIdentity")
    assert op is not None
    with pytest.raises(OutputShapeError, match="no member 'Acount'"):
        success_xml("ns", op, {"Acount": "1"}, "r")
    with pytest.raises(OutputShapeError, match="expected a string"):
        success_xml("ns", op, {"Account": 1}, "r")


def test_escaping_of_markup_control_and_carriage_return() -> None:
    assert escape_text('a<b>&"c"\r\x00') == "a&lt;b&gt;&amp;&quot;c&quot;&#13;\ufffd"
    op = service_spec("sts").operation("GetCallerIdentity")
    assert op is not None
    nasty = "</Arn><Injected/>&\r\n"
    body = success_xml(service_spec("sts").namespace, op, {"Arn": nasty}, "r")
    assert parse_with_botocore("sts", "GetCallerIdentity", body)["Arn"] == nasty


def test_error_xml_envelope() -> None:
    body = error_xml(service_spec("iam").namespace, AccessDenied("no <way>"), "req-9")
    assert body == (
        b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>'
        b"<Type>Sender</Type><Code>AccessDenied</Code><Message>no &lt;way&gt;</Message>"
        b"</Error><RequestId>req-9</RequestId></ErrorResponse>"
    )
    receiver = error_xml("ns", PolicyEvaluation("boom"), "x")
    assert b"<Type>Receiver</Type>" in receiver


def test_error_statuses_agree_with_botocore_models() -> None:
    for cls in FIXED_CODE_ERRORS:
        for service in ("sts", "iam"):
            info = service_spec(service).error_info(cls.CODE)
            if info is not None:
                assert cls.STATUS == info.status, (cls.__name__, service)


def test_modeled_error_takes_status_from_model() -> None:
    error = modeled_error("sts", "IDPRejectedClaim", "rejected")
    assert (error.code, error.status, error.sender_fault) == ("IDPRejectedClaim", 403, True)
    assert modeled_error("iam", "ServiceFailure", "x").sender_fault is False
    assert modeled_error("iam", "Unmodeled", "x").status == 400


def test_timestamps_decode_iso_and_epoch() -> None:
    from iamwarden.server.query import parse_timestamp

    assert parse_timestamp("2019-11-09T13:34:41Z") == datetime(2019, 11, 9, 13, 34, 41, tzinfo=UTC)
    assert parse_timestamp("2019-11-09T13:34:41.123Z").microsecond == 123000
    assert parse_timestamp("0") == datetime(1970, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidParameterValue):
        parse_timestamp("yesterday")


def test_form_parsing_is_strict_utf8() -> None:
    from iamwarden.server.errors import MalformedQueryString
    from iamwarden.server.request import parse_form

    assert parse_form("a=%E2%9C%93&b&c=x+y", "body") == (("a", "✓"), ("b", ""), ("c", "x y"))
    with pytest.raises(MalformedQueryString):
        parse_form("a=%FF", "body")
    assert dict(parse_qsl("a=1")) == {"a": "1"}


def test_huge_integer_is_invalid_not_a_crash() -> None:
    op = service_spec("sts").operation("AssumeRole")
    assert op is not None
    with pytest.raises(InvalidParameterValue) as info:
        decode_input(op.input, [("DurationSeconds", "9" * 100_000)])
    assert len(info.value.message) < 400
