"""The shape of ``get-account-authorization-details`` output, checked against the shipped JSON Schema.

The schema (``schema/account-authorization-details.schema.json``, documented
in docs/account-files.md) is the single description of what the loader reads.
It is checked here by a small validator for the subset of JSON Schema 2020-12
the schema uses, rather than by the ``jsonschema`` package, so that the
messages can say what was expected in words ("expected an object with
UserDetailList, GroupDetailList, RoleDetailList or Policies, got a list") with
the JSON path of the problem, and so that loading an account needs no further
dependency (docs/decisions/loader-account-schema.md). A keyword outside the
subset makes ``load_schema`` fail, so the schema cannot silently grow past
what is checked; the tests compare this validator with ``jsonschema`` on the
same documents.

Bounded: one pass over the data, no backtracking beyond ``anyOf`` branches
chosen by type, and at most ``MAX_PROBLEMS`` problems collected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_FILE = "account-authorization-details.schema.json"
#: the JSON Schema keywords this validator implements; any other keyword in the schema is an error
SUPPORTED_KEYWORDS = frozenset({
    "$schema", "$id", "$defs", "$ref", "$comment", "title", "description",
    "type", "required", "properties", "items", "minItems", "anyOf",
})
#: problems collected before the check stops (the first few are what a person reads)
MAX_PROBLEMS = 10

_TYPE_NOUNS = {
    "object": "an object", "array": "a list", "string": "a string", "integer": "an integer",
    "number": "a number", "boolean": "true or false", "null": "null",
}


@dataclass(frozen=True, slots=True)
class ShapeProblem:
    """One place where the data does not have the documented shape."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class SchemaError(ValueError):
    """The shipped schema uses something this validator does not implement (a bug in iamwarden)."""


@cache
def load_schema() -> dict[str, Any]:
    """The shipped schema, checked once to use only ``SUPPORTED_KEYWORDS``."""
    text = resources.files(__package__).joinpath("schema", SCHEMA_FILE).read_text(encoding="utf-8")
    schema = json.loads(text)
    _check_keywords(schema, "#")
    for name, sub in schema.get("$defs", {}).items():
        _check_keywords(sub, f"#/$defs/{name}")
    return schema


def _check_keywords(schema: Any, where: str) -> None:
    if not isinstance(schema, dict):
        raise SchemaError(f"{where}: a subschema must be an object")
    unknown = sorted(set(schema) - SUPPORTED_KEYWORDS)
    if unknown:
        raise SchemaError(f"{where}: unsupported keyword(s) {', '.join(unknown)}")
    for key, sub in (schema.get("properties") or {}).items():
        _check_keywords(sub, f"{where}/properties/{key}")
    if "items" in schema:
        _check_keywords(schema["items"], f"{where}/items")
    for i, sub in enumerate(schema.get("anyOf") or []):
        _check_keywords(sub, f"{where}/anyOf/{i}")
    ref = schema.get("$ref")
    if ref is not None and not (isinstance(ref, str) and ref.startswith("#/$defs/")):
        raise SchemaError(f"{where}: only local #/$defs/ references are supported, got {ref!r}")


def check_shape(data: Any, definition: str | None = None) -> list[ShapeProblem]:
    """Problems of ``data`` against the schema (or one of its ``$defs``), in document order.

    ``definition=None`` checks a whole file (one page or a list of pages);
    ``definition="page"`` checks one page, e.g. what boto3 returned.
    """
    schema = load_schema()
    root = schema if definition is None else schema["$defs"][definition]
    problems: list[ShapeProblem] = []
    _Checker(schema["$defs"], problems).check(data, root, "$")
    return problems


def describe_value(value: Any) -> str:
    """What a value is, in words: "a list", "an empty list", "an object with keys A, B"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        if not value:
            return "an empty object"
        keys = [str(k) for k in list(value)[:4]]
        more = ", …" if len(value) > 4 else ""
        return f"an object with key{'s' if len(value) > 1 else ''} {', '.join(keys)}{more}"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    return type(value).__name__


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "integer"
    return "number"


def _types(schema: dict[str, Any]) -> tuple[str, ...]:
    t = schema.get("type")
    if t is None:
        return ()
    return (t,) if isinstance(t, str) else tuple(t)


def _matches_type(value: Any, types: tuple[str, ...]) -> bool:
    actual = _type_of(value)
    return not types or actual in types or (actual == "integer" and "number" in types)


def _join(words: list[str], last: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def _alternatives(words: list[str]) -> str:
    """``a string or null``; ``an object with A and B, or null`` once the parts have words of their own."""
    if len(words) == 1:
        return words[0]
    sep = ", or " if any(" with " in w or " of " in w for w in words) else " or "
    return sep.join(words)


class _Checker:
    def __init__(self, defs: dict[str, Any], problems: list[ShapeProblem]):
        self.defs = defs
        self.problems = problems

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.defs[schema["$ref"].removeprefix("#/$defs/")]
        return schema

    def noun(self, schema: dict[str, Any]) -> str:
        """What ``schema`` accepts, in words (the "expected …" half of a message)."""
        schema = self.resolve(schema)
        if "anyOf" in schema and "type" not in schema:
            seen: list[dict[str, Any]] = []
            parts = []
            for branch in schema["anyOf"]:
                b = self.resolve(branch)
                items = self.resolve(b["items"]) if "items" in b else None
                if b.get("type") == "array" and any(items is s for s in seen):
                    parts.append(f"{'a non-empty list' if b.get('minItems') else 'a list'} of them")
                else:
                    parts.append(self.noun(b))
                seen.append(b)
            return _alternatives(parts)
        words = []
        for t in _types(schema):
            if t == "object":
                keys = list(schema.get("required") or [])
                alternatives = [k for s in schema.get("anyOf") or [] for k in s.get("required") or []]
                if keys:
                    words.append(f"an object with {_join(keys, 'and')}")
                elif alternatives:
                    words.append(f"an object with {_join(alternatives, 'or')}")
                else:
                    words.append("an object")
            elif t == "array":
                inner = schema.get("items")
                lead = "a non-empty list" if schema.get("minItems") else "a list"
                words.append(f"{lead} of {self.plural(inner)}" if inner is not None else lead)
            else:
                words.append(_TYPE_NOUNS[t])
        return _alternatives(words) if words else "anything"

    def plural(self, schema: dict[str, Any]) -> str:
        noun = self.noun(schema)
        for article in ("an ", "a "):
            if noun.startswith(article) and " or " not in noun:
                head, _, rest = noun[len(article):].partition(" ")
                return f"{head}s {rest}".rstrip()
        return f"items each {noun}"

    def add(self, path: str, message: str) -> None:
        self.problems.append(ShapeProblem(path, message))

    def full(self) -> bool:
        return len(self.problems) >= MAX_PROBLEMS

    def check(self, value: Any, schema: dict[str, Any], path: str) -> None:
        if self.full():
            return
        schema = self.resolve(schema)
        types = _types(schema)
        if not _matches_type(value, types):
            self.add(path, f"expected {self.noun(schema)}, got {describe_value(value)}")
            return
        branches = schema.get("anyOf")
        if branches is not None and not self.any_of(value, schema, branches, path):
            return
        if isinstance(value, dict):
            for key in schema.get("required") or []:
                if key not in value:
                    self.add(path, f"missing {key} (expected {self.noun(schema)})")
            for key, sub in (schema.get("properties") or {}).items():
                if key in value:
                    self.check(value[key], sub, f"{path}.{key}")
        elif isinstance(value, list):
            least = schema.get("minItems")
            if least is not None and len(value) < least:
                self.add(path, f"expected {self.noun(schema)}, got {describe_value(value)}")
                return
            if "items" in schema:
                for i, item in enumerate(value):
                    if self.full():
                        return
                    self.check(item, schema["items"], f"{path}[{i}]")

    def any_of(self, value: Any, schema: dict[str, Any], branches: list[dict[str, Any]], path: str) -> bool:
        """True when ``value`` satisfies some branch; otherwise reports the closest branch's problems.

        A branch whose ``type`` does not fit the value is not the one meant;
        among those that fit, the first is reported (the schema lists the
        usual shape first).
        """
        fitting = [b for b in branches if _matches_type(value, _types(self.resolve(b)))]
        for b in fitting:
            trial: list[ShapeProblem] = []
            _Checker(self.defs, trial).check(value, b, path)
            if not trial:
                return True
        if not fitting:
            self.add(path, f"expected {self.noun(schema)}, got {describe_value(value)}")
            return False
        trial = []
        _Checker(self.defs, trial).check(value, fitting[0], path)
        if all(p.path == path for p in trial):  # the value itself is wrong: say what would do
            self.add(path, f"expected {self.noun(schema)}, got {describe_value(value)}")
        else:  # something inside it is: point there
            self.problems.extend(trial[: MAX_PROBLEMS - len(self.problems)])
        return False
