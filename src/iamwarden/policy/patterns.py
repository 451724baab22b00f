"""Glob patterns as IAM uses them: ``*`` any run of characters, ``?`` exactly one.

Actions compare case-insensitively, resources and most condition values
case-sensitively (spec §2.3, §2.4). Patterns are compiled once and cached,
because the same few patterns are matched millions of times in analysis.
"""

from __future__ import annotations

import re
from functools import lru_cache


def glob_to_regex(pattern: str) -> str:
    """Translate one IAM glob into an (unanchored) regular-expression fragment."""
    out: list[str] = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


@lru_cache(maxsize=65536)
def compile_glob(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """Anchored, compiled matcher for one glob (whole-string match, ``*`` spans ``/`` and ``:``)."""
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(glob_to_regex(pattern) + r"\Z", flags)


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    if not has_wildcard(pattern):
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return compile_glob(pattern, ignore_case).match(value) is not None


@lru_cache(maxsize=16384)
def compile_glob_set(patterns: tuple[str, ...], ignore_case: bool) -> re.Pattern[str]:
    """One alternation for a whole list of globs: one regex call instead of many."""
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    body = "|".join(f"(?:{glob_to_regex(p)})" for p in patterns) or "(?!)"
    return re.compile(f"(?:{body})\\Z", flags)
