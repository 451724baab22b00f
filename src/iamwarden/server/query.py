"""Read AWS Query protocol parameters into an operation's input dict.

The Query protocol flattens nested input into form fields (spec §6.1):
``Tags.member.1.Key``, ``TransitiveTagKeys.member.2``, ``X.entry.1.key`` /
``X.entry.1.value``, ``PolicyArns.member.1.arn``. This module is the inverse of
botocore's ``QuerySerializer``: it regroups the flat fields by their dotted path
and walks the operation's input shape, so the result is the same dict a boto3
caller passed in (``{"Tags": [{"Key": "k", "Value": "v"}], ...}``) with integers,
booleans, timestamps and blobs converted.

Unknown fields are ignored (AWS ignores them too); a value that cannot be
converted to its modeled type is an ``InvalidParameterValue``. Constraint
checks (lengths, patterns, ranges, required) are :mod:`validation`'s job.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from iamwarden.policy.echo import echo
from iamwarden.server.errors import InvalidParameterValue
from iamwarden.server.request import MAX_FORM_FIELDS
from iamwarden.server.service_model import Shape

_Node = dict[Any, Any]
_LEAF = None  # key of a field's own value inside its node (path parts are strings)
_ABSENT = object()
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")  # 64-bit range; ranges are validation's job


def group_fields(params: Iterable[tuple[str, str]]) -> _Node:
    """Nest ``A.member.1.B=v`` into ``{"A": {"member": {"1": {"B": {None: "v"}}}}}``.

    Later duplicates of the same field win.
    """
    root: _Node = {}
    for key, value in params:
        node = root
        for part in key.split("."):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            node = child
        node[_LEAF] = value
    return root


def decode_input(shape: Shape | None, params: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The operation input dict for flat Query ``params`` (``Action`` etc. ignored)."""
    if shape is None:
        return {}
    value = _decode_structure(shape, group_fields(params), "")
    return value if isinstance(value, dict) else {}


def _decode(shape: Shape, node: _Node, wire_path: str) -> Any:
    kind = shape.kind
    if kind == "structure":
        return _decode_structure(shape, node, wire_path)
    if kind == "list":
        return _decode_list(shape, node, wire_path)
    if kind == "map":
        return _decode_map(shape, node, wire_path)
    raw = node.get(_LEAF)
    if raw is None:
        return _ABSENT
    return _decode_scalar(shape, raw, wire_path)


def _decode_structure(shape: Shape, node: _Node, wire_path: str) -> Any:
    result: dict[str, Any] = {}
    for member in shape.members:
        child = node.get(member.wire_name)
        if child is None:
            continue
        path = f"{wire_path}.{member.wire_name}" if wire_path else member.wire_name
        value = _decode(member.shape, child, path)
        if value is not _ABSENT:
            result[member.name] = value
    if not result and wire_path and _LEAF in node and len(node) == 1:
        # ``Struct=`` with nothing under it: treat as absent.
        return _ABSENT
    return result


#: Largest list index accepted (``Tags.member.N``). No list can hold more
#: items than a request has fields (``request.MAX_FORM_FIELDS``), so a larger
#: index is refused before it is converted: ``int()`` of 4,301 digits raises,
#: and a big one costs time for nothing (issue 8).
MAX_LIST_INDEX = MAX_FORM_FIELDS
_MAX_INDEX_DIGITS = len(str(MAX_LIST_INDEX))


def _indexed(container: _Node, wire_path: str) -> list[tuple[int, _Node]]:
    """Children keyed by 1-based decimal indices, in index order (others ignored).

    An index over :data:`MAX_LIST_INDEX` is ``InvalidParameterValue`` (400).
    """
    items = []
    for index, child in container.items():
        if not (isinstance(index, str) and index.isdigit() and index.isascii()):
            continue
        digits = index.lstrip("0")
        if len(digits) > _MAX_INDEX_DIGITS or (digits and int(digits) > MAX_LIST_INDEX):
            raise InvalidParameterValue(
                f"The list index '{echo(index, 16)}' in parameter {echo(wire_path)} is invalid. "
                f"Expected an index from 1 to {MAX_LIST_INDEX}."
            )
        if digits:
            items.append((int(digits), child))
    items.sort(key=lambda item: item[0])
    return items


def _decode_list(shape: Shape, node: _Node, wire_path: str) -> Any:
    container = node if shape.flattened else node.get(shape.member_wire)
    if container is None:
        # boto3 sends ``Name=`` for an empty list (spec §6.1).
        return [] if node.get(_LEAF) == "" else _ABSENT
    assert shape.member is not None
    values = []
    for index, child in _indexed(container, f"{wire_path}.{shape.member_wire}"):
        value = _decode(shape.member, child, f"{wire_path}.{shape.member_wire}.{index}")
        if value is not _ABSENT:
            values.append(value)
    return values


def _decode_map(shape: Shape, node: _Node, wire_path: str) -> Any:
    container = node if shape.flattened else node.get("entry")
    if container is None:
        return {} if node.get(_LEAF) == "" else _ABSENT
    assert shape.key is not None and shape.value is not None
    result: dict[Any, Any] = {}
    for index, entry in _indexed(container, f"{wire_path}.entry"):
        key_node = entry.get(shape.key_wire)
        value_node = entry.get(shape.value_wire)
        if key_node is None or value_node is None:
            continue
        entry_path = f"{wire_path}.entry.{index}"
        key = _decode(shape.key, key_node, f"{entry_path}.{shape.key_wire}")
        value = _decode(shape.value, value_node, f"{entry_path}.{shape.value_wire}")
        if key is not _ABSENT and value is not _ABSENT:
            result[key] = value
    return result


def _invalid(raw: str, wire_path: str, expected: str) -> InvalidParameterValue:
    return InvalidParameterValue(
        f"Value '{echo(raw)}' for parameter {echo(wire_path)} is invalid. Expected {expected}."
    )


def _decode_scalar(shape: Shape, raw: str, wire_path: str) -> Any:
    kind = shape.kind
    if kind == "string":
        return raw
    if kind in ("integer", "long"):
        if not _INTEGER.fullmatch(raw):
            raise _invalid(raw, wire_path, "an integer")
        return int(raw)
    if kind == "boolean":
        lowered = raw.lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
        raise _invalid(raw, wire_path, "true or false")
    if kind in ("float", "double"):
        try:
            number = float(raw)
        except ValueError:
            raise _invalid(raw, wire_path, "a number") from None
        if not math.isfinite(number):  # nan, inf, 1e999: not numbers AWS accepts
            raise _invalid(raw, wire_path, "a finite number")
        return number
    if kind == "timestamp":
        return parse_timestamp(raw, wire_path)
    if kind == "blob":
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise _invalid(raw, wire_path, "base64-encoded data") from None
    return raw


def parse_timestamp(raw: str, wire_path: str = "timestamp") -> datetime:
    """ISO 8601 (``2019-11-09T13:34:41Z``, botocore's Query format) or epoch seconds.

    Naive times are taken as UTC; the result is always timezone-aware.
    """
    try:
        if _INTEGER.fullmatch(raw) or raw.replace(".", "", 1).isdigit():
            return datetime.fromtimestamp(float(raw), tz=UTC)
        parsed = datetime.fromisoformat(raw)
    except (ValueError, OverflowError, OSError):
        raise _invalid(raw, wire_path, "an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def merge_params(
    query_params: Iterable[tuple[str, str]], body_params: Iterable[tuple[str, str]]
) -> Mapping[str, str]:
    """URL query and form body parameters as one mapping (body wins, spec §6.1)."""
    merged = dict(query_params)
    merged.update(body_params)
    return merged
