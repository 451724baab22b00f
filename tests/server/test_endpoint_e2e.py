"""End to end: real boto3 and the real AWS CLI against a started endpoint (issue 4).

Each AssumeRole rule is exercised over the wire, then the session's
credentials are used for calls the engine allows or denies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from iamwarden.testing import RunningEndpoint, local_endpoint

pytestmark = pytest.mark.e2e

ACCOUNT = "111122223333"
A = f"arn:aws:iam::{ACCOUNT}"
NOVALIDATE = Config(parameter_validation=False, retries={"max_attempts": 0})


class ShiftableClock:
    """Real time plus an offset the test controls (sessions expire without waiting)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(principal, **extra) -> str:
    st = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    st.update(extra)
    return doc(st)


def allow(action, resource="*") -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


@pytest.fixture(scope="module")
def world():
    clock = ShiftableClock()
    with local_endpoint(account_id=ACCOUNT, clock=clock) as ep:
        iam = ep.client("iam")
        users = {}
        for name, policy in {
            "alice": doc(allow("sts:AssumeRole")),           # identity allows any role
            "bob": None,                                     # no identity policy at all
            "carol": doc(allow(["sts:AssumeRole", "sts:TagSession"]), allow("iam:ListUsers")),
            "dave": doc(allow("sts:AssumeRole"), allow("iam:*")),
        }.items():
            iam.create_user(UserName=name)
            if policy:
                iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
            k = iam.create_access_key(UserName=name)["AccessKey"]
            users[name] = (k["AccessKeyId"], k["SecretAccessKey"])
        admin = doc(allow("*"))
        roles = {
            "TrustsAccountRoot": trust({"AWS": f"{A}:root"}),
            "TrustsBareAccount": trust({"AWS": ACCOUNT}),
            "TrustsBob": trust({"AWS": f"{A}:user/bob"}),
            "TrustsAliceOnly": trust({"AWS": f"{A}:user/alice"}),
            "TrustsNobodyHere": trust({"AWS": "arn:aws:iam::999988887777:root"}),
            "DenyAlice": json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"{A}:root"}, "Action": "sts:AssumeRole"},
                {"Effect": "Deny", "Principal": {"AWS": f"{A}:user/alice"}, "Action": "sts:AssumeRole"}]}),
            "MultiStatement": json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"{A}:user/bob"}, "Action": "sts:AssumeRole"},
                {"Effect": "Allow", "Principal": {"AWS": f"{A}:user/carol"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}),
            "Vendor": trust({"AWS": f"{A}:root"}, Condition={"StringEquals": {"sts:ExternalId": "Example987"}}),
        }
        for name, t in roles.items():
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=t, MaxSessionDuration=43200)
            iam.put_role_policy(RoleName=name, PolicyName="admin", PolicyDocument=admin)
        iam.create_role(RoleName="Chained", AssumeRolePolicyDocument=trust({"AWS": f"{A}:root"}))
        iam.put_role_policy(RoleName="Chained", PolicyName="p", PolicyDocument=doc(allow("iam:Get*")))
        # a bounded role: identity allows everything, the boundary only iam:List*
        iam.create_policy(PolicyName="ListOnly", PolicyDocument=doc(allow("iam:List*"), allow("sts:AssumeRole")))
        iam.create_role(RoleName="Bounded", AssumeRolePolicyDocument=trust({"AWS": f"{A}:root"}),
                        PermissionsBoundary=f"{A}:policy/ListOnly")
        iam.put_role_policy(RoleName="Bounded", PolicyName="admin", PolicyDocument=admin)
        yield ep, users, clock


def sts_as(ep: RunningEndpoint, creds, config=None):
    if isinstance(creds, dict):
        return ep.client("sts", access_key_id=creds["AccessKeyId"], secret_access_key=creds["SecretAccessKey"],
                         session_token=creds["SessionToken"], config=config or NOVALIDATE)
    return ep.client("sts", access_key_id=creds[0], secret_access_key=creds[1], config=config or NOVALIDATE)


def iam_as(ep: RunningEndpoint, creds):
    if isinstance(creds, dict):
        return ep.client("iam", access_key_id=creds["AccessKeyId"], secret_access_key=creds["SecretAccessKey"],
                         session_token=creds["SessionToken"], config=NOVALIDATE)
    return ep.client("iam", access_key_id=creds[0], secret_access_key=creds[1], config=NOVALIDATE)


def code(fn, **kw) -> tuple[str, str]:
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def assume(ep, who, role, **kw):
    return sts_as(ep, who).assume_role(RoleArn=f"{A}:role/{role}", RoleSessionName=kw.pop("name", "s1"), **kw)


# --- who may assume ------------------------------------------------------------


def test_trust_only_same_account_user_named_directly(world):
    ep, users, _ = world
    r = assume(ep, users["bob"], "TrustsBob")
    assert r["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/TrustsBob/s1"
    assert r["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_identity_only_is_denied_when_trust_does_not_name_caller(world):
    ep, users, _ = world
    c, msg = code(sts_as(ep, users["alice"]).assume_role, RoleArn=f"{A}:role/TrustsBob", RoleSessionName="s1")
    assert c == "AccessDenied"
    assert msg == f"User: {A}:user/alice is not authorized to perform: sts:AssumeRole on resource: {A}:role/TrustsBob"


def test_both_allow(world):
    ep, users, _ = world
    assert assume(ep, users["alice"], "TrustsAliceOnly")["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA")


def test_account_root_trust_delegates_to_identity(world):
    ep, users, _ = world
    assert assume(ep, users["alice"], "TrustsAccountRoot")
    assert code(sts_as(ep, users["bob"]).assume_role, RoleArn=f"{A}:role/TrustsAccountRoot",
                RoleSessionName="s1")[0] == "AccessDenied"


def test_bare_account_id_trust_same_as_root(world):
    ep, users, _ = world
    assert assume(ep, users["alice"], "TrustsBareAccount")
    assert code(sts_as(ep, users["bob"]).assume_role, RoleArn=f"{A}:role/TrustsBareAccount",
                RoleSessionName="s1")[0] == "AccessDenied"


def test_deny_in_trust_wins(world):
    ep, users, _ = world
    assert code(sts_as(ep, users["alice"]).assume_role, RoleArn=f"{A}:role/DenyAlice",
                RoleSessionName="s1")[0] == "AccessDenied"
    assert assume(ep, users["dave"], "DenyAlice")


def test_multi_statement_trust(world):
    ep, users, _ = world
    assert assume(ep, users["bob"], "MultiStatement")
    assert assume(ep, users["carol"], "MultiStatement", Tags=[{"Key": "team", "Value": "x"}])
    assert code(sts_as(ep, users["bob"]).assume_role, RoleArn=f"{A}:role/MultiStatement", RoleSessionName="s1",
                Tags=[{"Key": "team", "Value": "x"}])[0] == "AccessDenied"  # no sts:TagSession for bob


def test_cross_account_trust_of_unknown_account_denies(world):
    ep, users, _ = world
    assert code(sts_as(ep, users["alice"]).assume_role, RoleArn=f"{A}:role/TrustsNobodyHere",
                RoleSessionName="s1")[0] == "AccessDenied"


def test_root_may_not_assume_roles(world):
    ep, _, _ = world
    c, msg = code(ep.client("sts").assume_role, RoleArn=f"{A}:role/TrustsAccountRoot", RoleSessionName="s1")
    assert (c, msg) == ("AccessDenied", "Roles may not be assumed by root accounts.")


@pytest.mark.parametrize("external_id, ok", [("Example987", True), ("wrong-id", False), (None, False)])
def test_external_id_right_wrong_missing(world, external_id, ok):
    ep, users, _ = world
    kw = {"ExternalId": external_id} if external_id else {}
    if ok:
        assert assume(ep, users["alice"], "Vendor", **kw)
    else:
        assert code(sts_as(ep, users["alice"]).assume_role, RoleArn=f"{A}:role/Vendor", RoleSessionName="s1",
                    **kw)[0] == "AccessDenied"


# --- parameter limits ------------------------------------------------------------


@pytest.mark.parametrize("duration, ok", [(899, False), (900, True), (43200, True), (43201, False)])
def test_duration_limits(world, duration, ok):
    ep, users, _ = world
    if ok:
        r = assume(ep, users["alice"], "TrustsAccountRoot", DurationSeconds=duration)
        exp = r["Credentials"]["Expiration"]
        assert abs((exp - datetime.now(UTC)).total_seconds() - duration) < 120
    else:
        c, msg = code(sts_as(ep, users["alice"]).assume_role, RoleArn=f"{A}:role/TrustsAccountRoot",
                      RoleSessionName="s1", DurationSeconds=duration)
        assert c == "ValidationError" and "durationSeconds" in msg


def test_duration_over_role_max_session_duration(world):
    ep, users, _ = world
    c, msg = code(sts_as(ep, users["alice"]).assume_role, RoleArn=f"{A}:role/Chained",
                  RoleSessionName="s1", DurationSeconds=7200)
    assert (c, msg) == ("ValidationError",
                        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")


@pytest.mark.parametrize("name, ok", [("a", False), ("ab", True), ("x" * 64, True), ("x" * 65, False),
                                      ("bad name", False), ("a/b", False), ("ok_+=,.@-", True)])
def test_session_name_limits(world, name, ok):
    ep, users, _ = world
    if ok:
        assert assume(ep, users["alice"], "TrustsAccountRoot", name=name)
    else:
        c, msg = code(sts_as(ep, users["alice"]).assume_role, RoleArn=f"{A}:role/TrustsAccountRoot",
                      RoleSessionName=name)
        assert c == "ValidationError" and "roleSessionName" in msg


# --- sessions ----------------------------------------------------------------------


def test_session_credentials_identity_and_rights(world):
    ep, users, _ = world
    creds = assume(ep, users["alice"], "Chained", name="reader")["Credentials"]
    ident = sts_as(ep, creds).get_caller_identity()
    assert ident["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Chained/reader"
    assert ident["UserId"].startswith("AROA") and ident["UserId"].endswith(":reader")
    iam = iam_as(ep, creds)
    assert iam.get_role(RoleName="Chained")["Role"]["RoleName"] == "Chained"  # iam:Get* allowed
    c, msg = code(iam.create_user, UserName="nope")
    assert c == "AccessDenied"
    assert msg.startswith(f"User: arn:aws:sts::{ACCOUNT}:assumed-role/Chained/reader is not authorized to perform: iam:CreateUser")


def test_chaining_caps_duration_at_one_hour(world):
    ep, users, _ = world
    first = assume(ep, users["alice"], "TrustsAccountRoot")["Credentials"]
    chained = sts_as(ep, first)
    ok = chained.assume_role(RoleArn=f"{A}:role/Bounded", RoleSessionName="hop2", DurationSeconds=3600)
    assert ok["AssumedRoleUser"]["Arn"].endswith("assumed-role/Bounded/hop2")
    c, msg = code(chained.assume_role, RoleArn=f"{A}:role/Bounded", RoleSessionName="hop2", DurationSeconds=3601)
    assert (c, msg) == ("ValidationError",
                        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")


def test_session_policy_cuts_rights(world):
    ep, users, _ = world
    creds = assume(ep, users["alice"], "TrustsAccountRoot",
                   Policy=doc(allow("iam:ListRoles")))["Credentials"]
    iam = iam_as(ep, creds)
    assert iam.list_roles()["Roles"]
    assert code(iam.list_users)[0] == "AccessDenied"  # the role allows *, the session policy does not


def test_boundary_caps_role_session(world):
    ep, users, _ = world
    creds = assume(ep, users["alice"], "Bounded")["Credentials"]
    iam = iam_as(ep, creds)
    assert iam.list_users()["Users"]
    c, msg = code(iam.create_user, UserName="nope2")
    assert c == "AccessDenied" and "permissions boundary" in msg


def test_wrong_secret_is_signature_mismatch(world):
    ep, users, _ = world
    c, _ = code(sts_as(ep, (users["alice"][0], "x" * 40)).get_caller_identity)
    assert c == "SignatureDoesNotMatch"


def test_unknown_key_is_invalid_client_token(world):
    ep, _, _ = world
    assert code(sts_as(ep, ("AKIAUNKNOWNKEY000000", "x" * 40)).get_caller_identity)[0] == "InvalidClientTokenId"


def test_tampered_session_token_rejected(world):
    ep, users, _ = world
    creds = dict(assume(ep, users["alice"], "Chained")["Credentials"])
    t = creds["SessionToken"]
    i = len(t) // 2
    creds["SessionToken"] = t[:i] + ("A" if t[i] != "A" else "B") + t[i + 1:]
    assert code(sts_as(ep, creds).get_caller_identity)[0] == "InvalidClientTokenId"


def test_token_of_another_session_rejected(world):
    ep, users, _ = world
    a = dict(assume(ep, users["alice"], "Chained", name="one")["Credentials"])
    b = assume(ep, users["alice"], "Chained", name="two")["Credentials"]
    a["SessionToken"] = b["SessionToken"]
    assert code(sts_as(ep, a).get_caller_identity)[0] == "InvalidClientTokenId"


def test_expired_session_then_clock_skew(world):
    ep, users, clock = world
    creds = assume(ep, users["alice"], "Chained", DurationSeconds=900)["Credentials"]
    sts = sts_as(ep, creds)
    assert sts.get_caller_identity()
    clock.offset = timedelta(seconds=901)
    try:
        c, msg = code(sts.get_caller_identity)
        assert (c, msg) == ("ExpiredToken", "The security token included in the request is expired")
        # a long-term key with the server 20 minutes ahead: the signature is too old
        clock.offset = timedelta(minutes=20)
        c, msg = code(sts_as(ep, users["alice"]).get_caller_identity)
        assert c == "SignatureDoesNotMatch" and msg.startswith("Signature expired:")
    finally:
        clock.offset = timedelta(0)


def test_user_without_iam_permission_gets_access_denied(world):
    ep, users, _ = world
    c, msg = code(iam_as(ep, users["bob"]).create_user, UserName="z")
    assert c == "AccessDenied"
    assert msg == (f"User: {A}:user/bob is not authorized to perform: iam:CreateUser on resource: "
                   f"{A}:user/z because no identity-based policy allows the iam:CreateUser action")


def test_get_session_token_then_chain_and_iam_needs_mfa(world):
    ep, users, _ = world
    creds = sts_as(ep, users["alice"]).get_session_token(DurationSeconds=900)["Credentials"]
    s = sts_as(ep, creds)
    assert s.get_caller_identity()["Arn"] == f"{A}:user/alice"
    assert code(s.get_session_token)[0] == "AccessDenied"
    c, _ = code(s.assume_role, RoleArn=f"{A}:role/TrustsAccountRoot", RoleSessionName="x1", DurationSeconds=3601)
    assert c == "ValidationError"  # GetSessionToken credentials chain: one hour at most
    assert code(iam_as(ep, creds).list_users)[0] == "InvalidClientTokenId"


def test_get_access_key_info(world):
    ep, users, _ = world
    assert ep.client("sts").get_access_key_info(AccessKeyId=users["bob"][0])["Account"] == ACCOUNT


# --- the AWS CLI -------------------------------------------------------------------


def aws_cli(ep: RunningEndpoint, creds, *args: str) -> subprocess.CompletedProcess:
    aws = Path(sys.executable).with_name("aws")
    env = dict(os.environ)
    env.update({"AWS_ENDPOINT_URL": ep.endpoint_url, "AWS_ACCESS_KEY_ID": creds[0],
                "AWS_SECRET_ACCESS_KEY": creds[1], "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
    env.pop("AWS_SESSION_TOKEN", None)
    if len(creds) > 2:
        env["AWS_SESSION_TOKEN"] = creds[2]
    return subprocess.run([str(aws), *args, "--output", "json"], env=env, capture_output=True, text=True, timeout=60)


def test_aws_cli_assume_role_and_use_session(world):
    ep, users, _ = world
    p = aws_cli(ep, users["alice"], "sts", "assume-role", "--role-arn", f"{A}:role/Chained",
                "--role-session-name", "cli")
    assert p.returncode == 0, p.stderr
    c = json.loads(p.stdout)["Credentials"]
    p = aws_cli(ep, (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]), "sts", "get-caller-identity")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Chained/cli"
    p = aws_cli(ep, (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]), "iam", "create-user",
                "--user-name", "clinope")
    assert p.returncode != 0 and "AccessDenied" in p.stderr


def test_aws_cli_denied_assume_role_and_endpoint_url_flag(world):
    ep, users, _ = world
    p = aws_cli(ep, users["bob"], "--endpoint-url", ep.endpoint_url, "sts", "assume-role",
                "--role-arn", f"{A}:role/TrustsAccountRoot", "--role-session-name", "cli")
    assert p.returncode != 0
    assert "AccessDenied" in p.stderr and f"{A}:user/bob is not authorized to perform: sts:AssumeRole" in p.stderr
