"""The HTML report in headless Chromium: the script runs, clicking a path
highlights it, and a screenshot of the page is non-trivial."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest

from iamwarden.report import html as html_report

from .chromium import dump_dom, find_chromium, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(find_chromium() is None,
                       reason="Chromium not installed (Debian: apt-get install -y chromium)"),
]


def _png_info(data: bytes) -> tuple[int, int, int]:
    """(width, height, number of distinct byte values in the pixel data)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat, pos = b"", 8
    while pos < len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        kind = data[pos + 4:pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    pixels = zlib.decompress(idat)
    return width, height, len(set(pixels))


def _selftest(page: Path) -> str:
    dom = dump_dom(page, "#selftest")
    m = re.search(r'<html[^>]*data-selftest="([^"]*)"', dom)
    assert m, "the page script did not run: no data-selftest on <html>\n" + dom[:500]
    return m.group(1)


def test_clicking_a_path_highlights_it(tmp_path, sample_result):
    page = tmp_path / "report.html"
    page.write_text(html_report.render(sample_result), encoding="utf-8")
    verdict = _selftest(page)
    # first path: build-helper -> ci-deployer -> lambda-ops -> AdminRole;
    # then the AdminRole node (itself and its 2 neighbours); then the longest path
    assert verdict == "pass path=4n3e node=3n longest=3e", verdict


def test_hostile_result_does_not_run_injected_script(tmp_path, hostile_result):
    page = tmp_path / "hostile.html"
    page.write_text(html_report.render(hostile_result), encoding="utf-8")
    assert _selftest(page).startswith("pass")
    dom = dump_dom(page)
    assert dom.count("<script") == 1  # only ours: the injected one stayed text
    assert "&lt;script&gt;alert" in dom


def test_preselect_with_fragment(tmp_path, sample_result):
    page = tmp_path / "report.html"
    page.write_text(html_report.render(sample_result), encoding="utf-8")
    dom = dump_dom(page, "#path=1")
    assert re.search(r'class="path active" id="path-1"', dom)
    assert len(re.findall(r'class="node [^"]*\bhl\b', dom)) == 4


def test_screenshot(tmp_path, sample_result):
    page = tmp_path / "report.html"
    page.write_text(html_report.render(sample_result), encoding="utf-8")
    shot = tmp_path / "report.png"
    screenshot(page, shot, fragment="#selftest")
    data = shot.read_bytes()
    assert len(data) > 30_000
    width, height, distinct = _png_info(data)
    assert (width, height) == (1400, 1000)
    assert distinct > 100  # text, colours and lines, not a blank page
