"""Property: no request body, however malformed, makes the front answer 5xx.

AssumeRoleWithWebIdentity is unsigned (spec §6.1), so random bodies for it reach
parameter decoding and validation without needing a signature. The hostile
classes of issue 8 follow: Date / X-Amz-Date headers (year 9999 with offsets),
presigned ``X-Amz-Expires`` of thousands of digits, list indexes and integers of
any length, bad percent-encoding and invalid UTF-8, and oversized values --
each answered 4xx, and never with the input echoed back whole.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

from hypothesis import example, given, settings
from hypothesis import strategies as st

from iamwarden.server.dispatch import HandlerRegistry, QueryDispatcher
from iamwarden.server.errors import InvalidClientTokenId, MalformedQueryString
from iamwarden.server.request import IncomingRequest
from iamwarden.server.sigv4 import ResolvedCredential


class NoKeys:
    def resolve(self, access_key_id: str, session_token: str | None) -> ResolvedCredential:
        raise InvalidClientTokenId()


def _registry() -> HandlerRegistry:
    registry = HandlerRegistry()
    registry.register("sts", "AssumeRoleWithWebIdentity", lambda ctx, params: {})
    return registry


DISPATCHER = QueryDispatcher(_registry(), NoKeys())

FIELD_NAMES = st.sampled_from(
    [
        "Action",
        "Version",
        "RoleArn",
        "RoleSessionName",
        "WebIdentityToken",
        "DurationSeconds",
        "Policy",
        "PolicyArns",
        "PolicyArns.member.1.arn",
        "PolicyArns.member.x.arn",
        "PolicyArns.member.1",
        "PolicyArns.member.1.arn.deeper",
        "ProviderId",
        "",
        ".",
        "..",
    ]
)
VALUES = st.one_of(
    st.sampled_from(["AssumeRoleWithWebIdentity", "2011-06-15", "", "900", "-1", "1e9"]),
    st.text(max_size=80),
)


def form(pairs: list[tuple[str, str]]) -> bytes:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode("utf-8")


def assert_client_error(body: bytes) -> None:
    request = IncomingRequest.build(
        "POST", "/", [("Content-Type", "application/x-www-form-urlencoded")], body
    )
    response = DISPATCHER.handle(request)
    assert response.status < 500 or response.status == 501, response.body
    ElementTree.fromstring(response.body)  # always well-formed XML


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(FIELD_NAMES, VALUES), max_size=8))
def test_structured_garbage_never_5xx(pairs: list[tuple[str, str]]) -> None:
    assert_client_error(form([("Action", "AssumeRoleWithWebIdentity"), *pairs]))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_5xx(body: bytes) -> None:
    assert_client_error(b"Action=AssumeRoleWithWebIdentity&" + body)


def test_valid_unsigned_request_reaches_handler() -> None:
    pairs: list[Any] = [
        ("Action", "AssumeRoleWithWebIdentity"),
        ("RoleArn", "arn:aws:iam::123456789012:role/web"),
        ("RoleSessionName", "s1"),
        ("WebIdentityToken", "tokentoken"),
    ]
    request = IncomingRequest.build("POST", "/", [], form(pairs))
    assert DISPATCHER.handle(request).status == 200


# --- hostile classes (issue 8): dates, numbers, indexes, encodings, sizes ----------------------

KNOWN_KEY = "AKIAIOSFODNN7EXAMPLE"


class OneKey:
    """Knows one key, so signed garbage gets past key lookup to the time and signature checks."""

    def resolve(self, access_key_id: str, session_token: str | None) -> ResolvedCredential:
        if access_key_id == KNOWN_KEY and session_token is None:
            return ResolvedCredential("secret", object())
        raise InvalidClientTokenId()


SIGNED_DISPATCHER = QueryDispatcher(_registry(), OneKey())

DIGITS = st.integers(min_value=0, max_value=6000).map(lambda n: "9" * n)
DATES = st.one_of(
    st.sampled_from(["Fri, 31 Dec 9999 23:59:59 -0100", "Mon, 01 Jan 0001 00:00:00 +2359",
                     "Fri, 31 Dec 9999 23:59:59 +9999", "Thu, 01 Jan 1970 00:00:00 GMT", ""]),
    st.builds(lambda y, z: f"Fri, 31 Dec {y} 23:59:59 {z}", st.integers(0, 10**6),
              st.sampled_from(["-0100", "+0000", "GMT", "-2359", "+99999"])),
    st.text(max_size=60),
)
AMZ_DATES = st.one_of(
    st.builds(lambda d, t: f"{d}T{t}Z", st.from_regex(r"[0-9]{8}", fullmatch=True),
              st.from_regex(r"[0-9]{6}", fullmatch=True)),
    st.text(max_size=40), DIGITS,
)
SCOPE = f"{KNOWN_KEY}/20260102/us-east-1/sts/aws4_request"


def _status(request: IncomingRequest) -> int:
    response = SIGNED_DISPATCHER.handle(request)
    ElementTree.fromstring(response.body)
    assert len(response.body) < 20_000, "an error echoed its input"
    return response.status


@settings(max_examples=200, deadline=None)
@given(DATES, st.booleans())
def test_hostile_date_headers_never_5xx(date: str, known: bool) -> None:
    key = KNOWN_KEY if known else "AKIAUNKNOWN000000000"
    auth = (f"AWS4-HMAC-SHA256 Credential={key}/99991231/us-east-1/sts/aws4_request, "
            "SignedHeaders=host, Signature=00")
    request = IncomingRequest.build("POST", "/", [("Host", "h"), ("Authorization", auth), ("Date", date)],
                                    b"Action=GetCallerIdentity&Version=2011-06-15")
    assert _status(request) in (400, 403)


@settings(max_examples=200, deadline=None)
@given(AMZ_DATES)
def test_hostile_x_amz_dates_never_5xx(amz_date: str) -> None:
    auth = f"AWS4-HMAC-SHA256 Credential={SCOPE}, SignedHeaders=host;x-amz-date, Signature=00"
    request = IncomingRequest.build("POST", "/", [("Host", "h"), ("Authorization", auth), ("X-Amz-Date", amz_date)],
                                    b"Action=GetCallerIdentity&Version=2011-06-15")
    assert _status(request) in (400, 403)


@settings(max_examples=200, deadline=None)
@given(st.one_of(DIGITS, st.text(max_size=30)), AMZ_DATES, st.booleans())
@example("0", "0", False)  # all zeros: stripped of leading zeros nothing is left (was a 500)
@example("000", "20260102T000000Z", True)
def test_hostile_presigned_expires_never_5xx(expires: str, amz_date: str, known: bool) -> None:
    key = KNOWN_KEY if known else "AKIAUNKNOWN000000000"
    query = "&".join(f"{quote(k)}={quote(v)}" for k, v in [
        ("Action", "GetCallerIdentity"), ("Version", "2011-06-15"), ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        ("X-Amz-Credential", f"{key}/20260102/us-east-1/sts/aws4_request"), ("X-Amz-Date", amz_date),
        ("X-Amz-SignedHeaders", "host"), ("X-Amz-Signature", "00"), ("X-Amz-Expires", expires)])
    assert _status(IncomingRequest.build("GET", "/?" + query, [("Host", "h")])) in (400, 403)


INDEXES = st.one_of(DIGITS, st.integers(min_value=0, max_value=10**12).map(str),
                    st.sampled_from(["0", "00", "-1", "+1", "1.5", "٣", "1e3", " 1"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(INDEXES, st.sampled_from(["arn", "Key", "Value", ""])), max_size=6),
       st.one_of(DIGITS, st.sampled_from(["NaN", "inf", "-0", "1e999", "0x10", "９００"])))
def test_hostile_indexes_and_integers_never_5xx(members: list[tuple[str, str]], duration: str) -> None:
    pairs = [("Action", "AssumeRoleWithWebIdentity"), ("DurationSeconds", duration)]
    pairs += [(f"PolicyArns.member.{i}.{leaf}" if leaf else f"PolicyArns.member.{i}", "arn:aws:iam::aws:policy/x")
              for i, leaf in members]
    assert_client_error(form(pairs))


PERCENT = st.lists(st.one_of(st.sampled_from(["%", "%f", "%ff", "%C0%AF", "%e2%82", "%zz", "+", "&", "="]),
                             st.text(max_size=5)), max_size=20).map("".join)


@settings(max_examples=200, deadline=None)
@given(PERCENT, st.binary(max_size=40))
def test_hostile_encodings_never_5xx(text: str, raw: bytes) -> None:
    assert_client_error(b"Action=AssumeRoleWithWebIdentity&RoleSessionName=" + text.encode() + b"&Policy=" + raw)
    try:
        request = IncomingRequest.build("GET", "/?Action=GetCallerIdentity&X=" + text, [])
    except MalformedQueryString as error:
        assert error.status == 400
    else:
        assert _status(request) < 500


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=2049, max_value=300_000), st.sampled_from(["x", "[", "{\"a\":", "NaN,"]))
def test_hostile_sizes_never_5xx_and_never_echoed(size: int, unit: str) -> None:
    body = form([("Action", "AssumeRoleWithWebIdentity"), ("Policy", (unit * size)[:size])])
    request = IncomingRequest.build("POST", "/", [("Content-Type", "application/x-www-form-urlencoded")], body)
    assert _status(request) == 400
