"""``CheckNoNewAccess`` as a few small queries instead of one large one (exact).

With ``C`` the Allow statements OLD and NEW share, ``N`` NEW's own and ``O`` OLD's own,
and ``D``/``Dn``/``Do`` the blocking parts (a Deny that applies, or any statement's
condition error, ``encode`` module docstring) shared, NEW's own and OLD's own:

    new.allowed ∧ ¬old.allowed
      ≡ (C ∨ N) ∧ ¬D ∧ ¬Dn ∧ ((¬C ∧ ¬O) ∨ D ∨ Do)
      ≡ (C ∨ N) ∧ ¬D ∧ ¬Dn ∧ ((¬C ∧ ¬O) ∨ Do)            (¬D already holds)
      ≡ ⋁_{n∈N} (n ∧ ¬C ∧ ¬O ∧ ¬D ∧ ¬Dn)  ∨  ⋁_{d∈Do} (d ∧ (C ∨ N) ∧ ¬D ∧ ¬Dn)

A shared statement (same ``Version``, same JSON apart from its ``Sid``) has the same
formula on both sides, which is what lets it cancel: an unchanged policy needs no
solver at all, and a widened statement asks only about requests that statement
allows. Each disjunct is then *sliced*: it requires the request's action to match
one statement's ``Action`` (``n``, ``d``), so a statement whose actions all name
other services (literal, wildcard-free service prefixes: the text before the first
``:``, which a matching action must repeat) cannot apply or err, and is left out; when
that ``Action`` lists literal actions only, a statement whose ``Action`` matches none
of them (the engine's matcher) is left out too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

import z3

from ..policy.document import Effect, Policy
from .encode import StatementFormula, _ConditionEncoder, encode_statement
from .space import RequestSpace
from .strings import lit


@dataclass(frozen=True, slots=True)
class _Part:
    key: str
    formula: StatementFormula
    services: frozenset[str] | None
    #: the statement's actions when every one is a literal (no ``*``/``?``), lower-cased; else None
    literals: frozenset[str] | None

    @property
    def allow(self) -> bool:
        return self.formula.statement.effect is Effect.ALLOW


def _raw_statements(policy: Policy) -> list[Any]:
    doc = policy.document if isinstance(policy.document, dict) else {}
    raw = doc.get("Statement")
    return raw if isinstance(raw, list) else [raw]


def _key(policy: Policy, raw: Any) -> str:
    body = {k: v for k, v in raw.items() if k != "Sid"} if isinstance(raw, dict) else raw
    return json.dumps([policy.version, body], sort_keys=True, default=str)


def _parts(space: RequestSpace, policies: Sequence[Policy], conds: _ConditionEncoder) -> list[_Part]:
    out = []
    for p in policies:
        raws = _raw_statements(p)
        for s in p.statements:
            raw = raws[s.index] if 0 <= s.index < len(raws) else None
            # a statement whose JSON cannot be found is never shared (its key is unique)
            key = _key(p, raw) if raw is not None else f"{id(p)}:{s.index}"
            literal = None if s.not_action or any("*" in a or "?" in a for a in s.actions) else \
                frozenset(a.lower() for a in s.actions)
            out.append(_Part(key, encode_statement(space, p, s, conds), s.service_prefixes, literal))
    return out


def _overlaps(part: _Part, on: _Part) -> bool:
    """Can ``part`` match a request whose action ``on`` matches? Exact "no" answers only: different
    literal services, or ``on``'s literal actions none of which ``part``'s Action matches (the
    engine's own matcher, case-insensitive as IAM compares actions)."""
    if on.literals is not None:
        return any(part.formula.statement.matches_action(a) for a in on.literals)
    return on.services is None or part.services is None or bool(part.services & on.services)


def _blocks(parts: list[_Part]) -> list[tuple[_Part, z3.BoolRef]]:
    out = []
    for p in parts:
        if not p.allow:
            out.append((p, p.formula.applies))
        if not z3.is_false(p.formula.error):
            out.append((p, p.formula.error))
    return out


def no_new_access_goals(space: RequestSpace, old: Sequence[Policy], new: Sequence[Policy]) -> list[list[z3.BoolRef]]:
    """The disjuncts of the module docstring, each a list of constraints (all must hold)."""
    conds = _ConditionEncoder(space)
    po, pn = _parts(space, old, conds), _parts(space, new, conds)
    old_allow = {p.key for p in po if p.allow}
    new_allow = {p.key for p in pn if p.allow}
    new_keys = {p.key for p in pn}
    shared_allow = [p for p in pn if p.allow and p.key in old_allow]
    new_only = [p for p in pn if p.allow and p.key not in old_allow]
    old_only = [p for p in po if p.allow and p.key not in new_allow]
    blocks_new = _blocks(pn)  # D and Dn: every block NEW has
    blocks_old_only = [(p, b) for p, b in _blocks(po) if p.key not in new_keys]

    def absent(items: list[tuple[_Part, z3.BoolRef]], on: _Part) -> list[z3.BoolRef]:
        return [z3.Not(b) for p, b in items if _overlaps(p, on)]

    goals: list[list[z3.BoolRef]] = []
    for n in new_only:
        goals += _per_action(space, n, [n.formula.applies]
                             + absent([(p, p.formula.applies) for p in shared_allow + old_only], n)
                             + absent(blocks_new, n))
    allows = shared_allow + new_only
    for d, b in blocks_old_only:
        candidates = [a.formula.applies for a in allows if _overlaps(a, d)]
        if candidates:
            goals += _per_action(space, d, [b, z3.Or(*candidates)] + absent(blocks_new, d))
    return goals


def _per_action(space: RequestSpace, on: _Part, goal: list[z3.BoolRef]) -> list[list[z3.BoolRef]]:
    """A goal that requires ``on``'s Action, split per literal action when ``on`` lists literal
    actions only: with the action a constant, every statement's action test is decided by
    z3's rewriter before solving (``ec2:StartInstances`` on 12 statements: 10 s unknown → 0.8 s).
    Exact: ``on``'s action test holds only for those strings (lower-cased, as the space holds them)."""
    if on.literals is None:
        return [goal]
    out = []
    for a in sorted(on.literals):
        value = lit(a)
        fixed = [z3.simplify(z3.substitute(c, (space.action, value))) for c in goal]
        if any(z3.is_false(c) for c in fixed):
            continue
        out.append([space.action == value] + [c for c in fixed if not z3.is_true(c)])
    return out
