"""Audit results as SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Mapping (SARIF 2.1.0, OASIS Standard, sections cited):

* one ``run`` whose ``tool.driver`` is iamwarden (§3.19) with one
  ``reportingDescriptor`` per finding id and one per escalation technique seen in
  a path (§3.49); the finding rules carry the fix in ``help`` and their default
  level from the worst severity seen (§3.50.3); ``properties.security-severity``
  is the number GitHub shows as critical/high/medium/low;
* one ``result`` per finding (§3.27): level from severity, the message plus the
  fix, a logical location for the principal ARN (§3.33) and, when the result
  dict names its input files in ``sources``, a physical location in that file
  (§3.29) — GitHub code scanning only shows results that have one;
* the principal's shortest escalation path as a ``codeFlow`` (§3.36): one
  thread-flow location per hop, with its technique and reason;
* the finding's ``related`` ARNs as ``relatedLocations``; the result's ``errors``
  as tool execution notifications (§3.58);
* ``partialFingerprints`` (§3.27.17) from the finding id and ARN only, so the same
  problem keeps its identity across runs even if message wording changes.

``sources`` (optional) is a list of paths or of objects
``{"uri": path, "account": "111122223333", "lines": {arn: line}}``; without it the
``source`` of each ``accounts`` object is used (endpoint URLs are skipped). A finding
goes to the source of its ARN's account (else the first one), at the line given
for its ARN (else line 1). Relative paths are made relative to ``%SRCROOT%``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .graph_dot import account_ids, input_sources, short_name

__all__ = ["SECURITY_SEVERITY", "SEVERITY_LEVEL", "render", "to_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
CATALOG = "privesc-catalog.md"

SEVERITY_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
MAX_FIXES_IN_HELP = 3
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("iamwarden")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def _severity(f: dict[str, Any]) -> str:
    sev = str(f.get("severity") or "medium").lower()
    return sev if sev in _RANK else "medium"


def _rule_name(fid: str, findings: list[dict[str, Any]]) -> str:
    """A title for the rule: the findings' ``title``, else their ``rule`` slug in words."""
    for f in findings:
        if f.get("title"):
            return str(f["title"])
    for f in findings:
        if f.get("rule"):
            words = str(f["rule"]).replace("_", "-").split("-")
            return " ".join(words)[:1].upper() + " ".join(words)[1:]
    return fid


def _finding_rules(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        by_id.setdefault(str(f.get("id") or "IW000"), []).append(f)
    rules = []
    for fid in sorted(by_id):
        group = by_id[fid]
        worst = max((_severity(f) for f in group), key=_RANK.__getitem__)
        title = _rule_name(fid, group)
        described = next((str(f["description"]) for f in group if f.get("description")), None)
        if described is None:
            # no generic text from the core: the title, plus one finding as an example
            described = (f"{title}." if title != fid else f"iamwarden finding {fid}.")
            described += f" Example: {group[0].get('message') or ''}".rstrip()
        fixes = sorted({str(f["fix"]) for f in group if f.get("fix")})
        shown = fixes[:MAX_FIXES_IN_HELP]
        more = (f" ({len(fixes) - len(shown)} more: each result carries its own fix)"
                if len(fixes) > len(shown) else "")
        help_text = described
        help_md = f"**{fid}** — {described}"
        if shown:
            help_text += "\n\nHow to fix: " + " / ".join(shown) + more
            help_md += ("\n\n**How to fix**\n\n" + "\n".join(f"- {fix}" for fix in shown)
                        + (f"\n\n_{more.strip(' ()')}_" if more else ""))
        description = described
        rules.append({
            "id": fid,
            "name": "".join(ch for ch in title.title() if ch.isalnum()) if title != fid else fid,
            "shortDescription": {"text": title if title != fid else f"iamwarden finding {fid}"},
            "fullDescription": {"text": description},
            "help": {"text": help_text, "markdown": help_md},
            "defaultConfiguration": {"level": SEVERITY_LEVEL[worst]},
            "properties": {
                "tags": ["security", "iam", "aws"],
                "security-severity": SECURITY_SEVERITY[worst],
                "precision": "high",
                "problem.severity": _PROBLEM_SEVERITY[SEVERITY_LEVEL[worst]],
            },
        })
    return rules


def _technique_rules(result: dict[str, Any]) -> list[dict[str, Any]]:
    names: dict[str, str] = {}
    for p in result.get("principals") or []:
        for path in (p.get("paths") or []) + (p.get("uncertain_paths") or []):
            for s in path.get("steps") or []:
                tech = str(s.get("technique") or "")
                if tech:
                    names.setdefault(tech, str(s.get("technique_name") or tech))
    for e in result.get("edges") or []:
        tech = str(e.get("technique") or "")
        if tech:
            names.setdefault(tech, str(e.get("technique_name") or tech))
    rules = []
    for tech in sorted(names):
        name = names[tech]
        text = (f"Privilege-escalation technique {tech} ({name}) of the iamwarden catalog: "
                f"one principal can act as, or gain the powers of, another.")
        rules.append({
            "id": tech,
            "name": "".join(ch for ch in name.title() if ch.isalnum()) or tech,
            "shortDescription": {"text": f"{tech}: {name}"},
            "fullDescription": {"text": text},
            "help": {
                "text": text + f" See {CATALOG} for the exact actions and conditions.",
                "markdown": f"**{tech}: {name}**\n\n{text}\n\nSee `{CATALOG}` for the exact "
                            "actions and conditions it needs.",
            },
            "defaultConfiguration": {"level": "note"},
            "properties": {"tags": ["security", "iam", "escalation-technique"]},
        })
    return rules


def _artifact_location(uri: str) -> dict[str, Any]:
    if uri.startswith("file://"):
        return {"uri": uri}
    if uri.startswith("/") or (len(uri) > 1 and uri[1] == ":"):
        return {"uri": "file://" + ("" if uri.startswith("/") else "/") + uri}
    return {"uri": uri.removeprefix("./"), "uriBaseId": "%SRCROOT%"}


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def _physical(arn: str, sources: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not sources:
        return None
    account = _account(arn)
    chosen = next((s for s in sources if account and str(s.get("account", "")) == account),
                  sources[0])
    line = 1
    lines = chosen.get("lines")
    if isinstance(lines, dict) and isinstance(lines.get(arn), int) and lines[arn] >= 1:
        line = lines[arn]
    return {"artifactLocation": _artifact_location(chosen["uri"]), "region": {"startLine": line}}


def _location(arn: str, sources: list[dict[str, Any]], message: str | None = None) -> dict[str, Any]:
    loc: dict[str, Any] = {
        "logicalLocations": [{
            "name": short_name(arn),
            "fullyQualifiedName": arn,
            "kind": "object",
        }],
    }
    physical = _physical(arn, sources)
    if physical:
        loc["physicalLocation"] = physical
    if message:
        loc["message"] = {"text": message}
    return loc


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _code_flow(principal: dict[str, Any] | None, sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    paths = (principal or {}).get("paths") or []
    paths = [p for p in paths if p.get("steps")]
    if not paths:
        return []
    path = min(paths, key=lambda p: len(p["steps"]))
    locations = []
    for i, s in enumerate(path["steps"]):
        tech = str(s.get("technique") or "?")
        text = (f"Step {i + 1}: {short_name(str(s.get('from', '')))} → "
                f"{short_name(str(s.get('to', '')))} by {tech}"
                f" ({s.get('technique_name') or tech})")
        if s.get("reason"):
            text += f": {s['reason']}"
        locations.append({
            "location": _location(str(s.get("to", "")), sources, text),
            "kinds": ["call"] if i < len(path["steps"]) - 1 else ["exit"],
            "properties": {"technique": tech, "from": str(s.get("from", "")),
                           "to": str(s.get("to", ""))},
        })
    return [{
        "message": {"text": f"Shortest escalation path ({len(locations)} step"
                            f"{'s' if len(locations) != 1 else ''})"},
        "threadFlows": [{"locations": locations}],
    }]


def _entry_of(f: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """For an outside-identity finding (IW019): its entry's path, shaped like a principal's paths."""
    if f.get("id") != "IW019":
        return None
    for e in entries:
        if e.get("identity") == f.get("outsider") and e.get("role") == f.get("arn"):
            return {"paths": [e["path"]]}
    return None


def to_sarif(result: dict[str, Any]) -> dict[str, Any]:
    """The SARIF log as a dict (see the module docstring for the mapping)."""
    findings = [f for f in result.get("findings") or [] if isinstance(f, dict)]
    principals = {p.get("arn"): p for p in result.get("principals") or [] if p.get("arn")}
    entries = [e for e in result.get("external_entries") or [] if isinstance(e, dict) and e.get("path")]
    sources = input_sources(result)
    finding_rules = _finding_rules(findings)
    rules = finding_rules + [r for r in _technique_rules(result)
                             if r["id"] not in {fr["id"] for fr in finding_rules}]
    rule_index = {r["id"]: i for i, r in enumerate(rules)}

    seen: dict[tuple[str, str], int] = {}
    results = []
    for f in findings:
        fid = str(f.get("id") or "IW000")
        arn = str(f.get("arn") or "")
        sev = _severity(f)
        message = str(f.get("message") or fid)
        text = message
        if f.get("fix"):
            text += ("" if message.rstrip().endswith((".", "!", "?")) else ".") + f" Fix: {f['fix']}"
        key = (fid, arn)
        seen[key] = seen.get(key, 0) + 1
        fp_parts = [fid, arn] if seen[key] == 1 else [fid, arn, message]
        res: dict[str, Any] = {
            "ruleId": fid,
            "ruleIndex": rule_index[fid],
            "level": SEVERITY_LEVEL[sev],
            "message": {"text": text},
            "locations": [_location(arn, sources)] if arn else [],
            "partialFingerprints": {"iamwardenFinding/v1": _fingerprint(*fp_parts)},
            "properties": {"severity": sev, "security-severity": SECURITY_SEVERITY[sev],
                           "principal": arn},
        }
        if f.get("fix"):
            res["properties"]["fix"] = str(f["fix"])
        for field, prop in (("statement", "statement"), ("who", "who"), ("corrected", "correctedStatement"),
                            ("outsider", "outsideIdentity")):
            if f.get(field) is not None:
                res["properties"][prop] = f[field]
        related = [str(a) for a in f.get("related") or [] if a]
        if related:
            res["relatedLocations"] = [
                {"id": i, **_location(a, sources, f"related: {short_name(a)}")}
                for i, a in enumerate(related)]
        entry = _entry_of(f, entries)
        flows = _code_flow(entry or principals.get(arn), sources)
        if flows:
            res["codeFlows"] = flows
            res["properties"]["techniques"] = [
                tl["properties"]["technique"] for tl in flows[0]["threadFlows"][0]["locations"]]
        results.append(res)

    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "iamwarden",
            "semanticVersion": _version(),
            "version": _version(),
            "shortDescription": {"text": "Offline AWS IAM privilege-escalation analysis"},
            "rules": rules,
        }},
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "accounts": account_ids(result),
            "admins": sorted(a for a, p in principals.items() if p.get("admin")),
            "canEscalate": sorted(a for a, p in principals.items() if p.get("can_escalate")),
        },
    }
    if any("uriBaseId" in _artifact_location(s["uri"]) for s in sources):
        run["originalUriBaseIds"] = {"%SRCROOT%": {
            "description": {"text": "The directory the audit was run from"}}}
    if sources:
        run["artifacts"] = [{"location": _artifact_location(s["uri"]),
                             "roles": ["analysisTarget"],
                             "mimeType": "application/json"} for s in sources]
    errors = [str(e) for e in result.get("errors") or []]
    run["invocations"] = [{
        "executionSuccessful": True,
        "toolExecutionNotifications": [{"level": "warning", "message": {"text": e}} for e in errors],
    }]
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(result: dict[str, Any]) -> str:
    """SARIF 2.1.0 JSON text; the same result dict always gives the same text."""
    return json.dumps(to_sarif(result), indent=2, ensure_ascii=False) + "\n"
