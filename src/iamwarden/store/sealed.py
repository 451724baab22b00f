"""Which columns hold sealed secrets, and opening, migrating and rotating them.

See :mod:`.sealing` for the cipher and the key file, and
docs/decisions/store-secrets-at-rest.md for the decision. ``meta.secrets_check``
is a known value sealed under the master key: its presence says every sealed
column of the database is sealed (set in the same transaction as the
migration), and opening it proves the key file belongs to this database before
any request is served.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import StateError
from .schema import SCHEMA_VERSION
from .sealing import MasterKeys, SealError, create_key_file, read_key_file

#: (table, key column, sealed column) -- every place a secret is stored
SEALED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("access_keys", "access_key_id", "secret"),
    ("accounts", "account_id", "settings"),
)
CHECK_KEY = "secrets_check"
CHECK_VALUE = "iamwarden-secrets-at-rest"


def context(table: str, column: str, row_key: str) -> str:
    """The associated data that binds a sealed value to its row."""
    return f"{table}.{column}:{row_key}"


def open_secrets(conn: sqlite3.Connection, db: Path, key_file: Path) -> MasterKeys:
    """The master keys for ``db``: read (or, for a database without secrets yet, created).

    Never generates a key for a database whose secrets are already sealed: a
    new key would not open them, so a missing key file stops the store with a
    message saying what to restore.
    """
    marker = _marker(conn)
    if key_file.exists():
        keys = read_key_file(key_file)
    elif marker is not None:
        raise StateError(
            f"database {db} keeps its secrets sealed under key file {key_file}, which is missing: "
            "restore it from your backup (or give its place with --key-file / IAMWARDEN_KEY_FILE); "
            "without it the stored access keys and session-token keys cannot be read"
        )
    else:
        keys = create_key_file(key_file)
    if marker is None:
        marker = migrate(conn, keys)
    try:
        opened = keys.unseal(marker, context("meta", "value", CHECK_KEY))
    except SealError:
        opened = None
    if opened != CHECK_VALUE:
        raise StateError(
            f"key file {key_file} does not open the secrets of database {db} (it belongs to another "
            "database, or is damaged): restore the key file that was made with this database"
        )
    return keys


def _marker(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (CHECK_KEY,)).fetchone()
    return str(row[0]) if row else None


def migrate(conn: sqlite3.Connection, keys: MasterKeys) -> str:
    """Seal every plaintext secret of an older database in one transaction; returns the marker.

    All or nothing: the rows and the marker commit together, so a crash leaves
    either the old plaintext database or the fully sealed one. Afterwards the
    file is rewritten (``secure_delete``, ``VACUUM``, WAL truncated) so the
    plaintext does not linger in free pages or in the WAL.
    """
    secure = conn.execute("PRAGMA secure_delete").fetchone()[0]
    conn.execute("PRAGMA secure_delete=ON")
    sealed = 0
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            marker = _marker(conn)  # another process may have migrated meanwhile
            if marker is None:
                for table, key_col, col in _present(conn):
                    rows = conn.execute(f"SELECT {key_col}, {col} FROM {table}").fetchall()
                    for row_key, value in rows:
                        conn.execute(
                            f"UPDATE {table} SET {col} = ? WHERE {key_col} = ?",
                            (keys.seal(value, context(table, col, row_key)), row_key),
                        )
                    sealed += len(rows)
                marker = keys.seal(CHECK_VALUE, context("meta", "value", CHECK_KEY))
                conn.execute("INSERT INTO meta(key, value) VALUES (?, ?)", (CHECK_KEY, marker))
                conn.execute(
                    "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
                )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if sealed:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.execute(f"PRAGMA secure_delete={int(secure)}")
    return marker


def reseal_all(conn: sqlite3.Connection, old: MasterKeys, new: MasterKeys) -> int:
    """Re-seal every sealed value under ``new.active`` (inside the caller's transaction)."""
    count = 0
    for table, key_col, col in _present(conn):
        for row_key, value in conn.execute(f"SELECT {key_col}, {col} FROM {table}").fetchall():
            ctx = context(table, col, row_key)
            conn.execute(
                f"UPDATE {table} SET {col} = ? WHERE {key_col} = ?",
                (new.seal(old.unseal(value, ctx), ctx), row_key),
            )
            count += 1
    ctx = context("meta", "value", CHECK_KEY)
    conn.execute(
        "UPDATE meta SET value = ? WHERE key = ?", (new.seal(CHECK_VALUE, ctx), CHECK_KEY)
    )
    return count


def _present(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """The sealed columns whose table this database has (an older file may have more)."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [c for c in SEALED_COLUMNS if c[0] in tables]


def default_key_file(db: Path) -> Path:
    """``state.db`` → ``state.db.key``, beside the database."""
    return db.with_name(db.name + ".key")
