"""SCPs and RCPs from an organization file, one test per rule of spec §1.2/§1.8."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from iamwarden.analysis import audit
from iamwarden.evaluation import decide
from iamwarden.loaders.authz_details import LoadError, load_world
from iamwarden.loaders.organization import load_organization, organization_from_json, with_organization
from iamwarden.model.account import World
from iamwarden.model.organization import RCP_SERVICES, rcp_applies

DATA = Path(__file__).parent / "data"
ORG_FILE = DATA / "organization.json"
DEV = "333333333333"
PROD = "222222222222"
MGMT = "111111111111"
INTERN = f"arn:aws:iam::{DEV}:user/dev-intern"
DEPLOYER = f"arn:aws:iam::{PROD}:user/prod-deployer"
MGMT_OPS = f"arn:aws:iam::{MGMT}:user/mgmt-ops"
VENDOR = "arn:aws:iam::999999999999:user/vendor"
VENDOR_ROLE = f"arn:aws:iam::{PROD}:role/vendor-access"
SLR = f"arn:aws:iam::{DEV}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"


def org_json() -> dict[str, Any]:
    return json.loads(ORG_FILE.read_text())


def worlds() -> tuple[World, World]:
    plain = load_world([DATA / "accounts"])
    return plain, with_organization(plain, load_organization(ORG_FILE))


def with_scp(doc: dict[str, Any], target: str, name: str = "Extra") -> dict[str, Any]:
    data = org_json()
    data["Policies"].append({"PolicySummary": {"Id": f"p-{name.lower()}", "Name": name,
                                               "Type": "SERVICE_CONTROL_POLICY"},
                             "Content": json.dumps(doc), "Targets": [{"TargetId": target}]})
    return data


def deny_all(action: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}]}


def test_without_org_nothing_changes() -> None:
    plain, _ = worlds()
    assert plain.scps == {} and plain.rcps == {} and plain.organization is None
    assert decide(plain, INTERN, "iam:AttachUserPolicy", INTERN).allowed


def test_scp_deny_at_an_ou_caps_accounts_below_it() -> None:
    plain, org = worlds()
    d = decide(org, INTERN, "iam:AttachUserPolicy", INTERN)
    assert d.decision == "ExplicitDeny"
    assert any(r.policy_type == "scp" and r.sid == "NoIAMInSandbox" for r in d.reasons)
    # prod sits in Workloads, above Sandbox: the deny does not reach it
    assert decide(org, DEPLOYER, "iam:AttachUserPolicy", DEPLOYER).allowed


def test_scp_levels_are_anded_from_root_to_account() -> None:
    data = org_json()
    # remove FullAWSAccess from the Workloads OU only: prod and dev lose every allow there
    full = next(p for p in data["Policies"] if p["PolicySummary"]["Id"] == "p-FullAWSAccess")
    full["Targets"] = [t for t in full["Targets"] if t["TargetId"] != "ou-ex01-workloads"]
    org = organization_from_json(data)
    assert [len(level) for level in org.scp_levels(PROD)] == [1, 0, 1]
    w = with_organization(load_world([DATA / "accounts"]), org)
    d = decide(w, DEPLOYER, "iam:AttachUserPolicy", DEPLOYER)
    assert d.decision == "ImplicitDeny" and d.rule == "SCP"
    assert decide(w, MGMT_OPS, "iam:AttachUserPolicy", MGMT_OPS).allowed  # management account: no levels


def test_scp_policies_within_a_level_are_ored() -> None:
    data = org_json()
    full = next(p for p in data["Policies"] if p["PolicySummary"]["Id"] == "p-FullAWSAccess")
    full["Targets"] = [t for t in full["Targets"] if t["TargetId"] != PROD]
    only_iam = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Attach*", "Resource": "*"}]}
    only_s3 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    data = with_scp(only_iam, PROD, "OnlyIam")
    data["Policies"][0]["Targets"] = [t for t in data["Policies"][0]["Targets"] if t["TargetId"] != PROD]
    data["Policies"].append({"PolicySummary": {"Id": "p-onlys3", "Name": "OnlyS3", "Type": "SERVICE_CONTROL_POLICY"},
                             "Content": only_s3, "Targets": [{"TargetId": PROD}]})
    w = with_organization(load_world([DATA / "accounts"]), organization_from_json(data))
    assert decide(w, DEPLOYER, "iam:AttachUserPolicy", DEPLOYER).allowed  # one of the two allows
    assert decide(w, DEPLOYER, "iam:CreateUser", "*").decision == "ImplicitDeny"  # neither allows


def test_scp_does_not_apply_to_the_management_account() -> None:
    data = with_scp(deny_all("iam:*"), "r-ex01", "DenyIamEverywhere")
    w = with_organization(load_world([DATA / "accounts"]), organization_from_json(data))
    assert decide(w, MGMT_OPS, "iam:AttachUserPolicy", MGMT_OPS).allowed
    assert decide(w, DEPLOYER, "iam:AttachUserPolicy", DEPLOYER).decision == "ExplicitDeny"


def test_scp_does_not_apply_to_service_linked_roles() -> None:
    _, org = worlds()
    assert decide(org, SLR, "iam:AttachRolePolicy", "*").allowed


def test_scp_applies_to_the_member_root_user() -> None:
    _, org = worlds()
    d = decide(org, f"arn:aws:iam::{DEV}:root", "iam:CreateUser", "*")
    assert d.decision == "ExplicitDeny"


def test_rcp_blocks_an_outside_assume() -> None:
    plain, org = worlds()
    assert decide(plain, VENDOR, "sts:AssumeRole", VENDOR_ROLE).allowed
    d = decide(org, VENDOR, "sts:AssumeRole", VENDOR_ROLE)
    assert d.decision == "ExplicitDeny"
    assert any(r.policy_type == "rcp" and r.sid == "OnlyOrgMayAssume" for r in d.reasons)


def test_rcp_admits_principals_of_the_organization() -> None:
    _, org = worlds()
    # aws:PrincipalOrgID is supplied for principals of member accounts (spec §3.1)
    assert decide(org, MGMT_OPS, "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/ops").allowed


def test_rcp_only_for_supported_services() -> None:
    assert rcp_applies("s3:GetObject") and rcp_applies("sts:AssumeRole")
    assert not rcp_applies("iam:CreateUser") and not rcp_applies("lambda:InvokeFunction")
    assert {"s3", "sts", "kms", "sqs", "secretsmanager"} <= RCP_SERVICES
    deny_everything = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}
    data = org_json()
    data["Policies"].append({"PolicySummary": {"Id": "p-rcpall", "Name": "DenyAll", "Type": "RESOURCE_CONTROL_POLICY"},
                             "Content": deny_everything, "Targets": [{"TargetId": PROD}]})
    w = with_organization(load_world([DATA / "accounts"]), organization_from_json(data))
    # iam is not an RCP service: the prod deployer's IAM call is not capped
    assert decide(w, DEPLOYER, "iam:AttachUserPolicy", DEPLOYER).allowed
    d = decide(w, DEPLOYER, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{PROD}:jobs")
    assert d.decision == "ExplicitDeny" and any(r.policy_type == "rcp" for r in d.reasons)


def test_rcp_full_access_is_always_attached() -> None:
    org = load_organization(ORG_FILE)
    levels = org.rcp_levels(DEV)
    assert len(levels) == 4 and all(any(p.name == "rcp:RCPFullAWSAccess" for p in level) for level in levels)
    assert org.rcp_levels(MGMT) == ()


def test_policy_type_not_enabled_caps_nothing() -> None:
    data = org_json()
    data["Roots"][0]["PolicyTypes"] = [{"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"}]
    org = organization_from_json(data)
    assert org.scp_levels(DEV) == () and org.rcp_levels(DEV) != ()


def test_accounts_outside_the_organization_are_not_capped() -> None:
    _, org = worlds()
    assert "999999999999" not in org.scps and "999999999999" not in org.rcps


def test_scp_that_denies_iam_removes_escalation_paths() -> None:
    plain, org = worlds()
    before, after = audit(plain), audit(org)
    assert before.principal(INTERN).can_escalate
    assert not after.principal(INTERN).can_escalate
    # prod's deployer is not under the deny: still escalates
    assert after.principal(DEPLOYER).can_escalate


def test_rcp_removes_the_outside_path_to_admin() -> None:
    plain, org = worlds()
    assert audit(plain).principal(VENDOR).can_escalate
    assert not audit(org).principal(VENDOR).can_escalate


def test_principal_org_keys() -> None:
    org = load_organization(ORG_FILE)
    keys = org.principal_keys(DEV)
    assert keys["aws:PrincipalOrgID"] == "o-exampleorg1"
    assert keys["aws:PrincipalOrgPaths"] == ["o-exampleorg1/r-ex01/ou-ex01-workloads/ou-ex01-sandbox/"]
    assert org.principal_keys("999999999999") == {}


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("Roots"), "missing Roots"),
    (lambda d: d["Organization"].update(MasterAccountId="12"), "12-digit"),
    (lambda d: d["Children"][0]["Accounts"][0].update(Id="abc"), "$.Children[0].Accounts[0].Id"),
    (lambda d: d["Children"].append({"ParentId": "ou-nowhere", "Accounts": []}), "$.Children[3].ParentId"),
    (lambda d: d["Policies"][1]["Targets"].append({"TargetId": "ou-missing"}), "$.Policies[1].Targets[1]"),
    (lambda d: d["Policies"][1].update(Content="{\"Version\": \"2012-10-17\", \"Statement\": [{}]}"),
     "$.Policies[1].Content.Statement[0]"),
    (lambda d: d["Policies"][1]["PolicySummary"].update(Type="TAG_POLICY"), "PolicySummary.Type"),
    (lambda d: d["Children"][1]["Accounts"].append({"Id": PROD}), "already placed"),
])
def test_bad_organization_file_names_the_field(mutate: Any, message: str) -> None:
    data = org_json()
    mutate(data)
    with pytest.raises(LoadError) as e:
        organization_from_json(copy.deepcopy(data), "org.json")
    assert message in str(e.value) and "org.json" in str(e.value)


def test_cycle_of_parents_is_refused() -> None:
    data = org_json()
    data["Children"].append({"ParentId": "ou-ex01-sandbox",
                             "OrganizationalUnits": [{"Id": "ou-loop-a"}]})
    data["Children"].append({"ParentId": "ou-loop-a", "OrganizationalUnits": []})
    organization_from_json(data)  # a deep chain is fine
    bad = org_json()
    bad["Children"][1]["ParentId"] = "ou-ex01-sandbox"  # Workloads' children placed under Sandbox, Sandbox under Workloads
    with pytest.raises(LoadError, match="cycle|not the root"):
        organization_from_json(bad)
