#!/usr/bin/env python
"""Evaluate IAM decision cases through moto's IAM access-control code.

Run under the moto peer venv::

    benchmarks/.peers/moto/bin/python benchmarks/peers/moto_decisions.py CASES.json \
        [--warmup 1] [--repeat 3] [--with-conditions]

Input/output contract: as ``pmapper_decisions.py`` (see ``_common.py``);
``"tool": "moto"``, with ``"skipped": K`` counting the cases moto cannot
express (their decision is ``null``).

What is evaluated is exactly moto 5.x's request-time check,
``moto.iam.access_control.IAMRequestBase.check_action_permitted``: for each
identity policy ``IAMPolicy(doc).is_action_permitted(action, resource)``;
any ``PermissionResult.DENIED`` -> Deny, else any ``PERMITTED`` -> Allow,
else (implicit) Deny.  (In moto 5 the module is ``moto.iam.access_control``;
``moto.core.access_control`` is the pre-5 location.)  ``IAMPolicy`` objects
(the JSON parse) are built before the timed loop.

Expressible cases, and why the rest are skipped:

* identity policies only - moto's enforcement never consults permission
  boundaries, resource policies (other than S3 bucket policies in its S3
  backend), session policies or SCPs;
* no ``Condition`` in any statement - moto's enforcement passes no request
  context, and its condition code (``TrustRelationShipConditions``, written
  for trust policies) turns a non-matching condition on an *Allow* statement
  into DENIED.  ``--with-conditions`` evaluates them anyway, passing the case
  context as ``incoming_condition_values`` (string values only);
* no ``NotResource`` - moto treats a statement without ``Resource`` as
  matching everything (it is written for trust policies), whatever its effect.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402


class _Skip(Exception):
    pass


def build(IAMPolicy, PermissionResult, case, with_conditions):
    pol = _common.policies_of(case)
    req = case["request"]
    for k in ("resource", "boundary", "session", "scp"):
        if pol[k]:
            raise _Skip("%s policy" % k)
    ctx = None
    for doc in pol["identity"]:
        for st in _common.statements(doc):
            if "NotResource" in st:
                raise _Skip("NotResource")
            if "Condition" in st:
                if not with_conditions:
                    raise _Skip("Condition")
                ctx = {}
                for key, val in (req.get("context") or {}).items():
                    if isinstance(val, list):
                        if len(val) != 1:
                            raise _Skip("multi-valued context")
                        val = val[0]
                    ctx[key] = ("true" if val else "false") if isinstance(val, bool) else str(val)
    policies = [IAMPolicy(json.dumps(doc) if not isinstance(doc, str) else doc) for doc in pol["identity"]]
    action, resource = req["action"], req["resource"]
    DENIED, PERMITTED = PermissionResult.DENIED, PermissionResult.PERMITTED

    if ctx is None:
        def run():
            permitted = False
            for p in policies:
                r = p.is_action_permitted(action, resource)
                if r == DENIED:
                    return False
                if r == PERMITTED:
                    permitted = True
            return permitted
    else:
        def run():
            permitted = False
            for p in policies:
                r = p.is_action_permitted(action, resource, None, ctx)
                if r == DENIED:
                    return False
                if r == PERMITTED:
                    permitted = True
            return permitted
    return run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    _common.add_timing_args(ap)
    ap.add_argument("--with-conditions", action="store_true",
                    help="also evaluate statements with Condition (moto semantics, see doc)")
    args = ap.parse_args(argv)

    import moto
    from moto.iam.access_control import IAMPolicy, PermissionResult

    cases = _common.load_cases(args.cases)
    slots = []
    skipped = errors = 0
    reasons = {}
    for i, case in enumerate(cases):
        try:
            slots.append((i, build(IAMPolicy, PermissionResult, case, args.with_conditions)))
        except _Skip as e:
            skipped += 1
            reasons[str(e)] = reasons.get(str(e), 0) + 1
        except Exception as e:
            errors += 1
            key = "build error: %s" % type(e).__name__
            reasons[key] = reasons.get(key, 0) + 1

    decisions, runs, failed = _common.time_decisions(len(cases), slots, args.warmup, args.repeat)
    errors += failed
    _common.emit(_common.decision_report(
        "moto", cases, decisions, runs, evaluated=len(slots) - failed, skipped=skipped,
        errors=errors, extra={"version": moto.__version__, "skip_reasons": reasons,
                              "api": "moto.iam.access_control.IAMPolicy.is_action_permitted"}))


if __name__ == "__main__":
    main()
