"""DOT and SVG of the escalation graph."""

from __future__ import annotations

import re
import shutil

import pytest

from iamwarden.report import graph_dot
from iamwarden.report.graph_dot import escalation_graph, short_name

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz 'dot' not installed (apt-get install graphviz)")


def test_dot_has_nodes_edges_and_technique_labels(sample_result):
    src = graph_dot.render(sample_result)
    assert src.lstrip("/ \n").startswith("iamwarden escalation graph") or "digraph iamwarden" in src
    assert "rankdir=LR" in src
    assert len(re.findall(r"^\s*n\d+ -> n\d+", src, re.MULTILINE)) == len(sample_result["edges"])
    for tech in ("D03", "D10", "D15", "D16", "P04"):
        assert f"label={tech}" in src or f'label="{tech}' in src


def test_admins_and_escalating_are_highlighted(sample_result):
    src = graph_dot.render(sample_result)
    admin_lines = [ln for ln in src.splitlines() if "class=\"principal admin" in ln]
    assert len(admin_lines) == 3
    for ln in admin_lines:
        assert graph_dot.ADMIN_COLOR in ln and "peripheries=2" in ln
    esc = [ln for ln in src.splitlines() if "class=\"principal escalates" in ln]
    assert len(esc) == 6 and all(graph_dot.ESCALATE_COLOR in ln for ln in esc)


def test_isolated_principals_left_out_unless_asked(sample_result):
    assert "ReadOnly" not in graph_dot.render(sample_result)
    g = escalation_graph(sample_result, include_isolated=True)
    assert "arn:aws:iam::111122223333:role/ReadOnly" in g.nodes


def test_parallel_techniques_merge_into_one_edge():
    a, b = "arn:aws:iam::1:user/a", "arn:aws:iam::1:user/b"
    result = {"edges": [{"from": a, "to": b, "technique": "D05", "reason": "r1"},
                        {"from": a, "to": b, "technique": "D03", "reason": "r2"},
                        {"from": a, "to": b, "technique": "D03", "reason": "r2"}]}
    g = escalation_graph(result)
    assert list(g.edges) == [(a, b)]
    assert g.edges[(a, b)].label == "D03, D05" and g.edges[(a, b)].reasons == ["r1", "r2"]


def test_path_steps_add_edges_missing_from_edge_list(sample_result):
    del sample_result["edges"]
    g = escalation_graph(sample_result)
    assert len(g.edges) == 7  # every edge but ci-deployer -> build-helper lies on a path


@pytest.mark.parametrize("arn,name", [
    ("arn:aws:iam::111122223333:user/alice", "alice"),
    ("arn:aws:iam::111122223333:role/path/to/Deploy", "Deploy"),
    ("arn:aws:iam::111122223333:root", "111122223333:root"),
    ("arn:aws:sts::111122223333:assumed-role/R/session", "R/session"),
    ("lambda.amazonaws.com", "lambda.amazonaws.com"),
])
def test_short_name(arn, name):
    assert short_name(arn) == name


def test_hostile_labels_are_literal(hostile_result):
    src = graph_dot.render(hostile_result)
    # quoted, never an HTML-like <...> label, quotes escaped
    assert re.search(r'label=<', src) is None
    assert '\\"x\\"' in src


def test_backslashes_are_not_dot_escapes():
    arn = "arn:aws:iam::1:user/a\\lb\\N"
    src = graph_dot.render({"principals": [{"arn": arn, "admin": True}]})
    assert "a\\\\lb\\\\N" in src


@needs_dot
def test_svg_via_dot(sample_result):
    svg = graph_dot.render_svg(sample_result)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert svg.count('class="node principal admin') == 3 or svg.count("principal admin") == 3
    assert "AdminRole" in svg and ">D16<" in svg


@needs_dot
def test_svg_escapes_hostile_text(hostile_result):
    svg = graph_dot.render_svg(hostile_result)
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg


@needs_dot
def test_png(sample_result):
    png = graph_dot.render_png(sample_result)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


@needs_dot
def test_empty_graph_still_renders():
    assert "no escalation edges" in graph_dot.render_svg({})


def _calls(fn, *args):
    """Function calls (Python and C) made by ``fn(*args)``: a cost that machine load does not change."""
    import sys

    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        out = fn(*args)
    finally:
        sys.setprofile(None)
    return count, out


def test_large_graph_is_linear():
    """Ten times the principals costs about ten times the work (calls counted, not seconds timed)."""
    from .test_html import _big_result

    small, big = _big_result(600), _big_result(6000)
    small_calls, _ = _calls(graph_dot.render, small)
    big_calls, src = _calls(graph_dot.render, big)
    growth = big_calls / small_calls
    size = len(big["edges"]) / len(small["edges"])
    assert growth < 1.5 * size, f"{big_calls} calls for {len(big['edges'])} edges vs {small_calls} for {len(small['edges'])}"
    assert src.count(" -> ") == len(big["edges"])
