#!/usr/bin/env python
"""Evaluate IAM decision cases through PMapper's local policy simulation.

Run under the PMapper peer venv::

    benchmarks/.peers/pmapper/bin/python benchmarks/peers/pmapper_decisions.py CASES.json \
        [--warmup 1] [--repeat 3]

Input contract: see ``_common.py``.  Output: one JSON line
``{"tool": "pmapper", "n": N, "decisions": [...], "seconds": s,
"per_decision_us": ..., "skipped": K, ...}``.

API used per case (the most complete evaluator PMapper has)::

    principalmapper.querying.query_interface.local_check_authorization_full(
        node, action, resource, condition_keys,
        resource_policy, resource_owner,
        service_control_policy_groups, session_policy)

where ``node`` is a ``principalmapper.common.Node`` carrying the identity
policies as ``Policy`` objects and the boundary as ``permissions_boundary``.
Nodes, Policy objects and contexts are built before the timed loop; the loop
times only the authorization calls.  PMapper itself deep-copies the context,
wraps it in a CaseInsensitiveDict and *infers* global keys that are absent
(aws:SecureTransport=true, aws:CurrentTime, aws:EpochTime, aws:userid,
aws:username, aws:PrincipalAccount, aws:PrincipalArn, principal tags) on
every call - that cost is PMapper's and stays inside the timing.

Skipped (decision ``null``): principals that are not an IAM user or role (or
an STS assumed-role session, which is mapped to its role), more than one
permissions boundary, more than one resource policy.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402
from pmapper_shim import import_pmapper  # noqa: E402


def _ctx_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return [_ctx_value(x) for x in v]
    return v if isinstance(v, str) else str(v)


def _node_arn(principal: str):
    """IAM user/role ARN PMapper can model, or None."""
    parts = principal.split(":", 5)
    if len(parts) != 6:
        return None
    _, partition, service, _, account, res = parts
    if service == "iam" and (res.startswith("user/") or res.startswith("role/")):
        return principal
    if service == "sts" and res.startswith("assumed-role/"):
        role = res.split("/")[1]
        return "arn:%s:iam::%s:role/%s" % (partition, account, role)
    return None


def build(pm, case):
    """Return a zero-arg callable evaluating one case, or raise _Skip."""
    pol = _common.policies_of(case)
    req = case["request"]
    arn = _node_arn(req["principal"])
    if arn is None:
        raise _Skip("principal type")
    if len(pol["boundary"]) > 1 or len(pol["resource"]) > 1:
        raise _Skip("multiple boundary/resource policies")
    identity = [pm.Policy(arn, "identity%d" % i, doc) for i, doc in enumerate(pol["identity"])]
    boundary = pm.Policy(arn, "boundary", pol["boundary"][0]) if pol["boundary"] else None
    is_role = ":role/" in arn
    ctx = {k: _ctx_value(v) for k, v in (req.get("context") or {}).items()}
    node_id = ctx.get("aws:userid") if isinstance(ctx.get("aws:userid"), str) else None
    node_id = (node_id or ("AROAPEERBENCH" if is_role else "AIDAPEERBENCH")).split(":")[0]
    node = pm.Node(arn, node_id, identity, None, {"Version": "2012-10-17", "Statement": []} if is_role else None,
                   None if not is_role else [], 0, False, False, boundary, False, {})
    resource_policy = pol["resource"][0] if pol["resource"] else None
    owner = None
    if resource_policy is not None:
        owner = req.get("resource_account") or _common.account_of(req["resource"]) \
            or _common.account_of(arn)
    session = None
    if pol["session"]:
        stmts = []
        for doc in pol["session"]:
            stmts.extend(_common.statements(doc))
        session = {"Version": "2012-10-17", "Statement": stmts}
    scps = None
    if pol["scp"]:
        scps = [[pm.Policy("scp", "scp%d_%d" % (i, j), d) for j, d in enumerate(level)]
                for i, level in enumerate(pol["scp"])]
    check = pm.query_interface.local_check_authorization_full
    action, resource = req["action"], req["resource"]

    def run():
        return check(node, action, resource, ctx, resource_policy, owner, scps, session)
    return run


class _Skip(Exception):
    pass


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    _common.add_timing_args(ap)
    args = ap.parse_args(argv)
    pm = import_pmapper()
    import logging
    logging.disable(logging.CRITICAL)  # PMapper logs every check at DEBUG; keep formatting out

    cases = _common.load_cases(args.cases)
    slots = []  # (index, callable)
    skipped = errors = 0
    skip_reasons = {}
    for i, case in enumerate(cases):
        try:
            slots.append((i, build(pm, case)))
        except _Skip as e:
            skipped += 1
            skip_reasons[str(e)] = skip_reasons.get(str(e), 0) + 1
        except Exception as e:  # malformed for PMapper
            errors += 1
            skip_reasons["build error: %s" % type(e).__name__] = \
                skip_reasons.get("build error: %s" % type(e).__name__, 0) + 1

    decisions, runs, failed = _common.time_decisions(len(cases), slots, args.warmup, args.repeat)
    errors += failed
    _common.emit(_common.decision_report(
        "pmapper", cases, decisions, runs, evaluated=len(slots) - failed, skipped=skipped,
        errors=errors, extra={"version": pm.version, "skip_reasons": skip_reasons,
                              "api": "query_interface.local_check_authorization_full"}))


if __name__ == "__main__":
    main()
