"""A concrete request read from a solver model, and the engine's verdict on it (the oracle).

The diff speaks about what identity policies *grant*, the question Access
Analyzer's ``CheckNoNewAccess`` answers. The engine decides whole requests, so
the oracle puts the policies in front of a resource side that allows the
caller's account everything: cross-account, where identity policies must allow
and the resource policy does, with no principal-derived keys added
(``derive_keys=False``) and no ``aws:ResourceAccount`` filled in, so the context
holds exactly the example's keys. See ``docs/decisions/diff-request-space.md``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Sequence

import z3

from ..evaluation import Decision, PolicySet, Request, authorize
from ..policy.document import Policy, PolicyKind, parse_policy
from .space import Key, RequestSpace
from .strings import lit

PROBE_ACCOUNT = "111122223333"
PROBE_CALLER = f"arn:aws:iam::{PROBE_ACCOUNT}:user/iamwarden-diff-probe"
_RESOURCE_SIDE = parse_policy(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PROBE_ACCOUNT}:root"}, "Action": "*",
             "Resource": "*"}
        ],
    },
    PolicyKind.RESOURCE,
    "resource side (allows the caller's account)",
)

#: values that do not parse for their family (the engine's evaluation error)
BAD_VALUE = {"numeric": "not-a-number", "date": "not-a-date", "ip": "not-an-ip"}


@dataclass(frozen=True, slots=True)
class Example:
    """A request: action, resource and context (key → value, or list of values when multivalued)."""

    action: str
    resource: str
    context: dict[str, str | list[str]]

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "resource": self.resource, "context": self.context}

    def request(self) -> Request:
        return Request.build(PROBE_CALLER, self.action, self.resource, context=self.context,
                             resource_account="*", derive_keys=False)


def engine_decision(policies: Sequence[Policy], example: Example) -> Decision:
    """The oracle: the engine's decision on ``example`` under these identity policies."""
    return authorize(example.request(), PolicySet(identity=tuple(policies), resource=_RESOURCE_SIDE))


_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}")


def _text(model: z3.ModelRef, term: z3.SeqRef) -> str:
    """A model's string. ``as_string`` writes ambiguous characters as ``\\u{..}``; read them back and check."""
    raw = model.eval(term, model_completion=True).as_string()
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), raw)
    if not z3.is_true(model.eval(term == lit(text), model_completion=True)):
        raise ValueError(f"could not read the solver's string {raw!r}")
    return text


def _bool(model: z3.ModelRef, term: z3.BoolRef) -> bool:
    return z3.is_true(model.eval(term, model_completion=True))


def _int(model: z3.ModelRef, term: z3.ArithRef | z3.BitVecRef) -> int:
    v = model.eval(term, model_completion=True)
    return int(v.as_long())


def _number(n: int, scale: int) -> str:
    places = len(str(scale)) - 1
    return format(Decimal(n).scaleb(-places), "f")


def _date(n: int, scale: int) -> str:
    t = Fraction(n, scale)
    if t.denominator == 1:
        try:
            return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (OverflowError, OSError, ValueError):
            return str(int(t))
    k = t.denominator.bit_length() - 1  # a power of two: n / 2**k == n * 5**k / 10**k exactly
    return format(Decimal(t.numerator * 5**k).scaleb(-k), "f")


def _value(model: z3.ModelRef, key: Key, i: int) -> str:
    slot = key.slots[i]
    if key.family == "string":
        assert slot.text is not None
        return _text(model, slot.text)
    assert slot.bad is not None
    if _bool(model, slot.bad):
        return BAD_VALUE[key.family]
    if key.family == "ip":
        assert slot.address is not None and slot.v6 is not None
        n = _int(model, slot.address)
        return str(ipaddress.IPv6Address(n) if _bool(model, slot.v6) else ipaddress.IPv4Address(n))
    assert slot.number is not None
    n = _int(model, slot.number)
    return _number(n, key.scale) if key.family == "numeric" else _date(n, key.scale)


def read_example(model: z3.ModelRef, space: RequestSpace) -> Example:
    context: dict[str, str | list[str]] = {}
    for key in space.keys.values():
        if not _bool(model, key.present):
            continue
        if _bool(model, key.multi):
            context[key.name] = [_value(model, key, i) for i in range(_int(model, key.count))]
        else:
            context[key.name] = _value(model, key, 0)
    return Example(_text(model, space.action), _text(model, space.resource), context)
