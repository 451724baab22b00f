"""``aws:ResourceOrgID`` / ``aws:ResourceOrgPaths``: set on a request when the account that owns
the resource is in the loaded organization, absent otherwise.

A data-perimeter SCP ("deny unless the resource is in my organization",
``StringNotEquals aws:ResourceOrgID``) matched every request while the key was absent (a negated
operator matches a missing key): examples/organization under it had no administrators
(docs/decisions/engine-resource-org-keys.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from iamwarden.cli import main
from iamwarden.cli.audit import apply_org
from iamwarden.evaluation import decide
from iamwarden.evaluation.world import owner_org_keys, resource_org_keys
from iamwarden.loaders.authz_details import load_world

REPO = Path(__file__).resolve().parents[2]
ORG = REPO / "examples" / "organization"
PERIMETER = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Action": "*", "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:ResourceOrgID": "o-exampleorg1"}}}]}


def _org_with_perimeter(tmp_path: Path) -> Path:
    d = json.loads((ORG / "organization.json").read_text())
    d["Policies"].append({"PolicySummary": {"Id": "p-perimeter", "Name": "Perimeter", "Type": "SERVICE_CONTROL_POLICY",
                                            "AwsManaged": False},
                          "Content": json.dumps(PERIMETER),
                          "Targets": [{"TargetId": "r-ex01", "Arn": "x", "Name": "r-ex01", "Type": "ROOT"}]})
    f = tmp_path / "org.json"
    f.write_text(json.dumps(d))
    return f


def _summary(tmp_path: Path, org: Path) -> dict:
    out = tmp_path / "audit.json"
    main(["audit", "--jobs", "1", "--format", "json", "--output", str(out), str(ORG / "accounts"), "--org", str(org)])
    return json.loads(out.read_text())["summary"]


def test_resource_perimeter_scp_keeps_the_organizations_admins(tmp_path: Path) -> None:
    plain = _summary(tmp_path, ORG / "organization.json")
    fenced = _summary(tmp_path, _org_with_perimeter(tmp_path))
    assert plain["admins"] == 3
    assert (fenced["admins"], fenced["can_escalate"]) == (plain["admins"], plain["can_escalate"])


def test_resource_org_keys_only_for_accounts_in_the_organization(tmp_path: Path) -> None:
    world = apply_org(load_world([str(ORG / "accounts")]), str(_org_with_perimeter(tmp_path)), [])
    assert resource_org_keys(world, "222222222222")["aws:ResourceOrgID"] == "o-exampleorg1"
    assert resource_org_keys(world, "999999999999") == {}
    ctx = {"aws:ResourceOrgID": "o-exampleorg1", "aws:ResourceOrgPaths": ["x"]}
    owner_org_keys(world, ctx, "999999999999")
    assert "aws:ResourceOrgID" not in ctx and "aws:ResourceOrgPaths" not in ctx
    # decide(): a request on the prod account's own role is inside the perimeter, one on the
    # outside account's user is not
    prod_admin = next(r.arn for r in world.accounts["222222222222"].roles.values())
    assert decide(world, prod_admin, "iam:GetRole", prod_admin).decision != "ExplicitDeny"
    assert decide(world, prod_admin, "iam:GetUser", "arn:aws:iam::999999999999:user/vendor").decision == \
        "ExplicitDeny"
