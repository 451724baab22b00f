"""Audit results as one self-contained HTML page (no CDN, no network, works offline).

The page has a summary (admins, who can escalate, findings by severity), the
escalation graph as inline SVG with a layered layout computed here, a table of
principals with their paths, the findings with their fixes, and a side panel
that explains the selected path hop by hop (technique, reason, deciding
statements). Clicking a path, a row or a node highlights that path's nodes and
edges. CSS and JS come from ``report/assets/`` and are inlined.

Every string from the result is untrusted (ARNs, messages, reasons, policy
names): it is written only through :func:`html.escape`; the script reads only
ids this module generates, and fills the side panel by cloning ``<template>``
elements, never through ``innerHTML``.

Opening the page with ``#selftest`` makes it click through a path and a node and
record the outcome in ``<html data-selftest="pass ...">`` (used by the browser
test); ``#path=N`` preselects the N-th path button.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ..analysis.hop_text import hop_text, note_text
from ..i18n import N_, Translator, translator
from .decision_text import decision_message
from .graph_dot import (
    EscalationGraph,
    GraphNode,
    account_ids,
    escalation_graph,
    input_sources,
    short_name,
)
from .html_org import organization_section

__all__ = ["MAX_GRAPH_NODES", "MAX_PATHS_SHOWN", "Layout", "layout", "render"]

MAX_GRAPH_NODES = 300
MAX_PATHS_SHOWN = 5
SEVERITIES = ("critical", "high", "medium", "low")

NODE_W, NODE_H = 184, 48
COL_GAP, ROW_GAP = 120, 30
LOOP_ROOM = 40
_ARROW_COLOURS = {"plain": "#9aa3af", "escalates": "#e8590c", "admin": "#c62828", "hl": "#1565c0"}
PAD = 48


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _asset(name: str) -> str:
    return resources.files("iamwarden.report").joinpath("assets", name).read_text(encoding="utf-8")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- layout


@dataclass(slots=True)
class Layout:
    """Node boxes (top-left x, y) and the size of the drawing."""

    pos: dict[str, tuple[float, float]]
    rank: dict[str, int]
    width: float
    height: float


def layout(nodes: list[str], edges: list[tuple[str, str]]) -> Layout:
    """Layered (Sugiyama-style) layout, left to right.

    Cycles are broken by reversing DFS back edges; each node goes one layer right
    of its furthest predecessor; a few barycenter sweeps order each layer to cut
    crossings. Linear-ish in nodes and edges; deterministic for the same input.
    """
    index = {n: i for i, n in enumerate(nodes)}
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for s, t in edges:
        if s != t and s in succ and t in succ and t not in succ[s]:
            succ[s].append(t)

    # 1. break cycles: iterative DFS, edges into the current stack are back edges
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}
    for root in nodes:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            u, it = stack[-1]
            for v in it:
                if state.get(v) == 1:
                    back.add((u, v))
                elif v not in state:
                    state[v] = 1
                    stack.append((v, iter(succ[v])))
                    break
            else:
                state[u] = 2
                stack.pop()
    dag_succ = {u: [v for v in vs if (u, v) not in back] for u, vs in succ.items()}
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    for u, vs in dag_succ.items():
        for v in vs:
            preds[v].append(u)

    # 2. longest-path layering (Kahn order)
    indeg = {n: len(preds[n]) for n in nodes}
    ready = [n for n in nodes if indeg[n] == 0]
    rank = {n: 0 for n in nodes}
    i = 0
    while i < len(ready):
        u = ready[i]
        i += 1
        for v in dag_succ[u]:
            rank[v] = max(rank[v], rank[u] + 1)
            indeg[v] -= 1
            if indeg[v] == 0:
                ready.append(v)

    # sources move right next to their nearest successor, so that a user who can
    # assume one admin role does not draw a long edge across the whole picture
    for n in nodes:
        if not preds[n] and dag_succ[n]:
            rank[n] = max(rank[n], min(rank[v] for v in dag_succ[n]) - 1)

    # 3. order within layers: barycenter sweeps over all (undirected) neighbours
    layers: dict[int, list[str]] = {}
    for n in nodes:
        layers.setdefault(rank[n], []).append(n)
    neighbours: dict[str, list[str]] = {n: [] for n in nodes}
    for u, vs in succ.items():
        for v in vs:
            neighbours[u].append(v)
            neighbours[v].append(u)
    order = {n: float(k) for layer in layers.values() for k, n in enumerate(layer)}
    ranks = sorted(layers)
    for sweep in range(6):
        seq = ranks if sweep % 2 == 0 else list(reversed(ranks))
        for r in seq:
            side = r - 1 if sweep % 2 == 0 else r + 1
            layer = layers[r]

            def key(n: str, side: int = side) -> tuple[float, int]:
                adj = [order[m] for m in neighbours[n] if rank[m] == side]
                return (sum(adj) / len(adj) if adj else order[n], index[n])

            layer.sort(key=key)
            for k, n in enumerate(layer):
                order[n] = float(k)

    # 4. coordinates: layers centred vertically; a node with a self-loop gets room above
    looped = {s for s, t in edges if s == t}

    def slot(n: str) -> float:
        return NODE_H + ROW_GAP + (LOOP_ROOM if n in looped else 0)

    heights = {r: sum(slot(n) for n in layer) - ROW_GAP for r, layer in layers.items()}
    tallest = max(heights.values(), default=0.0)
    pos: dict[str, tuple[float, float]] = {}
    for r, layer in layers.items():
        y = PAD + (tallest - heights[r]) / 2
        for n in layer:
            y += LOOP_ROOM if n in looped else 0
            pos[n] = (PAD + r * (NODE_W + COL_GAP), y)
            y += NODE_H + ROW_GAP
    width = PAD * 2 + (max(ranks, default=0) + 1) * (NODE_W + COL_GAP) - COL_GAP
    height = PAD * 2 + tallest + 40
    return Layout(pos, rank, max(width, 320), max(height, 160))


def _edge_geometry(lay: Layout, s: str, t: str) -> tuple[str, float, float]:
    """SVG path data and a label anchor for an edge from s to t."""
    sx, sy = lay.pos[s]
    tx, ty = lay.pos[t]
    if s == t:  # self-escalation: a loop over the node
        x0, x1, y = sx + NODE_W * 0.38, sx + NODE_W * 0.62, sy
        loop = (f"M{x0:.1f},{y:.1f} C{x0 - 14:.1f},{y - 46:.1f} {x1 + 14:.1f},{y - 46:.1f} "
                f"{x1:.1f},{y:.1f}")
        return loop, sx + NODE_W / 2, y - 40
    if lay.rank[t] > lay.rank[s]:  # forward: right side to left side
        p0 = (sx + NODE_W, sy + NODE_H / 2)
        p3 = (tx, ty + NODE_H / 2)
        d = max(40.0, (p3[0] - p0[0]) / 2)
        p1, p2 = (p0[0] + d, p0[1]), (p3[0] - d, p3[1])
    elif lay.rank[t] == lay.rank[s]:  # same layer: bulge out to the right
        p0 = (sx + NODE_W, sy + NODE_H / 2)
        p3 = (tx + NODE_W, ty + NODE_H / 2)
        bulge = 40 + abs(ty - sy) * 0.25
        p1, p2 = (p0[0] + bulge, p0[1]), (p3[0] + bulge, p3[1])
    else:  # back edge: under both nodes
        p0 = (sx + NODE_W / 2, sy + NODE_H)
        p3 = (tx + NODE_W / 2, ty + NODE_H)
        drop = 34 + abs(sx - tx) * 0.12
        low = max(p0[1], p3[1]) + drop
        p1, p2 = (p0[0], low), (p3[0], low)
    lx = (p0[0] + 3 * p1[0] + 3 * p2[0] + p3[0]) / 8
    ly = (p0[1] + 3 * p1[1] + 3 * p2[1] + p3[1]) / 8
    curve = (f"M{p0[0]:.1f},{p0[1]:.1f} C{p1[0]:.1f},{p1[1]:.1f} {p2[0]:.1f},{p2[1]:.1f} "
             f"{p3[0]:.1f},{p3[1]:.1f}")
    return curve, lx, ly


# --------------------------------------------------------------------------- model


def _status_words(n: GraphNode) -> str:
    if n.admin:
        return "★ admin" + (f" · {n.admin_kind}" if n.admin_kind else "")
    if n.can_escalate:
        return f"{n.type} · can escalate"
    if n.uncertain:
        return f"{n.type} · may escalate"
    return n.type


def _graph_subset(g: EscalationGraph) -> tuple[list[str], list[tuple[str, str]], int]:
    """Which nodes to draw: all, or the most important MAX_GRAPH_NODES of them."""
    nodes = list(g.nodes)
    total = len(nodes)
    if total > MAX_GRAPH_NODES:
        weight = {"admin": 0, "escalates": 1, "plain": 2}
        first_seen = {a: i for i, a in enumerate(nodes)}
        ranked = sorted(nodes, key=lambda a: (weight[g.nodes[a].status], first_seen[a]))
        keep = set(ranked[:MAX_GRAPH_NODES])
        nodes = [a for a in g.nodes if a in keep]
    kept = set(nodes)
    edges = [k for k in g.edges if k[0] in kept and k[1] in kept]
    return nodes, edges, total


# --------------------------------------------------------------------------- pieces


def _svg(g: EscalationGraph, nodes: list[str], edges: list[tuple[str, str]],
         node_id: dict[str, str], edge_id: dict[tuple[str, str], str],
         row_of: dict[str, str], detail_of: dict[str, str], _: Translator | None = None) -> str:
    _ = _ or translator()
    lay = layout(nodes, edges)
    multi_account = g.multi_account
    out = [
        (f'<svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" '
         f'aria-label="{_e(_("Escalation graph"))}" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" '
         f'data-width="{lay.width:.0f}" data-height="{lay.height:.0f}">'),
        "<defs>",
    ]
    for kind, colour in _ARROW_COLOURS.items():
        out.append(f'<marker id="arrow-{kind}" class="arrow {kind}" viewBox="0 0 10 10" refX="9" '
                   'refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" '
                   f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/>'
                   "</marker>")
    out.append("</defs>")
    out.append('<g id="viewport">')
    out.append('<g class="edges">')
    labels = []
    for key in edges:
        e = g.edges[key]
        s, t = key
        kind = g.nodes[t].status
        d, lx, ly = _edge_geometry(lay, s, t)
        title = _e(f"{short_name(s)} → {short_name(t)}: {e.label}"
                   + ("\n" + "\n".join(_.text(hop_text(r)) for r in e.reasons) if e.reasons else ""))
        kind += " uncertain" if e.uncertain else ""
        out.append(f'<g class="edge {kind}" id="{edge_id[key]}" data-from="{node_id[s]}" '
                   f'data-to="{node_id[t]}"><title>{title}</title>'
                   f'<path d="{d}" marker-end="url(#arrow-{g.nodes[t].status})"/></g>')
        labels.append(f'<text class="elabel" data-edge="{edge_id[key]}" x="{lx:.1f}" '
                      f'y="{ly + 4:.1f}">{_e(_clip(e.label, 28))}</text>')
    out.append("</g>")
    out.append('<g class="nodes">')
    for arn in nodes:
        n = g.nodes[arn]
        x, y = lay.pos[arn]
        row = f' data-row="{row_of[arn]}"' if arn in row_of else ""
        row += f' data-detail="{detail_of[arn]}"' if arn in detail_of else ""
        rx = 22 if n.type == "role" else 5
        label = n.name if not multi_account else f"{n.name} ({n.account})"
        out.append(
            f'<g class="node {n.status}{" uncertain" if n.uncertain else ""} t-{_e(n.type)}" '
            f'id="{node_id[arn]}"{row} tabindex="0" '
            f'transform="translate({x:.1f},{y:.1f})"><title>{_e(arn)}</title>'
            f'<rect width="{NODE_W}" height="{NODE_H}" rx="{rx}"/>'
            + (f'<rect class="ring" x="-4" y="-4" width="{NODE_W + 8}" height="{NODE_H + 8}" '
               f'rx="{rx + 4}"/>' if n.admin else "")
            + f'<text class="nname" x="{NODE_W / 2}" y="20">{_e(_clip(label, 24))}</text>'
            f'<text class="nsub" x="{NODE_W / 2}" y="37">{_e(_clip(_status_words(n), 30))}</text>'
            "</g>")
    out.append("</g>")
    out.append('<g class="elabels">' + "".join(labels) + "</g>")
    out.append("</g></svg>")
    return "".join(out)


def _badge(kind: str, text: str) -> str:
    return f'<span class="badge {kind}">{_e(text)}</span>'


def _path_button(path_no: int, steps: list[dict[str, Any]], node_id: dict[str, str],
                 edge_id: dict[tuple[str, str], str], uncertain: bool = False, _: Translator | None = None) -> str:
    _ = _ or translator()
    arns = [str(steps[0].get("from", ""))] + [str(s.get("to", "")) for s in steps]
    nids = sorted({node_id[a] for a in arns if a in node_id}, key=lambda s: int(s[1:]))
    eids = sorted({edge_id[(str(s.get("from", "")), str(s.get("to", "")))] for s in steps
                   if (str(s.get("from", "")), str(s.get("to", ""))) in edge_id},
                  key=lambda s: int(s[1:]))
    parts = [f'<span class="hop">{_e(short_name(arns[0]))}</span>']
    for s in steps:
        parts.append(f'<span class="tech">{_e(s.get("technique") or "?")}</span>'
                     f'<span class="hop">{_e(short_name(str(s.get("to", ""))))}</span>')
    if uncertain:
        parts.append(f'<span class="unc">{_e(_("uncertain"))}</span>')
    cls = "path uncertain" if uncertain else "path"
    title = _.ngettext("{n} step: highlight in the graph", "{n} steps: highlight in the graph", len(steps))
    return (f'<button type="button" class="{cls}" id="path-{path_no}" data-path="{path_no}" '
            f'data-nodes="{" ".join(nids)}" data-edges="{" ".join(eids)}" '
            f'title="{_e(title)}">'
            + "".join(parts) + "</button>")


def _statement_text(st: dict[str, Any], _: Translator | None = None) -> str:
    _ = _ or translator()
    bits = [str(st["policy_type"])] if st.get("policy_type") else []
    bits.append(str(st.get("policy") or "policy"))
    if st.get("statement") is not None:
        bits.append(_("statement {statement}", statement=st.get("statement")))
    if st.get("sid"):
        bits.append(f"Sid {st.get('sid')}")
    if st.get("effect"):
        bits.append(str(st.get("effect")))
    text = " · ".join(bits)
    return text + (": " + decision_message(st["message"], _) if st.get("message") else "")


def _path_template(path_no: int, principal: dict[str, Any], steps: list[dict[str, Any]],
                   uncertain: bool = False, _: Translator | None = None) -> str:
    _ = _ or translator()
    arn = str(principal.get("arn", ""))
    who = short_name(arn)
    title = _("Uncertain path of {name}", name=who) if uncertain else _("Path of {name}", name=who)
    out = [(f'<template id="detail-{path_no}"><h3>{_e(title)}</h3>'
            f'<p class="muted arn">{_e(arn)}</p><ol class="steps">')]
    for s in steps:
        tech = s.get("technique") or "?"
        out.append(
            f'<li><div class="stephead"><span class="tech">{_e(tech)}</span> '
            f'<b>{_e(_.gettext(s.get("technique_name") or tech))}</b></div>'
            f'<div class="fromto"><span>{_e(short_name(str(s.get("from", ""))))}</span> → '
            f'<span>{_e(short_name(str(s.get("to", ""))))}</span></div>'
            f'<div class="reason">{_e(_.text(hop_text(str(s["reason"]))) if s.get("reason") else "")}</div>')
        if s.get("uncertain"):
            note = _.text(note_text(s["uncertain"])) if isinstance(s["uncertain"], str) else _("depends on resources")
            out.append(f'<div class="unc">{_e(_("uncertain: {why}", why=note))}</div>')
        stmts = [st for st in s.get("statements") or [] if isinstance(st, dict)]
        if stmts:
            out.append('<ul class="stmts">' + "".join(
                f"<li>{_e(_statement_text(st, _))}</li>" for st in stmts) + "</ul>")
        out.append("</li>")
    out.append("</ol></template>")
    return "".join(out)


def _node_template(tid: str, p: dict[str, Any] | None, n: GraphNode | None, arn: str,
                   findings: list[dict[str, Any]], _: Translator | None = None) -> str:
    _ = _ or translator()
    status = []
    if (p or {}).get("admin") or (n and n.admin):
        kind = (p or {}).get("admin_kind") or (n.admin_kind if n else None)
        status.append(_badge("admin", _("admin") + (f" · {kind}" if kind else "")))
    if (p or {}).get("can_escalate") or (n and n.can_escalate):
        status.append(_badge("escalates", _("can escalate")))
    elif (p or {}).get("uncertain") or (n and n.uncertain):
        status.append(_badge("uncertain", _("may escalate")))
    if not status:
        status.append(_badge("plain", _("no escalation path")))
    out = [(f'<template id="{tid}"><h3>{_e(short_name(arn))}</h3>'
            f'<p class="muted arn">{_e(arn)}</p><p>{"".join(status)}</p>')]
    if findings:
        out.append("<ul class=\"nfind\">" + "".join(
            f'<li>{_badge("sev " + _sev(f), _sev(f))} {_e(f.get("message") or f.get("id"))}</li>'
            for f in findings) + "</ul>")
    out.append("</template>")
    return "".join(out)


#: the severities as the report shows them, marked for translation
_SEVERITY_WORDS = (N_("critical"), N_("high"), N_("medium"), N_("low"))


def _sev(f: dict[str, Any]) -> str:
    s = str(f.get("severity") or "medium").lower()
    return s if s in SEVERITIES else "medium"


def _principal_order(p: dict[str, Any]) -> tuple[int, int, str]:
    group = 0 if p.get("can_escalate") and not p.get("admin") else 1 if p.get("admin") else 2
    shortest = min((len(x.get("steps") or []) for x in p.get("paths") or []), default=0)
    return (group, -shortest, short_name(str(p.get("arn", ""))).lower())


# --------------------------------------------------------------------------- page


def render(result: dict[str, Any], lang: str = "en") -> str:
    """The whole report as one HTML document (a str), its words in ``lang`` (the findings as
    ``result`` holds them: ``AuditResult.to_json(translator(lang))`` translates those)."""
    _ = translator(lang)
    principals = [p for p in result.get("principals") or [] if isinstance(p, dict) and p.get("arn")]
    findings = [f for f in result.get("findings") or [] if isinstance(f, dict)]
    accounts = account_ids(result)
    g = escalation_graph(result)
    nodes, edges, total_nodes = _graph_subset(g)
    node_id = {arn: f"n{i}" for i, arn in enumerate(nodes)}
    edge_id = {key: f"e{i}" for i, key in enumerate(edges)}

    principals = sorted(principals, key=_principal_order)
    row_of = {str(p["arn"]): f"p{i}" for i, p in enumerate(principals)}
    findings_of: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        findings_of.setdefault(str(f.get("arn", "")), []).append(f)

    admins = [p for p in principals if p.get("admin")]
    escalating = [p for p in principals if p.get("can_escalate") and not p.get("admin")]
    sev_count = {s: sum(1 for f in findings if _sev(f) == s) for s in SEVERITIES}

    templates: list[str] = []
    rows: list[str] = []
    detail_of: dict[str, str] = {}
    path_no = 0
    for i, p in enumerate(principals):
        arn = str(p["arn"])
        n = g.nodes.get(arn)
        tid = f"node-{i}"
        detail_of[arn] = tid
        templates.append(_node_template(tid, p, n, arn, findings_of.get(arn, []), _))
        status = []
        if p.get("admin"):
            status.append(_badge("admin", _("admin") + (f" · {p['admin_kind']}"
                                                        if p.get("admin_kind") else "")))
        if p.get("can_escalate"):
            status.append(_badge("escalates", _("can escalate") + (
                _(" (self)") if p.get("escalation") == "self" else "")))
        elif p.get("uncertain"):
            status.append(_badge("uncertain", _("may escalate")))
        buttons = []
        for key, uncertain in (("paths", False), ("uncertain_paths", True)):
            paths = sorted((x for x in p.get(key) or [] if x.get("steps")),
                           key=lambda x: len(x["steps"]))
            for x in paths[:MAX_PATHS_SHOWN]:
                buttons.append(_path_button(path_no, x["steps"], node_id, edge_id, uncertain, _))
                templates.append(_path_template(path_no, p, x["steps"], uncertain, _))
                path_no += 1
            if len(paths) > MAX_PATHS_SHOWN:
                more = len(paths) - MAX_PATHS_SHOWN
                buttons.append('<span class="muted">' + _e(_("and {n} more uncertain", n=more) if uncertain
                                                           else _("and {n} more", n=more)) + "</span>")
        nf = findings_of.get(arn, [])
        worst = min((SEVERITIES.index(_sev(f)) for f in nf), default=None)
        fcell = (f'<span class="badge sev {SEVERITIES[worst]}">{len(nf)}</span>'
                 if worst is not None else '<span class="muted">–</span>')
        kind = ("admin" if p.get("admin") else "escalates" if p.get("can_escalate")
                else "uncertain" if p.get("uncertain") else "plain")
        rows.append(
            f'<tr id="{row_of[arn]}" class="prow {kind}" data-node="{node_id.get(arn, "")}" '
            f'data-detail="{tid}" data-kind="{kind}">'
            f'<td class="who"><b>{_e(short_name(arn))}</b><div class="muted arn">{_e(arn)}</div></td>'
            f'<td>{_e(p.get("type") or (g.nodes[arn].type if arn in g.nodes else ""))}</td>'
            f'<td>{"".join(status) or "<span class=muted>–</span>"}</td>'
            f'<td><div class="paths">{"".join(buttons) or "<span class=muted>–</span>"}</div></td>'
            f"<td>{fcell}</td></tr>")

    # nodes that are not principals of the result (e.g. other accounts) get a panel too
    for arn in nodes:
        if arn not in row_of:
            detail_of[arn] = f"node-x{node_id[arn]}"
            templates.append(_node_template(detail_of[arn], None, g.nodes[arn], arn,
                                            findings_of.get(arn, []), _))

    svg = _svg(g, nodes, edges, node_id, edge_id, row_of, detail_of, _)

    finding_items = []
    for f in sorted(findings, key=lambda f: (SEVERITIES.index(_sev(f)), str(f.get("id")),
                                             str(f.get("arn")))):
        arn = str(f.get("arn", ""))
        target = f' data-row="{row_of[arn]}"' if arn in row_of else ""
        finding_items.append(
            f'<li class="finding {_sev(f)}"{target}>'
            f'<div class="fhead">{_badge("sev " + _sev(f), _sev(f))} '
            f'<code>{_e(f.get("id"))}</code> '
            f'<button type="button" class="linkish who-link"{target}>{_e(short_name(arn))}</button>'
            f'<span class="muted arn">{_e(arn)}</span></div>'
            f'<p class="fmsg">{_e(f.get("message"))}</p>'
            + (f'<p class="ffix"><b>{_e(_("Fix:"))}</b> {_e(f.get("fix"))}</p>' if f.get("fix") else "")
            + _trust_detail(f, _)
            + "</li>")

    def names(ps: list[dict[str, Any]], limit: int = 8) -> str:
        shown = ", ".join(_e(short_name(str(p["arn"]))) for p in ps[:limit])
        return _("{names} and {n} more", names=shown, n=len(ps) - limit) if len(ps) > limit else shown

    kinds: dict[str, int] = {}
    for p in admins:
        k = str(p.get("admin_kind") or "admin")
        kinds[k] = kinds.get(k, 0) + 1
    kind_text = ", ".join(f"{v} {_e(k)}" for k, v in sorted(kinds.items()))
    graph_note = ""
    if total_nodes > len(nodes):
        graph_note = ('<p class="note">' + _e(_("The graph shows {shown} of {total} principals "
                                                 "(admins and principals that can escalate first).",
                                                 shown=len(nodes), total=total_nodes)) + "</p>")
    if not nodes:
        graph_note = '<p class="note">' + _e(_("No escalation edges and no admins: nothing to draw.")) + "</p>"
    meta = []
    if result.get("generated_at"):
        meta.append(_e(_("generated {time}", time=result["generated_at"])))
    srcs = [s["uri"] for s in input_sources(result)]
    if srcs:
        shown_srcs = ", ".join(srcs[:5])
        meta.append(_e(_("from {files} and {n} more", files=shown_srcs, n=len(srcs) - 5) if len(srcs) > 5
                       else _("from {files}", files=shown_srcs)))
    errors = [str(x) for x in result.get("errors") or []]
    error_box = ""
    if errors:
        error_box = ('<section class="errors"><b>' + _e(_("Problems while reading the input")) + "</b><ul>"
                     + "".join(f"<li>{_e(x)}</li>" for x in errors[:50])
                     + (f"<li>{_e(_('and {n} more', n=len(errors) - 50))}</li>" if len(errors) > 50 else "")
                     + "</ul></section>")
    uncertain_n = sum(1 for p in principals if p.get("uncertain") and not p.get("can_escalate")
                      and not p.get("admin"))

    sev_chips = "".join(
        f'<span class="badge sev {s}">{sev_count[s]} {_e(_(s))}</span>' for s in SEVERITIES)
    account_list = ", ".join(f"<code>{_e(a)}</code>" for a in accounts) or "–"
    meta_text = (" · " + " · ".join(meta)) if meta else ""
    principals_lbl = _e(_.ngettext("principal", "principals", len(principals)))
    n_users = sum(1 for p in principals if p.get("type") == "user")
    n_roles = sum(1 for p in principals if p.get("type") == "role")
    may_note = ('<div class="sub">' + _e(_("and {n} may escalate through existing resources", n=uncertain_n))
                + "</div>" if uncertain_n else "")
    t = {k: _e(v) for k, v in {
        "admin": _("admin"), "can_escalate": _("can escalate"), "other": _("other"), "user": _("user"),
        "role": _("role"), "labels": _("labels: technique IDs"), "zoom_in": _("Zoom in"), "zoom_out": _("Zoom out"),
        "fit_title": _("Fit"), "fit": _("fit"), "clear_title": _("Clear selection (Esc)"), "clear": _("clear"),
        "no_findings": _("No findings."), "audit_report": _("audit report"),
        "accounts": _.ngettext("Account", "Accounts", len(accounts)),
        "users": _.ngettext("{n} user", "{n} users", n_users), "roles": _.ngettext("{n} role", "{n} roles", n_roles),
        "admins": _.ngettext("admin", "admins", len(admins)), "none": _("none"),
        "escalate_to_admin": _("can escalate to admin"), "nobody": _("nobody"),
        "findings_lbl": _.ngettext("finding", "findings", len(findings)), "graph": _("Escalation graph"),
        "explore": _("Explore"),
        "explore_text": _("Click a node, a row or a path in the table to highlight how that principal reaches "
                          "admin. Each hop shows its technique, the reason and the statements that decide it."),
        "explore_keys": _("Drag to pan, scroll to zoom, Esc to clear."), "principals": _("Principals"),
        "filter": _("Filter by name or ARN"), "filter_label": _("Filter principals"),
        "only_risky": _("only admins and principals that can escalate"), "principal": _("Principal"),
        "type": _("Type"), "status": _("Status"), "shortest": _("Shortest paths to admin (click to highlight)"),
        "findings": _("Findings"), "footer": _("iamwarden — offline AWS IAM privilege-escalation analysis."),
        "footer2": _("Technique IDs refer to the iamwarden privilege-escalation catalog."),
        "title": _("iamwarden audit — {accounts}", accounts=", ".join(accounts) or _("no account")),
    }.items()}
    legend = (f'<span class="sw admin"></span>{t["admin"]} <span class="sw escalates"></span>{t["can_escalate"]} '
              f'<span class="sw plain"></span>{t["other"]} <span class="sep">|</span> '
              f'<span class="sw box"></span>{t["user"]} <span class="sw pill"></span>{t["role"]} '
              f'<span class="sep">|</span> {t["labels"]}')
    tools = (f'<button type="button" id="zoom-in" title="{t["zoom_in"]}">+</button>'
             f'<button type="button" id="zoom-out" title="{t["zoom_out"]}">−</button>'
             f'<button type="button" id="zoom-reset" title="{t["fit_title"]}">{t["fit"]}</button>'
             f'<button type="button" id="clear" title="{t["clear_title"]}">{t["clear"]}</button>')
    findings_html = "".join(finding_items) or f'<li class="muted">{t["no_findings"]}</li>'
    body = f"""
<header>
  <div class="brand"><span class="logo">◆</span> iamwarden <span class="muted">{t["audit_report"]}</span></div>
  <div class="meta">{t["accounts"]}: {account_list}{meta_text}</div>
</header>
<main>
{error_box}
<section class="cards">
  <div class="card"><div class="num">{len(principals)}</div><div class="lbl">{principals_lbl}</div>
    <div class="sub">{t["users"]} · {t["roles"]}</div></div>
  <div class="card admin"><div class="num">{len(admins)}</div><div class="lbl">{t["admins"]}</div>
    <div class="sub">{kind_text or t["none"]}</div><div class="names">{names(admins)}</div></div>
  <div class="card escalates"><div class="num">{len(escalating)}</div>
    <div class="lbl">{t["escalate_to_admin"]}</div>
    <div class="names">{names(escalating) or t["nobody"]}</div>{may_note}</div>
  <div class="card"><div class="num">{len(findings)}</div><div class="lbl">{t["findings_lbl"]}</div>
    <div class="sevs">{sev_chips}</div></div>
</section>
<section class="graphwrap">
  <div class="graphpanel">
    <div class="toolbar"><b>{t["graph"]}</b>
      <span class="legend">{legend}</span>
      <span class="tools">{tools}</span></div>
    {graph_note}
    <div class="svgbox">{svg}</div>
  </div>
  <aside id="panel" aria-live="polite"><div id="panel-body"><h3>{t["explore"]}</h3>
    <p>{t["explore_text"]}</p>
    <p class="muted">{t["explore_keys"]}</p></div></aside>
</section>
<section>
  <h2>{t["principals"]}</h2>
  <div class="filters">
    <input id="filter" type="search" placeholder="{t["filter"]}" aria-label="{t["filter_label"]}">
    <label><input type="checkbox" id="only-risky"> {t["only_risky"]}</label>
  </div>
  <table id="principals"><thead><tr><th>{t["principal"]}</th><th>{t["type"]}</th><th>{t["status"]}</th>
    <th>{t["shortest"]}</th><th>{t["findings"]}</th></tr></thead>
  <tbody>{"".join(rows)}</tbody></table>
</section>
{organization_section(result, _)}
<section>
  <h2>{t["findings"]}</h2>
  <ol class="findings">{findings_html}</ol>
</section>
{_outside_section(result, _)}
</main>
<footer class="muted">{t["footer"]}
{t["footer2"]}</footer>
{"".join(templates)}
"""
    return (
        f"<!DOCTYPE html>\n<html lang=\"{_e(_.lang)}\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{t['title']}</title>"
        f"<style>{_asset('report.css')}</style></head><body>{body}"
        f"<script>{_asset('report.js')}</script></body></html>\n"
    )


def _trust_detail(f: dict[str, Any], _: Translator) -> str:
    """A trust finding's statement, who gets in and corrected statement (analysis.trust_checks)."""
    out = []
    st = f.get("statement")
    if isinstance(st, dict) and st.get("policy"):
        sid = f" ({st['sid']})" if st.get("sid") else ""
        where = _e(_("{policy} statement {index}{sid}", policy="\0", index=st.get("statement"), sid=sid))
        out.append(f'<p class="fstmt"><b>{_e(_("Statement:"))}</b> '
                   + where.replace("\0", f"<code>{_e(st['policy'])}</code>") + "</p>")
    if f.get("who"):
        out.append(f'<p class="fwho"><b>{_e(_("Who gets in:"))}</b> {_e(f["who"])}</p>')
    if f.get("corrected"):
        out.append(f'<details class="fcorr"><summary>{_e(_("Corrected statement"))}</summary><pre>'
                   f'{_e(json.dumps(f["corrected"], indent=2))}</pre></details>')
    return "".join(out)


def _outside_section(result: dict[str, Any], _: Translator) -> str:
    """Outside entry points (analysis.external): which outside identity gets into which role, and
    whether that reaches admin."""
    entries = [e for e in result.get("external_entries") or [] if isinstance(e, dict)]
    if not entries:
        return ""
    rows = []
    for e in entries:
        path = e.get("path") or {}
        steps = " → ".join(str(t) for t in path.get("techniques") or []) if path else ""
        status = []
        if e.get("can_become_admin"):
            status.append(_badge("admin", _("can become admin") + (f" ({steps})" if steps else "")))
        if e.get("open_to_strangers"):
            status.append(_badge("sev critical", _("open to strangers")))
        claims = "".join(f"<li><code>{_e(c)}</code></li>" for c in e.get("claims") or [])
        none = f'<span class=muted>{_e(_("no condition"))}</span>'
        rows.append(f'<tr><td><code>{_e(e.get("identity"))}</code><div class="muted">{_e(e.get("kind"))}, '
                    f'{_e(e.get("action"))}</div></td><td>{_e(short_name(str(e.get("role", ""))))}</td>'
                    f'<td>{"<ul>" + claims + "</ul>" if claims else none}</td>'
                    f'<td>{"".join(status) or _badge("plain", _("no path to admin"))}</td></tr>')
    return (f'<section id="outside"><h2>{_e(_("Outside entry points"))}</h2>'
            f'<table><thead><tr><th>{_e(_("Outside identity"))}</th><th>{_e(_("Role"))}</th>'
            f'<th>{_e(_("Its request must satisfy"))}</th>'
            f'<th>{_e(_("Reach"))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>')
