"""The pytest fixture and context manager users get for their own tests (issue 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from iamwarden.testing import local_endpoint

pytestmark = pytest.mark.e2e
DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-account.json"


def test_pytest_fixture_gives_a_working_endpoint(iamwarden_endpoint):
    sts = iamwarden_endpoint.client("sts")
    ident = sts.get_caller_identity()
    assert ident["Account"] == iamwarden_endpoint.account_id
    assert ident["Arn"].endswith(":root")
    iamwarden_endpoint.client("iam").create_user(UserName="from-fixture")


def test_fixture_is_fresh_per_test(iamwarden_endpoint):
    names = [u["UserName"] for u in iamwarden_endpoint.client("iam").list_users()["Users"]]
    assert "from-fixture" not in names


def test_context_manager_loads_an_account_and_decides_calls():
    with local_endpoint(account_id="111122223333", load=[str(DEMO)]) as ep:
        iam = ep.client("iam")
        key = iam.create_access_key(UserName="bob")["AccessKey"]
        bob_iam = ep.client("iam", access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"])
        with pytest.raises(ClientError) as e:
            bob_iam.create_user(UserName="x")
        assert e.value.response["Error"]["Code"] == "AccessDenied"
        bob_sts = ep.client("sts", access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"])
        r = bob_sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/AuditRole", RoleSessionName="audit")
        assert r["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111122223333:assumed-role/AuditRole/audit"
        env = ep.env()
        assert env["AWS_ENDPOINT_URL"] == ep.endpoint_url


def test_malformed_policy_changes_nothing(iamwarden_endpoint):
    iam = iamwarden_endpoint.client("iam")
    iam.create_user(UserName="u")
    with pytest.raises(ClientError) as e:
        iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument='{"Version": "2012-10-17", "Statement": [')
    assert e.value.response["Error"]["Code"] == "MalformedPolicyDocument"
    with pytest.raises(ClientError) as e:
        iam.put_user_policy(UserName="u", PolicyName="p",
                            PolicyDocument=json.dumps({"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}))
    assert e.value.response["Error"]["Code"] == "MalformedPolicyDocument"
    assert iam.list_user_policies(UserName="u")["PolicyNames"] == []
