"""The ``iamwarden`` command: thin argument handling over the library.

Each subcommand lives in its own module here with a ``register(subparsers)``
function. Exit status: 0 when the command ran (whatever the decision), 2 for
unusable input (with the error on stderr).
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: subcommand modules, in the order ``--help`` lists them
COMMAND_MODULES = ("check", "validate", "explain", "audit", "serve")


class UsageError(Exception):
    """Unusable input: printed as ``iamwarden: error: …`` with exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iamwarden",
        description="AWS IAM and STS, checkable offline: exact decisions, explained.",
    )
    parser.add_argument("--version", action="version", version="iamwarden 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"{__name__}.{name}":
                continue
            raise
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except UsageError as e:
        print(f"iamwarden: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
