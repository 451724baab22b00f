"""B03: tag a role so that one may assume it (outside the catalog, like R01/R02 and B01/B02).

Attribute-based trusts and identity policies let a principal assume the roles tagged for it
(``sts:AssumeRole`` when ``aws:ResourceTag/team`` = ``${aws:PrincipalTag/team}``). A principal
that may also tag roles (``iam:TagRole``) gives a role the tags those conditions ask for, then
assumes it. The tags tried are those the conditions name (``created_tags.choices``, resolved for
the caller); the tag request honours its own conditions (``aws:RequestTag``, ``aws:TagKeys``),
and the AssumeRole is decided by the engine with the role as it would be tagged.
docs/decisions/analysis-boundary-removal.md records it with B01 and B02.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from ...evaluation.context import entity_tag_keys
from ...model.account import Role
from .. import created_tags
from ..edges import Edge, reasons_of
from ..index import caller_keys
from . import Want
from .assume_role import ASSUME, assume_decision
from .iam_direct import _account_patterns, _anywhere_by_account

if TYPE_CHECKING:
    from ..index import Holders, WorldIndex
    from ..subject import Subject

TAG_ROLE = "iam:TagRole"
_RESOURCE_TAGS = created_tags.RESOURCE_TAGS


class RetagRoleChecker:
    family = "direct"
    actions = frozenset({TAG_ROLE.lower()})

    def self_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]:
        return ()

    def granting_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]:
        return ()

    def edges_into(self, target: Subject, ix: WorldIndex, want: Want) -> Iterable[Edge]:
        role = target.entity
        if not isinstance(role, Role):
            return
        # only the role's own account tags it: its holders alone, never every account's (the
        # holders on ``*`` and on patterns such as ``role/*`` recur in every account)
        h = ix.holders[TAG_ROLE.lower()]
        acct = target.account_id
        in_trust = created_tags.conditions_on(role.trust.statements, _RESOURCE_TAGS)
        own = _tag_testers(ix, h).get(acct, _NO_TESTERS)
        if not in_trust and not own:
            return  # no condition reads the role's tags: tagging changes nothing
        literal = h.literal.get(role.arn, ())
        part = _account_patterns(ix, h, TAG_ROLE).get(acct)
        patterns = [part.patterns[p] for p in part.matching_patterns(role.arn)] if part is not None else []
        if in_trust:  # every holder may tag its way in
            srcs = set(literal) | set(_anywhere_by_account(ix, h, (TAG_ROLE,)).get(acct, ()))
            for arns in patterns:
                srcs |= arns
        else:  # only the holders whose own AssumeRole reads a role tag: a few of the account's
            anywhere = h.anywhere
            srcs = {a for a in own if a in literal or a in anywhere or any(a in arns for arns in patterns)}
        for src in sorted(srcs):
            s = ix.subjects.get(src)
            # IAM has no resource policies on roles: only the role's own account tags it
            if s is None or src == role.arn or s.account_id != target.account_id or not want(src):
                continue
            conds = in_trust + own.get(src, [])
            if not conds:
                continue  # no condition reads the role's tags: tagging changes nothing
            if assume_decision(ix, s, role)[0].allowed:
                continue  # D15 already (or with MFA)
            e = self._retag_then_assume(ix, s, role, conds)
            if e is not None:
                yield e

    @staticmethod
    def _retag_then_assume(ix: WorldIndex, s: Subject, role: Role, conds: list[tuple[str, Any]]) -> Edge | None:
        for tags in created_tags.choices(conds, caller_keys(s)):
            if all(role.tags.get(k) == v for k, v in tags):
                continue
            dt = ix.ask(s, TAG_ROLE, role.arn, created_tags.contexts(TAG_ROLE, tags))
            if not dt.allowed:
                continue
            da = ix.ask(s, ASSUME, role.arn, entity_tag_keys({**role.tags, **dict(tags)}), trust=role.trust)
            if da.allowed:
                shown = ", ".join(f"{k}={v}" for k, v in tags)
                return Edge(s.arn, role.arn, "B03", f"can tag {role.name} {shown}, then assume it",
                            reasons_of(dt, da))
        return None


_NO_TESTERS: dict[str, list[tuple[str, Any]]] = {}  # shared and never mutated


def _tag_testers(ix: WorldIndex, h: Holders) -> dict[str, dict[str, list[tuple[str, Any]]]]:
    """account -> {holder of ``iam:TagRole``: its own AssumeRole statements' conditions on a role
    tag}, for the holders that have such conditions (cached). A role whose trust reads no tag
    is worth tagging only for these; asking every holder of the account for every role cost
    roles x holders: B03 was a fifth of the audit of one account of 10,000 principals."""
    key = ("B03-testers",)
    hit = ix.cache.get(key)
    if hit is None:
        hit = ix.cache[key] = {}
        subjects = ix.subjects
        for src in h.everyone:  # order-free: the caller sorts what it reads
            s = subjects.get(src)
            if s is None:
                continue
            assume = (st for _, st in s.policies.candidates(ASSUME.lower()).identity)
            conds = created_tags.conditions_on(assume, _RESOURCE_TAGS)
            if conds:
                hit.setdefault(s.account_id, {})[src] = conds
    return hit
