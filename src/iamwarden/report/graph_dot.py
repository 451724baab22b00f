"""The escalation graph as Graphviz DOT and SVG.

Nodes are principals (users, roles, anything an edge names); an edge means "can
act as, or gain the powers of" and is labelled with the catalog technique IDs
(``docs/privesc-catalog.md``). Admins are red, principals that can
escalate are orange, the rest grey.

``render(result)`` returns DOT text; ``render_svg(result)`` runs the real ``dot``
binary (Debian package ``graphviz``) and returns the SVG. Every label is passed
through :func:`graphviz.escape`, so an ARN can neither inject DOT syntax nor be
read as an HTML-like label.

:func:`escalation_graph` is the renderer-neutral view of the result that the HTML
report draws too: which nodes, which merged edges, what each node is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import graphviz

__all__ = [
    "EscalationGraph",
    "GraphEdge",
    "GraphNode",
    "account_ids",
    "escalation_graph",
    "input_sources",
    "render",
    "render_svg",
    "short_name",
    "to_digraph",
]

ADMIN_COLOR = "#c62828"
ADMIN_FILL = "#fdecea"
ESCALATE_COLOR = "#e8590c"
ESCALATE_FILL = "#fff1e6"
PLAIN_COLOR = "#607080"
PLAIN_FILL = "#f4f6f8"


@dataclass(slots=True)
class GraphNode:
    arn: str
    type: str  # user | role | account | service | other
    admin: bool = False
    admin_kind: str | None = None
    can_escalate: bool = False
    uncertain: bool = False  # may escalate, through resources not in the IAM data

    @property
    def name(self) -> str:
        return short_name(self.arn)

    @property
    def account(self) -> str:
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 5 else ""

    @property
    def status(self) -> str:
        """One word the renderers style by: admin, escalates or plain."""
        if self.admin:
            return "admin"
        if self.can_escalate:
            return "escalates"
        return "plain"


@dataclass(slots=True)
class GraphEdge:
    source: str
    target: str
    techniques: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    uncertain: bool = True  # stays True only if every technique on it is uncertain

    @property
    def label(self) -> str:
        return ", ".join(self.techniques)


@dataclass(slots=True)
class EscalationGraph:
    nodes: dict[str, GraphNode]  # arn -> node, in first-seen order
    edges: dict[tuple[str, str], GraphEdge]  # (from, to) -> merged edge

    @property
    def multi_account(self) -> bool:
        return len({n.account for n in self.nodes.values() if n.account}) > 1


def short_name(arn: str) -> str:
    """``arn:aws:iam::1:user/path/alice`` -> ``alice``; ``...:root`` -> ``1:root``."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return arn
    resource = parts[5]
    if resource == "root":
        return f"{parts[4]}:root"
    if resource.startswith("assumed-role/"):
        return resource[len("assumed-role/"):]
    return resource.rsplit("/", 1)[-1] or resource


def account_ids(result: dict[str, Any]) -> list[str]:
    """Account IDs of the result: ``accounts`` holds IDs or ``{"id": ...}`` objects."""
    out = []
    for a in result.get("accounts") or []:
        out.append(str(a.get("id") or "") if isinstance(a, dict) else str(a))
    return [a for a in out if a]


def input_sources(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The input files: ``result['sources']`` (paths or ``{"uri", "account", "lines"}``),
    else the ``source`` of each account object. Endpoint URLs are not files: left out."""
    raw: list[Any] = list(result.get("sources") or [])
    if not raw:
        raw = [{"uri": a.get("source"), "account": a.get("id")}
               for a in result.get("accounts") or [] if isinstance(a, dict) and a.get("source")]
    out = []
    for src in raw:
        if isinstance(src, str):
            src = {"uri": src}
        if not isinstance(src, dict):
            continue
        uri = str(src.get("uri") or src.get("path") or "")
        if not uri or "://" in uri and not uri.startswith("file://"):
            continue
        out.append({**src, "uri": uri.replace("\\", "/")})
    return out


def _type_from_arn(arn: str) -> str:
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "service" if arn.endswith(".amazonaws.com") else "other"
    resource = parts[5]
    if resource == "root":
        return "account"
    kind = resource.split("/", 1)[0]
    if kind in ("user", "role"):
        return kind
    if kind == "assumed-role":
        return "role"
    return "other"


def escalation_graph(result: dict[str, Any], *, include_isolated: bool = False) -> EscalationGraph:
    """Nodes and merged edges from ``result['edges']`` and every path step.

    Principals with no edge are left out unless they are admins (or
    ``include_isolated`` is set): a graph of 10,000 unconnected boxes helps nobody.
    """
    info = {p.get("arn"): p for p in result.get("principals") or [] if p.get("arn")}
    nodes: dict[str, GraphNode] = {}
    edges: dict[tuple[str, str], GraphEdge] = {}

    def node(arn: str) -> None:
        if arn in nodes:
            return
        p = info.get(arn, {})
        nodes[arn] = GraphNode(
            arn=arn,
            type=str(p.get("type") or _type_from_arn(arn)),
            admin=bool(p.get("admin")),
            admin_kind=p.get("admin_kind"),
            can_escalate=bool(p.get("can_escalate")),
            uncertain=bool(p.get("uncertain")) and not p.get("can_escalate"),
        )

    def edge(e: dict[str, Any]) -> None:
        src, dst = str(e.get("from", "")), str(e.get("to", ""))
        if not src or not dst:
            return
        node(src)
        node(dst)
        ge = edges.setdefault((src, dst), GraphEdge(src, dst))
        tech = str(e.get("technique") or "?")
        if tech not in ge.techniques:
            ge.techniques.append(tech)
        reason = e.get("reason")
        if reason and reason not in ge.reasons:
            ge.reasons.append(str(reason))
        if not e.get("uncertain"):
            ge.uncertain = False

    for e in result.get("edges") or []:
        edge(e)
    for p in result.get("principals") or []:
        for path in (p.get("paths") or []) + (p.get("uncertain_paths") or []):
            for s in path.get("steps") or []:
                edge(s)
    for arn, p in info.items():
        if include_isolated or p.get("admin"):
            node(arn)
    for ge in edges.values():
        ge.techniques.sort(key=_technique_order)
    return EscalationGraph(nodes, edges)


def _technique_order(tech: str) -> tuple[str, int, str]:
    digits = "".join(ch for ch in tech if ch.isdigit())
    return (tech[:1], int(digits) if digits else 0, tech)


def _literal(*lines: str) -> str:
    """DOT escString of literal text lines: backslashes doubled, never an HTML label."""
    return graphviz.nohtml("\\n".join(line.replace("\\", "\\\\") for line in lines))


def _node_label(n: GraphNode, multi_account: bool) -> str:
    second = n.type
    if n.admin:
        second = f"ADMIN ({n.admin_kind})" if n.admin_kind else "ADMIN"
    elif n.can_escalate:
        second = f"{n.type} · can escalate"
    elif n.uncertain:
        second = f"{n.type} · may escalate"
    if multi_account and n.account:
        second += f" · {n.account}"
    return _literal(n.name, second)


def to_digraph(result: dict[str, Any], *, include_isolated: bool = False) -> graphviz.Digraph:
    """The graph as a :class:`graphviz.Digraph` (left to right, admins red)."""
    g = escalation_graph(result, include_isolated=include_isolated)
    dot = graphviz.Digraph("iamwarden", comment="iamwarden escalation graph")
    dot.attr(rankdir="LR", fontname="Helvetica", fontsize="11", bgcolor="white",
             nodesep="0.35", ranksep="0.9", pad="0.3")
    dot.attr("node", fontname="Helvetica", fontsize="11", style="filled,rounded",
             shape="box", margin="0.15,0.06")
    dot.attr("edge", fontname="Helvetica", fontsize="10", color="#56606b", fontcolor="#333333",
             arrowsize="0.7")
    ids = {arn: f"n{i}" for i, arn in enumerate(g.nodes)}
    multi_account = g.multi_account
    for arn, n in g.nodes.items():
        color, fill = {
            "admin": (ADMIN_COLOR, ADMIN_FILL),
            "escalates": (ESCALATE_COLOR, ESCALATE_FILL),
            "plain": (PLAIN_COLOR, PLAIN_FILL),
        }[n.status]
        shape = {"user": "box", "role": "box", "account": "folder", "service": "component"}.get(
            n.type, "box")
        style = "filled,rounded" if n.type == "role" else "filled"
        if n.uncertain:
            style += ",dashed"
        dot.node(
            ids[arn],
            label=_node_label(n, multi_account),
            tooltip=graphviz.escape(arn),
            color=color,
            fillcolor=fill,
            penwidth="2.4" if n.admin else "1.4",
            shape=shape,
            peripheries="2" if n.admin else "1",
            style=style,
            id=ids[arn],
            **{"class": f"principal {n.status} {n.type}"},
        )
    for i, ((src, dst), e) in enumerate(g.edges.items()):
        escalating = g.nodes[dst].admin or g.nodes[dst].can_escalate
        dot.edge(
            ids[src],
            ids[dst],
            label=graphviz.escape(e.label),
            tooltip=graphviz.escape("; ".join(e.reasons) or e.label),
            color=ADMIN_COLOR if g.nodes[dst].admin else ("#56606b" if not escalating else ESCALATE_COLOR),
            penwidth="1.6" if escalating else "1.0",
            style="dashed" if e.uncertain else "solid",
            id=f"e{i}",
        )
    if not g.nodes:
        dot.node("empty", label="no escalation edges", shape="plaintext", style="")
    dot.attr(label=graphviz.escape(
        "iamwarden escalation graph: red = admin, orange = can escalate; edge labels are technique IDs"),
        labelloc="b", fontsize="10", fontcolor="#555555")
    return dot


def render(result: dict[str, Any]) -> str:
    """DOT source of the escalation graph."""
    return to_digraph(result).source


def render_svg(result: dict[str, Any]) -> str:
    """SVG of the escalation graph, laid out by the ``dot`` binary.

    Raises :class:`graphviz.ExecutableNotFound` when Graphviz is not installed
    (Debian: ``apt-get install graphviz``).
    """
    return to_digraph(result).pipe(format="svg", encoding="utf-8")


def render_png(result: dict[str, Any]) -> bytes:
    """PNG bytes of the escalation graph (needs the ``dot`` binary)."""
    return to_digraph(result).pipe(format="png")
