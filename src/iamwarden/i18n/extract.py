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
#: ``gettext_noop`` (a constant in a table), ``help_text`` (a CLI help string with values)
KEYWORDS = ("_", "N_", "Nn_", "gettext", "ngettext", "gettext_noop", "help_text")
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
    if name in ("ngettext", "Nn_"):
        plural = _literal(call.args[1]) if len(call.args) > 1 else None
        return (msgid, plural) if plural is not None else None
    return msgid, None


#: argparse calls whose ``help=``, ``description=`` and ``epilog=`` literals are msgids: the CLI's
#: formatter translates them when help is shown (cli/argparse_text.py), so they need no marker
ARGPARSE_CALLS = ("add_argument", "add_parser", "ArgumentParser", "add_argument_group", "add_subparsers")
ARGPARSE_KEYWORDS = ("help", "description", "epilog")


def _argparse_texts(call: ast.Call) -> list[str]:
    f = call.func
    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
    if name not in ARGPARSE_CALLS:
        return []
    found = [_literal(k.value) for k in call.keywords if k.arg in ARGPARSE_KEYWORDS]
    return [m for m in found if m and m != argparse_suppress()]


def argparse_suppress() -> str:
    import argparse  # noqa: PLC0415

    return argparse.SUPPRESS


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
                for msgid, plural in ([hit] if hit is not None else []) + [(m, None) for m in _argparse_texts(node)]:
                    entry = found.setdefault(msgid, (plural, []))
                    entry[1].append((rel, node.lineno))
    return {k: SourceMessage(k, p, tuple(sorted(locs))) for k, (p, locs) in sorted(found.items())}


def missing_translations(root: Path = PACKAGE_DIR) -> dict[str, list[str]]:
    """Per translated language, the source's msgids its ``.po`` lacks or leaves empty."""
    from babel.messages.pofile import read_po  # noqa: PLC0415

    out: dict[str, list[str]] = {}
    for lang in LANGUAGES[1:]:
        with po_path(lang).open("rb") as fh:
            catalog = read_po(fh, locale=lang, domain=DOMAIN)
        done = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                if m.id and all(x for x in (m.string if isinstance(m.string, tuple) else (m.string,)))}
        out[lang] = [k for k in source_messages(root) if k not in done]
    return out


def update_catalogues(root: Path = PACKAGE_DIR) -> list[str]:
    """Merge the source's msgids into every translated ``.po``; returns the msgids added.

    A catalogue is rewritten only when a msgid was added or dropped, so running this
    changes nothing (not even the header's date) when the catalogues are up to date.
    """
    from babel.messages.catalog import Catalog  # noqa: PLC0415
    from babel.messages.pofile import read_po, write_po  # noqa: PLC0415

    found = source_messages(root)
    template = Catalog(domain=DOMAIN, project="iamwarden")
    for m in found.values():
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
        new = [k for k in found if k not in before]
        if not new and before <= set(found):
            continue
        catalog.update(template, no_fuzzy_matching=True)
        added += new
        with path.open("wb") as fh:
            write_po(fh, catalog, width=120, sort_output=True, no_location=True, include_previous=False)
    return added


def main(argv: list[str] | None = None) -> int:
    """``--check``: list the msgids without a translation and exit 1 if there are any (writes nothing)."""
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        missing = missing_translations()
        for lang, ids in missing.items():
            for msgid in ids:
                print(f"{lang}: no translation for {msgid!r}")
        total = sum(len(v) for v in missing.values())
        print(f"{total} msgid(s) without a translation", file=sys.stderr)
        return 1 if total else 0
    added = update_catalogues()
    for msgid in added:
        print(f"new, needs a translation: {msgid!r}")
    print(f"{len(added)} new msgid(s); translate them in " + ", ".join(str(po_path(x)) for x in LANGUAGES[1:]),
          file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
