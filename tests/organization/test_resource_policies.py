"""Resources files: loading, and decisions and paths that go through resource policies (spec §1.5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamwarden.analysis import audit, index_world, who_can
from iamwarden.evaluation import decide
from iamwarden.loaders.authz_details import LoadError, load_world
from iamwarden.loaders.resources import load_resources, resources_from_json, with_resources
from iamwarden.model.account import World

DATA = Path(__file__).parent / "data"
PROD = "222222222222"
VENDOR = "arn:aws:iam::999999999999:user/vendor"
READER = f"arn:aws:iam::{PROD}:user/prod-reader"
DEPLOYER = f"arn:aws:iam::{PROD}:user/prod-deployer"
FN = f"arn:aws:lambda:us-east-1:{PROD}:function:deploy-hook"
KEY = f"arn:aws:kms:us-east-1:{PROD}:key/1111aaaa-2222-3333-4444-555566667777"
RUNNER = f"arn:aws:iam::{PROD}:role/fn-runner"


def world() -> World:
    return with_resources(load_world([DATA / "accounts"]), load_resources([DATA / "resources"]))


def resources_json() -> dict[str, Any]:
    return json.loads((DATA / "resources" / "prod.json").read_text())


def test_bucket_policy_grants_another_account_object_reads() -> None:
    w = world()
    d = decide(w, VENDOR, "s3:GetObject", "arn:aws:s3:::prod-data/report.csv")
    assert d.allowed and any(r.sid == "VendorReads" for r in d.reasons)
    # the bucket's account comes from the resources file (an S3 ARN names none): cross account here
    assert "cross account" in (d.rule or "")
    without = decide(load_world([DATA / "accounts"]), VENDOR, "s3:GetObject", "arn:aws:s3:::prod-data/r")
    assert not any(r.policy_type == "resource" for r in without.reasons)


def test_bucket_without_policy_needs_the_identity_side_only_in_its_account() -> None:
    w = world()
    assert not decide(w, VENDOR, "s3:GetObject", "arn:aws:s3:::prod-logs/x").allowed
    assert decide(w, READER, "s3:GetObject", "arn:aws:s3:::prod-data/x").allowed


def test_kms_key_policy_is_required_even_in_the_same_account() -> None:
    w = world()
    # the key policy names the account: identity policies of the account may then grant (spec §1.5)
    assert not decide(w, READER, "kms:Decrypt", KEY).allowed  # no identity allow
    doc = resources_json()
    doc["KMS"]["Keys"][0]["Policy"] = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "kms:*",
         "Resource": "*"}]}
    inv = resources_from_json(doc)
    from iamwarden.model.resources import ResourceInventory
    w2 = with_resources(load_world([DATA / "accounts"]), ResourceInventory({r.arn: r for r in inv}))
    # ops (admin) in prod: key policy does not name prod's account, so its identity allow is not enough
    assert not decide(w2, f"arn:aws:iam::{PROD}:role/ops", "kms:Decrypt", KEY).allowed


def test_kms_grant_reads_as_a_key_policy_statement() -> None:
    d = decide(world(), VENDOR, "kms:Decrypt", KEY)
    assert d.allowed and any(r.sid == "Grant:g-vendor" for r in d.reasons)
    assert not decide(world(), VENDOR, "kms:Encrypt", KEY).allowed


def test_who_can_answers_across_accounts_with_the_deciding_statements() -> None:
    reach = {r.arn: r for r in who_can(index_world(world()), "s3:GetObject", "arn:aws:s3:::prod-data/report.csv")}
    assert VENDOR in reach and reach[VENDOR].direct
    sids = {s.get("sid") for s in reach[VENDOR].to_json()["statements"]}
    assert "VendorReads" in sids
    assert READER in reach
    # the dev intern reaches it only through a path (self-escalation to admin first)
    intern = "arn:aws:iam::333333333333:user/dev-intern"
    assert intern in reach and not reach[intern].direct


def test_lambda_function_policy_lets_another_account_take_over_its_role() -> None:
    result = audit(world())
    paths = result.principal(VENDOR).paths
    assert any(steps[-1].technique == "R01" and steps[-1].target == RUNNER for steps in paths)
    plain = audit(load_world([DATA / "accounts"]))
    assert not any(e.technique == "R01" for steps in plain.principal(VENDOR).paths for e in steps)


def test_rcp_does_not_cap_lambda() -> None:
    from iamwarden.loaders.organization import load_organization, with_organization

    w = with_organization(world(), load_organization(DATA / "organization.json"))
    assert decide(w, VENDOR, "lambda:UpdateFunctionCode", FN).allowed  # lambda is not an RCP service


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("AccountId"), "missing AccountId"),
    (lambda d: d["KMS"]["Keys"][0].update(Arn="arn:aws:kms:us-east-1:123456789012:key/x"), "$.KMS.Keys[0].Arn"),
    (lambda d: d["S3"]["Buckets"][0].update(Policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}'),
     "$.S3.Buckets[0].Policy"),
    (lambda d: d["SQS"]["Queues"][0].pop("QueueArn"), "missing QueueArn"),
    (lambda d: d["Lambda"]["Functions"][0].update(FunctionArn="nope"), "not an ARN"),
])
def test_bad_resources_file_names_the_field(mutate: Any, message: str) -> None:
    d = resources_json()
    mutate(d)
    with pytest.raises(LoadError) as e:
        resources_from_json(d, "prod.json")
    assert message in str(e.value) and "prod.json" in str(e.value)


def test_same_arn_in_two_files_is_refused(tmp_path: Path) -> None:
    for n in ("a.json", "b.json"):
        (tmp_path / n).write_text((DATA / "resources" / "prod.json").read_text())
    with pytest.raises(LoadError, match="already loaded"):
        load_resources([tmp_path])
