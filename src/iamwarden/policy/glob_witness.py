"""One string that every glob of a few matches: a name for a resource several statements allow.

The analysis asks the engine about a resource the caller would create (a Lambda function it
creates *and* invokes, a stack set it creates and deploys). When each action is allowed on a
different Resource pattern, the caller can do both only on a name matching all of them:
``function:a*`` and ``function:*-prod`` meet at ``function:a-prod``, ``function:a*`` and
``function:b*`` never meet. ``common_match`` finds such a name, or says there is none.

Globs are IAM's: ``*`` is any run of characters (``/`` and ``:`` included), ``?`` one
character, everything else itself, case-sensitive (Resource ARNs). The search is a
breadth-first walk of the product of the patterns' positions, so it takes at most
``limit`` states whatever the text (no backtracking), and returns None when the limit is
reached: the caller then has no witness, which is the answer that fails closed (no edge).
"""

from __future__ import annotations

from collections import deque
from functools import lru_cache
from typing import Any, Sequence

#: the character written where a wildcard takes a character no pattern asks for
FILLER = "x"

#: states the search may visit (positions in every pattern at once)
DEFAULT_LIMIT = 20_000

#: patterns one search takes: a state's star closure has up to 2 ** n members
MAX_PATTERNS = 8


def shortest_match(pattern: str) -> str:
    """The shortest string one glob matches: ``*`` matches nothing, ``?`` the ``FILLER``
    (a value for a condition key that a ``StringLike`` pattern allows)."""
    return pattern.replace("*", "").replace("?", FILLER)


def common_match(patterns: Sequence[str], limit: int = DEFAULT_LIMIT, fixed_colons: int = 0) -> str | None:
    """See ``_common_match``."""
    return common_match_counted(patterns, limit, fixed_colons)[0]


def common_match_counted(patterns: Sequence[str], limit: int = DEFAULT_LIMIT,
                         fixed_colons: int = 0) -> tuple[str | None, int]:
    """``common_match`` and the states its search visits, so a caller asking many combinations
    can share one budget among them. Memoised for short patterns (the analysis asks the same
    few combinations for every policy setup holding them); a memoised answer reports the
    states its search took, so a budget runs out at the same choice whatever the cache holds
    (the answers of every process of a split audit stay the same)."""
    pats = tuple(patterns)
    if sum(map(len, pats)) <= _CACHED_TEXT:
        return _cached(pats, limit, fixed_colons)
    return _common_match(pats, limit, fixed_colons)


#: patterns longer than this in all are searched afresh: the cache must not hold hostile text
_CACHED_TEXT = 4096


@lru_cache(maxsize=4096)
def _cached(pats: tuple[str, ...], limit: int, fixed_colons: int) -> tuple[str | None, int]:
    return _common_match(pats, limit, fixed_colons)


def _common_match(patterns: Sequence[str], limit: int, fixed_colons: int) -> tuple[str | None, int]:
    """The shortest string matching every glob of ``patterns`` (None: none does, or more than
    ``limit`` states would be needed to tell), and the states visited. ``*`` prefers to take nothing; ``?`` and a
    ``*`` that must take a character take ``FILLER`` unless another pattern needs a literal.

    ``fixed_colons``: the witness's first that many ``:`` must be literal ``:`` in every
    pattern (no wildcard takes them). For ARNs (5): ``arn:aws:lambda:*:1111:function:a*``
    and ``...:function:b*`` both match ``arn:aws:lambda::1111:function:b:1111:function:a``
    as text (the region's ``*`` takes the colons), which is no function; with the header's
    colons fixed, a wildcard stays within its field there and the two never meet, as the
    functions they name never do."""
    if len(patterns) > MAX_PATTERNS:
        return None, 0
    # a run of stars matches what one star does: collapsed, a state's closure has at most
    # 2 ** len(pats) members whatever the text
    pats = tuple(_collapse(p) for p in patterns)
    if not pats:
        return "", 0
    State = tuple[tuple[int, ...], int]  # positions in each pattern, fixed colons written (capped)
    parent: dict[State, tuple[State, str] | None] = {}
    queue: deque[State] = deque()
    for s in _closure((0,) * len(pats), pats):
        if (s, 0) not in parent:
            parent[(s, 0)] = None
            queue.append((s, 0))
    while queue:
        state = queue.popleft()
        pos, colons = state
        if all(i == len(p) for i, p in zip(pos, pats, strict=True)):
            return _spell(state, parent), len(parent)
        for ch in _choices(pos, pats):
            fixed = ch == ":" and colons < fixed_colons
            step = _step(pos, pats, ch, fixed)
            if step is None:
                continue
            written = colons + 1 if fixed else colons
            for nxt in _closure(step, pats):
                key = (nxt, written)
                if key in parent:
                    continue
                if len(parent) >= limit:
                    return None, len(parent)
                parent[key] = (state, ch)
                queue.append(key)
    return None, len(parent)


def _collapse(pattern: str) -> str:
    out: list[str] = []
    for ch in pattern:
        if ch != "*" or not out or out[-1] != "*":
            out.append(ch)
    return "".join(out)


def _choices(state: tuple[int, ...], pats: tuple[str, ...]) -> list[str]:
    """The characters worth emitting here: the literals some pattern needs next, and the filler
    (any other character behaves as it does)."""
    out: list[str] = []
    for i, p in zip(state, pats, strict=True):
        if i < len(p) and p[i] not in "*?" and p[i] not in out:
            out.append(p[i])
    if FILLER not in out:
        out.append(FILLER)
    return out


def _step(state: tuple[int, ...], pats: tuple[str, ...], ch: str, literal: bool) -> tuple[int, ...] | None:
    """Every pattern takes ``ch``: a ``*`` stays, a ``?`` or the same literal moves on; None if
    some pattern cannot take it (``literal``: only a literal ``ch`` may)."""
    out = []
    for i, p in zip(state, pats, strict=True):
        if i >= len(p):
            return None
        c = p[i]
        if c == ch:
            out.append(i + 1)
        elif literal:
            return None
        elif c == "*":
            out.append(i)
        elif c == "?":
            out.append(i + 1)
        else:
            return None
    return tuple(out)


def _closure(state: tuple[int, ...], pats: tuple[str, ...]) -> list[tuple[int, ...]]:
    """``state`` and the states reached from it by letting a star take nothing, for each
    pattern independently (stars are collapsed: at most 2 ** len(pats) states)."""
    options: list[list[int]] = []
    for i, p in zip(state, pats, strict=True):
        opts = [i]
        j = i
        while j < len(p) and p[j] == "*":
            j += 1
            opts.append(j)
        options.append(opts)
    out: list[tuple[int, ...]] = [()]
    for opts in options:
        out = [(*o, j) for o in out for j in opts]
    return out


def _spell(state: Any, parent: dict[Any, Any]) -> str:
    chars = []
    cur = state
    while True:
        link = parent[cur]
        if link is None:
            break
        cur, ch = link
        chars.append(ch)
    return "".join(reversed(chars))
