"""Stdlib-only helpers shared by the peer entry points.

Each peer script runs under its *own* virtual environment
(``benchmarks/.peers/<name>/bin/python``) and puts this directory on
``sys.path`` implicitly (it is the script's directory), so this module must
not import anything outside the standard library.

Decision-case contract (input of ``*_decisions.py``)::

    [
      {"id": "optional label",
       "policies": {"identity": [doc, ...],          # identity-based policies
                    "resource": [doc] | [],          # at most one resource policy
                    "boundary": [doc] | [],          # at most one permissions boundary
                    "session":  [doc, ...],          # session policies (union)
                    "scp":      [[doc, ...], ...]},  # one list per OU level
       "request": {"principal": ARN, "action": "svc:Act", "resource": ARN,
                   "context": {key: value | [values]},
                   "resource_account": "123456789012"},   # optional
       "expected": "Allow" | "Deny"}                        # optional
    ]

A top-level object ``{"cases": [...]}`` is accepted too.  Missing policy
lists mean empty.  Output decisions are normalised to ``"Allow"`` /
``"Deny"`` (explicit and implicit deny are both ``"Deny"``) or ``null`` for a
case the peer skipped or failed on; the list is index-aligned with the input.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

ALLOW = "Allow"
DENY = "Deny"


def load_cases(path: str) -> List[Dict[str, Any]]:
    with open(path, "r", encoding="utf-8") as fh:
        data = json.load(fh)
    if isinstance(data, dict):
        data = data.get("cases", [])
    if not isinstance(data, list):
        raise ValueError("cases file must hold a JSON list (or {'cases': [...]})")
    return data


def policies_of(case: Dict[str, Any]) -> Dict[str, Any]:
    pol = dict(case.get("policies") or {})
    for key in ("identity", "resource", "boundary", "session", "scp"):
        val = pol.get(key)
        if val is None:
            val = []
        elif isinstance(val, dict):  # a single doc where a list was expected
            val = [val]
        pol[key] = list(val)
    return pol


def statements(doc: Any) -> List[Dict[str, Any]]:
    if isinstance(doc, str):
        doc = json.loads(doc)
    st = doc.get("Statement", [])
    return [st] if isinstance(st, dict) else list(st)


def account_of(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) > 4 else ""


def time_loop(fn: Callable[[], List[Optional[str]]], warmup: int, repeat: int):
    """Run ``fn`` (the whole decision loop) ``warmup`` times untimed, then
    ``repeat`` times under ``time.perf_counter_ns``.  Returns
    ``(decisions_of_first_timed_run, [ns per run])``."""
    for _ in range(max(0, warmup)):
        fn()
    runs: List[int] = []
    first: Optional[List[Optional[str]]] = None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter_ns()
        out = fn()
        runs.append(time.perf_counter_ns() - t0)
        if first is None:
            first = out
    return first or [], runs


def time_decisions(n: int, slots: Sequence[Tuple[int, Callable[[], bool]]], warmup: int, repeat: int):
    """Time a peer's prepared decision callables (``slots``: case index, call).

    One place for the loop both decision peers run: a call returning truthy is
    ALLOW, falsy DENY, raising counts as an error for that case. Returns
    ``(decisions, [ns per run], number of cases that raised)``."""
    failed = set()

    def loop() -> List[Optional[str]]:
        out: List[Optional[str]] = [None] * n
        for i, fn in slots:
            try:
                out[i] = ALLOW if fn() else DENY
            except Exception:
                failed.add(i)
        return out

    decisions, runs = time_loop(loop, warmup, repeat)
    return decisions, runs, len(failed)


def decision_report(tool: str, cases: Sequence[Dict[str, Any]],
                    decisions: List[Optional[str]], runs_ns: List[int],
                    evaluated: int, skipped: int, errors: int,
                    extra: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    best = min(runs_ns) if runs_ns else 0
    report: Dict[str, Any] = {
        "tool": tool,
        "n": evaluated,
        "cases": len(cases),
        "skipped": skipped,
        "errors": errors,
        "decisions": decisions,
        "seconds": best / 1e9,
        "per_decision_us": (best / 1e3 / evaluated) if evaluated else None,
        "runs_seconds": [r / 1e9 for r in runs_ns],
    }
    expected = [c.get("expected") for c in cases]
    if any(e is not None for e in expected):
        agree = disagree = 0
        mismatches = []
        for i, (d, e) in enumerate(zip(decisions, expected)):
            if d is None or e is None:
                continue
            if d == e:
                agree += 1
            else:
                disagree += 1
                mismatches.append(cases[i].get("id", i))
        report["agree"] = agree
        report["disagree"] = disagree
        report["mismatches"] = mismatches[:50]
    if extra:
        report.update(extra)
    return report


def emit(obj: Dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def add_timing_args(parser) -> None:
    parser.add_argument("cases", help="JSON file of decision cases")
    parser.add_argument("--warmup", type=int, default=1,
                        help="untimed passes over all cases first (default 1)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed passes; 'seconds' is the fastest (default 3)")
