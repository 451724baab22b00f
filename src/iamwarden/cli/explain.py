"""``iamwarden explain``: why a principal can or cannot assume a role (spec §1.6)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..loaders.authz_details import LoadError, load_world
from ..report.explain import FORMATS, render
from ..sts.caller import UnknownCaller
from ..sts.errors import StsError
from ..sts.explain import explain_assume_role
from . import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "explain",
        help="explain whether a principal can assume a role, and why",
        description=(
            "Follow one sts:AssumeRole from the caller through STS to the role's trust policy: the "
            "verdict of each side with the statements that decided it, the rule that applied, and "
            "what would change the answer. Pictures (svg, png) are drawn with Graphviz."
        ),
    )
    p.add_argument("--account", metavar="FILE", action="append", default=[], required=True,
                   help="get-account-authorization-details output (repeat per account)")
    p.add_argument("--principal", metavar="ARN", required=True, help="the caller: a user, role or session ARN")
    p.add_argument("--role", metavar="ARN", required=True, help="the role to assume")
    p.add_argument("--external-id", metavar="X", default=None)
    p.add_argument("--session-name", metavar="N", default=None,
                   help="RoleSessionName (default: the caller's name, else 'iamwarden')")
    p.add_argument("--format", choices=[f for f in FORMATS if f != "dot"] + ["dot"], default="text")
    p.add_argument("--output", metavar="FILE", default=None, help="write here instead of standard output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        world = load_world(args.account)
    except LoadError as e:
        raise UsageError(str(e)) from None
    name = args.session_name
    if name is None:
        tail = args.principal.rsplit("/", 1)[-1]
        name = tail if 2 <= len(tail) <= 64 and tail.replace("-", "").replace("_", "").isalnum() else "iamwarden"
    params = {"RoleArn": args.role, "RoleSessionName": name}
    if args.external_id is not None:
        params["ExternalId"] = args.external_id
    try:
        explanation = explain_assume_role(world, args.principal, params, datetime.now(UTC))
    except UnknownCaller as e:
        raise UsageError(str(e)) from None
    except StsError as e:
        raise UsageError(f"{e.code}: {e.message}") from None
    if args.format == "png" and not args.output and sys.stdout.isatty():
        raise UsageError("--format png writes binary data: give --output FILE")
    try:
        out = render(explanation, args.format)
    except Exception as e:  # graphviz missing or failing
        if type(e).__name__ in ("ExecutableNotFound", "CalledProcessError"):
            raise UsageError(f"cannot draw the picture: {e} (install Graphviz: apt-get install graphviz)") from None
        raise
    if args.output:
        path = Path(args.output)
        if isinstance(out, bytes):
            path.write_bytes(out)
        else:
            path.write_text(out, encoding="utf-8")
    elif isinstance(out, bytes):
        sys.stdout.buffer.write(out)
    else:
        sys.stdout.write(out)
    return 0
