"""A small generated organization (benchmarks/generate_org.py), shared by the scale tests."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _generator():
    spec = importlib.util.spec_from_file_location("generate_org", ROOT / "benchmarks" / "generate_org.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def org_dir(tmp_path_factory) -> Path:
    """4 accounts of 150 principals, with trusts between sibling accounts."""
    d = tmp_path_factory.mktemp("org")
    _generator().write_org(str(d), accounts=4, per_account=150, seed=7)
    return d


@pytest.fixture(scope="session")
def org_file(tmp_path_factory, org_dir) -> Path:
    """The organization file of ``org_dir`` (SCPs: an OU denying the IAM writes)."""
    f = tmp_path_factory.mktemp("orgfile") / "organization.json"
    _generator().write_organization(str(f), accounts=4)
    return f
