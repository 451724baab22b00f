"""The translator a renderer holds, and the deferred :class:`Text` the core builds."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

from .catalog import LANGUAGES, load_translations

#: the environment variable the CLI reads when ``--lang`` is not given
ENV_VAR = "IAMWARDEN_LANG"


@dataclass(frozen=True, slots=True)
class Text:
    """A message not yet translated: the English msgid and its named parameters.

    ``str(text)`` is the English sentence, so the core can keep an English
    ``message`` field (JSON, SARIF) and a renderer can still translate it.
    """

    msgid: str
    params: tuple[tuple[str, Any], ...] = ()
    #: a count's message (``Nn_``): the English plural, and the count that picks the form
    plural: str | None = None
    n: int = 0

    def __str__(self) -> str:
        english = self.plural if self.plural is not None and self.n != 1 else self.msgid
        return _fill(english, {k: str(v) if isinstance(v, Text) else v for k, v in self.params})


def N_(msgid: str, /, **params: Any) -> Text:  # noqa: N802 (the gettext convention for "mark, do not translate")
    """Mark ``msgid`` for translation without translating it (the core stays language-free)."""
    return Text(msgid, tuple(params.items()))


def Nn_(singular: str, plural: str, n: int, /, **params: Any) -> Text:  # noqa: N802 (ngettext's N_)
    """Mark a message that counts ``n`` (``{n}`` is filled with it): the form is chosen by the
    language's plural rule when it is shown."""
    return Text(singular, tuple({"n": n, **params}.items()), plural, n)


def joined(items: Iterable[Text | str], between: str, /) -> Text | str:
    """``items`` as one marked message, each pair put together by ``between``: a two-place msgid
    (``"{first}; {second}"``) marked with ``gettext_noop`` where it is written, so that the word or
    sign between the items is the reader's too (``a または b``, ``a、b``). One item is itself;
    none is ``""``. The pairs nest as a balanced tree, so rendering it recurses log2(n) deep
    however many items a policy makes (a list nested item by item would recurse n deep)."""
    seq = list(items)
    if not seq:
        return ""

    def fold(lo: int, hi: int) -> Text | str:
        if hi - lo == 1:
            return seq[lo]
        mid = (lo + hi) // 2
        return N_(between, first=fold(lo, mid), second=fold(mid, hi))

    return fold(0, len(seq))


def one_of(items: Sequence[str], /) -> Text | str:
    """``'a' or 'b' or 'c'``, alternatives in the reader's language."""
    return joined(items, gettext_noop("{first} or {second}"))


def gettext_noop(msgid: str, /) -> str:
    """Mark a constant (a table entry) for translation and return it unchanged: the
    standard gettext marker for data that a renderer translates with ``_.gettext``."""
    return msgid


def _fill(template: str, params: Mapping[str, Any]) -> str:
    # str.format never re-reads a value as a template, so parameters from policies are inert
    return template.format(**params) if params else template


@dataclass(frozen=True, slots=True)
class Translator:
    """``_("...", name=value)``: the message in ``lang`` with its placeholders filled."""

    lang: str
    translations: gettext.NullTranslations

    def gettext(self, msgid: str) -> str:
        return self.translations.gettext(msgid)

    def __call__(self, msgid: str, /, **params: Any) -> str:
        return _fill(self.translations.gettext(msgid), params)

    def ngettext(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        return _fill(self.translations.ngettext(singular, plural, n), {"n": n, **params})

    def text(self, text: Text | str) -> str:
        """A deferred :class:`Text` (or a constant English message) in this language."""
        if isinstance(text, Text):
            # a parameter may itself be a Text ("; did you mean …?"): translated the same way
            params = {k: self.text(v) if isinstance(v, Text) else v for k, v in text.params}
            if text.plural is not None:
                return _fill(self.translations.ngettext(text.msgid, text.plural, text.n), params)
            return _fill(self.translations.gettext(text.msgid), params)
        return self.translations.gettext(text) if text else text


@lru_cache(maxsize=len(LANGUAGES))
def _translator(lang: str) -> Translator:
    return Translator(lang, load_translations(lang))


def translator(lang: str | None = None) -> Translator:
    """The translator for ``lang`` (``en`` or ``ja``; None is English). Raises ValueError otherwise."""
    code = (lang or LANGUAGES[0]).strip().lower().replace("_", "-").split("-", 1)[0]
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; accepted: {', '.join(LANGUAGES)}")
    return _translator(code)


def choose_language(flag: str | None, environ: Mapping[str, str]) -> str:
    """``--lang`` if given, else ``IAMWARDEN_LANG``, else English. Only the CLI calls this.

    ``IAMWARDEN_LANG=ja_JP.UTF-8`` is read as ``ja`` (a locale-style value);
    an unknown value raises ValueError naming where it came from.
    """
    if flag:
        translator(flag)
        return translator(flag).lang
    value = environ.get(ENV_VAR, "").strip()
    if not value:
        return LANGUAGES[0]
    try:
        return translator(value.split(".", 1)[0]).lang
    except ValueError:
        raise ValueError(f"{ENV_VAR}={value!r}: unknown language; accepted: {', '.join(LANGUAGES)}") from None
