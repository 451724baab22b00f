"""The ``iamwarden_oidc`` fixture: "only main of org/repo may deploy", end to end with boto3."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from iamwarden.testing import OidcIssuer, github_subject

pytestmark = pytest.mark.e2e
GH = "token.actions.githubusercontent.com"


def test_iamwarden_oidc_fixture_only_main_of_org_repo_may_deploy(iamwarden_endpoint, iamwarden_oidc) -> None:
    assert isinstance(iamwarden_oidc, OidcIssuer)
    ep = iamwarden_endpoint
    provider = iamwarden_oidc.provider_arn(ep.account_id)
    ep.client("iam").create_role(RoleName="deploy", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com",
                                           f"{GH}:sub": github_subject("org/repo", "refs/heads/main")}}}]}))
    sts = boto3.client("sts", endpoint_url=ep.endpoint_url, region_name="us-east-1",
                       config=Config(signature_version=UNSIGNED, retries={"max_attempts": 0}))
    role = f"arn:aws:iam::{ep.account_id}:role/deploy"
    ok = sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="ci",
                                           WebIdentityToken=iamwarden_oidc.github_token("org/repo"))
    assert ok["SubjectFromWebIdentityToken"] == "repo:org/repo:ref:refs/heads/main"
    for token in (iamwarden_oidc.github_token("org/repo", "refs/heads/feature"),
                  iamwarden_oidc.github_token("org/other"),
                  iamwarden_oidc.github_token("org/repo", environment="prod")):
        with pytest.raises(ClientError) as e:
            sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="ci", WebIdentityToken=token)
        assert e.value.response["Error"]["Code"] == "AccessDenied"
