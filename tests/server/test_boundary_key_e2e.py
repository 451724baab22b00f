"""End to end, boto3: the delegated administrator of the IAM User Guide.

A request on an existing user carries the user's permissions boundary as
``iam:PermissionsBoundary``; CreateUser carries the boundary it sets
(evaluation/world.py ``entity_keys``, server/endpoint.py ``iam_request_keys``).
"""

from __future__ import annotations

import json

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from iamwarden.testing import local_endpoint

pytestmark = pytest.mark.e2e

ACCOUNT = "111122223333"
A = f"arn:aws:iam::{ACCOUNT}"
NOVALIDATE = Config(parameter_validation=False, retries={"max_attempts": 0})


def _doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_delegated_administrator_writes_only_users_with_the_boundary() -> None:
    with local_endpoint(account_id=ACCOUNT) as ep:
        iam = ep.client("iam")
        iam.create_policy(PolicyName="DevBoundary", PolicyDocument=_doc(
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
        iam.create_policy(PolicyName="ReadOnly", PolicyDocument=_doc(
            {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}))
        only_bounded = {"StringEquals": {"iam:PermissionsBoundary": f"{A}:policy/DevBoundary"}}
        iam.create_user(UserName="deleg")
        iam.put_user_policy(UserName="deleg", PolicyName="p", PolicyDocument=_doc(
            {"Effect": "Allow", "Action": ["iam:AttachUserPolicy", "iam:CreateUser"], "Resource": "*",
             "Condition": only_bounded}))
        key = iam.create_access_key(UserName="deleg")["AccessKey"]
        iam.create_user(UserName="bounded", PermissionsBoundary=f"{A}:policy/DevBoundary")
        iam.create_user(UserName="free")
        me = ep.client("iam", access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"],
                       config=NOVALIDATE)

        me.attach_user_policy(UserName="bounded", PolicyArn=f"{A}:policy/ReadOnly")
        with pytest.raises(ClientError) as e:
            me.attach_user_policy(UserName="free", PolicyArn=f"{A}:policy/ReadOnly")
        assert e.value.response["Error"]["Code"] == "AccessDenied"

        me.create_user(UserName="new", PermissionsBoundary=f"{A}:policy/DevBoundary")
        with pytest.raises(ClientError) as e:
            me.create_user(UserName="unbounded")
        assert e.value.response["Error"]["Code"] == "AccessDenied"
