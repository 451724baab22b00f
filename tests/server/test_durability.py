"""A request answered 200 is durable: SIGKILL the server under write load, restart, check (issue 4)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

pytestmark = pytest.mark.e2e

KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(db: Path, port: int) -> subprocess.Popen:
    cli = Path(sys.executable).with_name("iamwarden")
    p = subprocess.Popen(
        [str(cli), "serve", "--port", str(port), "--db", str(db),
         "--root-access-key-id", KEY, "--root-secret-access-key", SECRET],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = p.stdout.readline()  # "iamwarden endpoint on http://…" once listening
    assert "endpoint on" in line, line + p.stderr.read()
    return p


def iam(port: int):
    return boto3.client("iam", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                        config=Config(retries={"max_attempts": 0}, connect_timeout=2, read_timeout=5))


def test_sigkill_during_write_load_loses_no_acknowledged_change(tmp_path):
    db = tmp_path / "state.db"
    port = free_port()
    server = start(db, port)
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(w: int) -> None:
        client = iam(port)
        i = 0
        while not stop.is_set():
            name = f"u{w}-{i}"
            try:
                client.create_user(UserName=name, Tags=[{"Key": "n", "Value": str(i)}])
            except (ClientError, EndpointConnectionError, Exception):
                return  # the server died mid-request: not acknowledged
            with lock:
                acked.append(name)
            i += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with lock:
            if len(acked) >= 60:
                break
        time.sleep(0.01)
    os.kill(server.pid, signal.SIGKILL)  # while the writers are still writing
    server.wait()
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) >= 20, "too few writes were acknowledged to make the test meaningful"

    port2 = free_port()
    server = start(db, port2)
    try:
        client = iam(port2)
        names = {u["UserName"] for page in client.get_paginator("list_users").paginate() for u in page["Users"]}
        missing = [n for n in acked if n not in names]
        assert not missing, f"{len(missing)} acknowledged users lost: {missing[:5]}"
        # nothing half-written: every stored user carries its tag (written in the same transaction)
        for n in list(names)[:50]:
            assert client.list_user_tags(UserName=n)["Tags"], n
        # the database is usable: a new write after the crash succeeds
        client.create_user(UserName="after-restart")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


def test_restart_keeps_root_credentials_and_sessions(tmp_path):
    db = tmp_path / "state.db"
    port = free_port()
    server = start(db, port)
    try:
        c = iam(port)
        c.create_role(RoleName="r", AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}')
        c.create_user(UserName="u")
        c.put_user_policy(UserName="u", PolicyName="p", PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}')
        k = c.create_access_key(UserName="u")["AccessKey"]
        sts = boto3.client("sts", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           aws_access_key_id=k["AccessKeyId"], aws_secret_access_key=k["SecretAccessKey"])
        creds = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="keep")["Credentials"]
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
    port2 = free_port()
    server = start(db, port2)
    try:
        s2 = boto3.client("sts", endpoint_url=f"http://127.0.0.1:{port2}", region_name="us-east-1",
                          aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                          aws_session_token=creds["SessionToken"])
        assert s2.get_caller_identity()["Arn"].endswith("assumed-role/r/keep")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


def test_sigkill_during_concurrent_assume_role_loses_no_acknowledged_session(tmp_path):
    """Sessions are group-committed: a 200 still means the session is on disk."""
    db = tmp_path / "state.db"
    port = free_port()
    server = start(db, port)
    c = iam(port)
    c.create_role(RoleName="r", AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}')
    c.create_user(UserName="u")
    c.put_user_policy(UserName="u", PolicyName="p", PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}')
    k = c.create_access_key(UserName="u")["AccessKey"]
    acked: list[dict] = []
    lock = threading.Lock()

    def worker(w: int) -> None:
        sts = boto3.client("sts", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           aws_access_key_id=k["AccessKeyId"], aws_secret_access_key=k["SecretAccessKey"],
                           config=Config(retries={"max_attempts": 0}, connect_timeout=2, read_timeout=5))
        for i in range(10_000):
            try:
                creds = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/r",
                                        RoleSessionName=f"w{w}-{i}")["Credentials"]
            except Exception:
                return
            with lock:
                acked.append(creds)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with lock:
            if len(acked) >= 80:
                break
        time.sleep(0.01)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    for t in threads:
        t.join()
    assert len(acked) >= 20
    port2 = free_port()
    server = start(db, port2)
    try:
        lost = []
        for creds in acked:
            s = boto3.client("sts", endpoint_url=f"http://127.0.0.1:{port2}", region_name="us-east-1",
                             aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                             aws_session_token=creds["SessionToken"], config=Config(retries={"max_attempts": 0}))
            try:
                s.get_caller_identity()
            except ClientError:
                lost.append(creds["AccessKeyId"])
        assert not lost, f"{len(lost)} of {len(acked)} acknowledged sessions lost"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
