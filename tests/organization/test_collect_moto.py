"""``collect --org`` and ``collect --resources`` against moto's in-process AWS (boto3, paginated)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from iamwarden.cli import main
from iamwarden.loaders import collect
from iamwarden.loaders.organization import load_organization
from iamwarden.loaders.resources import load_resources_file

REGION = "us-east-1"
DENY_IAM = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}


@pytest.fixture
def aws(monkeypatch):
    for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def make_org(s: boto3.Session, n_accounts: int = 3) -> dict[str, str]:
    org = s.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    work = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    sandbox = org.create_organizational_unit(ParentId=work, Name="Sandbox")["OrganizationalUnit"]["Id"]
    ids = []
    for i in range(n_accounts):
        acct = org.create_account(AccountName=f"acct{i}", Email=f"a{i}@example.com")["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=acct, SourceParentId=root, DestinationParentId=sandbox if i == 0 else work)
        ids.append(acct)
    pid = org.create_policy(Content=json.dumps(DENY_IAM), Description="no iam", Name="DenyIAM",
                            Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=pid, TargetId=sandbox)
    return {"root": root, "work": work, "sandbox": sandbox, "sandboxed": ids[0], "worker": ids[1], "policy": pid}


def test_collect_org_reads_the_tree_and_policies(aws, tmp_path: Path) -> None:
    made = make_org(aws)
    data = collect.collect_organization(aws)
    path = tmp_path / "org.json"
    path.write_text(collect.as_json(data))
    org = load_organization(path)
    assert org.management_account == aws.client("sts").get_caller_identity()["Account"]
    assert org.path(made["sandboxed"]) == (made["root"], made["work"], made["sandbox"], made["sandboxed"])
    names = [[p.name for p in level] for level in org.scp_levels(made["sandboxed"])]
    assert any("DenyIAM" in n for n in names[2]) and all(any("FullAWSAccess" in x for x in n) for n in names)
    assert not any("DenyIAM" in n for level in org.scp_levels(made["worker"]) for n in [p.name for p in level])
    assert org.scp_levels(org.management_account) == ()


def test_collect_org_follows_pagination(aws, monkeypatch) -> None:
    make_org(aws, n_accounts=5)
    calls: list[str] = []
    real = collect._pages

    def counting(client, op, key, **kw):  # type: ignore[no-untyped-def]
        calls.append(op)
        return real(client, op, key, **kw)

    monkeypatch.setattr(collect, "_pages", counting)
    data = collect.collect_organization(aws)
    assert sum(len(c["Accounts"]) for c in data["Children"]) == 6  # five made + the management account
    assert calls.count("list_accounts_for_parent") == 3  # root, Workloads, Sandbox


def test_collect_org_cli_writes_a_file_audit_reads(aws, tmp_path: Path, capsys) -> None:
    make_org(aws)
    out = tmp_path / "org.json"
    assert main(["collect", "--org", "-o", str(out)]) == 0
    assert "organization file" in capsys.readouterr().err
    assert load_organization(out).accounts


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


def make_resources(s: boto3.Session) -> str:
    account = s.client("sts").get_caller_identity()["Account"]
    s3 = s.client("s3")
    s3.create_bucket(Bucket="shared-data")
    s3.put_bucket_policy(Bucket="shared-data", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}))
    s3.create_bucket(Bucket="public-site")
    s3.put_bucket_policy(Bucket="public-site", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public-site/*"}]}))
    s3.put_public_access_block(Bucket="public-site", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    kms = s.client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal="arn:aws:iam::210987654321:root", Operations=["Decrypt"])
    iam = s.client("iam")
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]
    lam = s.client("lambda")
    lam.create_function(FunctionName="hook", Runtime="python3.12", Role=role["Arn"], Handler="index.handler",
                        Code={"ZipFile": _zip()})
    lam.add_permission(FunctionName="hook", StatementId="partner", Action="lambda:UpdateFunctionCode",
                       Principal="210987654321")
    sqs = s.client("sqs")
    q = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=q, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
        "Resource": f"arn:aws:sqs:{REGION}:{account}:jobs"}]})})
    s.client("sns").create_topic(Name="feed")
    sm = s.client("secretsmanager")
    arn = sm.create_secret(Name="db", SecretString="x")["ARN"]
    sm.put_resource_policy(SecretId=arn, ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "secretsmanager:GetSecretValue",
        "Resource": "*"}]}))
    ecr = s.client("ecr")
    ecr.create_repository(repositoryName="app")
    ecr.set_repository_policy(repositoryName="app", policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "pull", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "ecr:BatchGetImage"}]}))
    return account


def test_collect_resources_reads_every_service(aws, tmp_path: Path) -> None:
    account = make_resources(aws)
    data = collect.collect_resources(aws, region=REGION)
    path = tmp_path / "res.json"
    path.write_text(collect.as_json(data))
    held = {r.arn: r for r in load_resources_file(path)}
    kinds = {r.kind for r in held.values()}
    assert kinds >= {"s3-bucket", "kms-key", "lambda-function", "sqs-queue", "sns-topic", "secret", "ecr-repository"}
    assert held["arn:aws:s3:::public-site"].public_access_block.restrict_public_buckets
    assert held["arn:aws:s3:::shared-data"].policy is not None
    key = next(r for r in held.values() if r.kind == "kms-key")
    assert any((s.sid or "").startswith("Grant:") for s in key.policy.statements)
    fn = held[f"arn:aws:lambda:{REGION}:{account}:function:hook"]
    assert fn.role.endswith(":role/fn") and fn.policy is not None


def test_collect_resources_then_audit_finds_the_outside_entry_points(aws, tmp_path: Path, capsys) -> None:
    account = make_resources(aws)
    res = tmp_path / "res.json"
    assert main(["collect", "--resources", "-o", str(res)]) == 0
    gaad = tmp_path / "gaad.json"
    assert main(["collect", "-o", str(gaad)]) == 0
    capsys.readouterr()
    assert main(["audit", str(gaad), "--resources", str(res), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    ids = {(f["id"], f["arn"]) for f in report["findings"]}
    assert ("IW201", "arn:aws:s3:::shared-data") in ids
    assert ("IW202", "arn:aws:s3:::public-site") in ids
    assert ("IW200", f"arn:aws:sqs:{REGION}:{account}:jobs") in ids
    assert ("IW201", f"arn:aws:lambda:{REGION}:{account}:function:hook") in ids
