"""The bundled plans (examples/plans, made by a real terraform: make-plans.sh) give the expected
differences; and the verdict rules of ``plan.compare``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamwarden.loaders.authz_details import load_world
from iamwarden.plan import NEW_RISK, NO_NEW_RISK, UNKNOWN, evaluate
from iamwarden.plan.locate import terraform_locations
from iamwarden.plan.terraform import read_plan

from .helpers import ACCT, admin_role_plan, create, plan

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "examples" / "plans" / "terraform"
DEMO = ROOT / "examples" / "demo-account.json"
NOW = datetime(2026, 12, 2, tzinfo=UTC)


def run(name, account=None, fail_on="low"):
    data = json.loads((TF / f"{name}.tfplan.json").read_text())
    files = {p.name: p.read_text() for p in (TF / name).glob("*.tf")}
    cs = read_plan(data, None, f"{name}.tfplan.json", terraform_locations(data, files, f"{name}/"))
    return evaluate(load_world([account]) if account else None, cs, fail_on, NOW).to_json()


def arns(items):
    return sorted(x["arn"] for x in items)


def test_admin_role_plan_creates_an_admin_and_a_path_to_it():
    r = run("admin-role")
    assert r["verdict"] == NEW_RISK and r["account"] == ACCT
    assert arns(r["admins"]["new"]) == [f"arn:aws:iam::{ACCT}:role/AdminRole"]
    (esc,) = r["escalations"]["new"]
    assert esc["arn"] == f"arn:aws:iam::{ACCT}:user/alice"
    assert [s["technique"] for s in esc["steps"]] == ["D15"]
    assert sorted((f["id"], f["arn"].rsplit("/", 1)[1]) for f in r["findings"]["new"]) == [
        ("IW001", "AdminRole"), ("IW006", "alice")]
    assert r["unknowns"] == []


def test_admin_role_findings_point_at_the_tf_lines():
    r = run("admin-role")
    lines = (TF / "admin-role" / "main.tf").read_text().splitlines()
    by_id = {f["id"]: f["origin"] for f in r["findings"]["new"]}
    assert by_id["IW001"]["address"] == "aws_iam_role.admin"
    assert lines[by_id["IW001"]["line"] - 1] == 'resource "aws_iam_role" "admin" {'
    # the escalation points at the policy that grants its first step
    assert by_id["IW006"]["address"] == "aws_iam_user_policy.alice_assume_admin"
    assert lines[by_id["IW006"]["line"] - 1] == 'resource "aws_iam_user_policy" "alice_assume_admin" {'
    assert by_id["IW006"]["file"] == "admin-role/main.tf"


def test_admin_role_plan_on_the_demo_account_adds_nothing_new():
    # the demo account already has the seed's AdminRole and alice's permission
    r = run("admin-role", DEMO)
    assert r["verdict"] == NO_NEW_RISK
    assert r["findings"]["new"] == [] and r["escalations"]["new"] == []


def test_fix_plan_resolves_the_admin_role_findings():
    r = run("fix-admin-role", DEMO)
    assert r["verdict"] == NO_NEW_RISK
    assert [x["action"] for x in r["resources"]] == ["update", "delete"]
    assert sorted((f["id"], f["arn"].rsplit("/", 1)[1]) for f in r["findings"]["resolved"]) == [
        ("IW001", "AdminRole"), ("IW006", "alice")]
    assert arns(r["escalations"]["removed"]) == [f"arn:aws:iam::{ACCT}:user/alice"]
    assert r["findings"]["new"] == []


def test_ci_deploy_role_can_attach_policies_to_itself():
    r = run("ci-deploy-role")
    assert r["verdict"] == NEW_RISK
    (f,) = r["findings"]["new"]
    assert (f["id"], f["arn"]) == ("IW006", f"arn:aws:iam::{ACCT}:role/github-deploy")
    assert r["escalations"]["new"][0]["steps"][0]["technique"] == "D09"
    assert f["origin"]["address"] == "aws_iam_policy.deploy"
    assert [o["url"] for o in r["oidc_providers"]["new"]] == ["https://token.actions.githubusercontent.com"]


def test_unknown_values_plan_cannot_decide():
    r = run("unknown-values")
    assert r["verdict"] == UNKNOWN
    (u,) = r["unknowns"]
    assert (u["origin"]["address"], u["field"]) == ("aws_iam_policy.artifacts", "policy")
    assert u["origin"]["file"] == "unknown-values/main.tf"


def test_verdict_new_risk_wins_over_unknown():
    p = admin_role_plan()
    p["resource_changes"].append(create("aws_iam_user_policy.x", {"name": "X", "user": "bob"}, {"policy": True}))
    r = evaluate(None, read_plan(p, ACCT), "low", NOW)
    assert r.verdict == NEW_RISK and len(r.data["unknowns"]) == 1


@pytest.mark.parametrize("fail_on,verdict", [("critical", NEW_RISK), ("high", NEW_RISK), ("low", NEW_RISK)])
def test_fail_on_threshold_counts_new_findings_at_or_above(fail_on, verdict):
    r = evaluate(None, read_plan(admin_role_plan(), ACCT), fail_on, NOW)
    assert r.verdict == verdict
    assert r.data["summary"]["failing_findings"] == {"critical": 1, "high": 2, "low": 2}[fail_on]


def test_fail_on_above_every_new_finding_passes():
    # a new admin user without MFA only: IW004 is medium
    p = plan(create("aws_iam_user.ops", {"name": "ops", "path": "/"}),
             create("aws_iam_user_policy_attachment.ops",
                    {"user": "ops", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}))
    assert evaluate(None, read_plan(p, ACCT), "high", NOW).verdict == NO_NEW_RISK
    r = evaluate(None, read_plan(p, ACCT), "medium", NOW)
    assert r.verdict == NEW_RISK and [f["id"] for f in r.data["findings"]["new"]] == ["IW004"]


def test_unknown_managed_policy_attachment_is_reported():
    p = plan(create("aws_iam_role_policy_attachment.a",
                    {"role": "r", "policy_arn": f"arn:aws:iam::{ACCT}:policy/not-in-data"}))
    r = evaluate(None, read_plan(p, ACCT), "low", NOW)
    assert r.verdict == UNKNOWN
    assert "not-in-data" in r.data["unknowns"][0]["what"]


def test_entity_outside_data_and_plan_is_reported_unknown():
    p = plan(create("aws_iam_user_policy.p", {"name": "P", "user": "bob", "policy":
                                              '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                                              '"Action":"s3:GetObject","Resource":"*"}]}'}))
    r = evaluate(None, read_plan(p, ACCT), "low", NOW)
    assert r.verdict == UNKNOWN
    assert r.data["unknowns"][0]["what"].startswith("user bob is neither in the account data nor in the plan")
    # with the account data that holds bob, it is decided
    r2 = evaluate(load_world([DEMO]), read_plan(p, ACCT), "low", NOW)
    assert r2.verdict == NO_NEW_RISK


def test_pre_deploy_guide_shows_the_bundled_terraform():
    """The guide's Terraform is the bundled example's, byte for byte (the plan was made from it)."""
    guide = (ROOT / "docs" / "pre-deploy.md").read_text()
    block = guide.split("```hcl\n", 1)[1].split("```", 1)[0]
    assert block == (TF / "admin-role" / "main.tf").read_text()
