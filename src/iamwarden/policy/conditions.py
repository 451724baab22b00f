"""Condition operators (spec §2.5–§2.7), one family per matcher function.

A ``Condition`` is one (operator, key, values) triple; a statement's condition
block is the AND of all of them. Every operator is built from a *positive*
comparison of one request value against one policy value; the negated
operators are the NOR of the positive comparison over the policy values, the
``IfExists`` suffix makes a missing key match, and ``ForAllValues`` /
``ForAnyValue`` lift a per-value match over a multivalued key.

A value that cannot be parsed (a non-numeric Numeric value, a bad date, CIDR or
base64) is an *evaluation error*: the condition is reported and the caller
fails closed (spec §2.6 "Parsing failures"; see ``ConditionError``).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Callable, Protocol

from .patterns import Pieces, compile_glob, compile_glob_set, compile_pieces
from .variables import Part, has_variables, split_variables, substitute


class ContextView(Protocol):
    """What conditions need from a request context (keys are lower-cased)."""

    def values(self, key: str) -> tuple[str, ...] | None: ...

    def multivalued(self, key: str) -> bool: ...

    def single(self, key: str) -> str | None: ...


class ConditionError(ValueError):
    """A value in the policy or the request could not be read for this operator."""


# --- value parsers -----------------------------------------------------------


def parse_number(text: str) -> Decimal:
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        raise ConditionError(f"{text!r} is not a number") from None
    if not d.is_finite():
        raise ConditionError(f"{text!r} is not a finite number")
    return d


_EPOCH = re.compile(r"^-?\d+(\.\d+)?$")


@lru_cache(maxsize=8192)
def parse_date(text: str) -> float:
    """W3C ISO-8601 forms or epoch seconds → POSIX seconds (spec §2.6 Date row)."""
    t = text.strip()
    if _EPOCH.match(t):
        return float(t)
    try:
        if len(t) == 10:  # 2020-01-01
            dt = datetime.fromisoformat(t).replace(tzinfo=UTC)
        else:
            dt = datetime.fromisoformat(t.replace("z", "Z"))
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
    except ValueError:
        raise ConditionError(f"{text!r} is not an ISO 8601 date or epoch seconds") from None
    return dt.timestamp()


@lru_cache(maxsize=8192)
def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A CIDR, or a bare address meaning /32 (IPv4) or /128 (IPv6, UNCONFIRMED §9.8)."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ConditionError(f"{text!r} is not an IP address or CIDR block") from None


@lru_cache(maxsize=8192)
def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise ConditionError(f"{text!r} is not an IP address") from None


def parse_binary(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConditionError(f"{text!r} is not base64") from None


def _split_arn(value: str) -> list[str] | None:
    parts = value.split(":", 5)
    return parts if len(parts) == 6 else None


# --- operator families -------------------------------------------------------
#
# Each family: a function (request_value, policy_value) -> bool, plus whether
# policy variables are allowed in the policy value (spec §2.8).

Compare = Callable[[str, str], bool]


def _string_equals(r: str, p: str) -> bool:
    return r == p


def _string_equals_ic(r: str, p: str) -> bool:
    return r.casefold() == p.casefold()


def _string_like(r: str, p: str) -> bool:
    return compile_glob(p).match(r)


#: compare function → (value parser, comparison), so ``Condition.build`` can
#: parse the policy values once (see ``_precompiled_test``).
_PARSED_FAMILIES: dict[Compare, tuple[Callable[[str], object], Callable[..., bool]]] = {}


def _numeric(op: Callable[[Decimal, Decimal], bool]) -> Compare:
    compare: Compare = lambda r, p: op(parse_number(r), parse_number(p))  # noqa: E731
    _PARSED_FAMILIES[compare] = (parse_number, op)
    return compare


def _date(op: Callable[[float, float], bool]) -> Compare:
    compare: Compare = lambda r, p: op(parse_date(r), parse_date(p))  # noqa: E731
    _PARSED_FAMILIES[compare] = (parse_date, op)
    return compare


def bool_request_value(r: str) -> str:
    """A request value as ``Bool`` reads it: ``true`` (any case), or else ``false``.

    Spec §2.6 Bool row (corrected 2026-12, [X] AWS's simulator): a request value
    other than ``true`` counts as ``false`` (``Bool "false"`` matches ``asdf``).
    """
    return "true" if r.strip().lower() == "true" else "false"


def _bool(r: str, p: str) -> bool:
    return bool_request_value(r) == p.strip().lower()


def _binary(r: str, p: str) -> bool:
    want = parse_binary(p)
    try:
        got = base64.b64decode(r, validate=True)
    except (binascii.Error, ValueError):
        got = r.encode("utf-8")
    return got == want


def _ip(r: str, p: str) -> bool:
    addr = parse_address(r)
    net = parse_network(p)
    return addr.version == net.version and addr in net


def _arn_like(r: str, p: str) -> bool:
    rp = _split_arn(r)
    pp = _split_arn(p)
    if rp is None or pp is None:
        return False
    return all(compile_glob(pat).match(val) for pat, val in zip(pp, rp, strict=True))


def is_arn_value(r: str) -> bool:
    """Can an Arn operator read this request value (6 colon-separated parts)? Spec §2.6."""
    return _split_arn(r) is not None


@dataclass(frozen=True, slots=True)
class OperatorFamily:
    compare: Compare
    variables: bool
    #: how policy text and inserted values become a comparable string when
    #: variables are resolved: pattern families escape inserted text.
    pattern: bool = False
    #: a request value this family cannot read at all; such a value makes the
    #: positive *and* the negated operator false instead of letting the negation
    #: flip a non-match into a match (spec §2.6, Arn rows). None: every value reads.
    readable: Callable[[str], bool] | None = None


_EQ = lambda a, b: a == b  # noqa: E731
_LT = lambda a, b: a < b  # noqa: E731
_LE = lambda a, b: a <= b  # noqa: E731
_GT = lambda a, b: a > b  # noqa: E731
_GE = lambda a, b: a >= b  # noqa: E731

#: base operator name → (family, negated)
OPERATORS: dict[str, tuple[OperatorFamily, bool]] = {}


def _register(name: str, family: OperatorFamily, negated_name: str | None = None) -> None:
    OPERATORS[name] = (family, False)
    if negated_name:
        OPERATORS[negated_name] = (family, True)


_register("StringEquals", OperatorFamily(_string_equals, True), "StringNotEquals")
_register(
    "StringEqualsIgnoreCase", OperatorFamily(_string_equals_ic, True), "StringNotEqualsIgnoreCase"
)
_register("StringLike", OperatorFamily(_string_like, True, pattern=True), "StringNotLike")
_register("NumericEquals", OperatorFamily(_numeric(_EQ), False), "NumericNotEquals")
_register("NumericLessThan", OperatorFamily(_numeric(_LT), False))
_register("NumericLessThanEquals", OperatorFamily(_numeric(_LE), False))
_register("NumericGreaterThan", OperatorFamily(_numeric(_GT), False))
_register("NumericGreaterThanEquals", OperatorFamily(_numeric(_GE), False))
_register("DateEquals", OperatorFamily(_date(_EQ), False), "DateNotEquals")
_register("DateLessThan", OperatorFamily(_date(_LT), False))
_register("DateLessThanEquals", OperatorFamily(_date(_LE), False))
_register("DateGreaterThan", OperatorFamily(_date(_GT), False))
_register("DateGreaterThanEquals", OperatorFamily(_date(_GE), False))
# Bool: the two AWS pages disagree on variables (spec §9.17); we allow them.
_register("Bool", OperatorFamily(_bool, True))
_register("BinaryEquals", OperatorFamily(_binary, False))
_register("IpAddress", OperatorFamily(_ip, False), "NotIpAddress")
_register("ArnEquals", OperatorFamily(_arn_like, True, pattern=True, readable=is_arn_value), "ArnNotEquals")
_register("ArnLike", OperatorFamily(_arn_like, True, pattern=True, readable=is_arn_value), "ArnNotLike")

SET_OPERATORS = ("ForAllValues", "ForAnyValue")


@dataclass(frozen=True, slots=True)
class OperatorName:
    """A parsed operator name such as ``ForAnyValue:StringNotLikeIfExists``."""

    text: str
    base: str
    set_op: str | None
    if_exists: bool
    negated: bool
    is_null: bool


def parse_operator(text: str) -> OperatorName:
    """Read an operator name; raises ``ValueError`` naming what is accepted."""
    rest = text
    set_op = None
    if ":" in rest:
        prefix, rest = rest.split(":", 1)
        if prefix not in SET_OPERATORS:
            raise ValueError(
                f"unknown set operator {prefix!r}; accepted: ForAllValues, ForAnyValue"
            )
        set_op = prefix
    if rest == "Null":
        # ForAllValues:Null / ForAnyValue:Null are evaluated, not refused (spec §2.5)
        return OperatorName(text, "Null", set_op, False, False, True)
    if_exists = rest.endswith("IfExists") and rest != "IfExists"
    base = rest[: -len("IfExists")] if if_exists else rest
    if base not in OPERATORS:
        raise ValueError(f"unknown condition operator {text!r}")
    return OperatorName(text, base, set_op, if_exists, OPERATORS[base][1], False)


# --- single-valued vs multivalued context keys (spec §2.5, §9.4) ------------
#
# One place for the UNCONFIRMED rule: a single-valued operator (no set
# operator) applied to a key that carries several values evaluates to False.
SINGLE_VALUED_OPERATOR_ON_MULTIVALUED_KEY = False


@dataclass(frozen=True, slots=True)
class Condition:
    """One ``operator → key → values`` entry of a Condition block."""

    operator: OperatorName
    key: str  # as written
    key_lower: str
    values: tuple[str, ...]
    _parts: tuple[tuple[Part, ...] | None, ...] = field(default=(), repr=False, compare=False)
    # resolved once at build time (the evaluation hot path reads them)
    _family: OperatorFamily | None = field(default=None, repr=False, compare=False)
    _negated: bool = field(default=False, repr=False, compare=False)
    _has_variables: bool = field(default=False, repr=False, compare=False)
    #: request value → "matches one of the policy values" (before negation), when
    #: the policy values are static and could be parsed at build time; else None
    _test: Callable[[str], bool] | None = field(default=None, repr=False, compare=False)
    #: ``evaluate`` bound to this condition's static parts, when there is a ``_test``:
    #: ``check(values)`` reads a ``RequestContext``'s dict directly (see
    #: ``compile_check``); else None (use ``evaluate``)
    _check: Callable[[dict[str, str | tuple[str, ...]]], bool] | None = field(
        default=None, repr=False, compare=False)

    @classmethod
    def build(cls, operator: OperatorName, key: str, values: tuple[str, ...], variables: bool):
        """``variables``: the policy is ``2012-10-17`` (variables are live)."""
        fam = None if operator.is_null else OPERATORS[operator.base][0]
        parts: list[tuple[Part, ...] | None] = []
        for v in values:
            if variables and fam is not None and fam.variables and has_variables(v):
                parts.append(split_variables(v))
            else:
                parts.append(None)
        negated = False if fam is None else OPERATORS[operator.base][1]
        has_vars = any(p is not None for p in parts)
        test = None if fam is None or has_vars else _precompiled_test(fam, values)
        check = None if test is None or fam is None else compile_check(operator, key.lower(), test, fam, negated)
        return cls(operator, key, key.lower(), values, tuple(parts), fam, negated, has_vars, test, check)

    def evaluate(self, ctx: ContextView) -> bool:
        """True when the condition holds. Raises ``ConditionError`` on unreadable values."""
        op = self.operator
        present = ctx.values(self.key_lower)
        test = self._test
        if test is not None and present:  # static policy values, parsed once (see Condition.build)
            set_op = op.set_op
            negated = self._negated
            readable = self._family.readable if self._family is not None else None
            if set_op is None:
                if len(present) > 1 or ctx.multivalued(self.key_lower):
                    return SINGLE_VALUED_OPERATOR_ON_MULTIVALUED_KEY
                r0 = present[0]
                if readable is not None and not readable(r0):
                    return False
                return test(r0) != negated
            if readable is not None:
                if set_op == "ForAllValues":
                    return all(readable(r) and test(r) != negated for r in present)
                return any(readable(r) and test(r) != negated for r in present)
            if set_op == "ForAllValues":
                return all(test(r) != negated for r in present)
            return any(test(r) != negated for r in present)
        if op.is_null:
            return self._null(present)
        if present is None or len(present) == 0:
            if op.if_exists:
                return True
            if op.set_op == "ForAllValues":
                return True
            if op.set_op == "ForAnyValue":
                return False
            return op.negated
        family = self._family
        negated = self._negated
        if family is None:  # built without Condition.build
            family, negated = OPERATORS[op.base]
        policy_values = self._resolved_values(ctx, family) if self._has_variables else self.values
        if op.set_op is None:
            if len(present) > 1 or ctx.multivalued(self.key_lower):
                return SINGLE_VALUED_OPERATOR_ON_MULTIVALUED_KEY
            return self._match_one(present[0], policy_values, family, negated)
        matches = (self._match_one(r, policy_values, family, negated) for r in present)
        return all(matches) if op.set_op == "ForAllValues" else any(matches)

    def _null(self, present: tuple[str, ...] | None) -> bool:
        """``Null`` and its set forms (spec §2.5).

        Plain ``Null``: ``"true"`` holds iff the key is absent, ``"false"`` iff present.
        ``ForAllValues:Null`` / ``ForAnyValue:Null``: every request value is a present
        value, so per value ``"false"`` holds and ``"true"`` fails; then §2.7 lifts the
        per-value result (over no values: ForAllValues true, ForAnyValue false).
        """
        absent = present is None or len(present) == 0
        set_op = self.operator.set_op
        if set_op is None:
            return any(_bool("true" if absent else "false", v) for v in self.values)
        if absent:
            return set_op == "ForAllValues"
        # each present value: Null "false" holds for it, Null "true" does not; the
        # per-value result is the same for every value, so ForAll and ForAny agree
        return any(_bool("false", v) for v in self.values)

    def _resolved_values(self, ctx: ContextView, family: OperatorFamily) -> list[str | None] | tuple[str, ...]:
        """Policy values after variable substitution; ``None`` for an unresolvable one.

        For pattern families the returned strings are globs in which inserted
        text has had ``*``/``?`` neutralised (see ``_escape_glob``).
        """
        if not any(self._parts):
            return list(self.values)
        out: list[str | None] = []
        for raw, parts in zip(self.values, self._parts, strict=True):
            if parts is None:
                out.append(raw)
            elif family.pattern:
                out.append(substitute(parts, ctx.single, literal=str, value=_escape_glob))
            else:
                out.append(substitute(parts, ctx.single))
        return out

    @staticmethod
    def _match_one(
        r: str, policy_values: list[str | None] | tuple[str, ...], family: OperatorFamily, negated: bool
    ) -> bool:
        if family.readable is not None and not family.readable(r):
            return False  # unreadable request value: positive and negated both false (§2.6)
        hit = False
        for p in policy_values:
            if p is None:  # unresolvable variable: a null value never matches
                continue
            if family.pattern and _ESC in p:
                if _match_escaped(family, r, p):
                    hit = True
                    break
            elif family.compare(r, p):
                hit = True
                break
        return not hit if negated else hit


Check = Callable[[dict[str, "str | tuple[str, ...]"]], bool]


def compile_check(
    operator: OperatorName, key_lower: str, test: Callable[[str], bool], family: OperatorFamily, negated: bool
) -> Check:
    """``Condition.evaluate`` for static policy values, with every decision that
    depends only on the policy taken once (the authorizer's hot path).

    ``check(values)`` takes a ``RequestContext``'s ``_values`` dict (a ``str`` for
    a single-valued key, a tuple for a multivalued one) and returns what
    ``evaluate`` returns, raising the same ``ConditionError`` at the same point:
    a missing or empty key gives the answer ``evaluate`` gives for it (IfExists,
    ForAllValues: true; ForAnyValue: false; else true only for a negated
    operator), a single-valued operator on a multivalued key gives
    ``SINGLE_VALUED_OPERATOR_ON_MULTIVALUED_KEY`` (read when asked, so it stays
    the one place for that rule), and the rest is the loop of ``evaluate``'s
    fast branch with its tests chosen here.
    """
    key = key_lower
    set_op = operator.set_op
    if operator.if_exists or set_op == "ForAllValues":
        miss = True
    elif set_op == "ForAnyValue":
        miss = False
    else:
        miss = operator.negated
    readable = family.readable
    if set_op is None:
        if readable is None and not negated:
            def check(values: dict[str, str | tuple[str, ...]]) -> bool:
                present = values.get(key)
                if type(present) is str:  # single-valued
                    return test(present)
                if not present:
                    return miss
                return SINGLE_VALUED_OPERATOR_ON_MULTIVALUED_KEY
        elif readable is None:
            def check(values: dict[str, str | tuple[str, ...]]) -> bool:
                present = values.get(key)
                if type(present) is str:
                    return not test(present)
                if not present:
                    return miss
                return SINGLE_VALUED_OPERATOR_ON_MULTIVALUED_KEY
        else:
            # readable and test are pure: their joint answer is remembered per value (an
            # ARN's readability is a split of it), and an error is never kept
            def readable_test(r: str) -> bool:
                if not readable(r):
                    return False
                return test(r) != negated

            joint = _remembered(readable_test)

            def check(values: dict[str, str | tuple[str, ...]]) -> bool:
                present = values.get(key)
                if type(present) is str:
                    return joint(present)
                if not present:
                    return miss
                return SINGLE_VALUED_OPERATOR_ON_MULTIVALUED_KEY
        return check
    every = set_op == "ForAllValues"
    if readable is not None:
        def set_check(values: dict[str, str | tuple[str, ...]]) -> bool:
            present = values.get(key)
            if type(present) is str:
                present = (present,)
            elif not present:
                return miss
            if every:
                return all(readable(r) and test(r) != negated for r in present)
            return any(readable(r) and test(r) != negated for r in present)
    else:
        def set_check(values: dict[str, str | tuple[str, ...]]) -> bool:
            present = values.get(key)
            if type(present) is str:
                present = (present,)
            elif not present:
                return miss
            if every:
                return all(test(r) != negated for r in present)
            return any(test(r) != negated for r in present)
    return set_check


#: (test, request value) -> the test's answer, for the tests that parse or split the
#: request value (IP, ARN, number, date): a request's source IP or principal ARN
#: comes again and again. One dict for all conditions, bounded (cleared when full,
#: long values never kept), so no stream of distinct values can grow it. An error
#: is not remembered: the value is parsed again, and raises again.
_ANSWERS: dict[tuple[Callable[[str], bool], str], bool] = {}
_ANSWERS_SIZE = 16384
_ANSWERS_LENGTH = 256


def _remembered(test: Callable[[str], bool]) -> Callable[[str], bool]:
    """``test`` with its answers kept in ``_ANSWERS`` (tests are pure functions of the value)."""
    get = _ANSWERS.get

    def remembered_test(r: str) -> bool:
        key = (test, r)
        hit = get(key)
        if hit is None:
            hit = test(r)
            if len(r) <= _ANSWERS_LENGTH:
                if len(_ANSWERS) >= _ANSWERS_SIZE:
                    _ANSWERS.clear()
                _ANSWERS[key] = hit
        return hit

    return remembered_test


def _precompiled_test(family: OperatorFamily, values: tuple[str, ...]) -> Callable[[str], bool] | None:
    """``r -> any(family.compare(r, p) for p in values)`` with the policy side done once.

    Same results and same errors as the generic loop in ``Condition._match_one``:
    the request value is parsed (and may raise ``ConditionError``) exactly when
    the loop would parse it. Returns None (use the generic loop) when a policy
    value cannot be parsed, since that error must surface at evaluation time,
    or when a value holds the private escape character.
    """
    if not values or any(_ESC in v for v in values):
        return None
    compare = family.compare
    if compare is _string_equals:
        return frozenset(values).__contains__
    if compare is _string_equals_ic:
        folded = frozenset(v.casefold() for v in values)
        return lambda r: r.casefold() in folded
    if compare is _bool:
        wanted = frozenset(v.strip().lower() for v in values)
        # ``bool_request_value(r) in wanted``, answered once for each of its two results
        if_true, if_false = "true" in wanted, "false" in wanted

        def bool_test(r: str) -> bool:
            if r == "true":  # the usual spellings, without stripping and lowering them
                return if_true
            if r == "false":
                return if_false
            return if_true if bool_request_value(r) == "true" else if_false

        return bool_test
    if compare is _string_like:
        return compile_glob_set(values, False).match
    try:
        if compare is _ip:
            nets = tuple(parse_network(v) for v in values)

            def ip_test(r: str) -> bool:
                addr = parse_address(r)
                v = addr.version
                return any(n.version == v and addr in n for n in nets)

            return _remembered(ip_test)
        parsed = _PARSED_FAMILIES.get(compare)
        if parsed is not None:
            parse, op = parsed
            policy = tuple(parse(v) for v in values)

            def parsed_test(r: str) -> bool:
                x = parse(r)
                return any(op(x, p) for p in policy)

            return _remembered(parsed_test)
    except ConditionError:
        return None
    if compare is _arn_like:
        pats = tuple(
            tuple(compile_glob(seg).match for seg in pp) for v in values if (pp := _split_arn(v)) is not None
        )

        def arn_test(r: str) -> bool:
            rp = _split_arn(r)
            if rp is None:
                return False
            return any(all(m(val) for m, val in zip(pp, rp, strict=True)) for pp in pats)

        return _remembered(arn_test)
    return None


# Inserted text inside a pattern must be literal. We mark it with private-use
# delimiters; the runs between them compile as literal pieces (see _match_escaped).
_ESC = "\ue000"


def _escape_glob(text: str) -> str:
    return _ESC + text.replace(_ESC, "") + _ESC


def _escaped_pieces(pattern: str) -> Pieces:
    """``glob <ESC>inserted<ESC> glob`` as pieces: the runs between the markers are literal."""
    return tuple((piece, i % 2 == 1) for i, piece in enumerate(pattern.split(_ESC)))


def _escaped_glob_match(pattern: str, value: str) -> bool:
    return compile_pieces(_escaped_pieces(pattern)).match(value)


def _match_escaped(family: OperatorFamily, r: str, p: str) -> bool:
    if family.compare is _string_like:
        return _escaped_glob_match(p, r)
    rp = _split_arn(r)
    if rp is None:
        return False
    # split the escaped pattern at the first five colons that are outside
    # inserted text, then compare segment by segment.
    segs: list[str] = []
    cur: list[str] = []
    inside = False
    for ch in p:
        if ch == _ESC:
            inside = not inside
            cur.append(ch)
        elif ch == ":" and not inside and len(segs) < 5:
            segs.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    segs.append("".join(cur))
    if len(segs) != 6:
        return False
    return all(_escaped_glob_match(s, v) for s, v in zip(segs, rp, strict=True))
