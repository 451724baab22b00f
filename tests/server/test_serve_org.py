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
