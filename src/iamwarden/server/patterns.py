"""Compile the ``pattern`` constraints of botocore's models with Python's ``re``.

The IAM and STS models carry patterns written for ``java.util.regex`` (AWS
validates requests in Java), e.g. ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`` for tag keys
(spec §4.1). Python's ``re`` has no ``\\p{..}`` classes, so this module rewrites
them into explicit code-point ranges computed from :mod:`unicodedata`, which
keeps the project free of the third-party ``regex`` package.

Java semantics kept on purpose:

* ``\\w``, ``\\d``, ``\\s`` are ASCII-only in Java unless ``UNICODE_CHARACTER_CLASS``
  is set, so patterns are compiled with :data:`re.ASCII`
  (``RoleSessionName='café'`` is rejected, as AWS does).
* A pattern must match the *whole* value (Java ``String.matches``), so callers
  use :meth:`re.Pattern.fullmatch`.

One deliberate deviation: ``\\u10000-\\u10FFFF`` (policy-document pattern) is read
as the supplementary planes the model obviously means, not as Java's literal
``\\u1000`` ``0-\\u10FF`` ``FF``.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

_HEX = frozenset("0123456789abcdefABCDEF")


@functools.cache
def _ranges_by_category() -> dict[str, tuple[tuple[int, int], ...]]:
    """Code-point ranges of every two-letter Unicode general category.

    One scan over all code points (~0.15 s), done once and only if a pattern
    uses ``\\p{..}``.
    """
    ranges: dict[str, list[tuple[int, int]]] = {}
    current = ""
    start = 0
    for cp in range(sys.maxunicode + 1):
        cat = unicodedata.category(chr(cp))
        if cat != current:
            if current:
                ranges.setdefault(current, []).append((start, cp - 1))
            current, start = cat, cp
    ranges.setdefault(current, []).append((start, sys.maxunicode))
    return {cat: tuple(spans) for cat, spans in ranges.items()}


@functools.cache
def _category_ranges(category: str) -> str:
    """Character-class body (no brackets) for a Unicode general category.

    ``category`` is one letter (``L``: all letters) or two (``Lu``).
    """
    spans = sorted(
        span
        for cat, cat_spans in _ranges_by_category().items()
        if cat.startswith(category)
        for span in cat_spans
    )
    if not spans or len(category) > 2:
        raise ValueError(f"unknown Unicode category in pattern: {category!r}")
    merged: list[list[int]] = []
    for lo, hi in spans:
        if merged and lo == merged[-1][1] + 1:
            merged[-1][1] = hi
        else:
            merged.append([lo, hi])
    return "".join(f"\\U{lo:08X}" if lo == hi else f"\\U{lo:08X}-\\U{hi:08X}" for lo, hi in merged)


def _complement_outside_class(body: str) -> str:
    return f"[^{body}]"


def translate(java_pattern: str) -> str:
    """Rewrite a Java regex into an equivalent Python ``re`` pattern string.

    Raises :class:`ValueError` for constructs that have no translation here
    (``\\P{..}`` inside a character class, unknown categories).
    """
    out: list[str] = []
    i = 0
    n = len(java_pattern)
    depth = 0  # character-class nesting (Java allows nesting; the models don't use it)
    while i < n:
        ch = java_pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = java_pattern[i + 1]
            if nxt in "pP" and i + 2 < n:
                if java_pattern[i + 2] == "{":
                    end = java_pattern.index("}", i + 3)
                    name = java_pattern[i + 3 : end]
                    i = end + 1
                else:
                    name = java_pattern[i + 2]
                    i += 3
                name = name.removeprefix("Is")
                body = _category_ranges(name)
                if nxt == "p":
                    out.append(body if depth else f"[{body}]")
                elif depth:
                    raise ValueError(f"\\P{{{name}}} inside a character class is not supported")
                else:
                    out.append(_complement_outside_class(body))
                continue
            if nxt == "u":
                digits = ""
                j = i + 2
                while j < n and len(digits) < 6 and java_pattern[j] in _HEX:
                    digits += java_pattern[j]
                    j += 1
                if len(digits) >= 5 and 0x10000 <= int(digits, 16) <= 0x10FFFF:
                    out.append(f"\\U{int(digits, 16):08X}")
                    i = j
                    continue
                out.append(java_pattern[i : i + 6])
                i += 6
                continue
            out.append(java_pattern[i : i + 2])
            i += 2
            continue
        if ch == "[":
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
        out.append(ch)
        i += 1
    return "".join(out)


@functools.cache
def compile_java_pattern(java_pattern: str) -> re.Pattern[str]:
    """Compile (and cache) a model pattern; use ``.fullmatch`` on values."""
    return re.compile(translate(java_pattern), re.ASCII)
