"""botocore's IAM and STS service models, compiled once for the Query protocol.

Why botocore's models: they describe every operation's parameters, limits and
patterns, and they are what boto3 serialises requests and parses responses with,
so reading requests and writing responses from the same data keeps the server
byte-compatible with the SDK without a template per operation (design.md,
"botocore"; spec §6.1, §6.2).

The botocore ``Shape`` objects are converted into small frozen :class:`Shape`
trees (wire names, camelCase names for validation messages, compiled patterns)
the first time an operation is used, and cached: the server does this work once
per operation, not once per request.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel
from botocore.model import Shape as BotocoreShape

from iamwarden.server.errors import AwsError
from iamwarden.server.patterns import compile_java_pattern

SERVICE_NAMES: tuple[str, ...] = ("sts", "iam")
"""The services this server speaks, by signing name (spec §6.1)."""

SCALAR_KINDS = frozenset(
    {"string", "integer", "long", "boolean", "timestamp", "blob", "float", "double"}
)


@dataclass(frozen=True, slots=True, eq=False)
class Shape:
    """One model shape with what parsing, validation and XML writing need.

    ``kind`` is botocore's ``type_name``. Limits are the model's ``min``/``max``
    (length for strings, lists and maps; value for numbers).
    """

    name: str
    kind: str
    members: tuple[Member, ...] = ()
    member: Shape | None = None
    member_wire: str = "member"
    flattened: bool = False
    key: Shape | None = None
    value: Shape | None = None
    key_wire: str = "key"
    value_wire: str = "value"
    min: int | float | None = None
    max: int | float | None = None
    pattern_text: str | None = None
    pattern: re.Pattern[str] | None = None
    enum: frozenset[str] | None = None
    enum_text: str | None = None
    sensitive: bool = False
    union: bool = False
    members_by_name: Mapping[str, Member] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, eq=False)
class Member:
    """A structure member: Python dict key, wire name and validation path name."""

    name: str
    wire_name: str
    path_name: str
    shape: Shape
    required: bool


@dataclass(frozen=True, slots=True, eq=False)
class Operation:
    """An operation of a service: its input/output shapes and XML wrapper names."""

    service: str
    name: str
    input: Shape | None
    output: Shape | None
    result_wrapper: str | None
    unsigned: bool


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """A modeled error code's HTTP status and fault side."""

    code: str
    status: int
    sender_fault: bool


def _camel(name: str) -> str:
    """``RoleSessionName`` -> ``roleSessionName``: AWS's validation message names."""
    return name[:1].lower() + name[1:]


class ServiceSpec:
    """One service's model: operations (compiled lazily, then cached) and errors."""

    def __init__(self, model: ServiceModel) -> None:
        self.model = model
        self.name: str = model.signing_name or model.service_name
        self.api_version: str = model.api_version
        self.namespace: str = model.metadata["xmlNamespace"]
        self.operation_names: frozenset[str] = frozenset(model.operation_names)
        self._shapes: dict[str, Shape] = {}
        self._operations: dict[str, Operation] = {}
        self.errors: dict[str, ErrorInfo] = {}
        for error_shape in model.error_shapes:
            info = error_shape.metadata.get("error")
            if not info:
                continue
            status = int(info.get("httpStatusCode", 400))
            self.errors[info["code"]] = ErrorInfo(
                info["code"], status, bool(info.get("senderFault", status < 500))
            )

    def operation(self, name: str) -> Operation | None:
        """The compiled operation, or ``None`` when the model has no such name."""
        op = self._operations.get(name)
        if op is None and name in self.operation_names:
            op = self._compile_operation(self.model.operation_model(name))
            self._operations[name] = op
        return op

    def _compile_operation(self, om: OperationModel) -> Operation:
        output = om.output_shape
        return Operation(
            service=self.name,
            name=om.name,
            input=self._compile(om.input_shape) if om.input_shape is not None else None,
            output=self._compile(output) if output is not None else None,
            result_wrapper=output.serialization.get("resultWrapper")
            if output is not None
            else None,
            unsigned=om.auth_type == "none",
        )

    def _compile(self, shape: BotocoreShape) -> Shape:
        # Shapes are shared by name (the models have no recursive shapes).
        cached = self._shapes.get(shape.name)
        if cached is not None:
            return cached
        meta: Mapping[str, Any] = shape.metadata
        kind = shape.type_name
        kwargs: dict[str, Any] = {
            "name": shape.name,
            "kind": kind,
            "min": meta.get("min"),
            "max": meta.get("max"),
            "sensitive": bool(meta.get("sensitive")),
            "flattened": bool(shape.serialization.get("flattened")),
        }
        if kind == "structure":
            required = set(meta.get("required", ()))
            members = tuple(
                Member(
                    name=member_name,
                    wire_name=member_shape.serialization.get("name", member_name),
                    path_name=_camel(member_name),
                    shape=self._compile(member_shape),
                    required=member_name in required,
                )
                for member_name, member_shape in shape.members.items()
            )
            kwargs["members"] = members
            kwargs["members_by_name"] = {m.name: m for m in members}
            kwargs["union"] = bool(meta.get("union"))
        elif kind == "list":
            kwargs["member"] = self._compile(shape.member)
            kwargs["member_wire"] = shape.member.serialization.get("name", "member")
        elif kind == "map":
            kwargs["key"] = self._compile(shape.key)
            kwargs["value"] = self._compile(shape.value)
            kwargs["key_wire"] = shape.key.serialization.get("name", "key")
            kwargs["value_wire"] = shape.value.serialization.get("name", "value")
        elif kind == "string":
            if meta.get("pattern"):
                kwargs["pattern_text"] = meta["pattern"]
                kwargs["pattern"] = compile_java_pattern(meta["pattern"])
            enum = getattr(shape, "enum", None)
            if enum:
                kwargs["enum"] = frozenset(enum)
                kwargs["enum_text"] = "[" + ", ".join(enum) + "]"
        compiled = Shape(**kwargs)
        self._shapes[shape.name] = compiled
        return compiled

    def error_info(self, code: str) -> ErrorInfo | None:
        return self.errors.get(code)


@functools.cache
def _loader() -> Loader:
    return Loader()


@functools.cache
def service_spec(service: str) -> ServiceSpec:
    """The cached :class:`ServiceSpec` for ``"sts"`` or ``"iam"``.

    Loaded with :class:`botocore.loaders.Loader` (the newest API version
    shipped with the installed botocore: STS 2011-06-15, IAM 2010-05-08).
    """
    if service not in SERVICE_NAMES:
        raise KeyError(f"unknown service {service!r}; known: {', '.join(SERVICE_NAMES)}")
    data = _loader().load_service_model(service, "service-2")
    return ServiceSpec(ServiceModel(data, service_name=service))


@functools.cache
def operation_owner() -> Mapping[str, str]:
    """Operation name -> service, for requests that carry no credential scope."""
    owner: dict[str, str] = {}
    for service in SERVICE_NAMES:
        for name in service_spec(service).operation_names:
            owner.setdefault(name, service)
    return owner


def modeled_error(service: str, code: str, message: str) -> AwsError:
    """An :class:`AwsError` for a code the service model defines, with its status.

    E.g. ``modeled_error("sts", "IDPRejectedClaim", "...")`` is 403 because the
    STS model says so. Unmodeled codes default to 400 / sender fault.
    """
    info = service_spec(service).error_info(code)
    if info is None:
        return AwsError(code, message, 400)
    return AwsError(code, message, info.status, info.sender_fault)
