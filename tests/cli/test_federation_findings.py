"""``audit --known-accounts`` and ``validate --type trust`` with the trust-leak findings (IW003, IW008–IW018)."""

from __future__ import annotations

import json
from pathlib import Path

from iamwarden.cli import main

ROOT = Path(__file__).resolve().parents[2]
FED = str(ROOT / "examples" / "federated-account.json")
GH = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def trust(tmp_path: Path, cond: dict) -> str:
    p = tmp_path / "trust.json"
    p.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "GitHubOidc", "Effect": "Allow", "Principal": {"Federated": GH},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": cond}]}))
    return str(p)


def test_validate_trust_reports_ci_oidc_trust_without_sub(tmp_path: Path, capsys) -> None:
    f = trust(tmp_path, {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}})
    rc, out, _ = run(capsys, "validate", "--type", "trust", f)
    assert rc == 1
    assert "SECURITY_WARNING IW008 at $.Statement[0].Condition [high]" in out
    assert "corrected statement:" in out and "repo:OWNER/REPO:ref:refs/heads/main" in out
    rc, out, _ = run(capsys, "validate", "--type", "trust", f, "--format", "json")
    [finding] = json.loads(out)["findings"]
    assert finding["code"] == "IW008" and finding["severity"] == "high" and "fix" in finding
    assert json.loads(finding["corrected"])["Sid"] == "GitHubOidc"


def test_validate_trust_pinned_sub_is_clean(tmp_path: Path, capsys) -> None:
    f = trust(tmp_path, {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                          "token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}})
    rc, out, _ = run(capsys, "validate", "--type", "trust", f)
    assert rc == 0 and "no findings" in out


def test_validate_identity_policy_gets_no_trust_checks(tmp_path: Path, capsys) -> None:
    p = tmp_path / "id.json"
    p.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    assert run(capsys, "validate", str(p))[0] == 0


def test_validate_known_accounts(tmp_path: Path, capsys) -> None:
    p = tmp_path / "t.json"
    p.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"}]}))
    assert run(capsys, "validate", "--type", "trust", str(p))[0] == 0  # no list: accounts are not judged
    known = tmp_path / "known.txt"
    known.write_text("# our accounts\n123456789012\n")
    rc, out, _ = run(capsys, "validate", "--type", "trust", str(p), "--known-accounts", str(known))
    assert rc == 1 and "IW003" in out and "neither loaded nor listed as known" in out
    known.write_text('["444455556666"]')
    assert run(capsys, "validate", "--type", "trust", str(p), "--known-accounts", str(known))[0] == 0


def test_audit_known_accounts(tmp_path: Path, capsys) -> None:
    rc, out, _ = run(capsys, "audit", FED, "--format", "json")
    assert {"IW003", "IW018"} <= {f["id"] for f in json.loads(out)["findings"]}
    known = tmp_path / "known.json"
    known.write_text(json.dumps({"accounts": ["444455556666", 777788889999]}))
    rc, out, _ = run(capsys, "audit", FED, "--format", "json", "--known-accounts", str(known))
    assert rc == 0 and not {"IW003", "IW018"} & {f["id"] for f in json.loads(out)["findings"]}


def test_known_accounts_bad_file_is_exit_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("123456789012\nnot-an-account\n")
    rc, _, err = run(capsys, "audit", FED, "--known-accounts", str(bad))
    assert rc == 2 and "line 2" in err and "12-digit" in err
    rc, _, err = run(capsys, "audit", FED, "--known-accounts", str(tmp_path / "missing"))
    assert rc == 2 and "cannot read" in err
    bad.write_text('{"accounts": "123456789012"}')
    rc, _, err = run(capsys, "validate", "--type", "trust", FED, "--known-accounts", str(bad))
    assert rc == 2 and "expected a list" in err


def test_audit_text_shows_outside_identities(capsys) -> None:
    rc, out, _ = run(capsys, "audit", FED)
    assert rc == 0
    assert "Outside identities that can become admin (3):" in out
    assert f"  {GH} → 123456789012:role/GitHubDeployAdmin  [open to strangers]" in out
    assert "      statement: role/GitHubDeployAdmin:trust statement 0 (GitHubOidc)" in out
    assert "      who gets in: any pipeline of any GitHub Actions customer" in out
