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
import unicodedata
from typing import Any

import graphviz

from ..i18n import N_, Translator, translator
from ..sts.explain import AssumeRoleExplanation, Side

GREEN, GREEN_FILL = "#2e7d32", "#e8f5e9"
RED, RED_FILL = "#c62828", "#fdecea"
GREY, GREY_FILL = "#607080", "#f4f6f8"
BLUE, BLUE_FILL = "#1565c0", "#e3f2fd"
FONT = "Helvetica"
#: the font of pictures in a language Helvetica cannot write (fontconfig picks an installed
#: CJK face for it, e.g. Debian's fonts-noto-cjk or fonts-ipafont-gothic)
FONTS = {"ja": "sans-serif"}

#: colours and badge (a msgid, translated in the explanation's language) of each side's state
STATE_STYLE = {
    "allow": (GREEN, GREEN_FILL, N_("ALLOWS").msgid),
    "deny": (RED, RED_FILL, N_("DENIES").msgid),
    "not-needed": (GREY, GREY_FILL, N_("NOT NEEDED").msgid),
}
FORMATS = ("text", "json", "svg", "png", "dot")


# -- text -------------------------------------------------------------------------------


def _mark(side: Side, _: Translator) -> str:
    return {"allow": _("ALLOWS"), "deny": _("DENIES"), "not-needed": _("not needed")}[side.state]


def _outcome(e: AssumeRoleExplanation, _: Translator) -> str:
    return _("Allowed") if e.allowed else (e.error_code or "AccessDenied")


def render_text(e: AssumeRoleExplanation) -> str:
    _ = translator(e.lang)
    accounts = _("same account") if e.same_account else _("different accounts")
    lines = [
        f"{e.caller_name} ({e.caller_kind}) → sts:AssumeRole → {e.role_name}: {_outcome(e, _)}",
        _("  caller: {arn}", arn=e.caller_arn),
        _("  role:   {arn}", arn=e.role_arn) + ("" if e.role_exists else _("  (not found)")),
        "  " + _("{accounts}; session name {name}", accounts=accounts, name=repr(e.session_name))
        + (_("; external id {external_id}", external_id=repr(e.external_id)) if e.external_id else ""),
        "",
        _("Rule: {rule}", rule=e.rule),
        "",
    ]
    for side in (e.caller_side, e.trust_side):
        lines.append(f"[{_mark(side, _)}] {side.title}: {side.summary}")
        for s in side.statements:
            lines.append("    - " + _("{effect} by {statement}", effect=s.effect, statement=s.label()))
            if s.text:
                lines.append(f"      {s.text}")
    lines.append("")
    if e.allowed:
        lines.append(_("Result: temporary credentials for {arn}, valid {seconds} s", arn=e.session_arn,
                       seconds=e.duration_seconds))
    else:
        lines.append(_("Result: {code}: {message}", code=e.error_code, message=e.error_message))
    if e.changes:
        lines += ["", _("What would change the answer:")] + [f"  - {c}" for c in e.changes]
    if e.notes:
        lines += ["", _("Note:")] + [f"  - {n}" for n in e.notes]
    return "\n".join(lines) + "\n"


def render_json(e: AssumeRoleExplanation) -> str:
    return json.dumps(e.to_json(), indent=2) + "\n"


# -- picture ------------------------------------------------------------------------------


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _wrap(text: str, width: int) -> list[str]:
    """``textwrap.wrap`` for English; for text with wide (CJK) characters, which count
    twice and need no space to break at, break at the width, preferring a space or
    a Japanese comma/full stop when one is near."""
    if not any(_wide(ch) for ch in text):
        return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    out: list[str] = []
    line, used, soft = "", 0, -1
    for ch in text:
        w = 2 if _wide(ch) else 1
        if used + w > width and line:
            cut = soft + 1 if soft >= len(line) // 2 else len(line)
            out.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
            used = sum(2 if _wide(c) else 1 for c in line)
            soft = -1
        line += ch
        used += w
        if ch in " 、。)":
            soft = len(line) - 1
    if line.strip() or not out:
        out.append(line.rstrip())
    return out


def _lines(text: str, width: int = 46) -> str:
    """Wrapped, escaped, left-aligned lines for an HTML-like label."""
    out = [html.escape(part) for part in _wrap(text, width)]
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


def _side_rows(side: Side, _: Translator) -> list[tuple[str, int, bool]]:
    rows: list[tuple[str, int, bool]] = [(side.summary, 13, True)]
    for s in side.statements[:3]:
        rows.append((_("{effect}: {statement}", effect=s.effect, statement=s.label()), 11, False))
        if s.text:
            t = s.text if len(s.text) <= 150 else s.text[:147] + "…"
            rows.append((t, 10, False))
    return rows


def to_digraph(e: AssumeRoleExplanation) -> graphviz.Digraph:
    _ = translator(e.lang)
    g = graphviz.Digraph("assume_role", format="svg")
    font = FONTS.get(e.lang, FONT)
    g.attr(rankdir="LR", fontname=font, bgcolor="white", pad="0.4", nodesep="0.5", ranksep="0.7",
           labeljust="l", labelloc="b")
    g.attr("node", shape="plaintext", fontname=font, margin="0")
    g.attr("edge", fontname=font, fontsize="12", color="#455a64", penwidth="1.6", arrowsize="0.9")

    acct = e.caller_arn.split(":")[4] if e.caller_arn.count(":") >= 5 else ""
    g.node("caller", _box(_("1  Caller"), BLUE, BLUE_FILL, [
        (e.caller_name, 16, True), (_("{kind} in account {account}", kind=e.caller_kind, account=acct), 12, False),
        (e.caller_arn, 10, False)]))
    request_rows: list[tuple[str, int, bool]] = [
        ("sts:AssumeRole", 15, True), (_("on role {role}", role=e.role_name), 12, False),
        (_("session name: {name}", name=e.session_name), 11, False)]
    if e.external_id:
        request_rows.append((_("external id: {external_id}", external_id=e.external_id), 11, False))
    request_rows.append((_("same account") if e.same_account else _("cross account"), 11, False))
    g.node("sts", _box("2  AWS STS", BLUE, BLUE_FILL, request_rows))

    for key, side, step in (("callerside", e.caller_side, "3a"), ("trustside", e.trust_side, "3b")):
        color, fill, badge = STATE_STYLE[side.state]
        g.node(key, _box(f"{step}  {side.title}", color, fill, _side_rows(side, _), _(badge)))

    if e.allowed:
        minutes = e.duration_seconds // 60 if e.duration_seconds else 60
        g.node("result", _box(_("4  Temporary credentials"), GREEN, GREEN_FILL, [
            (_("Allowed"), 16, True),
            (_("ASIA… key, secret and session token for {arn}", arn=e.session_arn), 11, False),
            (_("valid {minutes} minutes", minutes=minutes), 11, False)]))
    else:
        g.node("result", _box(_("4  No credentials"), RED, RED_FILL, [
            (e.error_code or "AccessDenied", 16, True), (e.error_message or "", 10, False)]))

    g.edge("caller", "sts", label=_(" asks "))
    g.edge("sts", "callerside", label=_(" do the caller's\n policies allow it? "),
           color=STATE_STYLE[e.caller_side.state][0])
    g.edge("sts", "trustside", label=_(" does the role\n trust the caller? "),
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
    _ = translator(e.lang)
    color = GREEN if e.allowed else RED
    rows: list[tuple[str, int, bool, str]] = [(_("Why"), 14, True, color), (e.rule, 13, False, "black")]
    if e.changes:
        rows.append((_("What would change the answer"), 14, True, color))
        rows += [("• " + c, 12, False, "black") for c in e.changes]
    if e.notes:
        rows.append((_("Good to know"), 13, True, GREY))
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
