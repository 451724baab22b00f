"""The Japanese catalogue covers every message the source marks for translation.

A msgid is marked by ``_("…")`` (a translator), ``N_("…")`` (deferred, in the core),
``gettext``/``ngettext``; :func:`iamwarden.i18n.extract.source_messages` finds them by
walking the AST (f-strings included). When one of these tests fails, the message says
which msgid and what to do: docs/i18n.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from iamwarden.i18n import LANGUAGES, po_path
from iamwarden.i18n.extract import placeholders, source_messages

HOW = ("add it with `python -m iamwarden.i18n.extract` (it appends the new msgid to {po} with an empty "
       "msgstr), then write its Japanese in that msgstr, keeping every {{placeholder}} (docs/i18n.md)")
TRANSLATED = LANGUAGES[1:]


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


def _entries(lang: str) -> dict[str, object]:
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in _catalog(lang) if m.id}


def _where(locations: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{p}:{n}" for p, n in locations[:3])


def test_source_marks_messages() -> None:
    found = source_messages()
    # the extractor sees the explanation, the reports and the core's deferred messages alike
    assert "the trust policy names you directly" in found  # sts/explain.py, _()
    assert "user {user} is admin and its permissions do not require MFA" in found  # analysis, N_()
    assert "Fix:" in found  # report/html.py, inside an f-string
    assert found["{n} error"].plural == "{n} errors"  # cli/validate.py, ngettext


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_marked_message_has_a_translation(lang: str) -> None:
    entries = _entries(lang)
    problems = []
    for msgid, m in source_messages().items():
        e = entries.get(msgid)
        if e is None:
            problems.append(f"msgid {msgid!r} ({_where(m.locations)}) is not in {po_path(lang).name}")
            continue
        strings = e.string if isinstance(e.string, tuple) else (e.string,)  # type: ignore[attr-defined]
        if not all(s.strip() for s in strings) and msgid.strip():
            problems.append(f"msgid {msgid!r} ({_where(m.locations)}) has an empty msgstr")
    assert not problems, (f"{len(problems)} message(s) lack a {lang} translation:\n  " + "\n  ".join(problems)
                          + "\nTo fix: " + HOW.format(po=po_path(lang)))


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_fuzzy_entries(lang: str) -> None:
    catalog = _catalog(lang)
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, (f"fuzzy entries in {po_path(lang)} (a guess never shown to readers): {fuzzy}; "
                       "check each translation and remove its '#, fuzzy' line")
    assert not catalog.fuzzy, f"the header of {po_path(lang)} is marked fuzzy"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_match(lang: str) -> None:
    wrong = []
    for msgid, e in _entries(lang).items():
        ids = e.id if isinstance(e.id, tuple) else (e.id,)  # type: ignore[attr-defined]
        strings = e.string if isinstance(e.string, tuple) else (e.string,)  # type: ignore[attr-defined]
        want = set().union(*(placeholders(i) for i in ids)) - {"n"}
        for s in strings:
            got = placeholders(s) - {"n"}
            if got != want:
                wrong.append(f"{msgid!r}: msgid has {sorted(want)}, msgstr {s!r} has {sorted(got)}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_format_with_the_msgids_parameters(lang: str) -> None:
    """Every msgstr fills with the names its msgid has (no stray brace makes ``str.format`` fail)."""
    for msgid, e in _entries(lang).items():
        names = placeholders(msgid)
        if not names:
            continue
        strings = e.string if isinstance(e.string, tuple) else (e.string,)  # type: ignore[attr-defined]
        for s in strings:
            s.format(**{n: 1234 for n in names | {"n"}})


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_compiles(lang: str, tmp_path: Path) -> None:
    with (tmp_path / "x.mo").open("wb") as fh:
        write_mo(fh, _catalog(lang))
    assert (tmp_path / "x.mo").stat().st_size > 1000


def test_placeholders_reads_named_fields_only() -> None:
    assert placeholders("{a} and {b!r} at {n:,} {{literal}}") == {"a", "b", "n"}
    assert placeholders('Principal: {"AWS": "x"}') == set()
