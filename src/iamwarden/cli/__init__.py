"""The ``iamwarden`` command: thin argument handling over the library.

Each subcommand lives in its own module here with a ``register(subparsers)``
function. Exit status (one table for all commands: docs/exit-codes.md): 0 when
the answer is the passing one, 1 when the command ran and the answer is the
failing one (a deny, no path, a finding at or above ``--fail-on``), 2 for
unusable input (one line on stderr, never a traceback), 3 for a bug in
iamwarden (traceback on stderr), so that no crash can pass for an answer.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

#: subcommand modules, in the order ``--help`` lists them
COMMAND_MODULES = ("check", "validate", "explain", "audit", "diff", "plan", "serve", "playground")

#: exit statuses (docs/exit-codes.md)
EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_BUG = 3


class UsageError(Exception):
    """Unusable input: printed as ``iamwarden: error: …`` with exit status 2."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or (``only``: a name in ``COMMAND_MODULES``) just that module's
    subcommands: each module imports what its commands need (the server, the planner, the
    explainer's graph renderer), and ``iamwarden audit`` should not pay for the others."""
    parser = argparse.ArgumentParser(
        prog="iamwarden",
        description="AWS IAM and STS, checkable offline: exact decisions, explained.",
        epilog="Exit status: 0 pass (Allow, a path, no failing finding), 1 fail (a deny, no path, a "
               "finding at or above --fail-on), 2 unusable input, 3 a bug in iamwarden (docs/exit-codes.md).",
    )
    parser.add_argument("--version", action="version", version="iamwarden 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (only,) if only in COMMAND_MODULES else COMMAND_MODULES:
        try:
            mod = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"{__name__}.{name}":
                continue
            raise
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    parser = build_parser(args_in[0] if args_in else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except UsageError as e:
        print(f"iamwarden: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_PASS
    except Exception:  # a bug: say so, and never let it pass for a deny (1)
        traceback.print_exc()
        print("iamwarden: internal error (a bug in iamwarden; please report it with the traceback above)",
              file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
