"""Policies as z3 formulas over a ``RequestSpace``: exactly the engine's decision (spec §1.3).

Each condition evaluates to one of three outcomes, as in ``policy.conditions``:
true, false, or an evaluation *error* (a value that does not parse as a number,
date or IP address). The authorizer reads a statement's conditions in order and
stops at the first that is not true; an error there makes an Allow not apply and
a Deny apply, and any error at all turns the final Allow into a deny
(``authorizer._Evaluation.decision``). So for identity policies:

    allowed  ⟺  some Allow statement applies
                ∧ no Deny statement applies
                ∧ no statement whose action and resource match reaches an error.

Within a condition the engine also stops early: a policy-value list stops at its
first hit, ``ForAnyValue`` at its first true value, ``ForAllValues`` at its first
false one; an error is raised only if it is reached. The encoding follows the same order.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Sequence

import z3

from ..i18n import N_, Text
from ..policy.conditions import Condition, ConditionError, parse_date, parse_network, parse_number
from ..policy.document import Effect, Policy, Statement
from .domain import Unsupported
from .space import OPERATOR_FAMILIES, Key, RequestSpace, Slot, scaled_date, scaled_number
from .strings import arn_re, glob_re, ignore_case_re, lit, pattern_match, substituted, union

_TRUE = z3.BoolVal(True)
_FALSE = z3.BoolVal(False)


@dataclass(frozen=True, slots=True)
class Outcome:
    """``true``: evaluates to true without error; ``error``: raises. Neither: false."""

    true: z3.BoolRef
    error: z3.BoolRef = _FALSE


def _compare(op: str, x: z3.ArithRef, c: int) -> z3.BoolRef:
    return {"==": x == c, "<": x < c, "<=": x <= c, ">": x > c, ">=": x >= c}[op]


class _ConditionEncoder:
    def __init__(self, space: RequestSpace):
        self.space = space

    # -- one request value against the policy values (``Condition._match_one``) --

    def one(self, c: Condition, key: Key, slot: Slot) -> Outcome:
        family, how = OPERATOR_FAMILIES[c.operator.base]
        negated = c.operator.negated
        if family == "string":
            hit = self.string_hit(c, how, slot)
            return Outcome(z3.Not(hit) if negated else hit)
        assert slot.bad is not None
        # parse the policy values once; the engine raises at the first one it reaches that does not parse
        hits: list[z3.BoolRef] = []
        bad_value = False
        for v in c.values:
            try:
                hits.append(self.parsed_hit(family, how, key, slot, v))
            except ConditionError:
                bad_value = True
                break
        hit = z3.Or(*hits) if hits else _FALSE
        error = z3.Or(slot.bad, z3.Not(hit)) if bad_value else slot.bad
        return Outcome(z3.And(z3.Not(error), z3.Xor(hit, z3.BoolVal(negated))), error)

    def string_hit(self, c: Condition, how: str, slot: Slot) -> z3.BoolRef:
        r = slot.text
        assert r is not None
        static: list[str] = []
        hits: list[z3.BoolRef] = []
        for value, parts in zip(c.values, c._parts or (None,) * len(c.values), strict=True):
            if parts is None:
                static.append(value)
                continue
            if how == "eq":
                defined, text = substituted(parts, self.space.variable)
                hits.append(z3.And(defined, r == text))
            elif how == "like":
                hits.append(pattern_match(r, parts, self.space.variable))
            else:
                raise Unsupported(N_("{operator} with a policy variable is not encoded", operator=c.operator.text))
        if static:
            if how == "eq":
                hits.append(z3.Or(*[r == lit(v) for v in static]))
            elif how == "eq_ic":
                hits.append(z3.InRe(r, union([ignore_case_re(v.casefold()) for v in static])))
            elif how == "like":
                hits.append(z3.InRe(r, union([glob_re(v) for v in static])))
            elif how == "bool":
                hits.append(z3.InRe(r, union([_bool_re(v) for v in static])))
            else:
                hits.append(z3.InRe(r, union([arn_re(v) for v in static])))
        return z3.Or(*hits) if len(hits) != 1 else hits[0]

    def parsed_hit(self, family: str, how: str, key: Key, slot: Slot, value: str) -> z3.BoolRef:
        """One comparison against a policy value; raises ``ConditionError`` if that value does not parse."""
        if family == "numeric":
            parse_number(value)
            assert slot.number is not None
            return _compare(how, slot.number, scaled_number(value, key.scale))
        if family == "date":
            parse_date(value)
            assert slot.number is not None
            return _compare(how, slot.number, scaled_date(value, key.scale))
        net = parse_network(value)
        assert slot.address is not None and slot.v6 is not None
        width = 32 if isinstance(net, ipaddress.IPv4Network) else 128
        mask = z3.BitVecVal(int(net.netmask), 128)
        inside = (slot.address & mask) == z3.BitVecVal(int(net.network_address), 128)
        return z3.And(slot.v6 if width == 128 else z3.Not(slot.v6), inside)

    # -- the whole condition (``Condition.evaluate``) --

    def condition(self, c: Condition) -> Outcome:
        key = self.space.key(c.key)
        op = c.operator
        if op.is_null:
            want = []
            for v in c.values:
                s = v.strip().lower()
                if s == "true":
                    want.append(z3.Not(key.present))
                elif s == "false":
                    want.append(key.present)
            return Outcome(z3.Or(*want) if want else _FALSE)
        if op.if_exists or op.set_op == "ForAllValues":
            absent = _TRUE
        elif op.set_op == "ForAnyValue":
            absent = _FALSE
        else:
            absent = z3.BoolVal(op.negated)
        if op.set_op is None:
            o = self.one(c, key, key.slots[0])
            # a single-valued operator on a multivalued key is false (SINGLE_VALUED_OPERATOR_ON_MULTIVALUED_KEY)
            present = Outcome(z3.And(z3.Not(key.multi), o.true), z3.And(z3.Not(key.multi), o.error))
        else:
            outs = [self.one(c, key, s) for s in key.slots]
            present = _for_all(key, outs) if op.set_op == "ForAllValues" else _for_any(key, outs)
        return Outcome(
            z3.If(key.present, present.true, absent),
            z3.And(key.present, present.error),
        )


def _for_all(key: Key, outs: list[Outcome]) -> Outcome:
    """``all(...)`` over the values in order: stops at the first false one."""
    true: list[z3.BoolRef] = []
    errors: list[z3.BoolRef] = []
    before: list[z3.BoolRef] = []
    for i, o in enumerate(outs):
        active = key.count > i
        true.append(z3.Implies(active, o.true))
        errors.append(z3.And(active, o.error, *before))
        before.append(o.true)
    return Outcome(z3.And(*true), z3.Or(*errors))


def _for_any(key: Key, outs: list[Outcome]) -> Outcome:
    """``any(...)`` over the values in order: stops at the first true one."""
    true: list[z3.BoolRef] = []
    errors: list[z3.BoolRef] = []
    before: list[z3.BoolRef] = []
    for i, o in enumerate(outs):
        active = key.count > i
        true.append(z3.And(active, o.true, *before))
        errors.append(z3.And(active, o.error, *before))
        before.append(z3.Not(z3.Or(o.true, o.error)))
    return Outcome(z3.Or(*true), z3.Or(*errors))


def _bool_re(value: str) -> z3.ReRef:
    """``Bool``: ``r.strip().lower() == value.strip().lower()`` over printable ASCII."""
    spaces = z3.Star(z3.Re(lit(" ")))
    core = value.strip().lower()
    if not core:
        return spaces
    return z3.Concat(spaces, ignore_case_re(core), spaces)


@dataclass(frozen=True, slots=True)
class StatementFormula:
    policy: str
    statement: Statement
    applies: z3.BoolRef
    error: z3.BoolRef


@dataclass(frozen=True, slots=True)
class PolicyFormula:
    """``allowed``: the engine allows the request; per-statement parts for explanations."""

    allowed: z3.BoolRef
    statements: tuple[StatementFormula, ...]


def _any(items: list[z3.BoolRef]) -> z3.BoolRef:
    return z3.Or(*items) if items else _FALSE


def _ascii(text: str, where: Text) -> None:
    if not text.isascii():
        raise Unsupported(N_("{where} holds characters outside ASCII ({text!r}); not encoded", where=where, text=text))


def encode_statement(space: RequestSpace, policy: Policy, s: Statement, conds: _ConditionEncoder) -> StatementFormula:
    where = N_("{policy} statement {statement}", policy=policy.name, statement=s.index)
    for a in s.actions:
        _ascii(a, where)
    action = z3.InRe(space.action, union([glob_re(a.lower()) for a in s.actions]))
    if s.not_action:
        action = z3.Not(action)
    resource: z3.BoolRef = _TRUE
    if s.resources is not None:
        static = [r.text for r in s.resources if r.parts is None]
        hits = []
        for r in s.resources:
            _ascii(r.text, where)
        if static:
            hits.append(z3.InRe(space.resource, union([glob_re(t) for t in static])))
        for r in s.resources:
            if r.parts is not None:
                hits.append(pattern_match(space.resource, r.parts, space.variable))
        resource = z3.Or(*hits) if len(hits) != 1 else hits[0]
        if s.not_resource:
            resource = z3.Not(resource)
    trues: list[z3.BoolRef] = []
    errors: list[z3.BoolRef] = []
    for c in s.conditions:
        for v in c.values:
            _ascii(v, N_("{where} condition {operator} {key}", where=where, operator=c.operator.text, key=c.key))
        o = conds.condition(c)
        errors.append(z3.And(o.error, *trues))
        trues.append(o.true)
    matched = z3.And(action, resource)
    return StatementFormula(
        policy.name,
        s,
        z3.And(matched, *trues),
        z3.And(matched, z3.Or(*errors)) if errors else _FALSE,
    )


def encode_policies(space: RequestSpace, policies: Sequence[Policy]) -> PolicyFormula:
    """The engine's identity-policy decision as one formula (see the module docstring)."""
    conds = _ConditionEncoder(space)
    parts = tuple(encode_statement(space, p, s, conds) for p in policies for s in p.statements)
    allows = [f.applies for f in parts if f.statement.effect is Effect.ALLOW]
    denies = [f.applies for f in parts if f.statement.effect is Effect.DENY]
    errors = [f.error for f in parts]
    blocked = denies + errors
    allowed = z3.And(_any(allows), z3.Not(_any(blocked)))
    return PolicyFormula(allowed, parts)
