"""The in-repository copies of the shared data never drift (issue 9).

The tests read conformance data from ``tests/conformance/data`` and the docs cite
``docs/privesc-catalog.md`` and ``docs/aws-semantics.md``: copies of the project's
shared folder, so a bare clone runs everything. Two checks keep them honest:

* every copied file matches its line in ``MANIFEST.sha256`` (so nobody edits a
  vector to make a test pass — the manifest is rewritten only by
  ``scripts/update-shared-copy.sh``), and nothing is missing or extra;
* where the shared folder exists beside the clone (or ``IAMWARDEN_SHARED``
  names it), its files are the same, byte for byte, and the same set.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import CONFORMANCE, REPO, SHARED

MANIFEST = REPO / "tests" / "conformance" / "MANIFEST.sha256"
_DOCS = {"spec/privesc-catalog.md": REPO / "docs" / "privesc-catalog.md",
         "spec/aws-semantics.md": REPO / "docs" / "aws-semantics.md"}


def _entries() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in MANIFEST.read_text().splitlines():
        digest, name = line.split("  ", 1)
        out[name] = digest
    return out


ENTRIES = _entries()


def _copy_of(name: str) -> Path:
    """Where the repository keeps its copy of shared file ``name``."""
    if name in _DOCS:
        return _DOCS[name]
    return CONFORMANCE / name.removeprefix("conformance/")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _shared_files() -> list[str]:
    conf = SHARED / "conformance"
    if not conf.is_dir():
        return []
    names = [f"conformance/{p.relative_to(conf).as_posix()}" for p in conf.rglob("*") if p.is_file()]
    return sorted(names + [n for n in _DOCS if (SHARED / n).is_file()])


def test_manifest_lists_every_copied_conformance_file():
    copied = {f"conformance/{p.relative_to(CONFORMANCE).as_posix()}" for p in CONFORMANCE.rglob("*") if p.is_file()}
    listed = {n for n in ENTRIES if n.startswith("conformance/")}
    assert copied == listed, f"extra: {sorted(copied - listed)}, missing: {sorted(listed - copied)}"
    assert len(listed) >= 30 and "conformance/decisions.json" in listed


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_copy_matches_manifest(name: str):
    assert _sha(_copy_of(name)) == ENTRIES[name], (
        f"{_copy_of(name)} was edited; the copy must equal shared/{name} (scripts/update-shared-copy.sh)")


# Defined only where the shared folder is present: on a bare clone there is nothing to compare
# with (and an empty parameter set would be reported as a skip); the manifest checks above still run.
SHARED_FILES = _shared_files()
if SHARED_FILES:

    @pytest.mark.parametrize("name", SHARED_FILES)
    def test_copy_matches_shared(name: str):
        assert name in ENTRIES, f"shared/{name} is not copied into the repository (scripts/update-shared-copy.sh)"
        assert _sha(SHARED / name) == ENTRIES[name], f"shared/{name} changed: run scripts/update-shared-copy.sh"

    def test_shared_holds_no_file_the_copy_lacks_or_keeps():
        assert set(SHARED_FILES) == set(ENTRIES), f"differ: {sorted(set(SHARED_FILES) ^ set(ENTRIES))}"
