"""Where the gettext catalogues live and how they are compiled (Babel, in memory)."""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

#: the gettext domain: ``locale/<lang>/LC_MESSAGES/iamwarden.po``
DOMAIN = "iamwarden"
LOCALE_DIR = Path(__file__).with_name("locale")
#: the languages a person can choose; the first is the source language of every msgid
LANGUAGES = ("en", "ja")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LANGUAGES))
def load_translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang``; English (the source) needs none.

    Babel reads the ``.po`` and writes the ``.mo`` into memory, which the
    stdlib's ``GNUTranslations`` then serves. Fuzzy entries are left out (the
    ``.mo`` writer skips them unless asked), so an unchecked translation never
    reaches a reader; the catalogue test fails on them anyway.
    """
    if lang == LANGUAGES[0]:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo  # noqa: PLC0415 (only when a translation is used)
    from babel.messages.pofile import read_po  # noqa: PLC0415

    with po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)
