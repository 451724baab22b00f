"""The translator API: ``translator(lang)``, ``N_`` deferred texts, and the CLI's choice of language."""

from __future__ import annotations

import json

import pytest

from iamwarden.evaluation import authorize
from iamwarden.i18n import N_, Text, choose_language, translator
from iamwarden.i18n.translate import ENV_VAR
from iamwarden.loaders.cases import case_from_dict
from iamwarden.report.decision_text import DECISION_MESSAGES, decision_message, decision_template, verdict_word
from tests.conftest import CONFORMANCE


def test_english_is_the_source_and_needs_no_catalogue() -> None:
    _ = translator("en")
    assert _("the trust policy trusts your whole account ({account})", account="1") == (
        "the trust policy trusts your whole account (1)")


def test_japanese_fills_named_placeholders() -> None:
    _ = translator("ja")
    assert _("the trust policy trusts your whole account ({account})", account="111122223333") == (
        "信頼ポリシーがあなたのアカウント全体 (111122223333) を信頼しています")


def test_unknown_msgid_falls_back_to_english() -> None:
    assert translator("ja")("not a message of iamwarden {x}", x=1) == "not a message of iamwarden 1"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="accepted: en, ja"):
        translator("fr")


def test_ngettext_plural_forms() -> None:
    assert translator("en").ngettext("{n} error", "{n} errors", 1) == "1 error"
    assert translator("en").ngettext("{n} error", "{n} errors", 3) == "3 errors"
    assert translator("ja").ngettext("{n} error", "{n} errors", 3) == "3 件のエラー"


def test_deferred_text_is_english_until_rendered() -> None:
    t = N_("user {user} is admin and its permissions do not require MFA", user="ops-admin")
    assert isinstance(t, Text)
    assert str(t) == "user ops-admin is admin and its permissions do not require MFA"
    assert translator("ja").text(t) == "ユーザー ops-admin は管理者ですが、そのアクセス許可は MFA を要求していません"


def test_nested_deferred_text_is_translated_too() -> None:
    inner = N_("; did you mean {options}?", options="'s3:GetObject'")
    outer = N_("{value!r}: {name!r} is not an action of {prefix}{hint}", value="s3:GetObjekt", name="GetObjekt",
               prefix="s3", hint=inner)
    assert str(outer).endswith("is not an action of s3; did you mean 's3:GetObject'?")
    assert translator("ja").text(outer).endswith("は s3 のアクションではありません。's3:GetObject' の間違いではありませんか?")


def test_a_parameter_is_never_read_as_a_template() -> None:
    # a policy can hold braces: str.format does not re-read values
    assert translator("ja")("Rule: {rule}", rule="{0} {__class__}") == "適用されたルール: {0} {__class__}"


def test_choose_language_flag_wins_over_environment() -> None:
    assert choose_language("en", {ENV_VAR: "ja"}) == "en"
    assert choose_language(None, {ENV_VAR: "ja"}) == "ja"


def test_choose_language_reads_locale_style_values() -> None:
    assert choose_language(None, {ENV_VAR: "ja_JP.UTF-8"}) == "ja"
    assert choose_language(None, {ENV_VAR: "en-US"}) == "en"


def test_choose_language_defaults_to_english() -> None:
    assert choose_language(None, {}) == "en"
    assert choose_language(None, {ENV_VAR: "  "}) == "en"


def test_choose_language_names_a_bad_environment_value() -> None:
    with pytest.raises(ValueError, match="IAMWARDEN_LANG='klingon'"):
        choose_language(None, {ENV_VAR: "klingon"})


_VECTORS = json.loads((CONFORMANCE / "decisions.json").read_text())


def test_decision_messages_of_the_conformance_vectors_are_all_translated() -> None:
    """Every reason and rule the engine writes for the conformance vectors has a Japanese form,
    so ``check --lang ja`` never falls back to an English sentence of the engine."""
    untranslated = set()
    for raw in _VECTORS:
        case = case_from_dict(raw)
        d = authorize(case.request, case.policies)
        for text in [d.rule or ""] + [r.message for r in d.reasons]:
            if text and decision_template(text) is None:
                untranslated.add(text)
    assert not untranslated, ("engine sentences without a translation (list them in "
                              f"report/decision_text.py DECISION_MESSAGES): {sorted(untranslated)}")


def test_decision_message_fills_a_template_by_its_fixed_parts() -> None:
    _ = translator("ja")
    assert decision_message("no service control policy at organization level 2 allows this", _) == (
        "組織のレベル 2 のサービスコントロールポリシー (SCP) はどれもこれを許可していません")
    assert decision_message("a statement that may be a Deny could not be read (p:3); denied (fail closed)", _) == (
        "Deny の可能性があるステートメントを読み取れませんでした (p:3)。拒否しました (フェイルクローズ)")
    assert decision_message("something the engine never says", _) == "something the engine never says"


def test_decision_messages_are_each_listed_once() -> None:
    ids = [t.msgid for t in DECISION_MESSAGES]
    assert len(ids) == len(set(ids))


def test_verdict_word_keeps_aws_code() -> None:
    assert verdict_word("ImplicitDeny", translator("ja")) == "ImplicitDeny (暗黙的な拒否)"
    assert verdict_word("ExplicitDeny", translator("ja")) == "ExplicitDeny (明示的な拒否)"
    assert verdict_word("Allow", translator("en")) == "Allow"
