"""Fuzz the policy pipeline: random and mutated policy JSON never crashes it.

Contract under test:
* ``parse_policy`` (every kind) either returns a ``Policy`` or raises the
  documented ``PolicySyntaxError``: nothing else.
* ``validate_policy`` never raises; it returns a list of ``Finding``s, and a
  document the parser rejects always has at least one ERROR finding.
* ``authorize`` over any policy the parser accepted never raises and never
  reports an *internal* error (condition values it cannot read are reported
  as ordinary evaluation errors; that is allowed).

Inputs: arbitrary JSON values, JSON text, and valid policies mutated by
dropping, renaming and retyping keys, injecting odd Unicode, nesting deeply,
growing huge lists and putting numbers, booleans and null where strings go.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamwarden.evaluation import PolicySet, Request, authorize
from iamwarden.policy import Policy, PolicyKind, PolicySyntaxError, parse_policy
from iamwarden.policy.validation import FINDING_TYPES, Finding, validate_policy

#: raise for a longer hunt: IAMWARDEN_FUZZ_EXAMPLES=20000 pytest tests/policy/test_fuzz.py
EXAMPLES = int(os.environ.get("IAMWARDEN_FUZZ_EXAMPLES", "300"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

KINDS = tuple(PolicyKind)

ACCOUNT = "111122223333"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
OTHER = "arn:aws:iam::444455556666:user/bob"

SEEDS: list[dict[str, Any]] = [
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:List*"],
                "Resource": ["arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:s3:::bucket"],
                "Condition": {
                    "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]},
                    "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                    "NumericLessThanIfExists": {"aws:MultiFactorAuthAge": 3600},
                    "ForAllValues:StringLike": {"aws:TagKeys": ["team*", "env"]},
                    "Null": {"aws:TokenIssueTime": "false"},
                    "BinaryEquals": {"aws:UserAgent": "QmluYXJ5"},
                },
            },
            {
                "Effect": "Deny",
                "NotAction": "iam:*",
                "NotResource": "arn:aws:iam::*:role/${aws:PrincipalTag/team, 'none'}",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": False}},
            },
        ],
    },
    {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Principal": {"AWS": [USER, ACCOUNT], "Service": "ec2.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {
                "StringEquals": {"sts:ExternalId": "Example987"},
                "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"},
            },
        },
    },
    {
        "Version": "2008-10-17",
        "Id": "bucket-policy",
        "Statement": [
            {
                "Sid": "Public",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::bucket/*",
                "Condition": {"StringNotEqualsIgnoreCase": {"aws:PrincipalOrgID": "o-abc"}},
            },
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "*",
                "Resource": "*",
            },
        ],
    },
    {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
]

ODD_TEXT = [
    "",
    " ",
    "*",
    "?",
    "${",
    "${}",
    "${aws:username",
    "${*}${?}${$}",
    "arn:aws:s3:::",
    "arn:::::::::::",
    ":",
    "\x00",
    "\ud800",
    "\u2603 snowman",
    "\u202e\u200b",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "é" * 3,
    "1e999",
    "NaN",
    "-0",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "::ffff:1.2.3.4/200",
    "=" * 5,
    "true",
    "TRUE",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(ODD_TEXT),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(
                ["Version", "Statement", "Effect", "Action", "NotAction", "Resource",
                 "NotResource", "Principal", "NotPrincipal", "Condition", "Sid", "Id", "AWS",
                 "StringEquals", "Null", "ForAnyValue:IpAddress", "aws:SourceIp"]
            ),
        ),
        inner,
        max_size=5,
    ),
    max_leaves=25,
)


# --- mutations -----------------------------------------------------------------


def paths(node: Any, here: tuple = ()) -> list[tuple]:
    """Every container path in ``node`` (the root included)."""
    out = [here]
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, here + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, here + (i,))
    return out


def get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


def put(root: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    get(root, path[:-1])[path[-1]] = value
    return root


def nest(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def mutated_policies(draw: st.DrawFn) -> Any:
    doc: Any = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(paths(doc)))
        target = get(doc, where)
        op = draw(
            st.sampled_from(
                ["drop", "rename", "retype", "unicode", "nest", "huge", "scalar", "replace"]
            )
        )
        if op in ("drop", "rename") and isinstance(target, dict) and target:
            key = draw(st.sampled_from(sorted(target, key=str)))
            value = target.pop(key)
            if op == "rename":
                new = draw(
                    st.one_of(
                        st.sampled_from(["Action", "NotAction", "Resource", "Principal",
                                         "Condition", "Effect", "Sid", "Statement", "Version",
                                         "StringLikeIfExists", "ForAllValues:Null", "action"]),
                        st.text(max_size=8),
                    )
                )
                target[new] = value
        elif op == "drop" and isinstance(target, list) and target:
            target.pop(draw(st.integers(0, len(target) - 1)))
        elif op == "retype":
            doc = put(doc, where, draw(json_values))
        elif op == "unicode":
            doc = put(doc, where, draw(st.sampled_from(ODD_TEXT)) + draw(st.text(max_size=6)))
        elif op == "nest":
            doc = put(doc, where, nest(target, draw(st.integers(1, 400))))
        elif op == "huge":
            item = target if not isinstance(target, (dict, list)) else "s3:GetObject"
            doc = put(doc, where, [item] * draw(st.sampled_from([1000, 5000])))
        elif op == "scalar":
            doc = put(doc, where, draw(st.one_of(st.none(), st.booleans(), st.integers(),
                                                 st.floats())))
        else:  # replace with a value of another seed
            other = draw(st.sampled_from(SEEDS))
            doc = put(doc, where, copy.deepcopy(get(other, draw(st.sampled_from(paths(other))))))
    return doc


OPERATORS = [
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringLike", "StringNotLike",
    "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericGreaterThanEquals",
    "DateEquals", "DateNotEquals", "DateLessThan", "DateGreaterThan", "Bool", "BinaryEquals",
    "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotLike", "Null",
    "ForAllValues:StringLike", "ForAnyValue:NumericLessThan", "ForAnyValue:IpAddress",
    "ForAllValues:DateEqualsIfExists", "StringLikeIfExists", "ArnNotEqualsIfExists",
]

leaf_values = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.text(max_size=30),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.lists(st.sampled_from(ODD_TEXT) | st.integers(), min_size=1, max_size=4),
)


def leaf_paths(node: Any, here: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in leaf_paths(v, here + (k,))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in leaf_paths(v, here + (i,))]
    return [here]


@st.composite
def leaf_mutated_policies(draw: st.DrawFn) -> Any:
    """Keep the structure, change values: most of these still parse, so they reach
    ``authorize`` with odd condition values, odd operators, odd ARNs and actions."""
    doc: Any = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(leaf_paths(doc)))
        if "Condition" in where and draw(st.booleans()):
            i = where.index("Condition")
            block = get(doc, where[: i + 1])
            old = where[i + 1]
            if old in block:
                block[draw(st.sampled_from(OPERATORS))] = block.pop(old)
            continue
        if where and where[-1] in ("Effect", "Version"):
            continue
        doc = put(doc, where, draw(leaf_values))
    return doc


# --- the contract ----------------------------------------------------------------

REQUESTS = [
    Request.build(USER, "s3:GetObject", "arn:aws:s3:::bucket/alice/report.csv",
                  context={"aws:SourceIp": "203.0.113.9", "aws:CurrentTime": "2024-05-01T12:00:00Z",
                           "aws:TagKeys": ["team", "env"], "aws:MultiFactorAuthAge": "30",
                           "aws:UserAgent": "Binary"}),
    Request.build(USER, "sts:AssumeRole", ROLE, context={"sts:ExternalId": "Example987"}),
    Request.build(OTHER, "iam:PassRole", ROLE, context={"aws:SourceIp": "2001:db8::1"}),
    Request.build(ROLE, "ec2:RunInstances", "*"),
]


def policy_set(p: Policy) -> PolicySet:
    if p.kind in (PolicyKind.RESOURCE, PolicyKind.TRUST):
        return PolicySet(resource=p)
    if p.kind is PolicyKind.BOUNDARY:
        return PolicySet(identity=(p,), boundary=p)
    if p.kind is PolicyKind.SESSION:
        return PolicySet(identity=(p,), session=(p,))
    if p.kind is PolicyKind.SCP:
        return PolicySet(identity=(p,), scp=((p,),))
    if p.kind is PolicyKind.RCP:
        return PolicySet(resource=p, rcp=((p,),))
    return PolicySet(identity=(p,))


def check_pipeline(doc: Any) -> None:
    for kind in KINDS:
        parsed: Policy | None
        try:
            parsed = parse_policy(doc, kind, "fuzz")
        except PolicySyntaxError as e:
            assert e.problems, "a syntax error must say what is wrong"
            parsed = None
        findings = validate_policy(doc, kind)
        assert isinstance(findings, list)
        assert all(isinstance(f, Finding) and f.type in FINDING_TYPES for f in findings)
        assert all(f.path.startswith("$") and f.message for f in findings)
        if parsed is None:
            assert any(f.type == "ERROR" for f in findings), "rejected without an ERROR finding"
            continue
        ps = policy_set(parsed)
        for req in REQUESTS:
            decision = authorize(req, ps)
            assert not any("internal error" in e for e in decision.errors), decision.errors


@FUZZ
@given(json_values)
def test_random_json_values_never_crash(doc):
    check_pipeline(doc)


@FUZZ
@given(mutated_policies())
def test_mutated_policies_never_crash(doc):
    check_pipeline(doc)


@FUZZ
@given(leaf_mutated_policies())
def test_value_mutated_policies_never_crash(doc):
    check_pipeline(doc)


@settings(max_examples=max(EXAMPLES // 2, 1), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(mutated_policies())
def test_mutated_policies_as_text_never_crash(doc):
    try:
        text = json.dumps(doc)
    except (ValueError, RecursionError):
        return
    check_pipeline(text)


@settings(max_examples=max(EXAMPLES * 2 // 3, 1), deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_random_text_never_crashes(text):
    check_pipeline(text)


def test_seeds_are_valid_for_some_kind():
    for seed in SEEDS:
        ok = []
        for kind in KINDS:
            try:
                parse_policy(seed, kind)
                ok.append(kind)
            except PolicySyntaxError:
                pass
        assert ok, seed


# --- crashes the fuzzer found (minimal reproductions) -----------------------------


def test_deeply_nested_json_text_is_a_syntax_error_not_a_recursion_error():
    """json's decoder recursed past Python's limit: RecursionError escaped parse_policy."""
    text = "[" * 100_000 + "]" * 100_000
    for kind in KINDS:
        try:
            parse_policy(text, kind)
        except PolicySyntaxError as e:
            assert "nested too deeply" in str(e)
        (f,) = validate_policy(text, kind)
        assert f.code == "INVALID_JSON"
