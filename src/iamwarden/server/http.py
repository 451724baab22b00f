"""The HTTP front: uvicorn (with httptools, i.e. llhttp) serving a thin ASGI adapter.

Why a server library: HTTP/1.1 framing is where request smuggling and
resource exhaustion live, and llhttp (Node.js's parser, through httptools)
already rejects what must be rejected -- two ``Content-Length`` headers,
``Content-Length`` with ``Transfer-Encoding``, unknown transfer codings,
obsolete line folding, bytes that are not HTTP -- with a 400 and a status
line. uvicorn brings keep-alive, pipelining, TLS from an ``ssl.SSLContext``
and graceful shutdown. The measurement behind the choice is in
``docs/decisions/server-http-front.md``.

What this module adds, through uvicorn's documented extension points (a
protocol class and an ASGI app), because uvicorn does not do it itself:

* **a request deadline**: a request's head and body must arrive within
  ``request_timeout`` seconds of its first byte (and a new connection must
  start one within that time); otherwise ``408 RequestTimeout`` and close --
  a client sending a byte every 10 s is dropped;
* **a head size cap**: request line plus headers at most ``max_head_bytes``
  (64 KiB), else ``431 RequestHeaderFieldsTooLarge`` and close (llhttp
  itself has no limit);
* **a connection cap**: at most ``max_connections`` open connections; one
  more is answered ``503 ServiceUnavailable`` and closed at once;
* **AWS error XML** for every HTTP-level error (400 for what llhttp
  rejects, with its reason), never uvicorn's plain text;
* what the stdlib front decided before, unchanged: a body larger than
  ``max_body_bytes`` (1 MiB) is refused unread with ``RequestEntityTooLarge``
  (413) and the connection closed; ``Transfer-Encoding`` without
  ``Content-Length`` is ``MissingContentLength`` (411); a method other than
  GET/POST is ``MethodNotAllowed`` (405).

``X-Forwarded-For`` is never trusted (``proxy_headers=False``): the peer
address is ``aws:SourceIp``, and a client must not be able to choose it.

The dispatcher is synchronous and uses SQLite: it runs on a pool of
``worker_threads`` threads (so that concurrent AssumeRoles share one fsync
through the store's group commit, and the event loop never waits on the
disk). When an access log is configured, the call's record is collected
while the dispatcher runs and its line written on the same worker thread
(:mod:`iamwarden.server.access_log`).

Use::

    server = QueryServer(QueryDispatcher(registry, resolver), port=0).start()
    boto3.client("sts", endpoint_url=server.endpoint_url, ...)
    server.stop()

or ``with QueryServer(...) as server: ...``.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import socket
import ssl
import threading
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from iamwarden.server.access_log import AccessLog
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
REQUEST_TIMEOUT_SECONDS = 10.0
MAX_HEAD_BYTES = 64 * 1024
MAX_CONNECTIONS = 512
WORKER_THREADS = 16
SHUTDOWN_GRACE_SECONDS = 0.5
BACKLOG = 128
_METHODS = frozenset({"GET", "POST"})

ErrorBody = Callable[[AwsError], Response]
ASGIReceive = Callable[[], Awaitable[dict[str, Any]]]
ASGISend = Callable[[dict[str, Any]], Awaitable[None]]


def _wire(response: Response, close: bool) -> bytes:
    """A whole HTTP/1.1 response, for errors written before any ASGI app runs."""
    head = [f"HTTP/1.1 {response.status} {_phrase(response.status)}\r\nServer: iamwarden\r\n"]
    head += [f"{name}: {value}\r\n" for name, value in response.headers]
    head.append(f"Content-Length: {len(response.body)}\r\n")
    if close:
        head.append("Connection: close\r\n")
    head.append("\r\n")
    return "".join(head).encode("latin-1") + response.body


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class _BoundedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a request deadline, a head cap and a connection cap.

    The limits and the error renderer are class attributes, set on a subclass
    made per server (uvicorn builds the protocol from its class).
    """

    request_timeout: float = REQUEST_TIMEOUT_SECONDS
    max_head_bytes: int = MAX_HEAD_BYTES
    max_connections: int = MAX_CONNECTIONS
    error_response: ErrorBody

    app_front: QueryApp

    _deadline: asyncio.TimerHandle | None = None
    _head_bytes: int = 0
    _in_head: bool = True
    _deferred: bool = False
    _body_parts: list[bytes]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            self._refuse(AwsError("ServiceUnavailable", "Too many open connections; try again later.", 503))
            return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.request_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete and not self.cycle.more_body:
            return  # the request is complete and being answered: the deadline no longer applies
        self._refuse(AwsError("RequestTimeout", "The request was not received in time.", 408))

    def _refuse(self, error: AwsError) -> None:
        """Answer ``error`` (AWS XML, ``Connection: close``) and close, whatever state we are in."""
        self._disarm()
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the app's answer (if any) is not written after ours
            self.cycle.message_event.set()
        if not self.transport.is_closing():
            self.transport.write(_wire(self.error_response(error), close=True))
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        self._refuse(AwsError("BadRequest", msg, 400))

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        self._arm()
        if self._in_head:
            room = self.max_head_bytes - self._head_bytes
            if len(data) > room:
                # feed only what fits: the head must end inside the cap
                if not self._feed(data[:room]) or self._in_head:
                    if not self.transport.is_closing():
                        self._refuse(AwsError(
                            "RequestHeaderFieldsTooLarge",
                            f"The request line and headers exceed {self.max_head_bytes} bytes.", 431))
                    return
                data = data[room:]
            else:
                self._head_bytes += len(data)
        self._feed(data)

    def _feed(self, data: bytes) -> bool:
        """Feed llhttp; a parse error is answered 400 with llhttp's reason. False once closed."""
        if self.transport.is_closing() or self.parser is None:
            return False
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # no protocol upgrades here: answer the request, then close
            if self.cycle is not None:
                self.cycle.keep_alive = False
        except httptools.HttpParserError as error:
            self.send_400_response(f"Malformed HTTP request: {error}.")
            return False
        return not self.transport.is_closing()

    def on_message_begin(self) -> None:
        # The head count is not restarted here: llhttp calls this while feeding the
        # segment that ``data_received`` has already counted, so a restart would forget
        # it and let a head cut into segments past the cap. It restarts when the
        # previous message completes (``on_message_complete``) and at connection start.
        super().on_message_begin()
        self._in_head = True
        self._arm()

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._may_answer_here():
            # the synchronous path: answered in on_message_complete, no ASGI task
            self._deferred = True
            self._body_parts = []
            method = self.parser.get_method().decode("ascii")
            self.scope["method"] = method
            try:
                self.app_front.check_head(method, self.headers)
            except AwsError as error:
                self._deferred = False
                self._answer(self.app_front.dispatcher.error_response(error), keep_alive=False)
            return
        self._deferred = False
        self._start_cycle()

    def _may_answer_here(self) -> bool:
        """No answer in flight (answers stay in order), no ``100 Continue`` to send, no upgrade."""
        cycle = self.cycle
        return (
            (cycle is None or cycle.response_complete)
            and not self.pipeline
            and not self.expect_100_continue
            and not self.parser.should_upgrade()
        )

    def _start_cycle(self) -> None:
        """uvicorn's ASGI request cycle, answering through :class:`QueryApp` (one write per response)."""
        before = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not None and cycle is not before:
            # one write (one segment, one syscall) per response instead of head and body apart
            corked = _OneWrite(self.transport, cycle)
            cycle.transport = corked  # type: ignore[assignment]
            done = cycle.on_response

            def on_response() -> None:
                corked.flush()
                done()

            cycle.on_response = on_response

    def on_body(self, body: bytes) -> None:
        if self._deferred:
            self._body_parts.append(body)
            return
        super().on_body(body)

    def _finish_deferred(self) -> None:
        """The whole request is here: a read is answered now; anything else goes to the ASGI cycle."""
        self._deferred = False
        body = b"".join(self._body_parts)
        self._body_parts = []
        parsed = httptools.parse_url(self.url)
        query = parsed.query or b""
        if not runs_inline(body, query):
            self._start_cycle()
            cycle = self.cycle
            if cycle is not None:
                cycle.body += body
                cycle.more_body = False
                cycle.message_event.set()
            return
        scope = self.scope
        scope["raw_path"] = parsed.path
        scope["query_string"] = query
        front = self.app_front
        keep_alive = self.parser.should_keep_alive() and self.parser.get_http_version() != "1.0"
        try:
            response = front.run(front.build(scope, body))  # type: ignore[arg-type]
        except AwsError as error:
            response, keep_alive = front.dispatcher.error_response(error), False
        except Exception:
            logger.exception("internal failure reading a request")
            response, keep_alive = front.dispatcher.error_response(InternalFailure()), False
        self._answer(response, keep_alive)

    def _answer(self, response: Response, keep_alive: bool) -> None:
        """Write ``response`` in one piece; then close, or wait for the next request."""
        head = [b"HTTP/1.1 %d %s\r\n" % (response.status, _phrase(response.status).encode("ascii"))]
        for name, value in self.server_state.default_headers:
            head.append(b"%s: %s\r\n" % (name, value))
        for hname, hvalue in response.headers:
            head.append(f"{hname}: {hvalue}\r\n".encode("latin-1"))
        head.append(b"content-length: %d\r\n" % len(response.body))
        if not keep_alive:
            head.append(b"connection: close\r\n")
        head.append(b"\r\n")
        head.append(response.body)
        self.transport.write(b"".join(head))
        self.server_state.total_requests += 1
        if not keep_alive:
            self.transport.close()
            return
        self._unset_keepalive_if_required()
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_head = True
        self._head_bytes = 0
        if self._deferred:
            self._finish_deferred()
            return
        super().on_message_complete()


class _OneWrite:
    """A transport that holds a response's writes and sends them as one.

    uvicorn writes the status line and headers when the app starts its
    response and the body when it sends it: two ``send`` calls, two TCP
    segments (``TCP_NODELAY``). Writes between the start of the response and
    its end are joined and sent when the response is complete (or the
    connection closes); anything else (``100 Continue``) goes out at once.
    """

    __slots__ = ("_transport", "_cycle", "_parts")

    def __init__(self, transport: asyncio.Transport, cycle: Any) -> None:
        self._transport = transport
        self._cycle = cycle
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        cycle = self._cycle
        if cycle.response_started and not cycle.response_complete:
            self._parts.append(data)
            return
        self.flush()
        self._transport.write(data)

    def flush(self) -> None:
        if self._parts:
            data = b"".join(self._parts)
            self._parts.clear()
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def _action(data: bytes) -> bytes:
    """The raw ``Action`` value in a form or query string (b"" if none), without decoding."""
    at = data.find(b"Action=")
    while at > 0 and data[at - 1] != 0x26:  # not preceded by "&": part of another name
        at = data.find(b"Action=", at + 1)
    if at < 0:
        return b""
    end = data.find(b"&", at)
    return data[at + 7 : end if end >= 0 else len(data)]


def runs_inline(body: bytes, query: bytes) -> bool:
    """Whether a request may run on the event loop's own thread (a read: no commit to wait for).

    Reads (``Get*``, ``List*``, ``Simulate*``) only compute under the GIL, so
    a worker thread would add two thread hand-offs (~50 µs of CPU each way on
    this project's machine) and gain nothing. Calls that commit (AssumeRole,
    GetSessionToken, IAM writes) run on the pool, where the store's group
    commit lets concurrent ones share an fsync and the loop never waits on
    the disk. A wrong guess costs time, never correctness: both paths run the
    same :meth:`QueryDispatcher.handle`.
    """
    action = _action(body) or _action(query)
    return action.startswith(_READ_PREFIXES) and action not in _WRITING_READS


_READ_PREFIXES = (b"Get", b"List", b"Simulate")
_WRITING_READS = frozenset({b"GetSessionToken", b"GetFederationToken"})


class WorkerPool:
    """Threads that run the dispatcher for calls that commit, handing answers back to the loop.

    Leaner than ``loop.run_in_executor`` with a ``ThreadPoolExecutor`` (no
    ``concurrent.futures.Future`` chained to an asyncio one): about 55 µs of
    CPU per round trip against 90 µs on this project's machine
    (docs/decisions/server-http-front.md). Threads start lazily, up to ``size``.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()

    def run(self, loop: asyncio.AbstractEventLoop, fn: Callable[[Any], Any], arg: Any) -> asyncio.Future[Any]:
        future = loop.create_future()
        with self._lock:
            if self._idle == 0 and len(self._threads) < self.size:
                thread = threading.Thread(target=self._work, name="iamwarden-dispatch", daemon=True)
                self._threads.append(thread)
                self._idle += 1
                thread.start()
        self._queue.put((fn, arg, loop, future))
        return future

    def _work(self) -> None:
        get = self._queue.get
        while True:
            item = get()
            if item is None:
                return
            with self._lock:
                self._idle -= 1
            fn, arg, loop, future = item
            try:
                result = fn(arg)
            except BaseException as error:  # the dispatcher never raises; be safe anyway
                _hand_back(loop, future, None, error)
            else:
                _hand_back(loop, future, result, None)
            with self._lock:
                self._idle += 1

    def shutdown(self) -> None:
        """Let every thread finish its call, then stop it."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()


def _hand_back(loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], result: Any,
               error: BaseException | None) -> None:
    def settle() -> None:
        if future.done():  # cancelled (shutdown): nobody waits for it
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    try:
        loop.call_soon_threadsafe(settle)
    except RuntimeError:  # the loop is closed: the server stopped meanwhile
        pass


class QueryApp:
    """The ASGI app: one HTTP request in, :meth:`QueryDispatcher.handle`, one answer out.

    Reads run on the loop's thread, calls that commit on the worker pool
    (:func:`runs_inline`). :meth:`check_head`, :meth:`build` and :meth:`run`
    are also what the protocol's synchronous path uses, so both paths decide
    alike.
    """

    def __init__(
        self,
        dispatcher: QueryDispatcher,
        executor: WorkerPool,
        max_body_bytes: int,
        access_log: AccessLog | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.executor = executor
        self.max_body_bytes = max_body_bytes
        self.access_log = access_log

    async def __call__(self, scope: dict[str, Any], receive: ASGIReceive, send: ASGISend) -> None:
        if scope["type"] != "http":
            return
        close = False
        try:
            self.check_head(scope["method"], scope["headers"])
            body = b""
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return  # the client went away before its request was complete
                body += message.get("body", b"")
                if not message.get("more_body", False):
                    break
            request = self.build(scope, body)
        except AwsError as error:
            response, close = self.dispatcher.error_response(error), True
        except Exception:
            logger.exception("internal failure reading a request")
            response, close = self.dispatcher.error_response(InternalFailure()), True
        else:
            if runs_inline(body, scope["query_string"]):
                response = self.run(request)
            else:
                loop = asyncio.get_running_loop()
                response = await self.executor.run(loop, self.run, request)
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response.headers]
        headers.append((b"content-length", str(len(response.body)).encode("ascii")))
        if close:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})

    def run(self, request: IncomingRequest) -> Response:
        """The dispatcher's answer (through the access log when one is on); never raises."""
        if self.access_log is None:
            return self.dispatcher.handle(request)
        return self.access_log.handle(self.dispatcher.handle, request)

    def check_head(self, method: str, headers: list[tuple[bytes, bytes]]) -> int:
        """The body length the head announces, or the HTTP-level error to answer (and close)."""
        if method not in _METHODS:
            raise AwsError("MethodNotAllowed", f"The method {method} is not allowed; use POST or GET.", 405)
        length_header = None
        chunked = False
        for name, value in headers:
            if name == b"content-length":
                length_header = value
            elif name == b"transfer-encoding":
                chunked = True
        if length_header is None:
            if chunked:
                raise MissingContentLength()
            return 0
        length = int(length_header)  # llhttp accepts digits only, and one such header
        if length > self.max_body_bytes:
            raise RequestEntityTooLarge(
                f"Request body of {length} bytes exceeds the limit of {self.max_body_bytes} bytes."
            )
        return length

    @staticmethod
    def build(scope: dict[str, Any], body: bytes) -> IncomingRequest:
        """The :class:`IncomingRequest` of a complete request (ASGI scope and body)."""
        try:
            target = scope["raw_path"].decode("ascii")
            query = scope["query_string"]
            if query:
                target += "?" + query.decode("ascii")
        except UnicodeDecodeError:
            raise MalformedQueryString("The request target must be ASCII (percent-encoded).") from None
        client = scope.get("client")
        return IncomingRequest.build(
            scope["method"],
            target,
            [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]],
            body,
            source_ip=str(client[0]) if client else "",
            secure_transport=scope.get("scheme") == "https",
        )


class QueryServer:
    """The IAM/STS endpoint on ``host:port`` (port 0 picks a free port).

    The socket is bound at construction (so ``address`` is known and a port in
    use fails here, as ``OSError``). ``start()`` serves in a background thread
    and returns ``self``; ``stop()`` stops accepting, closes idle connections,
    gives requests in flight ``SHUTDOWN_GRACE_SECONDS`` and joins the thread.
    Keep-alive connections idle for ``idle_timeout`` seconds are closed.
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
        request_timeout: float = REQUEST_TIMEOUT_SECONDS,
        max_head_bytes: int = MAX_HEAD_BYTES,
        max_connections: int = MAX_CONNECTIONS,
        worker_threads: int = WORKER_THREADS,
        access_log: AccessLog | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.ssl_context = ssl_context
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind((host, port))
            self._socket.listen(BACKLOG)
        except OSError:
            self._socket.close()
            raise
        self._executor = WorkerPool(worker_threads)
        app = QueryApp(dispatcher, self._executor, max_body_bytes, access_log)
        protocol = type(
            "QueryProtocol",
            (_BoundedProtocol,),
            {
                "request_timeout": request_timeout,
                "max_head_bytes": max_head_bytes,
                "max_connections": max_connections,
                "error_response": staticmethod(dispatcher.error_response),
                "app_front": app,
            },
        )
        config = uvicorn.Config(
            app,
            http=protocol,
            loop=_loop_name(),
            ws="none",
            lifespan="off",
            interface="asgi3",
            proxy_headers=False,
            server_header=False,
            headers=[("Server", "iamwarden")],
            access_log=False,
            log_config=None,
            timeout_keep_alive=idle_timeout,  # type: ignore[arg-type]  # a float works (call_later)
            timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,  # type: ignore[arg-type]
            backlog=BACKLOG,
            ssl_context_factory=(lambda _config, _default: ssl_context) if ssl_context is not None else None,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._socket.getsockname()[:2]
        return str(host), int(port)

    @property
    def endpoint_url(self) -> str:
        host, port = self.address
        scheme = "https" if self.ssl_context is not None else "http"
        if ":" in host:
            host = f"[{host}]"
        return f"{scheme}://{host}:{port}"

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as error:  # reported by start()/stop()
            self._failure = error
            logger.exception("the HTTP server stopped with an error")

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("server already started")
        self._thread = threading.Thread(target=self._run, name=f"iamwarden-server-{self.address[1]}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.002)
        if not self._server.started:
            raise RuntimeError(f"the HTTP server did not start: {self._failure!r}")
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
            self._thread = None
        self._socket.close()
        self._executor.shutdown()

    def serve_forever(self) -> None:
        """Serve in the calling thread until SIGINT/SIGTERM (uvicorn handles them in the main thread)."""
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self._socket.close()
            self._executor.shutdown()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _loop_name() -> str:
    """uvloop where it is installed (faster; Linux and macOS), asyncio otherwise."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def make_server(
    handlers: HandlerRegistry,
    resolver: CredentialResolver,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock = utc_now,
    max_body_bytes: int = MAX_BODY_BYTES,
    ssl_context: ssl.SSLContext | None = None,
    access_log: AccessLog | None = None,
    regions: frozenset[str] | None = None,
) -> QueryServer:
    """A :class:`QueryServer` for ``handlers`` and ``resolver`` (not yet started).

    ``regions``: the credential-scope regions accepted (None: any).
    """
    dispatcher = QueryDispatcher(handlers, resolver, clock=clock, regions=regions)
    return QueryServer(
        dispatcher, host, port, max_body_bytes=max_body_bytes, ssl_context=ssl_context, access_log=access_log
    )
