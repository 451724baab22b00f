"""The two request value types of the wire layer.

:class:`IncomingRequest` is an HTTP request as received, independent of the
socket server (so SigV4 and the Query front can be tested and benchmarked without
one). :class:`RequestContext` is what a handler is given besides its parameters:
who is calling (the opaque principal the credential resolver returned) and the
facts the policy engine turns into global context keys (``aws:SourceIp``,
``aws:UserAgent``, ``aws:SecureTransport``, ``aws:CurrentTime``; spec §3.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote

from iamwarden.server.errors import MalformedQueryString

MAX_FORM_FIELDS = 10_000


def parse_form(text: str, what: str) -> tuple[tuple[str, str], ...]:
    """``a=1&b=2`` -> pairs, form-decoded (``+`` is a space), strict UTF-8.

    A field without ``=`` counts as an empty value, like AWS does; empty fields
    (``a=1&&b=2``) are skipped. ``what`` names the source ("query string",
    "request body") in errors. The same result as ``urllib.parse.parse_qsl``
    with ``keep_blank_values=True``, ``errors="strict"`` and a field limit, but
    percent-decoding only the parts that contain a ``%`` (a third of the cost
    on a signed AssumeRole body).
    """
    if not text:
        return ()
    if text.count("&") >= MAX_FORM_FIELDS:
        raise MalformedQueryString(f"The {what} cannot be parsed: Max number of fields exceeded.")
    pairs: list[tuple[str, str]] = []
    try:
        for field in text.split("&"):
            if not field:
                continue
            if "+" in field:
                field = field.replace("+", " ")
            name, _, value = field.partition("=")
            if "%" in name:
                name = unquote(name, errors="strict")
            if "%" in value:
                value = unquote(value, errors="strict")
            pairs.append((name, value))
    except UnicodeDecodeError:
        raise MalformedQueryString(
            f"The {what} contains percent-encoded bytes that are not valid UTF-8."
        ) from None
    return tuple(pairs)


@dataclass(frozen=True, slots=True)
class IncomingRequest:
    """An HTTP request as the server received it.

    ``headers`` maps lower-case names to all their values in arrival order;
    ``path`` is the raw (still percent-encoded) path; ``query_params`` are the
    decoded URL query parameters in order (repeats kept).
    """

    method: str
    path: str
    query_params: tuple[tuple[str, str], ...]
    headers: Mapping[str, tuple[str, ...]]
    body: bytes
    source_ip: str = "127.0.0.1"
    secure_transport: bool = False

    @classmethod
    def build(
        cls,
        method: str,
        target: str,
        headers: Iterable[tuple[str, str]],
        body: bytes = b"",
        source_ip: str = "127.0.0.1",
        secure_transport: bool = False,
    ) -> IncomingRequest:
        """From a request target (``/path?query``) and raw header pairs.

        Raises :class:`MalformedQueryString` for an undecodable query string.
        """
        path, _, query = target.partition("?")
        grouped: dict[str, list[str]] = {}
        for name, value in headers:
            grouped.setdefault(name.lower(), []).append(value)
        return cls(
            method=method.upper(),
            path=path or "/",
            query_params=parse_form(query, "query string"),
            headers={name: tuple(values) for name, values in grouped.items()},
            body=body,
            source_ip=source_ip,
            secure_transport=secure_transport,
        )

    def header(self, name: str) -> str | None:
        """The first value of a header (name case-insensitive), or ``None``."""
        values = self.headers.get(name.lower())
        return values[0] if values else None


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Everything a handler knows about a request besides its parameters.

    ``principal`` is whatever the injected credential resolver returned for the
    access key (``None`` for the unsigned STS operations AssumeRoleWithWebIdentity
    and AssumeRoleWithSAML, spec §6.1). ``request_time`` is the server clock at
    receipt (the value of ``aws:CurrentTime``), not the client's signing time.
    """

    service: str
    operation: str
    request_id: str
    request_time: datetime
    principal: object | None
    access_key_id: str | None
    session_token: str | None
    region: str | None
    source_ip: str
    user_agent: str
    secure_transport: bool
