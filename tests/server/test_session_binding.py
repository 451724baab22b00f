"""Over the wire: sessions are bound to their issuer and nothing grows per session (issue 8 item 3).

Real boto3 clients against a started endpoint. A role session names its role
by unique id, so deleting the role, or re-creating one of the same name,
leaves the old session with nothing (``AccessDenied``); a deleted user's
GetSessionToken credentials are ``InvalidClientTokenId``, even for AssumeRole
into a role that trusted the user. The token carries the session, so
AssumeRole writes nothing and credentials survive a restart.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from iamwarden.sts.session_binding import UNBOUND_SESSION_REFUSAL
from iamwarden.testing import RunningEndpoint, local_endpoint

pytestmark = pytest.mark.e2e

ACCOUNT = "111122223333"
A = f"arn:aws:iam::{ACCOUNT}"
NORETRY = Config(retries={"max_attempts": 0})


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str = "*") -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def trust(principal: str) -> str:
    return doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})


def code(fn, **kw) -> str:
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"]
    return "OK"


def as_creds(ep: RunningEndpoint, service: str, creds: dict):
    return ep.client(service, access_key_id=creds["AccessKeyId"], secret_access_key=creds["SecretAccessKey"],
                     session_token=creds["SessionToken"], config=NORETRY)


def make_user(ep: RunningEndpoint, name: str, policy: str) -> dict:
    iam = ep.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    return iam.create_access_key(UserName=name)["AccessKey"]


def user_client(ep: RunningEndpoint, service: str, key: dict):
    return ep.client(service, access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"],
                     config=NORETRY)


def make_role(ep: RunningEndpoint, name: str, principal: str, actions: list[str]) -> str:
    iam = ep.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(principal))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(allow(actions)))
    return arn


def delete_role(ep: RunningEndpoint, name: str) -> None:
    iam = ep.client("iam")
    iam.delete_role_policy(RoleName=name, PolicyName="p")
    iam.delete_role(RoleName=name)


def delete_user(ep: RunningEndpoint, name: str, key_id: str) -> None:
    iam = ep.client("iam")
    iam.delete_access_key(UserName=name, AccessKeyId=key_id)
    iam.delete_user_policy(UserName=name, PolicyName="p")
    iam.delete_user(UserName=name)


@pytest.fixture
def ep():
    with local_endpoint(account_id=ACCOUNT) as e:
        yield e


def _assume(ep: RunningEndpoint, key: dict, role_arn: str, name: str = "s1") -> dict:
    return user_client(ep, "sts", key).assume_role(RoleArn=role_arn, RoleSessionName=name)["Credentials"]


def test_session_of_a_recreated_role_is_refused_and_gets_none_of_the_new_roles_policies(ep) -> None:
    key = make_user(ep, "alice", doc(allow("sts:AssumeRole")))
    arn = make_role(ep, "Worker", f"{A}:root", ["iam:ListUsers"])
    old = _assume(ep, key, arn)
    assert code(as_creds(ep, "iam", old).list_users) == "OK"
    delete_role(ep, "Worker")
    make_role(ep, "Worker", f"{A}:root", ["iam:ListUsers", "iam:ListRoles", "sts:AssumeRole"])
    target = make_role(ep, "Target", f"{A}:root", ["iam:ListUsers"])
    refused = UNBOUND_SESSION_REFUSAL["role"]
    assert code(as_creds(ep, "iam", old).list_users) == refused == "AccessDenied"
    assert code(as_creds(ep, "iam", old).list_roles) == refused
    assert code(as_creds(ep, "sts", old).get_caller_identity) == refused
    assert code(as_creds(ep, "sts", old).assume_role, RoleArn=target, RoleSessionName="chain") == refused
    new = _assume(ep, key, arn, "s2")  # the new role's own sessions work
    assert code(as_creds(ep, "iam", new).list_roles) == "OK"


def test_session_of_a_deleted_role_is_refused(ep) -> None:
    key = make_user(ep, "alice", doc(allow("sts:AssumeRole")))
    arn = make_role(ep, "Gone", f"{A}:root", ["iam:ListUsers"])
    creds = _assume(ep, key, arn)
    delete_role(ep, "Gone")
    assert code(as_creds(ep, "iam", creds).list_users) == "AccessDenied"
    assert code(as_creds(ep, "sts", creds).get_caller_identity) == "AccessDenied"


def test_deleted_users_session_credentials_are_refused_even_into_a_role_that_trusted_the_user(ep) -> None:
    key = make_user(ep, "bob", doc(allow(["sts:AssumeRole", "iam:ListUsers"])))
    target = make_role(ep, "TrustsBob", f"{A}:user/bob", ["iam:ListUsers"])
    creds = user_client(ep, "sts", key).get_session_token(DurationSeconds=900)["Credentials"]
    sts = as_creds(ep, "sts", creds)
    assert sts.get_caller_identity()["Arn"] == f"{A}:user/bob"
    assert code(sts.assume_role, RoleArn=target, RoleSessionName="b1") == "OK"
    delete_user(ep, "bob", key["AccessKeyId"])
    refused = UNBOUND_SESSION_REFUSAL["user"]
    assert code(sts.get_caller_identity) == refused == "InvalidClientTokenId"
    assert code(sts.assume_role, RoleArn=target, RoleSessionName="b2") == refused
    make_user(ep, "bob", doc(allow(["sts:AssumeRole"])))  # a new bob is another user
    assert code(sts.get_caller_identity) == refused


def test_restart_keeps_issued_credentials_working(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    with local_endpoint(db, account_id=ACCOUNT) as ep:
        key = make_user(ep, "alice", doc(allow("sts:AssumeRole")))
        arn = make_role(ep, "Worker", f"{A}:root", ["iam:ListUsers"])
        creds = _assume(ep, key, arn)
        user_creds = user_client(ep, "sts", key).get_session_token()["Credentials"]
    with local_endpoint(db, account_id=ACCOUNT) as ep2:  # a new process's worth of state: only the file
        assert as_creds(ep2, "sts", creds).get_caller_identity()["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Worker/s1"
        assert code(as_creds(ep2, "iam", creds).list_users) == "OK"
        assert as_creds(ep2, "sts", user_creds).get_caller_identity()["Arn"] == f"{A}:user/alice"


def _flip(token: str, i: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[i] ^= 0x04
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


def test_tampered_or_foreign_token_is_invalid_client_token_id(ep) -> None:
    key = make_user(ep, "alice", doc(allow("sts:AssumeRole")))
    arn = make_role(ep, "Worker", f"{A}:root", ["iam:ListUsers"])
    creds = _assume(ep, key, arn)
    other = _assume(ep, key, arn, "s2")
    for bad in (dict(creds, SessionToken=_flip(creds["SessionToken"], 25)),  # ciphertext
                dict(creds, SessionToken=_flip(creds["SessionToken"], 10)),  # nonce: another session id
                dict(creds, SessionToken=other["SessionToken"]),  # another session's token
                dict(creds, SessionToken=creds["SessionToken"][:-3])):  # truncated
        assert code(as_creds(ep, "sts", bad).get_caller_identity) == "InvalidClientTokenId"
    forged = dict(creds, SecretAccessKey="x" * 40)
    assert code(as_creds(ep, "sts", forged).get_caller_identity) == "SignatureDoesNotMatch"


def test_get_access_key_info_answers_temporary_keys_from_the_key_id(ep) -> None:
    key = make_user(ep, "alice", doc(allow("sts:AssumeRole")))
    creds = _assume(ep, key, make_role(ep, "Worker", f"{A}:root", ["iam:ListUsers"]))
    assert ep.client("sts").get_access_key_info(AccessKeyId=creds["AccessKeyId"])["Account"] == ACCOUNT
    assert code(ep.client("sts").get_access_key_info, AccessKeyId="ASIA" + "A" * 16) == "InvalidParameterValue"


def _state_bytes(db: str) -> int:
    return sum(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p))


def test_database_does_not_grow_across_1000_assume_role_calls(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    with local_endpoint(db, account_id=ACCOUNT) as ep:
        key = make_user(ep, "alice", doc(allow("sts:AssumeRole")))
        arn = make_role(ep, "Worker", f"{A}:root", ["iam:ListUsers"])
        sts = user_client(ep, "sts", key)
        sts.assume_role(RoleArn=arn, RoleSessionName="warm")
        before = _state_bytes(db)
        generation = ep.endpoint.store.generation()
        issued = {sts.assume_role(RoleArn=arn, RoleSessionName=f"s{i}")["Credentials"]["AccessKeyId"]
                  for i in range(1000)}
        assert len(issued) == 1000
        assert _state_bytes(db) == before
        assert ep.endpoint.store.generation() == generation


def test_credentials_of_the_largest_session_the_budgets_allow_work_over_the_wire(ep) -> None:
    """A 200 means the credentials work: also for a token carrying 2,048 characters of
    incompressible session policy and 2,048 of session tags (the packed-size budgets)."""
    import random
    import string

    rnd = random.Random(11)

    def noise(n: int) -> str:
        return "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(n))

    key = make_user(ep, "alice", doc(allow(["sts:AssumeRole", "sts:TagSession"])))
    iam = ep.client("iam")
    arn = iam.create_role(RoleName="Big", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"{A}:root"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}))["Role"]["Arn"]
    iam.put_role_policy(RoleName="Big", PolicyName="p", PolicyDocument=doc(allow("iam:ListUsers")))
    head = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"arn:aws:iam::'
    policy = head + noise(2048 - len(head) - 4) + '"}]}'
    tags = [{"Key": noise(20), "Value": noise(20)} for _ in range(50)]  # 50 x 40 = 2,000 characters
    creds = user_client(ep, "sts", key).assume_role(RoleArn=arn, RoleSessionName="big", Policy=policy,
                                                    Tags=tags)["Credentials"]
    assert len(creds["SessionToken"]) > 3000
    assert as_creds(ep, "sts", creds).get_caller_identity()["Arn"].endswith("assumed-role/Big/big")
