"""`iamwarden explain --saml-assertion`: which step, attribute or condition decides (spec §1.6, §3.4)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from iamwarden.cli import main
from iamwarden.testing_saml import SamlIdentityProvider

A = "111122223333"
ROLE = f"arn:aws:iam::{A}:role/Federated"
EPPN = "urn:oid:1.3.6.1.4.1.5923.1.1.1.6"


@pytest.fixture(scope="module")
def idp() -> SamlIdentityProvider:
    return SamlIdentityProvider("https://idp.example.com/saml", "Corp", A)


def setup(tmp_path: Path, idp: SamlIdentityProvider, extra_providers: int = 0) -> Path:
    providers = [{"Arn": idp.provider_arn, "SAMLMetadataDocument": idp.metadata_xml()}]
    for i in range(extra_providers):
        other = SamlIdentityProvider(f"https://idp{i}.example.com", f"Other{i}", A)
        providers.append({"Arn": other.provider_arn, "SAMLMetadataDocument": other.metadata_xml()})
    data = {"RoleDetailList": [{
        "RoleName": "Federated", "Arn": ROLE, "RoleId": "AROAFEDERATED00000000",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Sid": "Corp", "Effect": "Allow", "Principal": {"Federated": idp.provider_arn},
            "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"saml:edupersonprincipalname": "alice@corp.example"}}}]}}],
        "SAMLProviderList": providers}
    path = tmp_path / "acct.json"
    path.write_text(json.dumps(data))
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def explain(capsys, tmp_path, acct, saml: str, *more: str):
    f = tmp_path / "assertion.b64"
    f.write_text(saml)
    return run(capsys, "explain", "--account", str(acct), "--role", ROLE, "--saml-assertion", str(f), *more)


def test_explain_saml_allowed_shows_keys_and_conditions(tmp_path, capsys, idp):
    rc, out, _ = explain(capsys, tmp_path, setup(tmp_path, idp), idp.response(ROLE, attributes={EPPN: "alice@corp.example"}))
    assert rc == 0
    assert "ALLOWED" in out and "saml:edupersonprincipalname = alice@corp.example" in out
    assert "[ok  ] statement 0 (Corp): StringEquals saml:edupersonprincipalname" in out


def test_explain_saml_names_the_failed_condition(tmp_path, capsys, idp):
    rc, out, _ = explain(capsys, tmp_path, setup(tmp_path, idp), idp.response(ROLE, attributes={EPPN: "bob@corp.example"}))
    assert rc == 1
    assert "[FAIL] statement 0 (Corp): StringEquals saml:edupersonprincipalname" in out
    assert "the assertion gives 'bob@corp.example'" in out


def test_explain_saml_names_a_missing_role_pair(tmp_path, capsys, idp):
    other = f"arn:aws:iam::{A}:role/Other"
    rc, out, _ = explain(capsys, tmp_path, setup(tmp_path, idp), idp.response(other))
    assert rc == 1 and "refused at: role attribute" in out


def test_explain_saml_names_the_assertion_problem_and_at_moves_the_clock(tmp_path, capsys, idp):
    issued = datetime.now(UTC) - timedelta(hours=2)
    saml = idp.response(ROLE, now=issued, attributes={EPPN: "alice@corp.example"})
    acct = setup(tmp_path, idp)
    rc, out, _ = explain(capsys, tmp_path, acct, saml)
    assert rc == 1 and "refused at: assertion: ExpiredTokenException" in out
    rc, out, _ = explain(capsys, tmp_path, acct, saml, "--at", issued.isoformat())
    assert rc == 0, out


def test_explain_saml_wrong_signature(tmp_path, capsys, idp):
    stranger = SamlIdentityProvider(idp.entity_id, "Corp", A)
    rc, out, _ = explain(capsys, tmp_path, setup(tmp_path, idp), stranger.response(ROLE))
    assert rc == 1 and "Response signature invalid" in out


def test_explain_saml_needs_provider_when_several(tmp_path, capsys, idp):
    acct = setup(tmp_path, idp, extra_providers=1)
    rc, _, err = explain(capsys, tmp_path, acct, idp.response(ROLE))
    assert rc == 2 and "--saml-provider" in err
    rc, out, _ = explain(capsys, tmp_path, acct, idp.response(ROLE, attributes={EPPN: "alice@corp.example"}),
                         "--saml-provider", idp.provider_arn)
    assert rc == 0, out


def test_explain_needs_principal_or_saml_assertion(tmp_path, capsys, idp):
    rc, _, err = run(capsys, "explain", "--account", str(setup(tmp_path, idp)), "--role", ROLE)
    assert rc == 2 and "--principal" in err
