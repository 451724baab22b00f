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

from ..i18n import Text, Translator, translator
from .argparse_text import argparse_in, language_before_parsing, parser_class

#: subcommand modules, in the order ``--help`` lists them
COMMAND_MODULES = ("check", "validate", "explain", "audit", "diff", "plan", "serve", "playground")

#: exit statuses (docs/exit-codes.md)
EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_BUG = 3


class UsageError(Exception):
    """Unusable input: printed as ``iamwarden: error: …`` with exit status 2.

    The message is an English ``str`` or a :class:`~iamwarden.i18n.Text` (``N_``), which ``main``
    shows in the reader's language; ``str(error)`` is always the English sentence."""


def message_of(error: Exception) -> Text | str:
    """An error's message for ``UsageError``: the marked :class:`Text` it carries (``LoadError(N_(…))``),
    so that it is shown in the reader's language, else its English ``str``."""
    return error.args[0] if len(error.args) == 1 and isinstance(error.args[0], Text) else str(error)


def build_parser(only: str | None = None, translate: Translator | None = None) -> argparse.ArgumentParser:
    """The whole command line, or (``only``: a name in ``COMMAND_MODULES``) just that module's
    subcommands: each module imports what its commands need (the server, the planner, the
    explainer's graph renderer), and ``iamwarden audit`` should not pay for the others.
    Its help is formatted in ``translate``'s language (default English)."""
    ArgumentParser = parser_class(translate or translator())  # noqa: N806 (read by the msgid extractor)
    parser = ArgumentParser(
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
    argv = sys.argv[1:] if argv is None else argv
    _ = translator(language_before_parsing(argv))
    with argparse_in(_):  # argparse names its own groups when the parser is built
        parser = build_parser(argv[0] if argv else None, _)
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except UsageError as e:
        print(_("iamwarden: error: {message}", message=_.text(e.args[0] if e.args else "")), file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_PASS
    except Exception:  # a bug: say so, and never let it pass for a deny (1)
        traceback.print_exc()
        print(_("iamwarden: internal error (a bug in iamwarden; please report it with the traceback above)"),
              file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
