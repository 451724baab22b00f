"""Policy variables: ``${aws:username}``, defaults, and the special ``${*}``, ``${?}``, ``${$}``.

Spec §2.8. Variables are interpreted only in ``2012-10-17`` policies (§2.2);
a value substituted into a wildcard pattern is literal text, so a ``*`` inside
a user's tag cannot widen a grant. A variable that cannot be resolved and has
no default leaves the whole value unresolved (``None``): the caller decides
what that means (a Resource pattern then matches nothing; a condition value is
treated as null).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

_SPECIAL = {"*": "*", "?": "?", "$": "$"}


def find_variables(text: str) -> list[tuple[int, str]]:
    r"""Each ``${...}`` in ``text``: (position of ``$``, the text between the braces).

    What ``re.finditer(r"\$\{([^}]*)\}")`` finds, in one pass: the scan
    stops at the first ``${`` with no ``}`` after it (no later one can close
    either), where the regular expression would retry at every later ``${``,
    quadratic in a hostile ``${${${…`` (issue 8).
    """
    out: list[tuple[int, str]] = []
    pos = 0
    while True:
        i = text.find("${", pos)
        if i < 0:
            return out
        j = text.find("}", i + 2)
        if j < 0:
            return out
        out.append((i, text[i + 2 : j]))
        pos = j + 1


def _split_default(inner: str) -> tuple[str, str] | None:
    r"""``key, 'default'`` → (key, default), as ``^\s*([^,]+?)\s*,\s*'([^']*)'\s*$`` read it.

    The key is the text before the first comma (not empty), the rest must be
    one quoted string with optional whitespace around it. Done by hand: the
    expression backtracks quadratically on a long run of spaces.
    """
    key, comma, rest = inner.partition(",")
    if not comma or not key:
        return None
    rest = rest.strip()
    if len(rest) < 2 or rest[0] != "'" or rest[-1] != "'" or "'" in rest[1:-1]:
        return None
    return key, rest[1:-1]


@dataclass(frozen=True, slots=True)
class Literal:
    """Text taken from the policy as written; wildcards in it keep their meaning."""

    text: str


@dataclass(frozen=True, slots=True)
class Variable:
    """A reference to a context key; its value is inserted literally."""

    key: str  # lower-cased: key names are case-insensitive
    default: str | None


@dataclass(frozen=True, slots=True)
class Fixed:
    """``${*}``, ``${?}``, ``${$}``: a literal character that is never a wildcard."""

    text: str


Part = Literal | Variable | Fixed


def split_variables(text: str) -> tuple[Part, ...]:
    """Split ``text`` into literal text and variable references."""
    parts: list[Part] = []
    pos = 0
    for start, inner in find_variables(text):
        if start > pos:
            parts.append(Literal(text[pos:start]))
        if inner in _SPECIAL:
            parts.append(Fixed(_SPECIAL[inner]))
        else:
            d = _split_default(inner)
            if d:
                parts.append(Variable(d[0].strip().lower(), d[1]))
            else:
                parts.append(Variable(inner.strip().lower(), None))
        pos = start + len(inner) + 3
    if pos < len(text):
        parts.append(Literal(text[pos:]))
    return tuple(parts)


def has_variables(text: str) -> bool:
    if "${" not in text:
        return False
    i = text.find("${")
    return text.find("}", i + 2) >= 0


Lookup = Callable[[str], "str | None"]


def resolve_pieces(parts: tuple[Part, ...], lookup: Lookup) -> tuple[tuple[str, bool], ...] | None:
    """Resolve variables into pattern pieces ``(text, literal)`` (``patterns.Pieces``).

    Text written in the policy keeps its wildcards (``literal`` False);
    inserted text (variable values, defaults, ``${*}``…) is literal, so it
    never acts as a wildcard. ``None`` when a variable is missing and has no
    default.
    """
    out: list[tuple[str, bool]] = []
    for p in parts:
        if isinstance(p, Literal):
            out.append((p.text, False))
        elif isinstance(p, Fixed):
            out.append((p.text, True))
        else:
            v = lookup(p.key)
            if v is None:
                if p.default is None:
                    return None
                v = p.default
            out.append((v, True))
    return tuple(out)


def substitute(
    parts: tuple[Part, ...],
    lookup: Lookup,
    literal: Callable[[str], str] = str,
    value: Callable[[str], str] = str,
) -> str | None:
    """Resolve variables into one string.

    Text written in the policy goes through ``literal`` and inserted text
    (variable values, defaults, ``${*}``…) through ``value``: a pattern
    family wraps inserted text in markers, so it never acts as a wildcard
    (``resolve_pieces`` does the same without markers). Returns ``None`` when a variable is missing and has no
    default.
    """
    out: list[str] = []
    for p in parts:
        if isinstance(p, Literal):
            out.append(literal(p.text))
        elif isinstance(p, Fixed):
            out.append(value(p.text))
        else:
            v = lookup(p.key)
            if v is None:
                if p.default is None:
                    return None
                v = p.default
            out.append(value(v))
    return "".join(out)
