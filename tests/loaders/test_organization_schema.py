"""The organization file's JSON Schema: valid 2020-12, read by the same validator as the account schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from iamwarden.loaders.account_schema import check_shape, load_schema
from iamwarden.loaders.organization import SCHEMA_FILE

EXAMPLE = Path(__file__).parents[1] / "organization" / "data" / "organization.json"


def test_organization_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(load_schema(SCHEMA_FILE))


def test_organization_schema_agrees_with_jsonschema() -> None:
    schema = load_schema(SCHEMA_FILE)
    good = json.loads(EXAMPLE.read_text())
    assert check_shape(good, schema_file=SCHEMA_FILE) == []
    assert jsonschema.Draft202012Validator(schema).is_valid(good)
    for bad in ({"Organization": {"Id": "o-1"}}, {**good, "Roots": []}, {**good, "Policies": [{"Content": "{}"}]},
                {**good, "Children": [{"ParentId": 5}]}):
        assert check_shape(bad, schema_file=SCHEMA_FILE) != []
        assert not jsonschema.Draft202012Validator(schema).is_valid(bad)
