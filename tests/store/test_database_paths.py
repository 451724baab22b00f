"""A bad database path is one clear StateError, and never changes a file that is not ours (issue 8 item 7)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from iamwarden.store import StateError, Store
from iamwarden.store.schema import SCHEMA_VERSION


def test_a_missing_folder_is_refused_naming_the_folder(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="folder .*nope does not exist"):
        Store(tmp_path / "nope" / "state.db")
    assert not (tmp_path / "nope").exists()


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="is a directory"):
        Store(tmp_path)


def test_a_file_that_is_not_sqlite_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"these are my notes, not a database\n" * 100)
    before = junk.read_bytes()
    with pytest.raises(StateError, match="not a database"):
        Store(junk)
    assert junk.read_bytes() == before
    assert not (tmp_path / "notes.txt.key").exists()


def test_a_sqlite_database_of_another_program_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    with pytest.raises(StateError, match="another program"):
        Store(other)
    assert other.read_bytes() == before
    assert not (tmp_path / "other.sqlite-wal").exists()


def test_a_database_from_a_newer_iamwarden_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()
    with pytest.raises(StateError, match="newer"):
        Store(db)


def test_an_empty_file_is_a_new_database(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    db.touch()
    s = Store(db)
    try:
        s.create_user("111122223333", "alice")
        assert s.get_user("111122223333", "alice")["UserName"] == "alice"
    finally:
        s.close()
