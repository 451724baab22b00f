"""Every account in shared/conformance/accounts: admins, can_escalate and one path per escalator.

``uncertain_principals`` are skipped (catalog rule 9). A path must exist for
each escalating principal, and where the expected path is given its hops must
use techniques of the same catalog family (D / P / E), hop for hop when the
lengths agree.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamwarden.analysis import audit
from iamwarden.loaders.authz_details import load_world
from tests.conftest import CONFORMANCE

ACCOUNTS = CONFORMANCE / "accounts"
CASES = sorted(ACCOUNTS.glob("*.expected.json"))


#: the audit runs at a moment, as ``iamwarden audit`` does (time keys, ``analysis.session``)
NOW = datetime(2026, 12, 2, tzinfo=UTC)


def _load(expected: Path):
    exp = json.loads(expected.read_text())
    files = [ACCOUNTS / f for f in exp["account_files"]]
    return exp, audit(load_world(files), now=NOW)


@pytest.mark.parametrize("expected", CASES, ids=[p.name.removesuffix(".expected.json") for p in CASES])
def test_account(expected: Path, conformance_dir: Path) -> None:
    exp, result = _load(expected)
    skip = set(exp.get("uncertain_principals") or {})
    admins = {p.arn for p in result.principals if p.admin}
    assert admins - skip == set(exp["admins"]) - skip
    got = {p.arn: p.can_escalate for p in result.principals if not p.admin}
    for arn, want in exp["can_escalate"].items():
        if arn in skip:
            continue
        assert got.get(arn) == want, f"{arn}: can_escalate {got.get(arn)}, expected {want}"
    for path, techs in zip(exp.get("paths") or [], exp.get("path_techniques") or [], strict=True):
        src = path[0]
        if src in skip:
            continue
        p = result.principal(src)
        assert p is not None and p.paths, f"{src}: no path found"
        families = [t[0] for t in techs]
        ours = [[e.technique[0] for e in steps] for steps in p.paths]
        if len(path) == 1:  # self-escalation: every step stays on the principal
            assert any(all(e.source == e.target == src for e in steps) for steps in p.paths), ours
        # same families hop for hop, or a strictly shorter (equally valid) path
        assert any(o == families for o in ours) or min(map(len, ours)) < len(families), (ours, techs)
