"""Shared test fixtures: where the shared conformance data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("IAMWARDEN_SHARED", REPO.parent / "shared"))
CONFORMANCE = SHARED / "conformance"


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    if not CONFORMANCE.is_dir():
        pytest.fail(f"conformance data not found at {CONFORMANCE} (set IAMWARDEN_SHARED)")
    return CONFORMANCE
