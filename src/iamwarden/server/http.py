"""The HTTP front: a threaded stdlib server that feeds :class:`QueryDispatcher`.

Why the standard library: ``http.server.ThreadingHTTPServer`` speaks HTTP/1.1
with keep-alive, which is all boto3 and the AWS CLI need for the Query
protocol, and it adds no dependency; the work per request (SigV4, parsing, the
handler) dominates the cost of the socket layer. Two settings matter for
throughput: ``TCP_NODELAY`` and a buffered writer, so that each response leaves
in one segment instead of waiting on Nagle/delayed-ACK (~40 ms per request on
keep-alive connections otherwise), and no reverse DNS lookup at bind time.

What this layer decides itself (everything else is the dispatcher's):

* bodies larger than ``max_body_bytes`` (default 1 MiB) are refused unread
  with ``RequestEntityTooLarge`` (413) and the connection closed;
* requests without ``Content-Length`` but with a ``Transfer-Encoding`` get
  ``MissingContentLength`` (411); a non-numeric ``Content-Length`` a 400;
* a non-ASCII request target is ``MalformedQueryString`` (400);
* HTTP-level errors the stdlib detects (bad request line, unsupported method,
  oversized headers) are answered as AWS error XML too, never as HTML; an
  unknown method is ``MethodNotAllowed`` (405).

The common request -- ``METHOD target HTTP/1.1`` (or 1.0) and ordinary header
lines -- is read by a plain loop rather than the stdlib's ``parse_request``
(whose ``email`` parser cost more than the rest of a GetCallerIdentity), with
the stdlib's limits: 65,536 bytes per line, 100 header lines, both answered
431. Any other request line goes through the stdlib's ``parse_request`` as
before. Responses leave as one buffer with a ``Date`` cached per second.

Use::

    server = QueryServer(QueryDispatcher(registry, resolver), port=0).start()
    boto3.client("sts", endpoint_url=server.endpoint_url, ...)
    server.stop()

or ``with QueryServer(...) as server: ...``.
"""

from __future__ import annotations

import logging
import socket
import socketserver
import ssl
import threading
import time
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

from iamwarden.server.dispatch import HandlerRegistry, QueryDispatcher, Response
from iamwarden.server.errors import (
    AwsError,
    InternalFailure,
    MalformedQueryString,
    MissingContentLength,
    RequestEntityTooLarge,
)
from iamwarden.server.request import IncomingRequest
from iamwarden.server.sigv4 import Clock, CredentialResolver, utc_now

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
IDLE_TIMEOUT_SECONDS = 60.0
MAX_LINE_BYTES = 65536  # the stdlib's limits (http.server / http.client)
MAX_HEADER_LINES = 100
_FAST_VERSIONS = frozenset({"HTTP/1.1", "HTTP/1.0"})
_REASONS = {status.value: status.phrase for status in HTTPStatus}


class _Headers:
    """Request headers: case-insensitive ``get`` (first value) and ``items()`` in order."""

    __slots__ = ("_pairs", "_first")

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs
        first: dict[str, str] = {}
        for name, value in pairs:
            first.setdefault(name.lower(), value)
        self._first = first

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._first.get(name.lower(), default)

    def __getitem__(self, name: str) -> str | None:
        return self._first.get(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._first

    def items(self) -> list[tuple[str, str]]:
        return list(self._pairs)


def _header_pairs(lines: list[bytes]) -> list[tuple[str, str]]:
    """Name/value pairs of raw header lines (obsolete folding joined, as ``email`` does).

    A line that is not ``name: value`` ends the headers, like the stdlib's
    parser, which takes the rest for a body.
    """
    pairs: list[tuple[str, str]] = []
    for raw in lines:
        line = raw.decode("iso-8859-1").rstrip("\r\n")
        if line[:1] in (" ", "\t"):
            if not pairs:
                break
            name, value = pairs[-1]
            pairs[-1] = (name, value + "\r\n" + line)
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip() or " " in name:
            break
        pairs.append((name, value.strip(" \t")))
    return pairs


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    global _date_cache
    now = int(time.time())
    cached = _date_cache
    if cached[0] != now:
        cached = (now, formatdate(now, usegmt=True))
        _date_cache = cached
    return cached[1]


class _QueryHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        dispatcher: QueryDispatcher,
        max_body_bytes: int,
        idle_timeout: float,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        self.dispatcher = dispatcher
        self.max_body_bytes = max_body_bytes
        self.idle_timeout = idle_timeout
        self.ssl_context = ssl_context
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        # A handler class per server, so the idle timeout is a class setting as
        # StreamRequestHandler expects.
        handler = type("QueryRequestHandler", (_QueryRequestHandler,), {"timeout": idle_timeout})
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup
        # that can stall for seconds on machines without DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = super().get_request()
        if self.ssl_context is not None:
            # The handshake runs later, in the connection's own thread.
            sock = self.ssl_context.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False
            )
        return sock, address


class _QueryRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "iamwarden"
    sys_version = ""
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    server: _QueryHTTPServer

    def setup(self) -> None:
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def handle_one_request(self) -> None:
        """The stdlib's loop step, with the common request line and headers read by hand."""
        try:
            self.raw_requestline = self.rfile.readline(MAX_LINE_BYTES + 1)
            if len(self.raw_requestline) > MAX_LINE_BYTES:
                self.requestline = ""
                self.request_version = ""
                self.command = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self._parse_fast():
                return
            mname = "do_" + self.command
            if not hasattr(self, mname):
                self.send_error(HTTPStatus.NOT_IMPLEMENTED, "Unsupported method (%r)" % self.command)
                return
            getattr(self, mname)()
            self.wfile.flush()
        except TimeoutError as e:
            self.log_error("Request timed out: %r", e)
            self.close_connection = True

    def _parse_fast(self) -> bool:
        """``parse_request`` for ``METHOD target HTTP/1.x``; anything else goes to the stdlib's."""
        requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = requestline.split()
        if len(words) != 3 or words[2] not in _FAST_VERSIONS:
            return self.parse_request()
        self.requestline = requestline
        self.command, path, self.request_version = words
        if path.startswith("//"):
            path = "/" + path.lstrip("/")
        self.path = path
        lines: list[bytes] = []
        readline = self.rfile.readline
        while True:
            line = readline(MAX_LINE_BYTES + 1)
            if len(line) > MAX_LINE_BYTES:
                self.close_connection = True
                self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long")
                return False
            if line in (b"\r\n", b"\n", b""):
                break
            lines.append(line)
            if len(lines) > MAX_HEADER_LINES:
                self.close_connection = True
                self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers")
                return False
        headers = _Headers(_header_pairs(lines))
        self.headers = headers  # type: ignore[assignment]
        connection = (headers.get("Connection") or "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive" or self.request_version == "HTTP/1.1":
            self.close_connection = False
        else:
            self.close_connection = True  # HTTP/1.0 without keep-alive
        expect = (headers.get("Expect") or "").lower()
        if expect == "100-continue" and self.request_version == "HTTP/1.1":
            if not self.handle_expect_100():
                return False
        return True

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        dispatcher = self.server.dispatcher
        try:
            body = self._read_body()
            if body is None:
                return
            target = self.path
            if not target.isascii():
                raise MalformedQueryString("The request target must be ASCII (percent-encoded).")
            if target.startswith(("http://", "https://")):
                parts = urlsplit(target)
                target = parts.path + ("?" + parts.query if parts.query else "")
            request = IncomingRequest.build(
                self.command,
                target,
                self.headers.items(),
                body,
                source_ip=str(self.client_address[0]),
                secure_transport=self.server.ssl_context is not None,
            )
        except AwsError as error:
            self._send(dispatcher.error_response(error), close=True)
            return
        except Exception:
            logger.exception("internal failure reading a request")
            self._send(dispatcher.error_response(InternalFailure()), close=True)
            return
        self._send(dispatcher.handle(request), close=False)

    def _read_body(self) -> bytes | None:
        """The body, or ``None`` after answering an error (connection closed)."""
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            if self.headers.get("Transfer-Encoding"):
                raise MissingContentLength()
            return b""
        length_header = length_header.strip()
        if not (length_header.isascii() and length_header.isdigit()):
            raise AwsError("InvalidRequest", "Content-Length must be a non-negative integer.", 400)
        length = int(length_header)
        limit = self.server.max_body_bytes
        if length > limit:
            raise RequestEntityTooLarge(
                f"Request body of {length} bytes exceeds the limit of {limit} bytes."
            )
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            self.close_connection = True  # client went away mid-body
            return None
        return body

    def _send(self, response: Response, close: bool) -> None:
        if self.request_version not in _FAST_VERSIONS:
            self._send_stdlib(response, close)
            return
        if logger.isEnabledFor(logging.DEBUG):
            self.log_request(response.status)
        head = [
            f"{self.protocol_version} {response.status} {_REASONS.get(response.status, '')}\r\n"
            f"Server: {self.server_version}\r\nDate: {_http_date()}\r\n"
        ]
        for name, value in response.headers:
            head.append(f"{name}: {value}\r\n")
        head.append(f"Content-Length: {len(response.body)}\r\n")
        if close:
            head.append("Connection: close\r\n")
            self.close_connection = True
        head.append("\r\n")
        data = "".join(head).encode("latin-1")
        if self.command != "HEAD":
            data += response.body
        self.wfile.write(data)
        self.wfile.flush()

    def _send_stdlib(self, response: Response, close: bool) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """HTTP-level errors found by the stdlib, answered as AWS error XML."""
        if code == HTTPStatus.NOT_IMPLEMENTED:
            # The stdlib's answer to an unknown method; it is the client's fault.
            code = HTTPStatus.METHOD_NOT_ALLOWED
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        error = AwsError(phrase.replace(" ", "").replace("-", ""), message or phrase, code)
        self._send(self.server.dispatcher.error_response(error), close=True)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)


class QueryServer:
    """The IAM/STS endpoint on ``host:port`` (port 0 picks a free port).

    ``start()`` serves in a background thread and returns ``self``; ``stop()``
    stops accepting, closes the listening socket and joins the thread. Open
    keep-alive connections end when their client closes them or after
    ``idle_timeout`` seconds.
    """

    def __init__(
        self,
        dispatcher: QueryDispatcher,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        idle_timeout: float = IDLE_TIMEOUT_SECONDS,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self._server = _QueryHTTPServer(
            (host, port), dispatcher, max_body_bytes, idle_timeout, ssl_context
        )
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @property
    def endpoint_url(self) -> str:
        host, port = self.address
        scheme = "https" if self._server.ssl_context is not None else "http"
        if ":" in host:
            host = f"[{host}]"
        return f"{scheme}://{host}:{port}"

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("server already started")
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"iamwarden-server-{self.address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread (for a CLI ``serve`` command)."""
        try:
            self._server.serve_forever(poll_interval=0.5)
        finally:
            self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def make_server(
    handlers: HandlerRegistry,
    resolver: CredentialResolver,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock = utc_now,
    max_body_bytes: int = MAX_BODY_BYTES,
    ssl_context: ssl.SSLContext | None = None,
) -> QueryServer:
    """A :class:`QueryServer` for ``handlers`` and ``resolver`` (not yet started)."""
    dispatcher = QueryDispatcher(handlers, resolver, clock=clock)
    return QueryServer(
        dispatcher, host, port, max_body_bytes=max_body_bytes, ssl_context=ssl_context
    )
