"""Secrets at rest (issue 8 item 4): 0600 files, sealed secrets, the key file, migration, rotation.

docs/decisions/store-secrets-at-rest.md states the rules these tests are named after.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamwarden.store import StateError, Store
from iamwarden.store import sealed as sealed_module
from iamwarden.store.sealing import MasterKeys, SealError, read_key_file

from .legacy_db import make_plaintext_database

A = "111122223333"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def raw_state(db: Path) -> bytes:
    """Every byte SQLite keeps for ``db`` (the file and its WAL)."""
    out = db.read_bytes()
    wal = db.with_name(db.name + "-wal")
    if wal.exists():
        out += wal.read_bytes()
    return out


# --- file modes ----------------------------------------------------------------------------


def test_state_files_are_created_0600_under_a_permissive_umask(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with umask(0o022):
        s = Store(db)
        try:
            s.create_user(A, "alice")  # a write: the WAL and SHM exist now
            wal, shm, key = (tmp_path / n for n in ("state.db-wal", "state.db-shm", "state.db.key"))
            assert wal.exists() and shm.exists() and key.exists()
            for path in (db, wal, shm, key):
                assert mode(path) == 0o600, (path.name, oct(mode(path)))
        finally:
            s.close()


def test_state_files_stay_0600_for_connections_opened_later_by_other_threads(tmp_path: Path) -> None:
    import threading

    db = tmp_path / "state.db"
    with umask(0o022):
        s = Store(db)
        try:
            errors: list[BaseException] = []

            def work(i: int) -> None:
                try:
                    s.create_user(A, f"u{i}")
                except BaseException as e:  # noqa: BLE001 - reported below
                    errors.append(e)

            threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not errors
            assert os.umask(0o022) == 0o022  # the store gave the process umask back
            for name in ("state.db", "state.db-wal", "state.db-shm", "state.db.key"):
                assert mode(tmp_path / name) == 0o600, name
        finally:
            s.close()


def test_existing_state_files_with_broad_modes_are_narrowed_to_0600_on_open(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    Store(db).close()
    os.chmod(db, 0o644)
    os.chmod(tmp_path / "state.db.key", 0o644)
    s = Store(db)
    try:
        assert mode(db) == 0o600
        assert mode(tmp_path / "state.db.key") == 0o600
    finally:
        s.close()


# --- what is sealed --------------------------------------------------------------------------


def test_access_key_secrets_are_never_in_plaintext_in_the_database_files(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    s = Store(db)
    try:
        s.create_user(A, "alice")
        user_key = s.create_access_key(A, "alice")
        root = s.create_root_access_key(A, "AKIAROOTROOTROOTROOT", "root/secret+ROOTSECRETROOTSECRET0123456")
        assert s.lookup_access_key(user_key["AccessKeyId"]).secret_access_key == user_key["SecretAccessKey"]
        assert s.lookup_access_key(root.access_key_id).secret_access_key == root.secret_access_key
        blob = raw_state(db)
        assert user_key["SecretAccessKey"].encode() not in blob
        assert root.secret_access_key.encode() not in blob
        assert user_key["AccessKeyId"].encode() in blob  # the file is readable: only secrets are sealed
    finally:
        s.close()
    blob = raw_state(db)  # after the final checkpoint too
    assert user_key["SecretAccessKey"].encode() not in blob


def test_account_settings_holding_the_token_keyring_are_sealed(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    s = Store(db)
    try:
        keyring = base64.b64encode(b"K" * 32).decode()
        s.update_account_settings(A, sts_token_keyring={"active": "k1", "keys": {"k1": keyring}})
        assert s.account_settings(A)["sts_token_keyring"]["keys"]["k1"] == keyring
        blob = raw_state(db)
        assert keyring.encode() not in blob
        assert b"sts_token_keyring" not in blob
    finally:
        s.close()


def test_a_sealed_value_opens_only_in_its_own_row(tmp_path: Path) -> None:
    s = Store(tmp_path / "state.db")
    try:
        s.create_user(A, "alice")
        s.create_user(A, "bob")
        ka = s.create_access_key(A, "alice")
        kb = s.create_access_key(A, "bob")
        with s.write() as conn:  # an attacker with write access swaps bob's sealed secret for alice's
            sealed_a = conn.execute(
                "SELECT secret FROM access_keys WHERE access_key_id = ?", (ka["AccessKeyId"],)
            ).fetchone()[0]
            conn.execute(
                "UPDATE access_keys SET secret = ? WHERE access_key_id = ?", (sealed_a, kb["AccessKeyId"])
            )
        with pytest.raises(SealError):
            s.lookup_access_key(kb["AccessKeyId"])
    finally:
        s.close()


# --- the key file ------------------------------------------------------------------------------


def test_a_missing_key_file_refuses_to_open_and_is_never_regenerated(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    s = Store(db)
    s.create_root_access_key(A)
    s.close()
    (tmp_path / "state.db.key").unlink()
    with pytest.raises(StateError) as e:
        Store(db)
    assert "state.db.key" in str(e.value) and "missing" in str(e.value)
    assert not (tmp_path / "state.db.key").exists()


def test_a_key_file_of_another_database_is_refused(tmp_path: Path) -> None:
    Store(tmp_path / "one.db").close()
    Store(tmp_path / "two.db").close()
    with pytest.raises(StateError) as e:
        Store(tmp_path / "one.db", key_file=tmp_path / "two.db.key")
    assert "does not open" in str(e.value) and "one.db" in str(e.value)


@pytest.mark.parametrize("content", [b"", b"not json", b'{"format": "other"}',
                                     b'{"format": "iamwarden-master-key", "version": 1, "active": "m1",'
                                     b' "keys": {"m1": "c2hvcnQ="}}'])
def test_a_damaged_key_file_is_refused_with_its_name(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "state.db"
    Store(db).close()
    (tmp_path / "state.db.key").write_bytes(content)
    with pytest.raises(StateError) as e:
        Store(db)
    assert "state.db.key" in str(e.value)


def test_the_key_file_location_can_be_given(tmp_path: Path) -> None:
    elsewhere = tmp_path / "keys"
    elsewhere.mkdir()
    s = Store(tmp_path / "state.db", key_file=elsewhere / "master.key")
    s.create_root_access_key(A)
    s.close()
    assert (elsewhere / "master.key").exists() and not (tmp_path / "state.db.key").exists()
    assert mode(elsewhere / "master.key") == 0o600
    Store(tmp_path / "state.db", key_file=elsewhere / "master.key").close()


# --- migration of a plaintext (schema 1) database ------------------------------------------------


def test_a_plaintext_database_is_sealed_in_place_on_open_and_every_key_still_works(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    plain = make_plaintext_database(db)
    assert plain["AKIAUSERPLAINTEXT001"].encode() in raw_state(db)
    s = Store(db)
    try:
        for key_id in ("AKIAUSERPLAINTEXT001", "AKIAROOTPLAINTEXT001"):
            assert s.lookup_access_key(key_id).secret_access_key == plain[key_id]
        assert s.lookup_access_key("AKIAROOTPLAINTEXT001").is_root
        assert s.account_settings(A)["sts_token_keyring"]["keys"]["k1"] == plain["keyring"]
        with s.read() as conn:  # the retired sessions table (and its secrets) is gone
            assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sessions'").fetchone() is None
        assert s.get_user(A, "alice")["UserId"] == "AIDAPLAINTEXTUSER001"
        blob = raw_state(db)
        for value in plain.values():
            assert value.encode() not in blob, value
        with s.read() as conn:
            assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "2"
    finally:
        s.close()
    assert mode(tmp_path / "old.db.key") == 0o600
    s = Store(db)  # and it opens again, sealed, with the key file it made
    try:
        assert s.lookup_access_key("AKIAUSERPLAINTEXT001").secret_access_key == plain["AKIAUSERPLAINTEXT001"]
    finally:
        s.close()


def test_migration_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "old.db"
    plain = make_plaintext_database(db)
    calls = {"n": 0}
    real_seal = MasterKeys.seal

    def failing_seal(self: MasterKeys, plaintext: str, context: str) -> str:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk gone mid-migration")
        return real_seal(self, plaintext, context)

    monkeypatch.setattr(MasterKeys, "seal", failing_seal)
    with pytest.raises(OSError):
        Store(db)
    conn = sqlite3.connect(db)
    rows = dict(conn.execute("SELECT access_key_id, secret FROM access_keys").fetchall())
    marker = conn.execute("SELECT value FROM meta WHERE key = 'secrets_check'").fetchone()
    conn.close()
    assert rows == {k: plain[k] for k in ("AKIAUSERPLAINTEXT001", "AKIAROOTPLAINTEXT001")}  # untouched
    assert marker is None
    monkeypatch.setattr(MasterKeys, "seal", real_seal)
    s = Store(db)  # the next open migrates for real, with the key file the failed try made
    try:
        assert s.lookup_access_key("AKIAUSERPLAINTEXT001").secret_access_key == plain["AKIAUSERPLAINTEXT001"]
    finally:
        s.close()


# --- rotation --------------------------------------------------------------------------------------


def test_rotating_the_master_key_reseals_every_secret_and_retires_the_old_key(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    s = Store(db)
    s.create_user(A, "alice")
    key = s.create_access_key(A, "alice")
    s.update_account_settings(A, sts_token_keyring={"active": "k1", "keys": {"k1": "x"}})
    old_file = (tmp_path / "state.db.key").read_bytes()
    new_id = s.rotate_master_key()
    assert s.lookup_access_key(key["AccessKeyId"]).secret_access_key == key["SecretAccessKey"]
    s.close()
    keys = read_key_file(tmp_path / "state.db.key")
    assert keys.active == new_id and list(keys.keys) == [new_id]
    assert mode(tmp_path / "state.db.key") == 0o600
    s = Store(db)
    try:
        assert s.lookup_access_key(key["AccessKeyId"]).secret_access_key == key["SecretAccessKey"]
        assert s.account_settings(A)["sts_token_keyring"]["keys"] == {"k1": "x"}
    finally:
        s.close()
    (tmp_path / "old.key").write_bytes(old_file)
    with pytest.raises(StateError):
        Store(db, key_file=tmp_path / "old.key")


def test_a_rotation_interrupted_before_the_reseal_leaves_a_database_that_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "state.db"
    s = Store(db)
    s.create_user(A, "alice")
    key = s.create_access_key(A, "alice")

    def crash(*args: object) -> int:
        raise OSError("killed between rotation steps")

    monkeypatch.setattr("iamwarden.store.core.reseal_all", crash)
    with pytest.raises(OSError):
        s.rotate_master_key()
    s.close()
    assert len(read_key_file(tmp_path / "state.db.key").keys) == 2  # old and new side by side
    monkeypatch.setattr("iamwarden.store.core.reseal_all", sealed_module.reseal_all)
    s = Store(db)
    try:
        assert s.lookup_access_key(key["AccessKeyId"]).secret_access_key == key["SecretAccessKey"]
        s.rotate_master_key()  # and a later rotation completes
        assert s.lookup_access_key(key["AccessKeyId"]).secret_access_key == key["SecretAccessKey"]
    finally:
        s.close()
    assert len(read_key_file(tmp_path / "state.db.key").keys) == 1


def test_rotation_is_refused_while_another_store_has_the_database_open(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    server = Store(db)  # what a running `serve` holds
    server.create_user(A, "alice")
    key = server.create_access_key(A, "alice")
    rotator = Store(db)
    try:
        with pytest.raises(StateError, match="open elsewhere"):
            rotator.rotate_master_key()
        assert len(read_key_file(tmp_path / "state.db.key").keys) == 1  # nothing was changed
        server.close()
        rotator.rotate_master_key()
        assert rotator.lookup_access_key(key["AccessKeyId"]).secret_access_key == key["SecretAccessKey"]
        Store(db).close()  # the rotator went back to a shared lock: others open again
    finally:
        server.close()
        rotator.close()
