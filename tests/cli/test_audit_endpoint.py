"""``iamwarden audit --endpoint``: read a running iamwarden endpoint through GetAccountAuthorizationDetails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamwarden.cli import main
from iamwarden.testing import local_endpoint

pytestmark = pytest.mark.e2e
DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-account.json"


def test_audit_endpoint_matches_audit_of_the_file(capsys, monkeypatch):
    assert main(["audit", str(DEMO), "--format", "json"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    with local_endpoint(account_id="111122223333", load=[str(DEMO)]) as ep:
        for k, v in ep.env().items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        assert main(["audit", "--endpoint", ep.endpoint_url, "--format", "json"]) == 0
    from_endpoint = json.loads(capsys.readouterr().out)

    def verdicts(result):
        return {p["arn"]: (p["admin"], p["can_escalate"]) for p in result["principals"]}

    assert verdicts(from_endpoint) == verdicts(from_file)
    assert {f["id"] for f in from_endpoint["findings"]} == {f["id"] for f in from_file["findings"]}
    alice = next(p for p in from_endpoint["principals"] if p["arn"].endswith(":user/alice"))
    assert alice["paths"][0]["steps"][0]["technique"] == "D15"


def test_audit_endpoint_with_a_denied_caller_is_a_usage_error(capsys, monkeypatch):
    with local_endpoint(account_id="111122223333", load=[str(DEMO)]) as ep:
        key = ep.client("iam").create_access_key(UserName="bob")["AccessKey"]
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        rc = main(["audit", "--endpoint", ep.endpoint_url, "--format", "json"])
    assert rc == 2
    assert "AccessDenied" in capsys.readouterr().err
