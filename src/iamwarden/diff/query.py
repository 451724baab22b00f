"""The two questions: ``CheckNoNewAccess`` and ``CheckAccessNotGranted``, answered by z3.

Every answer is one of three: the property holds (no model exists), it fails
(a concrete request, *confirmed by the engine* before it is reported), or
unknown, with the reason: the time budget ran out, a construct is not encoded
(``Unsupported``), or the engine disagreed with the solver's example (an
encoding gap; reported, never turned into an answer).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Iterator, Sequence

import z3

from ..evaluation import Decision
from ..i18n import N_, Text, Translator, gettext_noop, joined
from ..policy.catalog import catalog
from ..policy.document import Effect, Policy
from .domain import DEFAULT_BUDGET_MS, UNGRANTABLE_ACTIONS, Unsupported
from .encode import encode_policies
from .example import Example, engine_decision, read_example
from .slicing import no_new_access_goals
from .space import RequestSpace, build_space
from .strings import glob_re, lit, union

#: answers
HOLDS = "holds"  # no new access / access not granted
FAILS = "fails"  # new access / access granted
UNKNOWN = "unknown"

#: a prettier example (real action names, ARN-like strings) is looked for within this much of the budget
_TIDY_MS = 3_000
#: how many preferred actions are tried, one literal at a time
_TRIED_LITERALS = 12
#: how many catalogue actions an example may be drawn from (per glob, in all)
_PER_PATTERN = 20
_PREFERRED_MAX = 200


@dataclass(frozen=True, slots=True)
class Answer:
    check: str  # "CheckNoNewAccess" or "CheckAccessNotGranted"
    result: str  # HOLDS, FAILS or UNKNOWN
    example: Example | None = None
    #: why the answer is unknown, marked (``N_``): English in ``str()``, shown in the reader's language
    reason: Text | str | None = None
    seconds: float = 0.0
    #: the engine's decisions on the example: ("new"/"old"/"policy", Decision)
    decisions: tuple[tuple[str, Decision], ...] = field(default=())

    def to_json(self, translate: Translator | None = None) -> dict[str, Any]:
        """The answer; with ``translate``, ``reason`` in its language (the rest is codes and values)."""
        out: dict[str, Any] = {"check": self.check, "result": self.result, "seconds": round(self.seconds, 3)}
        if self.reason:
            out["reason"] = translate.text(self.reason) if translate is not None else str(self.reason)
        if self.example is not None:
            out["example"] = self.example.to_json()
            out["engine"] = {name: d.to_json() for name, d in self.decisions}
        return out


def _tidy(space: RequestSpace, preferred_actions: Sequence[str]) -> Iterator[list[z3.BoolRef]]:
    """Extra constraints, tried in order, that make an example read like a real request.

    A preferred action is tried as one literal at a time: fixing the action to a
    constant is a cheap query, while one regex over the union of them all took
    z3 (4.15) seconds; literals also make the example the same on every run.
    """
    letter = z3.Range("a", "z")
    service = z3.Concat(letter, z3.Star(z3.Union(letter, z3.Range("0", "9"), z3.Re(lit("-")))))
    name = z3.Concat(letter, z3.Star(z3.Union(letter, z3.Range("0", "9"))))
    action = z3.InRe(space.action, z3.Concat(service, z3.Re(lit(":")), name))
    text = z3.Star(z3.Union(z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"),
                            *[z3.Re(lit(c)) for c in ":/._-"]))
    arn = z3.Concat(z3.Re(lit("arn:aws:")), text)
    strings = [z3.InRe(space.resource, z3.Union(arn, z3.Re(lit("*"))))]
    for a in preferred_actions[:_TRIED_LITERALS]:
        known = space.action == lit(a)
        yield [known, *strings]
        yield [known]
    yield [action, *strings]
    yield [action]


def _preferred_actions(policies: Sequence[Policy]) -> list[str]:
    """Actions an example should prefer: the policy's own, then real ones its globs match (from the catalogue)."""
    literal: list[str] = []
    known: list[str] = []
    for p in policies:
        for s in p.statements:
            if s.not_action or s.effect is not Effect.ALLOW:
                continue
            for a in s.actions:
                if "*" not in a and "?" not in a:
                    literal.append(a.lower())
                    continue
                service, _, name = a.partition(":")
                if not name or "*" in service or "?" in service or len(known) >= _PREFERRED_MAX:
                    continue
                info = catalog().actions(service)
                if info is not None:
                    known += [f"{service.lower()}:{x.name.lower()}" for x in info.matching(name)[:_PER_PATTERN]]
    out = list(dict.fromkeys(literal + known[:_PREFERRED_MAX]))
    return [a for a in out if a not in UNGRANTABLE_ACTIONS and a.isascii()]


def _canonical(action: str) -> str:
    """``s3:getobject`` → ``s3:GetObject`` when the catalogue knows it (actions compare case-insensitively)."""
    service, _, name = action.partition(":")
    info = catalog().actions(service) if name else None
    found = info.get(name) if info is not None else None
    return f"{service}:{found.name}" if found is not None else action


def _answer(
    check: str,
    goal_of: Any,
    policies: Sequence[Policy],
    preferred: list[str],
    confirm: Any,
    budget_ms: int,
) -> Answer:
    """Shared driver: build the space, solve, read and confirm the example."""
    start = time.monotonic()
    elapsed = lambda: time.monotonic() - start  # noqa: E731
    try:
        space = build_space(policies)
        goals = goal_of(space)
    except Unsupported as e:
        return Answer(check, UNKNOWN, reason=e.args[0], seconds=elapsed())
    common = space.domain + [space.action != lit(a) for a in UNGRANTABLE_ACTIONS]
    found: z3.Solver | None = None
    stopped: str | None = None
    for goal in goals:  # alternatives: the property fails when any one is satisfiable
        left = budget_ms - int(elapsed() * 1000)
        if left <= 0:
            stopped = stopped or "timeout"
            break
        solver = z3.Solver()
        solver.set("timeout", max(1, left))
        solver.add(*goal, *common)
        result = solver.check()
        if result == z3.sat:
            found = solver
            break
        if result != z3.sat and result != z3.unsat:
            stopped = solver.reason_unknown() or "unknown"
    if found is None:
        if not goals:
            # nothing left after shared statements cancel and slicing: the property holds by the
            # statements' text alone, for every request, so a capped search space does not matter
            return Answer(check, HOLDS, seconds=elapsed())
        if stopped is not None:
            reason = N_("the solver stopped without an answer within {budget_ms} ms ({stopped})", budget_ms=budget_ms,
                        stopped=stopped)
            return Answer(check, UNKNOWN, reason=reason, seconds=elapsed())
        if space.inexact:
            why = joined(space.inexact, gettext_noop("{first}; {second}"))
            return Answer(check, UNKNOWN, reason=why, seconds=elapsed())
        return Answer(check, HOLDS, seconds=elapsed())
    solver = found
    model = solver.model()
    tidy_left = _TIDY_MS
    for extra in _tidy(space, preferred):
        left = min(budget_ms - int(elapsed() * 1000), tidy_left)
        if left <= 0:
            break
        t0 = time.monotonic()
        solver.push()
        solver.add(*extra)
        solver.set("timeout", left)
        if solver.check() == z3.sat:
            model = solver.model()
            solver.pop()
            break
        solver.pop()
        tidy_left -= int((time.monotonic() - t0) * 1000)
    example = read_example(model, space)
    example = replace(example, action=_canonical(example.action))
    decisions, ok = confirm(example)
    if not ok:
        summary = ", ".join(f"{name}: {d.decision}" for name, d in decisions)
        return Answer(check, UNKNOWN, example, N_("the engine does not confirm the solver's example ({summary})",
                                                  summary=summary), elapsed(), decisions)
    return Answer(check, FAILS, example, None, elapsed(), decisions)


def check_no_new_access(
    old: Sequence[Policy], new: Sequence[Policy], budget_ms: int = DEFAULT_BUDGET_MS
) -> Answer:
    """Does ``new`` allow any request that ``old`` denies? (Access Analyzer's ``CheckNoNewAccess``.)"""

    def goal_of(space: RequestSpace) -> list[list[z3.BoolRef]]:
        # exactly new.allowed ∧ ¬old.allowed, as small sliced alternatives (diff/slicing.py)
        return no_new_access_goals(space, old, new)

    def confirm(example: Example) -> tuple[tuple[tuple[str, Decision], ...], bool]:
        d_new, d_old = engine_decision(new, example), engine_decision(old, example)
        return (("new", d_new), ("old", d_old)), d_new.allowed and not d_old.allowed

    return _answer("CheckNoNewAccess", goal_of, [*old, *new], _preferred_actions(new), confirm, budget_ms)


def check_access_not_granted(
    policies: Sequence[Policy],
    actions: Sequence[str],
    resources: Sequence[str] = (),
    budget_ms: int = DEFAULT_BUDGET_MS,
) -> Answer:
    """Does the policy grant none of ``actions`` (on ``resources``, when given)? (``CheckAccessNotGranted``.)

    Actions and resources may be globs, read as in a policy's Action and Resource.
    """

    def goal_of(space: RequestSpace) -> list[list[z3.BoolRef]]:
        for a in [*actions, *resources]:
            if not a.isascii():
                raise Unsupported(N_("{value!r} holds characters outside ASCII; not encoded", value=a))
        goal = [encode_policies(space, policies).allowed,
                z3.InRe(space.action, union([glob_re(a.lower()) for a in actions]))]
        if resources:
            goal.append(z3.InRe(space.resource, union([glob_re(r) for r in resources])))
        return [goal]

    def confirm(example: Example) -> tuple[tuple[tuple[str, Decision], ...], bool]:
        d = engine_decision(policies, example)
        return (("policy", d),), d.allowed

    preferred = [a.lower() for a in actions if "*" not in a and "?" not in a]
    return _answer("CheckAccessNotGranted", goal_of, policies, preferred, confirm, budget_ms)
