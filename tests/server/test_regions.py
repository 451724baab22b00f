"""The regions ``serve`` accepts in a credential scope (issue 10 item 6; docs/endpoint.md "Regions")."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from iamwarden.server.endpoint import Endpoint

pytestmark = pytest.mark.e2e

KEY, SECRET = "AKIAREGIONTEST000001", "region/test/secret/000000000000000000000"


def client(ep: Endpoint, service: str, region: str):
    return boto3.client(service, endpoint_url=ep.endpoint_url, region_name=region, aws_access_key_id=KEY,
                        aws_secret_access_key=SECRET, config=Config(retries={"max_attempts": 1}))


@pytest.mark.timeout(60)
def test_any_region_is_served_by_default(tmp_path: Path) -> None:
    with Endpoint(tmp_path / "db", root_access_key_id=KEY, root_secret_access_key=SECRET) as ep:
        for region in ("us-east-1", "ap-northeast-1"):
            assert client(ep, "sts", region).get_caller_identity()["Arn"].endswith(":root")


@pytest.mark.timeout(60)
def test_a_scope_in_a_region_not_served_is_signature_does_not_match(tmp_path: Path) -> None:
    with Endpoint(tmp_path / "db", root_access_key_id=KEY, root_secret_access_key=SECRET,
                  regions=["eu-west-1"]) as ep:
        assert client(ep, "sts", "eu-west-1").get_caller_identity()["Arn"].endswith(":root")
        assert client(ep, "iam", "eu-west-1").list_users()["Users"] == []
        for service in ("sts", "iam"):
            with pytest.raises(ClientError) as e:
                call = client(ep, service, "us-west-2")
                call.get_caller_identity() if service == "sts" else call.list_users()
            err = e.value.response["Error"]
            assert (err["Code"], err["Message"]) == (
                "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'us-west-2'. ")
            assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
