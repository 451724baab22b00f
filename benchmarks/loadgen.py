"""A closed-loop HTTP/1.1 load generator for SigV4-signed AWS Query requests.

Built to outrun a Python server on the same machine:

* every request is signed **up front** with botocore's ``SigV4Auth`` (one
  distinct request per send: AssumeRole gets a distinct ``RoleSessionName``)
  and serialised to raw bytes, so the hot loop does no crypto, no botocore and
  no ``http.client``: ``sendall`` the bytes, read the status line, headers and
  ``Content-Length`` body from the socket;
* one **process** per concurrent client, each with one keep-alive connection
  and one request in flight, so the client side is not held by one GIL;
* **bounded**: a worker stops after its pre-signed requests are used up or when
  the scenario's deadline passes, whichever comes first; everything is on the
  loopback and the workers exit by themselves.

Signatures carry an ``X-Amz-Date`` of "now" at signing time; the scenario's
duration must stay well inside AWS's 15-minute skew window (the driver caps it).

Use::

    from loadgen import Target, run_load
    target = Target(url, region, key_id, secret, role_arn=...)
    res = run_load(target, "AssumeRole", clients=8, duration=10, max_requests=20000)
    res.rps, res.p50_ms, res.p99_ms, res.statuses, res.errors, res.sample_ok

The result's ``sample_ok`` is the body of one 200 answer (checked by the caller
to be a real AssumeRole/GetCallerIdentity result), ``sample_error`` the first
non-200 body, if any.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

MAX_SKEW_SAFE_SECONDS = 600  # signatures expire after 900 s of skew; leave a margin


@dataclass(frozen=True)
class Target:
    url: str
    region: str
    access_key_id: str
    secret_access_key: str
    role_arn: str = ""
    session_token: str | None = None


@dataclass
class LoadResult:
    operation: str
    clients: int
    sent: int = 0
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ns: list[int] = field(default_factory=list, repr=False)
    statuses: dict[int, int] = field(default_factory=dict)
    sample_ok: bytes = b""
    sample_error: bytes = b""
    exhausted: bool = False  # a worker used up its pre-signed requests before the deadline
    sign_seconds: float = 0.0
    worker_failures: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float:
        if not self.latencies_ns:
            return float("nan")
        xs = sorted(self.latencies_ns)
        i = min(len(xs) - 1, max(0, int(round(q / 100.0 * len(xs) + 0.5)) - 1))
        return xs[i] / 1e6

    @property
    def p50_ms(self) -> float:
        return self.percentile_ms(50)

    @property
    def p99_ms(self) -> float:
        return self.percentile_ms(99)

    def summary(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "clients": self.clients,
            "ok": self.ok,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "exhausted": self.exhausted,
        }


# --- signing ---------------------------------------------------------------------


def sign_requests(target: Target, operation: str, n: int, tag: str) -> list[bytes]:
    """``n`` distinct signed requests, each as the raw bytes of an HTTP/1.1 POST."""
    from urllib.parse import urlencode

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    creds = Credentials(target.access_key_id, target.secret_access_key, target.session_token)
    auth = SigV4Auth(creds, "sts", target.region)
    parts = urlsplit(target.url)
    host = parts.netloc
    path = parts.path or "/"
    out: list[bytes] = []
    for i in range(n):
        if operation == "AssumeRole":
            params = {
                "Action": "AssumeRole",
                "Version": "2011-06-15",
                "RoleArn": target.role_arn,
                "RoleSessionName": f"{tag}-{i}",
            }
        elif operation == "GetCallerIdentity":
            params = {"Action": "GetCallerIdentity", "Version": "2011-06-15"}
        else:
            raise ValueError(f"unsupported operation {operation}")
        body = urlencode(params)
        req = AWSRequest(
            method="POST",
            url=target.url,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        auth.add_auth(req)
        head = [f"POST {path} HTTP/1.1", f"Host: {host}"]
        for k, v in req.headers.items():
            if k.lower() == "host":
                continue
            head.append(f"{k}: {v}")
        head.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body.encode()
        out.append(raw)
    return out


# --- the hot loop ------------------------------------------------------------------


class _Conn:
    """One keep-alive connection with a minimal HTTP/1.1 response reader."""

    def __init__(self, host: str, port: int):
        self.addr = (host, port)
        self.sock: socket.socket | None = None
        self.buf = b""

    def connect(self) -> None:
        self.close()
        s = socket.create_connection(self.addr, timeout=30)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.buf = s, b""

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    def roundtrip(self, raw: bytes) -> tuple[int, bytes, bool]:
        """Send one request; return (status, body, server_wants_close)."""
        if self.sock is None:
            self.connect()
        sock = self.sock
        assert sock is not None
        sock.sendall(raw)
        buf = self.buf
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            buf += chunk
        head = buf[:end].decode("latin-1")
        lines = head.split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        close = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            lname = name.strip().lower()
            if lname == "content-length":
                length = int(value.strip())
            elif lname == "connection" and value.strip().lower() == "close":
                close = True
        start = end + 4
        while len(buf) < start + length:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection mid-body")
            buf += chunk
        body = buf[start:start + length]
        self.buf = buf[start + length:]
        if close:
            self.close()
        return status, body, close


def _worker(
    idx: int,
    target: Target,
    operation: str,
    n_requests: int,
    warmup: int,
    ready: Any,
    start_evt: Any,
    deadline_box: Any,
    out_q: Any,
) -> None:
    try:
        t0 = time.perf_counter()
        reqs = sign_requests(target, operation, n_requests + warmup, f"w{os.getpid()}x{idx}")
        sign_seconds = time.perf_counter() - t0
        parts = urlsplit(target.url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        c = _Conn(host, port)
        c.connect()
        # warm-up (connection set up, server caches, thread spawned): not recorded
        for i in range(warmup):
            c.roundtrip(reqs[i])
        ready.put(idx)
        start_evt.wait()
        deadline = deadline_box.value
        lat: list[int] = []
        statuses: dict[int, int] = {}
        sample_ok = b""
        sample_err = b""
        pc = time.perf_counter_ns
        first = last = pc()
        i = warmup
        total = len(reqs)
        dl_ns = int(deadline * 1e9)
        while i < total:
            t = pc()
            if t >= dl_ns:
                break
            try:
                status, body, _ = c.roundtrip(reqs[i])
            except (OSError, ConnectionError, ValueError):
                statuses[-1] = statuses.get(-1, 0) + 1
                c.connect()
                i += 1
                continue
            t2 = pc()
            lat.append(t2 - t)
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                if not sample_ok:
                    sample_ok = body
            elif not sample_err:
                sample_err = body
            last = t2
            i += 1
        c.close()
        out_q.put({
            "idx": idx, "lat": lat, "statuses": statuses, "first": first, "last": last,
            "sample_ok": sample_ok, "sample_err": sample_err,
            "exhausted": i >= total, "sign_seconds": sign_seconds,
        })
    except BaseException as e:  # report, never hang the driver
        out_q.put({"idx": idx, "failure": f"{type(e).__name__}: {e}"})


def run_load(
    target: Target,
    operation: str,
    *,
    clients: int,
    duration: float = 10.0,
    max_requests: int = 20000,
    warmup: int = 20,
) -> LoadResult:
    """Run ``clients`` closed-loop clients for at most ``duration`` seconds or
    ``max_requests`` requests in total, whichever ends first."""
    duration = min(duration, MAX_SKEW_SAFE_SECONDS)
    procs_n = max(1, clients)  # one process, one keep-alive connection per client
    per = max(1, max_requests // procs_n)
    ctx = mp.get_context("fork")
    ready, out_q = ctx.Queue(), ctx.Queue()
    start_evt = ctx.Event()
    deadline_box = ctx.Value("d", 0.0)
    procs = [
        ctx.Process(
            target=_worker,
            args=(k, target, operation, per, warmup, ready, start_evt, deadline_box, out_q),
            daemon=True,
        )
        for k in range(procs_n)
    ]
    for p in procs:
        p.start()
    res = LoadResult(operation, clients)
    got_ready = 0
    early: list[dict[str, Any]] = []
    sign_deadline = time.monotonic() + 120
    while got_ready < procs_n and time.monotonic() < sign_deadline:
        try:
            ready.get(timeout=0.5)
            got_ready += 1
        except Exception:
            while not out_q.empty():  # a worker that failed during setup
                early.append(out_q.get())
            if len(early) + got_ready >= procs_n:
                break
    t_start = time.perf_counter()
    with deadline_box.get_lock():
        deadline_box.value = t_start + duration
    start_evt.set()
    reports = list(early)
    while len(reports) < procs_n:
        try:
            reports.append(out_q.get(timeout=duration + 60))
        except Exception:
            break
    for p in procs:
        p.join(timeout=10)
        if p.is_alive():
            p.kill()
            p.join()
    firsts, lasts = [], []
    for r in reports:
        if "failure" in r:
            res.worker_failures.append(r["failure"])
            continue
        res.latencies_ns.extend(r["lat"])
        for k, v in r["statuses"].items():
            res.statuses[k] = res.statuses.get(k, 0) + v
        if r["lat"]:
            firsts.append(r["first"])
            lasts.append(r["last"])
        res.sample_ok = res.sample_ok or r["sample_ok"]
        res.sample_error = res.sample_error or r["sample_err"]
        res.exhausted = res.exhausted or r["exhausted"]
        res.sign_seconds = max(res.sign_seconds, r["sign_seconds"])
    res.ok = res.statuses.get(200, 0)
    res.sent = sum(res.statuses.values())
    res.errors = res.sent - res.ok
    if firsts:
        res.seconds = (max(lasts) - min(firsts)) / 1e9
    return res
