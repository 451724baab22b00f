"""Small wording defects of issue 9, each pinned: the words a user reads must say what is meant."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from iamwarden.cli import build_parser, main
from iamwarden.policy.document import PolicyKind
from iamwarden.policy.validation import validate_policy

REPO = Path(__file__).resolve().parents[2]
DEMO = str(REPO / "examples" / "demo-account.json")
A = "arn:aws:iam::111122223333"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("text, kind", [('"hello"', "a string"), ("[1, 2]", "a list"), ("42", "a number"),
                                        ("null", "null"), ("true", "true")])
def test_validate_valid_json_that_is_not_an_object_says_it_must_be_an_object(tmp_path: Path, capsys, text: str,
                                                                              kind: str) -> None:
    f = tmp_path / "p.json"
    f.write_text(text)
    rc, out, _ = run(capsys, "validate", str(f), "--format", "json")
    (finding,) = json.loads(out)["findings"]
    assert rc == 1 and finding["code"] == "INVALID_TYPE" and finding["path"] == "$"
    assert finding["message"] == f"the policy document must be a JSON object with Version and Statement, got {kind}"
    assert "not valid JSON" not in finding["message"]


def test_duplicate_key_is_reported_at_its_statements_path() -> None:
    text = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},'
            ' {"Effect": "Allow", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}')
    (f,) = validate_policy(text)
    assert (f.code, f.path) == ("DUPLICATE_KEY", "$.Statement[1]")
    assert "'Effect'" in f.message and "not valid JSON" not in f.message


def test_duplicate_keys_are_each_reported_where_they_are() -> None:
    text = ('{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*",'
            ' "Resource": "*", "Condition": {"StringEquals": {"aws:username": "a", "aws:username": "b"}}}}')
    got = {(f.code, f.path) for f in validate_policy(text)}
    assert got == {("DUPLICATE_KEY", "$"), ("DUPLICATE_KEY", "$.Statement.Condition.StringEquals")}


def test_policy_kinds_take_the_right_article() -> None:
    assert {k: k.noun for k in PolicyKind} == {
        PolicyKind.IDENTITY: "an identity policy", PolicyKind.RESOURCE: "a resource policy",
        PolicyKind.TRUST: "a trust policy", PolicyKind.BOUNDARY: "a permissions boundary",
        PolicyKind.SESSION: "a session policy", PolicyKind.SCP: "an SCP", PolicyKind.RCP: "an RCP",
    }


def test_principal_in_an_identity_policy_says_an_identity_policy() -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                                   "Resource": "*"}]}
    messages = [f.message for f in validate_policy(doc, PolicyKind.IDENTITY)]
    assert any(m.startswith("an identity policy must not specify a principal") for m in messages)
    messages = [f.message for f in validate_policy(doc, PolicyKind.SCP)]
    assert any(m.startswith("an SCP must not specify a principal") for m in messages)


def test_no_message_source_writes_a_before_a_vowel_sounding_kind() -> None:
    """'a identity', 'a IAM', 'a SCP' … anywhere in the package's text."""
    bad = re.compile(r"\b[aA] (?:(?:identity|IAM|SCP|RCP|ARN|MFA|inline|explicit|implicit|ec2|ecs)\b|\{[^}]*kind\.value\})")
    assert bad.search('f"a {self.kind.value} policy"') and bad.search("a identity policy")
    hits = [f"{p.relative_to(REPO)}:{i}" for p in (REPO / "src" / "iamwarden").rglob("*.py")
            for i, line in enumerate(p.read_text().splitlines(), 1) if bad.search(line)]
    assert hits == []


def test_html_summary_counts_are_singular_for_one(tmp_path: Path, capsys) -> None:
    f = tmp_path / "one.json"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"{A}:root"},
                                                     "Action": "sts:AssumeRole"}]}
    f.write_text(json.dumps({"UserDetailList": [{"UserName": "u", "Arn": f"{A}:user/u"}],
                             "RoleDetailList": [{"RoleName": "r", "Arn": f"{A}:role/r", "AssumeRolePolicyDocument": trust}]}))
    rc, out, _ = run(capsys, "audit", str(f), "--format", "html")
    assert rc == 0
    assert "1 user · 1 role<" in out and "1 users" not in out and "1 roles" not in out
    assert '<div class="lbl">principals</div>' in out  # 2 principals
    rc, out, _ = run(capsys, "audit", DEMO, "--format", "html")
    assert re.search(r"\b[2-9]\d* users · \d+ roles<", out)


def test_explain_picture_asks_whether_the_callers_policies_allow_it(capsys) -> None:
    rc, out, _ = run(capsys, "explain", "--account", DEMO, "--principal", f"{A}:user/carol", "--role",
                     f"{A}:role/AdminRole", "--format", "dot")
    assert rc == 1
    flat = " ".join(out.split())
    assert "do the caller's policies allow it?" in flat
    assert "account allow it" not in flat


def test_explain_help_documents_the_default_session_name() -> None:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    text = sub.choices["explain"].format_help()  # type: ignore[attr-defined]
    flat = " ".join(text.split())
    assert "--session-name" in flat and "last part of the caller's ARN" in flat and "'iamwarden'" in flat
    guide = " ".join((REPO / "docs" / "assume-role.md").read_text().split())
    assert "Without `--session-name`, the session is named after the caller" in guide


@pytest.mark.parametrize("principal, expected", [
    (f"{A}:user/carol", "carol"),
    (f"{A}:user/alice.smith@example.com", "alice.smith@example.com"),  # STS allows .@ in session names
    ("arn:aws:sts::111122223333:assumed-role/AuditRole/build-7", "build-7"),
    (f"{A}:user/x", "iamwarden"),  # too short for a RoleSessionName
    (f"{A}:user/" + "n" * 65, "iamwarden"),  # too long
])
def test_explain_default_session_name_is_the_callers_name_when_sts_accepts_it(principal: str, expected: str) -> None:
    from iamwarden.sts.params import default_session_name

    assert default_session_name(principal) == expected


def test_duplicate_keys_reported_are_bounded() -> None:
    from iamwarden.policy.document import MAX_DUPLICATES_REPORTED

    text = '{"Version": "2012-10-17", "Statement": [' + ", ".join(
        '{"Effect": "Allow", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}' for _ in range(5000)) + "]}"
    findings = validate_policy(text)
    assert len(findings) == MAX_DUPLICATES_REPORTED
    assert [f.path for f in findings[:2]] == ["$.Statement[0]", "$.Statement[1]"]
