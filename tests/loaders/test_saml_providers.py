"""SAML providers in account files, `serve --load` and `collect` (docs/account-files.md; spec §4.6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamwarden.cli import main
from iamwarden.loaders.authz_details import LoadError, load_account, load_world
from iamwarden.sts import Keyring, ManualClock
from iamwarden.sts.saml import assume_role_with_saml
from iamwarden.testing import SamlIdentityProvider, local_endpoint

A = "111122223333"
ROLE = f"arn:aws:iam::{A}:role/Federated"


def account_file(tmp_path: Path, idp: SamlIdentityProvider, metadata: str | None = None) -> Path:
    data = {
        "RoleDetailList": [{
            "RoleName": "Federated", "Arn": ROLE, "RoleId": "AROAFEDERATED00000000",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Federated": idp.provider_arn},
                "Action": "sts:AssumeRoleWithSAML"}]},
        }],
        "SAMLProviderList": [{"Arn": idp.provider_arn, "SAMLMetadataDocument": metadata or idp.metadata_xml(),
                              "Tags": [{"Key": "owner", "Value": "it"}]}],
    }
    path = tmp_path / "acct.json"
    path.write_text(json.dumps(data))
    return path


def test_saml_provider_list_is_loaded_from_account_files(tmp_path):
    idp = SamlIdentityProvider(name="Corp", account=A)
    account = load_account(account_file(tmp_path, idp))
    provider = account.saml_providers[idp.provider_arn]
    assert provider.entity_id == idp.entity_id and provider.tags == {"owner": "it"}
    assert provider.certificates == (idp.certificate_pem,)


def test_loaded_providers_back_assume_role_with_saml(tmp_path):
    idp = SamlIdentityProvider(name="Corp", account=A)
    world = load_world([str(account_file(tmp_path, idp))])
    clock = ManualClock("2026-12-02T12:00:00Z")
    out = assume_role_with_saml(world, {"RoleArn": ROLE, "PrincipalArn": idp.provider_arn,
                                        "SAMLAssertion": idp.response(ROLE, now=clock())},
                                clock, Keyring.generate("k1"))
    assert out.session.role_arn == ROLE


def test_bad_metadata_in_account_file_names_the_path(tmp_path):
    idp = SamlIdentityProvider(name="Corp", account=A)
    broken = idp.metadata_xml().replace('use="signing"', 'use="encryption"')
    with pytest.raises(LoadError) as e:
        load_account(account_file(tmp_path, idp, broken))
    assert "$.SAMLProviderList[0].SAMLMetadataDocument" in str(e.value)
    assert "signing certificate" in str(e.value)


def test_saml_provider_without_metadata_is_a_shape_error(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"RoleDetailList": [], "SAMLProviderList": [
        {"Arn": f"arn:aws:iam::{A}:saml-provider/X"}]}))
    with pytest.raises(LoadError) as e:
        load_account(path)
    assert "SAMLProviderList[0]" in str(e.value) and "SAMLMetadataDocument" in str(e.value)


def test_serve_load_and_collect_carry_saml_providers(tmp_path, monkeypatch):
    idp = SamlIdentityProvider(name="Corp", account=A)
    with local_endpoint(account_id=A, load=[str(account_file(tmp_path, idp))]) as ep:
        sts = ep.client("sts")
        out = sts.assume_role_with_saml(RoleArn=ROLE, PrincipalArn=idp.provider_arn,
                                        SAMLAssertion=idp.response(ROLE))
        assert out["AssumedRoleUser"]["Arn"].endswith("/Federated/alice")
        target = tmp_path / "collected.json"
        for k, v in ep.env().items():
            monkeypatch.setenv(k, v)
        assert main(["collect", "--endpoint", ep.endpoint_url, "--output", str(target)]) == 0
    collected = json.loads(target.read_text())
    assert [p["Arn"] for p in collected["SAMLProviderList"]] == [idp.provider_arn]
    assert load_account(target).saml_providers[idp.provider_arn].entity_id == idp.entity_id
