"""OIDC providers in account files: the loader, the schema, `serve --load` (issue 11 item 2)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from iamwarden.loaders.account_schema import load_schema
from iamwarden.loaders.authz_details import LoadError, account_from_details
from iamwarden.oidc_issuer import OidcIssuer
from iamwarden.server.seed import load_into_store
from iamwarden.store import Store

A = "111122223333"
GH_ARN = f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"


def page(**providers: Any) -> dict[str, Any]:
    entry = {"Arn": GH_ARN, "Url": "token.actions.githubusercontent.com", "ClientIDList": ["sts.amazonaws.com"],
             "ThumbprintList": ["6938fd4d98bab03faadb97b34396831e3780aea1"], "CreateDate": "2024-01-01T00:00:00Z",
             "Tags": [{"Key": "team", "Value": "ci"}]}
    entry.update(providers)
    return {"UserDetailList": [], "RoleDetailList": [], "OpenIDConnectProviderList": [entry]}


def test_account_file_oidc_providers_are_loaded() -> None:
    acct = account_from_details(page(), "f.json")
    (p,) = acct.oidc_providers
    assert (p.arn, p.url, p.client_ids, dict(p.tags)) == (
        GH_ARN, "token.actions.githubusercontent.com", ("sts.amazonaws.com",), {"team": "ci"})
    assert p.issuer == "https://token.actions.githubusercontent.com" and p.jwks == ()


def test_account_file_oidc_provider_jwks_extension_is_read() -> None:
    jwks = OidcIssuer().jwks()
    (p,) = account_from_details(page(Jwks=jwks), "f.json").oidc_providers
    assert p.jwks[0]["kid"] == jwks["keys"][0]["kid"]


def test_account_file_oidc_provider_private_key_is_refused() -> None:
    bad = {"keys": [{"kty": "RSA", "n": "x", "e": "AQAB", "d": "secret"}]}
    with pytest.raises(LoadError, match=r"OpenIDConnectProviderList\[0\]\.Jwks: .*private key"):
        account_from_details(page(Jwks=bad), "f.json")


def test_account_file_oidc_provider_needs_an_oidc_provider_arn() -> None:
    with pytest.raises(LoadError, match=r"\$\.OpenIDConnectProviderList\[0\]"):
        account_from_details(page(Arn=f"arn:aws:iam::{A}:role/x"), "f.json")


def test_account_schema_describes_oidc_providers() -> None:
    schema = load_schema()
    jsonschema.validate(page(Jwks=OidcIssuer().jwks()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(page(ClientIDList="not-a-list"), schema)


def test_serve_load_puts_providers_and_keys_in_the_store(tmp_path) -> None:
    issuer = OidcIssuer()
    f = tmp_path / "acct.json"
    data = page(Jwks=issuer.jwks())
    data["RoleDetailList"] = [{"RoleName": "r", "Arn": f"arn:aws:iam::{A}:role/r", "Path": "/",
                               "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                                   {"Effect": "Allow", "Principal": {"Federated": GH_ARN},
                                    "Action": "sts:AssumeRoleWithWebIdentity"}]}}]
    f.write_text(json.dumps(data))
    store = Store()
    try:
        load_into_store(store, [str(f)])
        (p,) = store.oidc_providers()
        assert p.arn == GH_ARN and p.client_ids == ("sts.amazonaws.com",)
        assert p.jwks[0]["kid"] == issuer.kid
        assert store.get_oidc_provider(GH_ARN).to_api()["Tags"] == [{"Key": "team", "Value": "ci"}]
    finally:
        store.close()
