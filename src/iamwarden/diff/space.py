"""The request space as z3 symbols: action, resource, and each condition key the policies read.

A request (spec §1.1) is searched as:

* ``action``: lower-case printable ASCII (actions compare case-insensitively, §2.3);
* ``resource``: printable ASCII;
* per condition key named anywhere in the policies (conditions and variables):
  whether it is present, whether it is multivalued, how many values it holds and
  the values themselves, in slots. A key's *family* follows the operators that read
  it: strings (String*, Bool, Arn*), numbers, dates or IP addresses. A key read by
  two families (a number compared as a string) is not encoded: ``Unsupported``.

Multivalued keys follow ``evaluation.context``: a key in ``KNOWN_MULTIVALUED`` is
always a set; a one-element list collapses to a single value for ``aws:``,
``sts:`` and ``iam:`` keys, so a multivalued such key holds at least two values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterable, Sequence

import z3

from ..evaluation.context import KNOWN_MULTIVALUED, KNOWN_SINGLE_PREFIXES
from ..i18n import N_, Text, gettext_noop, joined
from ..policy.conditions import Condition, ConditionError, parse_date, parse_number
from ..policy.document import Policy
from ..policy.variables import Variable
from .domain import DATE_LIMIT, MAX_DATE_SCALE, MAX_DECIMAL_PLACES, MAX_SLOTS, Unsupported
from .strings import ALPHABET

#: operator base name → (family, comparison); negation comes from the operator name
OPERATOR_FAMILIES: dict[str, tuple[str, str]] = {
    **{n: ("string", "eq") for n in ("StringEquals", "StringNotEquals")},
    **{n: ("string", "eq_ic") for n in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase")},
    **{n: ("string", "like") for n in ("StringLike", "StringNotLike")},
    "Bool": ("string", "bool"),
    **{n: ("string", "arn") for n in ("ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike")},
    **{n: ("numeric", "==") for n in ("NumericEquals", "NumericNotEquals")},
    "NumericLessThan": ("numeric", "<"),
    "NumericLessThanEquals": ("numeric", "<="),
    "NumericGreaterThan": ("numeric", ">"),
    "NumericGreaterThanEquals": ("numeric", ">="),
    **{n: ("date", "==") for n in ("DateEquals", "DateNotEquals")},
    "DateLessThan": ("date", "<"),
    "DateLessThanEquals": ("date", "<="),
    "DateGreaterThan": ("date", ">"),
    "DateGreaterThanEquals": ("date", ">="),
    **{n: ("ip", "in") for n in ("IpAddress", "NotIpAddress")},
    "BinaryEquals": ("binary", "eq"),
}


@dataclass(frozen=True, slots=True)
class Slot:
    """One value of a key. Which fields are used depends on the key's family."""

    text: z3.SeqRef | None = None  # string family
    bad: z3.BoolRef | None = None  # number/date/IP: the value does not parse (an evaluation error)
    number: z3.ArithRef | None = None  # number/date: value × scale
    v6: z3.BoolRef | None = None  # IP: an IPv6 address (else IPv4)
    address: z3.BitVecRef | None = None  # IP: 128 bits (IPv4 in the low 32)


@dataclass(frozen=True, slots=True)
class Key:
    name: str  # as first written in a policy
    key: str  # lower-cased: key names are case-insensitive
    family: str
    present: z3.BoolRef
    multi: z3.BoolRef
    count: z3.ArithRef
    slots: tuple[Slot, ...]
    scale: int = 1  # numbers and dates: stored value = real value × scale

    def active(self, i: int) -> z3.BoolRef:
        return z3.And(self.present, self.count > i)

    @property
    def single(self) -> z3.BoolRef:
        """``RequestContext.single`` has a value: present with one value, not multivalued."""
        return z3.And(self.present, z3.Not(self.multi))


@dataclass(slots=True)
class RequestSpace:
    action: z3.SeqRef
    resource: z3.SeqRef
    keys: dict[str, Key]
    domain: list[z3.BoolRef]
    #: reasons a "no new access" answer would not be exact (slots capped)
    inexact: list[Text] = field(default_factory=list)

    def key(self, name: str) -> Key:
        return self.keys[name.lower()]

    def variable(self, key: str, default: str | None) -> tuple[z3.BoolRef, z3.SeqRef]:
        """A policy variable's value (spec §2.8): the key's single value, else its default."""
        from .strings import lit

        k = self.keys[key]
        if k.family != "string":
            raise Unsupported(N_("${{{key}}} inserts a {family} key into text; not encoded", key=key, family=k.family))
        value = k.slots[0].text
        assert value is not None
        if default is None:
            return k.single, value
        return z3.BoolVal(True), z3.If(k.single, value, lit(default))


def _uses(policies: Iterable[Policy]) -> Iterable[tuple[str, str | None, str | None, Condition | None]]:
    """(key as written, family or None, set operator, condition) for every key a policy reads."""
    for p in policies:
        for s in p.statements:
            for r in s.resources or ():
                for part in r.parts or ():
                    if isinstance(part, Variable):
                        yield part.key, "string", None, None
            for c in s.conditions:
                if c.operator.is_null:
                    yield c.key, None, None, c
                    continue
                family = OPERATOR_FAMILIES[c.operator.base][0]
                yield c.key, family, c.operator.set_op, c
                for parts in c._parts:
                    for part in parts or ():
                        if isinstance(part, Variable):
                            yield part.key, "string", None, None


def _decimal_places(values: Iterable[str]) -> int:
    places = 0
    for v in values:
        try:
            d = parse_number(v)
        except ConditionError:
            continue
        exp = d.as_tuple().exponent
        assert isinstance(exp, int)
        places = max(places, -exp)
    return places


def _date_scale(values: Iterable[str]) -> int:
    denominator = 1
    for v in values:
        try:
            t = Fraction(parse_date(v))
        except ConditionError:
            continue
        if abs(t) >= DATE_LIMIT:
            raise Unsupported(N_("date {value!r} lies outside the searched range (±2**40 s)", value=v))
        denominator = max(denominator, t.denominator)
    scale = 2 * denominator  # a grid point strictly between any two neighbouring constants
    if scale > MAX_DATE_SCALE:
        raise Unsupported(N_("a date constant with sub-second precision finer than 1/128 s is not encoded"))
    return scale


def scaled_number(text: str, scale: int) -> int:
    d = parse_number(text) * scale
    assert d == d.to_integral_value()
    return int(d)


def scaled_date(text: str, scale: int) -> int:
    t = Fraction(parse_date(text)) * scale
    assert t.denominator == 1
    return int(t)


def build_space(policies: Sequence[Policy], name: str = "r") -> RequestSpace:
    """Symbols for every request the policies can tell apart, with their domain constraints."""
    families: dict[str, set[str]] = {}
    written: dict[str, str] = {}
    set_conditions: dict[str, int] = {}
    constants: dict[str, list[str]] = {}
    for key, family, set_op, cond in _uses(policies):
        k = key.lower()
        written.setdefault(k, key)
        fams = families.setdefault(k, set())
        if family is not None:
            fams.add(family)
        if set_op is not None:
            set_conditions[k] = set_conditions.get(k, 0) + 1
        if cond is not None and family in ("numeric", "date"):
            constants.setdefault(k, []).extend(cond.values)
    action = z3.String(f"{name}.action")
    resource = z3.String(f"{name}.resource")
    lower_ascii = z3.Star(z3.Union(z3.Range(" ", "@"), z3.Range("[", "~")))
    domain: list[z3.BoolRef] = [z3.InRe(action, lower_ascii), z3.InRe(resource, ALPHABET)]
    keys: dict[str, Key] = {}
    inexact: list[Text] = []
    for k, fams in sorted(families.items()):
        if "binary" in fams:
            raise Unsupported(N_("BinaryEquals on {key} is not encoded", key=written[k]))
        if len(fams) > 1:
            raise Unsupported(N_("{key} is read as {families}; not encoded", key=written[k],
                                     families=joined(sorted(fams), gettext_noop("{first} and as {second}"))))
        family = next(iter(fams), "string")
        wanted = max(2, set_conditions.get(k, 0))
        if wanted > MAX_SLOTS:
            inexact.append(N_("{key} has {wanted} set-operator conditions; searched with {slots} values",
                              key=written[k], wanted=wanted, slots=MAX_SLOTS))
        n = min(wanted, MAX_SLOTS)
        scale = 1
        if family == "numeric":
            places = _decimal_places(constants.get(k, ())) + 1
            if places > MAX_DECIMAL_PLACES:
                raise Unsupported(N_("a number on {key} has more than {places} decimal places", key=written[k],
                                         places=MAX_DECIMAL_PLACES - 1))
            scale = 10**places
        elif family == "date":
            scale = _date_scale(constants.get(k, ()))
        base = f"{name}.ctx[{k}]"
        present = z3.Bool(f"{base}.present")
        multi = z3.Bool(f"{base}.multi")
        count = z3.Int(f"{base}.count")
        domain += [count >= 1, count <= n, z3.Implies(z3.Not(multi), count == 1)]
        if k in KNOWN_MULTIVALUED:
            domain.append(multi)
        elif k.startswith(KNOWN_SINGLE_PREFIXES):
            domain.append(z3.Implies(multi, count >= 2))
        slots = []
        for i in range(n):
            sname = f"{base}[{i}]"
            if family == "string":
                text = z3.String(sname)
                domain.append(z3.InRe(text, ALPHABET))
                slots.append(Slot(text=text))
            elif family in ("numeric", "date"):
                num = z3.Int(f"{sname}.value")
                if family == "date":
                    domain += [num > -DATE_LIMIT * scale, num < DATE_LIMIT * scale]
                slots.append(Slot(bad=z3.Bool(f"{sname}.bad"), number=num))
            else:
                addr = z3.BitVec(f"{sname}.address", 128)
                v6 = z3.Bool(f"{sname}.v6")
                domain.append(z3.Or(v6, z3.ULT(addr, z3.BitVecVal(1 << 32, 128))))
                slots.append(Slot(bad=z3.Bool(f"{sname}.bad"), v6=v6, address=addr))
        keys[k] = Key(written[k], k, family, present, multi, count, tuple(slots), scale)
    return RequestSpace(action, resource, keys, domain, inexact)


__all__ = ["Key", "OPERATOR_FAMILIES", "RequestSpace", "Slot", "build_space"]
