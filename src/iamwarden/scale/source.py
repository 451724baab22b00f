"""What a worker needs to rebuild the audited world: bytes and paths, never parsed objects."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

from ..i18n import N_
from ..loaders.authz_details import LoadError, account_files, account_from_bytes, world_of
from ..model.account import Account, World


@dataclass(frozen=True)
class WorldSource:
    """The audited accounts as GAAD documents, in load order, plus the moment of the audit.

    ``accounts``: (source name, GAAD JSON bytes), one per account, as ``collect``
    writes them. ``now`` is passed to the index (``analysis.session``). ``key``
    names this world in a worker's cache (a digest of the documents and ``now``), so
    a worker that already indexed it does not index it again.
    """

    accounts: tuple[tuple[str, bytes], ...]
    now: datetime | None = None
    key: str = field(default="", compare=False)

    @classmethod
    def of(cls, accounts: Iterable[tuple[str, bytes]], now: datetime | None = None) -> WorldSource:
        items = tuple(accounts)
        h = hashlib.sha256(repr(now).encode())
        for name, raw in items:
            h.update(name.encode() + b"\0" + hashlib.sha256(raw).digest())
        return cls(items, now, h.hexdigest())

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path], now: datetime | None = None,
                   extra: Iterable[tuple[str, bytes]] = ()) -> WorldSource:
        """Files, or folders of them (one account per file), then ``extra`` documents."""
        items = []
        for f in account_files(paths):
            try:
                items.append((str(f), f.read_bytes()))
            except OSError as e:
                raise LoadError(N_("{path}: cannot read: {error}", path=f, error=e.strerror)) from None
        return cls.of([*items, *extra], now)

    def world(self) -> World:
        """The world ``load_world`` builds from the same documents (same order, same errors)."""
        return world_of(self.loaded())

    def loaded(self) -> Iterator[tuple[str, Account]]:
        """(source name, account) in load order, parsed one at a time."""
        return ((name, account_from_bytes(raw, name)) for name, raw in self.accounts)

    def share(self, accounts: Sequence[str], owned: frozenset[str], summary: Mapping[str, bytes],
              key: str) -> WorldSource:
        """A worker's documents: the ``owned`` accounts whole, the others as their cross-account
        summary (``summary``: account -> its document cut by ``details_subset``; an account
        missing there is sent whole). ``accounts``: the account of each document, in order."""
        if len(accounts) != len(self.accounts):
            raise ValueError("one account per document expected")
        items = tuple((name, raw if acct in owned or acct not in summary else summary[acct])
                      for (name, raw), acct in zip(self.accounts, accounts, strict=True))
        return WorldSource(items, self.now, key)

    @property
    def size(self) -> int:
        return sum(len(raw) for _, raw in self.accounts)
