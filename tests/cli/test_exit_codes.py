"""Exit statuses for CI, one test per rule of docs/exit-codes.md.

0 the passing answer, 1 the failing answer, 2 unusable input (one line on
stderr, no traceback), 3 a bug. The exit status never changes what is printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamwarden.cli import EXIT_BUG, main
from iamwarden.evaluation import decide
from iamwarden.loaders.authz_details import load_world

REPO = Path(__file__).resolve().parents[2]
DEMO = str(REPO / "examples" / "demo-account.json")
A = "arn:aws:iam::111122223333"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def account(tmp_path: Path, users: list[dict[str, Any]], name: str = "acct.json") -> str:
    """A one-account GAAD file with the given users (each: name and inline policy documents)."""
    f = tmp_path / name
    f.write_text(json.dumps({"UserDetailList": [
        {"UserName": u["name"], "Arn": f"{A}:user/{u['name']}", "UserPolicyList": [
            {"PolicyName": f"p{i}", "PolicyDocument": d} for i, d in enumerate(u.get("policies", []))]}
        for u in users]}))
    return str(f)


def case(effect: str, action: str = "s3:GetObject") -> dict[str, Any]:
    return {"policies": {"identity": [{"Version": "2012-10-17", "Statement": [
                {"Effect": effect, "Action": action, "Resource": "*"}]}]},
            "request": {"principal": f"{A}:user/x", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}}


# -- check ---------------------------------------------------------------------------------------


def test_check_exits_0_when_allowed(capsys) -> None:
    rc, out, _ = run(capsys, "check", "--account", DEMO, "--principal", f"{A}:user/bob", "--action", "sts:AssumeRole",
                     "--resource", f"{A}:role/AuditRole")
    assert rc == 0 and ": Allow" in out


def test_check_exits_1_on_implicit_deny(capsys) -> None:
    rc, out, _ = run(capsys, "check", "--account", DEMO, "--principal", f"{A}:user/bob", "--action", "sts:AssumeRole",
                     "--resource", f"{A}:role/AdminRole")
    assert rc == 1 and ": ImplicitDeny" in out


def test_check_exits_1_on_explicit_deny(tmp_path: Path, capsys) -> None:
    f = tmp_path / "c.json"
    f.write_text(json.dumps(case("Deny")))
    rc, out, _ = run(capsys, "check", "--case", str(f))
    assert rc == 1 and ": ExplicitDeny" in out


def test_check_case_list_exits_0_only_when_every_case_allows(tmp_path: Path, capsys) -> None:
    f = tmp_path / "c.json"
    f.write_text(json.dumps([case("Allow"), case("Allow")]))
    assert run(capsys, "check", "--case", str(f))[0] == 0
    f.write_text(json.dumps([case("Allow"), case("Allow", action="s3:PutObject"), case("Allow")]))
    rc, out, _ = run(capsys, "check", "--case", str(f), "--format", "json")
    assert rc == 1 and [d["decision"] for d in json.loads(out)] == ["Allow", "ImplicitDeny", "Allow"]


def test_check_status_rule_a_case_that_could_not_be_decided_is_2_not_a_deny() -> None:
    """The rule behind ``check``'s status; a bad case in a list is its own error object (issue 10)."""
    from iamwarden.cli.check import exit_status
    from iamwarden.evaluation.decision import Decision, Verdict
    from iamwarden.loaders.cases import CaseError

    allow, deny, explicit = Decision(Verdict.ALLOW), Decision(Verdict.IMPLICIT_DENY), Decision(Verdict.EXPLICIT_DENY)
    assert exit_status([allow, allow]) == 0
    assert exit_status([allow, deny]) == exit_status([explicit]) == 1
    assert exit_status([allow, CaseError("case[1]: bad"), deny]) == 2
    assert exit_status([]) == 2


def test_check_empty_case_list_is_unusable_input(tmp_path: Path, capsys) -> None:
    f = tmp_path / "c.json"
    f.write_text("[]")
    rc, _, err = run(capsys, "check", "--case", str(f))
    assert rc == 2 and "empty list" in err


def test_check_json_output_is_unchanged_by_the_exit_status(capsys) -> None:
    world = load_world([DEMO])
    for role, status in (("AuditRole", 0), ("AdminRole", 1)):
        rc, out, _ = run(capsys, "check", "--account", DEMO, "--principal", f"{A}:user/bob", "--action",
                         "sts:AssumeRole", "--resource", f"{A}:role/{role}", "--format", "json")
        want = decide(world, f"{A}:user/bob", "sts:AssumeRole", f"{A}:role/{role}", {}).to_json()
        assert rc == status and json.loads(out) == want


# -- explain -------------------------------------------------------------------------------------


def test_explain_exits_0_when_the_role_can_be_assumed(capsys) -> None:
    rc, out, _ = run(capsys, "explain", "--account", DEMO, "--principal", f"{A}:user/alice", "--role", f"{A}:role/AdminRole",
                     "--format", "json")
    assert rc == 0 and json.loads(out)["allowed"] is True


def test_explain_exits_1_when_denied_and_still_writes_the_picture(tmp_path: Path, capsys) -> None:
    target = tmp_path / "why.dot"
    rc, _, _ = run(capsys, "explain", "--account", DEMO, "--principal", f"{A}:user/carol", "--role", f"{A}:role/AdminRole",
                   "--format", "dot", "--output", str(target))
    assert rc == 1 and target.read_text().startswith("digraph")


def test_explain_role_missing_from_loaded_accounts_is_unusable_input(capsys) -> None:
    for role in (f"{A}:role/Nope", "arn:aws:iam::999988887777:role/Elsewhere"):
        rc, out, err = run(capsys, "explain", "--account", DEMO, "--principal", f"{A}:user/alice", "--role", role)
        assert rc == 2 and out == "" and "no such role in the loaded accounts" in err


# -- path, who-can -------------------------------------------------------------------------------


def test_path_exits_0_when_a_path_exists_and_1_when_none(capsys) -> None:
    assert run(capsys, "path", f"{A}:user/alice", f"{A}:role/AdminRole", "--account", DEMO)[0] == 0
    rc, out, _ = run(capsys, "path", f"{A}:user/bob", f"{A}:role/AdminRole", "--account", DEMO, "--format", "json")
    assert rc == 1 and json.loads(out) == {"from": f"{A}:user/bob", "to": f"{A}:role/AdminRole", "found": False,
                                           "steps": []}


def test_who_can_exits_1_when_nobody_can(tmp_path: Path, capsys) -> None:
    read = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    f = account(tmp_path, [{"name": "reader", "policies": [read]}])
    rc, out, _ = run(capsys, "who-can", "--account", f, "--action", "s3:GetObject")
    assert rc == 0 and "reader" in out
    rc, out, _ = run(capsys, "who-can", "--account", f, "--action", "iam:CreateUser", "--format", "json")
    assert rc == 1 and json.loads(out)["principals"] == []


# -- audit --fail-on -----------------------------------------------------------------------------


def test_audit_without_fail_on_exits_0_whatever_it_finds(capsys) -> None:
    rc, out, _ = run(capsys, "audit", DEMO, "--format", "json")
    assert rc == 0 and any(f["severity"] == "critical" for f in json.loads(out)["findings"])


def test_audit_fail_on_exits_1_when_a_finding_at_or_above_the_severity_exists(tmp_path: Path, capsys) -> None:
    # one admin user without MFA: a single medium finding (IW004)
    f = account(tmp_path, [{"name": "root-like", "policies": [ALLOW_ALL]}])
    rc, out, _ = run(capsys, "audit", f, "--format", "json")
    assert rc == 0 and {x["severity"] for x in json.loads(out)["findings"]} == {"medium"}
    assert run(capsys, "audit", f, "--fail-on", "critical")[0] == 0
    assert run(capsys, "audit", f, "--fail-on", "high")[0] == 0
    assert run(capsys, "audit", f, "--fail-on", "medium")[0] == 1
    assert run(capsys, "audit", f, "--fail-on", "low")[0] == 1


def test_audit_fail_on_does_not_change_the_report(capsys) -> None:
    for fmt in ("json", "sarif", "text"):
        plain = run(capsys, "audit", DEMO, "--format", fmt)
        gated = run(capsys, "audit", DEMO, "--format", fmt, "--fail-on", "critical")
        assert (plain[0], gated[0]) == (0, 1)
        if fmt == "json":  # the JSON report carries its generation time
            a, b = json.loads(plain[1]), json.loads(gated[1])
            a.pop("generated_at", None), b.pop("generated_at", None)
            assert a == b
        else:
            assert plain[1] == gated[1]


def test_audit_fail_on_accepts_only_the_findings_severities(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(["audit", DEMO, "--fail-on", "severe"])
    assert e.value.code == 2
    assert "critical" in capsys.readouterr().err


# -- validate ------------------------------------------------------------------------------------


def test_validate_fail_on_none_exits_0_even_with_errors(tmp_path: Path, capsys) -> None:
    f = tmp_path / "p.json"
    f.write_text("{broken")
    assert run(capsys, "validate", str(f))[0] == 1
    assert run(capsys, "validate", str(f), "--fail-on", "none")[0] == 0


def test_validate_fail_on_warning_counts_warnings(tmp_path: Path, capsys) -> None:
    f = tmp_path / "p.json"  # a valid policy whose only finding is a WARNING or SUGGESTION
    f.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:Get*Zzz"], "Resource": "arn:aws:s3:::b/*", "Condition": {}}]}))
    rc, out, _ = run(capsys, "validate", str(f), "--format", "json")
    types = {x["type"] for x in json.loads(out)["findings"]}
    assert rc == 0 and types and types <= {"WARNING", "SUGGESTION"}
    assert run(capsys, "validate", str(f), "--fail-on", ",".join(sorted(types)))[0] == 1


def test_validate_fail_on_unknown_type_is_unusable_input(tmp_path: Path, capsys) -> None:
    f = tmp_path / "p.json"
    f.write_text(json.dumps(ALLOW_ALL))
    rc, _, err = run(capsys, "validate", str(f), "--fail-on", "ERRORS")
    assert rc == 2 and "--fail-on" in err


# -- unusable input: 2, one line, no traceback ---------------------------------------------------

BAD_FILES = {
    "not-json.json": "{bad",
    "top-level-list.json": "[]",
    "list-of-users.json": json.dumps([{"UserName": "u", "Arn": f"{A}:user/u"}]),
    "string.json": '"hello"',
    "role-without-trust.json": json.dumps({"RoleDetailList": [{"RoleName": "r", "Arn": f"{A}:role/r"}]}),
    "bad-inline-policy.json": json.dumps({"UserDetailList": [{"UserName": "u", "Arn": f"{A}:user/u",
                                                               "UserPolicyList": [{"PolicyDocument": 7}]}]}),
}


def commands(f: str) -> list[list[str]]:
    return [
        ["audit", f],
        ["check", "--account", f, "--principal", f"{A}:user/u", "--action", "s3:GetObject", "--resource", "*"],
        ["who-can", "--account", f, "--action", "s3:GetObject"],
        ["path", f"{A}:user/u", f"{A}:user/u", "--account", f],
        ["explain", "--account", f, "--principal", f"{A}:user/u", "--role", f"{A}:role/r"],
    ]


@pytest.mark.parametrize("name", sorted(BAD_FILES) + ["missing.json"])
def test_unusable_account_file_exits_2_with_one_line_and_no_traceback(tmp_path: Path, capsys, name: str) -> None:
    f = tmp_path / name
    if name in BAD_FILES:
        f.write_text(BAD_FILES[name])
    for argv in commands(str(f)):
        rc, out, err = run(capsys, *argv)
        assert rc == 2, argv
        assert out == "" and "Traceback" not in err
        assert err.count("\n") == 1 and err.startswith("iamwarden: error: ") and name in err


@pytest.mark.parametrize("argv, needle", [
    (["check", "--account", DEMO, "--principal", f"{A}:user/nobody", "--action", "s3:GetObject", "--resource", "*"],
     "nobody"),
    (["explain", "--account", DEMO, "--principal", f"{A}:user/nobody", "--role", f"{A}:role/AdminRole"], "nobody"),
    (["path", f"{A}:user/nobody", f"{A}:role/AdminRole", "--account", DEMO], "nobody"),
    (["explain", "--account", DEMO, "--principal", f"{A}:user/alice", "--role", f"{A}:role/AdminRole",
      "--format", "dot", "--output", "/nonexistent-dir/why.dot"], "--output"),
    (["audit", DEMO, "--output", "/nonexistent-dir/r.json"], "--output"),
    (["audit", str(REPO / "docs" / "decisions")], "no account files"),
])
def test_unusable_arguments_exit_2_with_one_line_and_no_traceback(capsys, argv: list[str], needle: str) -> None:
    rc, _, err = run(capsys, *argv)
    assert rc == 2 and needle in err and "Traceback" not in err and err.count("\n") == 1


def test_argparse_errors_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(["check", "--format", "xml"])
    assert e.value.code == 2


# -- a bug is 3, never 1 -------------------------------------------------------------------------


def test_a_bug_exits_3_with_the_traceback(monkeypatch, capsys) -> None:
    import iamwarden.cli.audit as audit_cli

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(audit_cli, "audit_world", broken)
    rc, _, err = run(capsys, "audit", DEMO)
    assert rc == EXIT_BUG == 3
    assert "Traceback" in err and "RuntimeError: boom" in err and "internal error" in err
