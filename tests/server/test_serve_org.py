"""``serve --org FILE``: the organization's SCPs cap every call the endpoint decides (spec §1.8)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from iamwarden.cli import main
from iamwarden.loaders.organization import load_organization
from iamwarden.server.endpoint import Endpoint

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2] / "examples" / "organization"
ORG = ROOT / "organization.json"
DEV = ROOT / "accounts" / "dev.json"  # 333333333333, in the Sandbox OU: SCP DenyIAM
KEY, SECRET = "AKIASERVEORGTEST0001", "serve/org/test/secret/00000000000000000"


def iam(ep: Endpoint):
    return boto3.client("iam", endpoint_url=ep.endpoint_url, region_name="us-east-1", aws_access_key_id=KEY,
                        aws_secret_access_key=SECRET, config=Config(retries={"max_attempts": 1}))


@pytest.mark.timeout(60)
def test_scp_of_the_accounts_ou_denies_on_the_endpoint(tmp_path: Path) -> None:
    with Endpoint(tmp_path / "a.db", account_id="333333333333", load=[str(DEV)], root_access_key_id=KEY,
                  root_secret_access_key=SECRET) as ep:
        assert iam(ep).list_users()["Users"]  # without the organization, root may
    with Endpoint(tmp_path / "b.db", account_id="333333333333", load=[str(DEV)], root_access_key_id=KEY,
                  root_secret_access_key=SECRET, organization=load_organization(ORG)) as ep:
        with pytest.raises(ClientError) as e:
            iam(ep).list_users()
        assert e.value.response["Error"]["Code"] == "AccessDenied"
        assert "service control policy" in e.value.response["Error"]["Message"]


def test_serve_org_with_a_bad_file_is_a_usage_error_before_any_file(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "org.json"
    bad.write_text("{}")
    db = tmp_path / "state.db"
    assert main(["serve", "--port", "0", "--db", str(db), "--org", str(bad)]) == 2
    assert "--org" in capsys.readouterr().err
    assert not db.exists()


def _org_denying(tmp_path: Path, action: str) -> Path:
    """The example organization with the Sandbox OU's SCP narrowed to deny ``action`` only."""
    import json

    doc = json.loads(ORG.read_text())
    for p in doc["Policies"]:
        if p["PolicySummary"]["Name"] == "DenyIAM":
            p["Content"] = json.dumps({"Version": "2012-10-17", "Statement": [
                {"Sid": "NoAttachInSandbox", "Effect": "Deny", "Action": action, "Resource": "*"}]})
    out = tmp_path / "org.json"
    out.write_text(json.dumps(doc))
    return out


@pytest.mark.timeout(60)
def test_simulate_principal_policy_includes_the_accounts_scps(tmp_path: Path) -> None:
    """SimulatePrincipalPolicy answers with the SCPs of the principal's account (OrganizationsDecisionDetail)."""
    intern = "arn:aws:iam::333333333333:user/dev-intern"
    ask = {"PolicySourceArn": intern, "ActionNames": ["iam:AttachUserPolicy", "iam:GetUser"],
           "ResourceArns": [intern]}
    with Endpoint(tmp_path / "a.db", account_id="333333333333", load=[str(DEV)], root_access_key_id=KEY,
                  root_secret_access_key=SECRET) as ep:
        plain = {r["EvalActionName"]: r for r in iam(ep).simulate_principal_policy(**ask)["EvaluationResults"]}
    assert plain["iam:AttachUserPolicy"]["EvalDecision"] == "allowed"
    assert "OrganizationsDecisionDetail" not in plain["iam:AttachUserPolicy"]
    org = load_organization(_org_denying(tmp_path, "iam:AttachUserPolicy"))
    with Endpoint(tmp_path / "b.db", account_id="333333333333", load=[str(DEV)], root_access_key_id=KEY,
                  root_secret_access_key=SECRET, organization=org) as ep:
        capped = {r["EvalActionName"]: r for r in iam(ep).simulate_principal_policy(**ask)["EvaluationResults"]}
    assert capped["iam:AttachUserPolicy"]["EvalDecision"] == "explicitDeny"
    assert capped["iam:AttachUserPolicy"]["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    # the SCP allows GetUser (FullAWSAccess at every level); the user's own policy does not
    assert capped["iam:GetUser"]["EvalDecision"] == "implicitDeny"
    assert capped["iam:GetUser"]["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}


@pytest.mark.timeout(60)
def test_simulate_principal_policy_in_the_management_account_ignores_scps(tmp_path: Path) -> None:
    """The management account is never capped (spec §1.8): no OrganizationsDecisionDetail there."""
    mgmt = ROOT / "accounts" / "mgmt.json"
    import json

    users = json.loads(mgmt.read_text())["UserDetailList"]
    assert users, "the example management account needs a user for this test"
    with Endpoint(tmp_path / "m.db", account_id="111111111111", load=[str(mgmt)], root_access_key_id=KEY,
                  root_secret_access_key=SECRET, organization=load_organization(ORG)) as ep:
        out = iam(ep).simulate_principal_policy(PolicySourceArn=users[0]["Arn"], ActionNames=["iam:ListUsers"])
    assert all("OrganizationsDecisionDetail" not in r for r in out["EvaluationResults"])
