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

from .ids import IdGenerator
from .schema import DDL, SCHEMA_VERSION, drop_retired_tables

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
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        clock: Clock = utc_now,
        ids: IdGenerator | None = None,
        durability: str = "full",
    ) -> None:
        if durability not in ("full", "normal"):
            raise ValueError("durability must be 'full' or 'normal'")
        self._tempdir: str | None = None
        if path is None:
            self._tempdir = tempfile.mkdtemp(prefix="iamwarden-store-")
            path = Path(self._tempdir) / "iamwarden.db"
        self.path = Path(path)
        self.clock = clock
        self.ids = ids or IdGenerator()
        self._synchronous = durability.upper()
        self._pool: list[sqlite3.Connection] = []  # idle connections, last returned on top
        self._pool_lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._closed = False
        self._local = threading.local()
        self._generation_seen: tuple[int, float] | None = None
        with self._connection() as conn:
            conn.executescript(DDL)
            drop_retired_tables(conn)
            conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('generation', '0')")

    # --- connections -------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
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
        conn.execute(
            "INSERT OR IGNORE INTO accounts(account_id, create_date) VALUES (?, ?)",
            (account_id, self.now()),
        )

    def now(self) -> str:
        return iso(self.clock())

    def close(self) -> None:
        """Close every connection (and remove a temporary database)."""
        self._closed = True
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
