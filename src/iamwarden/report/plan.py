"""The ``iamwarden plan`` report: text for terminals, Markdown for a pull-request comment, SARIF
with the Terraform/CloudFormation source location of each finding.

Input is ``PlanReport.to_json()`` (``iamwarden.plan.compare``).
"""

from __future__ import annotations

import json
from typing import Any

from ..i18n import Translator, gettext_noop, translator
from .sarif import SARIF_SCHEMA, SARIF_VERSION, SECURITY_SEVERITY, SEVERITY_LEVEL, _artifact_location, _fingerprint

HEADLINES = {
    "new-risk": gettext_noop("NEW RISK: this change creates a finding at or above --fail-on {fail_on}"),
    "no-new-risk": gettext_noop("no new risk: this change creates no finding at or above --fail-on {fail_on}"),
    "unknown": gettext_noop("unknown: cannot decide, values that shape IAM are known only after apply"),
}
#: a new escalation and a removed one, by its kind (``can``: certain, ``may``: uncertain)
BECOMES = {"can": gettext_noop("{principal} can become admin: {steps}"),
           "may": gettext_noop("{principal} may (uncertain) become admin: {steps}")}
NO_LONGER = {"can": gettext_noop("{principal} can no longer become admin"),
             "may": gettext_noop("{principal} may no longer become admin")}


def _short(arn: str) -> str:
    parts = arn.split(":", 5)
    return f"{parts[4]}:{parts[5]}" if len(parts) == 6 else arn


def _where(o: dict[str, Any] | None) -> str:
    if not o:
        return ""
    loc = f"{o['file']}:{o['line']}" if o.get("file") and o.get("line") else (o.get("file") or "")
    return f" [{o['address']}" + (f", {loc}" if loc else "") + "]"


def _steps(steps: list[dict[str, Any]], _: Translator) -> str:
    return " → ".join(f"{s['technique']}({_('itself') if s['from'] == s['to'] else _short(s['to'])})" for s in steps)


def render_text(r: dict[str, Any], lang: str = "en") -> str:
    """The report for a terminal, in ``lang`` (the findings' and unknowns' sentences come
    translated in ``r`` when ``plan.evaluate`` was given the same language)."""
    _ = translator(lang)
    s = r["summary"]
    out = [_(HEADLINES[r["verdict"]], fail_on=r["fail_on"]),
           _("  account {account}: {resources} IAM resource change(s); admins +{new_admins} -{removed_admins}; "
             "escalations +{new_escalations} -{removed_escalations}; findings +{new_findings} -{resolved_findings}; "
             "unknown values {unknowns}", account=r["account"], **{k: s[k] for k in (
                 "resources", "new_admins", "removed_admins", "new_escalations", "removed_escalations",
                 "new_findings", "resolved_findings", "unknowns")}), ""]
    if r["admins"]["new"] or r["admins"]["removed"]:
        out.append(_("Admins:"))
        out += [f"  + {_short(a['arn'])}{_where(a.get('origin'))}" for a in r["admins"]["new"]]
        out += [f"  - {_short(a['arn'])}" for a in r["admins"]["removed"]]
        out.append("")
    if r["escalations"]["new"] or r["escalations"]["removed"]:
        out.append(_("Escalation to admin:"))
        for e in r["escalations"]["new"]:
            out.append("  + " + _(BECOMES[e["kind"]], principal=_short(e["arn"]), steps=_steps(e["steps"], _))
                       + _where(e.get("origin")))
        for e in r["escalations"]["removed"]:
            out.append("  - " + _(NO_LONGER[e["kind"]], principal=_short(e["arn"])))
        out.append("")
    if r["findings"]["new"] or r["findings"]["resolved"]:
        out.append(_("Findings:"))
        for f in r["findings"]["new"]:
            out.append(f"  + [{f['severity'].upper()}] {f['id']} {f['rule']}: {f['message']}{_where(f.get('origin'))}")
        for f in r["findings"]["resolved"]:
            out.append(f"  - [{f['severity'].upper()}] {f['id']} {f['rule']}: {_short(f['arn'])} " + _("(resolved)"))
        out.append("")
    if r["oidc_providers"]["new"] or r["oidc_providers"]["removed"]:
        out.append(_("OIDC providers (outside entry points):"))
        out += [f"  + {o['url']}{_where(o['origin'])}" for o in r["oidc_providers"]["new"]]
        out += [f"  - {o['url']}{_where(o['origin'])}" for o in r["oidc_providers"]["removed"]]
        out.append("")
    if r["unknowns"]:
        out.append(_("Unknown until apply (cannot decide):"))
        for u in r["unknowns"]:
            out.append(f"  ? {u['what']}{_where(u['origin'])}: {u['effect']}")
        out.append("")
    for n in r.get("notes") or []:
        out.append(_("note: {note}", note=n))
    for e in r.get("errors") or []:
        out.append(_("warning: {error}", error=e))
    return "\n".join(out).rstrip() + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_where(o: dict[str, Any] | None) -> str:
    if not o:
        return ""
    loc = f"{o['file']}:{o['line']}" if o.get("file") and o.get("line") else ""
    return f"`{o['address']}`" + (f" ({loc})" if loc else "")


def render_markdown(r: dict[str, Any], lang: str = "en") -> str:
    """A pull-request comment in ``lang``: the verdict, a summary table, then each new risk with its source."""
    _ = translator(lang)
    icon = {"new-risk": ":x:", "no-new-risk": ":white_check_mark:", "unknown": ":grey_question:"}[r["verdict"]]
    s = r["summary"]
    out = [f"### {icon} iamwarden plan: {_(HEADLINES[r['verdict']], fail_on=r['fail_on'])}", "",
           _("Account `{account}`, {resources} IAM resource change(s).", account=r["account"],
             resources=s["resources"]), "",
           "| | " + _("new") + " | " + _("removed or resolved") + " |", "|---|---|---|",
           f"| {_('admins')} | {s['new_admins']} | {s['removed_admins']} |",
           f"| {_('escalation paths')} | {s['new_escalations']} | {s['removed_escalations']} |",
           f"| {_('findings')} | {s['new_findings']} | {s['resolved_findings']} |",
           f"| {_('unknown until apply')} | {s['unknowns']} | |", ""]
    if r["findings"]["new"]:
        out += [f"**{_('New findings')}**", "",
                f"| {_('severity')} | {_('finding')} | {_('principal')} | {_('source')} |", "|---|---|---|---|"]
        for f in r["findings"]["new"]:
            out.append(f"| {f['severity']} | {f['id']} {f['rule']}: {_md(f['message'])} | `{_short(f['arn'])}` | "
                       f"{_md_where(f.get('origin'))} |")
        out.append("")
    if r["admins"]["new"]:
        out += [f"**{_('New admins')}**", ""] + [f"- `{_short(a['arn'])}` {_md_where(a.get('origin'))}".rstrip()
                                                for a in r["admins"]["new"]] + [""]
    if r["escalations"]["new"]:
        out += [f"**{_('New escalation paths')}**", ""]
        for e in r["escalations"]["new"]:
            out.append("- " + _(BECOMES[e["kind"]], principal=f"`{_short(e['arn'])}`",
                                steps=_md(_steps(e["steps"], _))))
        out.append("")
    if r["findings"]["resolved"] or r["escalations"]["removed"] or r["admins"]["removed"]:
        out += [f"<details><summary>{_('Resolved')}</summary>", ""]
        out += [f"- {f['id']} {f['rule']}: `{_short(f['arn'])}`" for f in r["findings"]["resolved"]]
        out += ["- " + _("{principal} no longer becomes admin", principal=f"`{_short(e['arn'])}`")
                for e in r["escalations"]["removed"]]
        out += ["- " + _("{principal} is no longer admin", principal=f"`{_short(a['arn'])}`")
                for a in r["admins"]["removed"]]
        out += ["", "</details>", ""]
    if r["unknowns"]:
        out += [f"**{_('Unknown until apply')}** ({_('iamwarden cannot decide these')})", ""]
        out += [f"- {_md(u['what'])} — {_md_where(u['origin'])}: {_md(u['effect'])}" for u in r["unknowns"]] + [""]
    return "\n".join(out).rstrip() + "\n"


def to_sarif(r: dict[str, Any]) -> dict[str, Any]:
    """SARIF 2.1.0: one result per new finding and per unknown value, located at the resource's
    source (the ``.tf`` file and line of its ``resource`` block, the template line of its logical
    id; else the plan file), with the Terraform address / logical id as logical location."""
    results: list[dict[str, Any]] = []
    rules: dict[str, dict[str, Any]] = {}
    artifacts: dict[str, dict[str, Any]] = {}

    def location(origin: dict[str, Any] | None, arn: str | None) -> dict[str, Any]:
        loc: dict[str, Any] = {}
        uri = (origin or {}).get("file") or r.get("source")
        if uri:
            art = _artifact_location(str(uri))
            artifacts.setdefault(json.dumps(art, sort_keys=True), art)
            phys: dict[str, Any] = {"artifactLocation": art}
            if (origin or {}).get("line"):
                phys["region"] = {"startLine": origin["line"]}  # type: ignore[index]
            else:
                phys["region"] = {"startLine": 1}
            loc["physicalLocation"] = phys
        logical = []
        if origin:
            logical.append({"name": origin["address"], "fullyQualifiedName": origin["address"], "kind": "resource"})
        if arn:
            logical.append({"name": _short(arn), "fullyQualifiedName": arn, "kind": "object"})
        if logical:
            loc["logicalLocations"] = logical
        return loc

    for f in r["findings"]["new"]:
        sev = f["severity"]
        rule = rules.setdefault(f["id"], {"id": f["id"], "name": f["rule"], "shortDescription": {"text": f["rule"]},
                                          "help": {"text": f.get("fix") or f["rule"]},
                                          "defaultConfiguration": {"level": SEVERITY_LEVEL[sev]},
                                          "properties": {"security-severity": SECURITY_SEVERITY[sev],
                                                         "tags": ["security", "iam", "aws"]}})
        if float(SECURITY_SEVERITY[sev]) > float(rule["properties"]["security-severity"]):
            rule["properties"]["security-severity"] = SECURITY_SEVERITY[sev]
            rule["defaultConfiguration"]["level"] = SEVERITY_LEVEL[sev]
        text = f["message"] + (f". Fix: {f['fix']}" if f.get("fix") else "")
        results.append({"ruleId": f["id"], "level": SEVERITY_LEVEL[sev], "message": {"text": text},
                        "locations": [location(f.get("origin"), f["arn"])],
                        "partialFingerprints": {"iamwardenFinding/v1": _fingerprint(f["id"], f["arn"])},
                        "properties": {"severity": sev, "principal": f["arn"]}})
    for u in r["unknowns"]:
        rules.setdefault("IW100", {"id": "IW100", "name": "unknown-until-apply",
                                   "shortDescription": {"text": "A value that shapes IAM is known only after apply"},
                                   "help": {"text": "iamwarden cannot decide what this grants before it is "
                                                    "deployed; write the value literally or review it by hand."},
                                   "defaultConfiguration": {"level": "warning"}})
        results.append({"ruleId": "IW100", "level": "warning",
                        "message": {"text": f"unknown until apply: {u['what']} ({u['field']}); {u['effect']}"},
                        "locations": [location(u["origin"], None)],
                        "partialFingerprints": {"iamwardenFinding/v1": _fingerprint(
                            "IW100", u["origin"]["address"], u["field"])}})
    ordered = sorted(rules.values(), key=lambda x: x["id"])
    index = {x["id"]: i for i, x in enumerate(ordered)}
    for res in results:
        res["ruleIndex"] = index[res["ruleId"]]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "iamwarden", "rules": ordered}},
        "results": results,
        "properties": {"verdict": r["verdict"], "account": r["account"]},
        "invocations": [{"executionSuccessful": True}],
    }
    if artifacts:
        run["artifacts"] = [{"location": a, "roles": ["analysisTarget"]} for a in artifacts.values()]
        if any("uriBaseId" in a for a in artifacts.values()):
            run["originalUriBaseIds"] = {"%SRCROOT%": {"description": {"text": "The directory iamwarden ran in"}}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(r: dict[str, Any]) -> str:
    return json.dumps(to_sarif(r), indent=2, ensure_ascii=False) + "\n"


def render_json(r: dict[str, Any]) -> str:
    return json.dumps(r, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "sarif": render_sarif, "markdown": render_markdown}
