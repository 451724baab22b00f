"""``iamwarden serve``: the local STS + IAM endpoint for boto3 and the AWS CLI."""

from __future__ import annotations

import argparse
import errno
import os
import re
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ..i18n import N_, Text, gettext_noop, joined
from . import UsageError, message_of
from .language import translator_of  # no --lang: the status lines follow IAMWARDEN_LANG (answers are AWS's)

if TYPE_CHECKING:
    from ..model.organization import Organization
    from ..server.endpoint import Endpoint
    from ..store import Store


def _listed(items: Iterable[Text]) -> Text | str:
    """Several marked messages as one ("a; b")."""
    return joined(items, gettext_noop("{first}; {second}"))


def register(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="run a local STS+IAM endpoint (AWS Query protocol, SigV4 checked, every call decided)",
        description=(
            "Start an HTTP endpoint that speaks STS and IAM as AWS does. Point boto3 "
            "(endpoint_url=...), the AWS CLI (--endpoint-url) or AWS_ENDPOINT_URL at it."
        ),
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=4577)
    p.add_argument("--db", default="iamwarden.db", help="SQLite database file (default: ./iamwarden.db)")
    p.add_argument("--account-id", default=None,
                   help="account of the endpoint (default: the first --load file's account, else the one"
                        " the database was created for, else 123456789012)")
    p.add_argument("--load", action="append", default=[], metavar="FILE",
                   help="get-account-authorization-details output to load (refused if the database"
                        " already holds IAM data for that account, unless --replace)")
    p.add_argument("--replace", action="store_true",
                   help="with --load: replace the IAM data the database holds for the loaded accounts")
    p.add_argument("--key-file", default=os.environ.get("IAMWARDEN_KEY_FILE"), metavar="PATH",
                   help="master key sealing the database's secrets (default: the database path + '.key';"
                        " env IAMWARDEN_KEY_FILE); created on first start, back it up")
    p.add_argument("--rotate-token-key", action="store_true",
                   help="seal new session tokens under a new token key (tokens already issued keep working"
                        " until they expire), then exit")
    p.add_argument("--retire-old-token-keys", action="store_true",
                   help="with --rotate-token-key: drop the earlier token keys, so every session issued"
                        " before now is refused (InvalidClientTokenId)")
    p.add_argument("--rotate-key", action="store_true",
                   help="re-seal the database's secrets under a new master key, then exit"
                        " (stop the server first)")
    p.add_argument("--oidc-jwks", action="append", default=[], metavar="ISSUER=FILE",
                   help="the signing keys (a JWKS file) of OIDC issuer ISSUER (https://host/path), which AWS"
                        " would fetch from the issuer; repeatable (docs/decisions/sts-oidc-keys.md)")
    p.add_argument("--root-access-key-id", default=os.environ.get("IAMWARDEN_ROOT_ACCESS_KEY_ID"))
    p.add_argument("--root-secret-access-key", default=os.environ.get("IAMWARDEN_ROOT_SECRET_ACCESS_KEY"))
    p.add_argument("--org", metavar="FILE", default=None,
                   help="an organization file (iamwarden collect --org): its SCPs and RCPs cap every call "
                        "the endpoint decides (docs/organization.md)")
    p.add_argument("--region", action="append", default=None, metavar="REGION", dest="regions",
                   help="accept only credential scopes in REGION (repeatable); default: any region")
    p.add_argument("--log-level", default="warning", choices=("debug", "info", "warning", "error"),
                   help="'info' writes one access-log line per call to stderr: caller, action, resource, "
                        "decision and, for a deny, the policy and statement that decided (default: warning)")
    p.add_argument("--log-format", default="text", choices=("text", "json"),
                   help="access-log lines as key=value text or one JSON object per line (default: text)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.rotate_key:
        return _rotate_key(args)
    if args.retire_old_token_keys and not args.rotate_token_key:
        raise UsageError(N_("--retire-old-token-keys goes with --rotate-token-key"))
    if args.rotate_token_key:
        return _rotate_token_key(args)
    regions = _regions(args.regions)  # before any file is touched
    organization = _organization(args.org)
    created = _not_yet_there(args)
    try:
        ep, notes = _start(args, regions, organization)
    except BaseException:
        # a first start that fails leaves no empty database or key file behind
        for path in created:
            path.unlink(missing_ok=True)
        raise
    _ = translator_of(args)
    print(_("iamwarden endpoint on {url} (account {account}, database {db})", url=ep.endpoint_url,
            account=ep.account_id, db=args.db), flush=True)
    if organization is not None:
        member = organization.is_member(ep.account_id)
        print(_("organization {org}: its SCPs and RCPs cap every decision", org=args.org) if member else
              _("organization {org}: its SCPs and RCPs cap every decision (account {account} is not in it: "
                "nothing is capped)", org=args.org, account=ep.account_id), flush=True)
    if regions:
        print(_("regions served: {regions} (credential scopes in other regions are refused)",
                regions=", ".join(sorted(regions))), flush=True)
    for note in notes:
        print(_.text(note), flush=True)
    if ep.root.generated:
        print(_("root credentials (shown once; sealed in the database):"), flush=True)
        print(f"  AWS_ACCESS_KEY_ID={ep.root.access_key_id}", flush=True)
        print(f"  AWS_SECRET_ACCESS_KEY={ep.root.secret_access_key}", flush=True)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        signal.pause() if hasattr(signal, "pause") else ep.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)  # run() may be called in-process (tests, the library)
        ep.stop()
        print(_("stopped"), file=sys.stderr)
    return 0


def _not_yet_there(args: argparse.Namespace) -> list[Path]:
    """The state files a start would create that do not exist yet (database, its WAL files, key file)."""
    from ..store.sealed import default_key_file

    db = Path(args.db)
    key = Path(args.key_file) if args.key_file else default_key_file(db)
    files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"), key]
    return [] if db.exists() else [f for f in files if not f.exists()]


def _organization(path: str | None) -> Organization | None:
    """``--org FILE`` read before any state file is touched; a bad file is exit 2 naming it."""
    if not path:
        return None
    from ..loaders.authz_details import LoadError
    from ..loaders.organization import load_organization

    try:
        return load_organization(path)
    except LoadError as e:
        raise UsageError(N_("--org {error}", error=message_of(e))) from None


def _start(args: argparse.Namespace, regions: frozenset[str] | None,
           organization: Organization | None = None) -> tuple[Endpoint, list[Text]]:
    """Prepare the database and start the endpoint; every refusal is a UsageError (exit 2)."""
    from ..server.access_log import configure_logging
    from ..server.endpoint import Endpoint
    from ..server.seed import SeedError
    from ..store import StateError, StoreError

    oidc_jwks = read_oidc_jwks(args.oidc_jwks)
    account, notes = prepare_database(args)
    access_log = configure_logging(args.log_level, args.log_format)
    try:
        ep = Endpoint(
            args.db,
            account_id=account,
            host=args.host,
            port=args.port,
            root_access_key_id=args.root_access_key_id,
            root_secret_access_key=args.root_secret_access_key,
            key_file=args.key_file,
            access_log=access_log,
            regions=regions,
            oidc_jwks=oidc_jwks,
            organization=organization,
        )
    except StoreError as e:  # e.g. a --root-access-key-id that another key already has
        raise UsageError(f"{e.code}: {e.message}") from None
    except OSError as e:
        if e.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise UsageError(N_("cannot listen on {host}:{port}: {error}", host=args.host, port=args.port,
                                error=e.strerror)) from None
        raise UsageError(message_of(e)) from None
    except (ValueError, SeedError, StateError) as e:
        raise UsageError(message_of(e)) from None
    ep.start()
    return ep, notes


_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")


def _regions(values: list[str] | None) -> frozenset[str] | None:
    """``--region`` values, checked to look like AWS region names (``eu-west-1``, ``us-gov-west-1``)."""
    if not values:
        return None
    for v in values:
        if not _REGION.fullmatch(v):
            raise UsageError(N_("--region: {value!r} is not a region name such as us-east-1 or eu-west-1", value=v))
    return frozenset(values)


def read_oidc_jwks(items: list[str]) -> dict[str, str]:
    """``ISSUER=FILE`` pairs → {issuer: JWKS text}; a bad pair or file is a usage error (exit 2)."""
    from ..model.oidc_provider import MAX_JWKS_BYTES, JwksError, read_jwks

    out: dict[str, str] = {}
    for item in items:
        issuer, sep, path = item.partition("=")
        if not sep or not issuer.startswith("https://") or not path:
            raise UsageError(N_("--oidc-jwks {item!r}: give ISSUER=FILE, e.g. "
                                "https://token.actions.githubusercontent.com=jwks.json", item=item))
        try:
            with open(path, "rb") as f:
                raw = f.read(MAX_JWKS_BYTES + 1)
            read_jwks(raw)
        except OSError as e:
            raise UsageError(N_("--oidc-jwks {issuer}: cannot read {path}: {error}", issuer=issuer, path=path,
                                error=e.strerror)) from None
        except JwksError as e:
            raise UsageError(N_("--oidc-jwks {issuer}: {path}: {error}", issuer=issuer, path=path,
                                error=str(e))) from None
        out[issuer] = raw.decode("utf-8", "replace")
    return out


def _open_store(args: argparse.Namespace) -> Store:
    """The ``--db`` store under its ``--key-file``; a bad path or key file is a usage error (exit 2)."""
    from ..store import StateError, Store

    try:
        return Store(args.db, key_file=args.key_file)
    except StateError as e:
        raise UsageError(message_of(e)) from None


def prepare_database(args: argparse.Namespace) -> tuple[str, list[Text]]:
    """Open ``--db``, choose the account, apply ``--load``; returns (account, what to print).

    Issue 9 item 6 and issue 8 item 7. The account served is ``--account-id``,
    else the first ``--load`` file's account, else the one the database was
    created for, else the default. A database created for another account is
    refused (both ids named). ``--load`` into a database that already holds
    IAM data for a loaded account is refused unless ``--replace``; the
    replacement (delete + load) is one transaction, so a failed load leaves the
    old data. Every problem is a :class:`UsageError` (one line, exit 2).
    """
    from ..loaders.authz_details import LoadError, load_world
    from ..server.endpoint import DEFAULT_ACCOUNT_ID
    from ..server.seed import SeedError, load_into_store
    from ..store import StateError

    if args.replace and not args.load:
        raise UsageError(N_("--replace needs --load FILE (it replaces the account's data with the file's)"))
    loaded: list[str] = []
    if args.load:
        try:
            loaded = sorted(load_world(args.load).accounts)
        except LoadError as e:
            raise UsageError(message_of(e)) from None
    store = _open_store(args)
    try:
        bound = store.bound_account()
        account = args.account_id or (loaded[0] if loaded else None) or bound or DEFAULT_ACCOUNT_ID
        held = [store.account_summary(a) for a in store.accounts()]
        held = [h for h in held if not h.empty or h.account_id == account]
        if bound is None and all(h.empty for h in held):
            state = N_("database {db}: new, for account {account}", db=args.db, account=account)
        else:
            state = N_("database {db}: holds {accounts}", db=args.db, accounts=_listed(h.text() for h in held))
        notes: list[Text] = [state]
        clash = [store.account_summary(a) for a in loaded if a in store.accounts()]
        clash = [c for c in clash if not c.empty]
        if clash and not args.replace:
            raise UsageError(N_(
                "database {db} already holds {accounts}: --load would mix the file into it. Add --replace to "
                "replace that account's IAM data with the file, or start without --load to serve the database as it "
                "is, or use a new --db", db=args.db, accounts=_listed(c.text() for c in clash)))
        try:
            with store.write():
                store.bind_account(account)
                for c in clash:
                    store.replace_account_iam(c.account_id)
                if args.load:
                    load_into_store(store, args.load)
        except SeedError as e:
            raise UsageError(message_of(e)) from None
        if args.load:
            after = _listed(store.account_summary(a).text() for a in loaded)
            files = ", ".join(args.load)
            notes.append(N_("--load applied: replaced with {files} -> {accounts}", files=files, accounts=after)
                         if clash else N_("--load applied: loaded {files} -> {accounts}", files=files, accounts=after))
        else:
            notes.append(N_("--load not given: serving the database as it is"))
        return account, notes
    except StateError as e:
        raise UsageError(message_of(e)) from None
    finally:
        store.close()


def _rotate_key(args: argparse.Namespace) -> int:
    """``serve --rotate-key``: re-seal every secret under a new master key and exit."""
    from ..store import StateError

    if not os.path.exists(args.db):
        raise UsageError(N_("database {db} does not exist: nothing to rotate", db=args.db))
    store = _open_store(args)
    try:
        new_id = store.rotate_master_key()
        _ = translator_of(args)
        print(_("database {db}: secrets re-sealed under new master key {key} in {path} (back up this key file "
                "again; the old one no longer opens the database)", db=args.db, key=new_id, path=store.key_path),
              flush=True)
    except StateError as e:
        raise UsageError(message_of(e)) from None
    finally:
        store.close()
    return 0


def _rotate_token_key(args: argparse.Namespace) -> int:
    """``serve --rotate-token-key [--retire-old-token-keys]``: a new session-token key, then exit."""
    from ..server.token_keys import keyring_for, rotated, save_keyring
    from ..store import StateError

    if not os.path.exists(args.db):
        raise UsageError(N_("database {db} does not exist: nothing to rotate", db=args.db))
    store = _open_store(args)
    try:
        store.require_only_user("rotate the token key")
        account = store.bound_account()
        if account is None:
            raise UsageError(N_("database {db} serves no account yet: start it once first", db=args.db))
        ring = rotated(keyring_for(store, account), retire_old=args.retire_old_token_keys)
        save_keyring(store, account, ring)
        kept = sorted(k for k in ring.keys if k != ring.active)
        _ = translator_of(args)
        what = (_("earlier keys kept ({keys}): sessions already issued work until they expire", keys=", ".join(kept))
                if kept else _("earlier keys retired: every session issued before now is refused"))
        print(_("database {db}: new session tokens are sealed under token key {key}; {what}", db=args.db,
                key=ring.active, what=what), flush=True)
    except StateError as e:
        raise UsageError(message_of(e)) from None
    finally:
        store.close()
    return 0
