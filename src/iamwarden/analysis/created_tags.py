"""The tags a caller gives a resource it creates.

Whoever creates a Lambda function, a role or a stack may tag it in the same request: the
request then carries ``aws:RequestTag/<key>`` and ``aws:TagKeys`` (for the actions the
Service Authorization Reference lists them for), and every later request on the resource
carries its tags as ``aws:ResourceTag/<key>`` (and ``iam:ResourceTag/<key>`` for a role).
AWS's attribute-based access control tutorial is built on it: "create roles and functions only
tagged with your own team (``aws:RequestTag/team`` = ``${aws:PrincipalTag/team}``), and act
only on resources of your team". Asked without tags, such a caller could create nothing and
every path through its own resources was missed.

So when the statements in force for the actions on a created resource test a tag of it, the
analysis also tries giving the resource tags (``choices``): for each tag key they test (at
most ``MAX_KEYS``) each value their conditions name (variables resolved for the caller, a
``StringLike`` pattern's shortest match), a value none names (``FRESH``) or no tag of that
key, at most ``MAX_CHOICES`` sets, the untagged resource being asked first as before.
``contexts`` gives each action of a choice its keys: the creating action the request tags,
the others the resource tags.

docs/decisions/analysis-created-resource-tags.md records the choice.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable, Sequence

from ..evaluation.context import entity_tag_keys
from ..policy.catalog import catalog
from ..policy.conditions import Condition
from ..policy.glob_witness import shortest_match
from ..policy.variables import substitute
from .origins import FRESH  # a tag value no policy names (a Deny of some values, a Null test)

REQUEST_TAG = "aws:requesttag/"
RESOURCE_TAGS = ("aws:resourcetag/", "iam:resourcetag/")
_CREATES_KEY = "aws:requesttag/${tagkey}"
MAX_KEYS = 4
MAX_CHOICES = 16

Tags = tuple[tuple[str, str], ...]
#: id(Candidates) -> (candidates, its conditions on a tag of the resource: (tag key as written, condition))
_CONDS: dict[int, tuple[Any, tuple[tuple[str, Condition], ...]]] = {}
_SIZE = 65536


def tag_conditions(cands: Any) -> tuple[tuple[str, Condition], ...]:
    """The conditions on ``aws:RequestTag/*`` / ``aws:ResourceTag/*`` / ``iam:ResourceTag/*`` of
    the statements in ``cands`` (a ``PolicySet.candidates`` entry), with the tag key each tests."""
    hit = _CONDS.get(id(cands))
    if hit is not None and hit[0] is cands:
        return hit[1]
    got = tuple(conditions_on(cands.statements(), (REQUEST_TAG, *RESOURCE_TAGS)))
    if len(_CONDS) >= _SIZE:
        _CONDS.clear()
    _CONDS[id(cands)] = (cands, got)
    return got


def conditions_on(statements: Iterable[Any], prefixes: tuple[str, ...]) -> list[tuple[str, Condition]]:
    """The statements' conditions on a key starting with one of ``prefixes`` (lower-cased, such
    as ``aws:resourcetag/``), each with the tag key it tests as written."""
    out: list[tuple[str, Condition]] = []
    for st in statements:
        for c in st.conditions:
            for prefix in prefixes:
                if c.key_lower.startswith(prefix):
                    out.append((c.key[len(prefix):], c))
                    break
    return out


def choices(conds: Sequence[tuple[str, Condition]], lookup: Callable[[str], str | None]) -> list[Tags]:
    """Tag sets worth trying besides none (see the module docstring); ``lookup`` resolves the
    caller's policy variables (lower-cased keys)."""
    values: dict[str, list[str | None]] = {}
    for key, c in conds:
        if key not in values:
            if len(values) >= MAX_KEYS:
                continue
            values[key] = [None]  # no tag of the key
        if c.operator.is_null:  # only whether the tag is there
            continue
        for v, parts in zip(c.values, c._parts or (None,) * len(c.values), strict=False):
            text = v if parts is None else substitute(parts, lookup)
            if text is None:
                continue
            if c.operator.base in ("StringLike", "StringNotLike"):
                text = shortest_match(text)
            if text not in values[key]:
                values[key].append(text)
    for named in values.values():
        if FRESH not in named:
            named.append(FRESH)  # a value no condition names
    out: list[Tags] = []
    for combo in itertools.product(*values.values()):
        tags = tuple((k, v) for k, v in zip(values, combo, strict=True) if v is not None)
        if tags:
            out.append(tags)
            if len(out) >= MAX_CHOICES:
                break
    return out


def creates(action: str) -> bool:
    """Does ``action`` tag what it creates (the catalogue lists ``aws:RequestTag`` for it)?"""
    keys = catalog().action_condition_keys(action)
    return keys is not None and _CREATES_KEY in keys


def contexts(action: str, tags: Tags) -> dict[str, Any]:
    """The keys ``action`` carries for a resource created with ``tags``."""
    if not tags:
        return {}
    if creates(action):
        out: dict[str, Any] = {f"aws:RequestTag/{k}": v for k, v in tags}
        out["aws:TagKeys"] = tuple(k for k, _ in tags)
        return out
    if action.lower().startswith("iam:"):
        return entity_tag_keys(tags)  # a role or user: under IAM's name too
    return {f"aws:ResourceTag/{k}": v for k, v in tags}
