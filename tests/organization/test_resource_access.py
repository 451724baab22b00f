"""External access through resource policies (Access Analyzer-like): IW200-IW203."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iamwarden.analysis import audit
from iamwarden.analysis.resource_access import external_access
from iamwarden.loaders.authz_details import load_world
from iamwarden.loaders.organization import load_organization, organization_from_json, with_organization
from iamwarden.loaders.resources import resources_from_json, with_resources
from iamwarden.model.account import World
from iamwarden.model.resources import ResourceInventory

DATA = Path(__file__).parent / "data"
PROD = "222222222222"
ORG = "o-exampleorg1"


def prod_resources() -> dict[str, Any]:
    return json.loads((DATA / "resources" / "prod.json").read_text())


def world_with(doc: dict[str, Any], org: bool = True, org_doc: dict[str, Any] | None = None) -> World:
    inv = ResourceInventory({r.arn: r for r in resources_from_json(doc)})
    w = with_resources(load_world([DATA / "accounts"]), inv)
    if org:
        o = organization_from_json(org_doc) if org_doc else load_organization(DATA / "organization.json")
        w = with_organization(w, o)
    return w


def bucket(policy: dict[str, Any], bpa: dict[str, bool] | None = None, name: str = "b1") -> dict[str, Any]:
    b: dict[str, Any] = {"Name": name, "Policy": policy}
    if bpa is not None:
        b["PublicAccessBlock"] = bpa
    return {"AccountId": PROD, "S3": {"Buckets": [b]}}


def stmt(principal: Any, condition: dict[str, Any] | None = None, action: str = "s3:GetObject") -> dict[str, Any]:
    s: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "arn:aws:s3:::b1/*"}
    if condition:
        s["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [s]}


def found(w: World) -> list[tuple[str, bool, str | None]]:
    return [(a.principal, a.public, a.blocked_by) for a in external_access(w)]


def test_public_bucket_policy_is_an_entry_point() -> None:
    assert found(world_with(bucket(stmt("*")))) == [("*", True, None)]


def test_restrict_public_buckets_blocks_public_access() -> None:
    on = {"RestrictPublicBuckets": True}
    assert found(world_with(bucket(stmt("*"), on))) == [("*", True, "S3 Block Public Access (RestrictPublicBuckets)")]


def test_account_level_block_public_access_counts() -> None:
    doc = bucket(stmt("*"))
    doc["S3"]["AccountPublicAccessBlock"] = {"RestrictPublicBuckets": True}
    assert found(world_with(doc))[0][2] is not None


def test_block_public_policy_alone_does_not_block_an_existing_policy() -> None:
    assert found(world_with(bucket(stmt("*"), {"BlockPublicPolicy": True}))) == [("*", True, None)]


def test_principal_org_id_condition_keeps_it_inside() -> None:
    assert found(world_with(bucket(stmt("*", {"StringEquals": {"aws:PrincipalOrgID": ORG}})))) == []
    other = found(world_with(bucket(stmt("*", {"StringEquals": {"aws:PrincipalOrgID": "o-someoneelse"}}))))
    assert other == [("organization o-someoneelse", False, None)]


def test_source_account_condition_names_the_outsider() -> None:
    got = external_access(world_with(bucket(stmt("*", {"StringEquals": {"aws:SourceAccount": "123456789012"}}))))
    assert [(a.principal, a.public) for a in got] == [("123456789012", False)]
    assert "123456789012" in got[0].condition


def test_negated_condition_does_not_narrow() -> None:
    got = found(world_with(bucket(stmt("*", {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}))))
    assert got == [("*", False, None)]  # admitted under a condition, reported with it


def test_account_inside_the_organization_is_not_external() -> None:
    assert found(world_with(bucket(stmt({"AWS": "arn:aws:iam::333333333333:root"})))) == []
    assert found(world_with(bucket(stmt({"AWS": "123456789012"})))) == [("123456789012", False, None)]


def test_zone_is_the_loaded_accounts_without_org() -> None:
    # 999999999999 is loaded (outside.json): inside the zone when no organization is given
    assert found(world_with(bucket(stmt({"AWS": "999999999999"})), org=False)) == []
    assert found(world_with(bucket(stmt({"AWS": "999999999999"})), org=True)) == [("999999999999", False, None)]


def test_service_principals_are_not_outsiders() -> None:
    assert found(world_with(bucket(stmt({"Service": "cloudtrail.amazonaws.com"})))) == []


def test_rcp_blocks_outside_access_to_a_bucket() -> None:
    org = json.loads((DATA / "organization.json").read_text())
    org["Policies"].append({"PolicySummary": {"Id": "p-rcps3", "Name": "S3OrgOnly", "Type": "RESOURCE_CONTROL_POLICY"},
                            "Content": {"Version": "2012-10-17", "Statement": [{
                                "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}}}]},
                            "Targets": [{"TargetId": "r-ex01"}]})
    assert found(world_with(bucket(stmt({"AWS": "123456789012"})), org_doc=org)) == [
        ("123456789012", False, "a resource control policy")]


def test_findings_codes_for_the_example() -> None:
    w = with_organization(world_with(prod_resources(), org=False), load_organization(DATA / "organization.json"))
    res = audit(w)
    by = {(f.id, f.arn) for f in res.findings if f.id.startswith("IW2")}
    assert ("IW200", "arn:aws:s3:::prod-site") in by
    assert ("IW201", "arn:aws:s3:::prod-data") in by
    assert ("IW202", "arn:aws:s3:::prod-locked") in by
    assert ("IW203", f"arn:aws:kms:us-east-1:{PROD}:key/1111aaaa-2222-3333-4444-555566667777") in by
    out = res.to_json()
    assert out["organization"]["management_account"] == "111111111111"
    assert any(a["resource"] == "arn:aws:s3:::prod-site" for a in out["external_access"])


def test_kms_key_policy_granting_the_account_names_who_can_rewrite_it() -> None:
    res = audit(world_with(prod_resources(), org=False))
    f = next(f for f in res.findings if f.id == "IW203")
    assert f"arn:aws:iam::{PROD}:role/ops" in f.related
    assert f"arn:aws:iam::{PROD}:user/prod-reader" not in f.related


def test_without_resources_or_org_the_report_is_unchanged() -> None:
    out = audit(load_world([DATA / "accounts"])).to_json()
    assert "organization" not in out and "external_access" not in out
    assert not any(f["id"].startswith("IW2") for f in out["findings"])
