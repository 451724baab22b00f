"""The store's connection handling: one SQLite file, WAL, serialised writers.

Durability (docs/decisions/store-durability.md): ``journal_mode=WAL`` with
``synchronous=FULL``, so the WAL is fsynced at every commit and a request the
server answered 200 survives a crash of the process *and* of the machine.
``durability="normal"`` trades the machine-crash guarantee for speed (WAL +
NORMAL still survives a killed process).

Concurrency: every mutating operation is one ``BEGIN IMMEDIATE`` transaction,
committed only when the whole operation succeeded; any exception rolls it back,
so a failed request changes nothing and no reader ever sees half a change (WAL
readers see the last committed snapshot). Writers in this process take a lock
before ``BEGIN IMMEDIATE`` (no busy-waiting between threads); other processes
are held off by SQLite's own lock with ``busy_timeout``. Connections come from
a small pool, so short-lived server threads do not each open a database.

Files and secrets (docs/decisions/store-secrets-at-rest.md): the database and
its companions are created 0600 (:mod:`.statefiles`); secrets are sealed under
a master key in a separate key file (:mod:`.sealing`, :mod:`.sealed`); the
database records the account it serves (:meth:`StoreBase.bind_account`). A
path or key file that cannot be used raises :class:`~.errors.StateError`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .errors import StateError
from .ids import IdGenerator
from .schema import DDL, SCHEMA_VERSION, drop_retired_tables
from .sealed import context, default_key_file, open_secrets, reseal_all
from .sealing import MasterKeys, replace_key_file
from .statefiles import (
    hold_in_use_lock,
    is_only_user,
    prepare_db_path,
    private_umask,
    release_in_use_lock,
)

Clock = Callable[[], datetime]

BUSY_TIMEOUT_MS = 10_000
#: how stale another process\'s commits may look to generation() (seconds)
GENERATION_RECHECK_SECONDS = 0.05
POOL_SIZE = 16


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class StoreBase:
    """Connections, transactions and the write generation (see module docstring).

    ``path=None`` makes a throwaway database in a temporary directory, removed
    by :meth:`close` (what tests use: it behaves exactly like a file store).
    ``key_file`` is where the master key lives (default ``<path>.key``).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        clock: Clock = utc_now,
        ids: IdGenerator | None = None,
        durability: str = "full",
        key_file: str | os.PathLike[str] | None = None,
    ) -> None:
        if durability not in ("full", "normal"):
            raise ValueError("durability must be 'full' or 'normal'")
        self._tempdir: str | None = None
        if path is None:
            self._tempdir = tempfile.mkdtemp(prefix="iamwarden-store-")
            path = Path(self._tempdir) / "iamwarden.db"
        self.path = Path(path)
        self.key_path = Path(key_file) if key_file is not None else default_key_file(self.path)
        self.clock = clock
        self.ids = ids or IdGenerator()
        self._synchronous = durability.upper()
        self._pool: list[sqlite3.Connection] = []  # idle connections, last returned on top
        self._pool_lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._closed = False
        self._in_use_lock: int | None = None
        self._local = threading.local()
        self._generation_seen: tuple[int, float] | None = None
        if prepare_db_path(self.path):
            self._require_iamwarden_database()
        try:
            with self._connection() as conn:
                conn.executescript(DDL)
                drop_retired_tables(conn)
                conn.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
                conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('generation', '0')")
                version = int(conn.execute(
                    "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
                if version > SCHEMA_VERSION:
                    raise StateError(
                        f"database {self.path} has schema version {version}, newer than this"
                        f" iamwarden's {SCHEMA_VERSION}: upgrade iamwarden to use it"
                    )
                self._keys: MasterKeys = open_secrets(conn, self.path, self.key_path)
            self._in_use_lock = hold_in_use_lock(self.key_path)
        except sqlite3.Error as e:
            self.close()
            raise StateError(f"cannot use database {self.path}: {e}") from None
        except BaseException:
            self.close()
            raise

    def _require_iamwarden_database(self) -> None:
        """Refuse a file that is not SQLite, or a SQLite database of another program.

        Checked through a read-only connection before the store writes anything
        (even the WAL journal mode), so a wrong ``--db`` never changes someone
        else's file. SQLite opens the file, not Python: closing a descriptor of
        our own would drop the POSIX locks other connections of this process
        hold on it.
        """
        try:
            probe = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                tables = {r[0] for r in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            finally:
                probe.close()
        except sqlite3.DatabaseError as e:
            if "not a database" in str(e):
                raise StateError(
                    f"{self.path} is not a database (not a SQLite file); "
                    "give an iamwarden database or a new file with --db"
                ) from None
            raise StateError(f"cannot read database {self.path}: {e}") from None
        if tables and "meta" not in tables:
            raise StateError(
                f"{self.path} is a SQLite database of another program (no iamwarden tables); "
                "give an iamwarden database or a new file with --db"
            )

    # --- connections -------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        with private_umask():  # -wal / -shm may be created now: owner-only
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
            conn.row_factory = sqlite3.Row
            try:
                conn.execute("PRAGMA journal_mode=WAL")
            except BaseException:
                conn.close()
                raise
        conn.execute(f"PRAGMA synchronous={self._synchronous}")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys=ON")
        with self._all_lock:
            self._all.append(conn)
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A pooled connection; nested use in one thread reuses the same one."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        if self._closed:
            raise RuntimeError("store is closed")
        with self._pool_lock:
            idle = self._pool.pop() if self._pool else None
        conn = idle if idle is not None else self._open()
        self._local.conn = conn
        try:
            yield conn
        finally:
            self._local.conn = None
            with self._pool_lock:
                keep = len(self._pool) < POOL_SIZE and not self._closed
                if keep:
                    self._pool.append(conn)
            if not keep:
                self._discard(conn)

    def _discard(self, conn: sqlite3.Connection) -> None:
        with self._all_lock:
            if conn in self._all:
                self._all.remove(conn)
        conn.close()

    @contextmanager
    def write(self, bump_generation: bool = True) -> Iterator[sqlite3.Connection]:
        """One atomic write: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception.

        Nested calls join the outer transaction. A commit bumps the generation
        (which invalidates the cached ``World``) unless ``bump_generation`` is
        False: writes of data that is not part of the IAM model must not force
        a rebuild of the world.
        """
        with self._connection() as conn:
            if conn.in_transaction:
                if not getattr(self._local, "writing", False):
                    raise RuntimeError("write() inside read(): open the write first")
                yield conn
                return
            with self._write_lock:
                conn.execute("BEGIN IMMEDIATE")
                self._local.writing = True
                try:
                    yield conn
                    new_gen = None
                    if bump_generation:
                        conn.execute(
                            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
                        )
                        new_gen = int(conn.execute(
                            "SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
                    conn.execute("COMMIT")
                    if new_gen is not None:
                        self._generation_seen = (new_gen, time.monotonic())
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                finally:
                    self._local.writing = False

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several SELECTs (a deferred read transaction)."""
        with self._connection() as conn:
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    def generation(self) -> int:
        """Bumped by every committed write, from any connection or process.

        This process's own commits are seen at once; another process's commits
        within ``GENERATION_RECHECK_SECONDS`` (the value is asked of SQLite at
        most that often, so hot paths don't pay a query per request).
        """
        seen = self._generation_seen
        if seen is not None and time.monotonic() - seen[1] < GENERATION_RECHECK_SECONDS:
            return seen[0]
        with self._connection() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        gen = int(row[0])
        self._generation_seen = (gen, time.monotonic())
        return gen

    def _require_account(self, conn: sqlite3.Connection, account_id: str) -> None:
        """Accounts come into being with their first entity (or ``ensure_account``)."""
        if conn.execute("SELECT 1 FROM accounts WHERE account_id = ?", (account_id,)).fetchone():
            return
        conn.execute(
            "INSERT INTO accounts(account_id, create_date, settings) VALUES (?, ?, ?)",
            (account_id, self.now(), self.seal("{}", "accounts", "settings", account_id)),
        )

    # --- secrets and the account of the database ---------------------------------------

    def seal(self, plaintext: str, table: str, column: str, row_key: str) -> str:
        """``plaintext`` sealed for ``table.column`` of the row ``row_key`` (see :mod:`.sealed`)."""
        return self._keys.seal(plaintext, context(table, column, row_key))

    def unseal(self, sealed: str, table: str, column: str, row_key: str) -> str:
        """The plaintext of a value :meth:`seal` made for that row; :class:`SealError` if it does not open."""
        return self._keys.unseal(sealed, context(table, column, row_key))

    def require_only_user(self, doing: str) -> None:
        """``StateError`` when another store has the database open (a running server would not see ``doing``)."""
        if not is_only_user(self._in_use_lock):
            raise StateError(
                f"database {self.path} is open elsewhere (a running iamwarden serve?): stop it, then {doing}"
            )

    def rotate_master_key(self) -> str:
        """Re-seal every secret under a new master key; returns the new key's id.

        Crash-safe in three steps: (1) the key file gets the new key as active
        *beside* the old ones (atomic rename); (2) every sealed value is re-sealed
        in one transaction; (3) the key file keeps only the new key. After a
        crash between steps the file still holds every key the database needs.
        Refused while another store has the database open (a running server
        holds the old key and would seal new values under it).
        """
        self.require_only_user("rotate the key")
        try:
            old = self._keys
            both = old.with_new_active()
            replace_key_file(self.key_path, both)
            self._keys = both
            with self.write(bump_generation=False) as conn:
                reseal_all(conn, old, both)
            only = both.only_active()
            replace_key_file(self.key_path, only)
            self._keys = only
        finally:  # back to a shared lock, on the key file now at the path
            release_in_use_lock(self._in_use_lock)
            self._in_use_lock = hold_in_use_lock(self.key_path)
        return only.active

    def now(self) -> str:
        return iso(self.clock())

    def close(self) -> None:
        """Close every connection (and remove a temporary database)."""
        self._closed = True
        release_in_use_lock(self._in_use_lock)
        self._in_use_lock = None
        with self._pool_lock:
            self._pool.clear()
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

