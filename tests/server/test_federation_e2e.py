"""End to end: AssumeRoleWithWebIdentity, GetFederationToken and the OIDC provider API over the wire.

Real boto3 and the real AWS CLI against a started endpoint; the OIDC provider
is :class:`iamwarden.oidc_issuer.OidcIssuer` registered with the endpoint.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from iamwarden.oidc_issuer import OidcIssuer
from iamwarden.testing import local_endpoint

pytestmark = pytest.mark.e2e

ACCOUNT = "111122223333"
A = f"arn:aws:iam::{ACCOUNT}"
GH = "token.actions.githubusercontent.com"
MAIN = "repo:org/repo:ref:refs/heads/main"
NORETRY = Config(retries={"max_attempts": 0})


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def web_trust(provider_arn: str, condition: dict | None = None) -> str:
    st: dict = {"Effect": "Allow", "Principal": {"Federated": provider_arn},
                "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]}
    if condition:
        st["Condition"] = condition
    return doc(st)


@pytest.fixture(scope="module")
def setup():
    issuer = OidcIssuer()
    with local_endpoint(account_id=ACCOUNT) as ep:
        provider = issuer.register(ep)
        iam = ep.client("iam")
        iam.create_role(RoleName="Deploy", AssumeRolePolicyDocument=web_trust(provider, {"StringEquals": {
            f"{GH}:aud": "sts.amazonaws.com", f"{GH}:sub": MAIN}}))
        iam.put_role_policy(RoleName="Deploy", PolicyName="p", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}))
        iam.create_role(RoleName="AnyRepo", AssumeRolePolicyDocument=web_trust(provider, {"StringEquals": {
            f"{GH}:aud": "sts.amazonaws.com"}}))
        iam.create_user(UserName="fred")
        iam.put_user_policy(UserName="fred", PolicyName="p", PolicyDocument=doc(
            {"Effect": "Allow", "Action": ["sts:GetFederationToken", "iam:ListUsers", "iam:ListRoles"],
             "Resource": "*"}))
        key = iam.create_access_key(UserName="fred")["AccessKey"]
        yield ep, issuer, provider, (key["AccessKeyId"], key["SecretAccessKey"])


def unsigned_sts(ep):
    return boto3.client("sts", endpoint_url=ep.endpoint_url, region_name="us-east-1",
                        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 0}))


def web(ep, token: str, role: str = "Deploy", **kw):
    return unsigned_sts(ep).assume_role_with_web_identity(
        RoleArn=f"{A}:role/{role}", RoleSessionName="gha", WebIdentityToken=token, **kw)


def code_of(fn) -> tuple[str, int]:
    with pytest.raises(ClientError) as e:
        fn()
    return e.value.response["Error"]["Code"], e.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_boto3_assume_role_with_web_identity_main_may_deploy(setup):
    ep, issuer, provider, _ = setup
    r = web(ep, issuer.github_token())
    assert r["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Deploy/gha"
    assert r["SubjectFromWebIdentityToken"] == MAIN
    assert r["Provider"] == f"https://{GH}" and r["Audience"] == "sts.amazonaws.com"
    c = r["Credentials"]
    iam = ep.client("iam", access_key_id=c["AccessKeyId"], secret_access_key=c["SecretAccessKey"],
                    session_token=c["SessionToken"], config=NORETRY)
    iam.list_users()  # the role's policy allows it
    assert code_of(lambda: iam.create_user(UserName="x"))[0] == "AccessDenied"
    sts = ep.client("sts", access_key_id=c["AccessKeyId"], secret_access_key=c["SecretAccessKey"],
                    session_token=c["SessionToken"])
    assert sts.get_caller_identity()["Arn"] == r["AssumedRoleUser"]["Arn"]


def test_boto3_web_identity_other_branch_is_access_denied(setup):
    ep, issuer, _, _ = setup
    assert code_of(lambda: web(ep, issuer.github_token(ref="refs/heads/dev"))) == ("AccessDenied", 403)


def test_boto3_web_identity_aud_only_trust_admits_a_stranger(setup):
    ep, issuer, _, _ = setup
    assert web(ep, issuer.github_token(repository="stranger/fork"), role="AnyRepo")["Credentials"]


def test_boto3_web_identity_bad_tokens_are_refused_quickly_with_aws_codes(setup):
    ep, issuer, _, _ = setup
    now = int(time.time())
    cases = {
        "malformed": ("not.a.jwt", "InvalidIdentityToken", 400),
        "unsigned": (issuer.token(MAIN).rsplit(".", 1)[0] + ".", "InvalidIdentityToken", 400),
        "wrong key": (OidcIssuer().github_token(), "InvalidIdentityToken", 400),
        "expired": (issuer.github_token(issued_at=now - 1000), "ExpiredTokenException", 400),
        "wrong audience": (issuer.token(MAIN, audience="someone-else"), "InvalidIdentityToken", 400),
        "unknown provider": (OidcIssuer(url="https://gitlab.com").token(MAIN), "InvalidIdentityToken", 400),
    }
    generation = ep.endpoint.store.generation()
    for name, (token, code, status) in cases.items():
        start = time.perf_counter()
        assert code_of(lambda t=token: web(ep, t)) == (code, status), name
        assert time.perf_counter() - start < 2, name
    assert ep.endpoint.store.generation() == generation  # nothing stored


def test_boto3_web_identity_oversized_token_is_a_validation_error(setup):
    ep, _, _, _ = setup
    sts = boto3.client("sts", endpoint_url=ep.endpoint_url, region_name="us-east-1",
                       config=Config(signature_version=UNSIGNED, parameter_validation=False,
                                     retries={"max_attempts": 0}))
    with pytest.raises(ClientError) as e:
        sts.assume_role_with_web_identity(RoleArn=f"{A}:role/Deploy", RoleSessionName="gha",
                                          WebIdentityToken="a" * 20001)
    assert e.value.response["Error"]["Code"] == "ValidationError"


def test_boto3_get_federation_token_and_use_it(setup):
    ep, _, _, creds = setup
    sts = ep.client("sts", access_key_id=creds[0], secret_access_key=creds[1])
    r = sts.get_federation_token(Name="Bob", Policy=doc({"Effect": "Allow", "Action": "iam:ListUsers",
                                                         "Resource": "*"}), DurationSeconds=900)
    assert r["FederatedUser"] == {"Arn": f"arn:aws:sts::{ACCOUNT}:federated-user/Bob",
                                  "FederatedUserId": f"{ACCOUNT}:Bob"}
    c = r["Credentials"]
    fed_sts = ep.client("sts", access_key_id=c["AccessKeyId"], secret_access_key=c["SecretAccessKey"],
                        session_token=c["SessionToken"], config=NORETRY)
    ident = fed_sts.get_caller_identity()
    assert ident["Arn"] == f"arn:aws:sts::{ACCOUNT}:federated-user/Bob" and ident["UserId"] == f"{ACCOUNT}:Bob"
    assert code_of(lambda: fed_sts.get_federation_token(Name="Again")) == ("AccessDenied", 403)
    fed_iam = ep.client("iam", access_key_id=c["AccessKeyId"], secret_access_key=c["SecretAccessKey"],
                        session_token=c["SessionToken"], config=NORETRY)
    assert code_of(lambda: fed_iam.list_users())[0] == "AccessDenied"  # federated users call no IAM


def test_boto3_get_federation_token_denied_without_permission(setup):
    ep, _, _, _ = setup
    iam = ep.client("iam")
    iam.create_user(UserName="nofed")
    key = iam.create_access_key(UserName="nofed")["AccessKey"]
    sts = ep.client("sts", access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"],
                    config=NORETRY)
    assert code_of(lambda: sts.get_federation_token(Name="Bob")) == ("AccessDenied", 403)


def test_boto3_oidc_provider_crud(setup):
    ep, _, _, creds = setup
    iam = ep.client("iam", config=NORETRY)
    arn = iam.create_open_id_connect_provider(Url="https://oidc.example.com/id/X", ClientIDList=["a"],
                                              ThumbprintList=["a" * 40],
                                              Tags=[{"Key": "k", "Value": "v"}])["OpenIDConnectProviderArn"]
    assert arn == f"{A}:oidc-provider/oidc.example.com/id/X"
    assert {"Arn": arn} in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="b")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="a")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["b" * 40])
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "x", "Value": "y"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["k"])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert (got["Url"], got["ClientIDList"], got["ThumbprintList"]) == ("oidc.example.com/id/X", ["b"], ["b" * 40])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == [
        {"Key": "x", "Value": "y"}]
    assert code_of(lambda: iam.create_open_id_connect_provider(
        Url="https://oidc.example.com/id/X", ClientIDList=["a"], ThumbprintList=["a" * 40]))[0] == \
        "EntityAlreadyExists"
    assert code_of(lambda: iam.create_open_id_connect_provider(
        Url="http://insecure", ClientIDList=["a"], ThumbprintList=["a" * 40]))[0] == "InvalidInput"
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert code_of(lambda: iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)) == ("NoSuchEntity", 404)
    # the engine decides: fred's policy does not allow the provider API
    fred = ep.client("iam", access_key_id=creds[0], secret_access_key=creds[1], config=NORETRY)
    assert code_of(lambda: fred.create_open_id_connect_provider(
        Url="https://x.example.com", ClientIDList=["a"], ThumbprintList=["a" * 40]))[0] == "AccessDenied"


def test_aws_cli_assume_role_with_web_identity(setup, tmp_path):
    ep, issuer, _, _ = setup
    aws = Path(sys.executable).with_name("aws")
    env = dict(os.environ)
    env.update({"AWS_ENDPOINT_URL": ep.endpoint_url, "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(k, None)
    p = subprocess.run([str(aws), "sts", "assume-role-with-web-identity", "--role-arn", f"{A}:role/Deploy",
                        "--role-session-name", "cli", "--web-identity-token", issuer.github_token(),
                        "--output", "json"], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Deploy/cli"
    p = subprocess.run([str(aws), "sts", "assume-role-with-web-identity", "--role-arn", f"{A}:role/Deploy",
                        "--role-session-name", "cli", "--web-identity-token",
                        issuer.github_token(ref="refs/heads/dev"), "--output", "json"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "AccessDenied" in p.stderr
