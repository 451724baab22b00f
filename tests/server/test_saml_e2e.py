"""AssumeRoleWithSAML and the IAM SAML provider operations, end to end with boto3 (spec §4.5, §4.6)."""

from __future__ import annotations

import base64
import json
import time

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from lxml import etree

from iamwarden.sts.saml_xml import NS_ASSERTION
from iamwarden.testing import SamlIdentityProvider, local_endpoint

pytestmark = pytest.mark.e2e

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/Corp"},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    }],
}
READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}]}


@pytest.fixture(scope="module")
def ep():
    with local_endpoint() as running:
        yield running


@pytest.fixture(scope="module")
def idp(ep) -> SamlIdentityProvider:
    idp = ep.saml_identity_provider(name="Corp")
    iam = ep.client("iam")
    iam.create_role(RoleName="SamlDev", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName="SamlDev", PolicyName="read", PolicyDocument=json.dumps(READ))
    return idp


def role_arn(ep) -> str:
    return f"arn:aws:iam::{ep.account_id}:role/SamlDev"


def unsigned_sts(ep):
    """An STS client with no credentials at all: AssumeRoleWithSAML is unsigned, as in AWS."""
    import boto3
    from botocore import UNSIGNED

    return boto3.client("sts", endpoint_url=ep.endpoint_url, region_name="us-east-1",
                        config=Config(signature_version=UNSIGNED))


def error_of(fn, **kwargs) -> ClientError:
    with pytest.raises(ClientError) as e:
        fn(**kwargs)
    return e.value


def test_assume_role_with_saml_over_the_wire(ep, idp):
    sts = unsigned_sts(ep)
    out = sts.assume_role_with_saml(RoleArn=role_arn(ep), PrincipalArn=idp.provider_arn,
                                    SAMLAssertion=idp.response(role_arn(ep), "alice", tags={"team": "blue"}))
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ep.account_id}:assumed-role/SamlDev/alice"
    assert out["Subject"] == "alice@example.com" and out["SubjectType"] == "persistent"
    assert out["Issuer"] == idp.entity_id and out["Audience"] == "https://signin.aws.amazon.com/saml"
    assert out["NameQualifier"] and out["PackedPolicySize"] >= 1
    creds = out["Credentials"]
    # the session works, as the role, with the role's permissions
    session_sts = ep.client("sts", access_key_id=creds["AccessKeyId"], secret_access_key=creds["SecretAccessKey"],
                            session_token=creds["SessionToken"])
    assert session_sts.get_caller_identity()["Arn"] == out["AssumedRoleUser"]["Arn"]
    session_iam = ep.client("iam", access_key_id=creds["AccessKeyId"], secret_access_key=creds["SecretAccessKey"],
                            session_token=creds["SessionToken"])
    assert any(r["RoleName"] == "SamlDev" for r in session_iam.list_roles()["Roles"])
    assert error_of(session_iam.list_users).response["Error"]["Code"] == "AccessDenied"


def test_assume_role_with_saml_works_with_a_signed_client_too(ep, idp):
    out = ep.client("sts").assume_role_with_saml(RoleArn=role_arn(ep), PrincipalArn=idp.provider_arn,
                                                 SAMLAssertion=idp.response(role_arn(ep), "bob"))
    assert out["AssumedRoleUser"]["Arn"].endswith("/SamlDev/bob")


@pytest.mark.parametrize("make,code,status", [
    (lambda idp, r: idp.response(r, sign=None), "InvalidIdentityToken", 400),
    (lambda idp, r: SamlIdentityProvider(idp.entity_id, "Corp").response(r), "InvalidIdentityToken", 400),
    (lambda idp, r: idp.response(r, lifetime=__import__("datetime").timedelta(seconds=-3600)),
     "ExpiredTokenException", 400),
    (lambda idp, r: idp.response(r, audience="https://evil.example.com"), "InvalidIdentityToken", 400),
    (lambda idp, r: idp.response(r, recipient="https://evil.example.com"), "InvalidIdentityToken", 400),
    (lambda idp, r: idp.response(r, session_name=None), "InvalidIdentityToken", 400),
    (lambda idp, r: idp.response(None), "AccessDenied", 403),
    (lambda idp, r: base64.b64encode(b"<not xml").decode(), "InvalidIdentityToken", 400),
    (lambda idp, r: base64.b64encode(b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>').decode(),
     "InvalidIdentityToken", 400),
])
def test_bad_assertions_get_aws_errors_and_store_nothing(ep, idp, make, code, status):
    before = ep.endpoint.store.generation()
    start = time.monotonic()
    e = error_of(unsigned_sts(ep).assume_role_with_saml, RoleArn=role_arn(ep), PrincipalArn=idp.provider_arn,
                 SAMLAssertion=make(idp, role_arn(ep)))
    assert time.monotonic() - start < 5
    assert e.response["Error"]["Code"] == code
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert ep.endpoint.store.generation() == before


def test_wrapped_assertion_is_refused_over_the_wire(ep, idp):
    root = etree.fromstring(idp.response_xml(role_arn(ep), "alice"))
    signed = root.find(f"{{{NS_ASSERTION}}}Assertion")
    evil = etree.fromstring(etree.tostring(signed))
    evil.set("ID", "_evil")
    root.insert(list(root).index(signed), evil)
    e = error_of(unsigned_sts(ep).assume_role_with_saml, RoleArn=role_arn(ep), PrincipalArn=idp.provider_arn,
                 SAMLAssertion=base64.b64encode(etree.tostring(root)).decode())
    assert e.response["Error"]["Code"] == "InvalidIdentityToken"


def test_oversized_assertion_is_validation_error(ep, idp):
    sts = ep.client("sts", config=Config(parameter_validation=False))
    e = error_of(sts.assume_role_with_saml, RoleArn=role_arn(ep), PrincipalArn=idp.provider_arn,
                 SAMLAssertion="A" * 100_001)
    assert e.response["Error"]["Code"] == "ValidationError"


def test_unknown_provider_is_refused(ep, idp):
    e = error_of(unsigned_sts(ep).assume_role_with_saml, RoleArn=role_arn(ep),
                 PrincipalArn=f"arn:aws:iam::{ep.account_id}:saml-provider/Nope",
                 SAMLAssertion=idp.response(role_arn(ep)))
    assert e.response["Error"]["Code"] == "InvalidIdentityToken"
    assert e.response["Error"]["Message"] == "Specified provider doesn't exist"


# -- IAM SAML providers -----------------------------------------------------------------


def test_saml_provider_crud_and_tags(ep):
    iam = ep.client("iam")
    idp = SamlIdentityProvider("https://crud.example.com/saml", "Crud", ep.account_id)
    arn = iam.create_saml_provider(Name="Crud", SAMLMetadataDocument=idp.metadata_xml(),
                                   Tags=[{"Key": "owner", "Value": "it"}])["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{ep.account_id}:saml-provider/Crud"
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == idp.metadata_xml()
    assert got["Tags"] == [{"Key": "owner", "Value": "it"}] and got["CreateDate"]
    assert arn in [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]]
    dup = error_of(iam.create_saml_provider, Name="Crud", SAMLMetadataDocument=idp.metadata_xml())
    assert dup.response["Error"]["Code"] == "EntityAlreadyExists"
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["owner"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    rotated = SamlIdentityProvider("https://crud.example.com/saml", "Crud", ep.account_id)
    iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=rotated.metadata_xml())
    assert iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"] == rotated.metadata_xml()
    iam.delete_saml_provider(SAMLProviderArn=arn)
    gone = error_of(iam.get_saml_provider, SAMLProviderArn=arn)
    assert gone.response["Error"]["Code"] == "NoSuchEntity"


def test_bad_metadata_is_invalid_input_and_stores_nothing(ep):
    iam = ep.client("iam")
    idp = SamlIdentityProvider("https://bad.example.com/saml", "Bad", ep.account_id)
    broken = idp.metadata_xml().replace('use="signing"', 'use="encryption"')
    e = error_of(iam.create_saml_provider, Name="Bad", SAMLMetadataDocument=broken)
    assert e.response["Error"]["Code"] == "InvalidInput"
    assert "Could not parse metadata" in e.response["Error"]["Message"]
    assert not [p for p in iam.list_saml_providers()["SAMLProviderList"] if p["Arn"].endswith("/Bad")]


def test_saml_provider_operations_are_authorized(ep):
    iam = ep.client("iam")
    iam.create_user(UserName="nobody")
    key = iam.create_access_key(UserName="nobody")["AccessKey"]
    as_nobody = ep.client("iam", access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"])
    e = error_of(as_nobody.list_saml_providers)
    assert e.response["Error"]["Code"] == "AccessDenied"


def test_aws_cli_assume_role_with_saml(ep, idp, tmp_path):
    """The AWS CLI, unsigned (no credentials in its environment at all), SAML response from a file."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    saml = tmp_path / "saml.b64"
    saml.write_text(idp.response(role_arn(ep), "cli-user"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ENDPOINT_URL": ep.endpoint_url, "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
    aws = Path(sys.executable).with_name("aws")
    p = subprocess.run([str(aws), "sts", "assume-role-with-saml", "--role-arn", role_arn(ep),
                        "--principal-arn", idp.provider_arn, "--saml-assertion", f"file://{saml}",
                        "--output", "json"], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["AssumedRoleUser"]["Arn"].endswith("/SamlDev/cli-user")
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")


@pytest.mark.parametrize("cidr,allowed", [("127.0.0.0/8", True), ("10.0.0.0/8", False)])
def test_trust_sees_the_request_source_ip(ep, idp, cidr, allowed):
    iam = ep.client("iam")
    name = f"SamlFromNet{'Ok' if allowed else 'No'}"
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": idp.provider_arn}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"IpAddress": {"aws:SourceIp": cidr}, "Bool": {"aws:SecureTransport": "false"}}}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    call = lambda: unsigned_sts(ep).assume_role_with_saml(  # noqa: E731
        RoleArn=arn, PrincipalArn=idp.provider_arn, SAMLAssertion=idp.response(arn))
    if allowed:
        assert call()["AssumedRoleUser"]["Arn"].endswith(f"/{name}/alice")
    else:
        assert error_of(call).response["Error"]["Code"] == "AccessDenied"
