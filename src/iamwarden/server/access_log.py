"""The access log: one line per call saying who called what, and why it was allowed or denied.

The server-side twin of ``iamwarden explain`` (issue 9, item 5): a developer
whose call was denied reads which policy type and statement decided, or that
no statement allowed it, without reproducing the call.

How a line is put together: while one request runs through the dispatcher
(in one worker thread), a :class:`CallRecord` sits in a context variable. The
dispatcher notes the request context (caller, operation) and the error it
answers; the authorizer (:mod:`iamwarden.server.authorization`) and the STS
handlers note each engine :class:`~iamwarden.evaluation.Decision` with its
action and resource. :class:`AccessLog` then turns the record into one line,
text or JSON, on the ``iamwarden.access`` logger.

Off by default: without an :class:`AccessLog` no record is made, and each
hook costs one ``ContextVar.get`` that returns ``None``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ..evaluation.decision import Decision, Verdict

if TYPE_CHECKING:
    from .errors import AwsError
    from .request import IncomingRequest, RequestContext



class Answered(Protocol):
    """What a line needs of the dispatcher's ``Response`` (so this module does not import the
    dispatcher that imports it)."""

    @property
    def status(self) -> int: ...

    @property
    def request_id(self) -> str: ...


R = TypeVar("R", bound=Answered)

LOGGER_NAME = "iamwarden.access"
FORMATS = ("text", "json")
#: what an implicit deny says when no statement decided it (issue 9 item 5)
NO_STATEMENT = "no statement allowed it"


@dataclass(slots=True)
class CallRecord:
    """What one call did, filled in while it runs (mutable: it is a collector, never shared)."""

    source_ip: str = ""
    service: str = ""
    operation: str = ""
    request_id: str = ""
    caller_arn: str = ""
    decisions: list[tuple[str, str, Decision]] = field(default_factory=list)
    error_code: str = ""
    error_detail: str = ""


_current: ContextVar[CallRecord | None] = ContextVar("iamwarden_call_record", default=None)


def note_context(ctx: RequestContext, caller_arn: Callable[[object], str]) -> None:
    """The dispatcher found the operation and the caller (cheap when no log is on)."""
    record = _current.get()
    if record is not None:
        record.service, record.operation, record.request_id = ctx.service, ctx.operation, ctx.request_id
        record.caller_arn = caller_arn(ctx.principal) if ctx.principal is not None else ""


def note_operation(service: str, operation: str) -> None:
    """The operation, when known before a context exists (e.g. authentication failed)."""
    record = _current.get()
    if record is not None:
        record.service, record.operation = service, operation


def note_decision(action: str, resource: str, decision: Decision) -> None:
    """An engine decision made for this call."""
    record = _current.get()
    if record is not None:
        record.decisions.append((action, resource, decision))


def note_error(error: AwsError) -> None:
    record = _current.get()
    if record is not None:
        record.error_code = error.code
        record.error_detail = error.detail or ""


def deciding(decision: Decision) -> dict[str, Any]:
    """What decided: for a deny the policy type and statement, or that no statement allowed it.

    An explicit deny names its first Deny statement (policy, index, Sid). An
    implicit deny has no statement by definition; its reasons name the rule
    (e.g. "no permissions boundary statement allows this"), kept as ``reason``.
    An allow names the first Allow statement when the engine reported one.
    """
    out: dict[str, Any] = {}
    wanted = "Deny" if decision.verdict is Verdict.EXPLICIT_DENY else "Allow"
    statement = next((r for r in decision.reasons if r.effect == wanted and r.statement is not None), None)
    if statement is not None:
        out["policy_type"] = statement.policy_type
        if statement.policy is not None:
            out["policy"] = statement.policy
        out["statement"] = statement.statement
        if statement.sid is not None:
            out["sid"] = statement.sid
        out["reason"] = statement.message
    elif decision.verdict is Verdict.IMPLICIT_DENY:
        out["policy_type"] = decision.reasons[0].policy_type if decision.reasons else "identity"
        out["statement"] = None
        rules = "; ".join(r.message for r in decision.reasons)
        out["reason"] = NO_STATEMENT + (f" ({rules})" if rules else "")
    if decision.errors:
        out["errors"] = list(decision.errors)
    return out


class AccessLog:
    """Writes one line per call to ``logger`` (``iamwarden.access``) at INFO, as text or JSON."""

    def __init__(self, fmt: str = "text", logger: logging.Logger | None = None) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        self.fmt = fmt
        self.logger = logger or logging.getLogger(LOGGER_NAME)

    def handle(self, handle: Callable[[IncomingRequest], R], request: IncomingRequest) -> R:
        """Run ``handle(request)`` with a record collecting, then write its line."""
        record = CallRecord(source_ip=request.source_ip)
        token = _current.set(record)
        try:
            response = handle(request)
        finally:
            _current.reset(token)
        try:
            self.write(record, response)
        except Exception:  # a log failure never fails the call
            logging.getLogger(__name__).exception("could not write an access log line")
        return response

    def fields(self, record: CallRecord, response: Answered) -> dict[str, Any]:
        """The line's fields (see docs/endpoint.md, "Access log")."""
        now = datetime.now(UTC)
        out: dict[str, Any] = {
            "time": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "request_id": response.request_id,
            "status": response.status,
            "source_ip": record.source_ip,
            "caller": record.caller_arn or None,
            "operation": f"{record.service}:{record.operation}" if record.operation else None,
        }
        decided = _deciding_decision(record.decisions)
        if decided is not None:
            action, resource, decision = decided
            out["action"] = action
            out["resource"] = resource
            out["decision"] = decision.verdict.value
            out.update(deciding(decision))
        else:
            out["action"] = out["operation"]
            out["resource"] = None
            out["decision"] = None
        if record.error_code:
            out["error"] = record.error_code
        if record.error_detail:
            out["detail"] = record.error_detail
        return out

    def write(self, record: CallRecord, response: Answered) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        f = self.fields(record, response)
        if self.fmt == "json":
            self.logger.info(json.dumps(f, separators=(",", ":"), ensure_ascii=False))
            return
        self.logger.info(text_line(f))


def configure_logging(level: str, fmt: str) -> AccessLog | None:
    """stderr logging for ``iamwarden serve --log-level LEVEL --log-format FMT``.

    Returns the :class:`AccessLog` to give the server when ``level`` is info or
    debug, else ``None`` (no access log, no per-call cost).
    """
    import sys

    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}")
    access = logging.getLogger(LOGGER_NAME)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.handlers[:] = [handler]
    access.propagate = False
    access.setLevel(logging.INFO)
    other = logging.StreamHandler(sys.stderr)
    other.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("iamwarden")
    root.handlers[:] = [other]
    root.setLevel(numeric)
    return AccessLog(fmt, access) if numeric <= logging.INFO else None


def _deciding_decision(decisions: list[tuple[str, str, Decision]]) -> tuple[str, str, Decision] | None:
    """The decision that decided the call: the first deny, else the last allow."""
    for item in decisions:
        if not item[2].allowed:
            return item
    return decisions[-1] if decisions else None


def _quote(value: object) -> str:
    text = "-" if value is None else str(value)
    if text == "" or any(c in text for c in ' "=\\') or not text.isprintable():
        return json.dumps(text, ensure_ascii=False)
    return text


def text_line(f: dict[str, Any]) -> str:
    """``time request_id status action key=value ...``: one line, values quoted when needed."""
    head = [f["time"], f["request_id"], str(f["status"]), _quote(f["action"])]
    keys = ("caller", "resource", "decision", "policy_type", "policy", "statement", "sid", "reason",
            "error", "detail", "source_ip")
    rest = [f"{k}={_quote(f[k])}" for k in keys if k in f and (f[k] is not None or k in ("caller", "decision"))]
    return " ".join(head + rest)


__all__ = [
    "FORMATS",
    "LOGGER_NAME",
    "NO_STATEMENT",
    "AccessLog",
    "configure_logging",
    "CallRecord",
    "deciding",
    "note_context",
    "note_decision",
    "note_error",
    "note_operation",
    "text_line",
]
