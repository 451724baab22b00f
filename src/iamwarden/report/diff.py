"""``iamwarden diff --format markdown``: the answer as a pull-request comment.

Input is ``Answer.to_json()`` (``iamwarden.diff``); ``headline`` is the text report's first line.
"""

from __future__ import annotations

import json
from typing import Any

_ICON = {"holds": ":white_check_mark:", "fails": ":x:"}


def render_markdown(answer: dict[str, Any], headline: str) -> str:
    icon = _ICON.get(str(answer.get("result")), ":grey_question:")
    out = [f"### {icon} iamwarden diff: {headline}", "", f"`{answer['check']}`: **{answer['result']}**", ""]
    ex = answer.get("example")
    if ex:
        out += ["| example request | |", "|---|---|", f"| action | {_cell(ex['action'])} |",
                f"| resource | {_cell(ex['resource'])} |"]
        out += [f"| context {_cell(k)} | {_cell(json.dumps(v))} |" for k, v in (ex.get("context") or {}).items()]
        out.append("")
        for name, d in (answer.get("engine") or {}).items():
            by = [f"{r.get('policy')} statement {r['statement']}" for r in d.get("reasons") or []
                  if r.get("policy_type") == "identity" and r.get("statement") is not None]
            out.append(f"- engine, {name}: **{d['decision']}**" + (f" by {', '.join(by)}" if by else ""))
        out.append("")
    if answer.get("reason") and not ex:
        out += [f"Reason: {answer['reason']}", ""]
    return "\n".join(out).rstrip() + "\n"


def _cell(value: Any) -> str:
    """Inline code in a table cell: a ``|`` would end the cell, a newline the row."""
    return "`" + str(value).replace("|", "\\|").replace("\n", " ").replace("`", "'") + "`"
