"""Under ``--lang ja`` no English sentence is left, whether its message was marked or not.

The catalogue test (test_catalogue.py) sees only marked messages: a finding written with a
plain f-string is invisible to it. These tests run the commands a person reads instead —
``audit`` (text and HTML) on accounts that together produce **every finding code** the
analysis can write, ``explain`` (AssumeRole, SAML, web identity), ``check`` and ``validate``
— and fail on any line holding a run of three or more English words once the parts that
stay English by design are taken out (``english_runs``: ARNs, quoted policy values, JSON,
AWS's own error message, codes; see test_cli_japanese.py). Product names that read as
English words are listed in ``PROPER_NAMES``; nothing else is exempted.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from iamwarden.cli import main

from .test_cli_japanese import english_runs

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
MORE = Path(__file__).parent / "data" / "more-findings.json"
ORG = ["audit", str(EXAMPLES / "organization" / "accounts"), "--org", str(EXAMPLES / "organization" / "organization.json"),
       "--resources", str(EXAMPLES / "organization" / "resources")]
#: the audits that, together, produce every finding code (test_every_finding_code_is_covered)
AUDITS = {
    "demo": ["audit", str(EXAMPLES / "demo-account.json")],
    "federated": ["audit", str(EXAMPLES / "federated-account.json")],
    "organization": ORG,
    "more-findings": ["audit", str(MORE)],
}
#: names of AWS features and providers, written as AWS writes them in its Japanese documentation too
PROPER_NAMES = ("EKS Pod Identity", "IAM Access Analyzer", "S3 Block Public Access", "Login with Amazon", "GitHub Actions",
                "Terraform Cloud", "Bitbucket Pipelines")
#: STS's own error sentences, as AWS answers them (docs/i18n.md: they stay English on purpose)
STS_ERRORS = re.compile(r"AccessDenied: Not authorized to perform \S+|\b[A-Za-z]+(?:Exception|Error): .*$")
#: a finding code as the analysis writes it in a Finding/TrustIssue
CODE_LITERAL = re.compile(r'"(IW\d{3})"')


def run(capsys, *args: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    code = main(list(args))
    return code, capsys.readouterr().out


def english_lines(text: str) -> list[str]:
    """Each English run with the line it is on (for a readable failure)."""
    out = []
    for line in text.splitlines():
        out += [f"{run!r} in: {line.strip()[:200]}" for run in english_runs(STS_ERRORS.sub("", line), PROPER_NAMES)]
    return out


def page_text(page: str) -> str:
    """What a reader of the HTML report sees, tooltips (``<title>``) and attributes included:
    the script and style are dropped, tags become line breaks, entities are decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    attrs = re.findall(r'(?:title|placeholder|aria-label)="([^"]*)"', page)
    body = re.sub(r"<pre>.*?</pre>", "\n", page, flags=re.S)  # statements shown as JSON
    return html.unescape(re.sub(r"<[^>]+>", "\n", body) + "\n" + "\n".join(attrs))


def test_english_lines_catches_an_untranslated_finding() -> None:
    # the shape of IW008's message before it was marked: the check must see it
    line = ("  [CRITICAL] IW008 ci-oidc-trust-without-sub: ロール GitHubDeployAdmin: trust statement 0 (GitHubOidc) "
            "trusts the GitHub Actions OIDC provider token.actions.githubusercontent.com without a condition")
    assert english_lines(line)
    assert english_lines("  [HIGH] IW012 eks-irsa-any-service-account: ロール X: 信頼ポリシーの EKS Pod Identity") == []


def test_every_finding_code_is_covered(capsys) -> None:  # type: ignore[no-untyped-def]
    """The audits below produce every code written in src/iamwarden/analysis (a new code needs a fixture)."""
    written = set()
    for path in (REPO / "src" / "iamwarden" / "analysis").rglob("*.py"):
        written |= set(CODE_LITERAL.findall(path.read_text(encoding="utf-8")))
    produced = set()
    for args in AUDITS.values():
        _, out = run(capsys, *args, "--format", "json")
        produced |= {f["id"] for f in json.loads(out)["findings"]}
    assert written, "no finding code found in the analysis source"
    assert written <= produced, f"no fixture produces {sorted(written - produced)}: add one to {MORE.name}"


@pytest.mark.parametrize("name", list(AUDITS))
def test_audit_text_ja_has_no_english(capsys, name: str) -> None:  # type: ignore[no-untyped-def]
    _, out = run(capsys, *AUDITS[name], "--lang", "ja")
    assert "検出結果" in out
    assert english_lines(out) == []


@pytest.mark.parametrize("name", list(AUDITS))
def test_audit_html_ja_has_no_english(capsys, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    out_file = tmp_path / "r.html"
    main([*AUDITS[name], "--lang", "ja", "--format", "html", "--output", str(out_file)])
    text = page_text(out_file.read_text(encoding="utf-8"))
    assert "検出結果" in text
    assert english_lines(text) == []


@pytest.mark.parametrize("name", list(AUDITS))
def test_audit_json_ja_messages_have_no_english(capsys, name: str) -> None:  # type: ignore[no-untyped-def]
    _, out = run(capsys, *AUDITS[name], "--lang", "ja", "--format", "json")
    findings = json.loads(out)["findings"]
    bad = [f"{f['id']}: {line}" for f in findings for k in ("message", "fix", "who") if f.get(k)
           for line in english_lines(str(f[k]))]
    assert bad == []


def test_validate_trust_ja_has_no_english(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``validate --type trust`` runs the same trust checks on a lone document (IW008-IW020)."""
    doc = json.loads((EXAMPLES / "federated-account.json").read_text())
    statements = [st for r in doc["RoleDetailList"] for st in r["AssumeRolePolicyDocument"]["Statement"]]
    f = tmp_path / "trust.json"
    f.write_text(json.dumps({"Version": "2012-10-17", "Statement": statements}))
    code, out = run(capsys, "validate", str(f), "--type", "trust", "--lang", "ja")
    assert code == 1 and "IW008" in out
    assert english_lines(out) == []


# --- explain for federated principals -------------------------------------------------------

A = "111122223333"
SAML_ROLE = f"arn:aws:iam::{A}:role/Federated"
EPPN = "urn:oid:1.3.6.1.4.1.5923.1.1.1.6"


def saml_account(tmp_path: Path):  # type: ignore[no-untyped-def]
    from iamwarden.testing_saml import SamlIdentityProvider

    idp = SamlIdentityProvider("https://idp.example.com/saml", "Corp", A)
    data = {"RoleDetailList": [{
        "RoleName": "Federated", "Arn": SAML_ROLE, "RoleId": "AROAFEDERATED00000000",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Sid": "Corp", "Effect": "Allow", "Principal": {"Federated": idp.provider_arn},
            "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"saml:edupersonprincipalname": "alice@corp.example"}}}]}}],
        "SAMLProviderList": [{"Arn": idp.provider_arn, "SAMLMetadataDocument": idp.metadata_xml()}]}
    path = tmp_path / "acct.json"
    path.write_text(json.dumps(data))
    return idp, path


@pytest.mark.parametrize("who,role", [("alice@corp.example", SAML_ROLE), ("bob@corp.example", SAML_ROLE),
                                      ("alice@corp.example", f"arn:aws:iam::{A}:role/Other")],
                         ids=["allowed", "condition-fails", "no-role-pair"])
def test_explain_saml_ja_has_no_english(capsys, tmp_path: Path, who: str, role: str) -> None:  # type: ignore[no-untyped-def]
    idp, acct = saml_account(tmp_path)
    f = tmp_path / "assertion.b64"
    f.write_text(idp.response(role, attributes={EPPN: who}))
    _, out = run(capsys, "explain", "--account", str(acct), "--role", SAML_ROLE, "--saml-assertion", str(f),
                 "--lang", "ja")
    assert "信頼ポリシー" in out or "Role 属性" in out
    assert english_lines(out) == []


GH = "token.actions.githubusercontent.com"


@pytest.mark.parametrize("sub", ["repo:org/repo:ref:refs/heads/main", "repo:org/repo:ref:refs/heads/dev"])
def test_explain_web_identity_ja_has_no_english(capsys, tmp_path: Path, sub: str) -> None:  # type: ignore[no-untyped-def]
    role = f"arn:aws:iam::{A}:role/deploy"
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{A}:oidc-provider/{GH}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com", f"{GH}:sub": "repo:org/repo:ref:refs/heads/main"}}}]}
    acct = tmp_path / "acct.json"
    acct.write_text(json.dumps({"RoleDetailList": [{"RoleName": "deploy", "Arn": role, "Path": "/",
                                                    "RoleId": "AROADEPLOY", "AssumeRolePolicyDocument": trust}]}))
    claims = json.dumps({"iss": f"https://{GH}", "aud": "sts.amazonaws.com", "sub": sub})
    _, out = run(capsys, "explain", "--account", str(acct), "--role", role, "--claims", claims, "--lang", "ja")
    assert "トークン" in out
    assert english_lines(out) == []
    _, out = run(capsys, "explain", "--account", str(acct), "--role", role, "--claims", claims, "--lang", "ja",
                 "--format", "json")
    data = json.loads(out)
    sentences = [data["rule"], *data["what_would_change"]]
    assert data["allowed"] or data["what_would_change"]
    assert [line for s in sentences for line in english_lines(s)] == []
    _, out = run(capsys, "explain", "--account", str(acct), "--role", role, "--claims", claims, "--format", "json")
    en = json.loads(out)  # English: the same record, only its sentences differ
    assert en.keys() == data.keys() and en["allowed"] == data["allowed"] and en["keys"] == data["keys"]
    assert len(en["what_would_change"]) == len(data["what_would_change"])
    assert all(s.isascii() for s in [en["rule"], *en["what_would_change"]])


# --- the command line itself: --help, argparse's words, `iamwarden: error: …` -----------------

COMMANDS = ["", "check", "validate", "explain", "audit", "who-can", "path", "collect", "diff", "plan", "serve",
            "playground"]


@pytest.mark.parametrize("command", COMMANDS, ids=[c or "iamwarden" for c in COMMANDS])
def test_help_ja_has_no_english(capsys, monkeypatch, command: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("IAMWARDEN_LANG", "ja")
    with pytest.raises(SystemExit) as done:
        main([*([command] if command else []), "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("使い方: ") and "このヘルプを表示して終了します" in out
    assert english_lines(out) == []


def test_help_en_is_english(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("IAMWARDEN_LANG", raising=False)
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: ") and "show this help message and exit" in out and "使い方" not in out


UNUSABLE = {
    "missing-file": ["audit", "/nonexistent/account.json"],
    "missing-arguments": ["check", "--account", str(EXAMPLES / "demo-account.json")],
    "unknown-role": ["explain", "--account", str(EXAMPLES / "demo-account.json"), "--principal",
                     "arn:aws:iam::111122223333:user/alice", "--role", "arn:aws:iam::111122223333:role/Nope"],
    "argparse-unknown-flag": ["check", "--bogus"],
    "argparse-bad-choice": ["audit", "--format", "pdf", str(EXAMPLES / "demo-account.json")],
    "argparse-required": ["diff"],
    "too-many-inputs": ["diff", "--not-granted", "s3:GetObject", "a.json", "b.json"],
}


@pytest.mark.parametrize("name", list(UNUSABLE))
def test_usage_errors_ja_have_no_english(capsys, name: str) -> None:  # type: ignore[no-untyped-def]
    """Exit 2 with one line in Japanese, for our errors and argparse's alike (``--lang`` found before parsing)."""
    try:
        code = main([*UNUSABLE[name], "--lang", "ja"])
    except SystemExit as e:
        code = e.code
    err = capsys.readouterr().err
    assert code == 2
    line = err.strip().splitlines()[-1]
    assert line.startswith("iamwarden") and ": エラー: " in line, err
    # the OS's own words (strerror, "No such file or directory") are the system's, not ours
    assert english_lines(line.replace("No such file or directory", "")) == []


def test_usage_error_en_is_unchanged(capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["check", "--account", str(EXAMPLES / "demo-account.json")])
    assert code == 2
    assert capsys.readouterr().err == "iamwarden: error: --account needs --principal, --action, --resource\n"


def test_language_is_decided_before_parsing() -> None:
    from iamwarden.cli.argparse_text import language_before_parsing

    assert language_before_parsing(["audit", "--lang", "ja", "x.json"], {}) == "ja"
    assert language_before_parsing(["audit", "--lang=ja"], {}) == "ja"
    assert language_before_parsing(["audit"], {"IAMWARDEN_LANG": "ja_JP.UTF-8"}) == "ja"
    assert language_before_parsing(["audit", "--lang", "en"], {"IAMWARDEN_LANG": "ja"}) == "en"
    assert language_before_parsing(["audit", "--", "--lang", "ja"], {}) == "en"
    assert language_before_parsing(["audit", "--lang", "xx"], {"IAMWARDEN_LANG": "bogus"}) == "en"


def test_organization_file_error_ja_has_no_english(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    org = tmp_path / "org.json"
    org.write_text(json.dumps({"Organization": {"Id": "o-1", "MasterAccountId": "12"},
                               "Roots": [{"Id": "r-1", "Name": "Root"}], "Children": [], "Policies": []}))
    code = main(["audit", str(EXAMPLES / "demo-account.json"), "--org", str(org), "--lang", "ja"])
    err = capsys.readouterr().err
    assert code == 2 and "管理アカウント" in err
    assert english_lines(err) == []


@pytest.mark.parametrize("cases", [[], [{"id": "c1", "policies": [], "request": {}}]], ids=["empty", "bad-case"])
def test_case_file_errors_ja_have_no_english(capsys, tmp_path: Path, cases: list[object]) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "cases.json"
    f.write_text(json.dumps(cases))
    code = main(["check", "--case", str(f), "--lang", "ja"])
    out = capsys.readouterr()
    assert code == 2 or "エラー" in out.out
    assert english_lines(out.out + out.err) == []


PLANS_DIR = EXAMPLES / "plans"
DATA = Path(__file__).parent / "data"
DEMO = str(EXAMPLES / "demo-account.json")
#: ``plan`` runs that together write every kind of line its reports have: new and removed admins,
#: escalations and findings, OIDC providers, and (the two ``plan-unknowns`` inputs) each sentence
#: the readers write for a value unknown until apply, and their notes
PLANS = {
    "tf-ci-deploy": ["plan", str(PLANS_DIR / "terraform" / "ci-deploy-role.tfplan.json"), "--account", DEMO],
    "tf-fix-admin": ["plan", str(PLANS_DIR / "terraform" / "fix-admin-role.tfplan.json"), "--account", DEMO],
    "tf-unknowns": ["plan", str(DATA / "plan-unknowns.tfplan.json"), "--account", DEMO],
    "cfn-admin-role": ["plan", "--cfn", str(PLANS_DIR / "cloudformation" / "admin-role.yaml")],
    "cfn-unknowns": ["plan", "--cfn", str(DATA / "plan-unknowns.cfn.json")],
}


@pytest.mark.parametrize("fmt", ["text", "markdown"])
@pytest.mark.parametrize("name", list(PLANS))
def test_plan_ja_has_no_english(capsys, name: str, fmt: str) -> None:  # type: ignore[no-untyped-def]
    code = main([*PLANS[name], "--lang", "ja", "--format", fmt])
    captured = capsys.readouterr()
    assert code in (0, 1, 2) and "アカウント" in captured.out
    assert english_lines(captured.out) == []
    assert english_lines(captured.err) == []


@pytest.mark.parametrize("name", ["tf-unknowns", "cfn-unknowns", "cfn-admin-role"])
def test_plan_json_ja_sentences_have_no_english(capsys, name: str) -> None:  # type: ignore[no-untyped-def]
    main([*PLANS[name], "--lang", "ja", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    sentences = [f[k] for f in report["findings"]["new"] for k in ("message", "fix") if f.get(k)]
    sentences += [u[k] for u in report["unknowns"] for k in ("what", "effect")] + report["notes"]
    assert sentences
    assert [line for s in sentences for line in english_lines(s)] == []


def test_plan_sarif_stays_english_under_ja(capsys) -> None:  # type: ignore[no-untyped-def]
    main([*PLANS["tf-unknowns"], "--lang", "ja", "--format", "sarif"])
    texts = [r["message"]["text"] for r in json.loads(capsys.readouterr().out)["runs"][0]["results"]]
    assert texts and all(t.startswith("unknown until apply: ") for t in texts)
    assert not any(re.search(r"[\u3040-\u30ff]", t) for t in texts)


def test_plan_en_is_unchanged_by_marking(capsys) -> None:  # type: ignore[no-untyped-def]
    """The English report reads as before the sentences were marked (the JSON a CI job may parse)."""
    main([*PLANS["cfn-unknowns"], "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    whats = {u["what"] for u in report["unknowns"]}
    assert "the maximum session duration (Fn::Select index 5 out of range)" in whats
    assert "whether Undefined is created (condition 'Nope' is not defined)" in whats
    assert "account id not given: AWS::AccountId is 123456789012 (use --account-id)" in report["notes"]


def test_did_you_mean_alternatives_are_joined_in_the_readers_language(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two or more suggestions: "または" between them under ``--lang ja``, "or" in English."""
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}), encoding="utf-8")
    main(["validate", str(policy), "--lang", "ja"])
    ja = capsys.readouterr().out
    main(["validate", str(policy)])
    en = capsys.readouterr().out
    assert "'s3:GetObject' または 's3:GetObjectAcl'" in ja and " or " not in ja
    assert "did you mean 's3:GetObject' or 's3:GetObjectAcl'?" in en


def test_one_of_joins_any_number_of_alternatives() -> None:
    from iamwarden.i18n import one_of, translator

    _ = translator("ja")
    assert one_of([]) == "" and one_of(["a"]) == "a"
    assert str(one_of(["a", "b", "c"])) == "a or b or c"
    assert _.text(one_of(["a", "b", "c"])) == "a または b または c"


A_DEMO = "arn:aws:iam::111122223333"
#: ``who-can`` and ``path`` answers: direct holders with their statements, paths through several
#: techniques, and the "no path" answer
QUERIES = {
    "who-can": ["who-can", "--account", DEMO, "--action", "iam:CreateUser"],
    "who-can-uncertain": ["who-can", "--account", DEMO, "--action", "s3:GetObject", "--uncertain"],
    "path-pass-role": ["path", f"{A_DEMO}:user/dave", f"{A_DEMO}:role/LambdaOpsRole", "--account", DEMO],
    "path-assume": ["path", f"{A_DEMO}:user/alice", f"{A_DEMO}:role/AdminRole", "--account", DEMO],
    "path-access-key": ["path", f"{A_DEMO}:user/erin", f"{A_DEMO}:user/ops-admin", "--account", DEMO],
    "no-path": ["path", f"{A_DEMO}:user/bob", f"{A_DEMO}:role/AdminRole", "--account", DEMO],
}


@pytest.mark.parametrize("name", list(QUERIES))
def test_who_can_and_path_ja_have_no_english(capsys, name: str) -> None:  # type: ignore[no-untyped-def]
    main([*QUERIES[name], "--lang", "ja"])
    ja = capsys.readouterr().out
    main(QUERIES[name])
    en = capsys.readouterr().out
    assert ja.strip() and ja != en
    assert english_lines(ja) == []


def _policy(tmp_path: Path, name: str, *statements: dict[str, object]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}), encoding="utf-8")
    return str(path)


def _allow(action: str, resource: str = "arn:aws:s3:::reports/*", **condition: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **({"Condition": condition} if condition else {})}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_diff_ja_has_no_english(capsys, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """Every answer: new access with its example and the engine's decisions, no new access, access
    granted, and unknown with its reason (a construct the solver does not encode)."""
    old = _policy(tmp_path, "old.json", _allow("s3:GetObject"))
    new = _policy(tmp_path, "new.json", _allow("s3:*"))
    binary = _policy(tmp_path, "binary.json", _allow("s3:GetObject", BinaryEquals={"k": "QUJD"}))
    runs = [["diff", old, new], ["diff", new, old], ["diff", "--not-granted", "s3:PutObject", new],
            ["diff", old, binary]]
    for args in runs:
        code = main([*args, "--lang", "ja", "--format", fmt])
        out = capsys.readouterr().out
        assert code in (0, 1, 2)
        if fmt == "json":
            out = str(json.loads(out).get("reason", ""))
        assert english_lines(out) == [], args
    main(["diff", old, binary, "--lang", "ja", "--format", "json"])
    assert "エンコードしていません" in json.loads(capsys.readouterr().out)["reason"]


def test_joined_keeps_order_and_stays_shallow_for_many_items() -> None:
    """``joined`` of thousands of items (reasons a hostile policy can multiply) renders without
    deep recursion, in order, in both languages."""
    from iamwarden.i18n import gettext_noop, joined, translator

    items = [f"k{i}" for i in range(5000)]
    text = joined(items, gettext_noop("{first}; {second}"))
    assert str(text) == "; ".join(items)
    assert translator("ja").text(joined(items, gettext_noop("{first}, {second}"))) == "、".join(items)
    assert str(joined(["a", "b", "c"], gettext_noop("{first} or {second}"))) == "a or b or c"
