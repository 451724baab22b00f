"""Text report for terminals: summary, admins, escalation paths with deciding statements, findings."""

from __future__ import annotations

import json
from typing import Any

from ..analysis.hop_text import hop_text, note_text
from ..i18n import Translator, translator
from .decision_text import decision_message

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
#: more accounts than this: the header counts them and a per-account summary follows
MAX_NAMED_ACCOUNTS = 10


def _short(arn: str) -> str:
    parts = arn.split(":", 5)
    return f"{parts[4]}:{parts[5]}" if len(parts) == 6 else arn


def _where(st: dict[str, Any], _: Translator) -> str:
    where = st.get("policy") or st.get("policy_type", "")
    if st.get("statement") is not None:
        where += _(" statement {statement}", statement=st["statement"])
    if st.get("sid"):
        where += f" ({st['sid']})"
    return f"[{st.get('policy_type', '')}: {where}]"


def statement_text(st: dict[str, Any], _: Translator) -> str:
    """A deciding statement (``Reason.to_json()``) as one line: the engine's sentence in ``_``'s
    language, then where it stands (``[identity: user/alice:Deploy statement 0 (Sid)]``)."""
    return f"{decision_message(st.get('message', ''), _)} {_where(st, _)}"


def step_in(s: dict[str, Any], _: Translator) -> dict[str, Any]:
    """A step of the report's JSON with what a person reads in ``_``'s language: the technique's
    name, the hop's reason, its uncertainty note and each statement's sentence (``from``, ``to``
    and ``technique`` stay as they are). The text report and the playground show these."""
    t = dict(s)
    if s.get("technique_name"):  # gettext("") would be the catalogue's header
        t["technique_name"] = _.gettext(s["technique_name"])
    if s.get("reason"):
        t["reason"] = _.text(hop_text(s["reason"]))
    if s.get("uncertain"):
        t["uncertain"] = _.text(note_text(s["uncertain"]))
    if "statements" in s:
        t["statements"] = [{**st, "message": decision_message(st.get("message", ""), _)}
                           for st in s["statements"] or []]
    return t


def _path(path: dict[str, Any], indent: str, statements: bool, _: Translator) -> list[str]:
    out = []
    for i, step in enumerate(path["steps"], 1):
        s = step_in(step, _)
        to = _("itself") if s["from"] == s["to"] else _short(s["to"])
        line = f"{indent}{i}. {s['technique']} {s.get('technique_name') or ''}: {s.get('reason') or ''} → {to}"
        if s.get("uncertain"):
            line += _("  (uncertain: {why})", why=s["uncertain"])
        out.append(line)
        if statements:
            for st in s.get("statements") or []:
                if st.get("policy"):
                    out.append(f"{indent}     - {st['message']} {_where(st, _)}")
    return out


def _per_account(r: dict[str, Any], _: Translator) -> list[str]:
    """One line per account (grouped by OU with an organization): readable at 100 accounts."""
    accounts = r.get("accounts", [])
    org = r.get("organization")
    if org is None and len(accounts) <= MAX_NAMED_ACCOUNTS:
        return []
    tree = {a["id"]: a for a in (org or {}).get("accounts", [])}
    count: dict[str, list[int]] = {a["id"]: [0, 0, 0, 0] for a in accounts}
    for p in r.get("principals", []):
        c = count.setdefault(p.get("account", ""), [0, 0, 0, 0])
        c[0] += 1
        c[1] += bool(p.get("admin"))
        c[2] += bool(p.get("can_escalate"))
    for f in r.get("findings", []):
        parts = str(f.get("arn", "")).split(":")
        acct = parts[4] if len(parts) > 4 else ""
        if acct in count:
            count[acct][3] += 1

    def where(aid: str) -> str:
        t = tree.get(aid)
        if t is None:
            return _("outside the organization") if org else ""
        path = "/".join(t.get("ou_path") or [])
        if t.get("management"):
            return _("{name} in {path} (management account)", name=t.get("name", ""), path=path)
        return _("{name} in {path}", name=t.get("name", ""), path=path)

    out = [_("Accounts:")]
    for aid in sorted(count, key=lambda a: (where(a), a)):
        n, adm, esc, fnd = count[aid]
        label = where(aid)
        out.append(f"  {aid}{'  ' + label if label else ''}: "
                   + _("{principals} principals, {admins} admins, {can_escalate} can escalate, {findings} findings",
                       principals=n, admins=adm, can_escalate=esc, findings=fnd))
    out.append("")
    return out


def render(result_json: dict[str, Any], statements: bool = True, max_principals: int | None = None,
           full_lists: bool = False, lang: str = "en") -> str:
    """``full_lists``: under IW001, everyone who can assume the role (the JSON's ``related``),
    not only the sample its message names. The report is in ``lang``: headings here, findings
    as ``result_json`` holds them (``AuditResult.to_json(translate=translator(lang))`` translates those)."""
    _ = translator(lang)
    r = result_json
    sm = r.get("summary", {})
    accounts = r.get("accounts", [])
    names = (", ".join(a["id"] for a in accounts) if len(accounts) <= MAX_NAMED_ACCOUNTS
             else _("{n} accounts", n=len(accounts)))
    lines = [
        "iamwarden audit: " + names,
        _("  principals: {principals}   admins: {admins}   can escalate: {can_escalate}   "
          "may escalate (uncertain): {may_escalate}", principals=sm.get("principals", 0), admins=sm.get("admins", 0),
          can_escalate=sm.get("can_escalate", 0), may_escalate=sm.get("may_escalate", 0)),
        "",
    ]
    principals = r.get("principals", [])
    lines += _per_account(r, _)
    admins = [p for p in principals if p.get("admin")]
    if admins:
        lines.append(_("Administrators (effective * on *):"))
        for p in admins:
            extra = _(" (needs MFA)") if p.get("admin_kind") == "effective-with-mfa" else ""
            lines.append(f"  {_short(p['arn'])}{extra}")
        lines.append("")
    esc = [p for p in principals if p.get("can_escalate")]
    esc.sort(key=lambda p: (p.get("distance") or 0, p["arn"]))
    if esc:
        lines.append(_("Can become admin:"))
        shown = esc if max_principals is None else esc[:max_principals]
        for p in shown:
            kind = (_("grants itself admin") if p.get("escalation") == "self"
                    else _("{n} step(s)", n=p.get("distance")))
            lines.append(f"  {_short(p['arn'])} — {kind}")
            for path in p.get("paths", [])[:1]:
                lines += _path(path, "    ", statements, _)
            if len(p.get("paths", [])) > 1:
                alts = ", ".join(" → ".join(x["techniques"]) for x in p["paths"][1:])
                lines.append(_("    also: {paths}", paths=alts))
        if len(shown) < len(esc):
            lines.append(_("  … and {n} more (use --format json for all)", n=len(esc) - len(shown)))
        lines.append("")
    unc = [p for p in principals if p.get("uncertain")]
    if unc:
        lines.append(_("May become admin (depends on resources or MFA not in IAM data):"))
        for p in unc[: max_principals or len(unc)]:
            lines.append(f"  {_short(p['arn'])}")
            for path in p.get("uncertain_paths", [])[:1]:
                lines += _path(path, "    ", False, _)
        lines.append("")
    findings = sorted(r.get("findings", []), key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["id"], f["arn"]))
    if findings:
        lines.append(_("Findings ({n}):", n=len(findings)))
        for f in findings:
            lines.append(f"  [{f['severity'].upper()}] {f['id']} {f.get('rule', '')}: {f['message']}")
            if full_lists and f["id"] == "IW001" and f.get("related"):
                lines.append(_("    who can assume it ({n}):", n=len(f["related"])))
                lines += [f"      {a}" for a in f["related"]]
            if f.get("fix"):
                lines.append(_("      fix: {fix}", fix=f["fix"]))
            st = f.get("statement")
            if isinstance(st, dict) and st.get("policy"):
                sid = f" ({st['sid']})" if st.get("sid") else ""
                lines.append(_("      statement: {policy} statement {index}{sid}", policy=st["policy"],
                               index=st.get("statement"), sid=sid))
            if f.get("who"):
                lines.append(_("      who gets in: {who}", who=f["who"]))
            if f.get("corrected"):
                lines.append(_("      corrected statement: {statement}",
                               statement=json.dumps(f["corrected"], sort_keys=False)))
        lines.append("")
    entries = [e for e in r.get("external_entries") or [] if e.get("can_become_admin")]
    if entries:
        lines.append(_("Outside identities that can become admin ({n}):", n=len(entries)))
        for e in entries:
            tag = _("  [open to strangers]") if e.get("open_to_strangers") else ""
            lines.append(f"  {e['identity']} → {_short(e['role'])}{tag}")
            for c in e.get("claims") or []:
                lines.append(_("      requires: {claim}", claim=c))
            if e.get("path"):
                lines += _path(e["path"], "    ", False, _)
        lines.append("")
    for e in r.get("errors", []):
        lines.append(_("warning: {warning}", warning=e))
    return "\n".join(lines).rstrip() + "\n"
