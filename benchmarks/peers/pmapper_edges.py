#!/usr/bin/env python
"""PMapper admin detection + privilege-escalation edge generation from a
``aws iam get-account-authorization-details`` (GAAD) dump, offline.

Run under the PMapper peer venv::

    benchmarks/.peers/pmapper/bin/python benchmarks/peers/pmapper_edges.py GAAD \
        [--timeout SECONDS] [--services iam,sts,...]

GAAD is a JSON file or a folder of ``*.json`` files; each file holds one
GAAD page (``{"UserDetailList": ..., "GroupDetailList": ...,
"RoleDetailList": ..., "Policies": ...}``) or a list of pages.  Policy
documents may be objects (AWS CLI output) or URL-encoded strings (raw API).

What it does, mirroring ``principalmapper.graphing.gathering.create_graph``
with the boto3 calls replaced by the file:

1. ``get_nodes_groups_and_policies`` logic: Policy objects for managed and
   inline policies (inline ones take the principal's ARN), Groups, Nodes
   (users: groups, boundary, tags, ``active_password = 'PasswordLastUsed' in
   user``; roles: trust doc, instance profiles, tags).  Not in GAAD, so left at
   PMapper's defaults: access-key count 0 and has_mfa False (PMapper asks
   ListAccessKeys / GetLoginProfile / ListMFADevices for these).
2. ``gathering.update_admin_status(nodes)``
3. ``edge_identification.obtain_edges(None, services, nodes)`` - ``session=None``
   is PMapper's documented offline mode: every checker runs
   ``generate_edges_locally`` without listing EC2/Lambda/CloudFormation/...
   resources.  Default services: all of ``checker_map`` (autoscaling,
   cloudformation, codebuild, ec2, iam, lambda, sagemaker, ssm, sts).

``seconds`` covers steps 2+3 (``build_seconds`` is step 1).  Output: one JSON
line ``{"tool": "pmapper", "principals": N, "edges": E, "admins": A,
"seconds": s, "status": "ok|timeout|error", ...}``.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import signal
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402
from pmapper_shim import import_pmapper  # noqa: E402


class _Timeout(Exception):
    pass


def _doc(d):
    if isinstance(d, str):
        s = d.strip()
        if not s.startswith("{"):
            s = urllib.parse.unquote(s)
        return json.loads(s)
    return d


def load_gaad(path):
    files = sorted(glob.glob(os.path.join(path, "*.json"))) if os.path.isdir(path) else [path]
    merged = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    for f in files:
        with open(f, "r", encoding="utf-8") as fh:
            data = json.load(fh)
        pages = data if isinstance(data, list) else [data]
        for page in pages:
            for k in merged:
                merged[k].extend(page.get(k) or [])
    return merged


def build_graph_parts(pm, gaad):
    """Port of gathering.get_nodes_groups_and_policies without the client."""
    from principalmapper.util import arns
    Policy, Group, Node = pm.Policy, pm.Group, pm.Node
    policies, groups, nodes = [], [], []
    by_arn = {}
    missing = []

    def managed(arn):
        # gathering._get_policy_by_arn_or_raise is a linear scan; a dict gives
        # the same answer (managed ARNs are unique) without skewing build time.
        p = by_arn.get(arn)
        if p is None:
            # GAAD dumps filtered to local policies lack AWS-managed docs;
            # PMapper would raise here.  Keep going with an empty doc, report it.
            missing.append(arn)
            p = Policy(arn, arn.split("/")[-1], {"Version": "2012-10-17", "Statement": []})
            by_arn[arn] = p
        return p

    for p in gaad["Policies"]:
        doc = [x["Document"] for x in p["PolicyVersionList"] if x["IsDefaultVersion"]][0]
        pol = Policy(p["Arn"], p["PolicyName"], _doc(doc))
        policies.append(pol)
        by_arn[p["Arn"]] = pol

    for g in gaad["GroupDetailList"]:
        gp = [Policy(g["Arn"], p["PolicyName"], _doc(p["PolicyDocument"])) for p in g.get("GroupPolicyList") or []]
        policies += gp
        gp += [managed(p["PolicyArn"]) for p in g.get("AttachedManagedPolicies") or []]
        groups.append(Group(g["Arn"], gp))

    group_by_name = {arns.get_resource(g.arn).split("/")[-1]: g for g in groups}
    for u in gaad["UserDetailList"]:
        up = [Policy(u["Arn"], p["PolicyName"], _doc(p["PolicyDocument"])) for p in u.get("UserPolicyList") or []]
        policies += up
        up += [managed(p["PolicyArn"]) for p in u.get("AttachedManagedPolicies") or []]
        boundary = managed(u["PermissionsBoundary"]["PermissionsBoundaryArn"]) if "PermissionsBoundary" in u else None
        glist = [group_by_name[n] for n in u.get("GroupList") or [] if n in group_by_name]
        tags = {t["Key"]: t["Value"] for t in u.get("Tags") or []}
        nodes.append(Node(u["Arn"], u["UserId"], up, glist, None, None, 0, "PasswordLastUsed" in u, False,
                          boundary, False, tags))

    for r in gaad["RoleDetailList"]:
        rp = [Policy(r["Arn"], p["PolicyName"], _doc(p["PolicyDocument"])) for p in r.get("RolePolicyList") or []]
        policies += rp
        rp += [managed(p["PolicyArn"]) for p in r.get("AttachedManagedPolicies") or []]
        tags = {t["Key"]: t["Value"] for t in r.get("Tags") or []}
        # PMapper 1.1.5 gathering does not read role permission boundaries
        # (it passes None for roles); kept identical.
        nodes.append(Node(r["Arn"], r["RoleId"], rp, None, _doc(r["AssumeRolePolicyDocument"]),
                          [x["Arn"] for x in r.get("InstanceProfileList") or []], 0, False, False,
                          None, False, tags))
    return nodes, groups, policies, sorted(set(missing))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gaad", help="GAAD JSON file or folder of JSON files")
    ap.add_argument("--timeout", type=float, default=None, help="seconds for admin detection + edges")
    ap.add_argument("--services", default=None,
                    help="comma list of PMapper edge checkers (default: all in checker_map)")
    ap.add_argument("--list-edges", action="store_true", help="include the edges in the output")
    args = ap.parse_args(argv)

    out = {"tool": "pmapper", "principals": 0, "edges": 0, "admins": 0, "seconds": None, "status": "error"}
    try:
        pm = import_pmapper()
        import logging
        logging.disable(logging.CRITICAL)
        out["version"] = pm.version
        services = args.services.split(",") if args.services else list(pm.edge_identification.checker_map)
        out["services"] = services

        t0 = time.perf_counter_ns()
        nodes, groups, policies, missing = build_graph_parts(pm, load_gaad(args.gaad))
        out["build_seconds"] = (time.perf_counter_ns() - t0) / 1e9
        out["principals"] = len(nodes)
        out["groups"] = len(groups)
        out["policies"] = len(policies)
        if missing:
            out["missing_policies"] = missing

        def _alarm(signum, frame):
            raise _Timeout()
        if args.timeout:
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, args.timeout)
        t0 = time.perf_counter_ns()
        try:
            pm.gathering.update_admin_status(nodes, None)
            out["admin_seconds"] = (time.perf_counter_ns() - t0) / 1e9
            edges = pm.edge_identification.obtain_edges(None, services, nodes)
            out["seconds"] = (time.perf_counter_ns() - t0) / 1e9
            out["status"] = "ok"
        except _Timeout:
            out["seconds"] = (time.perf_counter_ns() - t0) / 1e9
            out["status"] = "timeout"
            edges = []
        finally:
            if args.timeout:
                signal.setitimer(signal.ITIMER_REAL, 0)
        out["admins"] = sum(1 for n in nodes if n.is_admin)
        out["edges"] = len(edges)
        if args.list_edges:
            out["edge_list"] = [[e.source.arn, e.destination.arn, e.short_reason] for e in edges]
            out["admin_list"] = [n.arn for n in nodes if n.is_admin]
    except Exception as e:  # report, don't crash the benchmark harness
        out["status"] = "error"
        out["error"] = "%s: %s" % (type(e).__name__, e)
    _common.emit(out)
    return 0 if out["status"] != "error" else 1


if __name__ == "__main__":
    sys.exit(main())
