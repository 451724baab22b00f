"""``iamwarden diff`` as text for a terminal and as Markdown for a pull-request comment, in the
reader's language.

Input is ``Answer.to_json(translate)`` (``iamwarden.diff``): its ``reason`` comes already in the
reader's language. Codes and values (``holds``, ``CheckNoNewAccess``, actions, resources, the
engine's ``Allow``/``ImplicitDeny``) stay as they are.
"""

from __future__ import annotations

import json
from typing import Any

from ..i18n import Translator, gettext_noop, translator

_ICON = {"holds": ":white_check_mark:", "fails": ":x:"}
#: the first line of the answer, by (check, result)
HEADLINES = {
    ("CheckNoNewAccess", "holds"): gettext_noop("no new access: NEW allows nothing that OLD denies"),
    ("CheckNoNewAccess", "fails"): gettext_noop("NEW ACCESS: NEW allows a request that OLD denies"),
    ("CheckAccessNotGranted", "holds"): gettext_noop("access not granted: the policy allows none of the actions"),
    ("CheckAccessNotGranted", "fails"): gettext_noop("ACCESS GRANTED: the policy allows one of the actions"),
}
#: who decided, in ``engine, NAME: …``
_WHO = {"new": gettext_noop("NEW"), "old": gettext_noop("OLD"), "policy": gettext_noop("the policy")}


def headline(answer: dict[str, Any], _: Translator) -> str:
    msgid = HEADLINES.get((answer["check"], answer["result"]))
    return _(msgid) if msgid else _("unknown: {reason}", reason=answer.get("reason", ""))


def _by(d: dict[str, Any], _: Translator) -> list[str]:
    return [_("{policy} statement {statement}", policy=r.get("policy"), statement=r["statement"])
            + (f" ({r['sid']})" if r.get("sid") else "")
            for r in d.get("reasons") or [] if r.get("policy_type") == "identity" and r.get("statement") is not None]


def _engine(name: str, d: dict[str, Any], _: Translator, bold: bool = False) -> str:
    by = _by(d, _)
    decision = f"**{d['decision']}**" if bold else d["decision"]
    who = _.gettext(_WHO[name]) if name in _WHO and _.lang != "en" else name  # English keeps the JSON's name
    if by:
        return _("engine, {who}: {decision} by {statements}", who=who, decision=decision, statements=", ".join(by))
    return _("engine, {who}: {decision}", who=who, decision=decision)


def render_text(answer: dict[str, Any], lang: str = "en") -> str:
    _ = translator(lang)
    out = [headline(answer, _)]
    ex = answer.get("example")
    if ex:
        out.append(_("  example request:"))
        out.append(_("    action:   {action}", action=ex["action"]))
        out.append(_("    resource: {resource!r}", resource=ex["resource"]))
        out += [_("    context:  {key} = {value}", key=k, value=json.dumps(v))
                for k, v in (ex.get("context") or {}).items()]
        out += ["  " + _engine(name, d, _) for name, d in (answer.get("engine") or {}).items()]
    return "\n".join(out) + "\n"


def render_markdown(answer: dict[str, Any], lang: str = "en") -> str:
    _ = translator(lang)
    icon = _ICON.get(str(answer.get("result")), ":grey_question:")
    out = [f"### {icon} iamwarden diff: {headline(answer, _)}", "", f"`{answer['check']}`: **{answer['result']}**", ""]
    ex = answer.get("example")
    if ex:
        out += [f"| {_('example request')} | |", "|---|---|", f"| {_('action')} | {_cell(ex['action'])} |",
                f"| {_('resource')} | {_cell(ex['resource'])} |"]
        out += [f"| {_('context')} {_cell(k)} | {_cell(json.dumps(v))} |" for k, v in (ex.get("context") or {}).items()]
        out.append("")
        out += ["- " + _engine(name, d, _, bold=True) for name, d in (answer.get("engine") or {}).items()]
        out.append("")
    if answer.get("reason") and not ex:
        out += [_("Reason: {reason}", reason=answer["reason"]), ""]
    return "\n".join(out).rstrip() + "\n"


def _cell(value: Any) -> str:
    """Inline code in a table cell: a ``|`` would end the cell, a newline the row."""
    return "`" + str(value).replace("|", "\\|").replace("\n", " ").replace("`", "'") + "`"
