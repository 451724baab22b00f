"""Which region a request the analysis asks about is made in (``aws:RequestedRegion``).

AWS puts ``aws:RequestedRegion`` in every request's context (spec §3.2): the region of
the endpoint called. An escalation's requests are the attacker's, and an attacker calls
whichever region lets it: so a request is allowed when it is allowed in *some* region
(each request of a path picks its own). Asking with the key absent instead made every
negated region condition match: the AWS example SCP "deny everything outside eu-central-1
and eu-west-1" (``StringNotEquals aws:RequestedRegion``) then denied every action in every
region, and an organization under it had no administrators and no escalations at all.

Asking every region of the partition for every question would multiply the audit's
engine questions by ~37. It is not needed: the policies in force for an action can tell
regions apart only through their tests of the region, i.e. the conditions on
``aws:RequestedRegion`` and the region field of their Resource / NotResource patterns.
Two regions that pass the same of those tests get the same decision. So the regions asked
are one per class of regions that the tests tell apart (``representatives``): the
partition's home region alone when nothing tests the region (almost always), else a few.

- IAM and the other global services have one endpoint, in the partition's home region
  (``us-east-1`` in ``aws``, botocore's ``implicitGlobalRegion``): their requests are
  made there only (``GLOBAL_SERVICES``).
- A request on an ARN that names a region is made in that region.
- The regions of each partition are botocore's (``partitions.json``, read once when a
  policy first tests the region).

docs/decisions/analysis-requested-region.md records the choice.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any, Callable

from ..policy.patterns import compile_glob

KEY = "aws:RequestedRegion"
_KEY_LOWER = KEY.lower()

#: services with one global endpoint: requests go to the partition's home region
GLOBAL_SERVICES = frozenset({
    "iam", "organizations", "account", "route53", "route53domains", "cloudfront", "globalaccelerator",
    "shield", "waf", "budgets", "ce", "cur", "health", "support", "aws-portal", "billing",
})

#: IAM permissions checked inside another service's request, in that request's region:
#: ``iam:PassRole`` is no API call of its own (the Lambda ``CreateFunction`` in eu-west-1
#: that passes a role is the request), so it is asked in any region, not IAM's
PASSED_WITH_ANOTHER_REQUEST = frozenset({"iam:passrole"})

#: the home region of the partitions known without reading botocore's data
_HOMES = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


@cache
def _partitions() -> dict[str, tuple[str, tuple[str, ...]]]:
    """partition -> (home region, its regions, home first): botocore's ``partitions.json``."""
    import botocore

    path = os.path.join(os.path.dirname(botocore.__file__), "data", "partitions.json")
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for p in data.get("partitions", ()):
        pid = str(p.get("id", ""))
        regions = sorted(r for r in p.get("regions", {}) if not r.endswith("-global"))
        home = str((p.get("outputs") or {}).get("implicitGlobalRegion") or (regions[0] if regions else ""))
        out[pid] = (home, tuple([home] + [r for r in regions if r != home]))
    return out


def home_region(partition: str) -> str:
    """The partition's home region (the global services' endpoint)."""
    home = _HOMES.get(partition)
    if home is None:
        home = _partitions().get(partition, ("us-east-1", ()))[0] or "us-east-1"
    return home


def partition_regions(partition: str) -> tuple[str, ...]:
    """Every region of the partition, its home region first."""
    hit = _partitions().get(partition)
    return hit[1] if hit is not None else (home_region(partition),)


Test = Callable[[str], bool]

#: id(Statement) -> (statement, its region tests): statements live as long as the world
_STATEMENT_TESTS: dict[int, tuple[Any, tuple[Test | None, ...]]] = {}
#: id(Candidates) -> (candidates, partition -> representatives)
_REPS: dict[int, tuple[Any, dict[str, tuple[str, ...]]]] = {}
_REPS_SIZE = 65536


def _statement_tests(st: Any) -> tuple[Test | None, ...]:
    """The statement's tests of the region: its conditions on ``aws:RequestedRegion``
    (the condition's own "matches a policy value" test; None: one the test cannot be
    read of, values with variables) and the region field of each Resource pattern."""
    hit = _STATEMENT_TESTS.get(id(st))
    if hit is not None and hit[0] is st:
        return hit[1]
    tests: list[Test | None] = []
    for c in st.conditions:
        if c.key_lower == _KEY_LOWER and not c.operator.is_null:
            tests.append(c._test)
    for r in st.resources or ():
        if r.parts is not None:
            tests.append(None)  # a pattern with variables: its region may be anything
            continue
        fields = r.text.split(":", 4)
        if len(fields) == 5 and fields[0] == "arn" and fields[3] != "*":
            tests.append(compile_glob(fields[3]).match if fields[3] else _never)
    out = tuple(tests)
    if len(_STATEMENT_TESTS) >= _REPS_SIZE * 4:
        _STATEMENT_TESTS.clear()
    _STATEMENT_TESTS[id(st)] = (st, out)
    return out


def _never(_: str) -> bool:
    return False


def representatives(cands: Any, partition: str) -> tuple[str, ...]:
    """One region per class of the partition's regions that the statements of ``cands``
    (a ``PolicySet.candidates`` entry) tell apart, the home region's class first (cached
    per entry: entries are shared between policy sets)."""
    hit = _REPS.get(id(cands))
    if hit is not None and hit[0] is cands:
        got = hit[1].get(partition)
        if got is not None:
            return got
    else:
        if len(_REPS) >= _REPS_SIZE:
            _REPS.clear()
        hit = _REPS[id(cands)] = (cands, {})
    out = hit[1][partition] = _classes(_tests(cands), partition)
    return out


def representatives_of(many: list[Any], partition: str) -> tuple[str, ...]:
    """``representatives`` for the statements of several entries at once (the actions on
    one resource a caller creates: its region is one for all of them)."""
    if len(many) == 1:
        return representatives(many[0], partition)
    key = (partition, *map(id, many))
    hit = _MANY.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], many, strict=True)):
        return hit[1]
    tests: list[Test | None] = []
    for cands in many:
        tests += _tests(cands)
    out = _classes(tests, partition)
    if len(_MANY) >= _REPS_SIZE:
        _MANY.clear()
    _MANY[key] = (tuple(many), out)
    return out


#: (partition, id of each entry) -> (the entries, representatives)
_MANY: dict[tuple[Any, ...], tuple[tuple[Any, ...], tuple[str, ...]]] = {}


def _tests(cands: Any) -> list[Test | None]:
    tests: list[Test | None] = []
    for st in cands.statements():
        tests += _statement_tests(st)
    return tests


def _classes(tests: list[Test | None], partition: str) -> tuple[str, ...]:
    if not tests:
        return (home_region(partition),)
    if any(t is None for t in tests):
        return partition_regions(partition)
    seen: dict[tuple[bool, ...], str] = {}
    for r in partition_regions(partition):
        seen.setdefault(tuple(bool(t(r)) for t in tests if t is not None), r)
    return tuple(seen.values())


def requested_regions(action: str, resource: str, ps: Any, partition: str) -> tuple[str, ...]:
    """The regions worth asking ``action`` on ``resource`` in under ``ps``: any region
    allowing it is one the caller can use (see the module docstring)."""
    service = action.partition(":")[0].lower()
    if service in GLOBAL_SERVICES and action.lower() not in PASSED_WITH_ANOTHER_REQUEST:
        return (home_region(partition),)
    named = _named_region(resource)
    if named is not None:
        return (named,)
    return representatives(ps.candidates(action.lower()), partition)


def _named_region(resource: str) -> str | None:
    """The region an ARN's region field names (None: not an ARN, no region, or a pattern)."""
    if not resource.startswith("arn:"):
        return None
    fields = resource.split(":", 4)
    if len(fields) == 5 and fields[3] and "*" not in fields[3] and "?" not in fields[3]:
        return fields[3]
    return None


def default_region(resource: str | None, partition: str = "aws") -> str:
    """The region one request is made in when its caller names none (``iamwarden check``):
    the resource ARN's region if it names one, else the partition's home region (IAM's and
    the STS global endpoint's, spec §3.2)."""
    named = _named_region(resource or "")
    if named is not None:
        return named
    if resource and resource.startswith("arn:") and resource.split(":", 2)[1]:
        partition = resource.split(":", 2)[1]
    return home_region(partition)
