"""The access log (issue 9 item 5): one line per call saying who did what and why it was decided."""

from __future__ import annotations

import json
import logging
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from iamwarden.server.access_log import LOGGER_NAME, NO_STATEMENT, AccessLog
from iamwarden.server.endpoint import Endpoint

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DEMO = str(ROOT / "examples" / "demo-account.json")
ACCOUNT = "111122223333"
ROOT_KEY, ROOT_SECRET = "AKIAACCESSLOGROOT001", "access/log/root/secret/0000000000000000000"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/AdminRole"
CFG = Config(retries={"max_attempts": 1})


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def client(url: str, service: str, key: str, secret: str) -> Any:
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=CFG)


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Endpoint, Lines, dict[str, Any]]]:
    lines = Lines()
    access = logging.getLogger(LOGGER_NAME)
    access.addHandler(lines)
    old_level = access.level
    access.setLevel(logging.INFO)
    ep = Endpoint(tmp_path_factory.mktemp("log") / "db", account_id=ACCOUNT, load=[DEMO],
                  root_access_key_id=ROOT_KEY, root_secret_access_key=ROOT_SECRET,
                  access_log=AccessLog("json", access)).start()
    try:
        iam = client(ep.endpoint_url, "iam", ROOT_KEY, ROOT_SECRET)
        keys = {name: iam.create_access_key(UserName=name)["AccessKey"] for name in ("alice", "bob")}
        iam.put_user_policy(UserName="alice", PolicyName="NoAdmin", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "DenyAdminRole", "Effect": "Deny", "Action": "sts:AssumeRole",
                           "Resource": ADMIN_ROLE}]}))
        yield ep, lines, keys
    finally:
        ep.stop()
        access.removeHandler(lines)
        access.setLevel(old_level)


def call_line(lines: Lines, request_id: str) -> dict[str, Any]:
    found = [json.loads(line) for line in lines.lines if request_id in line]
    assert len(found) == 1, lines.lines[-5:]
    return found[0]


def denied(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["Error"]["Code"] == "AccessDenied"
    return str(info.value.response["ResponseMetadata"]["RequestId"])


@pytest.mark.timeout(60)
def test_access_log_explicit_deny_names_policy_type_and_statement(logged: Any) -> None:
    ep, lines, keys = logged
    sts = client(ep.endpoint_url, "sts", keys["alice"]["AccessKeyId"], keys["alice"]["SecretAccessKey"])
    rid = denied(sts.assume_role, RoleArn=ADMIN_ROLE, RoleSessionName="s1")
    line = call_line(lines, rid)
    assert line["status"] == 403 and line["error"] == "AccessDenied"
    assert line["caller"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert (line["action"], line["resource"]) == ("sts:AssumeRole", ADMIN_ROLE)
    assert line["decision"] == "ExplicitDeny"
    assert (line["policy_type"], line["policy"], line["sid"]) == ("identity", "user/alice:NoAdmin", "DenyAdminRole")
    assert isinstance(line["statement"], int)


@pytest.mark.timeout(60)
def test_access_log_implicit_deny_says_no_statement_allowed_it(logged: Any) -> None:
    ep, lines, keys = logged
    sts = client(ep.endpoint_url, "sts", keys["bob"]["AccessKeyId"], keys["bob"]["SecretAccessKey"])
    rid = denied(sts.assume_role, RoleArn=ADMIN_ROLE, RoleSessionName="s2")
    line = call_line(lines, rid)
    assert line["decision"] == "ImplicitDeny"
    assert line["statement"] is None
    assert line["reason"].startswith(NO_STATEMENT)
    assert line["caller"] == f"arn:aws:iam::{ACCOUNT}:user/bob"


@pytest.mark.timeout(60)
def test_access_log_iam_deny_from_the_authorizer(logged: Any) -> None:
    ep, lines, keys = logged
    iam = client(ep.endpoint_url, "iam", keys["bob"]["AccessKeyId"], keys["bob"]["SecretAccessKey"])
    rid = denied(iam.list_users)
    line = call_line(lines, rid)
    assert (line["operation"], line["action"], line["decision"]) == ("iam:ListUsers", "iam:ListUsers", "ImplicitDeny")
    assert line["reason"].startswith(NO_STATEMENT)


@pytest.mark.timeout(60)
def test_access_log_malformed_policy_detail_names_the_json_path(logged: Any) -> None:
    # the client gets IAM's sentence (spec §5.4); the log says where the problem is
    ep, lines, _ = logged
    iam = client(ep.endpoint_url, "iam", ROOT_KEY, ROOT_SECRET)
    with pytest.raises(ClientError) as info:
        iam.create_policy(PolicyName="bad", PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Alow",'
                          '"Action":"s3:*","Resource":"*"}]}')
    assert info.value.response["Error"]["Message"] == "Syntax errors in policy."
    line = call_line(lines, info.value.response["ResponseMetadata"]["RequestId"])
    assert line["error"] == "MalformedPolicyDocument" and "$.Statement[0].Effect" in line["detail"]


@pytest.mark.timeout(60)
def test_access_log_allowed_and_unauthenticated_calls(logged: Any) -> None:
    ep, lines, keys = logged
    sts = client(ep.endpoint_url, "sts", keys["bob"]["AccessKeyId"], keys["bob"]["SecretAccessKey"])
    rid = sts.get_caller_identity()["ResponseMetadata"]["RequestId"]
    line = call_line(lines, rid)
    assert (line["status"], line["action"], line["decision"]) == (200, "sts:GetCallerIdentity", None)
    assert line["caller"].endswith(":user/bob") and "error" not in line
    bad = client(ep.endpoint_url, "sts", "AKIANOSUCHKEY0000000", "x" * 40)
    with pytest.raises(ClientError) as info:
        bad.get_caller_identity()
    line = call_line(lines, info.value.response["ResponseMetadata"]["RequestId"])
    assert (line["status"], line["error"], line["caller"]) == (403, "InvalidClientTokenId", None)


@pytest.mark.timeout(60)
def test_access_log_off_by_default_writes_nothing(tmp_path: Path) -> None:
    lines = Lines()
    access = logging.getLogger(LOGGER_NAME)
    access.addHandler(lines)
    try:
        with Endpoint(tmp_path / "db", account_id=ACCOUNT, root_access_key_id=ROOT_KEY,
                      root_secret_access_key=ROOT_SECRET) as ep:
            client(ep.endpoint_url, "sts", ROOT_KEY, ROOT_SECRET).get_caller_identity()
    finally:
        access.removeHandler(lines)
    assert lines.lines == []


def test_access_log_text_format_is_one_line_of_fields() -> None:
    from iamwarden.server.access_log import text_line

    line = text_line({"time": "2026-01-01T00:00:00.000Z", "request_id": "r1", "status": 403,
                      "action": "sts:AssumeRole", "caller": "arn:aws:iam::1:user/a", "resource": "arn:r",
                      "decision": "ImplicitDeny", "policy_type": "identity", "statement": None,
                      "reason": "no statement allowed it (x)", "source_ip": "127.0.0.1"})
    assert line == ('2026-01-01T00:00:00.000Z r1 403 sts:AssumeRole caller=arn:aws:iam::1:user/a resource=arn:r '
                    'decision=ImplicitDeny policy_type=identity reason="no statement allowed it (x)" '
                    'source_ip=127.0.0.1')
    assert "\n" not in text_line({"time": "t", "request_id": "r", "status": 400, "action": "a\nb",
                                  "caller": None, "decision": None})


@pytest.mark.timeout(60)
def test_serve_log_level_info_json_writes_a_line_per_call(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("iamwarden")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", "0", "--db", str(tmp_path / "db"), "--account-id", ACCOUNT,
         "--log-level", "info", "--log-format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split(" on ", 1)[1].split()[0]
        host, port = url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 24\r\n\r\n"
                         b"Action=GetCallerIdentity")
            while sock.recv(65536):
                pass
        time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert len(records) == 1, err
    assert (records[0]["status"], records[0]["error"], records[0]["operation"]) == (
        403, "MissingAuthenticationToken", "sts:GetCallerIdentity")
