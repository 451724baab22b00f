#!/usr/bin/env python
"""The whole escalation audit at 1,000 / 10,000 / 50,000 principals, against the peers.

    .venv/bin/python benchmarks/audit.py [--sizes 1000,10000,50000] [--seed 7]
        [--peers pmapper,cloudsplaining | --no-peers] [--peer-timeout 180]
        [--our-timeout 900] [--write-docs]

For each size, ``generate_accounts.py`` writes a seeded GAAD file (cached in
``benchmarks/out/audit/``). Then, each in its own subprocess:

- **ours**: load the file, ``analysis.audit`` (admins, all shortest paths,
  uncertain paths, findings) and ``to_json()``; wall time of load and audit
  separately, and peak memory (``ru_maxrss`` of the child);
- **cloudsplaining** ``scan`` of the same file (its library call, see
  ``benchmarks/peers/cloudsplaining_scan.py``);
- **PMapper** admin detection + edge generation (``pmapper_edges.py``, with
  the Python 3.10+ shim in ``benchmarks/peers/pmapper_shim.py``). PMapper
  stops at edges: it has no all-paths step, so its time is a lower bound.

A peer that times out at one size is not run at larger sizes (it would only
be slower); a peer whose environment cannot be set up is skipped with a
message. Ratios are peer seconds / our audit seconds (>1: we are faster).
``--write-docs`` replaces the "Escalation audit" section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "peers"))
sys.path.insert(0, HERE)

import generate_accounts  # noqa: E402

OUT = os.path.join(HERE, "out", "audit")
DOC = os.path.join(ROOT, "docs", "performance.md")
SECTION = "## Escalation audit (benchmarks/audit.py)"

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from iamwarden.loaders.authz_details import load_world
from iamwarden.analysis import audit
t1 = time.perf_counter()
world = load_world([sys.argv[1]])
t2 = time.perf_counter()
result = audit(world)
data = result.to_json()
t3 = time.perf_counter()
s = data["summary"]
print(json.dumps({"status": "ok", "import_seconds": t1 - t0, "load_seconds": t2 - t1, "audit_seconds": t3 - t2,
                  "principals": s["principals"], "admins": s["admins"], "can_escalate": s["can_escalate"],
                  "may_escalate": s["may_escalate"], "findings": len(data["findings"]),
                  "paths": sum(len(p["paths"]) for p in data["principals"]),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def dataset(n: int, seed: int) -> str:
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f"gaad-{n}-seed{seed}.json")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(generate_accounts.generate(n, seed), fh)
    return path


def ours(path: str, timeout: float) -> dict[str, Any]:
    try:
        p = subprocess.run([sys.executable, "-c", CHILD, path], capture_output=True, text=True, timeout=timeout,
                           cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"status": "timeout"}
    for line in reversed(p.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"status": "error", "error": p.stderr[-2000:]}


def peers_ready(names: list[str]) -> list[str]:
    try:
        import runner
    except ImportError:
        print("peers: benchmarks/peers/runner.py not found; skipping peers", file=sys.stderr)
        return []
    if not runner.ensure_peers(names, quiet=True):
        ok = [n for n in names if runner.peer_available(n)]
        for n in set(names) - set(ok):
            print(f"peers: {n} could not be set up (bash benchmarks/peers/setup.sh {n}); skipping it",
                  file=sys.stderr)
        return ok
    return names


PEER_SCRIPTS = {"pmapper": "pmapper_edges", "cloudsplaining": "cloudsplaining_scan"}


def run_peer(name: str, path: str, timeout: float) -> dict[str, Any]:
    import runner

    return runner.run_peer(name, PEER_SCRIPTS[name], path, timeout=timeout)


def fmt_s(x: float | None) -> str:
    return "—" if x is None else (f"{x:.2f} s" if x < 100 else f"{x:.0f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--peers", default="pmapper,cloudsplaining")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--peer-timeout", type=float, default=180.0, help="seconds per peer run (default 180)")
    ap.add_argument("--our-timeout", type=float, default=900.0)
    ap.add_argument("--write-docs", action="store_true",
                    help="update the Escalation audit section of docs/performance.md")
    a = ap.parse_args(argv)
    sizes = [int(x) for x in a.sizes.split(",") if x]
    names = [] if a.no_peers else [n for n in a.peers.split(",") if n]
    names = peers_ready(names) if names else []
    gave_up: set[str] = set()
    rows = []
    for n in sizes:
        path = dataset(n, a.seed)
        r = ours(path, a.our_timeout)
        row: dict[str, Any] = {"n": n, "ours": r, "peers": {}}
        if r.get("status") == "ok":
            total = r["load_seconds"] + r["audit_seconds"]
            r["total_seconds"] = total
            print(f"n={n:>6}: ours load {r['load_seconds']:.2f} s + audit {r['audit_seconds']:.2f} s = {total:.2f} s "
                  f"({total / n * 1e6:.0f} µs/principal), peak {r['peak_mib']:.0f} MiB; admins {r['admins']}, "
                  f"can escalate {r['can_escalate']}, may escalate {r['may_escalate']}, paths {r['paths']}",
                  flush=True)
        else:
            print(f"n={n:>6}: ours {r.get('status')}: {r.get('error', '')[:300]}", flush=True)
        for name in names:
            if name in gave_up:
                row["peers"][name] = {"status": "skipped", "why": "timed out at a smaller size"}
                print(f"          {name}: skipped (timed out at a smaller size)", flush=True)
                continue
            rep = run_peer(name, path, a.peer_timeout)
            row["peers"][name] = rep
            secs = rep.get("seconds")
            if rep.get("status") == "ok" and secs is not None and r.get("status") == "ok":
                ratio = secs / r["total_seconds"]
                rep["ratio"] = ratio
                print(f"          {name}: {fmt_s(secs)} ({secs / n * 1e6:.0f} µs/principal) → "
                      f"ours is {ratio:.1f}× faster",
                      flush=True)
            else:
                if rep.get("status") == "timeout":
                    gave_up.add(name)
                why = rep.get("error") or rep.get("status")
                print(f"          {name}: {rep.get('status')} (limit {a.peer_timeout:.0f} s) {str(why)[:200]}",
                      flush=True)
        rows.append(row)
    if a.write_docs:
        write_docs(rows, a)
    return 0


def write_docs(rows: list[dict[str, Any]], a: argparse.Namespace) -> None:
    lines = [SECTION, "",
             f"Measured {time.strftime('%Y-%m-%d')} with `.venv/bin/python benchmarks/audit.py "
             f"--sizes {a.sizes} --peer-timeout {a.peer_timeout:.0f} --write-docs` "
             f"(Python {platform.python_version()}). Accounts from `benchmarks/generate_accounts.py` "
             f"(seed {a.seed}): ~45 % users in groups, roles trusting services / the account / named "
             "principals / third parties with and without ExternalId / tag-conditioned `*`, PassRole, "
             "boundaries, ~2 % admins. \"Ours\" is the whole audit: load, admins, every principal's "
             "shortest paths (certain and uncertain), findings, JSON; peak memory is the child's max RSS. "
             "PMapper is admin detection + edge generation only (no paths); cloudsplaining is `scan`.", "",
             "| principals | ours (load + audit) | µs / principal | peak memory | escalating / may | "
             "cloudsplaining scan | ratio | PMapper edges | ratio |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        r = row["ours"]
        n = row["n"]
        if r.get("status") != "ok":
            lines.append(f"| {n:,} | {r.get('status')} | | | | | | | |")
            continue
        cells = [f"{n:,}", fmt_s(r["total_seconds"]) + f" ({r['load_seconds']:.1f} + {r['audit_seconds']:.1f})",
                 f"{r['total_seconds'] / n * 1e6:.0f}", f"{r['peak_mib']:.0f} MiB",
                 f"{r['can_escalate']:,} / {r['may_escalate']:,}"]
        for name in ("cloudsplaining", "pmapper"):
            rep = row["peers"].get(name)
            if rep is None:
                cells += ["not run", ""]
            elif rep.get("status") == "ok" and rep.get("seconds") is not None:
                cells += [fmt_s(rep["seconds"]), f"{rep['ratio']:.1f}×"]
            elif rep.get("status") == "timeout":
                cells += [f"> {a.peer_timeout:.0f} s (timeout)", f"> {a.peer_timeout / r['total_seconds']:.0f}×"]
            else:
                cells += [str(rep.get("status")), ""]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Ratio = peer seconds / our seconds. A peer that timed out at one size is not run at larger "
              "sizes. Reproduce: the command above; `--no-peers` for ours only; `--sizes 1000` for a quick run.", ""]
    text = open(DOC, encoding="utf-8").read()
    start = text.index(SECTION)
    nxt = text.find("\n## ", start + len(SECTION))
    new = text[:start] + "\n".join(lines) + ("\n" + text[nxt + 1:] if nxt != -1 else "")
    with open(DOC, "w", encoding="utf-8") as fh:
        fh.write(new)
    print(f"wrote {DOC}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
