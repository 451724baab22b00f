"""The store on its own: transactions, limits, trust binding, to_world, threads, durability."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamwarden.evaluation import decide
from iamwarden.store import (
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    Store,
    seeded,
)

A = "123456789012"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ALLOW_ALL = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})


def trust(principal: str) -> str:
    return doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})


@pytest.fixture()
def store():
    s = Store(clock=lambda: NOW, ids=seeded(1))
    yield s
    s.close()


def test_ids_clock_and_case_insensitive_names(store: Store) -> None:
    user = store.create_user(A, "Alice")
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    assert set(user["UserId"][4:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert user["CreateDate"] == NOW
    with pytest.raises(EntityAlreadyExists, match="User with name alice already exists."):
        store.create_user(A, "alice")
    with pytest.raises(NoSuchEntity, match="The user with name bob cannot be found."):
        store.get_user(A, "bob")
    # same seed, same IDs
    other = Store(ids=seeded(1))
    try:
        assert other.create_user(A, "x")["UserId"] == user["UserId"]
    finally:
        other.close()


def test_failed_request_changes_nothing(store: Store) -> None:
    store.create_user(A, "u")
    gen = store.generation()
    with pytest.raises(MalformedPolicyDocument, match=r"^Syntax errors in policy\.$") as e:
        store.put_inline_policy(A, "user", "u", "p", doc({"Effect": "Permit", "Action": "*", "Resource": "*"}))
    assert e.value.detail is not None and "$.Statement[0].Effect" in e.value.detail
    with pytest.raises(NoSuchEntity):
        store.attach_policy(A, "user", "u", f"arn:aws:iam::{A}:policy/missing")
    assert store.generation() == gen
    # an error in the middle of a write transaction rolls back what it already did
    with pytest.raises(RuntimeError):
        with store.write() as conn:
            conn.execute("UPDATE users SET path = '/changed/'")
            raise RuntimeError("boom")
    assert store.get_user(A, "u")["Path"] == "/"
    assert store.generation() == gen


def test_limits(store: Store) -> None:
    store.create_user(A, "k")
    store.create_access_key(A, "k")
    store.create_access_key(A, "k")
    with pytest.raises(LimitExceeded, match="AccessKeysPerUser: 2"):
        store.create_access_key(A, "k")
    arn = store.create_policy(A, "p", ALLOW_ALL)["Arn"]
    for _ in range(4):
        store.create_policy_version(arn, ALLOW_ALL)
    with pytest.raises(LimitExceeded, match="up to 5 versions"):
        store.create_policy_version(arn, ALLOW_ALL)
    with pytest.raises(DeleteConflict, match="default version"):
        store.delete_policy_version(arn, "v1")
    with pytest.raises(DeleteConflict, match="more than one version"):
        store.delete_policy(arn)
    with pytest.raises(LimitExceeded):
        store.tag(A, "user", "k", [{"Key": f"k{i}", "Value": ""} for i in range(51)])


def test_aws_managed_policies_are_read_only(store: Store) -> None:
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    assert store.get_policy(admin)["DefaultVersionId"] == "v1"
    with pytest.raises(Exception, match="AWS managed"):
        store.create_policy_version(admin, ALLOW_ALL)
    with pytest.raises(Exception, match="AWS managed"):
        store.delete_policy(admin)


def test_trust_binding_survives_rename_not_recreate(store: Store) -> None:
    store.create_user(A, "bob")
    with pytest.raises(MalformedPolicyDocument, match=r'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/ghost"'):
        store.create_role(A, "r", trust(f"arn:aws:iam::{A}:role/ghost"))
    store.create_role(A, "r", trust(f"arn:aws:iam::{A}:user/bob"))
    bob = f"arn:aws:iam::{A}:user/bob"
    role = f"arn:aws:iam::{A}:role/r"
    assert decide(store.to_world(), bob, "sts:AssumeRole", role).allowed

    # rename: the binding follows the entity
    store.update_user(A, "bob", new_name="robert")
    principal = json.loads(store.get_role(A, "r")["AssumeRolePolicyDocument"])["Statement"][0]["Principal"]["AWS"]
    assert principal == f"arn:aws:iam::{A}:user/robert"
    assert decide(store.to_world(), f"arn:aws:iam::{A}:user/robert", "sts:AssumeRole", role).allowed

    # delete and recreate with the old name: raw ID shown, trust no longer applies
    store.delete_user(A, "robert")
    store.create_user(A, "robert")
    principal = json.loads(store.get_role(A, "r")["AssumeRolePolicyDocument"])["Statement"][0]["Principal"]["AWS"]
    assert principal.startswith("AIDA")
    assert not decide(store.to_world(), f"arn:aws:iam::{A}:user/robert", "sts:AssumeRole", role).allowed
    # saving the ARN again re-binds to the new user
    store.update_assume_role_policy(A, "r", trust(f"arn:aws:iam::{A}:user/robert"))
    assert decide(store.to_world(), f"arn:aws:iam::{A}:user/robert", "sts:AssumeRole", role).allowed


def test_account_and_foreign_principals_are_not_bound(store: Store) -> None:
    text = doc({"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{A}:root", "999988887777",
                                                        "arn:aws:iam::999988887777:user/x"]},
                "Action": "sts:AssumeRole"})
    store.create_role(A, "open", text)
    assert json.loads(store.get_role(A, "open")["AssumeRolePolicyDocument"]) == json.loads(text)


def test_to_world_matches_store_and_is_cached(store: Store) -> None:
    store.create_group(A, "g")
    store.create_user(A, "u", tags=[{"Key": "team", "Value": "red"}])
    store.add_user_to_group(A, "g", "u")
    arn = store.create_policy(A, "s3", doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))["Arn"]
    store.attach_policy(A, "group", "g", arn)
    store.create_policy(A, "bound", doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))
    store.put_boundary(A, "user", "u", f"arn:aws:iam::{A}:policy/bound")
    world = store.to_world()
    assert store.to_world() is world  # cached while nothing changes
    account = world.accounts[A]
    user = account.users["u"]
    assert user.groups == ("g",) and user.tags == {"team": "red"}
    assert account.groups["g"].attached == (arn,)
    u = f"arn:aws:iam::{A}:user/u"
    assert decide(world, u, "s3:GetObject").allowed
    assert not decide(world, u, "s3:PutObject").allowed  # boundary
    store.delete_boundary(A, "user", "u")
    world2 = store.to_world()
    assert world2 is not world
    assert decide(world2, u, "s3:PutObject").allowed


def test_authorization_details_reads_back(store: Store) -> None:
    from iamwarden.loaders.authz_details import account_from_details

    store.create_user(A, "u")
    store.put_inline_policy(A, "user", "u", "inline", ALLOW_ALL)
    store.attach_policy(A, "user", "u", "arn:aws:iam::aws:policy/AdministratorAccess")
    store.create_role(A, "r", trust(f"arn:aws:iam::{A}:user/u"))
    details = store.authorization_details(A)
    account = account_from_details(details)
    assert account.users["u"].attached == ("arn:aws:iam::aws:policy/AdministratorAccess",)
    assert [p["PolicyName"] for p in details["Policies"]] == ["AdministratorAccess"]
    assert account.roles["r"].trust.statements[0].principal.values("AWS") == (f"arn:aws:iam::{A}:user/u",)


def test_database_with_a_retired_sessions_table_opens_and_drops_it(tmp_path: Path) -> None:
    """Migration: sessions travel in their tokens now; an old database's session rows (secrets) go."""
    db = tmp_path / "old.db"
    first = Store(db, clock=lambda: NOW, ids=seeded(1))
    first.create_user(A, "keep")
    first.close()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE sessions (access_key_id TEXT PRIMARY KEY, data TEXT NOT NULL, expiration REAL)")
    conn.execute("CREATE INDEX sessions_expiration ON sessions(expiration)")
    conn.execute("INSERT INTO sessions VALUES ('ASIAEXAMPLE000000000', ?, 1.0)",
                 (json.dumps({"secret": "S3CR3T-SESSION-SECRET-MARKER"}),))
    conn.commit()
    conn.close()
    again = Store(db, clock=lambda: NOW, ids=seeded(2))
    try:
        with again.read() as c:
            names = {r[0] for r in c.execute("SELECT name FROM sqlite_master")}
        assert "sessions" not in names and "sessions_expiration" not in names
        assert again.get_user(A, "keep")["UserName"] == "keep"
    finally:
        again.close()
    assert b"S3CR3T-SESSION-SECRET-MARKER" not in db.read_bytes()  # vacuumed, not just unlinked


def test_access_key_lookup(store: Store) -> None:
    root = store.create_root_access_key(A, "AKIAROOT000000000000", "s" * 40)
    assert root.is_root and root.principal_arn == f"arn:aws:iam::{A}:root"
    store.create_user(A, "u", path="/p/")
    key = store.create_access_key(A, "u")
    record = store.lookup_access_key(key["AccessKeyId"])
    assert record is not None and record.secret_access_key == key["SecretAccessKey"]
    assert record.principal_arn == f"arn:aws:iam::{A}:user/p/u" and record.active
    assert store.lookup_access_key("AKIANOPE000000000000") is None


def test_concurrent_writers(store: Store) -> None:
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(20):
                store.create_user(A, f"t{t}u{i}")
                store.tag(A, "user", f"t{t}u{i}", [{"Key": "i", "Value": str(i)}])
                try:
                    store.create_user(A, "shared")
                except EntityAlreadyExists:
                    pass
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    users = store.list_users(A)
    assert len(users) == 8 * 20 + 1
    assert len({u["UserId"] for u in users}) == len(users)
    assert len(store.to_world().accounts[A].users) == 161


def test_durable_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    s = Store(path)
    s.create_user(A, "kept")
    key = s.create_access_key(A, "kept")
    s.close()
    s2 = Store(path)
    try:
        assert s2.get_user(A, "kept")["UserName"] == "kept"
        assert s2.lookup_access_key(key["AccessKeyId"]).secret_access_key == key["SecretAccessKey"]
        with s2.read() as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    finally:
        s2.close()


def test_acknowledged_write_survives_killed_process(tmp_path: Path) -> None:
    """A child commits and is SIGKILLed without closing anything; the data is there."""
    import subprocess
    import sys

    path = tmp_path / "killed.db"
    code = (
        "import os, signal\n"
        "from iamwarden.store import Store\n"
        f"s = Store({str(path)!r})\n"
        f"s.create_user({A!r}, 'survivor')\n"
        "print('ok', flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ok"
    s = Store(path)
    try:
        assert s.get_user(A, "survivor")["UserName"] == "survivor"
    finally:
        s.close()
