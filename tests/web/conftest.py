"""A playground server on a free loopback port, in a thread, for the API and browser tests."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from iamwarden.loaders.authz_details import load_world
from iamwarden.web.api import Playground
from iamwarden.web.server import bind, make_server, url

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo-account.json"


@dataclass
class Running:
    url: str
    port: int

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                raw: bytes | None = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        h = {"Content-Type": "application/json"} if data is not None else {}
        h.update(headers or {})
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        payload = resp.read()
        conn.close()
        ctype = resp.getheader("Content-Type") or ""
        return resp.status, json.loads(payload) if ctype.startswith("application/json") else payload

    def post(self, path: str, body: Any) -> tuple[int, Any]:
        return self.request("POST", path, body)


def start(world: Any, sources: tuple[str, ...]) -> Iterator[Running]:
    sock = bind(0)
    server = make_server(Playground(world, sources), sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the playground server did not start")
        time.sleep(0.02)
    try:
        yield Running(url(sock), sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def playground() -> Iterator[Running]:
    """A playground with the bundled demo account loaded."""
    yield from start(load_world([DEMO]), (str(DEMO),))


@pytest.fixture(scope="module")
def bare_playground() -> Iterator[Running]:
    """A playground without an account (the classic cases only)."""
    yield from start(None, ())
