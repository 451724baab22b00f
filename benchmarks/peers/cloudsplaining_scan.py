#!/usr/bin/env python
"""Time a cloudsplaining scan of a GAAD (get-account-authorization-details) file.

Run under the cloudsplaining peer venv::

    benchmarks/.peers/cloudsplaining/bin/python benchmarks/peers/cloudsplaining_scan.py GAAD.json \
        [--output DIR] [--mode full|analysis] [--cli] [--timeout SECONDS] [--warmup N]

Default (library, ``--mode full``): times one call of
``cloudsplaining.command.scan.scan_account_authorization_details(cfg,
DEFAULT_EXCLUSIONS, name, DIR, write_data_files=bool(DIR),
return_json_results=True)`` - exactly what ``cloudsplaining scan`` does for
one file (schema check, policy analysis via policy_sentry, HTML report
rendering, and the two result JSON files when ``--output`` is given) minus
writing the HTML file and opening a browser.  JSON load of the input is
outside the timing.

``--mode analysis`` times only the analysis part (schema check +
``AuthorizationDetails(...).results``), no HTML rendering.

``--cli`` instead runs ``cloudsplaining scan --input-file F --output DIR
--skip-open-report`` as a subprocess and reports its wall-clock time
(interpreter start and imports included; never opens a browser).

Output: one JSON line ``{"tool": "cloudsplaining", "seconds": s, "status":
"ok|timeout|error", "mode": ..., "principals": N, "policies": P,
"privesc_policies": K, ...}``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402


class _Timeout(Exception):
    pass


def _summary(results):
    out = {"principals": len(results.get("users", {})) + len(results.get("roles", {})),
           "groups": len(results.get("groups", {}))}
    pols = {}
    for k in ("aws_managed_policies", "customer_managed_policies", "inline_policies"):
        pols.update({k + ":" + pid: p for pid, p in (results.get(k) or {}).items()})
    out["policies"] = len(pols)
    out["privesc_policies"] = sum(1 for p in pols.values()
                                  if (p.get("PrivilegeEscalation") or {}).get("findings"))
    return out


def run_cli(args, out):
    exe = os.path.join(os.path.dirname(sys.executable), "cloudsplaining")
    outdir = args.output or tempfile.mkdtemp(prefix="cloudsplaining-")
    cmd = [exe, "scan", "--input-file", args.gaad, "--output", outdir, "--skip-open-report"]
    out["command"] = cmd
    t0 = time.perf_counter_ns()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
        out["seconds"] = (time.perf_counter_ns() - t0) / 1e9
        out["status"] = "ok" if p.returncode == 0 else "error"
        if p.returncode != 0:
            out["error"] = p.stderr[-2000:]
        name = os.path.splitext(os.path.basename(args.gaad))[0]
        res_file = os.path.join(outdir, "iam-results-%s.json" % name)
        if os.path.exists(res_file):
            with open(res_file, encoding="utf-8") as fh:
                out.update(_summary(json.load(fh)))
    except subprocess.TimeoutExpired:
        out["seconds"] = (time.perf_counter_ns() - t0) / 1e9
        out["status"] = "timeout"
    if not args.output:
        import shutil
        shutil.rmtree(outdir, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gaad", help="GAAD JSON file")
    ap.add_argument("--output", default=None, help="write iam-results/iam-findings JSON here (CLI: and HTML)")
    ap.add_argument("--mode", choices=("full", "analysis"), default="full")
    ap.add_argument("--cli", action="store_true", help="time the CLI as a subprocess instead")
    ap.add_argument("--timeout", type=float, default=None)
    ap.add_argument("--warmup", type=int, default=0,
                    help="untimed library runs first (loads policy_sentry's IAM database; default 0)")
    args = ap.parse_args(argv)

    out = {"tool": "cloudsplaining", "seconds": None, "status": "error",
           "mode": "cli" if args.cli else args.mode}
    try:
        import cloudsplaining
        out["version"] = cloudsplaining.__version__ if hasattr(cloudsplaining, "__version__") else None
        if out["version"] is None:
            from importlib.metadata import version
            out["version"] = version("cloudsplaining")
        if args.cli:
            run_cli(args, out)
            _common.emit(out)
            return 0 if out["status"] != "error" else 1

        from cloudsplaining.command.scan import scan_account_authorization_details
        from cloudsplaining.scan.authorization_details import AuthorizationDetails
        from cloudsplaining.shared.exclusions import DEFAULT_EXCLUSIONS
        from cloudsplaining.shared.validation import check_authorization_details_schema
        import logging
        logging.disable(logging.WARNING)

        with open(args.gaad, encoding="utf-8") as fh:
            cfg = json.load(fh)
        name = os.path.splitext(os.path.basename(args.gaad))[0]
        if args.output:
            os.makedirs(args.output, exist_ok=True)

        def one():
            if args.mode == "analysis":
                check_authorization_details_schema(cfg)
                return AuthorizationDetails(cfg, exclusions=DEFAULT_EXCLUSIONS).results, None
            # scan_account_authorization_details prints the data-file paths; keep stdout JSON-only
            import contextlib
            import io
            with contextlib.redirect_stdout(io.StringIO()):
                r = scan_account_authorization_details(
                    cfg, DEFAULT_EXCLUSIONS, name, args.output,
                    write_data_files=bool(args.output), return_json_results=True)
            return r["iam_results"], r["rendered_report"]

        for _ in range(max(0, args.warmup)):
            one()

        def _alarm(signum, frame):
            raise _Timeout()
        if args.timeout:
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, args.timeout)
        t0 = time.perf_counter_ns()
        try:
            results, report = one()
            out["seconds"] = (time.perf_counter_ns() - t0) / 1e9
            out["status"] = "ok"
            if report is not None:
                out["report_bytes"] = len(report)
            out.update(_summary(results))
        except _Timeout:
            out["seconds"] = (time.perf_counter_ns() - t0) / 1e9
            out["status"] = "timeout"
        finally:
            if args.timeout:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except Exception as e:
        out["status"] = "error"
        out["error"] = "%s: %s" % (type(e).__name__, e)
    _common.emit(out)
    return 0 if out["status"] != "error" else 1


if __name__ == "__main__":
    sys.exit(main())
