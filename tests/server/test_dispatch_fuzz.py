"""Property: no request body, however malformed, makes the front answer 5xx.

AssumeRoleWithWebIdentity is unsigned (spec §6.1), so random bodies for it reach
parameter decoding and validation without needing a signature.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.server.dispatch import HandlerRegistry, QueryDispatcher
from iamwarden.server.errors import InvalidClientTokenId
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
