"""Every example in the guides runs as written and prints what the guide shows (issue 9, item 3).

One test per guide (``docs/*.md`` and ``README.md``): its ``sh``, ``console`` and ``python``
blocks run in order in a fresh folder against the bundled example account; guides that start
``iamwarden serve`` run against that server and are marked ``e2e``. The rules a guide follows
are in ``tests/docs/markdown_blocks.py`` and ``tests/docs/README.md``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .guide_runner import REPO, VENV_BIN, guide_blocks, needs_server, run_guide
from .markdown_blocks import DocFormatError

MANIFEST = REPO / "tests" / "conformance" / "MANIFEST.sha256"


def _spec_copies() -> set[str]:
    """docs/ files that are byte-for-byte copies of the shared spec (tests/conformance/test_data_copy.py
    keeps them equal to it): reference text to cite, not guides, so not edited to run here."""
    if not MANIFEST.is_file():
        return set()
    names = (line.split("  ", 1)[1] for line in MANIFEST.read_text().splitlines() if "  " in line)
    return {Path(n).name for n in names if n.startswith("spec/")}


#: guides translated into another language live in docs/<lang>/ (docs/ja/): run the same way
TRANSLATED_GUIDES = sorted((REPO / "docs").glob("[a-z][a-z]/*.md"))
GUIDES = (sorted(p for p in (REPO / "docs").glob("*.md") if p.name not in _spec_copies()) + TRANSLATED_GUIDES
          + [REPO / "README.md"])


def _param(path: Path) -> object:
    try:
        marks = [pytest.mark.e2e] if needs_server(path) else []
    except DocFormatError:  # reported by test_guide_blocks_follow_the_rules, not at collection
        marks = []
    return pytest.param(path, id=str(path.relative_to(REPO)), marks=marks)


@pytest.mark.parametrize("guide", [_param(g) for g in GUIDES])
@pytest.mark.timeout(300)
def test_guide_examples_run_as_written(guide: Path, tmp_path: Path) -> None:
    for tool in ("iamwarden", "aws"):
        assert (VENV_BIN / tool).exists(), f"{tool} is not installed in {VENV_BIN} (pip install -e '.[test]')"
    try:
        problems = run_guide(guide, tmp_path / "work")
    except DocFormatError as e:
        pytest.fail(str(e), pytrace=False)
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.mark.parametrize("guide", GUIDES, ids=[str(g.relative_to(REPO)) for g in GUIDES])
def test_guide_blocks_follow_the_rules(guide: Path) -> None:
    """Parsing enforces the rules (a language on every fence, known markers with a reason)."""
    try:
        blocks = guide_blocks(guide)
    except DocFormatError as e:
        pytest.fail(str(e), pytrace=False)
    for b in blocks:
        if b.lang == "console":
            assert b.commands, f"{b.where}: console block without a '$ ' command"


def test_not_run_blocks_are_few_and_give_a_reason() -> None:
    """``not-run`` is for what cannot run here (real AWS, peers' venvs, a browser), not for drift."""
    skipped = [b for g in GUIDES for b in guide_blocks(g) if b.skip is not None]
    runnable = [b for g in GUIDES for b in guide_blocks(g) if b.runnable]
    for b in skipped:
        assert len(b.skip or "") >= 10, f"{b.where}: say why the block is not run"
    assert len(runnable) > 2 * len(skipped), [b.where for b in skipped]


def test_translated_guides_are_collected() -> None:
    assert {g.relative_to(REPO).as_posix() for g in TRANSLATED_GUIDES} >= {"docs/ja/assume-role.md",
                                                                            "docs/ja/quickstart.md"}


def test_spec_copies_are_left_out_and_nothing_else() -> None:
    left_out = {p.name for p in (REPO / "docs").glob("*.md")} - {g.name for g in GUIDES}
    assert left_out == {"aws-semantics.md", "privesc-catalog.md"}


def test_the_guides_need_graphviz_and_it_is_here() -> None:
    """explain/audit pictures call Graphviz ``dot``; CI installs it, so its absence is a failure."""
    assert shutil.which("dot"), "Graphviz `dot` is not on PATH (apt-get install graphviz)"
