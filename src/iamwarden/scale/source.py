"""What a worker needs to rebuild the audited world: bytes and paths, never parsed objects."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

from ..i18n import N_, gettext_noop
from ..loaders.authz_details import LoadError, account_files, account_from_bytes, world_of
from ..loaders.json_files import read_file_bytes
from ..model.account import Account, World
from ..model.organization import Organization


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
    #: the organization file (``collect --org``) as (source name, bytes): its SCPs and RCPs
    #: cap every account, in the driver and in every worker alike
    organization: tuple[str, bytes] | None = None

    @classmethod
    def of(cls, accounts: Iterable[tuple[str, bytes]], now: datetime | None = None,
           organization: tuple[str, bytes] | None = None) -> WorldSource:
        items = tuple(accounts)
        h = hashlib.sha256(repr(now).encode())
        for name, raw in items:
            h.update(name.encode() + b"\0" + hashlib.sha256(raw).digest())
        if organization is not None:
            h.update(b"\0org\0" + organization[0].encode() + b"\0" + hashlib.sha256(organization[1]).digest())
        return cls(items, now, h.hexdigest(), organization)

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path], now: datetime | None = None,
                   extra: Iterable[tuple[str, bytes]] = (), organization: str | Path | None = None) -> WorldSource:
        """Files, or folders of them (one account per file), then ``extra`` documents;
        ``organization``: the path of an organization file."""
        items = []
        for f in account_files(paths):
            items.append((str(f), _read(f)))
        org = None
        if organization is not None:
            org = (str(organization), read_file_bytes(organization, gettext_noop("an organization file")))
        return cls.of([*items, *extra], now, org)

    def world(self, parsed: Mapping[tuple[str, bytes], Account] | None = None) -> World:
        """The world ``load_world`` builds from the same documents (same order, same errors),
        capped by the organization's SCPs and RCPs when there is one. ``parsed``: accounts
        already parsed from some of the documents, by (name, SHA-256 of the bytes)."""
        world = world_of(self.loaded(parsed))
        org = self.parsed_organization()
        if org is None:
            return world
        from ..loaders.organization import with_organization  # noqa: PLC0415

        return with_organization(world, org)

    def parsed_organization(self) -> Organization | None:
        """The organization file read as ``load_organization`` reads it (``LoadError`` naming
        the file), parsed once per process for the same name and bytes: the command line checks
        it before any account is parsed, then ``world()`` takes the same parse."""
        if self.organization is None:
            return None
        name, raw = self.organization
        return _organization(name, hashlib.sha256(raw).digest(), raw)

    def loaded(self, parsed: Mapping[tuple[str, bytes], Account] | None = None) -> Iterator[tuple[str, Account]]:
        """(source name, account) in load order, parsed one at a time (or taken from ``parsed``)."""
        for name, raw in self.accounts:
            hit = parsed.get((name, hashlib.sha256(raw).digest())) if parsed else None
            yield name, hit if hit is not None else account_from_bytes(raw, name)

    def share(self, accounts: Sequence[str], owned: frozenset[str], summary: Mapping[str, bytes],
              key: str) -> WorldSource:
        """A worker's documents: the ``owned`` accounts whole, the others as their cross-account
        summary (``summary``: account -> its document cut by ``details_subset``; an account
        missing there is sent whole). ``accounts``: the account of each document, in order."""
        if len(accounts) != len(self.accounts):
            raise ValueError("one account per document expected")
        items = tuple((name, raw if acct in owned or acct not in summary else summary[acct])
                      for (name, raw), acct in zip(self.accounts, accounts, strict=True))
        return WorldSource(items, self.now, key, self.organization)

    @property
    def size(self) -> int:
        return sum(len(raw) for _, raw in self.accounts)


#: the last organization parsed in this process, by (source name, SHA-256 of its bytes): one
#: entry, so a long-lived process holds one parse and not the bytes of every file it was given
_ORG_CACHE: dict[tuple[str, bytes], Organization] = {}


def _organization(name: str, digest: bytes, raw: bytes) -> Organization:
    hit = _ORG_CACHE.get((name, digest))
    if hit is None:
        from ..loaders.organization import organization_from_bytes  # noqa: PLC0415

        hit = organization_from_bytes(raw, name)
        _ORG_CACHE.clear()
        _ORG_CACHE[(name, digest)] = hit
    return hit


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise LoadError(N_("{path}: cannot read: {error}", path=path, error=e.strerror)) from None
