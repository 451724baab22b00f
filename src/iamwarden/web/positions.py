"""Line and column of every value in a JSON text, by the JSON path ``validate`` names it with.

``validate`` reports findings at JSON paths (``$.Statement[1].Action[0]``);
an editor needs a line and a column. :func:`value_positions` walks the text
once (iteratively, linear time, no recursion on untrusted depth) and records
where each value starts under the same path spelling ``policy.validation``
uses (``.Key`` for members, ``[i]`` for elements). A finding whose exact path
is not in the text (a missing member) is placed at its nearest present
parent (:func:`locate`).
"""

from __future__ import annotations

import re

from ..policy.document import MAX_JSON_DEPTH

# a JSON string (possessive: linear), or one structural character, or a bare literal
_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}:,]|[^\s\[\]{}:,"]++', re.DOTALL)
_SYNTAX_AT = re.compile(r"line (\d+) column (\d+)")


class _Lines:
    """Line and column of increasing offsets, counting newlines once overall (linear, not per value)."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line, self.line_start = text, 0, 1, 0

    def at(self, offset: int) -> tuple[int, int]:
        n = self.text.count("\n", self.offset, offset)
        if n:
            self.line += n
            self.line_start = self.text.rfind("\n", self.offset, offset) + 1
        self.offset = offset
        return self.line, offset - self.line_start + 1


def value_positions(text: str) -> dict[str, tuple[int, int]]:
    """JSON path → (line, column) of the value's first character (1-based), for well-formed parts.

    Values nested deeper than the parser accepts (``MAX_JSON_DEPTH``) are walked but not
    recorded: their paths would grow with the depth, and the document is refused there anyway.
    """
    out: dict[str, tuple[int, int]] = {}
    lines = _Lines(text)
    # stack of frames: [kind, path, next index or pending key]
    stack: list[list[object]] = []
    expect_key = False
    pending: str | None = None
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok in ",:":
            if tok == "," and stack and stack[-1][0] == "{":
                expect_key = True
            continue
        if tok in "]}":
            if stack:
                stack.pop()
            expect_key = False
            continue
        if stack and stack[-1][0] == "{" and expect_key and tok.startswith('"'):
            pending = _unquote(tok)
            expect_key = False
            continue
        # a value starts here: name it
        if len(stack) > MAX_JSON_DEPTH:
            if tok in "[{":
                stack.append([tok, "", 0])
                expect_key = tok == "{"
            continue
        if not stack:
            path = "$"
        elif stack[-1][0] == "[":
            i = int(stack[-1][2])  # type: ignore[call-overload]
            stack[-1][2] = i + 1
            path = f"{stack[-1][1]}[{i}]"
        else:
            path = f"{stack[-1][1]}.{pending}" if pending is not None else str(stack[-1][1])
            pending = None
        out.setdefault(path, lines.at(m.start()))
        if tok in "[{":
            stack.append([tok, path, 0])
            expect_key = tok == "{"
    return out


def _unquote(tok: str) -> str:
    import json

    try:
        value = json.loads(tok)
    except ValueError:
        return tok[1:-1]
    return value if isinstance(value, str) else tok[1:-1]


def locate(path: str, positions: dict[str, tuple[int, int]], message: str = "") -> tuple[int, int]:
    """Where to show a finding: its path, else its nearest parent, else a position named in the message."""
    m = _SYNTAX_AT.search(message)
    if m and path in ("$", ""):
        return int(m.group(1)), int(m.group(2))
    p = path
    while p:
        if p in positions:
            return positions[p]
        cut = max(p.rfind("."), p.rfind("["))
        if cut <= 0:
            break
        p = p[:cut]
    if m:
        return int(m.group(1)), int(m.group(2))
    return positions.get("$", (1, 1))
