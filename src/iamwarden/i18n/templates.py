"""Read an English sentence back into its msgid and parameters, by the msgid's fixed parts.

For sentences a hot path or another package writes in English (the engine's reasons, the
escalation hops' reasons) and a renderer translates later. Linear in the text: the fixed
parts are found in order with ``str.find``; no regular expression is built.
"""

from __future__ import annotations

from functools import lru_cache

#: sentences longer than this are shown as they are (a bound on the work, never needed in practice)
MAX_MATCHED_TEXT = 4096


@lru_cache(maxsize=512)
def split_template(msgid: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fixed parts and the placeholder names of a msgid (``{{``/``}}`` are not used in these)."""
    literals, names, rest = [], [], msgid
    while "{" in rest:
        head, _, tail = rest.partition("{")
        name, _, rest = tail.partition("}")
        literals.append(head)
        names.append(name.split("!", 1)[0].split(":", 1)[0])
    literals.append(rest)
    return tuple(literals), tuple(names)


def match_template(msgid: str, text: str) -> dict[str, str] | None:
    """The placeholder values when ``text`` was written from ``msgid`` (first fit), else None."""
    literals, names = split_template(msgid)
    if not names:
        return {} if text == msgid else None
    if len(text) > MAX_MATCHED_TEXT or not text.startswith(literals[0]) or not text.endswith(literals[-1]):
        return None
    pos, end = len(literals[0]), len(text) - len(literals[-1])
    if pos > end:
        return None
    values: dict[str, str] = {}
    for name, lit in zip(names[:-1], literals[1:-1], strict=True):
        at = text.find(lit, pos, end)
        if at < 0:
            return None
        values[name] = text[pos:at]
        pos = at + len(lit)
    values[names[-1]] = text[pos:end]
    return values
