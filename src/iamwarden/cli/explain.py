"""``iamwarden explain``: why a principal can or cannot assume a role (spec §1.6).

Exit status (docs/exit-codes.md): 0 when the role can be assumed, 1 when it
cannot (in every format; a picture is still written), 2 for unusable input,
including a role that is not in the loaded accounts.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..loaders.authz_details import LoadError, load_world
from ..model.account import Role
from ..report.explain import FORMATS, render
from ..sts.caller import UnknownCaller
from ..sts.errors import StsError
from ..sts.explain import explain_assume_role
from ..sts.params import ROLE_SESSION_NAME
from . import UsageError
from .language import add_lang_argument, lang_of

#: the session name used when the caller's own name cannot be one
FALLBACK_SESSION_NAME = "iamwarden"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "explain",
        help="explain whether a principal can assume a role, and why",
        description=(
            "Follow one sts:AssumeRole from the caller through STS to the role's trust policy: the "
            "verdict of each side with the statements that decided it, the rule that applied, and "
            "what would change the answer. Pictures (svg, png) are drawn with Graphviz. "
            "Exit status: 0 when the role can be assumed, 1 when it cannot, 2 for unusable input."
        ),
    )
    p.add_argument("--account", metavar="FILE", action="append", default=[], required=True,
                   help="get-account-authorization-details output (repeat per account)")
    p.add_argument("--principal", metavar="ARN", required=True, help="the caller: a user, role or session ARN")
    p.add_argument("--role", metavar="ARN", required=True, help="the role to assume")
    p.add_argument("--external-id", metavar="X", default=None)
    p.add_argument("--session-name", metavar="N", default=None,
                   help="RoleSessionName (default: the last part of the caller's ARN, i.e. the user or "
                        "role name or the session name of an assumed-role ARN, when it is a valid "
                        f"RoleSessionName; otherwise '{FALLBACK_SESSION_NAME}')")
    p.add_argument("--format", choices=[f for f in FORMATS if f != "dot"] + ["dot"], default="text")
    p.add_argument("--output", metavar="FILE", default=None, help="write here instead of standard output")
    add_lang_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    try:
        world = load_world(args.account)
    except LoadError as e:
        raise UsageError(str(e)) from None
    name = args.session_name if args.session_name is not None else default_session_name(args.principal)
    params = {"RoleArn": args.role, "RoleSessionName": name}
    if args.external_id is not None:
        params["ExternalId"] = args.external_id
    try:
        explanation = explain_assume_role(world, args.principal, params, datetime.now(UTC), lang=lang)
    except UnknownCaller as e:
        raise UsageError(str(e)) from None
    except StsError as e:
        raise UsageError(f"{e.code}: {e.message}") from None
    if not isinstance(world.entity(args.role), Role):
        # AWS would answer AccessDenied, but offline a role missing from the loaded accounts is a typo
        # or a missing --account file: "denied" (1) would let a CI gate pass on a question never asked
        loaded = ", ".join(sorted(world.accounts))
        raise UsageError(f"--role {args.role}: no such role in the loaded accounts ({loaded}); "
                         "if it is in another account, load that account with another --account FILE")
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
        try:
            if isinstance(out, bytes):
                path.write_bytes(out)
            else:
                path.write_text(out, encoding="utf-8")
        except OSError as e:
            raise UsageError(f"--output {args.output}: {e.strerror or e}") from None
    elif isinstance(out, bytes):
        sys.stdout.buffer.write(out)
    else:
        sys.stdout.write(out)
    return 0 if explanation.allowed else 1


def default_session_name(principal: str) -> str:
    """The caller's own name (the ARN's last part) when it is a valid RoleSessionName, else a fixed one.

    A user ``alice`` assumes as ``alice``; a session ``assumed-role/R/build-7``
    re-assumes as ``build-7``; a name STS would reject (one character, a
    space, more than 64 characters) falls back to ``FALLBACK_SESSION_NAME``.
    """
    tail = principal.rsplit("/", 1)[-1]
    ok = 2 <= len(tail) <= 64 and ROLE_SESSION_NAME.fullmatch(tail) is not None  # STS's own rule (spec §4.1)
    return tail if ok else FALLBACK_SESSION_NAME
