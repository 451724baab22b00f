"""The fenced blocks of a guide, and the output each runnable one claims.

The docs tests (``tests/docs/test_examples.py``) run every example of ``docs/*.md`` and
``README.md`` as written. This module reads a Markdown file into :class:`Block` values; it does
no I/O beyond taking the text, so its rules are tested on their own (``test_markdown_blocks.py``).

The rules a guide follows (also written in ``tests/docs/README.md``):

* Every fenced block carries a language. ``sh``/``bash``, ``console`` and ``python`` blocks are
  run; every other language (``json``, ``yaml``, ``text``, …) is shown, not run. An untagged
  fence is an error, so a command cannot hide from the test by having no tag.
* ``sh``/``bash``: run with ``bash -euo pipefail``. A run of ``# `` lines directly under a
  command line (no blank line between) is that command's output; a ``text`` block that follows
  the runnable block with nothing but blank lines between is its output too.
* ``python``: run with the venv's interpreter, or with pytest when it defines ``def test_``.
  Expected output as for shell blocks (``# `` lines directly under a code line).
* ``console``: a transcript. ``$ `` starts a command (a trailing ``\\`` continues it on the next
  line); the lines up to the next ``$ `` are what it prints. Exit statuses are checked where the
  transcript shows them (``$ echo $?``).
* Output is compared line by line, whitespace-trimmed, in order; lines the command prints that
  the doc leaves out are allowed. ``…`` inside a line stands for any text; a line that is only
  ``…`` stands for any lines. Blank expected lines are not compared.
* An HTML comment on the line(s) right before a fence (blank lines allowed between) is a marker:
  ``<!-- not-run: REASON -->`` (the reason is required) shows a block without running it;
  ``<!-- file: NAME -->`` writes the block's text to NAME in the work folder, at that point in
  the guide, so the commands after it can read the file the prose says to save. Any other comment
  in that place is an error (a misspelt marker must not silently run or skip a block).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RUNNABLE = ("sh", "bash", "console", "python")
ELLIPSIS = "…"

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_COMMENT = re.compile(r"^\s*<!--(?P<body>.*?)-->\s*$")
_MARKER = re.compile(r"^\s*(?P<name>[a-z-]+)\s*:\s*(?P<value>.*?)\s*$")
MARKERS = ("not-run", "file")


class DocFormatError(ValueError):
    """A guide breaks one of the rules above; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Command:
    """One command of a ``console`` transcript and the output shown under it."""

    line: int
    text: str
    expected: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Block:
    """One fenced block: where it is, its language, its text and what it claims to print.

    ``skip`` is the reason given by a ``not-run`` marker; ``file`` the name given by a ``file``
    marker; ``expected`` the claimed output (``# `` lines and a following ``text`` block);
    ``commands`` the transcript of a ``console`` block.
    """

    source: str
    line: int
    lang: str
    code: str
    expected: tuple[str, ...] = ()
    skip: str | None = None
    file: str | None = None
    commands: tuple[Command, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"

    @property
    def runnable(self) -> bool:
        return self.lang in RUNNABLE and self.skip is None

    @property
    def is_pytest(self) -> bool:
        return self.lang == "python" and re.search(r"^def test_", self.code, re.M) is not None

    @property
    def is_server(self) -> bool:
        """A shell block that starts ``iamwarden serve`` (run in the background for the guide)."""
        return self.lang in ("sh", "bash") and any(
            ln.strip().startswith("iamwarden serve") for ln in self.code.splitlines())


def parse_blocks(text: str, source: str) -> list[Block]:
    """All fenced blocks of ``text`` in order, with markers and expected output attached."""
    lines = text.splitlines()
    raw: list[tuple[int, int, str, str, str | None, str | None]] = []  # start, end, lang, code, skip, file
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info").strip()
        start = i
        j = i + 1
        while j < len(lines) and not (lines[j].strip().startswith(fence[0] * len(fence))
                                      and lines[j].strip().strip(fence[0]) == ""):
            j += 1
        if j >= len(lines):
            raise DocFormatError(f"{source}:{start + 1}: fenced block is never closed")
        lang = info.split()[0].lower() if info else ""
        if not lang:
            raise DocFormatError(
                f"{source}:{start + 1}: fenced block without a language; tag it (sh, console, python, "
                "json, text, …) so the docs test knows whether to run it")
        code = "\n".join(_dedent(lines[start + 1:j], len(m.group("indent"))))
        skip, file = _marker(lines, start, source)
        raw.append((start, j, lang, code, skip, file))
        i = j + 1

    blocks: list[Block] = []
    for n, (start, _end, lang, code, skip, file) in enumerate(raw):
        if lang == "text" and blocks and blocks[-1].lang in ("sh", "bash", "python") \
                and _adjacent(lines, raw[n - 1][1], start):
            prev = blocks[-1]
            blocks[-1] = Block(prev.source, prev.line, prev.lang, prev.code,
                               prev.expected + tuple(code.splitlines()), prev.skip, prev.file, prev.commands)
        where = f"{source}:{start + 2}"
        if lang == "console":
            commands = _transcript(code, source, start + 2)
            blocks.append(Block(source, start + 1, lang, code, (), skip, file, commands))
        elif lang in ("sh", "bash", "python"):
            blocks.append(Block(source, start + 1, lang, code, _comment_output(code), skip, file))
        else:
            blocks.append(Block(source, start + 1, lang, code, (), skip, file))
        if file and skip:
            raise DocFormatError(f"{where}: a block cannot be both not-run and a file")
    return blocks


def _dedent(lines: list[str], indent: int) -> list[str]:
    return [ln[indent:] if ln[:indent].strip() == "" else ln for ln in lines]


def _adjacent(lines: list[str], prev_end: int, start: int) -> bool:
    """Only blank lines between the previous block's closing fence and this one's opening."""
    return all(not ln.strip() for ln in lines[prev_end + 1:start])


def _marker(lines: list[str], start: int, source: str) -> tuple[str | None, str | None]:
    k = start - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    if k < 0:
        return None, None
    c = _COMMENT.match(lines[k])
    if not c:
        return None, None
    m = _MARKER.match(c.group("body"))
    if not m or m.group("name") not in MARKERS:
        raise DocFormatError(
            f"{source}:{k + 1}: comment before a fenced block is not a known marker "
            f"(<!-- not-run: REASON --> or <!-- file: NAME -->): {lines[k].strip()}")
    name, value = m.group("name"), m.group("value")
    if not value:
        raise DocFormatError(f"{source}:{k + 1}: marker {name!r} needs a value (a reason, a file name)")
    if name == "file" and ("/" in value or value.startswith(".")):
        raise DocFormatError(f"{source}:{k + 1}: file marker must name a plain file in the work folder: {value!r}")
    return (value, None) if name == "not-run" else (None, value)


def _comment_output(code: str) -> tuple[str, ...]:
    """``# `` lines directly under a code line: the output the doc claims for it."""
    out: list[str] = []
    prev_is_code = False
    in_run = False
    for ln in code.splitlines():
        s = ln.strip()
        if s.startswith("#") and (prev_is_code or in_run):
            out.append(s[1:].removeprefix(" ") if len(s) > 1 else "")
            in_run = True
            prev_is_code = False
            continue
        in_run = False
        prev_is_code = bool(s) and not s.startswith("#")
    return tuple(out)


def _transcript(code: str, source: str, first_line: int) -> tuple[Command, ...]:
    commands: list[Command] = []
    lines = code.splitlines()
    i = 0
    while i < len(lines):
        ln = lines[i]
        if not ln.startswith("$ "):
            if ln.strip():
                raise DocFormatError(
                    f"{source}:{first_line + i}: console block must start with a '$ ' command line")
            i += 1
            continue
        start = i
        cmd = [ln[2:]]
        while cmd[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            cmd.append(lines[i])
        i += 1
        out: list[str] = []
        while i < len(lines) and not lines[i].startswith("$ "):
            out.append(lines[i])
            i += 1
        commands.append(Command(first_line + start, "\n".join(cmd), tuple(out)))
    return tuple(commands)


def missing_lines(expected: tuple[str, ...] | list[str], actual: str) -> list[str]:
    """The expected lines not found, in order, among the lines of ``actual`` (empty = matches).

    Lines are compared whitespace-trimmed; ``…`` in a line matches any text, a line that is only
    ``…`` matches any lines (so it needs nothing), blank expected lines are not compared. Matching
    is greedy in order: once a line is missing, the rest are reported as well.
    """
    got = [ln.strip() for ln in actual.splitlines()]
    pos = 0
    missing: list[str] = []
    for want in expected:
        w = want.strip()
        if not w or w == ELLIPSIS:
            continue
        if missing:
            missing.append(want)
            continue
        pattern = re.compile(".*".join(re.escape(part) for part in w.split(ELLIPSIS)))
        for k in range(pos, len(got)):
            if pattern.fullmatch(got[k]):
                pos = k + 1
                break
        else:
            missing.append(want)
    return missing
