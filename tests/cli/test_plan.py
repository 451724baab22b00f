"""``iamwarden plan`` from the shell: exit statuses (docs/exit-codes.md) and formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamwarden.cli import main

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "examples" / "plans" / "terraform"
DEMO = str(ROOT / "examples" / "demo-account.json")


def run(capsys, *argv):
    status = main(["plan", *map(str, argv)])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_plan_new_risk_exits_1(capsys):
    status, out, _ = run(capsys, TF / "admin-role.tfplan.json")
    assert status == 1 and out.startswith("NEW RISK")
    assert "+ [CRITICAL] IW006 can-escalate: user alice" in out


def test_plan_fix_exits_0(capsys):
    status, out, _ = run(capsys, TF / "fix-admin-role.tfplan.json", "--account", DEMO)
    assert status == 0 and out.startswith("no new risk")
    assert "(resolved)" in out


def test_plan_unknown_exits_2_with_a_reason(capsys):
    status, out, err = run(capsys, TF / "unknown-values.tfplan.json")
    assert status == 2 and out.startswith("unknown: cannot decide")
    assert "cannot decide: 1 value(s)" in err


def test_plan_fail_on_critical_still_fails_on_the_seed(capsys):
    assert run(capsys, TF / "admin-role.tfplan.json", "--fail-on", "critical")[0] == 1


def test_plan_json_format(capsys):
    status, out, _ = run(capsys, TF / "admin-role.tfplan.json", "--format", "json")
    data = json.loads(out)
    assert status == 1 and data["verdict"] == "new-risk" and data["summary"]["new_findings"] == 2


def test_plan_sarif_locations_point_at_the_tf_source(capsys):
    status, out, _ = run(capsys, TF / "admin-role.tfplan.json", "--format", "sarif",
                         "--source-dir", TF / "admin-role")
    sarif = json.loads(out)
    res = {r["ruleId"]: r for r in sarif["runs"][0]["results"]}
    loc = res["IW001"]["locations"][0]["physicalLocation"]
    uri = loc["artifactLocation"]["uri"]
    assert uri.endswith("admin-role/main.tf")
    text = (TF / "admin-role" / "main.tf").read_text().splitlines()
    assert text[loc["region"]["startLine"] - 1] == 'resource "aws_iam_role" "admin" {'
    assert res["IW001"]["locations"][0]["logicalLocations"][0]["name"] == "aws_iam_role.admin"


def test_plan_sarif_without_source_dir_points_at_the_plan(capsys):
    _, out, _ = run(capsys, TF / "unknown-values.tfplan.json", "--format", "sarif")
    (res,) = json.loads(out)["runs"][0]["results"]
    assert res["ruleId"] == "IW100"
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("unknown-values.tfplan.json")


def test_plan_markdown_has_the_verdict_and_the_sources(capsys):
    _, out, _ = run(capsys, TF / "admin-role.tfplan.json", "--format", "markdown", "--source-dir",
                    TF / "admin-role")
    assert out.startswith("### :x: iamwarden plan: NEW RISK")
    assert "| critical | IW006 can-escalate:" in out
    assert "`aws_iam_user_policy.alice_assume_admin` (" in out


@pytest.mark.parametrize("argv,needle", [
    ((), "give a PLAN.json"),
    (("missing.json",), "cannot read"),
    ((DEMO,), "not terraform show -json"),
    ((TF / "admin-role.tfplan.json", "--account-id", "12"), "expected 12 digits"),
    ((TF / "admin-role.tfplan.json", "--source-dir", "nowhere"), "not a directory"),
])
def test_plan_unusable_input_exits_2(capsys, argv, needle):
    status, _, err = run(capsys, *argv)
    assert status == 2 and needle in err and "Traceback" not in err


def test_plan_malformed_policy_exits_2_naming_the_address(capsys, tmp_path):
    p = json.loads((TF / "admin-role.tfplan.json").read_text())
    for rc in p["resource_changes"]:
        if rc["address"] == "aws_iam_user_policy.alice_assume_admin":
            rc["change"]["after"]["policy"] = '{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}'
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(p))
    status, _, err = run(capsys, f)
    assert status == 2 and "aws_iam_user_policy.alice_assume_admin" in err and "Effect" in err


CFN = ROOT / "examples" / "plans" / "cloudformation"


def test_plan_cfn_yaml_template(capsys):
    status, out, _ = run(capsys, "--cfn", CFN / "admin-role.yaml", "--account-id", "111122223333")
    assert status == 1 and "admin-role.yaml:26]" in out


def test_plan_cfn_sarif_points_at_the_logical_id_line(capsys):
    _, out, _ = run(capsys, "--cfn", CFN / "admin-role.yaml", "--account-id", "111122223333", "--format", "sarif")
    res = {r["ruleId"]: r for r in json.loads(out)["runs"][0]["results"]}
    phys = res["IW001"]["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"].endswith("admin-role.yaml") and phys["region"]["startLine"] == 7


def test_plan_cfn_parameter_flag(capsys, tmp_path):
    t = tmp_path / "t.json"
    t.write_text(json.dumps({"Parameters": {"Name": {"Type": "String"}}, "Resources": {
        "U": {"Type": "AWS::IAM::User", "Properties": {"UserName": {"Ref": "Name"}, "ManagedPolicyArns": [
            "arn:aws:iam::aws:policy/AdministratorAccess"]}}}}))
    status, out, _ = run(capsys, "--cfn", t, "--account-id", "111122223333", "--parameter", "Name=root-ish")
    assert status == 1 and "IW004 admin-without-mfa: user root-ish" in out
    status, _, err = run(capsys, "--cfn", t, "--parameter", "novalue")
    assert status == 2 and "KEY=VALUE" in err


def test_plan_cfn_yaml_without_pyyaml_says_which_extra(capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "yaml", None)
    status, _, err = run(capsys, "--cfn", CFN / "admin-role.yaml")
    assert status == 2 and "iamwarden[cfn]" in err


def test_plan_and_cfn_together_is_unusable(capsys):
    status, _, err = run(capsys, TF / "admin-role.tfplan.json", "--cfn", CFN / "admin-role.yaml")
    assert status == 2 and "not both" in err


def test_diff_markdown_format(capsys, tmp_path):
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    old.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}))
    new.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}]}))
    assert main(["diff", str(old), str(new), "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("### :x: iamwarden diff: NEW ACCESS")
    assert "| action | `s3:" in out and "- engine, new: **Allow**" in out
    assert main(["diff", str(new), str(old), "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("### :white_check_mark: iamwarden diff: no new access")


def test_markdown_cells_escape_pipes():
    from iamwarden.report.diff import render_markdown

    md = render_markdown({"check": "CheckNoNewAccess", "result": "fails", "example": {
        "action": "s3:GetObject", "resource": "arn:aws:s3:::a|b", "context": {}}, "engine": {}})
    assert "`arn:aws:s3:::a\\|b`" in md and md.startswith("### :x: iamwarden diff: NEW ACCESS")


def test_plan_org_caps_before_and_after_with_the_accounts_scps(capsys) -> None:
    """An SCP that denies iam:* above the account (examples/organization: the Sandbox OU) leaves the
    seed's AdminRole no admin: the same template is a new risk without --org and none with it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "examples"
    template = str(root / "plans" / "cloudformation" / "admin-role.yaml")
    args = ["plan", "--cfn", template, "--account-id", "333333333333"]
    assert main(args) == 1
    assert "admins +1" in capsys.readouterr().out
    assert main([*args, "--org", str(root / "organization" / "organization.json")]) == 0
    assert "admins +0 -0; escalations +0 -0" in capsys.readouterr().out
