"""Compiled condition checks (``Condition._check``) answer as the generic path (spec §2.5-§2.7).

``Condition.build`` parses static policy values once into ``_test`` and binds
``_check(values)``; the generic ``evaluate`` loop (``_test`` None) is the
reference. Same answer, or the same ``ConditionError``, for single, multivalued,
missing and unreadable request values: the Bool shortcut for the usual spellings,
and the ARN check that remembers readability and match together.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from iamwarden.evaluation import RequestContext
from iamwarden.policy.conditions import Condition, ConditionError, parse_operator

ARN = "arn:aws:iam::111122223333:user/eng/alice"
CASES: list[tuple[str, str, tuple[str, ...], list[Any]]] = [
    ("Bool", "aws:SecureTransport", ("true",),
     ["true", "false", "TRUE", " True ", "asdf", "", ["true", "false"], ["true"], None]),
    ("Bool", "aws:SecureTransport", ("false",), ["true", "false", "False", "no", ["false"], None]),
    ("Bool", "aws:SecureTransport", ("true", "false"), ["true", "false", "x"]),
    ("Bool", "aws:SecureTransport", ("yes",), ["true", "false", "yes"]),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", ("true",), ["true", "false", "tRuE", None]),
    ("ForAnyValue:Bool", "aws:SecureTransport", ("true",), ["true", ["false", "TRUE"], [], None]),
    ("ForAllValues:Bool", "aws:SecureTransport", ("false",), ["x", ["false", "true"], [], None]),
    ("ArnLike", "aws:PrincipalArn", ("arn:aws:iam::111122223333:user/eng/*",),
     [ARN, "arn:aws:iam::111122223333:user/ops/bob", "not-an-arn", "arn:aws:iam", "", [ARN, ARN], None]),
    ("ArnNotLike", "aws:PrincipalArn", ("arn:aws:iam::*:user/eng/*",), [ARN, "not-an-arn", "arn:a:b:c:d:e", None]),
    ("ArnEquals", "aws:SourceArn", (ARN,), [ARN, ARN.upper(), "x", None]),
    ("ArnNotEqualsIfExists", "aws:SourceArn", (ARN,), [ARN, "x", None]),
    ("ForAnyValue:ArnLike", "aws:SourceArn", ("arn:aws:*:*:*:*",), [[ARN, "x"], ["x"], None]),
]


def _reference(c: Condition) -> Condition:
    """The same condition without its precompiled test: the generic loop of ``evaluate``."""
    return replace(c, _test=None, _check=None)


def _answer(f: Any, arg: Any) -> Any:
    try:
        return f(arg)
    except ConditionError as e:
        return ("error", str(e))


@pytest.mark.parametrize("operator, key, values, requests", CASES)
def test_compiled_check_answers_as_the_generic_path(operator, key, values, requests):
    c = Condition.build(parse_operator(operator), key, values, variables=True)
    assert c._check is not None, operator
    ref = _reference(c)
    for value in requests:
        ctx = RequestContext({} if value is None else {key: value})
        for _ in range(2):  # the second time from the remembered answers
            want = _answer(ref.evaluate, ctx)
            assert _answer(c.evaluate, ctx) == want, (operator, value)
            assert _answer(c._check, ctx._values) == want, (operator, value)
