"""The store's files on disk: owner-only modes and clear refusals for a bad path.

The database holds IAM state and (sealed) secrets; its ``-wal`` and ``-shm``
companions hold recent pages of it; the key file holds the master key
(docs/decisions/store-secrets-at-rest.md). All of them are created 0600
whatever the process umask: the database is pre-created with ``os.open(...,
0o600)``, SQLite's unix VFS gives ``-wal``/``-shm`` the database file's own
permission bits, and every connection is opened under a 0o077 umask as a
second guard. Files left broader by an older version are narrowed to 0600
when the store opens them (issue 8, item 4).

A path that cannot be a database (missing folder, a directory, an unreadable
file) is refused with a one-line :class:`~.errors.StateError` before SQLite is
asked, so ``serve`` never prints a traceback for it (issue 8, item 7).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import StateError

#: owner read/write only: the mode of every state file
PRIVATE_MODE = 0o600
#: SQLite's companions of a WAL-mode database file
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")

_umask_lock = threading.Lock()


@contextmanager
def private_umask() -> Iterator[None]:
    """Run the body with umask 0o077 (the umask is per process: serialised by a lock)."""
    with _umask_lock:
        old = os.umask(0o077)
        try:
            yield
        finally:
            os.umask(old)


def companions(db: Path) -> list[Path]:
    return [db.with_name(db.name + suffix) for suffix in COMPANION_SUFFIXES]


def narrow_mode(path: Path) -> None:
    """Make an existing state file 0600 (files we do not own are left to fail later)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    if st.st_mode & 0o777 != PRIVATE_MODE and st.st_uid == _euid():
        os.chmod(path, PRIVATE_MODE)


def _euid() -> int:
    geteuid = getattr(os, "geteuid", None)  # POSIX only
    return int(geteuid()) if geteuid is not None else -1


def prepare_db_path(db: Path) -> bool:
    """Check ``db`` can be a database file; create it 0600 if absent.

    Returns True when the file already held data (an existing database), False
    when it is new or empty. Raises :class:`StateError` naming the path and the
    problem otherwise.
    """
    parent = db.parent if str(db.parent) else Path(".")
    if not parent.exists():
        raise StateError(f"cannot create database {db}: folder {parent} does not exist")
    if not parent.is_dir():
        raise StateError(f"cannot create database {db}: {parent} is not a folder")
    if db.is_dir():
        raise StateError(f"database {db} is a directory, not a file")
    if db.exists():
        if not db.is_file():
            raise StateError(f"database {db} is not a regular file")
        # never open() the file here: closing a descriptor drops every POSIX lock
        # this process holds on it, including SQLite's (see sqlite.org/howtocorrupt.html)
        if not os.access(db, os.R_OK):
            raise StateError(f"cannot read database {db}: permission denied")
        if not os.access(db, os.W_OK):
            raise StateError(f"cannot write database {db}: permission denied")
        narrow_mode(db)
        for companion in companions(db):
            narrow_mode(companion)
        return db.stat().st_size > 0
    try:
        fd = os.open(db, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_MODE)
    except FileExistsError:  # another process created it meanwhile
        return db.stat().st_size > 0
    except OSError as e:
        raise StateError(f"cannot create database {db}: {e.strerror or e}") from None
    os.close(fd)
    os.chmod(db, PRIVATE_MODE)  # whatever the umask
    for companion in companions(db):  # stale companions of a removed database
        narrow_mode(companion)
    return False


def write_private_file(path: Path, data: bytes, *, replace: bool) -> bool:
    """Write ``data`` to ``path`` (0600) durably and atomically.

    A temporary file beside ``path`` is written and fsynced first. With
    ``replace`` it is renamed over ``path``; without, it is hard-linked to
    ``path``, which fails if ``path`` exists -- so two processes creating the
    same key file at once cannot both win (returns False for the loser, who
    must read the winner's file). The folder is fsynced so the name survives a
    crash.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with private_umask():
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_MODE)
    try:
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, PRIVATE_MODE)
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
    finally:
        if tmp.exists():
            tmp.unlink()
    _fsync_dir(path.parent)
    return True


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder if str(folder) else ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- "in use" lock on the key file -------------------------------------------------------------


def hold_in_use_lock(path: Path) -> int | None:
    """Take a shared ``flock`` on the key file for as long as the store is open; returns the fd.

    Every open store holds one, so :func:`is_only_user` can tell whether another
    store (a running ``serve``) has the database open. ``flock`` locks are
    separate from the POSIX locks SQLite uses, and the key file is not SQLite's,
    so this descriptor cannot disturb the database's locking. None where
    ``flock`` does not exist (the check is then skipped).
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    except OSError:
        os.close(fd)
        return None
    return fd


def is_only_user(fd: int | None) -> bool:
    """Upgrade our shared lock to exclusive without waiting: False if another store holds it."""
    if fd is None:
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def release_in_use_lock(fd: int | None) -> None:
    if fd is not None:
        try:
            os.close(fd)  # closing drops the flock
        except OSError:
            pass
