"""``Request.build``'s context templates (``request._CONTEXTS``) fill exactly the context
the step-by-step path fills, key for key and in order, and stay bounded (tests/hostile)."""

from __future__ import annotations

import enum
from typing import Any

import pytest

from iamwarden.evaluation import Request
from iamwarden.evaluation import request as request_module

A = "111122223333"
USER = f"arn:aws:iam::{A}:user/alice"
SESSION = f"arn:aws:sts::{A}:assumed-role/Admin/s1"
ROLE = f"arn:aws:iam::{A}:role/Admin"


class Member(str, enum.Enum):  # noqa: UP042 - str() gives "Member.X", not its value: converted, never kept as is
    X = "x"


def _reference(principal: str, resource: str, context: dict[str, Any], **kw: Any) -> Request:
    """The request built with no template: the step-by-step fill."""
    request_module._CONTEXTS.clear()
    r = Request.build(principal, "s3:GetObject", resource, context=context, **kw)
    request_module._CONTEXTS.clear()
    return r


def _same(got: Request, want: Request) -> None:
    assert list(got.context._values.items()) == list(want.context._values.items())  # order too
    assert got.context._multi == want.context._multi
    assert got.context.as_dict() == want.context.as_dict()
    assert (got.caller, got.resource_account) == (want.caller, want.resource_account)


CONTEXTS: list[dict[str, Any]] = [
    {},
    {"aws:SourceIp": "10.1.2.3", "aws:SecureTransport": "true"},
    {"AWS:SOURCEIP": "10.1.2.3", "aws:sourceip": "192.0.2.1"},  # two names, one key: the last wins
    {"aws:username": "mallory", "aws:PrincipalArn": "arn:aws:iam::1:user/x"},  # supplied over derived
    {"aws:ResourceAccount": "999988887777"},  # supplied over the resource's account
    {"aws:TagKeys": "a", "aws:SourceIp": "10.1.2.3"},  # a known multivalued key: never a template
    {"s3:prefix": "home/", "aws:MultiFactorAuthPresent": "false", "aws:PrincipalTag/team": "red"},
]


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("principal", [USER, SESSION])
@pytest.mark.parametrize("resource", ["arn:aws:s3:::b/k", f"arn:aws:sqs:us-east-1:{A}:q", "*"])
def test_template_fills_the_same_context_as_the_step_by_step_path(context, principal, resource):
    want = _reference(principal, resource, context)
    first = Request.build(principal, "s3:GetObject", resource, context=context)  # fills the template
    _same(first, want)
    again = Request.build(principal, "s3:GetObject", resource, context=dict(context))  # from it
    _same(again, want)
    other = {k: v + "-2" for k, v in context.items()}  # same names, other values
    _same(Request.build(principal, "s3:GetObject", resource, context=other),
          _reference(principal, resource, other))


@pytest.mark.parametrize("value", [True, 3, ["a", "b"], ["only"], Member.X, None])
def test_a_value_that_is_not_a_string_takes_the_step_by_step_path(value):
    names = {"aws:SourceIp": "10.1.2.3", "s3:prefix": "p", "aws:SecureTransport": "true"}
    Request.build(USER, "s3:GetObject", "arn:aws:s3:::b/k", context=names)  # the template exists
    odd = {**names, "s3:prefix": value}
    _same(Request.build(USER, "s3:GetObject", "arn:aws:s3:::b/k", context=odd),
          _reference(USER, "arn:aws:s3:::b/k", odd))


def test_template_keys_the_principal_entity_and_the_given_resource_account():
    """The key holds the account as given or read from the ARN, None standing for the caller's:
    a template hit gives the caller and the account the step-by-step path gives."""
    context = {"aws:SourceIp": "10.1.2.3"}
    accounts = ({}, {"principal_entity": ROLE}, {"resource_account": "444455556666"}, {"resource_account": "*"},
                {"resource_account": A}, {"resource_account": ""})
    for resource in ("arn:aws:s3:::b/k", "arn:aws:sqs:us-east-1:444455556666:q", f"arn:aws:sqs:us-east-1:{A}:q"):
        for kw in accounts:
            for principal in (SESSION, USER):
                for _ in range(2):
                    got = Request.build(principal, "s3:GetObject", resource, context=context, **kw)
                    _same(got, _reference(principal, resource, context, **kw))
                    assert type(got) is Request and got.resource == resource and got.action == "s3:GetObject"


def test_a_subclass_builds_its_own_class_from_a_template():
    class Traced(Request):
        __slots__ = ()

    context = {"aws:SourceIp": "10.1.2.3"}
    for _ in range(2):
        got = Traced.build(USER, "s3:GetObject", "*", context=context)
        assert type(got) is Traced
        _same(got, _reference(USER, "*", context))
    plain = Request.build(SESSION, "s3:GetObject", "arn:aws:s3:::b/k", context=context, derive_keys=False)
    assert list(plain.context._values) == ["aws:sourceip", "aws:resourceaccount"]


def test_templates_are_bounded_and_keep_no_supplied_value(monkeypatch):
    """Bounded (tests/hostile): one dict, cleared when full; no long names, no values kept."""
    monkeypatch.setattr(request_module, "_CONTEXTS", {})
    monkeypatch.setattr(request_module, "_CONTEXTS_SIZE", 8)
    for i in range(100):
        Request.build(USER, "s3:GetObject", "*", context={f"s3:k{i}": "v" * 10_000})
        assert len(request_module._CONTEXTS) <= 8
    for template, *_ in request_module._CONTEXTS.values():
        assert all(len(v) < 10_000 for v in template.values())  # the big value is not in it
    request_module._CONTEXTS.clear()
    long = "s3:" + "k" * request_module._CONTEXTS_KEY_LENGTH
    Request.build(USER, "s3:GetObject", "*", context={long: "v"})
    many = {f"s3:k{i}": "v" for i in range(request_module._CONTEXTS_KEYS + 1)}
    Request.build(USER, "s3:GetObject", "*", context=many)
    far = f"arn:aws:iam::{A}:user/" + "u" * request_module._CONTEXTS_NAME_LENGTH
    Request.build(far, "s3:GetObject", "*", context={"s3:k": "v"})
    assert not request_module._CONTEXTS  # too long, too many, too long a principal: none kept
