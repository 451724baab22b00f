"""The msgids the source marks for translation, and keeping ``ja.po`` in step with them.

``python -m iamwarden.i18n.extract`` adds every new msgid of ``src/iamwarden``
to each translated catalogue (with an empty translation, for a person to
fill) and marks the ones no longer used as obsolete; docs/i18n.md says how.
The catalogue test (tests/i18n) uses :func:`source_messages` to fail when a
msgid has no translation.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .catalog import DOMAIN, LANGUAGES, po_path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
#: the call names that mark a message: ``_`` (a translator), ``N_`` (deferred), ``gettext``, ``ngettext``,
#: ``gettext_noop`` (a constant in a table)
KEYWORDS = ("_", "N_", "gettext", "ngettext", "gettext_noop")
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


@dataclass(frozen=True, slots=True)
class SourceMessage:
    msgid: str
    plural: str | None
    locations: tuple[tuple[str, int], ...]


def placeholders(text: str) -> set[str]:
    """The named ``{placeholders}`` of a message (``{{`` and ``}}`` are literal braces)."""
    return set(PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _marked(call: ast.Call) -> tuple[str, str | None] | None:
    """(msgid, plural) when ``call`` marks a message: ``_("…")``, ``N_("…")``, ``gettext("…")``,
    ``x.gettext("…")``, ``ngettext("…", "…", n)`` or ``x.ngettext(…)`` with literal text."""
    f = call.func
    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
    if name not in KEYWORDS or not call.args:
        return None
    if isinstance(f, ast.Attribute) and name in ("_", "N_"):
        return None
    msgid = _literal(call.args[0])
    if msgid is None:
        return None
    if name == "ngettext":
        plural = _literal(call.args[1]) if len(call.args) > 1 else None
        return (msgid, plural) if plural is not None else None
    return msgid, None


def source_messages(root: Path = PACKAGE_DIR) -> dict[str, SourceMessage]:
    """Every msgid marked in the Python files under ``root``, with where it is used.

    An AST walk rather than a tokenizer: it also finds the calls inside f-strings
    (``f"<b>{_('Fix:')}</b>"``), which a tokenizer-based extractor misses.
    """
    found: dict[str, tuple[str | None, list[tuple[str, int]]]] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        rel = path.relative_to(root.parent.parent).as_posix() if root == PACKAGE_DIR else path.as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                hit = _marked(node)
                if hit is not None:
                    entry = found.setdefault(hit[0], (hit[1], []))
                    entry[1].append((rel, node.lineno))
    return {k: SourceMessage(k, p, tuple(sorted(locs))) for k, (p, locs) in sorted(found.items())}


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
