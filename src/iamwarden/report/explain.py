"""Render an AssumeRole explanation as text, JSON, or a picture (SVG/PNG through Graphviz).

The picture reads left to right the way the request travels: the caller asks
STS; STS asks both sides — the caller's own permissions and the role's trust
policy — and only when both let it through does it hand out temporary
credentials. A side that let the request through is green, one that stopped it
is red, one whose answer did not matter is grey. Below, the rule that applied
and what would change the answer, in plain words.

Drawn by the real ``dot`` (Debian package ``graphviz``) through the
``graphviz`` Python package; every text is HTML-escaped before it enters a label.
"""

from __future__ import annotations

import html
import json
import textwrap
from typing import Any

import graphviz

from ..sts.explain import AssumeRoleExplanation, Side

GREEN, GREEN_FILL = "#2e7d32", "#e8f5e9"
RED, RED_FILL = "#c62828", "#fdecea"
GREY, GREY_FILL = "#607080", "#f4f6f8"
BLUE, BLUE_FILL = "#1565c0", "#e3f2fd"
FONT = "Helvetica"

STATE_STYLE = {
    "allow": (GREEN, GREEN_FILL, "ALLOWS"),
    "deny": (RED, RED_FILL, "DENIES"),
    "not-needed": (GREY, GREY_FILL, "NOT NEEDED"),
}
FORMATS = ("text", "json", "svg", "png", "dot")


# -- text -------------------------------------------------------------------------------


def _mark(side: Side) -> str:
    return {"allow": "ALLOWS", "deny": "DENIES", "not-needed": "not needed"}[side.state]


def render_text(e: AssumeRoleExplanation) -> str:
    lines = [
        f"{e.caller_name} ({e.caller_kind}) → sts:AssumeRole → {e.role_name}: {e.outcome}",
        f"  caller: {e.caller_arn}",
        f"  role:   {e.role_arn}{'' if e.role_exists else '  (not found)'}",
        f"  {'same account' if e.same_account else 'different accounts'}; session name {e.session_name!r}"
        + (f"; external id {e.external_id!r}" if e.external_id else ""),
        "",
        f"Rule: {e.rule}",
        "",
    ]
    for side in (e.caller_side, e.trust_side):
        lines.append(f"[{_mark(side)}] {side.title}: {side.summary}")
        for s in side.statements:
            lines.append(f"    - {s.effect} by {s.label()}")
            if s.text:
                lines.append(f"      {s.text}")
    lines.append("")
    if e.allowed:
        lines.append(f"Result: temporary credentials for {e.session_arn}, valid {e.duration_seconds} s")
    else:
        lines.append(f"Result: {e.error_code}: {e.error_message}")
    if e.changes:
        lines += ["", "What would change the answer:"] + [f"  - {c}" for c in e.changes]
    if e.notes:
        lines += ["", "Note:"] + [f"  - {n}" for n in e.notes]
    return "\n".join(lines) + "\n"


def render_json(e: AssumeRoleExplanation) -> str:
    return json.dumps(e.to_json(), indent=2) + "\n"


# -- picture ------------------------------------------------------------------------------


def _lines(text: str, width: int = 46) -> str:
    """Wrapped, escaped, left-aligned lines for an HTML-like label."""
    out = []
    for part in textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]:
        out.append(html.escape(part))
    return '<BR ALIGN="LEFT"/>'.join(out) + '<BR ALIGN="LEFT"/>'


def _box(title: str, color: str, fill: str, rows: list[tuple[str, int, bool]], badge: str | None = None) -> str:
    """An HTML-like table: a coloured title bar, then rows of (text, font size, bold)."""
    cells = []
    head = f'<FONT COLOR="white" POINT-SIZE="15"><B>{html.escape(title)}</B></FONT>'
    if badge:
        head += f'<FONT COLOR="white" POINT-SIZE="13">   {html.escape(badge)}</FONT>'
    cells.append(f'<TR><TD BGCOLOR="{color}" ALIGN="LEFT" CELLPADDING="7">{head}</TD></TR>')
    for text, size, bold in rows:
        inner = _lines(text, 46 if size >= 12 else 58)
        if bold:
            inner = f"<B>{inner}</B>"
        cells.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT" CELLPADDING="5">'
                     f'<FONT POINT-SIZE="{size}">{inner}</FONT></TD></TR>')
    return (f'<<TABLE BORDER="2" CELLBORDER="0" CELLSPACING="0" COLOR="{color}" BGCOLOR="{fill}">'
            + "".join(cells) + "</TABLE>>")


def _side_rows(side: Side) -> list[tuple[str, int, bool]]:
    rows: list[tuple[str, int, bool]] = [(side.summary, 13, True)]
    for s in side.statements[:3]:
        rows.append((f"{s.effect}: {s.label()}", 11, False))
        if s.text:
            t = s.text if len(s.text) <= 150 else s.text[:147] + "…"
            rows.append((t, 10, False))
    return rows


def to_digraph(e: AssumeRoleExplanation) -> graphviz.Digraph:
    g = graphviz.Digraph("assume_role", format="svg")
    g.attr(rankdir="LR", fontname=FONT, bgcolor="white", pad="0.4", nodesep="0.5", ranksep="0.7",
           labeljust="l", labelloc="b")
    g.attr("node", shape="plaintext", fontname=FONT, margin="0")
    g.attr("edge", fontname=FONT, fontsize="12", color="#455a64", penwidth="1.6", arrowsize="0.9")

    acct = e.caller_arn.split(":")[4] if e.caller_arn.count(":") >= 5 else ""
    g.node("caller", _box("1  Caller", BLUE, BLUE_FILL, [
        (e.caller_name, 16, True), (f"{e.caller_kind} in account {acct}", 12, False), (e.caller_arn, 10, False)]))
    request_rows: list[tuple[str, int, bool]] = [("sts:AssumeRole", 15, True), (f"on role {e.role_name}", 12, False),
                                                 (f"session name: {e.session_name}", 11, False)]
    if e.external_id:
        request_rows.append((f"external id: {e.external_id}", 11, False))
    request_rows.append(("same account" if e.same_account else "cross account", 11, False))
    g.node("sts", _box("2  AWS STS", BLUE, BLUE_FILL, request_rows))

    for key, side, step in (("callerside", e.caller_side, "3a"), ("trustside", e.trust_side, "3b")):
        color, fill, badge = STATE_STYLE[side.state]
        g.node(key, _box(f"{step}  {side.title}", color, fill, _side_rows(side), badge))

    if e.allowed:
        g.node("result", _box("4  Temporary credentials", GREEN, GREEN_FILL, [
            ("Allowed", 16, True), (f"ASIA… key, secret and session token for {e.session_arn}", 11, False),
            (f"valid {e.duration_seconds // 60 if e.duration_seconds else 60} minutes", 11, False)]))
    else:
        g.node("result", _box("4  No credentials", RED, RED_FILL, [
            (e.error_code or "AccessDenied", 16, True), (e.error_message or "", 10, False)]))

    g.edge("caller", "sts", label=" asks ")
    g.edge("sts", "callerside", label=" do the caller's\n policies allow it? ",
           color=STATE_STYLE[e.caller_side.state][0])
    g.edge("sts", "trustside", label=" does the role\n trust the caller? ",
           color=STATE_STYLE[e.trust_side.state][0])
    g.edge("callerside", "result", color=STATE_STYLE[e.caller_side.state][0],
           style="dashed" if e.caller_side.state == "not-needed" else "solid")
    g.edge("trustside", "result", color=STATE_STYLE[e.trust_side.state][0])
    with g.subgraph() as s:
        s.attr(rank="same")
        s.node("callerside")
        s.node("trustside")

    g.attr(label=_why_label(e))
    return g


def _why_label(e: AssumeRoleExplanation) -> str:
    """The caption under the flow: the rule in plain words, then what would change the answer."""
    color = GREEN if e.allowed else RED
    rows: list[tuple[str, int, bool, str]] = [("Why", 14, True, color), (e.rule, 13, False, "black")]
    if e.changes:
        rows.append(("What would change the answer", 14, True, color))
        rows += [("• " + c, 12, False, "black") for c in e.changes]
    if e.notes:
        rows.append(("Good to know", 13, True, GREY))
        rows += [("• " + n, 11, False, "black") for n in e.notes]
    cells = []
    for text, size, bold, fc in rows:
        inner = _lines(text, 110)
        if bold:
            inner = f"<B>{inner}</B>"
        cells.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT" CELLPADDING="3">'
                     f'<FONT POINT-SIZE="{size}" COLOR="{fc}">{inner}</FONT></TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="4">'
            + "".join(cells) + "</TABLE>>")


def render_dot(e: AssumeRoleExplanation) -> str:
    return to_digraph(e).source


def render_svg(e: AssumeRoleExplanation) -> str:
    return to_digraph(e).pipe(format="svg").decode("utf-8")


def render_png(e: AssumeRoleExplanation, dpi: int = 110) -> bytes:
    g = to_digraph(e)
    g.attr(dpi=str(dpi))
    return g.pipe(format="png")


def render(e: AssumeRoleExplanation, fmt: str = "text") -> Any:
    """``text``/``json``/``dot``/``svg`` → str; ``png`` → bytes."""
    if fmt == "text":
        return render_text(e)
    if fmt == "json":
        return render_json(e)
    if fmt == "dot":
        return render_dot(e)
    if fmt == "svg":
        return render_svg(e)
    if fmt == "png":
        return render_png(e)
    raise ValueError(f"unknown format {fmt!r}; accepted: {', '.join(FORMATS)}")
