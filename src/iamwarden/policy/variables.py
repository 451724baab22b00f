"""Policy variables: ``${aws:username}``, defaults, and the special ``${*}``, ``${?}``, ``${$}``.

Spec §2.8. Variables are interpreted only in ``2012-10-17`` policies (§2.2);
a value substituted into a wildcard pattern is literal text, so a ``*`` inside
a user's tag cannot widen a grant. A variable that cannot be resolved and has
no default leaves the whole value unresolved (``None``): the caller decides
what that means (a Resource pattern then matches nothing; a condition value is
treated as null).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

_VAR = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


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
    for m in _VAR.finditer(text):
        if m.start() > pos:
            parts.append(Literal(text[pos : m.start()]))
        inner = m.group(1)
        if inner in _SPECIAL:
            parts.append(Fixed(_SPECIAL[inner]))
        else:
            d = _DEFAULT.match(inner)
            if d:
                parts.append(Variable(d.group(1).strip().lower(), d.group(2)))
            else:
                parts.append(Variable(inner.strip().lower(), None))
        pos = m.end()
    if pos < len(text):
        parts.append(Literal(text[pos:]))
    return tuple(parts)


def has_variables(text: str) -> bool:
    return "${" in text and _VAR.search(text) is not None


Lookup = Callable[[str], "str | None"]


def substitute(
    parts: tuple[Part, ...],
    lookup: Lookup,
    literal: Callable[[str], str] = str,
    value: Callable[[str], str] = str,
) -> str | None:
    """Resolve variables into one string.

    Text written in the policy goes through ``literal`` and inserted text
    (variable values, defaults, ``${*}``…) through ``value``: for a wildcard
    pattern those are "glob to regex" and "escape", so inserted text never
    acts as a wildcard. Returns ``None`` when a variable is missing and has no
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
