"""Run benchmark peers (PMapper, moto, cloudsplaining) from our own venv.

Stdlib only; import it from the main venv (``/work/main/.venv``)::

    import sys; sys.path.insert(0, "benchmarks/peers")   # or benchmarks/ on path and `from peers import runner`
    import runner
    runner.ensure_peers()                                  # bash benchmarks/peers/setup.sh (idempotent)
    r = runner.run_peer("pmapper", "pmapper_decisions", "cases.json", timeout=600)
    r = runner.run_peer("moto", "moto_decisions", "cases.json")
    r = runner.run_peer("pmapper", "pmapper_edges", "gaad.json", timeout=300)
    r = runner.run_peer("cloudsplaining", "cloudsplaining_scan", "gaad.json", timeout=300)
    with runner.moto_server() as srv:                      # srv.info: endpoint + credentials
        ...
    runner.ratio(ours_seconds, r)                          # peer seconds / our seconds

Each peer script runs as a subprocess with *its own* venv's python
(``benchmarks/.peers/<name>/bin/python``) and prints one JSON object on its
last stdout line; ``run_peer`` returns that dict (plus ``wall_seconds`` and
``peer``), or ``{"status": "timeout"|"error", ...}`` - it never raises for a
peer failure.

``python benchmarks/peers/runner.py smoke`` runs every peer on the small
samples in ``benchmarks/peers/samples/`` and prints a summary.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from typing import Any, Dict, Iterator, List, Optional, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PEERS_DIR = os.environ.get("PEERS_DIR", os.path.join(ROOT, "benchmarks", ".peers"))
SAMPLES = os.path.join(HERE, "samples")

PEERS = ("pmapper", "moto", "cloudsplaining")
# scripts and the peer venv each needs; scripts marked True accept --timeout themselves
SCRIPTS = {
    "pmapper_decisions": ("pmapper", False),
    "pmapper_edges": ("pmapper", True),
    "moto_decisions": ("moto", False),
    "moto_server": ("moto", False),
    "cloudsplaining_scan": ("cloudsplaining", True),
}
GRACE = 30.0  # extra seconds for interpreter start/imports beyond a script-side --timeout


def peer_python(name: str) -> str:
    return os.path.join(PEERS_DIR, name, "bin", "python")


def peer_available(name: str) -> bool:
    return os.access(peer_python(name), os.X_OK)


def ensure_peers(names: Optional[Sequence[str]] = None, quiet: bool = False) -> bool:
    """Run setup.sh (creates/updates the peer venvs; fast when up to date).
    Returns True when every requested peer is ready."""
    cmd = ["bash", os.path.join(HERE, "setup.sh")] + list(names or [])
    kw: Dict[str, Any] = {}
    if quiet:
        kw = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    else:  # setup.sh's progress goes to our stderr so callers' stdout stays clean
        kw = {"stdout": sys.stderr}
    return subprocess.run(cmd, **kw).returncode == 0


def _script_path(script: str) -> str:
    base = os.path.basename(script)
    if not base.endswith(".py"):
        base += ".py"
    return script if os.path.isabs(script) else os.path.join(HERE, base)


def _last_json(text: str) -> Optional[Dict[str, Any]]:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def run_peer(name: str, script: str, input_path: str, timeout: Optional[float] = None,
             args: Sequence[str] = ()) -> Dict[str, Any]:
    """Run ``benchmarks/peers/<script>.py INPUT [args]`` under peer ``name``'s
    venv and return its JSON report.  ``timeout`` (seconds) is passed to
    scripts that accept ``--timeout`` (and enforced on the subprocess with a
    grace period); for the others it is a hard subprocess limit."""
    path = _script_path(script)
    py = peer_python(name)
    base = {"tool": name, "peer": name, "script": os.path.basename(path)}
    if not os.access(py, os.X_OK):
        return dict(base, status="error", error="peer venv missing: run benchmarks/peers/setup.sh")
    cmd: List[str] = [py, path, os.path.abspath(input_path)] + list(args)
    hard = None
    if timeout is not None:
        takes_timeout = SCRIPTS.get(os.path.basename(path)[:-3], (name, False))[1]
        if takes_timeout and "--timeout" not in args:
            cmd += ["--timeout", str(timeout)]
            hard = timeout + GRACE
        else:
            hard = timeout
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=hard, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return dict(base, status="timeout", seconds=None, wall_seconds=time.perf_counter() - t0)
    wall = time.perf_counter() - t0
    rep = _last_json(p.stdout)
    if rep is None:
        return dict(base, status="error", wall_seconds=wall, returncode=p.returncode,
                    error=(p.stderr or p.stdout)[-3000:])
    rep.setdefault("status", "ok" if p.returncode == 0 else "error")
    rep["peer"] = name
    rep.setdefault("script", os.path.basename(path))
    rep["wall_seconds"] = wall
    if p.returncode != 0 and p.stderr:
        rep.setdefault("stderr", p.stderr[-3000:])
    return rep


def ratio(ours_seconds: Optional[float], peer_report: Dict[str, Any],
          key: str = "seconds") -> Optional[float]:
    """peer time / our time (>1 means we are faster); None when either side
    has no time or the peer did not finish."""
    peer = peer_report.get(key)
    if not ours_seconds or peer is None or peer_report.get("status", "ok") != "ok":
        return None
    return peer / ours_seconds


class MotoServer:
    """A running ``moto_server.py``: ``info`` is its ready JSON (endpoint,
    region, account_id, credentials, user_arn, role_arn, denied_role_arn)."""

    def __init__(self, proc: subprocess.Popen, info: Dict[str, Any]):
        self.proc, self.info = proc, info

    @property
    def endpoint(self) -> str:
        return self.info["endpoint"]

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # moto_server.py stops its server child
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_moto_server(port: int = 0, host: str = "127.0.0.1", startup_timeout: float = 90.0) -> MotoServer:
    py = peer_python("moto")
    if not os.access(py, os.X_OK):
        raise RuntimeError("moto peer venv missing: run benchmarks/peers/setup.sh")
    proc = subprocess.Popen([py, _script_path("moto_server"), "--host", host, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    import selectors
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.time() + startup_timeout
    line = ""
    while time.time() < deadline:
        if sel.select(timeout=0.5):
            line = proc.stdout.readline()
            break
        if proc.poll() is not None:
            break
    sel.close()
    info = _last_json(line) if line else None
    if not info or info.get("status") != "ready":
        srv = MotoServer(proc, info or {})
        srv.stop()
        raise RuntimeError("moto_server did not become ready: %r %s" % (info, proc.stderr.read()[-2000:]))
    return MotoServer(proc, info)


@contextlib.contextmanager
def moto_server(port: int = 0, host: str = "127.0.0.1") -> Iterator[MotoServer]:
    srv = start_moto_server(port, host)
    try:
        yield srv
    finally:
        srv.stop()


def smoke() -> int:
    """Run each peer on the bundled samples; print one summary line each."""
    ok = ensure_peers()
    cases, gaad = os.path.join(SAMPLES, "cases.json"), os.path.join(SAMPLES, "gaad.json")
    results = [
        run_peer("pmapper", "pmapper_decisions", cases, timeout=120),
        run_peer("moto", "moto_decisions", cases, timeout=120),
        run_peer("pmapper", "pmapper_edges", gaad, timeout=120),
        run_peer("cloudsplaining", "cloudsplaining_scan", gaad, timeout=120),
    ]
    try:
        with moto_server() as srv:
            results.append({"tool": "moto", "script": "moto_server.py", "status": "ok",
                            "endpoint": srv.endpoint, "selfcheck": srv.info.get("selfcheck"),
                            "startup_seconds": srv.info.get("startup_seconds")})
    except Exception as e:
        results.append({"tool": "moto", "script": "moto_server.py", "status": "error", "error": str(e)})
    for r in results:
        summary = {k: r.get(k) for k in ("tool", "script", "status", "n", "skipped", "agree", "disagree",
                                           "decisions", "principals", "edges", "admins", "seconds",
                                           "per_decision_us", "selfcheck", "error") if k in r}
        print(json.dumps(summary))
    bad = [r for r in results if r.get("status") != "ok"]
    return 0 if ok and not bad else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "smoke":
        sys.exit(smoke())
    if len(sys.argv) > 1 and sys.argv[1] == "setup":
        sys.exit(0 if ensure_peers(sys.argv[2:]) else 1)
    print(__doc__)
