"""The msgids the source marks for translation, and keeping ``ja.po`` in step with them.

``python -m iamwarden.i18n.extract`` adds every new msgid of ``src/iamwarden``
to each translated catalogue (with an empty translation, for a person to
fill) and marks the ones no longer used as obsolete; docs/i18n.md says how.
The catalogue test (tests/i18n) uses :func:`source_messages` to fail when a
msgid has no translation.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .catalog import DOMAIN, LANGUAGES, po_path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
#: the call names that mark a message: ``_`` (a translator), ``N_`` (deferred), ``gettext``, ``ngettext``
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


@dataclass(frozen=True, slots=True)
class SourceMessage:
    msgid: str
    plural: str | None
    locations: tuple[tuple[str, int], ...]


def placeholders(text: str) -> set[str]:
    """The named ``{placeholders}`` of a message (``{{`` and ``}}`` are literal braces)."""
    return set(PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def source_messages(root: Path = PACKAGE_DIR) -> dict[str, SourceMessage]:
    """Every msgid marked in the Python files under ``root``, with where it is used."""
    from babel.messages.extract import extract_from_dir  # noqa: PLC0415

    found: dict[str, tuple[str | None, list[tuple[str, int]]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(root), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True):
        if isinstance(message, tuple):
            msgid, plural = message[0], message[1]
        else:
            msgid, plural = message, None
        if not msgid:
            continue
        entry = found.setdefault(msgid, (plural, []))
        entry[1].append((f"src/iamwarden/{filename}", lineno))
    return {k: SourceMessage(k, p, tuple(locs)) for k, (p, locs) in found.items()}


def update_catalogues(root: Path = PACKAGE_DIR) -> list[str]:
    """Merge the source's msgids into every translated ``.po``; returns the msgids added."""
    from babel.messages.catalog import Catalog  # noqa: PLC0415
    from babel.messages.pofile import read_po, write_po  # noqa: PLC0415

    template = Catalog(domain=DOMAIN, project="iamwarden")
    for m in source_messages(root).values():
        template.add((m.msgid, m.plural) if m.plural else m.msgid, locations=m.locations,
                     flags=("python-brace-format",) if placeholders(m.msgid) else ())
    added: list[str] = []
    for lang in LANGUAGES[1:]:
        path = po_path(lang)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang, domain=DOMAIN)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=lang, domain=DOMAIN, project="iamwarden")
        before = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        catalog.update(template, no_fuzzy_matching=True)
        added += [m.msgid for m in source_messages(root).values() if m.msgid not in before]
        with path.open("wb") as fh:
            write_po(fh, catalog, width=120, sort_output=True, no_location=True, include_previous=False)
    return added


def main() -> int:
    added = update_catalogues()
    for msgid in added:
        print(f"new, needs a translation: {msgid!r}")
    print(f"{len(added)} new msgid(s); translate them in " + ", ".join(str(po_path(x)) for x in LANGUAGES[1:]),
          file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
