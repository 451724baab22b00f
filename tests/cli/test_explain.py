"""``iamwarden explain`` from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from iamwarden.cli import main

REPO = Path(__file__).resolve().parents[2]
DEMO = str(REPO / "examples" / "demo-account.json")
ACCT = "111122223333"


def run(capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(["explain", "--account", DEMO, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_explain_text_shows_both_sides_and_the_rule(capsys) -> None:
    code, out, _ = run(capsys, "--principal", f"arn:aws:iam::{ACCT}:user/carol", "--role", f"arn:aws:iam::{ACCT}:role/AdminRole")
    assert code == 1  # denied
    assert "carol (IAM user) → sts:AssumeRole → AdminRole: AccessDenied" in out
    assert "[DENIES] carol's permissions" in out and "[ALLOWS] AdminRole's trust policy" in out
    assert "What would change the answer:" in out


def test_explain_json(capsys) -> None:
    code, out, _ = run(capsys, "--principal", f"arn:aws:iam::{ACCT}:user/bob", "--role", f"arn:aws:iam::{ACCT}:role/AuditRole",
                       "--format", "json", "--session-name", "bobby")
    data = json.loads(out)
    assert code == 0 and data["allowed"] and data["request"]["session_name"] == "bobby"
    assert data["credentials"]["assumed_role_arn"] == f"arn:aws:sts::{ACCT}:assumed-role/AuditRole/bobby"


def test_explain_unknown_principal_is_usage_error(capsys) -> None:
    code, _, err = run(capsys, "--principal", f"arn:aws:iam::{ACCT}:user/nobody", "--role", f"arn:aws:iam::{ACCT}:role/AdminRole")
    assert code == 2 and "nobody" in err


def test_explain_bad_session_name_is_usage_error_with_aws_text(capsys) -> None:
    code, _, err = run(capsys, "--principal", f"arn:aws:iam::{ACCT}:user/alice", "--role", f"arn:aws:iam::{ACCT}:role/AdminRole",
                       "--session-name", "a b")
    assert code == 2 and "ValidationError: 1 validation error detected" in err


def test_explain_bad_external_id_is_usage_error(capsys) -> None:
    code, _, err = run(capsys, "--principal", f"arn:aws:iam::{ACCT}:user/alice", "--role", f"arn:aws:iam::{ACCT}:role/AdminRole",
                       "--external-id", "x")
    assert code == 2 and "externalId" in err


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed")
@pytest.mark.parametrize("fmt,magic", [("png", b"\x89PNG"), ("svg", b"<?xml")])
def test_explain_writes_pictures(capsys, tmp_path: Path, fmt: str, magic: bytes) -> None:
    target = tmp_path / f"x.{fmt}"
    code, _, _ = run(capsys, "--principal", f"arn:aws:iam::{ACCT}:user/alice", "--role", f"arn:aws:iam::{ACCT}:role/AdminRole",
                     "--format", fmt, "--output", str(target))
    assert code == 0 and target.read_bytes().startswith(magic)
