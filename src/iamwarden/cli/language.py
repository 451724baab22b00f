"""``--lang ja|en`` and ``IAMWARDEN_LANG``: the one place the CLI picks the reader's language.

The core and the renderers take the language as an argument and read no
environment (docs/architecture.md); this module is where the environment is read.
"""

from __future__ import annotations

import argparse
import os

from ..i18n import LANGUAGES, Translator, choose_language, translator
from . import UsageError, message_of


def add_lang_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=LANGUAGES, default=None,
                   help="language of the messages a person reads (default: $IAMWARDEN_LANG, else en); "
                        "JSON/SARIF field names and codes stay English")


def lang_of(args: argparse.Namespace) -> str:
    try:
        return choose_language(getattr(args, "lang", None), os.environ)
    except ValueError as e:
        raise UsageError(message_of(e)) from None


def translator_of(args: argparse.Namespace | None = None) -> Translator:
    """The reader's language: ``--lang`` when the command has it, else ``IAMWARDEN_LANG``, else English."""
    return translator(lang_of(args if args is not None else argparse.Namespace()))
