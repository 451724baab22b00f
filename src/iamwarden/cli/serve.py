"""``iamwarden serve``: the local STS + IAM endpoint for boto3 and the AWS CLI."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any

from . import UsageError


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
    p.add_argument("--account-id", default=None, help="account of the endpoint (default 123456789012)")
    p.add_argument("--load", action="append", default=[], metavar="FILE",
                   help="get-account-authorization-details output to load into a new database")
    p.add_argument("--root-access-key-id", default=os.environ.get("IAMWARDEN_ROOT_ACCESS_KEY_ID"))
    p.add_argument("--root-secret-access-key", default=os.environ.get("IAMWARDEN_ROOT_SECRET_ACCESS_KEY"))
    p.add_argument("--log-level", default="warning", choices=("debug", "info", "warning", "error"),
                   help="'info' writes one access-log line per call to stderr: caller, action, resource, "
                        "decision and, for a deny, the policy and statement that decided (default: warning)")
    p.add_argument("--log-format", default="text", choices=("text", "json"),
                   help="access-log lines as key=value text or one JSON object per line (default: text)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..loaders.authz_details import LoadError, load_world
    from ..server.access_log import configure_logging
    from ..server.endpoint import DEFAULT_ACCOUNT_ID, Endpoint
    from ..server.seed import SeedError

    account = args.account_id
    if account is None and args.load:
        try:
            ids = sorted(load_world(args.load).accounts)
        except LoadError as e:
            raise UsageError(str(e)) from None
        account = ids[0]
    access_log = configure_logging(args.log_level, args.log_format)
    try:
        ep = Endpoint(
            args.db,
            account_id=account or DEFAULT_ACCOUNT_ID,
            host=args.host,
            port=args.port,
            root_access_key_id=args.root_access_key_id,
            root_secret_access_key=args.root_secret_access_key,
            load=args.load,
            access_log=access_log,
        )
    except (ValueError, SeedError, OSError) as e:
        raise UsageError(str(e)) from None
    ep.start()
    print(f"iamwarden endpoint on {ep.endpoint_url} (account {ep.account_id}, database {args.db})", flush=True)
    if ep.root.generated:
        print("root credentials (shown once; stored in the database):", flush=True)
        print(f"  AWS_ACCESS_KEY_ID={ep.root.access_key_id}", flush=True)
        print(f"  AWS_SECRET_ACCESS_KEY={ep.root.secret_access_key}", flush=True)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        signal.pause() if hasattr(signal, "pause") else ep.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        ep.stop()
        print("stopped", file=sys.stderr)
    return 0
