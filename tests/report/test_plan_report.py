"""The ``plan`` report: SARIF valid against the schema with source locations, Markdown safe in
a table, text for every section."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamwarden.plan import evaluate
from iamwarden.plan.locate import terraform_locations
from iamwarden.plan.terraform import read_plan
from iamwarden.report.plan import render_markdown, render_text, to_sarif

from .test_sarif import _validate

TF = Path(__file__).resolve().parents[2] / "examples" / "plans" / "terraform"
NOW = datetime(2026, 12, 2, tzinfo=UTC)


def report(name, located=True):
    data = json.loads((TF / f"{name}.tfplan.json").read_text())
    files = {p.name: p.read_text() for p in (TF / name).glob("*.tf")} if located else {}
    cs = read_plan(data, "111122223333", f"{name}.tfplan.json", terraform_locations(data, files, f"{name}/"))
    return evaluate(None, cs, "low", NOW).to_json()


@pytest.mark.parametrize("name", ["admin-role", "ci-deploy-role", "unknown-values", "fix-admin-role"])
def test_plan_sarif_matches_the_schema(name):
    _validate(to_sarif(report(name)))


def test_plan_sarif_locations_are_the_resource_lines():
    run = to_sarif(report("admin-role"))["runs"][0]
    got = sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                  r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"])
    assert got == [("IW001", "admin-role/main.tf", 4), ("IW006", "admin-role/main.tf", 25)]
    assert run["artifacts"] == [{"location": {"uri": "admin-role/main.tf", "uriBaseId": "%SRCROOT%"},
                                 "roles": ["analysisTarget"]}]
    assert {r["id"]: r["properties"]["security-severity"] for r in run["tool"]["driver"]["rules"]} == {
        "IW001": "8.0", "IW006": "9.5"}


def test_plan_sarif_fingerprints_are_stable_across_wording():
    a = to_sarif(report("admin-role"))
    r = report("admin-role")
    for f in r["findings"]["new"]:
        f["message"] = "reworded"
    b = to_sarif(r)
    fp = [[x["partialFingerprints"] for x in d["runs"][0]["results"]] for d in (a, b)]
    assert fp[0] == fp[1]


def test_plan_markdown_escapes_table_cells():
    r = report("admin-role")
    r["findings"]["new"][0]["message"] = "a | b\nc"
    md = render_markdown(r)
    assert "a \\| b c" in md


def test_plan_text_lists_resolved_and_removed():
    r = report("fix-admin-role")
    # against an empty account the fix creates the role; its text still renders every section
    text = render_text(r)
    assert text.splitlines()[0].startswith(("no new risk", "NEW RISK", "unknown"))
    r["findings"]["resolved"] = [{"id": "IW001", "rule": "admin-role-open-to-account", "severity": "high",
                                  "arn": "arn:aws:iam::111122223333:role/AdminRole"}]
    r["escalations"]["removed"] = [{"arn": "arn:aws:iam::111122223333:user/alice", "kind": "can", "steps": []}]
    text = render_text(r)
    assert "  - [HIGH] IW001 admin-role-open-to-account: 111122223333:role/AdminRole (resolved)" in text
    assert "  - 111122223333:user/alice can no longer become admin" in text
