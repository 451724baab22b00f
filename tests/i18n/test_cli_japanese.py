"""``--lang ja`` and ``IAMWARDEN_LANG=ja``: what a person reads is Japanese, for the bundled examples.

"No untranslated English sentence" is checked by looking for a run of three or more
English words once the parts that stay English by design are taken out: ARNs, quoted
values and JSON from the policies, AWS's own error message (``User: … is not authorized
to perform: …``, the text AWS returns), and codes (``AccessDenied``, ``IW001``, …).
In ``audit``, the techniques' names and the hops' reasons are translated too (the reasons
through analysis/hop_text.py), so nothing is exempted there.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from iamwarden.cli import main

REPO = Path(__file__).resolve().parents[2]
DEMO = str(REPO / "examples" / "demo-account.json")
A = "111122223333"

WORD_RUN = re.compile(r"(?<![\w:/.-])[A-Za-z]+(?: [A-Za-z]+){2,}(?![\w:/.-])")
AWS_MESSAGE = re.compile(r"User: \S+ is not authorized to perform: \S+ on resource: \S+")


def english_runs(text: str, exempt: tuple[str, ...] = ()) -> list[str]:
    """Runs of 3+ English words in ``text``, outside ARNs, quotes, JSON and AWS's own message."""
    for s in sorted(exempt, key=len, reverse=True):
        if s:
            text = text.replace(s, "")
    text = AWS_MESSAGE.sub("", text)
    out = []
    for line in text.splitlines():
        line = re.sub(r"\{.*\}", "", line)                     # JSON of a statement
        line = re.sub(r"arn:[^\s,)'\"<>]+", "", line)          # ARNs
        line = re.sub(r"'[^']*'|\"[^\"]*\"", "", line)         # quoted values from the policy
        line = re.sub(r"<[^>]+>", " ", line)                   # HTML tags
        out += [m.group() for m in WORD_RUN.finditer(line)]
    return out


def run(capsys, *args: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    code = main(list(args))
    return code, capsys.readouterr().out


def test_english_runs_finds_english() -> None:
    assert english_runs("結果: the trust policy names you") == ["the trust policy names you"]
    assert english_runs("信頼ポリシー arn:aws:iam::1:role/Some Role Name 'a quoted english value'") == []


CASES = [("alice", "AdminRole", 0), ("ops-admin", "AuditRole", 1), ("carol", "AdminRole", 1), ("bob", "AuditRole", 0)]


@pytest.mark.parametrize("user,role,status", CASES, ids=[f"{u}-{r}" for u, r, _ in CASES])
def test_explain_ja_has_no_english_sentence(capsys, user: str, role: str, status: int) -> None:  # type: ignore[no-untyped-def]
    code, out = run(capsys, "explain", "--account", DEMO, "--principal", f"arn:aws:iam::{A}:user/{user}",
                    "--role", f"arn:aws:iam::{A}:role/{role}", "--lang", "ja")
    assert code == status
    assert "信頼ポリシー" in out
    assert english_runs(out) == []


def test_explain_picture_labels_ja(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out = run(capsys, "explain", "--account", DEMO, "--principal", f"arn:aws:iam::{A}:user/carol",
                    "--role", f"arn:aws:iam::{A}:role/AdminRole", "--lang", "ja", "--format", "dot")
    assert code == 1
    for label in ("呼び出し元", "認証情報なし", "理由", "結果を変えるには", "拒否", "許可"):
        assert label in out
    assert "What would change" not in out and "No credentials" not in out


def test_explain_json_ja_keeps_english_keys_and_codes(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out = run(capsys, "explain", "--account", DEMO, "--principal", f"arn:aws:iam::{A}:user/carol",
                    "--role", f"arn:aws:iam::{A}:role/AdminRole", "--lang", "ja", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["outcome"] == "AccessDenied" and data["sides"]["caller"]["state"] == "deny"
    assert data["rule"].startswith("同一アカウントで")
    assert data["error"]["code"] == "AccessDenied"


def test_iamwarden_lang_environment_is_read(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("IAMWARDEN_LANG", "ja")
    code, out = run(capsys, "explain", "--account", DEMO, "--principal", f"arn:aws:iam::{A}:user/bob",
                    "--role", f"arn:aws:iam::{A}:role/AuditRole")
    assert code == 0 and "信頼ポリシーがあなたを直接指定しています" in out
    # and --lang wins over it
    code, out = run(capsys, "explain", "--account", DEMO, "--principal", f"arn:aws:iam::{A}:user/bob",
                    "--role", f"arn:aws:iam::{A}:role/AuditRole", "--lang", "en")
    assert "the trust policy names you directly" in out


def test_bad_iamwarden_lang_is_a_usage_error(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("IAMWARDEN_LANG", "xx")
    code = main(["validate", str(REPO / "examples" / "demo-account.json")])
    assert code == 2
    assert "IAMWARDEN_LANG='xx'" in capsys.readouterr().err


def test_default_is_english(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("IAMWARDEN_LANG", raising=False)
    code, out = run(capsys, "explain", "--account", DEMO, "--principal", f"arn:aws:iam::{A}:user/bob",
                    "--role", f"arn:aws:iam::{A}:role/AuditRole")
    assert "the trust policy names you directly" in out and "信頼" not in out


@pytest.mark.parametrize("principal,action,resource", [
    ("user/carol", "sts:AssumeRole", "role/AdminRole"),
    ("user/alice", "sts:AssumeRole", "role/AdminRole"),
    ("user/ops-admin", "iam:CreateUser", "user/x"),
    ("user/bob", "sts:AssumeRole", "role/AuditRole"),
])
def test_check_ja_has_no_english_sentence(capsys, principal: str, action: str, resource: str) -> None:  # type: ignore[no-untyped-def]
    code, out = run(capsys, "check", "--account", DEMO, "--principal", f"arn:aws:iam::{A}:{principal}",
                    "--action", action, "--resource", f"arn:aws:iam::{A}:{resource}", "--lang", "ja")
    assert "ルール: " in out
    assert english_runs(out) == []


BAD_POLICY = {"Statement": [
    {"Sid": "a-b", "Effect": "Allow", "Action": ["s3:GetObjekt", "iam:PassRole", "*"], "Resource": "*"},
    {"Effect": "Allow", "NotAction": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b"],
     "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "x"}, "StringEquals": {"aws:Nope": "1"}}},
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}


@pytest.mark.parametrize("kind", ["identity", "resource"])
def test_validate_ja_has_no_english_sentence(capsys, tmp_path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "policy.json"
    f.write_text(json.dumps(BAD_POLICY))
    code, out = run(capsys, "validate", str(f), "--type", kind, "--lang", "ja")
    assert code == 1 and "件のエラー" in out
    assert english_runs(out) == []
    code, out = run(capsys, "validate", str(f), "--type", kind, "--lang", "ja", "--format", "json")
    data = json.loads(out)
    assert "UNKNOWN_ACTION" in {x["code"] for x in data["findings"]}
    assert all(english_runs(x["message"]) == [] for x in data["findings"])


def test_audit_text_ja_has_no_english_sentence(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out = run(capsys, "audit", DEMO, "--lang", "ja")
    assert "管理者 (実質的に * に対して * を許可):" in out and "修正方法:" in out
    assert "D15 ロールを引き受ける:" in out  # the technique's name
    assert english_runs(out) == []


def test_audit_html_ja(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out_file = tmp_path / "r.html"
    main(["audit", DEMO, "--lang", "ja", "--format", "html", "--output", str(out_file)])
    page = out_file.read_text(encoding="utf-8")
    assert '<html lang="ja">' in page and "<h2>検出結果</h2>" in page and "権限昇格グラフ" in page
    body = page.split("<body>", 1)[1].split("<script>", 1)[0]
    body = re.sub(r"<svg.*?</svg>", "", body, flags=re.S)  # the graph: ids, classes, technique IDs
    body = re.sub(r"<pre>.*?</pre>", "", body, flags=re.S)  # statements shown as JSON
    assert english_runs(body) == []


def test_audit_json_ja_translates_messages_not_ids(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out = run(capsys, "audit", DEMO, "--lang", "ja", "--format", "json")
    f = {x["id"]: x for x in json.loads(out)["findings"]}
    assert f["IW004"]["rule"] == "admin-without-mfa" and f["IW004"]["severity"] == "medium"
    assert f["IW004"]["message"].startswith("ユーザー ops-admin は管理者ですが")


def test_audit_sarif_stays_english(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out = run(capsys, "audit", DEMO, "--lang", "ja", "--format", "sarif")
    assert "信頼" not in out and "admin and its permissions do not require MFA" in out


def test_audit_dot_labels_ja(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out = run(capsys, "audit", DEMO, "--lang", "ja", "--format", "dot")
    assert "権限昇格グラフ" in out and "管理者" in out
