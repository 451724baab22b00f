"""``iamwarden check``: both forms, text and JSON, exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamwarden.cli import main
from tests.conftest import CONFORMANCE

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo-account.json"
A = "arn:aws:iam::111122223333"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_check_case_file_list_prints_one_json_decision_per_case_in_order(capsys):
    rc, out, _ = run(capsys, "check", "--case", str(CONFORMANCE / "decisions.json"), "--format", "json")
    assert rc == 1  # the list holds denies
    got = json.loads(out)
    want = json.loads((CONFORMANCE / "decisions.json").read_text())
    assert [d["decision"] for d in got] == [c["expected"] for c in want]
    assert all(set(d) >= {"decision", "reasons", "errors"} for d in got)


def test_check_single_case_prints_one_object_and_ignores_expected(tmp_path, capsys):
    raw = json.loads((CONFORMANCE / "decisions.json").read_text())[0]
    raw["expected"] = "Allow"  # wrong on purpose: the CLI must not read it
    f = tmp_path / "case.json"
    f.write_text(json.dumps(raw))
    rc, out, _ = run(capsys, "check", "--case", str(f), "--format", "json")
    assert rc == 1
    assert json.loads(out)["decision"] == "ExplicitDeny"


def test_check_account_form_same_account_delegation(capsys):
    rc, out, _ = run(capsys, "check", "--account", str(DEMO), "--principal", f"{A}:user/alice",
                     "--action", "sts:AssumeRole", "--resource", f"{A}:role/AdminRole", "--format", "json")
    assert rc == 0
    d = json.loads(out)
    assert d["decision"] == "Allow"
    types = {r["policy_type"] for r in d["reasons"]}
    assert {"identity", "trust"} <= types


def test_check_account_form_trust_names_user_directly_text(capsys):
    rc, out, _ = run(capsys, "check", "--account", str(DEMO), "--principal", f"{A}:user/bob",
                     "--action", "sts:AssumeRole", "--resource", f"{A}:role/AuditRole")
    assert rc == 0
    assert ": Allow" in out and "names the caller directly" in out


def test_check_account_form_denied_exits_1(capsys):
    rc, out, _ = run(capsys, "check", "--account", str(DEMO), "--principal", f"{A}:user/bob",
                     "--action", "sts:AssumeRole", "--resource", f"{A}:role/AdminRole", "--format", "json")
    assert rc == 1
    assert json.loads(out)["decision"] == "ImplicitDeny"


def test_check_context_flag_multivalued(capsys):
    rc, out, _ = run(capsys, "check", "--account", str(DEMO), "--principal", f"{A}:user/bob",
                     "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k",
                     "--context", "aws:TagKeys=a", "--context", "aws:TagKeys=b", "--format", "json")
    assert rc == 0 and json.loads(out)["decision"] == "Allow"


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["check"], "give --case"),
        (["check", "--case", "/nonexistent/file.json"], "cannot read"),
        (["check", "--account", "/nonexistent.json", "--principal", "x", "--action", "a", "--resource", "r"], "cannot read"),
        (["check", "--account", str(DEMO), "--action", "s3:GetObject", "--resource", "*"], "--principal"),
        (["check", "--account", str(DEMO), "--principal", f"{A}:user/nobody", "--action", "s3:GetObject", "--resource", "*"], "no such user"),
        (["check", "--account", str(DEMO), "--principal", "alice", "--action", "s3:GetObject", "--resource", "*"], "not a principal ARN"),
        (["check", "--account", str(DEMO), "--principal", f"{A}:user/bob", "--action", "s3:GetObject", "--resource", "*", "--context", "novalue"], "KEY=VALUE"),
    ],
)
def test_check_unusable_input_exits_2_with_error(capsys, argv, needle):
    rc, _, err = run(capsys, *argv)
    assert rc == 2
    assert needle in err


def test_check_malformed_policy_in_case_names_json_path(tmp_path, capsys):
    """Spec §1.4: a statement IAM would refuse is still decided (it matches nothing; one that
    may be a Deny fails closed) and the problem, with its JSON path, is in the errors."""
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"policies": {"identity": [{"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "s3:*", "Resource": "*"}]}]},
                             "request": {"principal": f"{A}:user/x", "action": "s3:GetObject", "resource": "*"}}))
    rc, out, _ = run(capsys, "check", "--case", str(f), "--format", "json")
    d = json.loads(out)
    assert d["decision"] == "ImplicitDeny"
    assert any("$.Statement[0].Effect" in e for e in d["errors"])


def _case(cid: str, principal_entry: object, principal: str = f"{A}:user/alice") -> dict:
    return {"id": cid,
            "policies": {"resource": [{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": principal_entry}, "Action": "sqs:SendMessage",
                 "Resource": "*"}]}]},
            "request": {"principal": principal, "action": "sqs:SendMessage",
                        "resource": "arn:aws:sqs:us-east-1:111122223333:q"}}


def test_check_principal_wildcard_inside_an_arn_matches_nothing_and_is_reported(tmp_path, capsys):
    """Spec §1.4: ``user/*`` in Principal is not a wildcard: the entry matches nothing, other
    entries still match, and the decision's errors say what IAM would refuse."""
    cases = [_case("only-wildcard", f"{A}:user/*"),
             _case("wildcard-and-exact", [f"{A}:user/*", f"{A}:user/alice"])]
    f = tmp_path / "cases.json"
    f.write_text(json.dumps(cases))
    rc, out, _ = run(capsys, "check", "--case", str(f), "--format", "json")
    got = json.loads(out)
    assert [d["decision"] for d in got] == ["ImplicitDeny", "Allow"]
    for d in got:
        assert any("wildcards are not allowed inside principal ARNs" in e for e in d["errors"])


def test_check_one_bad_case_in_a_list_never_stops_the_others(tmp_path, capsys):
    """Spec §1.4: each case gets its own decision or its own error object, in order."""
    bad_request = _case("no-principal", f"{A}:user/alice")
    del bad_request["request"]["principal"]
    not_a_policy = _case("not-a-policy", f"{A}:user/alice")
    not_a_policy["policies"]["identity"] = ["{not json"]
    wrong_shape = _case("wrong-shape", f"{A}:user/alice")
    wrong_shape["policies"]["identity"] = 5
    cases = [_case("first", f"{A}:user/alice"), bad_request, not_a_policy, "not an object", wrong_shape,
             _case("last", f"{A}:user/alice")]
    f = tmp_path / "cases.json"
    f.write_text(json.dumps(cases))
    rc, out, _ = run(capsys, "check", "--case", str(f), "--format", "json")
    got = json.loads(out)
    assert len(got) == 6
    assert got[0]["decision"] == "Allow" and got[5]["decision"] == "Allow"
    assert [g.get("id") for g in got[1:5]] == ["no-principal", "not-a-policy", "case[3]", "wrong-shape"]
    assert all("error" in g and "decision" not in g for g in got[1:5])
    assert "request.principal" in got[1]["error"]
    rc, out, _ = run(capsys, "check", "--case", str(f))
    lines = [ln for ln in out.splitlines() if not ln.startswith(" ")]
    assert lines[0] == "first: Allow" and lines[-1] == "last: Allow"
    assert lines[1].startswith("no-principal: error:")


def test_parse_context_repeated_key_becomes_list():
    from iamwarden.cli.check import parse_context

    assert parse_context(["aws:TagKeys=a", "aws:TagKeys=b", "k=v=w"]) == {"aws:TagKeys": ["a", "b"], "k": "v=w"}


def _eu_account(tmp_path: Path) -> str:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:RunInstances",
              "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]}
    data = {"UserDetailList": [{"UserName": "eu", "UserId": "AIDAEU", "Arn": f"{A}:user/eu", "Path": "/",
                                "UserPolicyList": [{"PolicyName": "eu", "PolicyDocument": policy}],
                                "AttachedManagedPolicies": [], "GroupList": [], "Tags": []}],
            "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    f = tmp_path / "eu.json"
    f.write_text(json.dumps(data))
    return str(f)


def test_check_account_form_makes_the_request_in_a_region(tmp_path, capsys):
    """AWS puts aws:RequestedRegion on every request: the resource ARN's region, else us-east-1,
    else --region; a --context value wins (docs/decisions/analysis-requested-region.md)."""
    acct = _eu_account(tmp_path)
    base = ("check", "--account", acct, "--principal", f"{A}:user/eu", "--action", "ec2:RunInstances")
    assert run(capsys, *base, "--resource", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1")[0] == 0
    assert run(capsys, *base, "--resource", "arn:aws:ec2:us-west-2:111122223333:instance/i-1")[0] == 1
    assert run(capsys, *base, "--resource", "*")[0] == 1  # us-east-1
    assert run(capsys, *base, "--resource", "*", "--region", "eu-west-1")[0] == 0
    assert run(capsys, *base, "--resource", "*", "--region", "us-east-1",
               "--context", "aws:RequestedRegion=eu-west-1")[0] == 0
