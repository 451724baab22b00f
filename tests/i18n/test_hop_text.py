"""Every escalation hop reason the techniques write is listed for translation (analysis/hop_text.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamwarden.analysis import audit
from iamwarden.analysis.hop_text import HOP_REASONS, hop_text
from iamwarden.i18n import translator
from iamwarden.loaders.authz_details import load_world
from tests.conftest import CONFORMANCE

REPO = Path(__file__).resolve().parents[2]
ACCOUNTS = sorted(p for p in (CONFORMANCE / "accounts").glob("*.json") if not p.name.endswith(".expected.json"))
NOW = datetime(2026, 12, 2, tzinfo=UTC)


def _reasons(path: Path) -> set[str]:
    data = audit(load_world([str(path)]), now=NOW).to_json()
    out = set()
    for p in data["principals"]:
        for path_ in (p.get("paths") or []) + (p.get("uncertain_paths") or []):
            out.update(s["reason"] for s in path_["steps"] if s.get("reason"))
    return out


@pytest.mark.parametrize("account", [REPO / "examples" / "demo-account.json", *ACCOUNTS],
                         ids=lambda p: p.name)
def test_every_hop_reason_is_listed(account: Path) -> None:
    unlisted = sorted(r for r in _reasons(account) if not hop_text(r).params)
    assert not unlisted, f"hop reasons not in analysis/hop_text.py HOP_REASONS (they stay English): {unlisted}"


def test_hop_text_is_the_reason_in_english() -> None:
    r = "can assume AdminRole (same account, trust policy trusts the account, so an identity permission was needed)"
    assert str(hop_text(r)) == r
    assert translator("ja").text(hop_text(r)) == (
        "AdminRole を引き受けられます (同一アカウントで、信頼ポリシーがアカウントを信頼しているため、"
        "アイデンティティベースのアクセス許可が必要でした)")


def test_most_specific_reason_wins() -> None:
    t = hop_text("can use iam:PutRolePolicy on R, then rewrite its trust and assume it")
    assert t.msgid == "can use {action} on {name}, then rewrite its trust and assume it"
    assert dict(t.params) == {"action": "iam:PutRolePolicy", "name": "R"}
    assert hop_text("can use iam:PutUserPolicy on itself").msgid == "can use {action} on itself"


def test_an_unknown_reason_stays_as_written() -> None:
    assert translator("ja").text(hop_text("can do something new")) == "can do something new"


def test_hop_reasons_are_each_listed_once() -> None:
    ids = [t.msgid for t in HOP_REASONS]
    assert len(ids) == len(set(ids))
