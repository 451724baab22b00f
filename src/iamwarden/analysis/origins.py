"""What the caller chooses about each request the analysis asks about: the region it is
sent to, the network it is sent from, the client that sends it, and the parameters it passes
(``parameters``).

AWS puts these keys in every request's context (spec §3.2): ``aws:RequestedRegion`` (see
``regions``), ``aws:SourceIp`` (the caller's address; absent when the request comes through a
VPC endpoint, which sets ``aws:SourceVpc``, ``aws:SourceVpce`` and ``aws:VpcSourceIp``
instead) and ``aws:UserAgent`` (the client's header, any text). An escalation's requests are
the principal's own, made from wherever it works: the corporate network that a "deny outside
our address range" guardrail names is where its people sit. So a request is allowed when it
is allowed from *some* origin, each request of a path choosing its own. Asked with the keys
absent instead, an ``IpAddress`` Allow never held (an administrator limited to the office
network was no administrator) and a ``NotIpAddress`` Deny always did (an organization with
that guardrail had no escalations at all).

As for regions, the origins asked are one per class that the policies in force tell apart:
the values of those keys pass or fail each condition on them alike within a class. The
candidate values are a default, every policy value (a ``StringLike`` pattern's shortest
match) and for address conditions each CIDR's first address and the one after its last; two
candidates that every condition answers alike are one class. When no statement for the
action tests any of the keys, nothing is added and the engine is asked once, as before.

- A condition the engine cannot read ahead (policy values with variables) adds no candidate:
  the classes may then miss a value only a variable picks (documented, rare).
- ``MAX_ORIGINS`` bounds the origins per question and ``MAX_CANDIDATES`` the values tried per
  key (the default first): classes beyond them are not asked (documented).
- A question whose context holds a region, or any of the network or client keys, is asked
  with that choice (the caller made it).

Request parameters (``ec2:MetadataHttpTokens``, ``lambda:VpcIds``: ``parameters``) are one
more dimension of the same product, each "not passed" first, and only for the actions the
catalogue lists them for.

docs/decisions/analysis-request-origin.md and analysis-request-parameters.md record the choices.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Any

from ..evaluation import Decision, Reason, Request, authorize
from ..policy.conditions import Condition, ConditionError, parse_network
from ..policy.glob_witness import shortest_match
from . import mfa
from .parameters import applicable, is_parameter_key
from .regions import KEY as REGION_KEY
from .regions import requested_regions

SOURCE_IP = "aws:SourceIp"
SOURCE_VPC = "aws:SourceVpc"
SOURCE_VPCE = "aws:SourceVpce"
VPC_SOURCE_IP = "aws:VpcSourceIp"
USER_AGENT = "aws:UserAgent"

#: the value a key has when no condition tells values apart (documentation ranges, RFC 5737)
DEFAULTS = {
    SOURCE_IP: "203.0.113.10",
    SOURCE_VPC: "vpc-0iamwarden",
    SOURCE_VPCE: "vpce-0iamwarden",
    VPC_SOURCE_IP: "10.255.255.10",
    USER_AGENT: "aws-cli/2",
}
#: a value no condition names (a parameter's, a created resource's tag's)
FRESH = "iamwarden"
#: a request from the internet carries its address; one through a VPC endpoint, these instead
INTERNET_KEYS = (SOURCE_IP,)
VPC_KEYS = (SOURCE_VPC, SOURCE_VPCE, VPC_SOURCE_IP)
CHOSEN_KEYS = (*INTERNET_KEYS, *VPC_KEYS, USER_AGENT)
_BY_LOWER = {k.lower(): k for k in CHOSEN_KEYS}
_CHOSEN_SET = frozenset(CHOSEN_KEYS)

#: at most this many origins per question (classes beyond are not asked: documented)
MAX_ORIGINS = 64
#: at most this many candidate values per key are told apart (the policy size quotas allow a
#: few thousand CIDRs per principal; a hostile account must not make this quadratic)
MAX_CANDIDATES = 256
#: at most this many engine questions per question (regions × origins; a hostile account
#: testing every key and every region must not multiply the audit by thousands)
MAX_QUESTIONS = 256
#: at most this many request parameters are chosen per question (``parameters``)
MAX_PARAMETERS = 6

Origin = tuple[tuple[str, str], ...]
_NONE: tuple[Origin, ...] = ((),)

Read = tuple[Any, tuple[Origin, ...], bool, frozenset[str]]
#: id(Candidates) -> ``_read``'s answer; entries are shared between policy sets
_ORIGINS: dict[int, Read] = {}
_SIZE = 65536


def origins(cands: Any) -> tuple[Origin, ...]:
    """The origins worth asking a question under ``cands`` (a ``PolicySet.candidates`` entry)
    in, each a tuple of context items; ``((),)`` when no statement tests an origin key."""
    return _read(cands)[1]


def _read(cands: Any) -> Read:
    """(cands, its origins, does a statement test MFA, the request parameters they set)."""
    hit = _ORIGINS.get(id(cands))
    if hit is not None and hit[0] is cands:
        return hit
    conds, params, tests_mfa = _conditions(cands)
    out = (cands, _origins(conds, params), tests_mfa, frozenset(k.lower() for k in params))
    if len(_ORIGINS) >= _SIZE:
        _ORIGINS.clear()
    _ORIGINS[id(cands)] = out
    return out


def _conditions(cands: Any) -> tuple[dict[str, list[Condition]], dict[str, list[Condition]], bool]:
    """The statements' conditions on each origin key (by its canonical name), on each request
    parameter (``parameters``, as first written), and whether one tests an MFA key."""
    found: dict[str, list[Condition]] = {}
    params: dict[str, list[Condition]] = {}
    spelled: dict[str, str] = {}
    tests_mfa = False
    for st in cands.statements():
        for c in st.conditions:
            key = _BY_LOWER.get(c.key_lower)
            if key is not None:
                found.setdefault(key, []).append(c)
            elif c.key_lower in mfa.KEYS_LOWER:
                tests_mfa = True
            elif is_parameter_key(c.key_lower):
                written = spelled.setdefault(c.key_lower, c.key)
                if written in params or len(params) < MAX_PARAMETERS:
                    params.setdefault(written, []).append(c)
    return found, params, tests_mfa


def _origins(conds: dict[str, list[Condition]], params: dict[str, list[Condition]]) -> tuple[Origin, ...]:
    if not conds and not params:
        return _NONE
    out: list[Origin] = []
    agents: list[tuple[tuple[str, str], ...]] = [()]
    if USER_AGENT in conds:
        agents = [((USER_AGENT, v),) for v in classes(USER_AGENT, conds[USER_AGENT])]
    networks: list[tuple[tuple[str, str], ...]] = [()]
    if any(k in conds for k in (*INTERNET_KEYS, *VPC_KEYS)):
        networks = [((SOURCE_IP, v),) for v in classes(SOURCE_IP, conds.get(SOURCE_IP, []))]
        vpc = [classes(k, conds.get(k, [])) for k in VPC_KEYS]
        networks += [tuple(zip(VPC_KEYS, values, strict=True))
                     for values in itertools.islice(itertools.product(*vpc), MAX_ORIGINS)]
    # each request parameter: not passed (first), or one value per class its conditions tell apart
    passed: list[list[tuple[tuple[str, str], ...]]] = [
        [(), *(((k, v),) for v in classes(k, cs))] for k, cs in params.items()]
    for n, a, *ps in itertools.islice(itertools.product(networks, agents, *passed), MAX_ORIGINS):
        out.append(n + a + tuple(item for p in ps for item in p))
    return tuple(out)


def classes(key: str, conds: list[Condition]) -> tuple[str, ...]:
    """One value of ``key`` per class of values that ``conds`` tell apart, the default's first."""
    candidates = [DEFAULTS.get(key, FRESH)]
    for c in conds:
        if c.operator.is_null or c._has_variables:
            continue
        if c.operator.base in ("IpAddress", "NotIpAddress"):
            candidates += _edges(c.values)
        elif c.operator.base in ("StringLike", "StringNotLike"):
            candidates += [shortest_match(v) for v in c.values]
        elif c.operator.base.startswith("Numeric"):
            candidates += _neighbours(c.values)  # below, at and above each bound
        elif c.operator.base == "Bool":
            candidates += ["true", "false"]
        else:
            candidates += list(c.values)
    if any(c.operator.base in ("IpAddress", "NotIpAddress") for c in conds):
        candidates += ["0.0.0.0", "::"]  # the first class of each address family
    seen: dict[tuple[object, ...], str] = {}
    for v in dict.fromkeys(candidates[:MAX_CANDIDATES]):
        seen.setdefault(tuple(_outcome(c, v) for c in conds), v)
    return tuple(seen.values())


def _neighbours(values: tuple[str, ...]) -> list[str]:
    """Each number, one less and one more (a ``NumericLessThan 100`` is met by 99)."""
    out: list[str] = []
    for v in values:
        try:
            x = int(v)
        except ValueError:
            try:
                f = float(v)
            except ValueError:
                continue
            out += [repr(f - 1), v, repr(f + 1)]
            continue
        out += [str(x - 1), v, str(x + 1)]
    return out


def _edges(values: tuple[str, ...]) -> list[str]:
    """Each CIDR's first address and the address after its last: the points where the set
    of ranges an address is in can change."""
    out: list[str] = []
    for v in values:
        try:
            net = parse_network(v)
        except ConditionError:
            continue
        out.append(str(net.network_address))
        after = int(net.broadcast_address) + 1
        if after < (1 << net.max_prefixlen):
            out.append(str(type(net.network_address)(after)))
    return out


def _outcome(c: Condition, value: str) -> object:
    """How condition ``c`` answers a request holding ``value`` (present, single-valued)."""
    if c.operator.is_null or c._test is None:
        return None  # the same for every value of a present key, or not read ahead
    fam = c._family
    if fam is not None and fam.readable is not None and not fam.readable(value):
        return "unreadable"
    try:
        return bool(c._test(value))
    except ConditionError:
        return "error"


def authorize_from_some_origin(caller: Any, action: str, resource: str, context: dict[str, Any], ps: Any,
                               resource_account: str | None = None) -> Decision:
    """The engine's decision on the request from the first origin (region × network × client,
    see the module docstring and ``regions``) that allows it; failing that, the same with MFA
    when a statement in force tests it (``mfa``: the allow carries ``mfa.NEEDS_MFA``); else
    the last denial. Keys ``context`` already holds are kept: the caller chose them."""
    if REGION_KEY in context:
        regions: tuple[str | None, ...] = (None,)
    else:
        regions = requested_regions(action, resource, ps, caller.partition or "aws")
    _, where, tests_mfa, params = _read(ps.candidates(action.lower()))
    if where is not _NONE and any(k in context for k in CHOSEN_KEYS):
        # the caller chose where the request comes from: only the parameters are left to choose
        got = tuple(dict.fromkeys(tuple(i for i in o if i[0] not in _CHOSEN_SET) for o in where))
        where = _NONE if got == _NONE else got
    if params and where is not _NONE:
        where = _for_action(where, params, action)
    if len(regions) == 1 and where is _NONE:  # nearly always: nothing tests where a request comes from
        ctx = context if regions[0] is None else {**context, REGION_KEY: regions[0]}
        d = authorize(Request.build(caller, action, resource, ctx, resource_account=resource_account), ps)
    else:
        d = _first_allowed(caller, action, resource, context, ps, resource_account, regions, where)
    if d.allowed or not tests_mfa or mfa.PRESENT in context:
        return d
    again = _first_allowed(caller, action, resource, {**context, **mfa.WITH_MFA}, ps, resource_account, regions,
                           where)
    return mfa.with_mfa(again) if again.allowed else d


def _for_action(where: tuple[Origin, ...], params: frozenset[str], action: str) -> tuple[Origin, ...]:
    """``where`` without the parameters the catalogue does not list for ``action`` (a request
    for it never carries them), each remaining origin once."""
    ok = applicable(action)
    if params <= ok:
        return where
    got = tuple(dict.fromkeys(tuple(i for i in o if i[0].lower() not in params or i[0].lower() in ok)
                              for o in where))
    return _NONE if got == _NONE else got


def _first_allowed(caller: Any, action: str, resource: str, context: dict[str, Any], ps: Any,
                   resource_account: str | None, regions: tuple[str | None, ...],
                   where: tuple[Origin, ...]) -> Decision:
    """The first allow among the regions × origins, with reasons saying which it needed
    (only where the policies told them apart), else the last denial."""
    d: Decision | None = None
    for region, origin in itertools.islice(itertools.product(regions, where), MAX_QUESTIONS):
        ctx = {**context, **dict(origin)}
        if region is not None:
            ctx[REGION_KEY] = region
        d = authorize(Request.build(caller, action, resource, ctx, resource_account=resource_account), ps)
        if d.allowed:
            extra = ((_in_region(region),) if region is not None and len(regions) > 1 else ()) + (
                (_from_origin(origin),) if origin else ())
            return Decision(d.verdict, d.reasons + extra, d.errors, d.rule, d.details) if extra else d
    assert d is not None  # at least one region and one origin
    return d


#: the reasons an allow found in a region or from an origin the policies tell apart carries
#: (report/decision_text.py translates them)
IN_REGION = "allowed for a request made in {region}"
FROM_ORIGIN = "allowed for a request sent {origin}"


@lru_cache(maxsize=1024)
def _in_region(region: str) -> Reason:
    return Reason("request", IN_REGION.format(region=region))


@lru_cache(maxsize=1024)
def _from_origin(origin: Origin) -> Reason:
    values = dict(origin)
    parts: list[str] = []
    if SOURCE_IP in values:
        parts.append(f"from {SOURCE_IP} {values[SOURCE_IP]}")
    vpc = [f"{k} {values[k]}" for k in VPC_KEYS if k in values]
    if vpc:
        parts.append("through a VPC endpoint (" + ", ".join(vpc) + ")")
    if USER_AGENT in values:
        parts.append(f"with {USER_AGENT} {values[USER_AGENT]!r}")
    return Reason("request", FROM_ORIGIN.format(origin=" ".join(parts)))
