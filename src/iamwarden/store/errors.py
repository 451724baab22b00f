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

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

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
