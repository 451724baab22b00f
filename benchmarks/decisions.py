#!/usr/bin/env python
"""Decisions per second, in-process, and the same requests through PMapper and moto.

    .venv/bin/python benchmarks/decisions.py [--requests 1000] [--seed 7] [--repeat 15] [--peer-repeat 5] [--no-peers]

The workload (issue 2): one IAM user with 10 attached policies of 10
statements each (action wildcards, resource wildcards, policy variables,
conditions of several operators, some Deny statements), asked 1,000 varied
requests (seeded: actions over 10 services, matching and non-matching
resources, varied request context).

Ours, two ways, in alternating passes (``--repeat`` of each, after one
warm-up pass): ``decide`` is ``authorize`` on requests built before timing;
``build+decide`` starts from the same dicts the peers get and includes
``Request.build``. The second is the like-for-like comparison: PMapper's timed
call deep-copies the context and infers the principal keys itself (see
``peers/pmapper_decisions.py``), as ``Request.build`` does for us. Printed: the
median pass with its min and max, per-call median / p90 / p99 (each call timed
on its own), and one "first sight" pass over requests never seen before (no
per-request-value cache warm). With peers, ours runs again after them and the
two runs are pooled, so a load change during the peers' runs favours neither.

Peers (benchmarks/peers, each in its own venv, see docs/peers.md) get the same
cases as JSON, 1 warm-up pass and ``--peer-repeat`` timed passes; the ratio is
the peer's median pass over ours (median pass), both per decision. moto cannot
express conditions in its request-time check; it is run with
``--with-conditions`` (its trust-policy condition code) and its agreement is
reported for what it is. Agreement counts Allow vs Deny (explicit and implicit
deny are both Deny) over the cases a peer decided.

Worst case (issue 8, skip with ``--no-worst-case``): one Resource or StringLike
pattern that fills a whole session policy (2,048 characters) or managed policy
(6,144), in three hostile shapes, decided against a 64 KB value; µs per
decision. No peer runs these: they are a bound, not a race.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "peers"))

from iamwarden.evaluation import PolicySet, Request, authorize  # noqa: E402

ACCOUNT = "111122223333"
PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:user/eng/alice"

SERVICES: dict[str, list[str]] = {
    "s3": ["GetObject", "PutObject", "DeleteObject", "ListBucket", "GetBucketPolicy", "PutBucketTagging"],
    "ec2": ["RunInstances", "DescribeInstances", "StartInstances", "StopInstances", "TerminateInstances"],
    "iam": ["PassRole", "GetRole", "CreateUser", "ListUsers", "AttachRolePolicy", "CreateAccessKey"],
    "sqs": ["SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"],
    "dynamodb": ["GetItem", "PutItem", "Query", "Scan", "DeleteTable"],
    "lambda": ["InvokeFunction", "CreateFunction", "UpdateFunctionCode", "GetFunction"],
    "kms": ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"],
    "logs": ["PutLogEvents", "CreateLogStream", "DescribeLogGroups"],
    "sns": ["Publish", "Subscribe", "ListTopics"],
    "sts": ["GetSessionToken", "GetFederationToken", "DecodeAuthorizationMessage"],
}
REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]
TEAMS = ["red", "blue", "green"]


def _resource(rnd: random.Random, svc: str) -> str:
    region = rnd.choice(REGIONS)
    name = rnd.choice(["app", "data", "logs", "alice", "team-red", "tmp", "prod-db"])
    acct = ACCOUNT  # same account: identity policies decide (no resource policies in this workload)
    return {
        "s3": f"arn:aws:s3:::{name}-bucket/{rnd.choice(['alice', 'shared', 'x'])}/{rnd.randint(0, 99)}.txt",
        "ec2": f"arn:aws:ec2:{region}:{acct}:instance/i-{rnd.randint(0, 9999):04d}",
        "iam": f"arn:aws:iam::{ACCOUNT}:{rnd.choice(['role', 'user'])}/{name}",
        "sqs": f"arn:aws:sqs:{region}:{acct}:{name}-queue",
        "dynamodb": f"arn:aws:dynamodb:{region}:{acct}:table/{name}",
        "lambda": f"arn:aws:lambda:{region}:{acct}:function:{name}",
        "kms": f"arn:aws:kms:{region}:{acct}:alias/{name}",
        "logs": f"arn:aws:logs:{region}:{acct}:log-group:/aws/{name}:log-stream:s{rnd.randint(0, 9)}",
        "sns": f"arn:aws:sns:{region}:{acct}:{name}-topic",
        "sts": "*",
    }[svc]


def _resource_pattern(rnd: random.Random, svc: str) -> str:
    r = rnd.random()
    if r < 0.25:
        return "*"
    if svc == "s3":
        return rnd.choice([
            "arn:aws:s3:::*-bucket/shared/*",
            "arn:aws:s3:::app-bucket/*",
            "arn:aws:s3:::*/${aws:username}/*",
            "arn:aws:s3:::data-bucket/?/*",
            "arn:aws:s3:::logs-*",
        ])
    concrete = _resource(rnd, svc)
    head, _, tail = concrete.rpartition(":")
    if r < 0.6:
        return concrete.rsplit("/", 1)[0] + "/*" if "/" in concrete else head + ":*"
    if r < 0.8:
        return f"arn:aws:{svc}:*:{ACCOUNT}:*"
    return concrete


CONDITIONS: list[dict] = [
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": ["green"]}},
    {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "shared/*"]}},
    {"StringEqualsIfExists": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}},
    {"NotIpAddress": {"aws:SourceIp": "10.66.0.0/16"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
    {"NumericLessThanEquals": {"s3:max-keys": "100"}},
    {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
    {"DateGreaterThan": {"aws:CurrentTime": "2024-06-01T00:00:00Z"}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/eng/*"}},
    {"StringEquals": {"aws:ResourceAccount": ACCOUNT}},
]


def _statement(rnd: random.Random, sid: int) -> dict[str, Any]:
    svc = rnd.choice(list(SERVICES))
    acts = []
    for _ in range(rnd.randint(1, 4)):
        a = rnd.choice(SERVICES[svc])
        r = rnd.random()
        if r < 0.15:
            acts.append(f"{svc}:*")
        elif r < 0.4:
            acts.append(f"{svc}:{a[:rnd.randint(3, 6)]}*")
        elif r < 0.45:
            acts.append(f"{svc}:{a[:-1]}?")
        else:
            acts.append(f"{svc}:{a}")
    st: dict[str, Any] = {
        "Sid": f"S{sid}",
        "Effect": "Deny" if rnd.random() < 0.12 else "Allow",
        "Action": sorted(set(acts)),
        "Resource": sorted({_resource_pattern(rnd, svc) for _ in range(rnd.randint(1, 3))}),
    }
    if rnd.random() < 0.45:
        cond: dict[str, dict] = {}
        for c in rnd.sample(CONDITIONS, rnd.randint(1, 2)):
            for op, block in c.items():
                cond.setdefault(op, {}).update(block)
        st["Condition"] = cond
    return st


def generate(n_requests: int, seed: int) -> tuple[list[dict], list[dict]]:
    """(10 identity policy documents, n request dicts)."""
    rnd = random.Random(seed)
    docs = [
        {"Version": "2012-10-17", "Statement": [_statement(rnd, p * 10 + s) for s in range(10)]}
        for p in range(10)
    ]
    requests = []
    for _ in range(n_requests):
        svc = rnd.choice(list(SERVICES))
        ctx: dict[str, Any] = {
            "aws:SourceIp": rnd.choice(["10.1.2.3", "10.66.1.1", "192.0.2.10", "203.0.113.5"]),
            "aws:SecureTransport": rnd.choice(["true", "true", "false"]),
            "aws:CurrentTime": rnd.choice(["2025-03-01T12:00:00Z", "2024-01-01T00:00:00Z"]),
            "aws:RequestedRegion": rnd.choice(REGIONS),
            "aws:PrincipalTag/team": rnd.choice(TEAMS),
        }
        if rnd.random() < 0.5:
            ctx["aws:MultiFactorAuthPresent"] = rnd.choice(["true", "false"])
        if svc == "s3":
            ctx["s3:prefix"] = rnd.choice(["home/alice/a", "shared/x", "private/y"])
            ctx["s3:max-keys"] = str(rnd.choice([10, 100, 1000]))
        requests.append({
            "principal": PRINCIPAL,
            "action": f"{svc}:{rnd.choice(SERVICES[svc])}",
            "resource": _resource(rnd, svc),
            "context": ctx,
        })
    return docs, requests


def _pct(sorted_ns: list[int], q: float) -> float:
    i = min(len(sorted_ns) - 1, max(0, int(round(q * (len(sorted_ns) - 1)))))
    return sorted_ns[i] / 1e3


def _spread(passes_us: list[float]) -> dict[str, float]:
    return {"median": statistics.median(passes_us), "min": min(passes_us), "max": max(passes_us),
            "n": len(passes_us)}


def _build(r: dict) -> Request:
    return Request.build(r["principal"], r["action"], r["resource"], context=r["context"])


def bench_ours(docs: list[dict], reqs: list[dict], repeat: int, fresh: list[dict] | None = None) -> dict[str, Any]:
    """Time our decisions two ways, each over ``repeat`` whole passes (after one warm-up pass).

    ``decide``: ``authorize`` on requests built before timing. ``build+decide``:
    ``Request.build`` from the same dicts the peers get, then ``authorize`` (what a
    caller pays; the peers' timed calls include their own context handling).
    Passes of the two kinds alternate, so load changes hit both alike. Per-call
    percentiles come from separately timed calls (``perf_counter_ns`` around
    each call: ~0.05 µs of timer included). ``fresh``: requests never seen by this
    policy set, built and decided once each: no per-request-value cache is warm.
    """
    ps = PolicySet.from_documents(identity=docs)
    built = [_build(r) for r in reqs]
    decisions = [authorize(r, ps) for r in built]  # warm-up pass (fills per-action candidate lists)
    n = len(built)
    clock = time.perf_counter_ns
    first_sight = None
    gc.collect()
    gc.disable()  # as timeit does: time the decisions, not the collector's pauses
    if fresh:
        t0 = clock()
        for r in fresh:
            authorize(_build(r), ps)
        first_sight = (clock() - t0) / 1e3 / len(fresh)
    dec_passes: list[float] = []
    bd_passes: list[float] = []
    for _ in range(repeat):
        t0 = clock()
        for r in built:
            authorize(r, ps)
        dec_passes.append((clock() - t0) / 1e3 / n)
        t0 = clock()
        for r in reqs:
            authorize(_build(r), ps)
        bd_passes.append((clock() - t0) / 1e3 / n)
    dec_calls: list[int] = []
    bd_calls: list[int] = []
    for _ in range(max(1, repeat // 3)):
        for r in built:
            t0 = clock()
            authorize(r, ps)
            dec_calls.append(clock() - t0)
        for r in reqs:
            t0 = clock()
            authorize(_build(r), ps)
            bd_calls.append(clock() - t0)
    gc.enable()
    dec_calls.sort()
    bd_calls.sort()
    return {
        "n": n,
        "median_us": _pct(dec_calls, 0.5),
        "p90_us": _pct(dec_calls, 0.9),
        "p99_us": _pct(dec_calls, 0.99),
        "build_median_us": _pct(bd_calls, 0.5),
        "build_p90_us": _pct(bd_calls, 0.9),
        "build_p99_us": _pct(bd_calls, 0.99),
        "decide_pass_us": _spread(dec_passes),
        "build_and_decide_pass_us": _spread(bd_passes),
        "first_sight_build_and_decide_us": first_sight,
        "decisions_per_s": 1e6 / statistics.median(dec_passes),
        "build_and_decide_per_s": 1e6 / statistics.median(bd_passes),
        "decisions": ["Allow" if d.allowed else "Deny" for d in decisions],
        "verdicts": [d.decision for d in decisions],
        "errors": sum(1 for d in decisions if d.errors),
    }


def digest(docs: list[dict], reqs: list[dict]) -> str:
    """SHA-256 over every decision's verdict, reasons, errors and rule (``Decision.to_json``).

    An optimisation must leave this unchanged: run ``--digest`` before and after
    (the code before via ``PYTHONPATH``) and compare. Each request is decided
    twice, on a fresh policy set and again on the warm one, and both answers go in,
    so a cache that changed an answer on its second use would show.
    """
    h = hashlib.sha256()
    cold = PolicySet.from_documents(identity=docs)
    warm = PolicySet.from_documents(identity=docs)
    for r in reqs:
        authorize(_build(r), warm)
    for r in reqs:
        for ps in (cold, warm):
            h.update(json.dumps(authorize(_build(r), ps).to_json(), sort_keys=True).encode())
            h.update(b"\n")
    return h.hexdigest()


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Pool the passes of two runs of ``bench_ours`` (before and after the peers)."""
    out = dict(b)
    for k in ("decide_pass_us", "build_and_decide_pass_us"):
        out[k] = {"median": statistics.median([a[k]["median"], b[k]["median"]]),
                  "min": min(a[k]["min"], b[k]["min"]), "max": max(a[k]["max"], b[k]["max"]),
                  "n": a[k]["n"] + b[k]["n"], "runs": [a[k]["median"], b[k]["median"]]}
    for k in ("median_us", "p90_us", "p99_us", "build_median_us", "build_p90_us", "build_p99_us"):
        out[k] = (a[k] + b[k]) / 2
    out["decisions_per_s"] = 1e6 / out["decide_pass_us"]["median"]
    out["build_and_decide_per_s"] = 1e6 / out["build_and_decide_pass_us"]["median"]
    return out


def _print_ours(label: str, o: dict[str, Any]) -> None:
    d, b = o["decide_pass_us"], o["build_and_decide_pass_us"]
    allows = o["decisions"].count("Allow")
    print(f"iamwarden ({label}): decide: per call median {o['median_us']:.1f} / p90 {o['p90_us']:.1f} / "
          f"p99 {o['p99_us']:.1f} µs; per pass median {d['median']:.2f} µs/decision "
          f"(min {d['min']:.2f}, max {d['max']:.2f}, {d['n']} passes), {o['decisions_per_s']:,.0f} decisions/s")
    print(f"    Request.build + decide: per call median {o['build_median_us']:.1f} / p90 {o['build_p90_us']:.1f} / "
          f"p99 {o['build_p99_us']:.1f} µs; per pass median {b['median']:.2f} µs/decision "
          f"(min {b['min']:.2f}, max {b['max']:.2f}), {o['build_and_decide_per_s']:,.0f}/s; "
          f"first sight (fresh requests, one pass) {o['first_sight_build_and_decide_us']:.2f} µs; "
          f"{allows} Allow / {o['n'] - allows} Deny, {o['errors']} with errors")


# --- worst case (issue 8): the longest hostile pattern a quota allows, against 64 KB -----------------

#: AWS's size quotas for one policy document, in characters without whitespace
QUOTAS = {"session policy": 2048, "managed policy": 6144}
WORST_VALUE_CHARS = 65536


def _fill(shape: str, room: int) -> str:
    """A pattern of ``shape`` exactly ``room`` characters long (the repeated unit is cut to fit)."""
    if shape == "stars-then-b":  # the finding's shape: *a*a*…*b
        return "*" + ("a*" * room)[: room - 2] + "b"
    if shape == "stars-around-b":  # every star open, "b" never found: a full scan
        return ("*a" * room)[: room - 3] + "*b*"
    if shape == "question-gaps":  # one segment a?a?…a??a: against abab…, the last "a" fails late
        k = (room - 4) // 2
        return "*" + "a?" * k + "?a*" + "*" * (room - 4 - 2 * k)
    raise ValueError(shape)


def worst_case_policy(shape: str, quota: int, where: str) -> dict[str, Any]:
    """One statement whose Resource (or StringLike on aws:UserAgent) pattern fills the quota."""
    if where == "resource":
        st: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/{P}"}
    else:
        st = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
              "Condition": {"StringLike": {"aws:UserAgent": "{P}"}}}
    skeleton = json.dumps({"Version": "2012-10-17", "Statement": [st]}, separators=(",", ":"))
    room = quota - (len(skeleton) - len("{P}"))
    text = skeleton.replace("{P}", _fill(shape, room))
    assert len(text) == quota, (len(text), quota)
    return json.loads(text)


def bench_worst_case(repeat: int = 5) -> list[dict[str, Any]]:
    """Per decision, µs (median of ``repeat``): the quota-filling pattern against a 64 KB value.

    The star shapes get ``a`` × 65,536: they ask for "a" everywhere and for one "b"
    that never comes. ``question-gaps`` gets ``ab`` × 32,768: every other position fits
    every ``a`` of the pattern but the last, so neither the anchor search nor the lane
    scan can stop early. Each answer is checked (Deny).
    """
    rows = []
    for quota_name, quota in QUOTAS.items():
        for where in ("resource", "aws:UserAgent"):
            for shape in ("stars-then-b", "stars-around-b", "question-gaps"):
                value = ("ab" * WORST_VALUE_CHARS)[:WORST_VALUE_CHARS] if shape == "question-gaps" else (
                    "a" * WORST_VALUE_CHARS)
                ps = PolicySet.from_documents(identity=[worst_case_policy(shape, quota, where)])
                if where == "resource":
                    req = Request.build(PRINCIPAL, "s3:GetObject", "arn:aws:s3:::b/" + value)
                else:
                    req = Request.build(PRINCIPAL, "s3:GetObject", "*", context={"aws:UserAgent": value})
                times = []
                for _ in range(repeat):
                    t0 = time.perf_counter_ns()
                    d = authorize(req, ps)
                    times.append((time.perf_counter_ns() - t0) / 1e3)
                    assert not d.allowed, (shape, quota_name, where)
                rows.append({"quota": quota_name, "chars": quota, "where": where, "shape": shape,
                             "value_chars": WORST_VALUE_CHARS, "median_us": statistics.median(times),
                             "max_us": max(times)})
    return rows


def _print_worst_case(rows: list[dict[str, Any]]) -> None:
    print(f"worst case: one pattern filling the policy quota, against a {WORST_VALUE_CHARS:,}-character value "
          "(µs per decision, median / max)")
    for r in rows:
        print(f"    {r['quota']} ({r['chars']:,} chars), {r['where']}, {r['shape']}: "
              f"{r['median_us']:,.0f} / {r['max_us']:,.0f} µs")


def agreement(ours: list[str], theirs: list[str | None]) -> tuple[int, int, list[int]]:
    agree = disagree = 0
    bad = []
    for i, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        if b is None:
            continue
        if a == b:
            agree += 1
        else:
            disagree += 1
            bad.append(i)
    return agree, disagree, bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=15, help="timed passes over all requests (ours, per kind)")
    ap.add_argument("--peer-repeat", type=int, default=5, help="timed passes over all cases (each peer)")
    ap.add_argument("--no-peers", action="store_true", help="skip PMapper and moto")
    ap.add_argument("--peer-timeout", type=float, default=45.0, help="seconds per peer run")
    ap.add_argument("--json", metavar="FILE", help="also write the full report here")
    ap.add_argument("--dump-cases", metavar="FILE", help="write the cases (peer input format) here")
    ap.add_argument("--no-worst-case", action="store_true", help="skip the hostile-pattern rows (issue 8)")
    ap.add_argument("--digest", action="store_true",
                    help="print a digest of every answer (the cases and the first-sight cases) and stop")
    args = ap.parse_args(argv)
    if args.digest:
        docs, reqs = generate(args.requests, args.seed)
        _, fresh = generate(args.requests, args.seed + 1000)
        print(f"digest cases {digest(docs, reqs)}")
        print(f"digest first-sight {digest(docs, fresh)}")
        return 0

    t_start = time.perf_counter()
    docs, reqs = generate(args.requests, args.seed)
    n_st = sum(len(d["Statement"]) for d in docs)
    n_cond = sum(1 for d in docs for s in d["Statement"] if "Condition" in s)
    n_deny = sum(1 for d in docs for s in d["Statement"] if s["Effect"] == "Deny")
    print(f"workload: 1 principal, {len(docs)} policies, {n_st} statements "
          f"({n_cond} with conditions, {n_deny} Deny), {len(reqs)} requests, seed {args.seed}")

    _, fresh = generate(args.requests, args.seed + 1000)  # requests never seen before; their documents unused
    ours = bench_ours(docs, reqs, args.repeat, fresh)
    _print_ours("before the peers", ours)

    report: dict[str, Any] = {"workload": {"policies": len(docs), "statements": n_st, "requests": len(reqs),
                                           "seed": args.seed}}
    cases = [{"id": f"r{i}", "policies": {"identity": docs, "resource": [], "boundary": [], "session": [],
                                          "scp": []}, "request": r} for i, r in enumerate(reqs)]
    if args.dump_cases:
        with open(args.dump_cases, "w") as fh:
            json.dump(cases, fh)
    peers: list[tuple[str, dict]] = []
    if not args.no_peers:
        import runner  # benchmarks/peers/runner.py (stdlib only)

        if not runner.ensure_peers(["pmapper", "moto"], quiet=True):
            print("peers: setup failed (bash benchmarks/peers/setup.sh pmapper moto); skipping")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "cases.json")
                with open(path, "w") as fh:
                    json.dump(cases, fh)
                rep = str(args.peer_repeat)
                peers = [
                    ("PMapper", runner.run_peer("pmapper", "pmapper_decisions", path, timeout=args.peer_timeout,
                                                args=["--warmup", "1", "--repeat", rep])),
                    ("moto", runner.run_peer("moto", "moto_decisions", path, timeout=args.peer_timeout,
                                             args=["--warmup", "1", "--repeat", rep, "--with-conditions"])),
                ]
            # ours again after the peers: the ratio uses both runs, so a load change
            # during the peers' runs does not favour either side
            again = bench_ours(docs, reqs, args.repeat, fresh=None)
            again["first_sight_build_and_decide_us"] = ours["first_sight_build_and_decide_us"]
            _print_ours("after the peers", again)
            ours = _merge(ours, again)
            _print_ours("both runs", ours)
    report["iamwarden"] = {k: v for k, v in ours.items() if k not in ("decisions", "verdicts")}
    for name, rep in peers:
        if rep.get("status") != "ok" or not rep.get("per_decision_us"):
            print(f"{name}: {rep.get('status')} {str(rep.get('error', ''))[-300:]}")
            report[name] = {k: rep.get(k) for k in ("status", "error")}
            continue
        agree, disagree, bad = agreement(ours["decisions"], rep["decisions"])
        runs_us = [sec * 1e6 / rep["n"] for sec in rep.get("runs_seconds") or [rep["seconds"]]]
        peer = _spread(runs_us)
        d, b = ours["decide_pass_us"], ours["build_and_decide_pass_us"]
        ratio_build = peer["median"] / b["median"]
        ratio_decide = peer["median"] / d["median"]
        rate = agree / (agree + disagree) if agree + disagree else float("nan")
        print(f"{name} {rep.get('version', '')}: median pass {peer['median']:.1f} µs per decision "
              f"(min {peer['min']:.1f}, max {peer['max']:.1f}, {peer['n']} passes; "
              f"{rep['n']} decided, {rep.get('skipped', 0)} skipped, {rep.get('errors', 0)} errors); "
              f"agreement {agree}/{agree + disagree} ({rate:.1%})")
        print(f"    ratio (median passes): {ratio_build:.1f}x with Request.build (like for like: both start "
              f"from the case's dicts), {ratio_decide:.1f}x decide only; "
              f"range {peer['min'] / b['max']:.1f}-{peer['max'] / b['min']:.1f}x with build")
        report[name] = {"version": rep.get("version"), "per_decision_us": peer, "n": rep["n"],
                        "skipped": rep.get("skipped"), "errors": rep.get("errors"),
                        "ratio_with_build": ratio_build, "ratio_decide_only": ratio_decide,
                        "agree": agree, "disagree": disagree,
                        "disagreeing_cases": bad[:20], "skip_reasons": rep.get("skip_reasons")}
    goal = "met" if ours["median_us"] < 20 else "NOT met"
    print(f"goal median < 20 µs: {goal} (decide {ours['median_us']:.1f} µs, "
          f"with Request.build {ours['build_median_us']:.1f} µs)")
    pm = report.get("PMapper", {})
    if "ratio_with_build" in pm:
        met = "met" if pm["ratio_with_build"] >= 20 else "NOT met"
        print(f"goal >= 20x PMapper: {met} ({pm['ratio_with_build']:.1f}x with Request.build, "
              f"{pm['ratio_decide_only']:.1f}x decide only)")
    if not args.no_worst_case:
        report["worst_case"] = bench_worst_case()
        _print_worst_case(report["worst_case"])
    print(f"total benchmark time {time.perf_counter() - t_start:.1f} s")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
