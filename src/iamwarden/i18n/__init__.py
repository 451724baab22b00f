"""Messages a person reads, in their language: English (the source) or Japanese.

One small API, used by ``report/`` and ``sts/explain.py`` alike:

- ``_ = translator(lang)`` — ``_("role {name} is admin", name=n)`` looks the
  English text up in the catalogue and fills the named placeholders;
- ``N_("...", **params)`` — marks a message without translating it, for the
  core that must stay language-free (validation and audit findings): it is a
  :class:`Text` whose ``str()`` is the English sentence, and which a renderer
  translates later with ``_.text(t)``.

The catalogues are standard gettext ``.po`` files under ``locale/<lang>/LC_MESSAGES``
(English msgids, no ``en.po``: English needs none). They are compiled in
memory with Babel when first used, so a bare ``pip install -e .`` works and
no generated ``.mo`` is committed. The language is always passed in: only the
CLI reads ``IAMWARDEN_LANG`` (see :func:`choose_language`).
How to add or translate a message: docs/i18n.md.
"""

from __future__ import annotations

from .catalog import DOMAIN, LANGUAGES, LOCALE_DIR, po_path
from .translate import N_, Nn_, Text, Translator, choose_language, gettext_noop, joined, one_of, translator

__all__ = ["DOMAIN", "LANGUAGES", "LOCALE_DIR", "N_", "Nn_", "Text", "Translator", "choose_language", "gettext_noop",
           "joined", "one_of", "po_path",
           "translator"]
