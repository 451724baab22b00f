"""Shared test fixtures: where the conformance data lives.

The conformance data is *in the repository* (``tests/conformance/data``), copied
from the project's shared folder, so a bare ``git clone`` runs every case.
``tests/conformance/test_data_copy.py`` keeps the copy honest: every file matches
``tests/conformance/MANIFEST.sha256``, and, where the shared folder is present
beside the clone (or ``IAMWARDEN_SHARED`` names it), matches it byte for byte.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: the suite reads English output unless a test asks for another language (``--lang``, or
#: ``monkeypatch.setenv``): a developer's own IAMWARDEN_LANG must not change what the tests see,
#: in this process or in the commands they start
os.environ.pop("IAMWARDEN_LANG", None)

REPO = Path(__file__).resolve().parents[1]
CONFORMANCE = REPO / "tests" / "conformance" / "data"
SHARED = Path(os.environ.get("IAMWARDEN_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    return CONFORMANCE
