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
from pathlib import Path
from typing import Any, Callable

from ..policy.document import json_kind

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
def load_schema(schema_file: str = SCHEMA_FILE) -> dict[str, Any]:
    """A shipped schema (by file name in ``schema/``), checked once to use only ``SUPPORTED_KEYWORDS``."""
    # beside this module (not ``importlib.resources``: that import pulls in tempfile, shutil
    # and the compression modules, a tenth of an audit's import time, for one file read)
    text = (Path(__file__).parent / "schema" / schema_file).read_text(encoding="utf-8")
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


def check_shape(data: Any, definition: str | None = None, schema_file: str = SCHEMA_FILE) -> list[ShapeProblem]:
    """Problems of ``data`` against the schema (or one of its ``$defs``), in document order.

    ``definition=None`` checks a whole file (one page or a list of pages);
    ``definition="page"`` checks one page, e.g. what boto3 returned.
    ``schema_file``: another shipped schema read by the same validator (the
    organization and resources files, docs/organization.md).
    """
    problems: list[_Raw] = []
    _compiled(definition, schema_file)(data, None, problems)
    return [ShapeProblem(_format_path(p), m) for p, m in problems]


#: a JSON path as a linked list (parent, key), formatted only when a problem is reported
_Path = tuple[Any, str | int] | None
_Raw = tuple[_Path, str]
_Check = Callable[[Any, _Path, list[_Raw]], bool]


def _format_path(path: _Path) -> str:
    parts: list[str] = []
    while path is not None:
        path, key = path
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "$" + "".join(reversed(parts))


@cache
def _compiled(definition: str | None, schema_file: str = SCHEMA_FILE) -> _Check:
    schema = load_schema(schema_file)
    return _Compiler(schema["$defs"]).compile(schema if definition is None else schema["$defs"][definition])


def describe_value(value: Any) -> str:
    """What a value is, in words: "a list", "an empty list", "an object with keys A, B".

    ``policy.document.json_kind`` with the detail a shape message needs: an
    object's first keys, an empty list or object, an integer apart from a number.
    """
    if isinstance(value, dict):
        if not value:
            return "an empty object"
        keys = [str(k) for k in list(value)[:4]]
        more = ", …" if len(value) > 4 else ""
        return f"an object with key{'s' if len(value) > 1 else ''} {', '.join(keys)}{more}"
    if isinstance(value, list) and not value:
        return "an empty list"
    if isinstance(value, int) and not isinstance(value, bool):
        return "an integer"
    return json_kind(value)


_KIND: dict[type, str] = {
    dict: "object", list: "array", str: "string", int: "integer", float: "number", bool: "boolean",
    type(None): "null",
}


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


def _join(words: list[str], last: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def _alternatives(words: list[str]) -> str:
    """``a string or null``; ``an object with A and B, or null`` once the parts have words of their own."""
    if len(words) == 1:
        return words[0]
    sep = ", or " if any(" with " in w or " of " in w for w in words) else " or "
    return sep.join(words)


class _Compiler:
    """Turns the schema into nested closures once, so checking a large account is one cheap pass."""

    def __init__(self, defs: dict[str, Any]):
        self.defs = defs
        self.by_name: dict[str, _Check] = {}

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.defs[schema["$ref"].removeprefix("#/$defs/")]
        return schema

    def ref(self, name: str) -> _Check:
        """A late-bound check of ``#/$defs/name`` (definitions may refer to each other)."""
        def check(value: Any, path: _Path, out: list[_Raw]) -> bool:
            return self.by_name[name](value, path, out)

        if name not in self.by_name:
            self.by_name[name] = _pending
            self.by_name[name] = self.compile(self.defs[name])
        return check

    def compile(self, schema: dict[str, Any]) -> _Check:
        if "$ref" in schema:
            return self.ref(schema["$ref"].removeprefix("#/$defs/"))
        types = frozenset(_types(schema))
        noun = self.noun(schema)
        if set(schema) <= {"type", "title", "description", "$comment"} and "number" not in types:
            return self.leaf(types, noun)
        required = tuple(schema.get("required") or ())
        props = tuple((k, self.compile(v)) for k, v in (schema.get("properties") or {}).items())
        items = self.compile(schema["items"]) if "items" in schema else None
        least = schema.get("minItems")
        branches = [(frozenset(_types(self.resolve(b))), self.compile(b)) for b in schema.get("anyOf") or ()]

        def check(value: Any, path: _Path, out: list[_Raw]) -> bool:
            if len(out) >= MAX_PROBLEMS:
                return False
            kind = _KIND.get(type(value)) or _type_of(value)
            if types and kind not in types and not (kind == "integer" and "number" in types):
                out.append((path, f"expected {noun}, got {describe_value(value)}"))
                return False
            if branches and not any_of(value, kind, path, out):
                return False
            ok = True
            if kind == "object":
                for key in required:
                    if key not in value:
                        out.append((path, f"missing {key} (expected {noun})"))
                        ok = False
                for key, sub in props:
                    if key in value and not sub(value[key], (path, key), out):
                        ok = False
            elif kind == "array":
                if least is not None and len(value) < least:
                    out.append((path, f"expected {noun}, got {describe_value(value)}"))
                    return False
                if items is not None:
                    for i, item in enumerate(value):
                        if not items(item, (path, i), out):
                            ok = False
                            if len(out) >= MAX_PROBLEMS:
                                break
            return ok

        def any_of(value: Any, kind: str, path: _Path, out: list[_Raw]) -> bool:
            """True when some branch accepts ``value``; otherwise reports the closest branch's problems.

            A branch whose ``type`` does not fit the value is not the one meant;
            among those that fit, the first is reported (the schema lists the
            usual shape first).
            """
            fitting = [c for t, c in branches if not t or kind in t or (kind == "integer" and "number" in t)]
            first: list[_Raw] = []
            for i, c in enumerate(fitting):
                trial: list[_Raw] = []
                if c(value, path, trial):
                    return True
                if i == 0:
                    first = trial
            if first and any(p is not path for p, _ in first):  # something inside the value: point there
                out.extend(first[: MAX_PROBLEMS - len(out)])
            else:  # the value itself is wrong: say what would do
                out.append((path, f"expected {noun}, got {describe_value(value)}"))
            return False

        return check

    @staticmethod
    def leaf(types: frozenset[str], noun: str) -> _Check:
        """A check of the type alone (most fields): the common case, kept short."""
        def check(value: Any, path: _Path, out: list[_Raw]) -> bool:
            if (_KIND.get(type(value)) or _type_of(value)) in types or not types:
                return True
            out.append((path, f"expected {noun}, got {describe_value(value)}"))
            return False

        return check

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


def _pending(value: Any, path: _Path, out: list[_Raw]) -> bool:  # pragma: no cover (never called)
    raise SchemaError("a definition was used while it was being compiled")
