"""The HTML report's script writes no text a person reads (docs/i18n.md, "Stays English on purpose").

Every label the report shows is rendered by report/html.py in the chosen language; the script
only moves classes, attributes it copies from the renderer's own elements, and clones
``<template>`` elements. If it starts writing text (``textContent``, ``innerText``, ``innerHTML``,
a ``title`` or ``aria-label``, a dialog), this test fails: that text would need a dictionary
embedded by the renderer for the chosen language.
"""

from __future__ import annotations

import re
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "src" / "iamwarden" / "report" / "assets" / "report.js"

#: ways a browser script puts text in front of a reader
WRITES_TEXT = re.compile(
    r"\.(?:textContent|innerText|innerHTML|outerHTML|placeholder|title)\s*=(?!=)"
    r"|insertAdjacent(?:HTML|Text)|document\.write|createTextNode|\b(?:alert|confirm|prompt)\s*\("
    r"|setAttribute\(\s*[\"'](?:title|aria-label|placeholder|alt)[\"']")


def test_pattern_sees_a_script_that_writes_text() -> None:
    assert WRITES_TEXT.search('panel.textContent = "No path";')
    assert WRITES_TEXT.search("btn.setAttribute('title', 'highlight')")
    assert WRITES_TEXT.search('alert("done")')
    assert not WRITES_TEXT.search('if (a.textContent === "x") {}')


def test_report_script_writes_no_text() -> None:
    code = re.sub(r"//[^\n]*", "", SCRIPT.read_text(encoding="utf-8"))  # comments are for us
    found = [m.group() for m in WRITES_TEXT.finditer(code)]
    assert found == [], f"report.js writes text a reader sees: {found}"
