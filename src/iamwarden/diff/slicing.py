"""Which statements can matter to a diff query: the changed ones, and those whose actions meet them.

A request that NEW allows and OLD denies must owe that to a statement that is
not in both (spec §1.3, read on identity policies):

* OLD allows nothing for it: NEW's allowing statement is not in OLD;
* or an OLD Deny applies (or an OLD statement errors): that statement is not
  in NEW, or it would deny (or error) there too.

So the witness matches a *changed* statement, and a statement whose Action
list meets none of the changed statements' actions cannot match it: it is left
out of both encodings. Equal policies hold at once. This is exact (the engine
still confirms every example against the whole policies); it only makes the
solver's formula smaller. Statements are the same when their JSON (without
``Sid``) and their policy's ``Version`` (which decides whether ``${…}`` is a
variable) are.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Sequence

from ..policy.document import Effect, Policy, Statement


def statement_key(policy: Policy, s: Statement) -> str:
    """What makes two statements the same for evaluation: the statement's JSON without Sid, and Version."""
    raw = policy.document.get("Statement") if isinstance(policy.document, dict) else None
    doc: Any = raw[s.index] if isinstance(raw, list) else raw
    if isinstance(doc, dict):
        doc = {k: v for k, v in doc.items() if k != "Sid"}
    return json.dumps([policy.version, doc], sort_keys=True, separators=(",", ":"))


def globs_meet(a: str, b: str) -> bool:
    """Is there an action both globs match (``*``, ``?``; case-insensitive)? Product automaton, O(len a × len b)."""
    a, b = a.lower(), b.lower()
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        # a star may match nothing
        if i < len(a) and a[i] == "*":
            todo.append((i + 1, j))
        if j < len(b) and b[j] == "*":
            todo.append((i, j + 1))
        if i < len(a) and j < len(b):
            ca, cb = a[i], b[j]
            if ca in "*?" or cb in "*?" or ca == cb:  # one character both accept
                todo.append((i if ca == "*" else i + 1, j if cb == "*" else j + 1))
    return False


def changed_statements(old: Sequence[Policy], new: Sequence[Policy]) -> list[Statement]:
    """The statements a new-access witness must match one of (module docstring)."""
    old_keys = {statement_key(p, s) for p in old for s in p.statements}
    new_keys = {statement_key(p, s) for p in new for s in p.statements}
    out = [s for p in new for s in p.statements
           if s.effect is Effect.ALLOW and statement_key(p, s) not in old_keys]
    out += [s for p in old for s in p.statements
            if (s.effect is Effect.DENY or s.conditions) and statement_key(p, s) not in new_keys]
    return out


def meets(s: Statement, actions: Sequence[str] | None) -> bool:
    """Can ``s`` match a request whose action one of ``actions`` matches (None: any action)?"""
    if actions is None or s.not_action:
        return True
    return any(globs_meet(a, b) for a in s.actions for b in actions)


def sliced(policies: Sequence[Policy], actions: Sequence[str] | None) -> list[Policy]:
    """The policies with only the statements that can match a request for ``actions``."""
    if actions is None:
        return list(policies)
    return [replace(p, statements=tuple(s for s in p.statements if meets(s, actions))) for p in policies]


def witness_actions(changed: Sequence[Statement]) -> list[str] | None:
    """The action globs a witness's action is among (None when a changed statement uses NotAction)."""
    if any(s.not_action for s in changed):
        return None
    return [a for s in changed for a in s.actions]
