"""The page's own UI strings: one message file per language, every key used exists, Japanese complete."""

from __future__ import annotations

import json
import re
from importlib import resources

ASSETS = resources.files("iamwarden.web") / "assets"


def _messages(lang: str) -> dict[str, str]:
    return json.loads((ASSETS / f"messages.{lang}.json").read_text(encoding="utf-8"))


def _used_keys() -> set[str]:
    html = (ASSETS / "index.html").read_text(encoding="utf-8")
    js = (ASSETS / "playground.js").read_text(encoding="utf-8")
    keys = set(re.findall(r'data-i18n="([^"]+)"', html))
    keys |= set(re.findall(r'\bt\("([a-z0-9.-]+)"\s*[,)]', js))
    keys |= {f"state.{s}" for s in ("allow", "deny", "not-needed")}  # t("state." + side.state): Side.state
    from iamwarden.web.cases import CASES

    for c in CASES:
        keys |= {c.to_json()["title"], c.to_json()["blurb"]}
    return keys


def test_every_key_the_page_uses_is_in_the_english_messages():
    missing = _used_keys() - set(_messages("en"))
    assert not missing


def test_japanese_messages_translate_every_english_key():
    en, ja = _messages("en"), _messages("ja")
    assert set(ja) == set(en)
    untranslated = [k for k in en if ja[k] == en[k] or not ja[k].strip()]
    assert not untranslated


def test_japanese_messages_keep_the_placeholders():
    en, ja = _messages("en"), _messages("ja")
    for k in en:
        assert set(re.findall(r"\{\w+\}", ja[k])) == set(re.findall(r"\{\w+\}", en[k])), k


def test_japanese_messages_use_aws_japanese_terms():
    ja = _messages("ja")
    assert "信頼ポリシー" in ja["doc.trust"]
    assert "アイデンティティベースのポリシー" in ja["doc.identity"]
    assert "一時的な認証情報" in ja["credentials.heading"]
    assert "権限の昇格" in ja["admin.escalations"]
