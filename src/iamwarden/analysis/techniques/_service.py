"""Shared pieces of the service techniques (catalog P01-P27, E01-E17)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from ...evaluation import Decision
from ...model.account import Role
from ...policy.catalog import EVERY_REQUIRED_TYPE, catalog

if TYPE_CHECKING:
    from ..index import WorldIndex
    from ..subject import Subject

EC2 = "ec2.amazonaws.com"


@dataclass(frozen=True, slots=True)
class ServiceTechnique:
    """A catalog row: the service principal the role must trust and the actions needed.

    ``actions`` is a conjunction of alternatives: every group needs one allowed action.
    ``profile``: the role must sit in an instance profile (EC2 launches).
    ``uncertain``: what the technique relies on that IAM data cannot show.
    Actions of several groups on one resource type act on one resource (``allowed_groups``).
    """

    id: str
    service: str
    actions: tuple[tuple[str, ...], ...]
    profile: bool = False
    uncertain: str | None = None

    @property
    def all_actions(self) -> frozenset[str]:
        return frozenset(a.lower() for group in self.actions for a in group)


def trusts_service(ix: WorldIndex, role: Role, service: str) -> Decision | None:
    """The engine's decision that ``service`` may assume ``role``, if it may (catalog rule 6)."""
    t = ix.trust[role.arn]
    if not any(sv.lower() == service for sv in t.services):
        return None
    d = ix.service_can_assume(service, role)
    return d if d.allowed else None


def candidate_sources(ix: WorldIndex, groups: Sequence[Sequence[str]], account: str) -> set[str]:
    """Principals of ``account`` holding some Allow for one action of every group (cached)."""
    key = ("candidate_sources", _gkey(groups), account)
    hit = ix.cache.get(key)
    if hit is not None:
        return hit
    ix.cache[key] = found = _candidate_sources(ix, groups, account)
    return found


def candidate_list(ix: WorldIndex, groups: Sequence[Sequence[str]], account: str) -> tuple[str, ...]:
    """``candidate_sources`` as a sorted tuple (cached): iterated once per target."""
    key = ("candidate_list", _gkey(groups), account)
    hit = ix.cache.get(key)
    if hit is None:
        hit = ix.cache[key] = tuple(sorted(candidate_sources(ix, groups, account)))
    return hit


def capable_map(ix: WorldIndex, groups: Sequence[Sequence[str]], account: str) -> dict[str, list[Decision]]:
    """Of ``candidate_list``, the sources the engine lets do one action of every group
    (on a resource they create), each with its decisions (``allowed_groups``), in order:
    target-independent, so decided once per source (cached). The checkers read a
    source's decisions here for every target instead of asking ``allowed_groups`` again."""
    gkey = _gkey(groups)
    key = ("capable_map", gkey, account)
    hit = ix.cache.get(key)
    if hit is None:
        akeys = _action_keys(gkey)
        subjects = ix.subjects
        hit = {}
        for a in candidate_list(ix, gkey, account):
            ds = _setup_groups(ix, subjects[a], gkey, akeys)
            if ds is not None:
                hit[a] = ds
        ix.cache[key] = hit
    return hit


def capable_list(ix: WorldIndex, groups: Sequence[Sequence[str]], account: str) -> tuple[str, ...]:
    """``capable_map``'s sources as a tuple (cached)."""
    key = ("capable_list", _gkey(groups), account)
    hit = ix.cache.get(key)
    if hit is None:
        hit = ix.cache[key] = tuple(capable_map(ix, groups, account))
    return hit


def capable_set(ix: WorldIndex, groups: Sequence[Sequence[str]], account: str) -> frozenset[str]:
    key = ("capable_set", _gkey(groups), account)
    hit = ix.cache.get(key)
    if hit is None:
        hit = ix.cache[key] = frozenset(capable_list(ix, groups, account))
    return hit


def _candidate_sources(ix: WorldIndex, groups: Sequence[Sequence[str]], account: str) -> set[str]:
    return _sources_by_account(ix, _gkey(groups)).get(account, _NONE)


def _sources_by_account(ix: WorldIndex, gkey: Groups) -> dict[str, set[str]]:
    """The holders of one action of every group, world-wide, split by account (cached per
    technique). Filtering the world-wide set once per account made every technique cost
    accounts x holders: at 200 accounts the set comprehension alone was the audit's
    largest line."""
    key = ("sources_by_account", gkey)
    hit = ix.cache.get(key)
    if hit is not None:
        return hit
    out: set[str] | None = None
    for group in gkey:
        hs: set[str] = set()
        for a in group:
            hs |= ix.holders_any(a)
        out = hs if out is None else out & hs
        if not out:
            break
    split: dict[str, set[str]] = {}
    subjects = ix.subjects
    for a in out or ():
        split.setdefault(subjects[a].account_id, set()).add(a)
    ix.cache[key] = split
    return split


def allowed_groups(ix: WorldIndex, s: Subject, groups: Sequence[Sequence[str]]) -> list[Decision] | None:
    """One allowing decision per group (on a resource the caller creates or picks), or None
    (cached). Actions of a row on one resource type act on one resource (a function created,
    then invoked): they are decided on one name (``_decided_combo``)."""
    if s.note:
        return _decided_groups(ix, s, groups)
    gkey = _gkey(groups)
    return _setup_groups(ix, s, gkey, _action_keys(gkey))


def _setup_groups(ix: WorldIndex, s: Subject, gkey: Groups, akeys: tuple[str, ...]) -> list[Decision] | None:
    """``allowed_groups`` cached per policy setup: principals of one setup get the same
    decisions (``WorldIndex.setup_key``), so they are decided once per setup, not once per
    principal (64,906 -> 10,423 at 10,000 principals). No entry per principal: the setup's
    key costs what that entry's would."""
    ck = ("allowed_groups_setup", ix.setup_key(s, akeys), gkey)
    found = ix.cache.get(ck, _MISSING)
    if found is _MISSING:
        found = ix.cache[ck] = _decided_groups(ix, s, gkey)
    return found


#: at most this many choices of one held action per group are tried (rows have 1-2 per group)
MAX_COMBOS = 64


def _decided_groups(ix: WorldIndex, s: Subject, groups: Sequence[Sequence[str]]) -> list[Decision] | None:
    held = [[a for a in g if ix.holds(s, a)] for g in groups]
    if not all(held):
        return None
    for n, combo in enumerate(itertools.product(*held)):
        if n >= MAX_COMBOS:
            break
        ds = _decided_combo(ix, s, combo)
        if ds is not None:
            return ds
    return None


def _decided_combo(ix: WorldIndex, s: Subject, combo: Sequence[str]) -> list[Decision] | None:
    """Decisions for one action per group, or None. Actions whose resource types are the same
    (``policy.catalog.resource_patterns``) act on one resource of the row: a Glue job created
    and started (P09), a stack's change set created and executed (E05); they are decided
    together on one name (``WorldIndex.ask_new_on_a_type``); an action of its own type alone,
    as ``WorldIndex.ask_typed`` decides it. docs/decisions/analysis-one-created-resource.md."""
    out: list[Decision | None] = [None] * len(combo)
    clusters: dict[tuple[str, ...], list[int]] = {}
    for i, a in enumerate(combo):
        templates = catalog().resource_patterns(a)
        if templates and a.lower() not in EVERY_REQUIRED_TYPE:
            clusters.setdefault(templates, []).append(i)
            continue
        d = ix.ask_typed(s, a)
        if d is None:
            return None
        out[i] = d
    for templates, members in clusters.items():
        got = ix.ask_new_on_a_type(s, [(combo[i],) for i in members], templates)
        if got is None:
            return None
        for i, d in zip(members, got, strict=True):
            out[i] = d
    return [d for d in out if d is not None]


Groups = tuple[tuple[str, ...], ...]
_MISSING = object()
_NONE: set[str] = set()  # shared and never mutated: callers only read or copy it
_ACTION_KEYS: dict[Groups, tuple[str, ...]] = {}


def _gkey(groups: Sequence[Sequence[str]]) -> Groups:
    """``groups`` as a cache key: the techniques' own tuples as they are (no copy per call)."""
    if type(groups) is tuple and all(type(g) is tuple for g in groups):
        return groups
    return tuple(tuple(g) for g in groups)


def _action_keys(gkey: Groups) -> tuple[str, ...]:
    """The lower-cased actions of a technique's groups, in order (memoised: techniques are few)."""
    hit = _ACTION_KEYS.get(gkey)
    if hit is None:
        hit = _ACTION_KEYS[gkey] = tuple(dict.fromkeys(a.lower() for g in gkey for a in g))
    return hit


def short(service: str) -> str:
    return service.split(".", 1)[0]
