"""The renderers on real audit results: the bundled demo account and every
conformance account, through ``iamwarden.analysis.audit``."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from iamwarden import LoadError, load_world
from iamwarden.analysis import audit
from iamwarden.report import graph_dot, sarif
from iamwarden.report import html as html_report

from .chromium import dump_dom, find_chromium
from .test_sarif import _validate

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo-account.json"


def _audit(path: Path) -> dict[str, Any]:
    return audit(load_world([str(path)])).to_json()


def _accounts(conformance_dir: Path) -> list[Path]:
    return sorted(p for p in (conformance_dir / "accounts").glob("*.json")
                  if not p.name.endswith(".expected.json"))


def _check_all_formats(result: dict[str, Any]) -> None:
    doc = json.loads(sarif.render(result))
    _validate(doc)
    run = doc["runs"][0]
    assert len(run["results"]) == len(result["findings"])
    page = html_report.render(result)
    for p in result["principals"]:
        assert html_report._e(p["arn"]) in page
    n_paths = sum(min(len(p["paths"]), html_report.MAX_PATHS_SHOWN)
                  + min(len(p.get("uncertain_paths") or []), html_report.MAX_PATHS_SHOWN)
                  for p in result["principals"])
    assert len(re.findall(r'<button type="button" class="path', page)) == n_paths
    src = graph_dot.render(result)
    assert src.count(" -> ") == len({(e["from"], e["to"]) for e in result["edges"]})


def test_demo_account_all_formats():
    result = _audit(DEMO)
    assert result["principals"] and result["findings"]
    _check_all_formats(result)
    run = sarif.to_sarif(result)["runs"][0]
    # the account's source file becomes the physical location GitHub needs
    assert run["artifacts"][0]["location"]["uri"] == "examples/demo-account.json" or \
        run["artifacts"][0]["location"]["uri"].endswith("demo-account.json")
    assert all(r["locations"][0].get("physicalLocation") for r in run["results"])


def test_every_conformance_account_renders(conformance_dir):
    files = _accounts(conformance_dir)
    assert files
    rendered = 0
    for path in files:
        try:
            world = load_world([str(path)])
        except LoadError:  # inputs that are meant to fail loading are not ours to judge
            continue
        _check_all_formats(audit(world).to_json())
        rendered += 1
    assert rendered >= len(files) // 2


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed")
def test_demo_account_svg():
    svg = graph_dot.render_svg(_audit(DEMO))
    assert "<svg" in svg and "AdminRole" in svg


@pytest.mark.e2e
@pytest.mark.skipif(find_chromium() is None, reason="Chromium not installed (apt-get install -y chromium)")
def test_demo_account_page_in_chromium(tmp_path, conformance_dir):
    for path in (DEMO, conformance_dir / "accounts" / "chain-user-roleA-roleB-admin.json"):
        if not path.is_file():
            continue
        page = tmp_path / f"{path.stem}.html"
        page.write_text(html_report.render(_audit(path)), encoding="utf-8")
        dom = dump_dom(page, "#selftest")
        m = re.search(r'data-selftest="([^"]*)"', dom)
        assert m and m.group(1).startswith("pass"), (path.name, m and m.group(1))
