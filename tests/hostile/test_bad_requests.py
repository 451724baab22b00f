"""Hostile input, class "malformed requests reach 5xx" (issue 8): every one is a 4xx.

Dates, numbers, list indexes, encodings and sizes that once answered 500
InternalFailure (or echoed the whole value back) now get AWS's client errors,
decided before any work, with messages that quote only a short prefix. Run on
the dispatcher (no sockets), so the checks hold whatever HTTP front serves it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from iamwarden.policy.echo import ECHO_LIMIT, MAX_MESSAGE
from iamwarden.server.dispatch import HandlerRegistry, QueryDispatcher, Response
from iamwarden.server.errors import AwsError, InvalidClientTokenId, MalformedQueryString
from iamwarden.server.iam_handlers import StorePrincipal, register_iam_handlers
from iamwarden.server.request import IncomingRequest
from iamwarden.server.sigv4 import ResolvedCredential
from iamwarden.store import MalformedPolicyDocument, Store, seeded
from iamwarden.sts import Keyring, SeededRandom, StsError, assume_role

ACCOUNT = "123456789012"
KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
FORM = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]


class OneKey:
    """A credential store with one long-term key (so requests get past key lookup)."""

    def resolve(self, access_key_id: str, session_token: str | None) -> ResolvedCredential:
        if access_key_id == KEY and session_token is None:
            return ResolvedCredential(SECRET, StorePrincipal(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", KEY))
        raise InvalidClientTokenId()


@pytest.fixture(scope="module")
def dispatcher():
    store = Store(clock=lambda: NOW, ids=seeded(5))
    store.ensure_account(ACCOUNT)
    registry = HandlerRegistry()
    register_iam_handlers(registry, store, ACCOUNT)
    registry.register("sts", "GetCallerIdentity", lambda ctx, p: {"Account": ACCOUNT, "Arn": "a", "UserId": "u"})
    registry.register("sts", "AssumeRoleWithWebIdentity", lambda ctx, p: {})
    yield QueryDispatcher(registry, OneKey())  # the real clock: botocore signs with it
    store.close()


def body(pairs: list[tuple[str, str]]) -> bytes:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode()


def signed(data: bytes, service: str = "iam", headers: dict[str, str | None] | None = None) -> IncomingRequest:
    """A request signed by botocore now, then given ``headers`` (set after signing)."""
    req = AWSRequest("POST", "http://localhost/", data=data, headers=dict(FORM))
    SigV4Auth(Credentials(KEY, SECRET), service, "us-east-1").add_auth(req)
    out = {k: v for k, v in req.headers.items()}
    out.update(headers or {})
    out["Host"] = "localhost"
    return IncomingRequest.build("POST", "/", [(k, v) for k, v in out.items() if v is not None], data)


def answer(dispatcher: QueryDispatcher, request: IncomingRequest) -> tuple[int, str, str, Response]:
    response = dispatcher.handle(request)
    root = ElementTree.fromstring(response.body)
    code = root.findtext(".//{*}Code") or ""
    message = root.findtext(".//{*}Message") or ""
    return response.status, code, message, response


def unsigned(dispatcher: QueryDispatcher, pairs: list[tuple[str, str]]) -> tuple[int, str, str, Response]:
    data = body([("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), *pairs])
    return answer(dispatcher, IncomingRequest.build("POST", "/", FORM, data))


WEB_IDENTITY = [("RoleArn", f"arn:aws:iam::{ACCOUNT}:role/web"), ("RoleSessionName", "s1"),
                ("WebIdentityToken", "tokentoken")]


# --- the signing layer ------------------------------------------------------------------------


@pytest.mark.timeout(20)
def test_valid_signed_request_still_succeeds(dispatcher) -> None:
    status, _, _, _ = answer(dispatcher, signed(body([("Action", "ListUsers"), ("Version", "2010-05-08")])))
    assert status == 200


@pytest.mark.timeout(20)
@pytest.mark.parametrize("date", ["Fri, 31 Dec 9999 23:59:59 -0100", "Fri, 31 Dec 9999 23:59:59 -2359"])
def test_date_header_of_year_9999_with_offset_is_signature_not_yet_current(dispatcher, date: str) -> None:
    data = body([("Action", "ListUsers"), ("Version", "2010-05-08")])
    status, code, message, _ = answer(dispatcher, signed(data, headers={"X-Amz-Date": None, "Date": date}))
    assert (status, code) == (403, "SignatureDoesNotMatch")
    assert message.startswith("Signature not yet current: 99991231T235959Z is still later than ")


@pytest.mark.timeout(20)
def test_date_header_of_year_9999_with_unknown_key_is_invalid_client_token(dispatcher) -> None:
    auth = "AWS4-HMAC-SHA256 Credential=AKIANOTAKEY000000000/99991231/us-east-1/iam/aws4_request, " \
           "SignedHeaders=host, Signature=00"
    req = IncomingRequest.build("POST", "/", [*FORM, ("Host", "h"), ("Authorization", auth),
                                              ("Date", "Fri, 31 Dec 9999 23:59:59 -0100")],
                                b"Action=ListUsers&Version=2010-05-08")
    status, code, _, _ = answer(dispatcher, req)
    assert (status, code) == (403, "InvalidClientTokenId")


@pytest.mark.timeout(20)
@pytest.mark.parametrize("date", ["garbage", "Fri, 31 Dec 99999 23:59:59 GMT", "Fri, 31 Dec 2025 25:61:00 +9999",
                                  "9" * 5000])
def test_unreadable_date_header_is_incomplete_signature(dispatcher, date: str) -> None:
    data = body([("Action", "ListUsers"), ("Version", "2010-05-08")])
    status, code, message, _ = answer(dispatcher, signed(data, headers={"X-Amz-Date": None, "Date": date}))
    assert (status, code) == (400, "IncompleteSignature")
    assert len(message) < 2 * ECHO_LIMIT + 200


@pytest.mark.timeout(20)
@pytest.mark.parametrize("amz_date", ["20261301T000000Z", "99999999T999999Z", "yesterday", "2" * 100_000,
                                      "20260102T030405"])
def test_x_amz_date_garbage_is_incomplete_signature_quoting_a_prefix(dispatcher, amz_date: str) -> None:
    data = body([("Action", "ListUsers"), ("Version", "2010-05-08")])
    status, code, message, response = answer(dispatcher, signed(data, headers={"X-Amz-Date": amz_date}))
    assert (status, code) == (400, "IncompleteSignature")
    assert message.startswith("Date must be in ISO-8601 'basic format'. Got '")
    assert len(response.body) < 2000


@pytest.mark.timeout(20)
@pytest.mark.parametrize("key", [KEY, "AKIANOTAKEY000000000"])
def test_presigned_expires_of_5000_digits_is_incomplete_signature(dispatcher, key: str) -> None:
    query = (f"Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
             f"&X-Amz-Credential={key}%2F20260102%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20260102T030405Z"
             f"&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires={'9' * 5000}")
    req = IncomingRequest.build("GET", "/?" + query, [("Host", "localhost")])
    status, code, message, response = answer(dispatcher, req)
    assert (status, code) == (400, "IncompleteSignature")
    assert message == "X-Amz-Expires must be less than a week (in seconds) that is 604800"
    assert len(response.body) < 1000


@pytest.mark.timeout(20)
def test_presigned_expires_with_leading_zeros_is_read_as_its_value(dispatcher) -> None:
    query = ("Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
             f"&X-Amz-Credential={KEY}%2F20260102%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20260102T030405Z"
             f"&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires={'0' * 5000}60")
    status, code, message, _ = answer(dispatcher, IncomingRequest.build("GET", "/?" + query, [("Host", "localhost")]))
    # signed on 2026-01-02 for 60 s: long expired by the real clock, and the message shows the value read
    assert (status, code) == (400, "RequestExpired")
    assert "X-Amz-Expires: 60," in message


@pytest.mark.timeout(20)
def test_long_authorization_header_is_quoted_as_a_prefix(dispatcher) -> None:
    req = IncomingRequest.build("POST", "/", [*FORM, ("Authorization", "AWS4-HMAC-SHA256 " + "x" * 60_000)],
                                b"Action=ListUsers&Version=2010-05-08")
    status, code, _, response = answer(dispatcher, req)
    assert (status, code) == (400, "IncompleteSignature") and len(response.body) < 2000


# --- parameters --------------------------------------------------------------------------------


@pytest.mark.timeout(20)
@pytest.mark.parametrize("index", ["1" * 4301, "99999999999", "10001"])
def test_absurd_list_index_is_invalid_parameter_value(dispatcher, index: str) -> None:
    status, code, message, response = unsigned(dispatcher, [*WEB_IDENTITY, (f"PolicyArns.member.{index}.arn",
                                                                            "arn:aws:iam::aws:policy/x")])
    assert (status, code) == (400, "InvalidParameterValue")
    assert "list index" in message and len(response.body) < 1000


@pytest.mark.timeout(20)
def test_list_index_up_to_the_bound_is_read(dispatcher) -> None:
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    status, _, _, _ = unsigned(dispatcher, [*WEB_IDENTITY, ("PolicyArns.member.10000.arn", arn),
                                            ("PolicyArns.member.0000003.arn", arn)])
    assert status == 200


@pytest.mark.timeout(20)
def test_absurd_list_index_in_signed_iam_tags_is_400(dispatcher) -> None:
    data = body([("Action", "TagUser"), ("Version", "2010-05-08"), ("UserName", "u"),
                 (f"Tags.member.{'7' * 4301}.Key", "k"), (f"Tags.member.{'7' * 4301}.Value", "v")])
    status, code, _, _ = answer(dispatcher, signed(data))
    assert (status, code) == (400, "InvalidParameterValue")


@pytest.mark.timeout(20)
@pytest.mark.parametrize(("value", "code"), [("9" * 5000, "InvalidParameterValue"),
                                             ("9" * 19, "ValidationError"), ("-" + "9" * 19, "ValidationError"),
                                             ("1e9", "InvalidParameterValue"), ("NaN", "InvalidParameterValue")])
def test_huge_duration_seconds_is_400(dispatcher, value: str, code: str) -> None:
    status, got, message, _ = unsigned(dispatcher, [*WEB_IDENTITY, ("DurationSeconds", value)])
    assert (status, got) == (400, code)
    assert len(message) < 2 * ECHO_LIMIT + 200


@pytest.mark.timeout(20)
def test_huge_duration_seconds_to_the_library_is_validation_error() -> None:
    keyring = Keyring.generate("k1", SeededRandom(1))
    with pytest.raises(StsError) as e:
        assume_role(_empty_world(), f"arn:aws:iam::{ACCOUNT}:user/u",
                    {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/r", "RoleSessionName": "s1", "DurationSeconds": "9" * 5000},
                    lambda: NOW, keyring, SeededRandom(1))
    assert e.value.code == "ValidationError" and e.value.status == 400


def _empty_world():
    store = Store(clock=lambda: NOW, ids=seeded(1))
    store.ensure_account(ACCOUNT)
    try:
        return store.to_world()
    finally:
        store.close()


@pytest.mark.timeout(20)
def test_long_value_is_quoted_as_a_short_prefix(dispatcher) -> None:
    status, code, message, response = unsigned(dispatcher, [*WEB_IDENTITY, ("Policy", "{" + "x" * 200_000)])
    assert (status, code) == (400, "ValidationError")
    assert "Member must have length less than or equal to 2048" in message
    assert "'{" + "x" * (ECHO_LIMIT - 1) + "…'" in message and "x" * ECHO_LIMIT not in message
    assert len(response.body) < 2000


@pytest.mark.timeout(20)
def test_every_error_message_is_bounded() -> None:
    assert len(AwsError("ValidationError", "v" * 1_000_000).message) <= MAX_MESSAGE + 1


# --- encodings --------------------------------------------------------------------------------


@pytest.mark.timeout(20)
@pytest.mark.parametrize("raw", [b"Action=ListUsers&UserName=%ff%fe", b"Action=ListUsers&\xff\xfe=1",
                                 b"Action=List\xc3Users", b"Action=%C0%AF"])
def test_invalid_utf8_in_form_body_is_malformed_query_string(dispatcher, raw: bytes) -> None:
    status, code, _, _ = answer(dispatcher, IncomingRequest.build("POST", "/", FORM, raw))
    assert (status, code) == (400, "MalformedQueryString")


@pytest.mark.timeout(20)
@pytest.mark.parametrize("query", ["Action=%ff", "Action=GetCallerIdentity&%e2%82=1"])
def test_bad_percent_encoding_in_query_string_is_malformed_query_string(query: str) -> None:
    with pytest.raises(MalformedQueryString) as e:
        IncomingRequest.build("GET", "/?" + query, [])
    assert e.value.status == 400


@pytest.mark.timeout(20)
def test_stray_percent_signs_are_read_literally(dispatcher) -> None:
    status, code, message, _ = unsigned_raw(dispatcher, b"RoleSessionName=a%zz%&RoleArn=x")
    assert (status, code) == (400, "ValidationError")
    assert "Value 'a%zz%' at 'roleSessionName'" in message


def unsigned_raw(dispatcher: QueryDispatcher, extra: bytes) -> tuple[int, str, str, Response]:
    data = b"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&WebIdentityToken=tokentoken&" + extra
    return answer(dispatcher, IncomingRequest.build("POST", "/", FORM, data))


# --- policy documents ---------------------------------------------------------------------------


@pytest.mark.timeout(20)
@pytest.mark.parametrize(("literal", "what"), [("NaN", "NaN is not a JSON value"),
                                               ("Infinity", "Infinity is not a JSON value"),
                                               ("-Infinity", "-Infinity is not a JSON value"),
                                               ("1e999", "the number 1e999 is out of range"),
                                               ("-1e999", "the number -1e999 is out of range")])
def test_non_json_numbers_in_stored_policies_are_malformed(literal: str, what: str) -> None:
    store = Store(clock=lambda: NOW, ids=seeded(2))
    store.create_user(ACCOUNT, "u")
    doc = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",'
           '"Condition":{"NumericLessThan":{"s3:max-keys":%s}}}]}' % literal)
    with pytest.raises(MalformedPolicyDocument) as e:
        store.put_inline_policy(ACCOUNT, "user", "u", "p", doc)
    column = doc.index(literal) + 1
    assert e.value.message == "This policy contains invalid Json"  # IAM's text (spec §5.4)
    assert e.value.detail == f"$: not valid JSON: {what} at line 1 column {column} (char {column - 1})"
    assert store.list_inline_policies(ACCOUNT, "user", "u") == []
    store.close()


@pytest.mark.timeout(20)
def test_deeply_nested_policy_is_malformed_not_a_recursion_error() -> None:
    store = Store(clock=lambda: NOW, ids=seeded(2))
    store.create_user(ACCOUNT, "u")
    for deep in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        with pytest.raises(MalformedPolicyDocument, match="^This policy contains invalid Json$") as e:
            store.create_policy(ACCOUNT, "p", deep[:6000])  # within the size quota
        assert "nested too deeply (more than 64 levels) at line 1" in (e.value.detail or "")
    store.close()


@pytest.mark.timeout(20)
def test_deeply_nested_session_policy_is_malformed_policy_document() -> None:
    keyring = Keyring.generate("k1", SeededRandom(1))
    params: dict[str, Any] = {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/r", "RoleSessionName": "s1",
                              "Policy": "[" * 1000 + "]" * 1000}
    with pytest.raises(StsError) as e:
        assume_role(_user_world(), f"arn:aws:iam::{ACCOUNT}:user/u", params, lambda: NOW, keyring,
                    SeededRandom(1))
    assert (e.value.code, e.value.message) == ("MalformedPolicyDocument", "This policy contains invalid Json")
    assert "nested too deeply (more than 64 levels)" in e.value.detail


def _user_world():
    store = Store(clock=lambda: NOW, ids=seeded(1))
    store.create_user(ACCOUNT, "u")
    try:
        return store.to_world()
    finally:
        store.close()


@pytest.mark.timeout(20)
def test_negative_marker_is_invalid_input(dispatcher) -> None:
    import base64

    marker = base64.urlsafe_b64encode(b"-5").decode()
    data = body([("Action", "ListUsers"), ("Version", "2010-05-08"), ("Marker", marker)])
    status, code, _, _ = answer(dispatcher, signed(data))
    assert (status, code) == (400, "InvalidInput")


# --- every IAM operation, model-driven garbage ---------------------------------------------------

_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
_GARBAGE = ["", "a", "x" * 70_000, "*", f"arn:aws:iam::{ACCOUNT}:user/u", f"arn:aws:iam::{ACCOUNT}:policy/p",
            "arn:aws:iam::aws:policy/ReadOnlyAccess", "u", "p", "/", "/a/", "%ff", "\x00", "NaN", "1e999", _POLICY,
            _POLICY.replace('"*"}', '"*","Condition":{"NumericLessThan":{"a":NaN}}}'), "[" * 5000, _POLICY * 3,
            "v1", "v" + "9" * 30, "-1", "9" * 5000, "9999-12-31T23:59:59Z", "Active", "true", "\U0001f600" * 10,
            "${aws:username}", "AKIA" + "A" * 16]


def _garbage(rnd: Any, shape: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return {n: _garbage(rnd, m) for n, m in shape.members.items()
                if rnd.random() < (0.9 if n in shape.required_members else 0.4)}
    if kind == "list":
        return [_garbage(rnd, shape.member) for _ in range(rnd.choice([0, 1, 3, 60]))]
    if kind == "map":
        return {rnd.choice(_GARBAGE)[:50]: _garbage(rnd, shape.value) for _ in range(rnd.choice([0, 2]))}
    if kind == "string":
        return rnd.choice(shape.enum) if shape.enum and rnd.random() < 0.5 else rnd.choice(_GARBAGE)
    if kind in ("integer", "long"):
        return rnd.choice([0, -1, 900, 43200, 10**18, 2**63, -(2**63) - 1, 10**30])
    if kind == "boolean":
        return rnd.choice([True, False])
    if kind == "timestamp":
        return rnd.choice(["2026-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"])
    return "x"


@pytest.mark.timeout(300)
def test_model_driven_garbage_for_every_iam_operation_never_5xx(dispatcher) -> None:
    """botocore's own serializer sends shape-shaped garbage to every IAM operation, signed."""
    import random
    from urllib.parse import urlencode

    from botocore.loaders import Loader
    from botocore.model import ServiceModel
    from botocore.serialize import QuerySerializer

    rnd = random.Random(8)
    model = ServiceModel(Loader().load_service_model("iam", "service-2"), "iam")
    serializer = QuerySerializer()
    seen = 0
    for name in model.operation_names:
        operation = model.operation_model(name)
        for _ in range(2):
            params = _garbage(rnd, operation.input_shape) if operation.input_shape is not None else {}
            try:
                data = urlencode(serializer.serialize_to_request(params, operation)["body"]).encode()
            except (TypeError, ValueError):
                continue
            status, code, _, response = answer(dispatcher, signed(data))
            assert status < 500 or status == 501, (name, code, params)
            assert len(response.body) < 40_000, (name, code)
            seen += 1
    assert seen > 200


@pytest.mark.timeout(60)
def test_simulation_of_millions_of_pairs_evaluates_only_the_page_asked_for(dispatcher) -> None:
    """ActionNames x ResourceArns (no model maximum): 9 million pairs in a 300 KB body."""
    pairs = [("Action", "SimulateCustomPolicy"), ("Version", "2010-05-08"), ("PolicyInputList.member.1", _POLICY),
             ("MaxItems", "5")]
    pairs += [(f"ActionNames.member.{i}", f"s3:GetObject{i}") for i in range(1, 3001)]
    pairs += [(f"ResourceArns.member.{i}", f"arn:aws:s3:::bucket/key{i}") for i in range(1, 3001)]
    status, _, _, response = answer(dispatcher, signed(body(pairs)))
    assert status == 200
    root = ElementTree.fromstring(response.body)
    names = [(e.findtext("{*}EvalActionName"), e.findtext("{*}EvalResourceName"))
             for e in root.iter("{https://iam.amazonaws.com/doc/2010-05-08/}member") if e.find("{*}EvalDecision") is not None]
    assert names == [("s3:GetObject1", f"arn:aws:s3:::bucket/key{i}") for i in range(1, 6)]
    assert root.findtext(".//{*}IsTruncated") == "true"
