"""SARIF 2.1.0 output: schema, rules, levels, locations, stable fingerprints."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from iamwarden.report import sarif

OFFICIAL_SCHEMA = Path(__file__).with_name("sarif-schema-2.1.0.json")

# The parts of the SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json) that this
# renderer uses, written down here because the official file is not available
# offline. If tests/report/sarif-schema-2.1.0.json is present, it is used instead.
_MESSAGE = {"type": "object", "properties": {"text": {"type": "string"},
                                             "markdown": {"type": "string"}},
            "anyOf": [{"required": ["text"]}, {"required": ["id"]}]}
_MULTIFORMAT = {"type": "object", "required": ["text"],
                "properties": {"text": {"type": "string"}, "markdown": {"type": "string"}}}
_ARTIFACT_LOCATION = {"type": "object", "properties": {
    "uri": {"type": "string", "format": "uri-reference"}, "uriBaseId": {"type": "string"}},
    "additionalProperties": False}
_LOCATION = {"type": "object", "additionalProperties": False, "properties": {
    "id": {"type": "integer", "minimum": -1},
    "message": _MESSAGE,
    "physicalLocation": {"type": "object", "additionalProperties": False,
                         "properties": {"artifactLocation": _ARTIFACT_LOCATION,
                                        "region": {"type": "object", "properties": {
                                            "startLine": {"type": "integer", "minimum": 1}}}},
                         "anyOf": [{"required": ["address"]}, {"required": ["artifactLocation"]}]},
    "logicalLocations": {"type": "array", "minItems": 0, "uniqueItems": True, "items": {
        "type": "object", "additionalProperties": False, "properties": {
            "name": {"type": "string"}, "fullyQualifiedName": {"type": "string"},
            "kind": {"type": "string"}}}},
}}
_PROPERTY_BAG = {"type": "object", "properties": {
    "tags": {"type": "array", "uniqueItems": True, "items": {"type": "string"}}}}
_LEVEL = {"enum": ["none", "note", "warning", "error"]}
_RULE = {"type": "object", "required": ["id"], "additionalProperties": False, "properties": {
    "id": {"type": "string"}, "name": {"type": "string"},
    "shortDescription": _MULTIFORMAT, "fullDescription": _MULTIFORMAT, "help": _MULTIFORMAT,
    "defaultConfiguration": {"type": "object", "additionalProperties": False,
                             "properties": {"level": _LEVEL, "enabled": {"type": "boolean"}}},
    "properties": _PROPERTY_BAG}}
SARIF_SUBSET_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object", "required": ["version", "runs"], "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {"type": ["array", "null"], "items": {
            "type": "object", "required": ["tool"], "additionalProperties": False,
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {
                    "driver": {"type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string"}, "version": {"type": "string"},
                        "semanticVersion": {"type": "string"},
                        "shortDescription": _MULTIFORMAT,
                        "rules": {"type": "array", "uniqueItems": True, "items": _RULE}}}}},
                "results": {"type": ["array", "null"], "items": {
                    "type": "object", "required": ["message"], "additionalProperties": False,
                    "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": -1},
                        "level": _LEVEL,
                        "message": _MESSAGE,
                        "locations": {"type": "array", "items": _LOCATION},
                        "relatedLocations": {"type": "array", "uniqueItems": True,
                                             "items": _LOCATION},
                        "partialFingerprints": {"type": "object",
                                                "additionalProperties": {"type": "string"}},
                        "codeFlows": {"type": "array", "items": {
                            "type": "object", "required": ["threadFlows"], "properties": {
                                "message": _MESSAGE,
                                "threadFlows": {"type": "array", "minItems": 1, "items": {
                                    "type": "object", "required": ["locations"], "properties": {
                                        "locations": {"type": "array", "minItems": 1, "items": {
                                            "type": "object", "additionalProperties": False,
                                            "properties": {
                                                "location": _LOCATION,
                                                "kinds": {"type": "array", "items": {
                                                    "type": "string"}},
                                                "properties": _PROPERTY_BAG}}}}}}}}},
                        "properties": _PROPERTY_BAG}}},
                "artifacts": {"type": "array", "items": {"type": "object", "properties": {
                    "location": _ARTIFACT_LOCATION,
                    "roles": {"type": "array", "items": {"enum": [
                        "analysisTarget", "attachment", "responseFile", "resultFile",
                        "standardStream", "tracedFile", "unmodified", "modified", "added",
                        "deleted", "renamed", "uncontrolled", "driver", "extension",
                        "translation", "taxonomy", "policy", "referencedOnCommandLine",
                        "memoryContents", "directory", "userSpecifiedConfiguration",
                        "toolSpecifiedConfiguration", "debugOutputFile"]}},
                    "mimeType": {"type": "string"}}}},
                "originalUriBaseIds": {"type": "object", "additionalProperties": {
                    "type": "object"}},
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "invocations": {"type": "array", "items": {
                    "type": "object", "required": ["executionSuccessful"], "properties": {
                        "executionSuccessful": {"type": "boolean"},
                        "toolExecutionNotifications": {"type": "array", "items": {
                            "type": "object", "required": ["message"], "properties": {
                                "level": _LEVEL, "message": _MESSAGE}}}}}},
                "properties": _PROPERTY_BAG,
            }}},
    },
}


def _schema() -> dict[str, Any]:
    if OFFICIAL_SCHEMA.is_file():
        return json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    return SARIF_SUBSET_SCHEMA


def _structural_check(doc: dict[str, Any]) -> None:
    """What the schema checks that matters most, for machines without jsonschema."""
    assert set(doc) <= {"$schema", "version", "runs"} and doc["version"] == "2.1.0"
    for run in doc["runs"]:
        assert run["tool"]["driver"]["name"]
        ids = [r["id"] for r in run["tool"]["driver"].get("rules", [])]
        assert len(ids) == len(set(ids))
        for res in run.get("results", []):
            assert res["message"]["text"]
            assert res.get("level", "warning") in ("none", "note", "warning", "error")
            for loc in res.get("locations", []) + res.get("relatedLocations", []):
                phys = loc.get("physicalLocation")
                if phys:
                    assert phys["artifactLocation"]["uri"]
                    assert phys["region"]["startLine"] >= 1
            assert all(isinstance(v, str) for v in res.get("partialFingerprints", {}).values())


def _validate(doc: dict[str, Any]) -> None:
    try:
        import jsonschema
    except ModuleNotFoundError:  # not in the test extras yet: check the structure by hand
        _structural_check(doc)
        return
    schema = _schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def _run(doc: dict[str, Any]) -> dict[str, Any]:
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    return doc["runs"][0]


def test_output_is_json_and_matches_sarif_schema(sample_result):
    text = sarif.render(sample_result)
    doc = json.loads(text)
    _validate(doc)


def test_schema_catches_a_broken_log(sample_result):
    pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    doc = sarif.to_sarif(sample_result)
    doc["runs"][0]["results"][0]["level"] = "critical"  # not a SARIF level
    with pytest.raises(AssertionError):
        _validate(doc)


def test_hostile_strings_stay_valid_json(hostile_result):
    doc = json.loads(sarif.render(hostile_result))
    _validate(doc)
    texts = [r["message"]["text"] for r in _run(doc)["results"]]
    assert any('<script>alert("x")</script>' in t for t in texts)


def test_driver_and_rules(sample_result):
    run = _run(sarif.to_sarif(sample_result))
    driver = run["tool"]["driver"]
    assert driver["name"] == "iamwarden"
    rules = {r["id"]: r for r in driver["rules"]}
    # one rule per finding id, one per technique used in a path
    assert {"IW001", "IW002", "IW003", "IW004", "IW005"} <= set(rules)
    assert {"D03", "D10", "D15", "D16", "P04"} <= set(rules)
    assert len(rules) == len(driver["rules"])
    assert rules["IW001"]["defaultConfiguration"]["level"] == "error"
    assert rules["IW001"]["properties"]["security-severity"] == "9.5"
    assert rules["IW003"]["defaultConfiguration"]["level"] == "warning"
    assert rules["IW004"]["defaultConfiguration"]["level"] == "note"
    assert "ExternalId" in rules["IW002"]["help"]["text"]  # the fix is in the help
    assert "How to fix" in rules["IW002"]["help"]["markdown"]
    assert rules["D15"]["shortDescription"]["text"] == "D15: Assume a role"
    for r in driver["rules"]:
        assert r["help"]["text"]


def test_rule_takes_worst_severity_of_its_findings(sample_result):
    sample_result["findings"].append({"id": "IW005", "severity": "critical",
                                      "arn": sample_result["principals"][0]["arn"],
                                      "message": "m"})
    rules = {r["id"]: r for r in _run(sarif.to_sarif(sample_result))["tool"]["driver"]["rules"]}
    assert rules["IW005"]["properties"]["security-severity"] == "9.5"


def test_results_levels_messages_and_rule_index(sample_result):
    run = _run(sarif.to_sarif(sample_result))
    results = run["results"]
    assert len(results) == len(sample_result["findings"])
    rules = run["tool"]["driver"]["rules"]
    levels = {}
    for res, f in zip(results, sample_result["findings"], strict=True):
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"] == f["id"]
        assert res["message"]["text"].startswith(f["message"])
        assert f["fix"] in res["message"]["text"]
        levels[f["severity"]] = res["level"]
    assert levels == {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def test_logical_and_physical_locations(sample_result):
    res = _run(sarif.to_sarif(sample_result))["results"][0]
    loc = res["locations"][0]
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == sample_result["findings"][0]["arn"]
    assert loc["logicalLocations"][0]["name"] == "AdminRole"
    phys = loc["physicalLocation"]
    assert phys["artifactLocation"] == {"uri": "examples/demo-account.json",
                                        "uriBaseId": "%SRCROOT%"}
    assert phys["region"]["startLine"] == 1


def test_no_sources_means_logical_locations_only(sample_result):
    del sample_result["sources"]
    run = _run(sarif.to_sarif(sample_result))
    _validate({"version": "2.1.0", "runs": [run]})
    assert "artifacts" not in run and "originalUriBaseIds" not in run
    for res in run["results"]:
        for loc in res["locations"]:
            assert "physicalLocation" not in loc
            assert loc["logicalLocations"]


def test_sources_pick_account_file_and_line(sample_result):
    admin = "arn:aws:iam::111122223333:role/AdminRole"
    sample_result["sources"] = [
        "/data/other-account.json",
        {"uri": "accounts\\prod.json", "account": "111122223333", "lines": {admin: 42}},
    ]
    doc = sarif.to_sarif(sample_result)
    _validate(doc)
    run = _run(doc)
    phys = run["results"][0]["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"] == "accounts/prod.json"
    assert phys["region"]["startLine"] == 42
    assert [a["location"]["uri"] for a in run["artifacts"]] == [
        "file:///data/other-account.json", "accounts/prod.json"]
    # unknown account falls back to the first source
    sample_result["findings"][0]["arn"] = "arn:aws:iam::999999999999:role/x"
    phys = _run(sarif.to_sarif(sample_result))["results"][0]["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"] == "file:///data/other-account.json"


def test_code_flow_is_the_shortest_path(sample_result):
    results = _run(sarif.to_sarif(sample_result))["results"]
    dave = next(r for r in results if r["properties"]["principal"].endswith("user/dave"))
    flow = dave["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [tl["properties"]["technique"] for tl in flow] == ["D15", "P04", "D16"]
    assert flow[-1]["location"]["logicalLocations"][0]["name"] == "AdminRole"
    assert "Step 1: dave → ci-deployer by D15" in flow[0]["location"]["message"]["text"]
    role = next(r for r in results if r["ruleId"] == "IW002")
    assert "codeFlows" not in role  # AuditRole has no path


def test_fingerprints_stable_across_runs_and_wording(sample_result):
    first = _run(sarif.to_sarif(sample_result))["results"]
    reordered = copy.deepcopy(sample_result)
    reordered["findings"].reverse()
    for f in reordered["findings"]:
        f["message"] = f["message"] + " (reworded)"
    second = _run(sarif.to_sarif(reordered))["results"]
    fp1 = {r["properties"]["principal"] + r["ruleId"]: r["partialFingerprints"] for r in first}
    fp2 = {r["properties"]["principal"] + r["ruleId"]: r["partialFingerprints"] for r in second}
    assert fp1 == fp2
    all_fps = [r["partialFingerprints"]["iamwardenFinding/v1"] for r in first]
    assert len(set(all_fps)) == len(all_fps)


def test_duplicate_id_and_arn_get_distinct_fingerprints(sample_result):
    f = dict(sample_result["findings"][4], message="AuditRole also trusts 777788889999")
    sample_result["findings"].append(f)
    fps = [r["partialFingerprints"]["iamwardenFinding/v1"]
           for r in _run(sarif.to_sarif(sample_result))["results"]]
    assert len(set(fps)) == len(fps)


def test_render_is_deterministic(sample_result):
    assert sarif.render(sample_result) == sarif.render(copy.deepcopy(sample_result))


def test_empty_result():
    doc = json.loads(sarif.render({"accounts": [], "principals": [], "findings": []}))
    _validate(doc)
    run = _run(doc)
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []


def test_missing_optional_fields_do_not_break(sample_result):
    doc = sarif.to_sarif({"findings": [{"id": "IW009", "arn": "arn:aws:iam::1:user/x",
                                        "message": "m", "severity": "bogus"}]})
    _validate(doc)
    res = _run(doc)["results"][0]
    assert res["level"] == "warning"  # unknown severity is read as medium


def test_real_result_shape_account_objects_rules_related_errors(sample_result):
    """The analysis core's JSON: accounts are objects with a source, findings carry
    ``rule`` and ``related``, uncertain paths exist, and ``errors`` may be present."""
    del sample_result["sources"]
    sample_result["accounts"] = [{"id": "111122223333", "source": "data/prod.json"},
                                 {"id": "444455556666", "source": "http://localhost:9000"}]
    f = sample_result["findings"][0]
    f["rule"] = "admin-role-open-to-account"
    f["related"] = ["arn:aws:iam::111122223333:user/alice",
                    "arn:aws:iam::111122223333:role/lambda-ops"]
    sample_result["errors"] = ["policy X: unknown condition operator"]
    sample_result["principals"][1]["uncertain_paths"] = [{"steps": [{
        "from": sample_result["principals"][1]["arn"], "to": "arn:aws:iam::111122223333:role/AdminRole",
        "technique": "E01", "technique_name": "Replace the code of an existing Lambda function",
        "reason": "r", "uncertain": "needs an existing function"}]}]
    doc = sarif.to_sarif(sample_result)
    _validate(doc)
    run = _run(doc)
    assert run["properties"]["accounts"] == ["111122223333", "444455556666"]
    assert [a["location"]["uri"] for a in run["artifacts"]] == ["data/prod.json"]  # no URL
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["IW001"]["shortDescription"]["text"] == "Admin role open to account"
    assert rules["IW001"]["name"] == "AdminRoleOpenToAccount"
    assert "E01" in rules
    res = run["results"][0]
    assert [loc["logicalLocations"][0]["name"] for loc in res["relatedLocations"]] == [
        "alice", "lambda-ops"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"] == "policy X: unknown condition operator"


def test_rule_help_is_bounded_for_many_findings(sample_result):
    arn = "arn:aws:iam::111122223333:user/u{}"
    sample_result["findings"] = [{"id": "IW005", "rule": "principal-can-escalate",
                                  "severity": "high", "arn": arn.format(i),
                                  "message": f"u{i} can escalate", "fix": f"fix for u{i}"}
                                 for i in range(50)]
    rule = _run(sarif.to_sarif(sample_result))["tool"]["driver"]["rules"][0]
    assert rule["shortDescription"]["text"] == "Principal can escalate"
    assert rule["fullDescription"]["text"].startswith("Principal can escalate.")
    assert rule["help"]["text"].count("fix for u") == sarif.MAX_FIXES_IN_HELP
    assert "47 more" in rule["help"]["text"]
