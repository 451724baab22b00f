"""Check an operation's input against its model constraints, with AWS's wording.

AWS validates Query requests server-side and reports every violation in one
``ValidationError`` (spec §4.2 step 2, §4.5)::

    1 validation error detected: Value 'a b' at 'roleSessionName' failed to
    satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*

Several violations are joined with ``; `` after ``N validation errors detected:``.
Member paths are camelCase (``roleSessionName``); inside lists they read
``tags.1.member.key`` (1-based). A missing required member is
``Value null at 'roleArn' failed to satisfy constraint: Member must not be null``.

Constraints checked: ``required``; ``min``/``max`` as length for strings,
blobs, lists and maps and as value for numbers; ``pattern`` (matched against
the whole value, Java semantics -- see :mod:`patterns`); ``enum``. Union
structures (``PolicyIdentifier``) are not checked for "exactly one member".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iamwarden.policy.echo import echo
from iamwarden.server.errors import ValidationError
from iamwarden.server.service_model import Shape

_REDACTED = "*** Sensitive Data Redacted ***"


def validation_errors(shape: Shape | None, value: Mapping[str, Any]) -> list[str]:
    """Every constraint violation of an input dict, in model member order."""
    errors: list[str] = []
    if shape is not None:
        _check_structure(shape, value, "", errors)
    return errors


def validate_input(shape: Shape | None, value: Mapping[str, Any]) -> None:
    """Raise :class:`ValidationError` listing all violations, if any."""
    errors = validation_errors(shape, value)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise ValidationError(f"{count} validation {noun} detected: " + "; ".join(errors))


def render_value(shape: Shape, value: Any) -> str:
    """A value as AWS prints it inside ``Value '...'`` (sensitive ones redacted)."""
    if shape.sensitive:
        return _REDACTED
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        inner = shape.member
        return "[" + ", ".join(render_value(inner, v) if inner else str(v) for v in value) + "]"
    if isinstance(value, Mapping):
        if shape.kind == "structure":
            parts = (
                f"{m.name}={render_value(m.shape, value[m.name])}"
                for m in shape.members
                if value.get(m.name) is not None
            )
            return "{" + ", ".join(parts) + "}"
        return "{" + ", ".join(f"{k}={v}" for k, v in value.items()) + "}"
    if isinstance(value, bytes):
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    return str(value)


def _violation(shape: Shape, value: Any, path: str, constraint: str) -> str:
    # Only a short prefix of the rejected value is quoted (policy.echo, issue 8).
    return (
        f"Value '{echo(render_value(shape, value))}' at '{path}' failed to satisfy constraint: "
        f"{constraint}"
    )


def _check(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    kind = shape.kind
    if kind == "structure":
        if isinstance(value, Mapping):
            _check_structure(shape, value, path, errors)
    elif kind == "list":
        _check_length(shape, value, path, errors)
        if shape.member is not None:
            for index, item in enumerate(value, 1):
                _check(shape.member, item, f"{path}.{index}.member", errors)
    elif kind == "map":
        _check_length(shape, value, path, errors)
        if shape.key is not None and shape.value is not None:
            for index, (key, item) in enumerate(value.items(), 1):
                _check(shape.key, key, f"{path}.{index}.key", errors)
                _check(shape.value, item, f"{path}.{index}.value", errors)
    elif kind == "string":
        _check_length(shape, value, path, errors)
        if shape.pattern is not None and not shape.pattern.fullmatch(value):
            errors.append(
                _violation(
                    shape,
                    value,
                    path,
                    f"Member must satisfy regular expression pattern: {shape.pattern_text}",
                )
            )
        if shape.enum is not None and value not in shape.enum:
            errors.append(
                _violation(
                    shape, value, path, f"Member must satisfy enum value set: {shape.enum_text}"
                )
            )
    elif kind == "blob":
        _check_length(shape, value, path, errors)
    elif kind in ("integer", "long", "float", "double"):
        if shape.min is not None and value < shape.min:
            errors.append(
                _violation(
                    shape,
                    value,
                    path,
                    f"Member must have value greater than or equal to {shape.min}",
                )
            )
        if shape.max is not None and value > shape.max:
            errors.append(
                _violation(
                    shape, value, path, f"Member must have value less than or equal to {shape.max}"
                )
            )


def _check_structure(shape: Shape, value: Mapping[str, Any], path: str, errors: list[str]) -> None:
    for member in shape.members:
        member_path = f"{path}.{member.path_name}" if path else member.path_name
        item = value.get(member.name)
        if item is None:
            if member.required:
                errors.append(
                    f"Value null at '{member_path}' failed to satisfy constraint: "
                    "Member must not be null"
                )
            continue
        _check(member.shape, item, member_path, errors)


def _check_length(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    if shape.min is None and shape.max is None:
        return
    length = len(value)
    if shape.min is not None and length < shape.min:
        errors.append(
            _violation(
                shape, value, path, f"Member must have length greater than or equal to {shape.min}"
            )
        )
    if shape.max is not None and length > shape.max:
        errors.append(
            _violation(
                shape, value, path, f"Member must have length less than or equal to {shape.max}"
            )
        )
