"""A worker's share of the world: its own accounts whole, of the others only the principals
that could act on them (issue 15: a worker's memory shrinks as workers are added).

A worker of a split audit (``analysis.shards``, ``analysis.split_search``) is asked only
about its own accounts (``split_search.deal_accounts``): who can get into a target there
(every technique), who can assume a role there (IW001, IW005), the one-step edges of a
principal there. A principal of another account can reach them only cross account, and
the engine allows a cross-account request only when both sides allow it (spec §1.3): the
caller's identity policies, and a resource policy. In a world of accounts alone (no
resources of other services loaded, as a ``scale.WorldSource`` is) the only resource
policies are the roles' trusts, asked for ``sts:AssumeRole`` (catalog D15); the other
techniques take their sources from the target's own account. A principal whose identity
Allow statements for ``sts:AssumeRole`` all name roles of its own account (an ARN with its
own account ID written out, no wildcard before it) is therefore never the source of an
edge into another account: the worker need not hold it. Every other principal is kept,
with its policies (the account's *cross-account summary*: ``sts:AssumeRole`` on a partner's
``role/*``, on ``*``, admins), so every question the worker asks gets the answer the whole
world's index gives. ``shares`` cuts the driver's index so, once; ``scale`` sends each
worker its accounts' documents and the others' summaries.

One answer depends on principals that cannot act: the order of D15's groups for a trust
open to ``*`` (``WorldIndex.admit_groups``), each group placed by its first principal in
the world's order, whether that one may assume anything or not. ``Dropped`` remembers,
for the principals dropped, the first place of each (account, kind, tags), and puts the
groups back in the whole world's order (``Dropped.reorder``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..policy.document import Effect, Policy, Statement
from .index import WorldIndex, caller_keys, resolved_resources
from .subject import Subject

_WILD = frozenset("*?")
#: the actions a principal may be allowed on another account's resources in a world of
#: accounts alone: the trusts are its only resource policies (``WorldIndex._ask``)
CROSS_ACCOUNT_ACTIONS = frozenset({"sts:assumerole"})


def confined(resource: str, account_id: str) -> bool:
    """Can ``resource`` (a Resource pattern, variables resolved) only name resources of
    ``account_id``? True for ``arn:PARTITION:SERVICE:REGION:ACCOUNT:...`` with the account
    written out and no wildcard up to it (a ``*`` earlier could stand for any account)."""
    parts = resource.split(":", 5)
    return (len(parts) == 6 and parts[0] == "arn" and parts[4] == account_id
            and not any(c in _WILD for p in parts[:5] for c in p))


def reaches_out(s: Subject, actions: frozenset[str], hits: dict[int, list[Statement]]) -> bool:
    """Could ``s`` be allowed one of ``actions`` on a resource of another account? (its
    identity Allow statements for them name something beyond its own account; ``hits``:
    a cache of each policy's Allow statements for ``actions``, by policy id). A principal
    whose ARN names another account than the one it was loaded in is kept: the engine
    goes by the ARN."""
    if s.caller.account != s.account_id:
        return True
    keys = None
    for p in s.policies.identity:
        sts = hits.get(id(p))
        if sts is None:
            sts = hits[id(p)] = _allows(p, actions)
        for st in sts:
            if st.resources is None or st.not_resource:
                return True
            if any(r.parts is not None for r in st.resources):
                keys = keys if keys is not None else caller_keys(s)
                texts = resolved_resources(st, keys)
            else:
                texts = [r.text for r in st.resources]
            if texts is None or not all(confined(t, s.account_id) for t in texts):
                return True
    return False


def _allows(p: Policy, actions: frozenset[str]) -> list[Statement]:
    return [st for st in p.statements if st.effect is Effect.ALLOW and any(st.matches_action(a) for a in actions)]


#: a group of dropped principals as ``Dropped.reorder`` needs it: (account, kind, tags as items)
GoneKey = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass
class Dropped:
    """The principals a partial world left out, for ``WorldIndex.admit_groups``' order.

    ``place``: each kept principal's position in the whole world's order of subjects;
    ``gone``: for the dropped ones, per (account, kind, tags) the first position (D15's
    groups are told apart by account, kind and tag values only, so this is all the order
    needs, and it stays small: principals of one team share their tags)."""

    place: dict[str, int] = field(default_factory=dict)
    gone: dict[GoneKey, int] = field(default_factory=dict)

    def reorder(self, groups: Mapping[Any, list[list[str]]], keys: tuple[str, ...]) -> dict[Any, list[list[str]]]:
        """``admit_groups``' groups ((account, kind, tag values) -> classes, each class in the
        world's order) in the order the whole world's index has them: by each group's first
        principal, kept or dropped (a class's first member is its earliest)."""
        first = {g: min(self.place[c[0]] for c in classes) for g, classes in groups.items()}
        for (acct, kind, tags), pos in self.gone.items():
            g = (acct, kind, tag_values(dict(tags), keys))
            if g in first and pos < first[g]:
                first[g] = pos
        return {g: groups[g] for g in sorted(groups, key=first.__getitem__)}


def tag_values(tags: Mapping[str, str] | None, keys: tuple[str, ...]) -> tuple[Any, ...]:
    """What ``WorldIndex.tag_values`` says of a principal with ``tags``."""
    if not keys:
        return ()
    if not tags:
        return (None,) * len(keys)
    low = {k.lower(): v for k, v in tags.items()}
    return tuple(low.get(k) for k in keys)


@dataclass
class Shares:
    """How the whole world's index is cut for the parts (``shares``): per account, the
    principals every other part keeps (its summary) and what the others drop."""

    #: account -> principal ARNs kept by the parts that do not own it, in the world's order
    summary: dict[str, list[str]]
    #: account -> its principals' positions (all of them, in the world's order)
    place: dict[str, dict[str, int]]
    #: account -> ``Dropped.gone`` entries of the principals the other parts drop
    gone: dict[str, dict[GoneKey, int]]

    def dropped(self, owned: frozenset[str]) -> Dropped:
        """What a part owning ``owned`` holds of the others, and what it drops."""
        out = Dropped()
        for acct, places in self.place.items():
            if acct in owned:
                out.place.update(places)
            else:
                out.place.update((a, places[a]) for a in self.summary[acct])
                out.gone.update(self.gone[acct])
        return out


def shares(ix: WorldIndex, actions: Iterable[str] = CROSS_ACCOUNT_ACTIONS) -> Shares:
    """Cut the whole world's index (``ix``, the driver's) into each account's summary: its
    principals that reach out (``reaches_out`` for ``actions``), or its first principal when
    none does (an account file needs one ARN to name its account). For accounts alone:
    loaded resources of other services would need every action in ``actions``."""
    acts = frozenset(a.lower() for a in actions)
    hits: dict[int, list[Statement]] = {}
    place: dict[str, dict[str, int]] = {}
    out: dict[str, list[str]] = {}
    for pos, (arn, s) in enumerate(ix.subjects.items()):
        place.setdefault(s.account_id, {})[arn] = pos
        if reaches_out(s, acts, hits):
            out.setdefault(s.account_id, []).append(arn)
    summary: dict[str, list[str]] = {}
    gone: dict[str, dict[GoneKey, int]] = {}
    for acct, places in place.items():
        kept = summary[acct] = out.get(acct) or [next(iter(places))]
        keep = set(kept)
        mine = gone[acct] = {}
        for arn, pos in places.items():
            if arn not in keep:
                e = ix.subjects[arn]
                mine.setdefault((acct, e.kind, tuple(e.entity.tags.items())), pos)
    return Shares(summary, place, gone)
