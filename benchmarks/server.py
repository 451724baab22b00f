#!/usr/bin/env python
"""Signed STS requests per second against our endpoint and moto's, same generator, same run.

    .venv/bin/python benchmarks/server.py [--duration 10] [--max-requests 30000]
        [--repeat 3] [--clients 1,8] [--ops GetCallerIdentity,AssumeRole]
        [--targets ours,ours-normal,ours-log,ours-before,moto,null] [--before-src DIR]
        [--json benchmarks/out/server.json]

Servers (each started here, on a free loopback port, stopped at the end):

* ``ours``: ``iamwarden serve`` as a subprocess with a temporary database
  (default durability: WAL + ``synchronous=FULL``, one fsync per committed
  write) and ``examples/demo-account.json`` loaded (account 111122223333). The
  root key is passed with ``--root-access-key-id``/``--root-secret-access-key``;
  alice's access key is then created through our IAM API with boto3. Clients
  call as alice: ``GetCallerIdentity`` and ``AssumeRole`` on ``AdminRole``
  (alice's inline policy allows it, the role trusts the account root).
* ``ours-normal``: the same, with the store opened ``durability="normal"``
  (WAL + ``synchronous=NORMAL``). ``iamwarden serve`` has no flag for it, so
  this script's ``--child-serve`` mode builds the same ``Endpoint`` with that
  one setting changed. Comparing the two shows what the fsync per AssumeRole
  costs (GetCallerIdentity writes nothing).
* ``ours-log``: ``ours`` with the access log on (``--log-level info --log-format
  json``, lines to a file): what one explained line per call costs.
* ``ours-before``: ``ours`` run from another checkout's ``src/`` (``--before-src
  DIR``), in the same run and rounds: before/after a change under the same load.
* ``null`` (GetCallerIdentity only): a forking server that answers every
  request with one canned GetCallerIdentity 200 and checks nothing: what the
  generator can drive on this machine, i.e. how far it outruns the servers.
* ``moto``: ``moto_server`` with IAM enforcement on, via the peer harness
  (``benchmarks/peers/runner.py``, docs/peers.md): its seeded user and key,
  ``AssumeRole`` on its ``role_arn``.

The generator is ``benchmarks/loadgen.py``: requests pre-signed with
botocore's SigV4Auth, raw HTTP/1.1 keep-alive on sockets, one process per
concurrent client, each scenario bounded by ``--duration`` seconds and
``--max-requests``. Each scenario's status codes are counted, and one 200
answer is parsed to check that it is a real AssumeRole/GetCallerIdentity
result for the expected principal. Server CPU seconds per request are read
from ``/proc/<pid>/stat``.

The server and the generator share the machine (2 cores here): at 8 clients
the generator's processes compete with the server for the CPU, so the
numbers are a floor for the server, and the same floor for moto.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "peers"))

from loadgen import LoadResult, Target, run_load  # noqa: E402

DEMO = os.path.join(ROOT, "examples", "demo-account.json")
DEMO_ACCOUNT = "111122223333"
REGION = "us-east-1"
ROOT_KEY = "AKIAIAMWARDENBENCH01"
ROOT_SECRET = "benchmark/root/secret/not-a-real-one0000000"


# --- our server ------------------------------------------------------------------------


def child_serve(argv: list[str]) -> int:
    """``iamwarden serve`` with a store durability of our choice (benchmark only)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--account-id", required=True)
    ap.add_argument("--load", action="append", default=[])
    ap.add_argument("--root-access-key-id", required=True)
    ap.add_argument("--root-secret-access-key", required=True)
    ap.add_argument("--durability", default="full")
    a = ap.parse_args(argv)
    from iamwarden.server.endpoint import Endpoint

    ep = Endpoint(a.db, account_id=a.account_id, port=0, load=a.load, durability=a.durability,
                  root_access_key_id=a.root_access_key_id, root_secret_access_key=a.root_secret_access_key)
    ep.start()
    print(f"iamwarden endpoint on {ep.endpoint_url} (account {ep.account_id}, database {a.db})", flush=True)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        ep.stop()
    return 0


class OurServer:
    def __init__(self, proc: subprocess.Popen, url: str, tmp: str):
        self.proc, self.url, self.tmp = proc, url, tmp

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


@contextlib.contextmanager
def our_server(durability: str = "full", src: str | None = None,
               serve_args: tuple[str, ...] = ()) -> Iterator[OurServer]:
    """``iamwarden serve`` (``src``: run another checkout's ``src/`` instead, for before/after)."""
    # the database goes on the real disk (not tmpfs) so fsync costs what it costs
    tmp = tempfile.mkdtemp(prefix="iamwarden-bench-")
    db = os.path.join(tmp, "bench.db")
    common = ["--db", db, "--account-id", DEMO_ACCOUNT, "--load", DEMO,
              "--root-access-key-id", ROOT_KEY, "--root-secret-access-key", ROOT_SECRET]
    if durability == "full":
        exe = os.path.join(os.path.dirname(sys.executable), "iamwarden")
        cmd = [exe, "serve", "--port", "0", *serve_args] + common
    else:
        cmd = [sys.executable, os.path.abspath(__file__), "--child-serve", "--durability", durability] + common
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.path.join(os.path.abspath(src), "src")
    # stderr to a file: an access log must never fill a pipe nobody reads
    errfile = open(os.path.join(tmp, "stderr.log"), "w+")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errfile, text=True, cwd=ROOT, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"on (http://\S+)", line)
    if not m:
        proc.kill()
        errfile.seek(0)
        err = errfile.read()
        errfile.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError(f"iamwarden serve did not start: {line!r} {err[-2000:]}")
    srv = OurServer(proc, m.group(1), tmp)
    try:
        yield srv
    finally:
        srv.stop()
        errfile.close()


def our_target(url: str) -> tuple[Target, dict[str, Any]]:
    import boto3

    iam = boto3.client("iam", endpoint_url=url, region_name=REGION,
                       aws_access_key_id=ROOT_KEY, aws_secret_access_key=ROOT_SECRET)
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    role_arn = f"arn:aws:iam::{DEMO_ACCOUNT}:role/AdminRole"
    t = Target(url, REGION, key["AccessKeyId"], key["SecretAccessKey"], role_arn=role_arn)
    return t, {"caller_arn": f"arn:aws:iam::{DEMO_ACCOUNT}:user/alice", "role_arn": role_arn}


# --- a null server: how fast the generator alone can go ------------------------------------

NULL_BODY = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
             b"<GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:user/null</Arn>"
             b"<UserId>AIDANULL</UserId><Account>000000000000</Account></GetCallerIdentityResult>"
             b"<ResponseMetadata><RequestId>0</RequestId></ResponseMetadata></GetCallerIdentityResponse>")


@contextlib.contextmanager
def null_server() -> Iterator[str]:
    """A forking loopback server answering every request with one canned 200 (no parsing
    beyond Content-Length, no signature check): the ceiling of the generator on this machine."""
    import socketserver

    reply = (b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n"
             % len(NULL_BODY)) + NULL_BODY

    class H(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            import socket as _s

            sock = self.request
            sock.setsockopt(_s.IPPROTO_TCP, _s.TCP_NODELAY, 1)
            buf = b""
            while True:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                    continue
                m = re.search(rb"(?i)content-length:\s*(\d+)", buf[:end])
                need = end + 4 + (int(m.group(1)) if m else 0)
                while len(buf) < need:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                buf = buf[need:]
                sock.sendall(reply)

    class S(socketserver.ForkingMixIn, socketserver.TCPServer):
        allow_reuse_address = True
        daemon_threads = True

    import threading

    srv = S(("127.0.0.1", 0), H)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


# --- checks -----------------------------------------------------------------------------


def _find(root: ET.Element, name: str) -> ET.Element | None:
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] == name:
            return el
    return None


def check_sample(op: str, body: bytes, expect: dict[str, Any]) -> str:
    """'' when ``body`` is a real successful answer for ``op``; else what is wrong."""
    if not body:
        return "no 200 answer"
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        return f"not XML: {e}"
    if op == "GetCallerIdentity":
        arn = _find(root, "Arn")
        if arn is None or arn.text != expect["caller_arn"]:
            return f"unexpected caller {arn.text if arn is not None else None!r}"
        return ""
    res = _find(root, "AssumeRoleResult")
    key = _find(root, "AccessKeyId")
    tok = _find(root, "SessionToken")
    aru = _find(root, "AssumedRoleUser")
    if res is None or key is None or tok is None or aru is None:
        return "not an AssumeRoleResult with credentials"
    arn = _find(aru, "Arn")
    role_name = expect["role_arn"].rsplit("/", 1)[-1]
    if arn is None or f":assumed-role/{role_name}/" not in (arn.text or ""):
        return f"unexpected assumed-role ARN {arn.text if arn is not None else None!r}"
    return ""


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of ``pid`` and its waited-for children."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime


# --- driver -----------------------------------------------------------------------------


def run_one(name: str, target: Target, expect: dict[str, Any], pid: int | None, op: str, clients: int,
            args: argparse.Namespace) -> dict[str, Any]:
    load = os.getloadavg()[0]
    c0 = cpu_seconds(pid) if pid else None
    r: LoadResult = run_load(target, op, clients=clients, duration=args.duration,
                             max_requests=args.max_requests, warmup=args.warmup)
    c1 = cpu_seconds(pid) if pid else None
    row = {"server": name, **r.summary(), "loadavg_before": round(load, 2)}
    row["check"] = check_sample(op, r.sample_ok, expect) or "ok"
    if r.sample_error:
        row["sample_error"] = r.sample_error[:400].decode("utf-8", "replace")
    if r.worker_failures:
        row["worker_failures"] = r.worker_failures
    if c0 is not None and c1 is not None and r.sent:
        row["server_cpu_ms_per_req"] = round((c1 - c0) * 1000 / (r.sent + args.warmup * clients), 3)
    print(f"  {name:12} {op:18} c={clients}: {row['rps']:8.1f} req/s  p50 {row['p50_ms']:7.2f} ms  "
          f"p99 {row['p99_ms']:7.2f} ms  ok {row['ok']} err {row['errors']}  check {row['check']}"
          + (f"  cpu {row.get('server_cpu_ms_per_req')} ms/req" if "server_cpu_ms_per_req" in row else "")
          + f"  load {load:.1f}",
          file=sys.stderr, flush=True)
    return row


def median_rows(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median throughput (its p50/p99 with it); errors summed over rounds."""
    rs = sorted(rounds, key=lambda r: r["rps"])
    med = dict(rs[(len(rs) - 1) // 2])
    med["rounds"] = len(rs)
    med["rps_all"] = [r["rps"] for r in rounds]
    med["errors_all_rounds"] = sum(r["errors"] for r in rounds)
    if any(r["check"] != "ok" for r in rounds):
        med["check"] = next(r["check"] for r in rounds if r["check"] != "ok")
    return med


def moto_pid(srv: Any) -> int | None:
    return srv.info.get("server_pid")


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| server | operation | clients | req/s | p50 ms | p99 ms | ok | errors | check | server CPU ms/req |\n"
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    out = [head]
    for r in rows:
        out.append(f"| {r['server']} | {r['operation']} | {r['clients']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | "
                   f"{r['p99_ms']:.2f} | {r['ok']} | {r['errors']} | {r['check']} | "
                   f"{r.get('server_cpu_ms_per_req', '')} |")
    return "\n".join(out)


def ratios(rows: list[dict[str, Any]]) -> list[str]:
    by = {(r["server"], r["operation"], r["clients"]): r for r in rows}
    lines = []
    for (srv, op, c), r in sorted(by.items()):
        if srv in ("moto", "null"):
            continue
        m = by.get(("moto", op, c))
        if m and m["rps"]:
            lines.append(f"{srv}/moto {op} c={c}: {r['rps'] / m['rps']:.1f}x throughput "
                         f"(p99 {r['p99_ms']:.1f} vs {m['p99_ms']:.1f} ms)")
    for op in ("AssumeRole", "GetCallerIdentity"):
        for c in sorted({r["clients"] for r in rows}):
            f, n = by.get(("ours", op, c)), by.get(("ours-normal", op, c))
            if f and n and f["rps"]:
                lines.append(f"ours-normal/ours {op} c={c}: {n['rps'] / f['rps']:.2f}x (fsync per commit)")
    for other, what in (("ours-before", "before/after"), ("ours-log", "access log on")):
        for op in ("GetCallerIdentity", "AssumeRole"):
            for c in sorted({r["clients"] for r in rows}):
                o, f = by.get((other, op, c)), by.get(("ours", op, c))
                if o and f and o["rps"]:
                    lines.append(f"ours/{other} {op} c={c}: {f['rps'] / o['rps']:.2f}x throughput ({what}; "
                                 f"p99 {f['p99_ms']:.1f} vs {o['p99_ms']:.1f} ms)")
    for srv in ("ours", "ours-normal", "moto"):
        for c in sorted({r["clients"] for r in rows}):
            a, g = by.get((srv, "AssumeRole", c)), by.get((srv, "GetCallerIdentity", c))
            if a and g and a["rps"]:
                lines.append(f"{srv} GetCallerIdentity/AssumeRole c={c}: {g['rps'] / a['rps']:.2f}x")
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child-serve":
        return child_serve(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per scenario (cap; default 10)")
    ap.add_argument("--max-requests", type=int, default=30000, help="requests per scenario (cap)")
    ap.add_argument("--warmup", type=int, default=20, help="unrecorded requests per client before timing")
    ap.add_argument("--repeat", type=int, default=3, help="rounds per scenario; the median is reported")
    ap.add_argument("--clients", default="1,8")
    ap.add_argument("--ops", default="GetCallerIdentity,AssumeRole")
    ap.add_argument("--targets", default="ours,ours-normal,moto,null")
    ap.add_argument("--before-src", default=None, metavar="DIR",
                    help="another checkout (e.g. `git worktree add DIR main`) served as target ours-before")
    ap.add_argument("--json", default=os.path.join(ROOT, "benchmarks", "out", "server.json"))
    args = ap.parse_args(argv)
    args.clients = [int(x) for x in args.clients.split(",")]
    args.ops = [x for x in args.ops.split(",") if x]
    targets = [x for x in args.targets.split(",") if x]
    if args.duration > 120:
        ap.error("--duration at most 120 s (signatures must stay inside the skew window)")

    env: dict[str, Any] = {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                           "duration": args.duration, "max_requests": args.max_requests, "repeat": args.repeat}
    for name in targets:
        if name not in ("ours", "ours-normal", "ours-log", "ours-before", "moto", "null"):
            ap.error(f"unknown target {name}")
        if name == "ours-before" and not args.before_src:
            ap.error("ours-before needs --before-src DIR (a checkout to compare with)")
    # every server is up for the whole run; each scenario runs the targets back to
    # back, ``--repeat`` rounds, so load from elsewhere on the machine hits them alike
    live: dict[str, tuple[Target, dict[str, Any], int | None]] = {}
    with contextlib.ExitStack() as stack:
        for name in targets:
            if name in ("ours", "ours-normal", "ours-log", "ours-before"):
                dur = "normal" if name == "ours-normal" else "full"
                serve_args: tuple[str, ...] = ()
                if name == "ours-log":
                    serve_args = ("--log-level", "info", "--log-format", "json")
                src = args.before_src if name == "ours-before" else None
                srv = stack.enter_context(our_server(dur, src=src, serve_args=serve_args))
                target, expect = our_target(srv.url)
                live[name] = (target, expect, srv.proc.pid)
                print(f"{name}: {srv.url} (durability {dur})", file=sys.stderr, flush=True)
            elif name == "null":
                url = stack.enter_context(null_server())
                live[name] = (Target(url, REGION, "AKIANULL", "null", role_arn="arn:aws:iam::000000000000:role/null"),
                              {"caller_arn": "arn:aws:iam::000000000000:user/null"}, None)
                print(f"null: {url} (canned answers; generator ceiling)", file=sys.stderr, flush=True)
            else:
                import runner

                if not runner.ensure_peers(["moto"], quiet=True):
                    print("moto peer unavailable (benchmarks/peers/setup.sh failed)", file=sys.stderr)
                    continue
                msrv = stack.enter_context(runner.moto_server())
                c = msrv.info["credentials"]
                target = Target(msrv.endpoint, msrv.info.get("region", REGION), c["access_key_id"],
                                c["secret_access_key"], role_arn=msrv.info["role_arn"])
                expect = {"caller_arn": msrv.info["user_arn"], "role_arn": msrv.info["role_arn"]}
                env["moto_version"] = msrv.info.get("version")
                live["moto"] = (target, expect, moto_pid(msrv))
                print(f"moto {msrv.info.get('version')}: {msrv.endpoint}", file=sys.stderr, flush=True)
        rounds: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
        for op in args.ops:
            for clients in args.clients:
                for _ in range(args.repeat):
                    for name, (target, expect, pid) in live.items():
                        if name == "null" and op != "GetCallerIdentity":
                            continue  # its canned answer is a GetCallerIdentity one
                        rounds.setdefault((name, op, clients), []).append(
                            run_one(name, target, expect, pid, op, clients, args))
    rows = [median_rows(v) for v in rounds.values()]

    print(table(rows))
    print()
    for line in ratios(rows):
        print(line)
    bad = [r for r in rows if r["check"] != "ok" or r["errors_all_rounds"]]
    if args.json:
        os.makedirs(os.path.dirname(args.json), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump({"env": env, "rows": rows, "ratios": ratios(rows),
                       "all_rounds": [r for v in rounds.values() for r in v]}, f, indent=1)
    if bad:
        print(f"\n{len(bad)} scenario(s) with errors or a failed answer check", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
