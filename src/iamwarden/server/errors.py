"""Errors the wire layer answers with, as AWS codes, messages and HTTP statuses.

Every failure a client can see is an :class:`AwsError`: a code (the ``<Code>`` of
the error XML, what boto3 exposes as ``e.response['Error']['Code']``), a message,
an HTTP status and whether the sender is at fault (``<Type>Sender</Type>`` for
4xx, ``Receiver`` for 5xx) -- spec §6.2 (error envelope), §6.3 (authentication
outcomes) and §4.5 (STS error table).

The subclasses below exist for the codes the server and the handlers raise
often, so callers can write ``raise NoSuchEntity("The role with name x cannot be
found.")`` and tests can ``except InvalidClientTokenId``. Their statuses agree
with the error shapes in botocore's IAM/STS models where those define the code
(a test checks this); any other modeled code can be raised with
:func:`iamwarden.server.service_model.modeled_error`, which reads the status
from the model.
"""

from __future__ import annotations

from typing import ClassVar

from iamwarden.policy.echo import bound_message


class AwsError(Exception):
    """An error answered as AWS error XML (spec §6.2).

    ``sender_fault`` defaults to ``status < 500``: 4xx is the caller's fault
    (``Sender``), 5xx the service's (``Receiver``). ``message`` is cut to
    ``policy.echo.MAX_MESSAGE`` characters, whatever built it.
    """

    code: str
    message: str
    status: int
    sender_fault: bool

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        sender_fault: bool | None = None,
        detail: str | None = None,
    ) -> None:
        message = bound_message(message)  # a backstop; values are quoted short (policy.echo)
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        #: more than AWS says (the access log's ``detail``), never sent to the client
        self.detail = bound_message(detail) if detail else None
        self.status = status
        self.sender_fault = status < 500 if sender_fault is None else sender_fault

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, status={self.status})"


class _FixedCodeError(AwsError):
    """An :class:`AwsError` whose code and status are fixed by the subclass."""

    CODE: ClassVar[str]
    STATUS: ClassVar[int] = 400
    DEFAULT_MESSAGE: ClassVar[str] = ""

    def __init__(self, message: str | None = None, detail: str | None = None) -> None:
        super().__init__(
            self.CODE,
            self.DEFAULT_MESSAGE if message is None else message,
            self.STATUS,
            detail=detail,
        )


# --- authentication (spec §6.3) -------------------------------------------------


class MissingAuthenticationToken(_FixedCodeError):
    """No ``Authorization`` header and no ``X-Amz-Signature`` on a signed operation."""

    CODE = "MissingAuthenticationToken"
    STATUS = 403
    DEFAULT_MESSAGE = "Request is missing Authentication Token"


class IncompleteSignature(_FixedCodeError):
    """The signature parameters are present but malformed or incomplete."""

    CODE = "IncompleteSignature"
    STATUS = 400


class InvalidClientTokenId(_FixedCodeError):
    """Unknown access key, or a session token that does not belong to the key."""

    CODE = "InvalidClientTokenId"
    STATUS = 403
    # STS's XML has no trailing period here (spec §4.5, raw capture).
    DEFAULT_MESSAGE = "The security token included in the request is invalid"


class ExpiredToken(_FixedCodeError):
    """The request's temporary credentials are past their expiration (§4.5)."""

    CODE = "ExpiredToken"
    STATUS = 403
    DEFAULT_MESSAGE = "The security token included in the request is expired"


class SignatureDoesNotMatch(_FixedCodeError):
    """Wrong signature, clock skew beyond 15 minutes, or a bad credential scope."""

    CODE = "SignatureDoesNotMatch"
    STATUS = 403
    DEFAULT_MESSAGE = (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details."
    )


class RequestExpired(_FixedCodeError):
    """A presigned URL used after ``X-Amz-Date + X-Amz-Expires`` (§4.5)."""

    CODE = "RequestExpired"
    STATUS = 400
    DEFAULT_MESSAGE = "Request has expired."


# --- request shape (spec §6.1, §4.5) --------------------------------------------


class MissingAction(_FixedCodeError):
    CODE = "MissingAction"
    STATUS = 400
    DEFAULT_MESSAGE = "Missing Action"


class InvalidAction(_FixedCodeError):
    CODE = "InvalidAction"
    STATUS = 400


class MalformedQueryString(_FixedCodeError):
    """The form body or query string cannot be read (bad UTF-8, bad encoding)."""

    CODE = "MalformedQueryString"
    STATUS = 400


class InvalidParameterValue(_FixedCodeError):
    CODE = "InvalidParameterValue"
    STATUS = 400


class MissingParameter(_FixedCodeError):
    CODE = "MissingParameter"
    STATUS = 400


class ValidationError(_FixedCodeError):
    """Model constraint violations, ``N validation errors detected: ...`` (§4.2 step 2)."""

    CODE = "ValidationError"
    STATUS = 400


class RequestEntityTooLarge(_FixedCodeError):
    CODE = "RequestEntityTooLarge"
    STATUS = 413
    DEFAULT_MESSAGE = "Request body is too large."


class MissingContentLength(_FixedCodeError):
    CODE = "MissingContentLength"
    STATUS = 411
    DEFAULT_MESSAGE = "You must provide the Content-Length HTTP header."


class UnsupportedMediaType(_FixedCodeError):
    CODE = "UnsupportedMediaType"
    STATUS = 415


class OperationNotImplemented(_FixedCodeError):
    """A valid operation that no handler is registered for (not an AWS code).

    501 rather than 500 so that SDKs do not retry it.
    """

    CODE = "NotImplemented"
    STATUS = 501


# --- business outcomes (IAM/STS models, spec §4.5, §7) -----------------------------


class AccessDenied(_FixedCodeError):
    CODE = "AccessDenied"
    STATUS = 403


class MalformedPolicyDocument(_FixedCodeError):
    CODE = "MalformedPolicyDocument"
    STATUS = 400


class PackedPolicyTooLarge(_FixedCodeError):
    CODE = "PackedPolicyTooLarge"
    STATUS = 400


class RegionDisabled(_FixedCodeError):
    CODE = "RegionDisabledException"
    STATUS = 403


class NoSuchEntity(_FixedCodeError):
    CODE = "NoSuchEntity"
    STATUS = 404


class EntityAlreadyExists(_FixedCodeError):
    CODE = "EntityAlreadyExists"
    STATUS = 409


class LimitExceeded(_FixedCodeError):
    CODE = "LimitExceeded"
    STATUS = 409


class DeleteConflict(_FixedCodeError):
    CODE = "DeleteConflict"
    STATUS = 409


class InvalidInput(_FixedCodeError):
    CODE = "InvalidInput"
    STATUS = 400


class UnmodifiableEntity(_FixedCodeError):
    CODE = "UnmodifiableEntity"
    STATUS = 400


class PolicyEvaluation(_FixedCodeError):
    CODE = "PolicyEvaluation"
    STATUS = 500


class ServiceFailure(_FixedCodeError):
    CODE = "ServiceFailure"
    STATUS = 500


class InternalFailure(_FixedCodeError):
    """Anything unexpected; the cause is logged, never sent to the client."""

    CODE = "InternalFailure"
    STATUS = 500
    DEFAULT_MESSAGE = "The request processing has failed because of an unknown error."


class ServiceUnavailable(_FixedCodeError):
    CODE = "ServiceUnavailable"
    STATUS = 503
    DEFAULT_MESSAGE = "The request has failed due to a temporary failure of the server."


FIXED_CODE_ERRORS: tuple[type[_FixedCodeError], ...] = tuple(
    cls
    for cls in list(globals().values())
    if isinstance(cls, type) and issubclass(cls, _FixedCodeError) and cls is not _FixedCodeError
)
"""Every fixed-code error class, for tests that compare statuses with the model."""
