"""Hostile-input class: the server's state files (issue 8 items 4 and 7).

An operator (or another local user) meets ``serve``'s files: they must be
owner-only whatever the umask, hold no secret in plaintext, refuse a database
made for another account, and answer a bad ``--db`` with one line and exit 2
-- never a traceback. Each case runs the real ``iamwarden`` command.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from tests.store.legacy_db import ROOT_KEY, USER_KEY, make_plaintext_database
from tests.store.legacy_db import A as LEGACY_ACCOUNT

pytestmark = pytest.mark.timeout(120)

CLI = Path(sys.executable).with_name("iamwarden")
ROOT_ID, ROOT_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ACCOUNT, OTHER = "111111111111", "222222222222"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(db: Path, *args: str) -> tuple[subprocess.Popen[str], int]:
    """``serve`` under umask 0o022, started once it printed its address."""
    port = free_port()
    p = subprocess.Popen(
        [str(CLI), "serve", "--port", str(port), "--db", str(db), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, umask=0o022,
    )
    assert p.stdout is not None and p.stderr is not None
    line = p.stdout.readline()
    assert "endpoint on" in line, line + p.stderr.read()
    return p, port


def stop(p: subprocess.Popen[str]) -> None:
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)


def run(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, str(CLI), "serve", "--port", "0", *args],
                          capture_output=True, text=True, timeout=60, umask=0o022)


def client(service: str, port: int, key: str, secret: str):
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 0}, connect_timeout=2, read_timeout=10))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def raw_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())


def assert_one_line_refusal(out: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("iamwarden: error: "), out.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def test_state_files_are_0600_and_secrets_absent_from_the_file_bytes(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    p, port = start(db, "--account-id", ACCOUNT, "--root-access-key-id", ROOT_ID,
                    "--root-secret-access-key", ROOT_SECRET)
    try:
        iam = client("iam", port, ROOT_ID, ROOT_SECRET)
        iam.create_user(UserName="mallory-target")
        key = iam.create_access_key(UserName="mallory-target")["AccessKey"]
        sts = client("sts", port, key["AccessKeyId"], key["SecretAccessKey"])
        assert sts.get_caller_identity()["Account"] == ACCOUNT
        files = [db, tmp_path / "state.db-wal", tmp_path / "state.db-shm", tmp_path / "state.db.key"]
        for f in files:
            assert f.exists(), f.name
            assert mode(f) == 0o600, (f.name, oct(mode(f)))
        blob = raw_bytes(db)
        assert key["SecretAccessKey"].encode() not in blob
        assert ROOT_SECRET.encode() not in blob
        assert key["AccessKeyId"].encode() in blob  # we looked in the right place
    finally:
        stop(p)
    assert key["SecretAccessKey"].encode() not in raw_bytes(db)
    assert mode(db) == 0o600


def test_a_database_made_for_another_account_is_refused_naming_both_ids(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    key = ("--root-access-key-id", ROOT_ID, "--root-secret-access-key", ROOT_SECRET)
    p, _ = start(db, "--account-id", ACCOUNT, *key)
    stop(p)
    out = run("--db", str(db), "--account-id", OTHER, *key)  # the root key repeats: once a traceback
    assert_one_line_refusal(out, ACCOUNT, OTHER)


def _unreadable_prefix() -> tuple[str, ...]:
    """How to be denied a 0000 file: as a normal user nothing; as root, drop the override capabilities."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    caps = "-dac_override,-dac_read_search"
    return (setpriv, "--bounding-set", caps, "--inh-caps", caps)


@pytest.mark.parametrize("case", ["not-sqlite", "directory", "missing-folder", "unreadable", "other-sqlite"])
def test_a_bad_db_path_is_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    prefix: tuple[str, ...] = ()
    if case == "not-sqlite":
        db = tmp_path / "garbage.db"
        db.write_bytes(os.urandom(4096))
        needle = "not a database"
    elif case == "directory":
        db = tmp_path / "adir"
        db.mkdir()
        needle = "is a directory"
    elif case == "missing-folder":
        db = tmp_path / "no" / "such" / "state.db"
        needle = "does not exist"
    elif case == "unreadable":
        db = tmp_path / "locked.db"
        p, _ = start(db)
        stop(p)
        os.chmod(db, 0)
        prefix = _unreadable_prefix()
        needle = "cannot read database"
    else:
        import sqlite3

        db = tmp_path / "someone-elses.sqlite"
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
        needle = "another program"
    before = db.read_bytes() if db.is_file() and case != "unreadable" else None
    out = run("--db", str(db), prefix=prefix)
    assert_one_line_refusal(out, str(db), needle)
    if before is not None:
        assert db.read_bytes() == before  # not ours: left exactly as it was


def test_a_plaintext_database_is_migrated_and_every_key_keeps_working(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    plain = make_plaintext_database(db)
    os.chmod(db, 0o644)  # as the old version left it
    p, port = start(db, "--account-id", LEGACY_ACCOUNT)
    try:
        for key_id, arn in ((USER_KEY, f"arn:aws:iam::{LEGACY_ACCOUNT}:user/alice"),
                            (ROOT_KEY, f"arn:aws:iam::{LEGACY_ACCOUNT}:root")):
            who = client("sts", port, key_id, plain[key_id]).get_caller_identity()
            assert who["Arn"] == arn
        iam = client("iam", port, ROOT_KEY, plain[ROOT_KEY])
        assert [u["UserName"] for u in iam.list_users()["Users"]] == ["alice"]
        assert mode(db) == 0o600 and mode(tmp_path / "old.db.key") == 0o600
        blob = raw_bytes(db)
        for value in plain.values():
            assert value.encode() not in blob, value
    finally:
        stop(p)
