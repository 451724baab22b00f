"""The playground's ASGI application: routing, bounded bodies, static assets, safe headers.

Small on purpose (no framework): a handful of JSON actions of :class:`~.api.Playground`
and the bundled files of ``assets/``. Every answer is JSON or a bundled file;
every refusal says what was wrong:

* a body larger than :data:`~.api.MAX_BODY` is refused with 413 before it is
  read further (``Content-Length``, or counted while streaming);
* a body that is not a JSON object is 400 with the position of the error;
* POST bodies must be ``application/json``: a page of another site cannot
  send that without a CORS preflight, which this app never grants;
* the ``Host`` header must name the loopback address the server listens on,
  so that a hostile page cannot reach it through DNS rebinding.
An unexpected error is a 500 saying so (the caller's request is not answered
as if it were decided).
"""

from __future__ import annotations

import json
import logging
import traceback
from importlib import resources
from typing import Any, Awaitable, Callable

from .api import MAX_BODY, ApiError, Playground

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

log = logging.getLogger("iamwarden.web")

CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".js": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8",
                 ".svg": "image/svg+xml", ".png": "image/png"}
#: nothing is loaded from elsewhere; pictures arrive as SVG text shown through blob: images
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
INTERNAL_ERROR = "internal error in iamwarden (a bug; the server log has the traceback)"


def _assets() -> dict[str, tuple[bytes, str]]:
    """Every bundled file by URL path, read once (no path from a request ever reaches the file system)."""
    out: dict[str, tuple[bytes, str]] = {}
    root = resources.files("iamwarden.web") / "assets"
    for entry in root.iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if entry.is_file() and suffix in CONTENT_TYPES:
            out[f"/assets/{entry.name}"] = (entry.read_bytes(), CONTENT_TYPES[suffix])
    out["/"] = out["/assets/index.html"]
    return out


class PlaygroundApp:
    """ASGI 3 application over one :class:`Playground`."""

    def __init__(self, playground: Playground, port: int | None = None) -> None:
        self.playground = playground
        self.port = port  # the listening port, for the Host check (None: any port on loopback)
        self.assets = _assets()
        self.get: dict[str, Callable[[], dict[str, Any]]] = {
            "/api/cases": playground.cases, "/api/account": playground.account}
        self.post: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "/api/explain": playground.explain, "/api/validate": playground.validate,
            "/api/pick": playground.pick, "/api/admin": playground.admin, "/api/hop": playground.hop}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                pass
            return
        if scope["type"] != "http":
            return
        try:
            status, payload, ctype = await self._handle(scope, receive)
        except ApiError as e:
            status, payload, ctype = e.status, _json(e.to_json()), CONTENT_TYPES[".json"]
        except Exception:  # a bug: say so, never answer as if decided
            log.error("playground: internal error\n%s", traceback.format_exc())
            status, ctype = 500, CONTENT_TYPES[".json"]
            payload = _json({"error": {"code": "InternalError", "field": None, "message": INTERNAL_ERROR}})
        headers = [(b"content-type", ctype.encode()), (b"content-length", str(len(payload)).encode()),
                   (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"),
                   (b"referrer-policy", b"no-referrer"), (b"content-security-policy", CSP.encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _host_ok(self, scope: Scope) -> bool:
        host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
        name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
        if not name:
            name, port = host, ""
        if name not in LOOPBACK_HOSTS:
            return False
        return self.port is None or port == str(self.port)

    async def _handle(self, scope: Scope, receive: Receive) -> tuple[int, bytes, str]:
        if not self._host_ok(scope):
            raise ApiError(421, "Host", "this server answers only requests addressed to its loopback address")
        method, path = scope["method"], scope["path"]
        if method in ("GET", "HEAD"):
            if path in self.assets:
                body, ctype = self.assets[path]
                return 200, body, ctype
            if path in self.get:
                return 200, _json(self.get[path]()), CONTENT_TYPES[".json"]
            if path in self.post:
                raise ApiError(405, "method", f"{path} takes POST with a JSON body")
            raise ApiError(404, "path", f"{path}: no such page or action")
        if method != "POST" or path not in self.post:
            if path in self.post or path in self.get or path in self.assets:
                raise ApiError(405, "method", f"{method} is not accepted on {path}")
            raise ApiError(404, "path", f"{path}: no such action")
        ctype = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"content-type"), "")
        if ctype.split(";")[0].strip().lower() != "application/json":
            raise ApiError(415, "Content-Type", f"{ctype or 'none'}: send the body as application/json")
        body = await _read_body(scope, receive)
        return 200, _json(self.post[path](_parse(body))), CONTENT_TYPES[".json"]


async def _read_body(scope: Scope, receive: Receive) -> bytes:
    length = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        raise ApiError(413, "body", f"the request body is larger than {MAX_BODY} bytes")
    chunks, size = [], 0
    while True:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            raise ApiError(400, "body", "the client went away before sending the whole body")
        part = msg.get("body", b"")
        size += len(part)
        if size > MAX_BODY:
            raise ApiError(413, "body", f"the request body is larger than {MAX_BODY} bytes")
        chunks.append(part)
        if not msg.get("more_body"):
            return b"".join(chunks)


def _parse(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ApiError(400, "body", f"not UTF-8 (byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise ApiError(400, "body", f"not JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except RecursionError:
        raise ApiError(400, "body", "not JSON this server reads: nested too deeply") from None
    if not isinstance(value, dict):
        raise ApiError(400, "body", "expected a JSON object")
    return value


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
