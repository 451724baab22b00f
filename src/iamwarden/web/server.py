"""Serve the playground with uvicorn on the loopback interface, and nowhere else.

The page shows policies a person pastes, and the loaded account's whole IAM
picture: neither may be reachable from the network. :func:`loopback_only`
refuses any other address before a socket is opened, whatever the caller
asks for; the socket is bound here (port 0 picks a free one) and handed to
uvicorn, so the port is known before the first request.
"""

from __future__ import annotations

import ipaddress
import socket

import uvicorn

from .api import Playground
from .app import PlaygroundApp

HOST = "127.0.0.1"


class NotLoopback(ValueError):
    """The playground was asked to listen on an address other machines can reach."""


def loopback_only(host: str) -> str:
    """``host`` when it is a loopback address (127.0.0.0/8, ::1, localhost), else ``NotLoopback``."""
    if host == "localhost":
        return HOST
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        raise NotLoopback(f"{host!r}: the playground listens on a loopback address only (e.g. {HOST})") from None
    if not ip.is_loopback:
        raise NotLoopback(f"{host}: not a loopback address; the playground never listens on the network")
    return str(ip)


def bind(port: int, host: str = HOST) -> socket.socket:
    """A listening TCP socket on loopback ``host``:``port`` (0: a free port)."""
    address = loopback_only(host)
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    sock.listen(64)
    return sock


def make_server(playground: Playground, sock: socket.socket) -> uvicorn.Server:
    """A uvicorn server for the playground on a socket from :func:`bind`."""
    host, port = sock.getsockname()[:2]
    loopback_only(host)
    app = PlaygroundApp(playground, port)
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                            limit_concurrency=32, timeout_keep_alive=5, h11_max_incomplete_event_size=16_384)
    return uvicorn.Server(config)


def url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
