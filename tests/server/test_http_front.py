"""The HTTP front end to end: real boto3 clients and raw ``http.client``
requests against a started server with a fake credential store and dummy
handlers (spec §6)."""

from __future__ import annotations

import http.client
import socket
from datetime import timedelta
from email.message import Message
from typing import Any
from xml.etree import ElementTree

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.server.fakes import (
    ACCOUNT,
    ASSUME_ROLE_OUTPUT,
    EXPIRED_KEY,
    EXPIRED_TOKEN,
    SESSION_KEY,
    SESSION_SECRET,
    SESSION_TOKEN,
    SIMULATE_OUTPUT,
    USER_ARN,
    FakePrincipal,
    Harness,
    SettableClock,
)

pytestmark = pytest.mark.e2e

STS_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"
IAM_NS = "{https://iam.amazonaws.com/doc/2010-05-08/}"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def client_error(call: Any, **kwargs: Any) -> ClientError:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value


def raw(
    harness: Harness,
    body: bytes = b"",
    method: str = "POST",
    target: str = "/",
    headers: dict[str, str] | None = None,
) -> tuple[int, Message, bytes]:
    host, port = harness.server.address
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request(method, target, body=body, headers={**FORM, **(headers or {})})
        response = connection.getresponse()
        # header names are case-insensitive (RFC 9110 §5.1): uvicorn sends them lower-case
        return response.status, response.msg, response.read()
    finally:
        connection.close()


def error_of(body: bytes, namespace: str = STS_NS) -> tuple[str, str, str]:
    root = ElementTree.fromstring(body)
    assert root.tag == f"{namespace}ErrorResponse"
    error = root.find(f"{namespace}Error")
    assert error is not None
    return (
        error.findtext(f"{namespace}Type", ""),
        error.findtext(f"{namespace}Code", ""),
        error.findtext(f"{namespace}Message", ""),
    )


# --- success paths -----------------------------------------------------------------


def test_get_caller_identity(harness: Harness) -> None:
    response = harness.client().get_caller_identity()
    assert (response["Arn"], response["Account"], response["UserId"]) == (
        USER_ARN,
        ACCOUNT,
        "AIDAEXAMPLE",
    )
    metadata = response["ResponseMetadata"]
    assert metadata["HTTPHeaders"]["content-type"] == "text/xml"
    assert metadata["HTTPHeaders"]["x-amzn-requestid"] == metadata["RequestId"]
    context, params = harness.recorder.last
    assert params == {}
    assert context.principal == FakePrincipal(USER_ARN, "AIDAEXAMPLE")
    assert context.request_id == metadata["RequestId"]
    assert (context.service, context.operation, context.region) == (
        "sts",
        "GetCallerIdentity",
        "us-east-1",
    )
    assert context.access_key_id and context.session_token is None
    assert context.source_ip == "127.0.0.1" and context.secure_transport is False
    assert context.user_agent.startswith("Boto3/")


def test_session_credentials(harness: Harness) -> None:
    client = harness.client(key=SESSION_KEY, secret=SESSION_SECRET, token=SESSION_TOKEN)
    assert client.get_caller_identity()["UserId"] == "AROAEXAMPLE:s1"
    context, _ = harness.recorder.last
    assert (context.access_key_id, context.session_token) == (SESSION_KEY, SESSION_TOKEN)


def test_assume_role_parameters_and_response(harness: Harness) -> None:
    response = harness.client().assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/demo",
        RoleSessionName="TestAR",
        DurationSeconds=900,
        PolicyArns=[
            {"arn": f"arn:aws:iam::{ACCOUNT}:policy/p1"},
            {"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
        ],
        Tags=[{"Key": "Project", "Value": "X"}, {"Key": "Équipe", "Value": "données"}],
        TransitiveTagKeys=["Project"],
        ExternalId="ext-1",
        Policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
    )
    _, params = harness.recorder.last
    assert params == {
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/demo",
        "RoleSessionName": "TestAR",
        "DurationSeconds": 900,
        "PolicyArns": [
            {"arn": f"arn:aws:iam::{ACCOUNT}:policy/p1"},
            {"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
        ],
        "Tags": [{"Key": "Project", "Value": "X"}, {"Key": "Équipe", "Value": "données"}],
        "TransitiveTagKeys": ["Project"],
        "ExternalId": "ext-1",
        "Policy": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
    }
    response.pop("ResponseMetadata")
    assert response == ASSUME_ROLE_OUTPUT


def test_iam_simulate_custom_policy(harness: Harness) -> None:
    entries = [
        {
            "ContextKeyName": "aws:SourceIp",
            "ContextKeyValues": ["10.0.0.1", "10.0.0.2"],
            "ContextKeyType": "ipList",
        },
        {
            "ContextKeyName": "aws:MultiFactorAuthPresent",
            "ContextKeyValues": ["true"],
            "ContextKeyType": "boolean",
        },
    ]
    response = harness.client("iam").simulate_custom_policy(
        PolicyInputList=['{"Version":"2012-10-17","Statement":[]}'],
        ActionNames=["s3:GetObject"],
        ContextEntries=entries,
        MaxItems=10,
    )
    context, params = harness.recorder.last
    assert context.service == "iam"
    assert params["ContextEntries"] == entries and params["MaxItems"] == 10
    response.pop("ResponseMetadata")
    assert response == SIMULATE_OUTPUT


def test_operation_without_output(harness: Harness) -> None:
    response = harness.client("iam").delete_role(RoleName="demo")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert harness.recorder.last[1] == {"RoleName": "demo"}


def test_unsigned_web_identity_operation_reaches_handler(harness: Harness) -> None:
    client = boto3.client(
        "sts",
        endpoint_url=harness.endpoint_url,
        region_name="us-east-1",
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    client.assume_role_with_web_identity(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/web",
        RoleSessionName="web1",
        WebIdentityToken="token-123456",
    )
    context, params = harness.recorder.last
    assert context.principal is None and context.access_key_id is None
    assert params["WebIdentityToken"] == "token-123456"


def test_keep_alive_serves_several_requests_per_connection(harness: Harness) -> None:
    client = harness.client()
    for _ in range(5):
        client.get_caller_identity()
    host, port = harness.server.address
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        for _ in range(3):
            connection.request("POST", "/", body=b"Action=GetCallerIdentity", headers=FORM)
            response = connection.getresponse()
            assert response.status == 403
            response.read()
    finally:
        connection.close()


# --- authentication outcomes (spec §6.3) ------------------------------------------


def test_unknown_key(harness: Harness) -> None:
    error = client_error(harness.client(key="AKIAUNKNOWNKEY000000").get_caller_identity)
    assert error.response["Error"]["Code"] == "InvalidClientTokenId"
    assert (
        error.response["Error"]["Message"]
        == "The security token included in the request is invalid"
    )
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_wrong_secret(harness: Harness) -> None:
    error = client_error(harness.client(secret="not-the-secret").get_caller_identity)
    assert error.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_expired_session(harness: Harness) -> None:
    client = harness.client(key=EXPIRED_KEY, secret=SESSION_SECRET, token=EXPIRED_TOKEN)
    error = client_error(client.get_caller_identity)
    assert error.response["Error"]["Code"] == "ExpiredToken"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_session_key_without_token(harness: Harness) -> None:
    client = harness.client(key=SESSION_KEY, secret=SESSION_SECRET)
    assert (
        client_error(client.get_caller_identity).response["Error"]["Code"] == "InvalidClientTokenId"
    )


@pytest.mark.parametrize(
    ("offset", "prefix"), [(20, "Signature expired: "), (-20, "Signature not yet current: ")]
)
def test_clock_skew(harness: Harness, skewed: SettableClock, offset: int, prefix: str) -> None:
    skewed.offset = timedelta(minutes=offset)
    error = client_error(harness.client().get_caller_identity)
    assert error.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert error.response["Error"]["Message"].startswith(prefix)
    assert error.response["Error"]["Message"].endswith(" 15 min.)")


def test_missing_authentication(harness: Harness) -> None:
    status, headers, body = raw(harness, b"Action=GetCallerIdentity&Version=2011-06-15")
    assert status == 403
    assert error_of(body) == (
        "Sender",
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
    )
    assert headers["x-amzn-RequestId"] == ElementTree.fromstring(body).findtext(
        f"{STS_NS}RequestId"
    )


def test_incomplete_signature(harness: Harness) -> None:
    status, _, body = raw(
        harness,
        b"Action=GetCallerIdentity",
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAX/20150830/us-east-1/sts/aws4_request"
        },
    )
    assert status == 400
    assert error_of(body)[1] == "IncompleteSignature"


def test_iam_errors_use_iam_namespace(harness: Harness) -> None:
    error = client_error(
        harness.client("iam").create_role, RoleName="r", AssumeRolePolicyDocument="{}"
    )
    assert error.response["Error"]["Code"] == "AccessDenied"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    status, _, body = raw(harness, b"Action=ListRoles&Version=2010-05-08")
    assert status == 403 and error_of(body, IAM_NS)[1] == "MissingAuthenticationToken"


# --- validation (spec §4.2 step 2) --------------------------------------------------

ROLE = f"arn:aws:iam::{ACCOUNT}:role/demo"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"RoleSessionName": "x" * 65},
            "1 validation error detected: Value '" + "x" * 65 + "' at 'roleSessionName' failed to "
            "satisfy constraint: Member must have length less than or equal to 64",
        ),
        (
            {"RoleSessionName": "bad name/1"},
            (
                "1 validation error detected: Value 'bad name/1' at 'roleSessionName' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
            ),
        ),
        (
            {"RoleSessionName": "ok", "DurationSeconds": 899},
            (
                "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy "
                "constraint: Member must have value greater than or equal to 900"
            ),
        ),
    ],
)
def test_validation_errors(harness: Harness, params: dict[str, Any], message: str) -> None:
    client = harness.client(validate=False)
    error = client_error(client.assume_role, RoleArn=ROLE, **params)
    assert error.response["Error"]["Code"] == "ValidationError"
    assert error.response["Error"]["Message"] == message
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_missing_required_parameter(harness: Harness) -> None:
    client = harness.client(validate=False)
    error = client_error(client.assume_role, RoleSessionName="ok")
    assert error.response["Error"]["Message"] == (
        "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: "
        "Member must not be null"
    )


# --- bad input never yields 500 ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"Action=NoSuchThing&Version=2011-06-15", 400, "InvalidAction"),
        (b"Version=2011-06-15", 400, "MissingAction"),
        (b"", 400, "MissingAction"),
        (b"Action=GetCallerIdentity&Version=1999-01-01", 400, "InvalidAction"),
        (b"Action=Get\xffCaller", 400, "MalformedQueryString"),
        (b"Action=%FF%FE", 400, "MalformedQueryString"),
        (b"&&&===&&Action", 400, "MissingAction"),
    ],
)
def test_malformed_requests(harness: Harness, body: bytes, status: int, code: str) -> None:
    got_status, headers, got_body = raw(harness, body)
    assert (got_status, error_of(got_body)[1]) == (status, code)
    assert headers["Content-Type"] == "text/xml"


def test_invalid_action_message(harness: Harness) -> None:
    _, _, body = raw(harness, b"Action=NoSuchThing&Version=2011-06-15")
    assert error_of(body)[2] == "Could not find operation NoSuchThing for version 2011-06-15"


def test_oversized_body(harness: Harness) -> None:
    status, headers, body = raw(harness, b"Action=GetCallerIdentity&Pad=" + b"x" * (65 * 1024))
    assert status == 413
    assert error_of(body)[1] == "RequestEntityTooLarge"
    assert headers.get("Connection") == "close"


@pytest.mark.parametrize(
    ("head", "status_line", "code"),
    [
        (  # llhttp accepts digits only
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            b"HTTP/1.1 400 ",
            "BadRequest",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            b"HTTP/1.1 411 ",
            "MissingContentLength",
        ),
        (  # a method HTTP knows but the Query protocol does not use
            b"DELETE / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
            b"HTTP/1.1 405 ",
            "MethodNotAllowed",
        ),
        (  # a method HTTP does not know: not HTTP at all
            b"BREW / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
            b"HTTP/1.1 400 ",
            "BadRequest",
        ),
        (b"GARBAGE\r\n\r\n", b"HTTP/1.1 400 ", "BadRequest"),  # a status line, always
    ],
)
def test_broken_http_is_answered_with_aws_xml(
    harness: Harness, head: bytes, status_line: bytes, code: str
) -> None:
    host, port = harness.server.address
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head)
        data = b""
        while chunk := sock.recv(65536):  # the server closes the connection
            data += chunk
    headers, _, body = data.partition(b"\r\n\r\n")
    assert headers.startswith(status_line)
    assert b"\r\ncontent-type: text/xml" in headers.lower()
    assert error_of(body)[1] == code


def test_client_leaving_mid_body_does_not_break_the_server(harness: Harness) -> None:
    host, port = harness.server.address
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nAction=Get")
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(65536) == b""
    assert harness.client().get_caller_identity()["Account"] == ACCOUNT


def test_unsupported_content_type(harness: Harness) -> None:
    status, _, body = raw(
        harness, b'{"Action":"GetCallerIdentity"}', headers={"Content-Type": "application/json"}
    )
    assert status == 415 and error_of(body)[1] == "UnsupportedMediaType"


def test_non_ascii_target_and_query_parameters(harness: Harness) -> None:
    status, _, body = raw(harness, method="GET", target="/?Action=%FF")
    assert status == 400 and error_of(body)[1] == "MalformedQueryString"
    status, _, body = raw(
        harness, method="GET", target="/?Action=GetCallerIdentity&Version=2011-06-15"
    )
    assert status == 403 and error_of(body)[1] == "MissingAuthenticationToken"


# --- handler outcomes ----------------------------------------------------------------


def test_handler_bug_is_internal_failure(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    client = harness.client("iam")
    error = client_error(client.delete_user, UserName="u")
    assert error.response["Error"]["Code"] == "InternalFailure"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert "handler bug" not in error.response["Error"]["Message"]
    assert any("internal failure" in record.message for record in caplog.records)
    error = client_error(client.get_user)
    assert error.response["Error"]["Code"] == "InternalFailure"


def test_unregistered_operation_is_not_implemented(harness: Harness) -> None:
    error = client_error(harness.client("iam").list_roles)
    assert error.response["Error"]["Code"] == "NotImplemented"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 501
