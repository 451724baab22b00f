#!/usr/bin/env python
"""An organization-wide audit in one process, on every core, and on local Ray.

    .venv/bin/python benchmarks/scale.py [--accounts 20] [--per-account 500] [--seed 7]
        [--modes in-process,cores,ray] [--jobs N] [--start-method fork|spawn] [--timeout 600] [--json FILE]

``generate_org.py`` writes the organization (ACCOUNTS files of PER_ACCOUNT
principals each, cross-account trusts between sibling accounts; cached in
``benchmarks/out/scale/``). Each mode then runs in its own child process:

- **in-process**: ``scale.audit_world(jobs=1)`` (what ``audit --jobs 1`` does);
- **cores**: ``audit_world(jobs=N)`` on local worker processes (N = every core;
  ``--start-method spawn``: workers that index their own share of the world, as on Ray,
  instead of inheriting the driver's whole index by ``fork``);
- **ray**: ``audit_world(engine="ray", jobs=2)``: a local Ray instance with 2 CPUs,
  started inside the timing (``ray.init`` is part of what a user waits for).

Printed per mode: wall seconds of the audit + ``to_json`` (the world already
read), CPU seconds of the driver and of the workers (their own ``process_time``,
import and indexing included), the driver's share of the CPU, its serial part (its
CPU less its own share of the workers' kind of work: what more workers cannot
shrink), the driver's CPU by step, peak memory of the driver and of its worker
processes (``ru_maxrss``; Ray's workers are not the driver's children, so only the
driver's is known there) and each worker's own peak (``ru_maxrss`` it reports at the end,
Ray's actors included) with the principals its index holds, and µs per principal. Every mode's report is compared
with the in-process one (a digest of the JSON): "same" must hold.

The organization file is generated too (``generate_org.organization``: ``FullAWSAccess`` at
every level and an OU of half the accounts denying the IAM writes), so every mode applies its
SCPs (``WorldSource`` carries it to the workers); ``--no-scps`` audits the accounts alone.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import generate_org  # noqa: E402

OUT = os.path.join(HERE, "out", "scale")

CHILD = r"""
import hashlib, json, resource, sys, time
from datetime import UTC, datetime
from iamwarden.scale import WorldSource, audit_world
from iamwarden.scale import driver

def main():
    folder, mode, jobs, method, org = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] or None, sys.argv[5]
    src = WorldSource.from_paths([folder], datetime(2026, 12, 2, tzinfo=UTC), organization=org or None)
    world = src.world()
    n = sum(len(a.users) + len(a.roles) for a in world.accounts.values())
    w0, c0 = time.perf_counter(), time.process_time()
    if mode == "in-process":
        r = audit_world(src, jobs=1, world=world)
    elif mode == "cores":
        r = audit_world(src, jobs=jobs, world=world, min_principals=0, start_method=method)
    else:
        r = audit_world(src, engine="ray", jobs=jobs, world=world)
    data = r.to_json()
    w1, c1 = time.perf_counter(), time.process_time()
    digest = hashlib.sha256(json.dumps(data).encode()).hexdigest()
    print(json.dumps({"principals": n, "accounts": len(world.accounts), "seconds": w1 - w0, "cpu": c1 - c0,
                      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "workers_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                      "split": dict(driver.LAST_RUN) if mode != "in-process" else {},
                      "digest": digest, "findings": len(data["findings"]),
                      "can_escalate": data["summary"]["can_escalate"]}))

if __name__ == "__main__":
    main()
"""


def organization(accounts: int, per_account: int, seed: int) -> tuple[str, str]:
    """The folder of account files and the organization file beside it (cached)."""
    folder = os.path.join(OUT, f"org-{accounts}x{per_account}-seed{seed}")
    if not os.path.isdir(folder) or len(os.listdir(folder)) != accounts:
        generate_org.write_org(folder, accounts, per_account, seed)
    org = folder + ".organization.json"
    generate_org.write_organization(org, accounts)
    return folder, org


def run(folder: str, mode: str, jobs: int, timeout: float, method: str = "", org: str = "") -> dict[str, Any]:
    # own session: on a timeout the whole group goes (Ray's agents and workers with it)
    p = subprocess.Popen([sys.executable, "-c", CHILD, folder, mode, str(jobs), method, org], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return {"status": f"> {timeout:.0f} s (timeout)"}
    if p.returncode != 0:
        return {"status": "failed: " + (err.strip().splitlines() or ["?"])[-1]}
    return {"status": "ok", **json.loads(out.strip().splitlines()[-1])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", type=int, default=20)
    ap.add_argument("--per-account", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--modes", default="in-process,cores,ray")
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)), help="workers for 'cores' (default: all)")
    ap.add_argument("--ray-workers", type=int, default=2)
    ap.add_argument("--start-method", default="", help="'cores' workers: fork (default on Linux) or spawn")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--json", help="also write the rows here")
    ap.add_argument("--no-scps", action="store_true", help="audit the accounts without the organization file")
    a = ap.parse_args(argv)
    folder, org = organization(a.accounts, a.per_account, a.seed)
    if a.no_scps:
        org = ""
    load = os.getloadavg()
    print(f"organization: {a.accounts} accounts x {a.per_account} principals ({folder}), "
          f"{'no SCPs' if not org else 'SCPs of ' + os.path.basename(org)}; "
          f"{len(os.sched_getaffinity(0))} cores; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    rows = []
    base = None
    print(f"{'mode':<11} {'workers':>7} {'seconds':>8} {'cpu s':>7} {'wk cpu s':>8} {'driver %':>8} "
          f"{'serial s':>8} {'µs/principal':>12} {'peak MiB':>9} {'workers MiB':>11}  same")
    for mode in a.modes.split(","):
        jobs = 1 if mode == "in-process" else (a.ray_workers if mode == "ray" else a.jobs)
        r = run(folder, mode, jobs, a.timeout, a.start_method, org)
        r.update(mode=mode, workers=jobs)
        rows.append(r)
        if r["status"] != "ok":
            print(f"{mode:<11} {jobs:>7} {r['status']}")
            continue
        base = base or r["digest"]
        us = r["seconds"] / r["principals"] * 1e6
        sp = r["split"]
        own = sp.get("workers_peak_mib")
        wk = (f"{max(own):.0f}" if own else f"{r['workers_peak_mib']:.0f}") if mode != "in-process" else "-"
        wcpu = sum(sp.get("workers_cpu", []))
        # the driver's serial part: its CPU less its own share of the workers' kind of work
        serial = r["cpu"] - sum(sp.get(k, 0.0) for k in ("own_facts", "own_search", "own_lists"))
        share = 100 * r["cpu"] / (r["cpu"] + wcpu)
        print(f"{mode:<11} {jobs:>7} {r['seconds']:>8.2f} {r['cpu']:>7.2f} {wcpu:>8.2f} {share:>7.0f}% "
              f"{serial:>8.2f} {us:>12.0f} {r['peak_mib']:>9.0f} {wk:>11}  {'yes' if r['digest'] == base else 'NO'}")
        if sp:
            steps = ", ".join(f"{k} {v:.2f}" for k, v in sp.items() if isinstance(v, float) and k != "rounds")
            print(f"{'':<11} driver CPU by step: {steps}; rounds {sp.get('rounds', 0):.0f}")
            if own:
                held = sp.get("workers_principals") or []
                print(f"{'':<11} workers' peak MiB: {', '.join(f'{m:.0f}' for m in own)}; principals indexed: "
                      f"{', '.join(str(k) for k in held)} of {r['principals']}")
    load = os.getloadavg()
    print(f"load average after: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"accounts": a.accounts, "per_account": a.per_account, "rows": rows}, fh, indent=2)
    return 0 if all(r["status"] == "ok" and r["digest"] == base for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
