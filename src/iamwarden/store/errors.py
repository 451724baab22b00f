"""Errors the store raises, as AWS IAM error codes (spec §6.2).

The store sits below the server (design.md: imports point down), so it cannot
raise the wire layer's ``AwsError``; it raises :class:`StoreError` carrying the
same three facts -- AWS code, message, HTTP status -- and the IAM handlers turn
it into the wire error one to one. Messages are AWS's texts where known.
"""

from __future__ import annotations

from typing import ClassVar


class StoreError(Exception):
    """A request the store refuses; nothing was written (the transaction rolled back)."""

    code: ClassVar[str] = "ServiceFailure"
    status: ClassVar[int] = 500

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: what we know beyond AWS's text (e.g. the JSON paths of a malformed
        #: policy's problems): written to the access log, never to the client
        self.detail = detail

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class NoSuchEntity(StoreError):
    code = "NoSuchEntity"
    status = 404


class EntityAlreadyExists(StoreError):
    code = "EntityAlreadyExists"
    status = 409


class LimitExceeded(StoreError):
    code = "LimitExceeded"
    status = 409


class DeleteConflict(StoreError):
    code = "DeleteConflict"
    status = 409


class MalformedPolicyDocument(StoreError):
    code = "MalformedPolicyDocument"
    status = 400


class InvalidInput(StoreError):
    code = "InvalidInput"
    status = 400


class ValidationError(StoreError):
    code = "ValidationError"
    status = 400


class UnmodifiableEntity(StoreError):
    code = "UnmodifiableEntity"
    status = 400


class AccessDenied(StoreError):
    code = "AccessDenied"
    status = 403


class StateError(Exception):
    """The database or its key file cannot be used as they are; nothing was changed.

    Not an AWS error (no request is involved): raised when a store is opened on
    a path that is not a database, for an account it was not created for, or
    without the key that opens its secrets. The message is one line naming the
    file(s) and what to do, fit for ``iamwarden: error: …`` (exit status 2).
    """
