"""The organization view of the HTML report: accounts grouped by OU, cross-account edges,
external entry points. Present only when the audit had ``--org`` or ``--resources``.

Every string from the result is escaped (``html.escape``), as in ``report.html``.
"""

from __future__ import annotations

import html
from typing import Any

from ..analysis.resource_access import NO_CONDITION
from ..i18n import Translator, translator

#: rows shown per table (the JSON report holds them all)
MAX_ROWS = 500


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def organization_section(result: dict[str, Any], _: Translator | None = None) -> str:
    _ = _ or translator()
    org = result.get("organization")
    external = [a for a in result.get("external_access") or [] if isinstance(a, dict)]
    if not isinstance(org, dict) and not external:
        return ""
    parts = ['<section id="organization">', f"<h2>{_e(_('Organization'))}</h2>"]
    if isinstance(org, dict):
        counts: dict[str, list[int]] = {}
        for p in result.get("principals") or []:
            if isinstance(p, dict):
                c = counts.setdefault(str(p.get("account", "")), [0, 0, 0])
                c[0] += 1
                c[1] += bool(p.get("admin"))
                c[2] += bool(p.get("can_escalate"))
        groups: dict[str, list[dict[str, Any]]] = {}
        for a in org.get("accounts") or []:
            groups.setdefault("/".join(a.get("ou_path") or []), []).append(a)
        parts.append('<p class="muted">' + _e(_("Organization {id}, management account {account}.",
                                                 id=org.get("id"), account=org.get("management_account")))
                     + '</p><div class="ous">')
        for path in sorted(groups):
            parts.append(f'<div class="ou"><h3>{_e(path)}</h3><ul>')
            for a in groups[path]:
                n, adm, esc = counts.get(str(a.get("id")), [0, 0, 0])
                mark = _(" (management)") if a.get("management") else ""
                parts.append(f"<li><b>{_e(a.get('id'))}</b> {_e(a.get('name'))}{_e(mark)}: "
                             + _e(_("{principals} principals, {admins} admins, {can_escalate} can escalate",
                                    principals=n, admins=adm, can_escalate=esc)) + "</li>")
            parts.append("</ul></div>")
        parts.append("</div>")
    cross = [e for e in result.get("edges") or []
             if isinstance(e, dict) and _account(str(e.get("from", ""))) != _account(str(e.get("to", "")))]
    if cross:
        parts.append(f"<h3>{_e(_('Cross-account edges'))}</h3><table><thead><tr><th>{_e(_('From'))}</th>"
                     f"<th>{_e(_('Technique'))}</th><th>{_e(_('To'))}</th></tr></thead><tbody>")
        for e in cross[:MAX_ROWS]:
            parts.append(f"<tr><td>{_e(e.get('from'))}</td><td>{_e(e.get('technique'))}</td>"
                         f"<td>{_e(e.get('to'))}</td></tr>")
        parts.append("</tbody></table>")
    if external:
        parts.append(f"<h3>{_e(_('External entry points'))}</h3><table><thead><tr><th>{_e(_('Resource'))}</th>"
                     f"<th>{_e(_('Who'))}</th><th>{_e(_('Actions'))}</th><th>{_e(_('Condition'))}</th>"
                     f"<th>{_e(_('Blocked by'))}</th></tr></thead><tbody>")
        for a in external[:MAX_ROWS]:
            who = _("everyone (public)") if a.get("principal") == "*" else a.get("principal")
            cond = a.get("condition")
            blocked = a.get("blocked_by")
            parts.append(f"<tr><td>{_e(a.get('resource'))}</td><td>{_e(who)}</td>"
                         f"<td>{_e(', '.join(map(str, a.get('actions') or [])))}</td>"
                         f"<td>{_e(_.gettext(cond) if cond == NO_CONDITION else cond)}</td>"
                         f"<td>{_e(_.gettext(blocked) if blocked else '—')}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "\n".join(parts)
