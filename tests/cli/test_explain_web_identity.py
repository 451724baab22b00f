"""``iamwarden explain --role ARN --web-identity-token FILE | --claims JSON`` (issue 11 item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamwarden.cli import main
from iamwarden.oidc_issuer import OidcIssuer

A = "111122223333"
GH = "token.actions.githubusercontent.com"
GH_ARN = f"arn:aws:iam::{A}:oidc-provider/{GH}"
MAIN = "repo:org/repo:ref:refs/heads/main"
ROLE = f"arn:aws:iam::{A}:role/deploy"


@pytest.fixture(scope="module")
def issuer() -> OidcIssuer:
    return OidcIssuer()


@pytest.fixture
def account(tmp_path: Path, issuer: OidcIssuer) -> Path:
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": GH_ARN}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com", f"{GH}:sub": MAIN}}}]}
    data = {"RoleDetailList": [{"RoleName": "deploy", "Arn": ROLE, "Path": "/", "RoleId": "AROADEPLOY",
                                "AssumeRolePolicyDocument": trust}],
            "OpenIDConnectProviderList": [{"Arn": GH_ARN, "ClientIDList": ["sts.amazonaws.com"],
                                           "Jwks": issuer.jwks()}]}
    f = tmp_path / "acct.json"
    f.write_text(json.dumps(data))
    return f


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(["explain", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_explain_web_identity_token_allowed(capsys, tmp_path, account, issuer) -> None:
    tok = tmp_path / "token"
    tok.write_text(issuer.github_token())
    rc, out, _ = run(capsys, "--account", str(account), "--role", ROLE, "--web-identity-token", str(tok))
    assert rc == 0
    assert out.startswith(f"ALLOWED: AssumeRoleWithWebIdentity on {ROLE}")
    assert "signature, issuer, audience and times verified" in out and f"{GH}:sub = {MAIN}" in out


def test_explain_web_identity_token_other_branch_names_the_failed_sub(capsys, tmp_path, account, issuer) -> None:
    tok = tmp_path / "token"
    tok.write_text(issuer.github_token(ref="refs/heads/dev"))
    rc, out, _ = run(capsys, "--account", str(account), "--role", ROLE, "--web-identity-token", str(tok))
    assert rc == 1 and out.startswith("DENIED")
    assert f"{GH}:sub must satisfy StringEquals ['{MAIN}']; the token gives \"repo:org/repo:ref:refs/heads/dev\"" in out


def test_explain_web_identity_token_wrong_key_is_reported(capsys, tmp_path, account) -> None:
    tok = tmp_path / "token"
    tok.write_text(OidcIssuer().github_token())
    rc, out, _ = run(capsys, "--account", str(account), "--role", ROLE, "--web-identity-token", str(tok))
    assert rc == 1 and "InvalidIdentityToken" in out


def test_explain_claims_what_if_json(capsys, account) -> None:
    claims = json.dumps({"iss": f"https://{GH}", "aud": "sts.amazonaws.com", "sub": MAIN})
    rc, out, _ = run(capsys, "--account", str(account), "--role", ROLE, "--claims", claims, "--format", "json")
    data = json.loads(out)
    assert rc == 0 and data["allowed"] is True and data["verified"] is False
    claims = json.dumps({"iss": f"https://{GH}", "aud": "sts.amazonaws.com", "sub": "repo:evil/x:ref:refs/heads/main"})
    rc, out, _ = run(capsys, "--account", str(account), "--role", ROLE, "--claims", claims, "--format", "json")
    data = json.loads(out)
    assert rc == 1 and data["failed_conditions"][0]["key"] == f"{GH}:sub"


def test_explain_claims_bad_json_is_a_usage_error(capsys, account) -> None:
    rc, _, err = run(capsys, "--account", str(account), "--role", ROLE, "--claims", "{nope")
    assert rc == 2 and "--claims: not JSON" in err


def test_explain_needs_principal_or_token_or_claims(capsys, account) -> None:
    assert main(["explain", "--account", str(account), "--role", ROLE]) == 2
    assert "give --principal ARN (or --web-identity-token FILE / --claims JSON" in capsys.readouterr().err
