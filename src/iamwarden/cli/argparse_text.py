"""The command line in the reader's language: ``--help``, argparse's own words and ``iamwarden: error: …``.

One place decides the language before anything is parsed (:func:`language_before_parsing`:
``--lang`` found in the arguments, else ``IAMWARDEN_LANG``, else English), and
:func:`argparse_in` makes argparse speak it while the command line is parsed and help is
printed:

- our help texts (``help=``, ``description=``, ``epilog=`` literals, which the extractor reads as
  msgids: i18n/extract.py; ``help_text("… {n} …", n=x)`` for one with values) are translated when
  the help is formatted (:class:`TranslatingFormatter`);
- argparse's own sentences (``usage:``, ``options``, ``the following arguments are required: %s``, …)
  go through argparse's gettext hook (the module's ``_`` and ``ngettext``), pointed at our catalogue
  while parsing and put back afterwards. Their msgids are argparse's own (listed below for the
  extractor); one that a later Python changes is shown in English, never wrong.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from ..i18n import LANGUAGES, N_, Text, Translator, choose_language, gettext_noop, translator

#: argparse's own messages (Python 3.11-3.13 ``argparse``), so the extractor puts them in the catalogue
ARGPARSE_MESSAGES = (
    gettext_noop("usage: "),
    gettext_noop("positional arguments"),
    gettext_noop("options"),
    gettext_noop("show this help message and exit"),
    gettext_noop("show program's version number and exit"),
    gettext_noop("%(prog)s: error: %(message)s\n"),
    gettext_noop("the following arguments are required: %s"),
    gettext_noop("unrecognized arguments: %s"),
    gettext_noop("invalid choice: %(value)r (choose from %(choices)s)"),
    gettext_noop("argument %(argument_name)s: %(message)s"),
    gettext_noop("invalid %(type)s value: %(value)r"),
    gettext_noop("expected one argument"),
    gettext_noop("expected at least one argument"),
    gettext_noop("expected at most one argument"),
    gettext_noop("not allowed with argument %s"),
    gettext_noop("one of the arguments %s is required"),
    gettext_noop("ambiguous option: %(option)s could match %(matches)s"),
    gettext_noop("ignored explicit argument %r"),
    gettext_noop("can't open '%(filename)s': %(error)s"),
)


def language_before_parsing(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language of everything the command prints, decided before argparse runs.

    ``--lang X`` / ``--lang=X`` anywhere before a ``--``; else ``IAMWARDEN_LANG``; else English.
    A value that is no language is left to the parser and ``lang_of`` to report (in English).
    """
    env = os.environ if environ is None else environ
    flag = None
    for i, a in enumerate(argv):
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(argv):
            flag = argv[i + 1]
        elif a.startswith("--lang="):
            flag = a.split("=", 1)[1]
    try:
        return choose_language(flag if flag in LANGUAGES else None, env)
    except ValueError:
        return LANGUAGES[0]


class HelpText(str):
    """A help string with values filled in (``help_text``): English as a ``str``, and its msgid for the formatter."""

    text: Text

    def __new__(cls, text: Text) -> HelpText:
        self = super().__new__(cls, str(text))
        self.text = text
        return self


def help_text(msgid: str, /, **params: Any) -> str:
    """``help=`` with named values (``help_text("… {n:,} …", n=LIMIT)``): translated when help is shown."""
    return HelpText(N_(msgid, **params))


class TranslatingFormatter(argparse.HelpFormatter):
    """Help with our help texts, descriptions and epilogs in the reader's language."""

    def __init__(self, prog: str, translate: Translator | None = None, **kwargs: Any) -> None:
        super().__init__(prog, **kwargs)
        self._translate = translate or translator()

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if isinstance(action.help, HelpText):
            return self._translate.text(action.help.text)
        return self._translate.gettext(action.help) if action.help else action.help

    def _format_text(self, text: str) -> str:
        return super()._format_text(self._translate.gettext(text) if text else text)


def parser_class(translate: Translator) -> type[argparse.ArgumentParser]:
    """An ArgumentParser whose help is formatted in ``translate``'s language (subcommands included:
    argparse makes subparsers of the parser's own class)."""
    formatter = partial(TranslatingFormatter, translate=translate)

    class Parser(argparse.ArgumentParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("formatter_class", formatter)
            super().__init__(*args, **kwargs)

    return Parser


@contextmanager
def argparse_in(translate: Translator) -> Iterator[None]:
    """argparse's own words in ``translate``'s language while the block runs (put back afterwards)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = translate.gettext  # type: ignore[attr-defined]
    argparse.ngettext = translate.translations.ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
