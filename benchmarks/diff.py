#!/usr/bin/env python
"""Solver time per policy pair for ``iamwarden diff`` on generated, realistic identity policies.

    python benchmarks/diff.py [--pairs N] [--budget-ms MS] [--seed S]

Each pair is a policy of 10–100 statements in the shapes of
``generate_accounts.py`` (read-only, deployment, operations statements; resource
ARNs; some conditions on tags, source IP, MFA age, time) and a variant: the same
policy, one statement widened (an action to ``service:*`` or a resource to ``*``),
a Deny dropped, or unchanged. Prints median and worst seconds per query and the
number of "unknown" answers under the budget. No peer answers this question
offline, so the numbers are absolute.
"""

from __future__ import annotations

import argparse
import copy
import random
import statistics
import sys
import time
from typing import Any

from iamwarden.diff import UNKNOWN, check_no_new_access
from iamwarden.policy.document import parse_policy

SERVICES = {
    "s3": ["GetObject", "PutObject", "ListBucket", "DeleteObject"],
    "ec2": ["DescribeInstances", "StartInstances", "StopInstances"],
    "dynamodb": ["GetItem", "PutItem", "Query"],
    "lambda": ["InvokeFunction", "UpdateFunctionCode"],
    "logs": ["PutLogEvents", "CreateLogStream"],
    "iam": ["PassRole", "GetRole"],
}
CONDITIONS = [
    {"StringEquals": {"aws:ResourceTag/team": "payments"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "env"]}},
]


def statement(rng: random.Random, i: int) -> dict[str, Any]:
    svc = rng.choice(list(SERVICES))
    actions = [f"{svc}:{a}" for a in rng.sample(SERVICES[svc], rng.randint(1, len(SERVICES[svc])))]
    if rng.random() < 0.2:
        actions = [f"{svc}:Get*", f"{svc}:Describe*"]
    res = {"s3": f"arn:aws:s3:::bucket-{i % 7}/*", "iam": f"arn:aws:iam::123456789012:role/app-{i % 5}"}.get(
        svc, f"arn:aws:{svc}:us-east-1:123456789012:*")
    st: dict[str, Any] = {"Sid": f"S{i}", "Effect": "Deny" if rng.random() < 0.1 else "Allow",
                          "Action": actions, "Resource": res}
    if rng.random() < 0.3:
        st["Condition"] = copy.deepcopy(rng.choice(CONDITIONS))
    return st


def pair(rng: random.Random, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    old = {"Version": "2012-10-17", "Statement": [statement(rng, i) for i in range(n)]}
    new = copy.deepcopy(old)
    change = rng.choice(["action", "resource", "drop-deny", "none"])
    sts = new["Statement"]
    k = rng.randrange(n)
    if change == "action":
        sts[k]["Action"] = [sts[k]["Action"][0].split(":")[0] + ":*"]
    elif change == "resource":
        sts[k]["Resource"] = "*"
    elif change == "drop-deny":
        denies = [i for i, s in enumerate(sts) if s["Effect"] == "Deny"]
        if denies:
            del sts[rng.choice(denies)]
    return old, new


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--budget-ms", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    times, unknown, results = [], 0, {}
    for _ in range(args.pairs):
        n = rng.randint(10, 100)
        old, new = pair(rng, n)
        t = time.monotonic()
        a = check_no_new_access([parse_policy(old)], [parse_policy(new)], args.budget_ms)
        times.append(time.monotonic() - t)
        unknown += a.result == UNKNOWN
        results[a.result] = results.get(a.result, 0) + 1
    print(f"pairs: {args.pairs} (10-100 statements each), budget {args.budget_ms} ms")
    print(f"median: {statistics.median(times):.3f} s   worst: {max(times):.3f} s   unknown: {unknown}")
    print("answers: " + ", ".join(f"{k} {v}" for k, v in sorted(results.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
