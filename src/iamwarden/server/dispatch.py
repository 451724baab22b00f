"""The Query front: one HTTP request in, one AWS response out, no sockets.

Every request goes through the same steps, and the first failure is answered
as AWS error XML (spec §6.2) with the namespace of the service concerned:

1. read the parameters: URL query merged with the form body (§6.1);
   undecodable input is ``MalformedQueryString`` (400);
2. pick the service: the credential scope's service when it is ``sts``/``iam``,
   otherwise the service whose model owns ``Action`` (unsigned requests);
3. find the operation: ``MissingAction`` / ``InvalidAction`` (400), also for a
   ``Version`` that is not the model's API version;
4. authenticate with :class:`~iamwarden.server.sigv4.SigV4Verifier`, except
   the operations the model marks unsigned (AssumeRoleWithWebIdentity,
   AssumeRoleWithSAML; §6.1), which run with ``principal=None``;
5. decode the parameters by the input shape and validate them against the
   model (``ValidationError``, §4.2 step 2) -- after authentication, as AWS does;
6. call the handler registered for (service, operation) -- 501 ``NotImplemented``
   if none -- and write its output dict as XML.

A handler raising :class:`~iamwarden.server.errors.AwsError` gets that error
answered; any other exception is logged and answered ``InternalFailure`` (500)
without internals. Bad input never produces a 500.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from iamwarden.server.access_log import note_context, note_error, note_operation
from iamwarden.server.errors import (
    AwsError,
    InternalFailure,
    InvalidAction,
    MalformedQueryString,
    MissingAction,
    MissingAuthenticationToken,
    OperationNotImplemented,
    UnsupportedMediaType,
)
from iamwarden.server.query import decode_input, merge_params
from iamwarden.server.request import IncomingRequest, RequestContext, parse_form
from iamwarden.server.responses import error_xml, success_xml
from iamwarden.server.service_model import (
    SERVICE_NAMES,
    Operation,
    ServiceSpec,
    operation_owner,
    service_spec,
)
from iamwarden.server.sigv4 import (
    Authentication,
    Clock,
    CredentialResolver,
    SignatureParams,
    SigV4Verifier,
    parse_signature,
    utc_now,
)
from iamwarden.server.validation import validate_input

logger = logging.getLogger(__name__)

Handler = Callable[[RequestContext, dict[str, Any]], Mapping[str, Any] | None]
"""A handler gets the context and the decoded, validated input dict (keys are the
model's member names, e.g. ``{"RoleArn": ..., "Tags": [{"Key": .., "Value": ..}]}``)
and returns the output dict (``None`` for operations without output), or raises
:class:`~iamwarden.server.errors.AwsError`."""

DEFAULT_SERVICE = "sts"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class HandlerRegistry:
    """Handlers keyed by (service signing name, operation name)."""

    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], Handler] = {}

    def register(self, service: str, operation: str, handler: Handler) -> None:
        """Register ``handler``; the operation must exist in the service's model."""
        if service_spec(service).operation(operation) is None:
            raise KeyError(f"{service} has no operation {operation!r} in its botocore model")
        self._handlers[(service, operation)] = handler

    def get(self, service: str, operation: str) -> Handler | None:
        return self._handlers.get((service, operation))

    def __contains__(self, key: object) -> bool:
        return key in self._handlers

    def operations(self) -> list[tuple[str, str]]:
        return sorted(self._handlers)


@dataclass(frozen=True, slots=True)
class Response:
    """An HTTP response ready to send (``headers`` exclude Content-Length)."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    request_id: str


def new_request_id() -> str:
    """A random (version 4) UUID as text: ``str(uuid.uuid4())`` without the UUID object."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40  # version 4
    b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _principal_arn(principal: object) -> str:
    """The caller's ARN for the access log (the resolver's principal is opaque here)."""
    session = getattr(principal, "session", None)
    arn = getattr(session, "arn", None) or getattr(principal, "arn", None) or getattr(principal, "principal_arn", "")
    return str(arn or "")


class QueryDispatcher:
    """Runs requests through parse, auth, validation and a handler (module doc)."""

    def __init__(
        self,
        handlers: HandlerRegistry,
        resolver: CredentialResolver,
        clock: Clock = utc_now,
        request_id_factory: Callable[[], str] = new_request_id,
        regions: frozenset[str] | None = None,
    ) -> None:
        self.handlers = handlers
        self._clock = clock
        self._verifier = SigV4Verifier(resolver, clock, regions=regions)
        self._new_request_id = request_id_factory
        self._specs: dict[str, ServiceSpec] = {name: service_spec(name) for name in SERVICE_NAMES}
        self._owner = operation_owner()

    def handle(self, request: IncomingRequest) -> Response:
        """Answer one request; never raises."""
        request_id = self._new_request_id()
        received_at = self._clock()
        service = DEFAULT_SERVICE
        try:
            params = self._read_params(request)
            signature = parse_signature(request)
            service = self._pick_service(signature.service if signature else None, params)
            spec = self._specs[service]
            operation = self._find_operation(spec, params)
            note_operation(service, operation.name)
            auth = self._authenticate(request, operation, signature, service)
            input_params = decode_input(operation.input, params.items())
            validate_input(operation.input, input_params)
            handler = self.handlers.get(service, operation.name)
            if handler is None:
                raise OperationNotImplemented(
                    f"iamwarden does not implement {service}:{operation.name}."
                )
            context = self._context(request, request_id, received_at, service, operation, auth)
            note_context(context, _principal_arn)
            output = handler(context, input_params)
            body = success_xml(spec.namespace, operation, output, request_id)
            return self._response(200, body, request_id)
        except AwsError as error:
            note_error(error)
            return self.error_response(error, service, request_id)
        except Exception:
            logger.exception("internal failure answering request %s", request_id)
            note_error(InternalFailure())
            return self.error_response(InternalFailure(), service, request_id)

    def error_response(
        self, error: AwsError, service: str | None = None, request_id: str | None = None
    ) -> Response:
        """The AWS error XML response for ``error`` (also used by the HTTP layer)."""
        request_id = request_id or self._new_request_id()
        namespace = self._specs[service or DEFAULT_SERVICE].namespace
        return self._response(error.status, error_xml(namespace, error, request_id), request_id)

    # --- steps ------------------------------------------------------------------

    @staticmethod
    def _read_params(request: IncomingRequest) -> Mapping[str, str]:
        body_params: tuple[tuple[str, str], ...] = ()
        if request.body:
            content_type = (request.header("content-type") or FORM_CONTENT_TYPE).lower()
            if not content_type.startswith(FORM_CONTENT_TYPE):
                raise UnsupportedMediaType(
                    f"Content-Type {content_type!r} is not supported; "
                    f"send parameters as {FORM_CONTENT_TYPE}."
                )
            try:
                text = request.body.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedQueryString("The request body is not valid UTF-8.") from None
            body_params = parse_form(text, "request body")
        return merge_params(request.query_params, body_params)

    def _pick_service(self, scope_service: str | None, params: Mapping[str, str]) -> str:
        if scope_service in self._specs:
            return scope_service
        return self._owner.get(params.get("Action", ""), DEFAULT_SERVICE)

    @staticmethod
    def _find_operation(spec: ServiceSpec, params: Mapping[str, str]) -> Operation:
        action = params.get("Action")
        if not action:
            raise MissingAction()
        version = params.get("Version")
        operation = spec.operation(action)
        if operation is None or (version and version != spec.api_version):
            raise InvalidAction(
                f"Could not find operation {action} for version {version or spec.api_version}"
            )
        return operation

    def _authenticate(
        self,
        request: IncomingRequest,
        operation: Operation,
        signature: SignatureParams | None,
        service: str,
    ) -> Authentication | None:
        if operation.unsigned:
            return None
        if signature is None:
            raise MissingAuthenticationToken()
        return self._verifier.verify(request, signature, expected_service=service)

    def _context(
        self,
        request: IncomingRequest,
        request_id: str,
        received_at: datetime,
        service: str,
        operation: Operation,
        auth: Authentication | None,
    ) -> RequestContext:
        return RequestContext(
            service=service,
            operation=operation.name,
            request_id=request_id,
            request_time=received_at,
            principal=auth.principal if auth else None,
            access_key_id=auth.access_key_id if auth else None,
            session_token=auth.session_token if auth else None,
            region=auth.region if auth else None,
            source_ip=request.source_ip,
            user_agent=request.header("user-agent") or "",
            secure_transport=request.secure_transport,
        )

    @staticmethod
    def _response(status: int, body: bytes, request_id: str) -> Response:
        return Response(
            status=status,
            body=body,
            headers=(("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)),
            request_id=request_id,
        )
