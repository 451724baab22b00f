"""Write Query-protocol XML: success envelopes from output shapes, and errors.

Success (spec §6.2)::

    <OpResponse xmlns="ns"><OpResult>...</OpResult>
      <ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></OpResponse>

Lists are ``<Name><member>..</member></Name>``, maps
``<Name><entry><key>k</key><value>v</value></entry></Name>``, timestamps ISO 8601
UTC to the second (``2019-11-09T13:34:41Z``), booleans ``true``/``false``;
``None`` members are left out. ``<OpResult>`` is written whenever the output
shape has members, even if all are ``None`` (boto3 raises ``KeyError`` without
it, spec §6.2).

Errors (spec §6.2)::

    <ErrorResponse xmlns="ns"><Error><Type>Sender</Type><Code/><Message/></Error>
      <RequestId/></ErrorResponse>

One writer escapes every text node: no handler builds XML by concatenation
(design.md, "What to avoid"). Characters XML 1.0 cannot carry (most C0 controls,
lone surrogates) are replaced by U+FFFD; ``\\r`` is written as ``&#13;`` so it
survives the parser's line-end normalisation.

An output dict with a key the shape does not define is a handler bug and raises
:class:`OutputShapeError` (the front turns it into ``InternalFailure``).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from iamwarden.server.errors import AwsError
from iamwarden.server.service_model import Operation, Shape

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NEEDS_ESCAPE = re.compile('[&<>"\r]')
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"}


class OutputShapeError(TypeError):
    """A handler returned a value that does not fit the operation's output shape."""


#: text that needs neither replacing nor escaping: XML characters other than & < > " and CR
_PLAIN_TEXT = re.compile(
    "[\t\n\x20-\x21\x23-\x25\x27-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*"
)


def escape_text(text: str) -> str:
    """Escape a string for XML text or a double-quoted attribute."""
    if _PLAIN_TEXT.fullmatch(text):
        return text  # the common case, in one scan
    if _NOT_XML.search(text):
        text = _NOT_XML.sub("\ufffd", text)
    if _NEEDS_ESCAPE.search(text):
        text = _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)
    return text


def format_timestamp(value: datetime) -> str:
    """ISO 8601 UTC to the second; naive datetimes are taken as UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def success_xml(
    namespace: str, operation: Operation, output: Mapping[str, Any] | None, request_id: str
) -> bytes:
    """The 200 response body for ``operation`` with the handler's ``output``."""
    name = operation.name
    parts = [f'<{name}Response xmlns="{escape_text(namespace)}">']
    shape = operation.output
    if shape is not None and shape.members:
        wrapper = operation.result_wrapper or f"{name}Result"
        parts.append(f"<{wrapper}>")
        _write_members(shape, output or {}, parts, wrapper)
        parts.append(f"</{wrapper}>")
    elif output:
        raise OutputShapeError(
            f"{name} has no output members, but the handler returned {sorted(output)}"
        )
    elif operation.result_wrapper:
        # boto3 looks the wrapper up even when the output shape is empty
        # (UpdateRole): an empty element keeps it from raising KeyError.
        parts.append(f"<{operation.result_wrapper}/>")
    parts.append(
        f"<ResponseMetadata><RequestId>{escape_text(request_id)}</RequestId></ResponseMetadata>"
    )
    parts.append(f"</{name}Response>")
    return "".join(parts).encode("utf-8")


def error_xml(namespace: str, error: AwsError, request_id: str) -> bytes:
    """The error response body for ``error``."""
    fault = "Sender" if error.sender_fault else "Receiver"
    return (
        f'<ErrorResponse xmlns="{escape_text(namespace)}"><Error><Type>{fault}</Type>'
        f"<Code>{escape_text(error.code)}</Code>"
        f"<Message>{escape_text(error.message)}</Message></Error>"
        f"<RequestId>{escape_text(request_id)}</RequestId></ErrorResponse>"
    ).encode()


def _write_members(shape: Shape, value: Any, parts: list[str], where: str) -> None:
    if not isinstance(value, Mapping):
        raise OutputShapeError(
            f"{where}: expected a mapping for {shape.name}, got {type(value).__name__}"
        )
    members = shape.members_by_name
    for key in value:
        if key not in members:
            raise OutputShapeError(
                f"{where}: {shape.name} has no member {key!r} (members: {', '.join(members)})"
            )
    for member in shape.members:
        item = value.get(member.name)
        if item is not None:
            _write(member.shape, member.wire_name, item, parts, f"{where}.{member.name}")


def _write(shape: Shape, tag: str, value: Any, parts: list[str], where: str) -> None:
    kind = shape.kind
    if kind == "structure":
        parts.append(f"<{tag}>")
        _write_members(shape, value, parts, where)
        parts.append(f"</{tag}>")
    elif kind == "list":
        if isinstance(value, (str, bytes, Mapping)):
            raise OutputShapeError(f"{where}: expected a list, got {type(value).__name__}")
        assert shape.member is not None
        if shape.flattened:
            for item in value:
                _write(shape.member, tag, item, parts, where)
            return
        parts.append(f"<{tag}>")
        for item in value:
            _write(shape.member, shape.member_wire, item, parts, where)
        parts.append(f"</{tag}>")
    elif kind == "map":
        if not isinstance(value, Mapping):
            raise OutputShapeError(f"{where}: expected a mapping, got {type(value).__name__}")
        assert shape.key is not None and shape.value is not None
        if not shape.flattened:
            parts.append(f"<{tag}>")
        for key, item in value.items():
            parts.append("<entry>" if not shape.flattened else f"<{tag}>")
            _write(shape.key, shape.key_wire, key, parts, where)
            if item is not None:
                _write(shape.value, shape.value_wire, item, parts, where)
            parts.append("</entry>" if not shape.flattened else f"</{tag}>")
        if not shape.flattened:
            parts.append(f"</{tag}>")
    else:
        parts.append(f"<{tag}>{escape_text(_scalar_text(shape, value, where))}</{tag}>")


def _scalar_text(shape: Shape, value: Any, where: str) -> str:
    kind = shape.kind
    if kind == "string":
        if isinstance(value, str):
            return value
        raise OutputShapeError(f"{where}: expected a string, got {type(value).__name__}")
    if kind == "boolean":
        if isinstance(value, bool):
            return "true" if value else "false"
        raise OutputShapeError(f"{where}: expected a bool, got {type(value).__name__}")
    if kind in ("integer", "long"):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise OutputShapeError(f"{where}: expected an int, got {type(value).__name__}")
    if kind in ("float", "double"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return repr(float(value))
        raise OutputShapeError(f"{where}: expected a number, got {type(value).__name__}")
    if kind == "timestamp":
        if isinstance(value, datetime):
            return format_timestamp(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return format_timestamp(datetime.fromtimestamp(value, tz=UTC))
        if isinstance(value, str):
            return value
        raise OutputShapeError(f"{where}: expected a datetime, got {type(value).__name__}")
    if kind == "blob":
        if isinstance(value, str):
            value = value.encode("utf-8")
        if isinstance(value, (bytes, bytearray)):
            return base64.b64encode(value).decode("ascii")
        raise OutputShapeError(f"{where}: expected bytes, got {type(value).__name__}")
    return str(value)
