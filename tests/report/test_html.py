"""The HTML report: self-contained, escaped, complete; the layered layout."""

from __future__ import annotations

import copy
import re
import time
from html.parser import HTMLParser
from typing import Any

import pytest

from iamwarden.report import html as html_report
from iamwarden.report.html import MAX_GRAPH_NODES, NODE_H, NODE_W, layout

from .conftest import EVIL


class _Collect(HTMLParser):
    """Tags, ids and attributes as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Collect:
    p = _Collect()
    p.feed(page)
    p.close()
    return p


def _ids(doc: _Collect) -> set[str]:
    return {a["id"] for _, a in doc.tags if a.get("id")}


def test_self_contained_no_network(sample_result):
    page = html_report.render(sample_result)
    assert page.startswith("<!DOCTYPE html>")
    doc = _parse(page)
    tags = [t for t, _ in doc.tags]
    assert "link" not in tags and "iframe" not in tags and "img" not in tags
    for tag, attrs in doc.tags:
        assert "src" not in attrs, tag
        for name, value in attrs.items():
            if name != "xmlns":
                assert not re.match(r"\s*(https?:)?//", value or ""), (tag, value)
    # the only URL-looking strings are XML namespaces
    assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) <= {"http://www.w3.org/2000/svg"}
    assert "@import" not in page
    assert tags.count("script") == 1 and tags.count("style") == 1
    assert "default-src 'none'" in page  # CSP: the page may not fetch anything


def test_untrusted_text_is_escaped(hostile_result):
    page = html_report.render(hostile_result)
    assert EVIL not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    doc = _parse(page)
    assert [t for t, _ in doc.tags].count("script") == 1
    assert page.count("<script") == 1 and page.count("</script") == 1
    # it is still shown, as text, in the table, the findings and the path details
    text = "".join(doc.text)
    assert text.count(EVIL) >= 4
    # and quotes cannot break out of attributes
    for _, attrs in doc.tags:
        for name in attrs:
            assert name.isascii() and not name.startswith("on"), name


def test_script_never_parses_html():
    js = html_report._asset("report.js")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in js
    assert "</script" not in js.lower()


def test_summary_counts(sample_result):
    page = html_report.render(sample_result)
    assert re.search(r'card admin"><div class="num">3<', page)
    assert re.search(r'card escalates"><div class="num">6<', page)
    for sev, n in {"critical": 1, "high": 4, "medium": 1, "low": 1}.items():
        assert f'<span class="badge sev {sev}">{n} {sev}</span>' in page
    assert "1 can-grant-itself, 2 effective-star" in page


def test_principal_table_and_paths(sample_result):
    page = html_report.render(sample_result)
    doc = _parse(page)
    rows = [a for t, a in doc.tags if t == "tr" and "prow" in (a.get("class") or "")]
    assert len(rows) == len(sample_result["principals"])
    # escalating principals first, longest shortest-path first
    assert rows[0]["data-kind"] == "escalates"
    ids = _ids(doc)
    buttons = [a for t, a in doc.tags if t == "button" and "path" in (a.get("class") or "").split()]
    n_paths = sum(len(p["paths"]) for p in sample_result["principals"])
    assert len(buttons) == n_paths
    for b in buttons:
        assert f"detail-{b['data-path']}" in ids
        for nid in b["data-nodes"].split():
            assert nid in ids
        for eid in b["data-edges"].split():
            assert eid in ids
    dave = next(b for b in buttons if b["id"] == "path-1")
    assert len(dave["data-nodes"].split()) == 4 and len(dave["data-edges"].split()) == 3


def test_graph_marks_admins_and_escalating(sample_result):
    doc = _parse(html_report.render(sample_result))
    nodes = {a["id"]: a for t, a in doc.tags if t == "g" and "node" in (a.get("class") or "").split()}
    by_status: dict[str, int] = {}
    for a in nodes.values():
        status = a["class"].split()[1]
        by_status[status] = by_status.get(status, 0) + 1
    assert by_status == {"admin": 3, "escalates": 6}  # bob, AuditRole, ReadOnly have no edges
    edges = [a for t, a in doc.tags if t == "g" and "edge" in (a.get("class") or "").split()]
    assert len(edges) == len(sample_result["edges"])
    for e in edges:
        assert e["data-from"] in nodes and e["data-to"] in nodes
    labels = "".join(doc.text)
    for tech in ("D03", "D10", "D15", "D16", "P04"):
        assert tech in labels


def test_findings_listed_with_fixes(sample_result):
    page = html_report.render(sample_result)
    for f in sample_result["findings"]:
        assert html_report._e(f["message"]) in page
        assert html_report._e(f["fix"]) in page
    order = [m.group(1) for m in re.finditer(r'<li class="finding (\w+)"', page)]
    assert order == sorted(order, key=["critical", "high", "medium", "low"].index)


def test_path_details_carry_statements(sample_result):
    page = html_report.render(sample_result)
    m = re.search(r'<template id="detail-1">(.*?)</template>', page, re.DOTALL)
    assert m
    detail = m.group(1)
    assert "Assume a role" in detail and "New Lambda function" in detail
    assert "policy/CiDeploy · statement 1 · Sid PassToLambda · Allow" in detail


def test_empty_and_sparse_results():
    page = html_report.render({})
    assert "nothing to draw" in page and "No findings." in page
    page = html_report.render({"principals": [{"arn": "arn:aws:iam::1:user/x"}],
                               "findings": [{"id": "IW1", "arn": "arn:aws:iam::1:user/x",
                                             "message": "m", "severity": "weird"}],
                               "edges": [{"from": "arn:aws:iam::1:user/x",
                                          "to": "arn:aws:iam::2:root", "technique": "D15"}]})
    assert "2:root" in page and 'badge sev medium' in page


def test_render_is_deterministic(sample_result):
    assert html_report.render(sample_result) == html_report.render(copy.deepcopy(sample_result))


# ------------------------------------------------------------------ layout


def _overlaps(lay: Any) -> list[tuple[str, str]]:
    boxes = sorted(lay.pos.items(), key=lambda kv: kv[1])
    bad = []
    for i, (a, (ax, ay)) in enumerate(boxes):
        for b, (bx, by) in boxes[i + 1:]:
            if abs(ax - bx) < NODE_W and abs(ay - by) < NODE_H:
                bad.append((a, b))
    return bad


def test_layout_layers_follow_edges_and_never_overlap():
    nodes = list("abcdefg")
    edges = [("a", "b"), ("b", "c"), ("c", "d"), ("e", "d"), ("f", "f"), ("c", "g"), ("g", "c")]
    lay = layout(nodes, edges)
    assert lay.rank["a"] < lay.rank["b"] < lay.rank["c"] < lay.rank["d"]
    assert lay.rank["e"] == lay.rank["d"] - 1  # a lone source sits next to its target
    assert not _overlaps(lay)
    assert all(0 <= x <= lay.width - NODE_W and 0 <= y <= lay.height - NODE_H
               for x, y in lay.pos.values())
    assert layout(nodes, edges) == lay  # deterministic


def test_layout_survives_cycles_and_big_graphs():
    n = 400
    nodes = [f"n{i}" for i in range(n)]
    edges = [(f"n{i}", f"n{(i * 7 + 3) % n}") for i in range(n)] + [
        (f"n{i}", f"n{i + 1}") for i in range(n - 1)]
    start = time.perf_counter()
    lay = layout(nodes, edges)
    assert time.perf_counter() - start < 5
    assert set(lay.pos) == set(nodes) and not _overlaps(lay)


def _big_result(n: int) -> dict[str, Any]:
    acct = "arn:aws:iam::111122223333:"
    principals = [{"arn": f"{acct}user/u{i}", "type": "user", "admin": False,
                   "can_escalate": i % 3 == 0, "paths": []} for i in range(n)]
    principals.append({"arn": f"{acct}role/Admin", "type": "role", "admin": True,
                       "admin_kind": "effective-star", "can_escalate": False, "paths": []})
    edges = []
    for i in range(0, n, 3):
        step = {"from": f"{acct}user/u{i}", "to": f"{acct}role/Admin", "technique": "D15",
                "technique_name": "Assume a role", "reason": "trust"}
        edges.append(step)
        principals[i]["paths"] = [{"steps": [step]}]
    for i in range(1, n, 3):
        edges.append({"from": f"{acct}user/u{i}", "to": f"{acct}user/u{i + 1}",
                      "technique": "D05", "reason": "r"})
    return {"accounts": ["111122223333"], "principals": principals, "edges": edges,
            "findings": [{"id": "IW005", "severity": "high", "arn": f"{acct}user/u{i}",
                          "message": "m", "fix": "f"} for i in range(0, n, 3)]}


def test_large_result_caps_the_graph_but_lists_everyone():
    result = _big_result(3000)
    start = time.perf_counter()
    page = html_report.render(result)
    elapsed = time.perf_counter() - start
    assert elapsed < 10, elapsed
    assert f"The graph shows {MAX_GRAPH_NODES} of" in page
    doc = _parse(page)
    drawn = [a for t, a in doc.tags if t == "g" and "node" in (a.get("class") or "").split()]
    assert len(drawn) == MAX_GRAPH_NODES
    assert any("admin" in a["class"] for a in drawn)
    rows = [a for t, a in doc.tags if t == "tr" and "prow" in (a.get("class") or "")]
    assert len(rows) == 3001


def test_many_paths_are_cut_to_the_shortest(sample_result):
    dave = next(p for p in sample_result["principals"] if p["arn"].endswith("user/dave"))
    dave["paths"] = dave["paths"] * 9
    page = html_report.render(sample_result)
    assert f"and {9 - html_report.MAX_PATHS_SHOWN} more" in page


@pytest.mark.parametrize("arn", ["not-an-arn", "arn:aws:iam::1:user/a/b/c", "arn:aws:sts::1:assumed-role/R/s"])
def test_odd_arns_render(arn):
    page = html_report.render({"principals": [{"arn": arn, "admin": True}]})
    assert html_report._e(arn) in page
