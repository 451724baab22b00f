"""STS errors as typed values (spec §4.5).

Every failure of an STS operation is an :class:`StsError` carrying the wire
``code``, the AWS ``message`` and the HTTP ``status``. The server maps it to
the Query-protocol XML error body; the library and the CLI show it as is. The
token errors are subclasses so a caller can tell *why* a token was refused
(tampered, expired, unknown or rotated-out key) while the wire still shows only
``InvalidClientTokenId`` or ``ExpiredToken``, as AWS does (spec §6.3).
"""

from __future__ import annotations

from typing import Any


class StsError(Exception):
    """An STS error response: ``code`` (wire name), ``message``, HTTP ``status``."""

    def __init__(self, code: str, message: str, status: int = 400, decision: Any = None, detail: str = ""):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        #: more than AWS says (e.g. a session policy's JSON paths): for logs, never for the client
        self.detail = detail
        #: for an AccessDenied the engine's (action, resource, Decision) that denied, so the
        #: endpoint's access log can say why (issue 9 item 5); None otherwise
        self.decision = decision

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "status": self.status}


def validation_error(problems: list[str]) -> StsError:
    """``ValidationError`` with AWS's counting prefix (spec §4.2 step 2)."""
    n = len(problems)
    noun = "error" if n == 1 else "errors"
    return StsError("ValidationError", f"{n} validation {noun} detected: " + "; ".join(problems), 400)


def access_denied(message: str) -> StsError:
    return StsError("AccessDenied", message, 403)


# -- session tokens (spec §6.3) -------------------------------------------------

INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid"
EXPIRED_TOKEN_MESSAGE = "The security token included in the request is expired"


class TokenError(StsError):
    """A session token that must not be honoured; ``reason`` says why, for logs and tests."""

    reason = "invalid"

    def __init__(self, detail: str = ""):
        super().__init__("InvalidClientTokenId", INVALID_TOKEN_MESSAGE, 403)
        self.detail = detail


class TokenMalformed(TokenError):
    """Not a token this installation issues (bad encoding, wrong version, truncated)."""

    reason = "malformed"


class TokenTampered(TokenError):
    """The authentication tag does not verify: bytes were changed or the key differs."""

    reason = "tampered"


class TokenKeyUnknown(TokenError):
    """The token names a key id the keyring does not hold (never held, or rotated out)."""

    reason = "unknown-key"


class TokenMismatch(TokenError):
    """A genuine token presented with another access key id."""

    reason = "access-key-mismatch"


class TokenTooLarge(StsError):
    """Issuing: the sealed session would exceed the token bound (``PackedPolicyTooLarge``, spec §4.1).

    The packed-size budgets (:mod:`.packing`) keep every ordinary session far
    below the bound; this is the last guard, so a token is never handed out
    that the verifier would refuse.
    """

    def __init__(self, length: int, limit: int):
        pct = -(-100 * length // limit)
        super().__init__(
            "PackedPolicyTooLarge",
            f"Packed size of the session consumes {pct}% of allotted space.",
            400,
        )
        self.length = length


class TokenExpired(TokenError):
    """A genuine token past its expiration: ``ExpiredToken`` (403), spec §4.5."""

    reason = "expired"

    def __init__(self, detail: str = ""):
        super().__init__(detail)
        self.code = "ExpiredToken"
        self.message = EXPIRED_TOKEN_MESSAGE
        self.args = (f"{self.code}: {self.message}",)
