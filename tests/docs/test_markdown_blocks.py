"""The rules the docs test reads guides by (tests/docs/markdown_blocks.py), one test per rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from .guide_runner import run_guide
from .markdown_blocks import DocFormatError, missing_lines, parse_blocks

F = "```"


def blocks(text: str):
    return parse_blocks(text, "guide.md")


def test_untagged_fence_is_an_error_naming_the_line() -> None:
    with pytest.raises(DocFormatError, match=r"guide\.md:3: fenced block without a language"):
        blocks(f"intro\n\n{F}\niamwarden audit x\n{F}\n")


def test_unclosed_fence_is_an_error() -> None:
    with pytest.raises(DocFormatError, match="never closed"):
        blocks(f"{F}sh\necho hi\n")


def test_languages_decide_what_runs() -> None:
    bs = blocks(f"{F}sh\necho a\n{F}\n\n{F}json\n{{}}\n{F}\n\n{F}console\n$ echo b\nb\n{F}\n\n{F}python\nprint(1)\n{F}\n")
    assert [(b.lang, b.runnable) for b in bs] == [("sh", True), ("json", False), ("console", True), ("python", True)]


def test_not_run_marker_needs_a_reason_and_skips() -> None:
    (b,) = blocks(f"<!-- not-run: needs real AWS -->\n{F}sh\naws s3 ls\n{F}\n")
    assert b.skip == "needs real AWS" and not b.runnable
    with pytest.raises(DocFormatError, match="needs a value"):
        blocks(f"<!-- not-run: -->\n{F}sh\naws s3 ls\n{F}\n")


def test_misspelt_marker_is_an_error_not_a_silent_run() -> None:
    with pytest.raises(DocFormatError, match="not a known marker"):
        blocks(f"<!-- notrun: reason -->\n{F}sh\nfalse\n{F}\n")


def test_marker_may_be_separated_by_blank_lines_but_not_by_prose() -> None:
    (b,) = blocks(f"<!-- not-run: needs real AWS -->\n\n{F}sh\nx\n{F}\n")
    assert b.skip
    (b,) = blocks(f"<!-- not-run: needs real AWS -->\nprose\n{F}sh\nx\n{F}\n")
    assert b.skip is None


def test_file_marker_names_a_plain_file() -> None:
    (b,) = blocks(f"<!-- file: p.json -->\n{F}json\n{{}}\n{F}\n")
    assert b.file == "p.json"
    with pytest.raises(DocFormatError, match="plain file"):
        blocks(f"<!-- file: ../p.json -->\n{F}json\n{{}}\n{F}\n")


def test_comment_lines_right_under_a_command_are_its_output() -> None:
    (b,) = blocks(f"{F}sh\n# a comment before any command\niamwarden check \\\n  --x y\n# Allow\n#   rule: z\n\n# another comment\necho\n{F}\n")
    assert b.expected == ("Allow", "  rule: z")


def test_text_block_right_after_a_runnable_block_is_its_output() -> None:
    bs = blocks(f"{F}sh\necho hi\n{F}\n\n{F}text\nhi\n{F}\n\nprose\n\n{F}text\nnot output\n{F}\n")
    assert bs[0].expected == ("hi",)


def test_console_transcript_splits_commands_and_continuations() -> None:
    (b,) = blocks(f"{F}console\n$ iamwarden explain \\\n    --role r\nline 1\n\n$ echo $?\n1\n{F}\n")
    assert [c.text for c in b.commands] == ["iamwarden explain \\\n    --role r", "echo $?"]
    assert b.commands[0].expected == ("line 1", "")
    assert b.commands[1].expected == ("1",)


def test_console_block_must_start_with_a_prompt() -> None:
    with pytest.raises(DocFormatError, match="must start with a '\\$ ' command"):
        blocks(f"{F}console\noutput first\n{F}\n")


def test_pytest_and_server_blocks_are_recognised() -> None:
    bs = blocks(f"{F}python\nimport pytest\n\ndef test_x():\n    pass\n{F}\n\n{F}sh\niamwarden serve --port 4577\n{F}\n")
    assert bs[0].is_pytest and bs[1].is_server


@pytest.mark.parametrize(("expected", "actual", "missing"), [
    (["b", "d"], "a\nb\nc\nd\n", []),                        # a subsequence is enough
    (["d", "b"], "a\nb\nc\nd\n", ["b"]),                     # but in order
    (["x: Allow"], "x: Deny\n", ["x: Allow"]),               # a changed line fails
    (["…: Allow"], "arn:aws:iam::1:user/b: Allow\n", []),   # … inside a line is any text
    (["…", "end"], "anything\nend\n", []),                   # a line of … is any lines
    (["  indented  "], "indented\n", []),                    # whitespace-trimmed
    (["", "a"], "a\n", []),                                  # blank expected lines are not compared
    (["a.b"], "axb\n", ["a.b"]),                             # no regex in the guide's text
    (["1"], "10\n", ["1"]),                                  # whole lines, not substrings
])
def test_missing_lines(expected: list[str], actual: str, missing: list[str]) -> None:
    assert missing_lines(expected, actual) == missing


GUIDE = """\
# A guide

<!-- file: p.json -->
```json
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
```

```console
$ iamwarden validate p.json
p.json: no findings (identity policy)
$ echo $?
0
```

```sh
iamwarden check --account examples/demo-account.json \\
  --principal arn:aws:iam::111122223333:user/bob --action sts:AssumeRole \\
  --resource arn:aws:iam::111122223333:role/AuditRole
# …: Allow
```

```python
print(open("p.json").read().count("Allow"))
# 1
```
"""


@pytest.mark.timeout(120)
def test_a_guide_that_matches_its_output_passes_and_a_drifted_one_fails(tmp_path: Path) -> None:
    """The runner itself: one guide as written passes; each kind of drift is reported at its line."""
    good = tmp_path / "good.md"
    good.write_text(GUIDE)
    assert run_guide(good, tmp_path / "w1") == []

    drifted = GUIDE.replace("$ echo $?\n0", "$ echo $?\n1").replace("# …: Allow", "# …: ImplicitDeny") \
                   .replace("# 1\n", "# 2\n")
    bad = tmp_path / "bad.md"
    bad.write_text(drifted)
    problems = run_guide(bad, tmp_path / "w2")
    assert len(problems) == 3, problems
    assert "bad.md:8: `echo $?` (line 11)" in problems[0] and "'1'" in problems[0]
    assert problems[1].startswith("bad.md:15: shell block does not print") and "ImplicitDeny" in problems[1]
    assert problems[2].startswith("bad.md:22: python block does not print") and "'2'" in problems[2]


@pytest.mark.timeout(60)
def test_a_failing_command_fails_the_block_under_errexit(tmp_path: Path) -> None:
    guide = tmp_path / "g.md"
    guide.write_text(f"{F}sh\nfalse\necho never\n{F}\n")
    (problem,) = run_guide(guide, tmp_path / "w")
    assert "g.md:1: shell block exited 1" in problem


@pytest.mark.e2e
@pytest.mark.timeout(120)
def test_a_server_guide_runs_against_its_server_and_stops_it(tmp_path: Path) -> None:
    """The serve block starts on a free port (not 4577), later blocks reach it, its output is checked."""
    guide = tmp_path / "s.md"
    guide.write_text(
        f"{F}sh\niamwarden serve --port 4577 --db s.db --load examples/demo-account.json\n"
        "# iamwarden endpoint on http://127.0.0.1:… (account 999999999999, database s.db)\n"
        f"{F}\n\n"
        f"{F}python\nimport urllib.error, urllib.request\n"
        "try:\n    print('answered', urllib.request.urlopen('http://127.0.0.1:4577/', timeout=10).status)\n"
        "except urllib.error.HTTPError as e:\n    print('answered', e.code)\n# answered …\n"
        f"{F}\n")
    problems = run_guide(guide, tmp_path / "w")
    assert len(problems) == 1, problems  # the python block reached the server on the moved port
    assert problems[0].startswith("s.md:1: server block does not print") and "account 999999999999" in problems[0]
    assert "(account 111122223333, database s.db)" in problems[0]
