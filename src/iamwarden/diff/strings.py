"""Strings and globs as z3 terms: literals, IAM wildcards as regexes, patterns with variables.

Spec §2.3/§2.4: ``*`` matches any run of characters (``/`` and ``:`` included),
``?`` exactly one, over the whole string. z3's regexes are decided by automata,
not by backtracking, so a pattern of many stars costs the solver states, not
exponential time; the per-query budget (``domain.DEFAULT_BUDGET_MS``) bounds the rest.

Policy variables (spec §2.8) insert a request value *literally* into a pattern,
which a regex cannot express (its alphabet is fixed), so a pattern holding one
is matched by position instead: prefix, suffix and the part between them. That
is exact when the variables sit outside the stars' middle stretch, or the middle
is one wildcard-free piece (``*${aws:userid}*``); other shapes are ``Unsupported``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import z3

from ..i18n import N_
from ..policy.variables import Fixed, Literal, Part
from .domain import FIRST_CHAR, LAST_CHAR, Unsupported

_RE_SORT = z3.ReSort(z3.StringSort())
ANY_CHAR = z3.AllChar(_RE_SORT)
ANY_STRING = z3.Star(ANY_CHAR)
NOTHING = z3.Empty(_RE_SORT)
#: one character of the request alphabet other than ``:`` (an ARN segment's character)
_NON_COLON = z3.Union(z3.Range(FIRST_CHAR, "9"), z3.Range(";", LAST_CHAR))
ALPHABET = z3.Star(z3.Range(FIRST_CHAR, LAST_CHAR))


def lit(text: str) -> z3.SeqRef:
    """A string constant. z3 reads ``\\u{..}`` escapes inside ``StringVal``, so every
    character is written as its escape: a policy's backslashes stay backslashes."""
    return z3.StringVal("".join("\\u{%x}" % ord(c) for c in text))


def _re_lit(text: str) -> z3.ReRef:
    return z3.Re(lit(text))


def glob_re(pattern: str, segment: bool = False) -> z3.ReRef:
    """An IAM glob as a regex; ``segment``: wildcards stop at ``:`` (an ARN segment)."""
    star = z3.Star(_NON_COLON) if segment else ANY_STRING
    one = _NON_COLON if segment else ANY_CHAR
    pieces: list[z3.ReRef] = []
    for chunk in re.split(r"([*?])", pattern):
        if chunk == "*":
            if not (pieces and pieces[-1].eq(star)):  # ``**`` is ``*``
                pieces.append(star)
        elif chunk == "?":
            pieces.append(one)
        elif chunk:
            pieces.append(_re_lit(chunk))
    if not pieces:
        return _re_lit("")
    return pieces[0] if len(pieces) == 1 else z3.Concat(*pieces)


def union(res: list[z3.ReRef]) -> z3.ReRef:
    if not res:
        return NOTHING
    return res[0] if len(res) == 1 else z3.Union(*res)


def ignore_case_re(folded: str) -> z3.ReRef:
    """Strings whose ASCII lower-casing is ``folded`` (already lower case)."""
    pieces: list[z3.ReRef] = []
    for ch in folded:
        up = ch.upper()
        pieces.append(z3.Union(_re_lit(ch), _re_lit(up)) if up != ch and len(up) == 1 else _re_lit(ch))
    if not pieces:
        return _re_lit("")
    return pieces[0] if len(pieces) == 1 else z3.Concat(*pieces)


def arn_re(pattern: str) -> z3.ReRef:
    """``ArnLike``/``ArnEquals`` (spec §2.6): six ``:``-separated parts, each a glob.

    The request value is split at its first five colons, so the first five
    parts hold no ``:`` and their wildcards cannot cross one; a pattern without
    six parts matches nothing.
    """
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return NOTHING
    pieces: list[z3.ReRef] = []
    for i, part in enumerate(parts):
        if i:
            pieces.append(_re_lit(":"))
        pieces.append(glob_re(part, segment=i < 5))
    return z3.Concat(*pieces)


# --- patterns and values holding policy variables ---------------------------

#: resolves a variable: (key, default) -> (resolvable, inserted text)
VariableValue = Callable[[str, "str | None"], "tuple[z3.BoolRef, z3.SeqRef]"]


@dataclass(frozen=True, slots=True)
class _Term:
    """Inserted text (a variable's value or ``${*}``-style character): always literal."""

    term: z3.SeqRef


_Atom = str | _Term  # str: policy text without ``*`` (may hold ``?``)


def _resolve(parts: tuple[Part, ...], value: VariableValue) -> tuple[z3.BoolRef, list[str | _Term]]:
    defined: list[z3.BoolRef] = []
    out: list[str | _Term] = []
    for p in parts:
        if isinstance(p, Literal):
            out.append(p.text)
        elif isinstance(p, Fixed):
            out.append(_Term(lit(p.text)))
        else:
            ok, term = value(p.key, p.default)
            defined.append(ok)
            out.append(_Term(term))
    return z3.And(*defined) if defined else z3.BoolVal(True), out


def substituted(parts: tuple[Part, ...], value: VariableValue) -> tuple[z3.BoolRef, z3.SeqRef]:
    """A non-pattern value with variables (``StringEquals``): (resolvable, the text)."""
    defined, items = _resolve(parts, value)
    return defined, _concat(items)


def _concat(items: list[str | _Term]) -> z3.SeqRef:
    terms = [lit(i) if isinstance(i, str) else i.term for i in items] or [lit("")]
    return terms[0] if len(terms) == 1 else z3.Concat(*terms)


def _segments(items: list[str | _Term]) -> list[list[_Atom]]:
    """Split at the policy text's stars: [[atoms before the first *], [between], ..., [after the last *]]."""
    segs: list[list[_Atom]] = [[]]
    for it in items:
        if isinstance(it, _Term):
            segs[-1].append(it)
            continue
        for k, chunk in enumerate(it.split("*")):
            if k:
                segs.append([])
            if chunk:
                segs[-1].append(chunk)
    return segs


def _length(seg: list[_Atom]) -> z3.ArithRef:
    total: z3.ArithRef = z3.IntVal(sum(len(a) for a in seg if isinstance(a, str)))
    for a in seg:
        if isinstance(a, _Term):
            total = total + z3.Length(a.term)
    return total


def _at(s: z3.SeqRef, offset: z3.ArithRef, seg: list[_Atom]) -> list[z3.BoolRef]:
    """``seg`` (no stars) matches ``s`` at ``offset`` (lengths are checked by the caller)."""
    out: list[z3.BoolRef] = []
    pos = offset
    for a in seg:
        if isinstance(a, _Term):
            out.append(z3.SubString(s, pos, z3.Length(a.term)) == a.term)
            pos = pos + z3.Length(a.term)
            continue
        for chunk in re.split(r"(\?)", a):
            if chunk == "?":
                pos = pos + 1
            elif chunk:
                out.append(z3.SubString(s, pos, len(chunk)) == lit(chunk))
                pos = pos + len(chunk)
    return out


def pattern_match(s: z3.SeqRef, parts: tuple[Part, ...], value: VariableValue) -> z3.BoolRef:
    """``s`` matches a glob whose variables are resolved from the request.

    An unresolvable variable (no value, no default) makes the pattern match
    nothing (spec §2.8; ``Statement.matches_resource``, ``Condition._resolved_values``).
    """
    defined, items = _resolve(parts, value)
    segs = _segments(items)
    n = z3.Length(s)
    if len(segs) == 1:
        return z3.And(defined, n == _length(segs[0]), *_at(s, z3.IntVal(0), segs[0]))
    first, middle, last = segs[0], segs[1:-1], segs[-1]
    lf, ll = _length(first), _length(last)
    conds = [defined, n >= lf + ll, *_at(s, z3.IntVal(0), first), *_at(s, n - ll, last)]
    if any(isinstance(a, _Term) for seg in middle for a in seg):
        if len(middle) != 1 or any(isinstance(a, str) and "?" in a for a in middle[0]):
            raise Unsupported(N_("a policy variable between two wildcards, beside other wildcards, is not encoded"))
        mid = z3.SubString(s, lf, n - lf - ll)
        conds.append(z3.Contains(mid, _concat(middle[0])))
    elif any(middle):
        mid = z3.SubString(s, lf, n - lf - ll)
        text = "*" + "*".join("".join(a for a in seg if isinstance(a, str)) for seg in middle) + "*"
        conds.append(z3.InRe(mid, glob_re(text)))
    return z3.And(*conds)
