"""Catalog D15: assume a role, with the engine's full same-/cross-account trust logic.

Candidates come from the trust index: principals the trust names by ARN or
unique ID; for a trusted *account* only the holders of an identity Allow for
``sts:AssumeRole`` in that account (trusting an account only delegates,
catalog rule 3); for ``*`` every principal. The engine then decides each
candidate with the role's trust policy as the resource policy, so explicit
Denies, boundaries (delegated case), SCPs and conditions all apply.

Context the caller can supply is supplied (catalog rule 5): its own
``aws:PrincipalArn``/``aws:username``/``aws:PrincipalTag`` come from the data;
``sts:ExternalId`` (and the session name / source identity) take the values the
trust expects, since the caller reads them from the trust policy. When only
``aws:MultiFactorAuthPresent`` stands in the way, the edge is kept and marked
uncertain: MFA devices are not in the data.
"""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Mapping

from ...evaluation import Decision, PolicySet
from ...evaluation.world import owner_org_keys, resource_account
from ...model.account import Role
from ...policy.document import Effect, Policy, PolicyKind, parse_policy
from .. import created_tags
from ..edges import Edge, reasons_of
from ..index import caller_keys
from ..mfa import needed_mfa
from ..origins import authorize_from_some_origin
from . import Want

if TYPE_CHECKING:
    from ..index import RoleTrust, WorldIndex
    from ..subject import Subject

ASSUME = "sts:AssumeRole"
MFA_NOTE = ("needs MFA: the trust or identity policy requires aws:MultiFactorAuthPresent, "
            "and MFA devices are not in IAM data")


def assume_decision(ix: WorldIndex, s: Subject, role: Role, content: bool = False) -> tuple[Decision, str | None]:
    """Can ``s`` assume ``role``? Returns the deciding decision and an uncertainty note."""
    t = ix.trust[role.arn]
    contexts: list[dict[str, str]] = [{}]
    for key, values in t.supplied_for(s).items():
        contexts = [{**c, key: v} for c in contexts for v in values[:4]] or contexts
    contexts = contexts[:8]
    if {} not in contexts:
        contexts.append({})  # passing none of them (a Deny may test what is passed)
    contexts += session_tag_contexts(t, s, contexts)
    d: Decision | None = None
    for ctx in contexts:
        d = _assume(ix, s, role, ctx, content)
        if d.allowed:  # allowed only with MFA (``analysis.mfa``): uncertain
            return d, (MFA_NOTE if needed_mfa(d) else None)
    assert d is not None
    mfa = t.mentions_mfa or any(
        c.key_lower == "aws:multifactorauthpresent"
        for st in ix.allow_statements(s, ASSUME)
        for c in st.conditions
    )
    if mfa:
        for ctx in contexts:
            d2 = _assume(ix, s, role, {**ctx, "aws:MultiFactorAuthPresent": "true"}, content)
            if d2.allowed:
                return d2, MFA_NOTE
    return d, "no"


#: the request sets a source identity: the trust (and the identity policies, as for the
#: AssumeRole itself) must allow ``sts:SetSourceIdentity`` too (spec §3.3)
SOURCE_IDENTITY = "sts:sourceidentity"


def _assume(ix: WorldIndex, s: Subject, role: Role, ctx: dict[str, Any], content: bool) -> Decision:
    d = ix.ask(s, ASSUME, role.arn, ctx, trust=role.trust, content=content)
    for extra in _extra_actions(ctx) if d.allowed else ():
        d2 = ix.ask(s, extra, role.arn, ctx, trust=role.trust, content=content)
        if not d2.allowed:
            return d2
    return d


#: session tags passed: the trust (and identity policies) must allow ``sts:TagSession`` too
TAGS_KEY = "aws:TagKeys"


def _extra_actions(ctx: Mapping[str, Any]) -> tuple[str, ...]:
    """The actions AWS authorizes besides AssumeRole for a request passing ``ctx`` (spec §3.3)."""
    out: tuple[str, ...] = ()
    if SOURCE_IDENTITY in ctx:
        out += ("sts:SetSourceIdentity",)
    if TAGS_KEY in ctx:
        out += ("sts:TagSession",)
    return out


def session_tag_contexts(t: RoleTrust, s: Subject, base: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``base`` contexts with session tags the caller may pass, when the trust tests some
    (``aws:RequestTag/<key>``: AWS's "pass your own team as a session tag" pattern): the tags
    the trust's conditions name, resolved for the caller (``created_tags.choices``), at most
    16 contexts."""
    if not t.request_tags:
        return []
    out: list[dict[str, Any]] = []
    for tags in created_tags.choices(t.request_tags, caller_keys(s)):
        keys: dict[str, Any] = {f"aws:RequestTag/{k}": v for k, v in tags}
        keys[TAGS_KEY] = tuple(k for k, _ in tags)
        out += [{**c, **keys} for c in base[:4]]
        if len(out) >= 16:
            break
    return out[:16]


#: identity policy that allows everything: "would the trust admit this caller at all?"
_ALLOW_ALL = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                          PolicyKind.IDENTITY, "iamwarden:trust-probe")


def trust_admits(ix: WorldIndex, s: Subject, role: Role) -> bool:
    """Would the role's trust let ``s`` in if its own policies allowed everything?

    A necessary condition for D15 (the trust must always allow the caller), asked of the
    engine with an allow-all identity policy and no boundary. It depends only on the
    caller's account, kind and the principal tags the trust tests (or its ARN when the
    trust names principals), so it is answered once per such class and lets the
    analysis skip every class the trust rejects before asking the real question.
    """
    if ix._trust_specific(role.trust):
        key: object = ("admits", role.arn, s.arn)
    elif _account_blind(ix, role):  # one probe for every other account, not one per account
        key = ("admits", role.arn, s.account_id == _account_of(role.arn), s.kind,
               ix.tag_values(s, ix.trust_tag_keys(role.trust)))
    else:  # the probe has no boundary: only account, kind and the tested tags matter
        key = ("admits", role.arn, s.account_id, s.kind, ix.tag_values(s, ix.trust_tag_keys(role.trust)))
    hit = ix.cache.get(key)
    if hit is None:
        t = ix.trust[role.arn]
        probe = PolicySet(identity=(_ALLOW_ALL,), resource=role.trust)
        ctxs: list[dict[str, str]] = [{}]
        for k, values in t.supplied_for(s).items():
            ctxs = [{**c, k: v} for c in ctxs for v in values[:4]] or ctxs
        if t.mentions_mfa:
            ctxs = ctxs + [{**c, "aws:MultiFactorAuthPresent": "true"} for c in ctxs]
        tags = {**s.context, **{f"aws:PrincipalTag/{k}": v for k, v in s.entity.tags.items()}}
        if ix.world.organization is not None:
            owner_org_keys(ix.world, tags, resource_account(ix.world, role.arn) or s.account_id)
        ctxs = ctxs[:16] + [{}]
        ctxs += session_tag_contexts(t, s, ctxs)
        hit = any(all(authorize_from_some_origin(s.caller, a, role.arn, {**tags, **c}, probe).allowed
                      for a in (ASSUME, *_extra_actions(c))) for c in ctxs)
        ix.cache[key] = hit
    return hit


def _account_blind(ix: WorldIndex, role: Role) -> bool:
    """Is ``trust_admits``' probe the same for callers of any two accounts other than the
    role's, of one kind and with the same values of the tags the trust tests? It is when
    every statement names only ``*`` and every condition reads a principal tag or a key the
    probe supplies itself (``RoleTrust.supplied``, each with a value; no MFA key, which a
    caller's own context may hold), with no policy variable: the probe's identity side
    allows everything and has no SCP or boundary, so nothing else of the caller's account is
    read. Roles open to ``*`` on a tag were otherwise probed once per account of the
    organization (cached per trust)."""
    ck = ("admit_account_blind", id(role.trust))
    hit = ix.cache.get(ck)
    if hit is not None and hit[0] is role.trust:
        return bool(hit[1])
    t = ix.trust[role.arn]
    supplied = set(t.supplied)
    ok = not t.mentions_mfa and all(t.supplied.values())
    for st in role.trust.statements:
        if not ok:
            break
        p = st.principal
        if p is None or st.not_principal or any(pt != "AWS" or vs != ("*",) for pt, vs in p.entries):
            ok = False
        for c in st.conditions:
            k = c.key_lower
            if c._has_variables or "$" in k or not (k.startswith("aws:principaltag/") or k in supplied):
                ok = False
    ix.cache[ck] = (role.trust, ok)
    return ok


def may_admit(ix: WorldIndex, trust: Policy, tags: tuple[object, ...]) -> bool:
    """False when no Allow statement of ``trust`` can admit a caller whose values of the tags
    the trust tests (``trust_tag_keys`` order) are ``tags``: a cheap pre-filter for
    ``trust_admits`` on trusts open to ``*``, so a role does not probe the engine once per
    group of every team. Only conditions the engine itself reduces to a value test
    (``Condition._test``: static values, single-valued, no IfExists, not negated) are
    read, and a missing tag fails them as it does in the engine; a statement without
    such a condition keeps every group (True)."""
    f = _admit_filters(ix, trust)
    if f is None:
        return True
    return any(all(_passes(tags[i], test) for i, test in conds) for conds in f)


def _passes(value: object, test: Callable[[str], bool]) -> bool:
    if value is None:
        return False  # a missing key fails a non-IfExists, non-negated test in the engine too
    return test(value) if isinstance(value, str) else True


def _admit_filters(ix: WorldIndex, trust: Policy) -> list[list[tuple[int, Callable[[str], bool]]]] | None:
    ck = ("admit_filters", id(trust))
    hit = ix.cache.get(ck)
    if hit is not None and hit[0] is trust:
        return hit[1]
    keys = ix.trust_tag_keys(trust)
    found: list[list[tuple[int, Callable[[str], bool]]]] | None = []
    for st in trust.statements:
        if st.effect is not Effect.ALLOW or not st.matches_action("sts:assumerole"):
            continue
        conds = []
        for c in st.conditions:
            op = c.operator
            if (c.key_lower.startswith("aws:principaltag/") and c._test is not None and op.set_op is None
                    and not op.if_exists and not op.is_null and not c._negated and not c._has_variables):
                name = c.key_lower[len("aws:principaltag/"):]
                if name in keys:
                    conds.append((keys.index(name), c._test))
        if not conds:
            found = None
            break
        assert found is not None
        found.append(conds)
    ix.cache[ck] = (trust, found)
    return found


def admitted(ix: WorldIndex, trust: Policy, groups: Mapping[Any, Any],
             within: Collection[Any] | None = None) -> list[tuple[Any, Any]]:
    """``[(k, v) for k, v in groups.items() if may_admit(ix, trust, k[2])]``, for a dict keyed
    by (account, kind, values of the trust's tested tags) (``admit_groups``), without asking
    ``may_admit`` of every group: a statement with a ``StringEquals`` test on a tag (its
    ``_test`` is ``frozenset.__contains__``) only admits the groups holding one of its
    values, found in an index of the groups by tag value (cached per dict). Roles open to
    ``*`` on a team tag then cost their own team's groups, not every team's.

    ``within``: only these keys of ``groups`` (``open_admitted``), still in the dict's order."""
    f = _admit_filters(ix, trust)
    if not groups:
        return []
    idx = _tag_index(ix, groups)
    if f is None:
        if within is None:
            return list(groups.items())
        return [(k, groups[k]) for k in sorted(within, key=idx.position.__getitem__)]
    if within is not None and len(within) * len(f) <= _direct_limit(idx, f):
        # few keys asked: test each against every statement's conditions (the same set: the
        # value index below only skips keys whose tested value fails a condition anyway)
        keep = [k for k in within if any(all(_passes(k[2][j], t) for j, t in conds) for conds in f)]
        return [(k, groups[k]) for k in sorted(keep, key=idx.position.__getitem__)]
    found: set[Any] = set()
    for conds in f:
        eq = _eq_values(conds)
        if eq is None:
            cands: Iterable[Any] = idx.order if within is None else within
        else:
            i, values = eq
            by_value = idx.by_value[i]
            cands = [k for v in values for k in by_value.get(v, ())] + idx.odd[i]
            if within is not None:
                cands = [k for k in cands if k in within]
        found.update(k for k in cands if k not in found and all(_passes(k[2][j], t) for j, t in conds))
    return [(k, groups[k]) for k in sorted(found, key=idx.position.__getitem__)]


def _eq_values(conds: list[tuple[int, Callable[[str], bool]]]) -> tuple[int, frozenset[str]] | None:
    """The first ``StringEquals`` test of a statement's tag conditions (its ``_test`` is
    ``frozenset.__contains__``), as (tag index, values), or None."""
    return next(((i, test.__self__) for i, test in conds  # type: ignore[attr-defined]
                 if getattr(test, "__name__", "") == "__contains__"
                 and type(getattr(test, "__self__", None)) is frozenset), None)


def _direct_limit(idx: _TagIndex, f: list[list[tuple[int, Callable[[str], bool]]]]) -> int:
    """How many keys the value index would go through for ``f`` (``admitted``), at most:
    every statement with a ``StringEquals`` test goes through the keys holding its values,
    one without through every key."""
    total = 0
    for conds in f:
        eq = _eq_values(conds)
        if eq is None:
            return idx.size
        i, values = eq
        total += sum(len(idx.by_value[i].get(v, ())) for v in values) + len(idx.odd[i])
    return total


def open_admitted(ix: WorldIndex, role: Role, groups: Mapping[Any, Any],
                  want: Any = None) -> list[tuple[Any, Any]]:
    """``admitted`` for a role whose trust is open to ``*``, less the other accounts' classes
    none of whose members holds an ``sts:AssumeRole`` Allow that could match the role: across
    accounts the caller's identity policy must allow too, whatever the trust names (semantics
    rule 5), so the engine denies every one of them. Without this cut every such role went
    through every account's groups and asked the engine about each of their classes (roles x
    accounts x classes); now through its own account's and the holders' classes
    (``WorldIndex.holder_parts``, the index ``_delegated`` reads too). The kept classes are
    the dict's own list objects, in its order.

    The other accounts' share is built per holder part, once (``_part_admitted``: a part is
    shared by every role it matches, the ``*`` part by all of them), and each role only drops
    its own account's entries and merges: a role used to unite and filter every part's keys
    itself, which grew with roles x accounts. ``want`` (a search's ``graph.Wanted``): the
    other accounts' member lists cut to the members it still wants, dropped once empty (the
    search's edges are built from those only, ``_shrinking``; D15's account trusts
    shrink their classes the same way)."""
    if not groups:
        return []
    idx = _tag_index(ix, groups)
    own = _account_of(role.arn)
    mine = admitted(ix, role.trust, groups, idx.own_keys(own))
    tok = getattr(want, "key", None) if want is not None else None
    tkey = _trust_key(ix, role.trust)
    entries: list[tuple[int, int, Any, Any]] = []
    for part_key, part in ix.holder_parts(ASSUME, role.arn):
        if tok is None:
            base = _part_admitted(ix, idx, role.trust, tkey, part_key, part)
        else:
            base = _shrinking(ix, want, ("open", id(idx.groups), tkey, part_key),
                              partial(_part_admitted, ix, idx, role.trust, tkey, part_key, part))
        entries.extend(e for e in base if e[2][0] != own)
    if not entries:
        return mine
    entries.sort(key=lambda e: (e[0], e[1]))
    cross: list[tuple[Any, Any]] = []
    last: tuple[int, int] | None = None
    for pos, n, k, item in entries:
        if (pos, n) == last:
            continue  # the same class through two parts
        last = (pos, n)
        if cross and cross[-1][0] == k:
            cross[-1][1].append(item)
        else:
            cross.append((k, [item]))
    if not mine:
        return cross
    position = idx.position
    return sorted(mine + cross, key=lambda kv: position[kv[0]])


def _trust_key(ix: WorldIndex, trust: Policy) -> str:
    """The trust's document as text (cached per policy): ``admitted`` reads a trust only
    through its statements, so trusts with one text admit the same groups."""
    ck = ("trust-doc-key", id(trust))
    hit = ix.cache.get(ck)
    if hit is None or hit[0] is not trust:
        hit = ix.cache[ck] = (trust, f"{trust.version}|{json.dumps(trust.document, sort_keys=True, default=str)}")
    return str(hit[1])


def _part_admitted(ix: WorldIndex, idx: _TagIndex, trust: Policy, tkey: str, part_key: object,
                   part: set[str]) -> list[tuple[int, int, Any, Any]]:
    """The classes of the groups ``admitted`` keeps that hold a member of one holder part, as
    (group position, class position in its group, group key, class), in the dict's order
    (cached per dict, trust text and part: the same for every role the part matches)."""
    ck = ("open-part", id(idx.groups), tkey, part_key)
    hit = ix.cache.get(ck)
    if hit is not None and hit[0] is idx.groups:
        return hit[1]  # shared: callers do not change it
    by_key, _ = idx.of_part(part_key, part)
    out: list[tuple[int, int, Any, Any]] = []
    for k, _lists in admitted(ix, trust, idx.groups, by_key.keys()):
        where = {id(item): n for n, item in enumerate(idx.groups[k])}
        pos = idx.position[k]
        out.extend((pos, where[id(item)], k, item) for item in by_key[k])
    ix.cache[ck] = (idx.groups, out)
    return out


def _shrinking(ix: WorldIndex, want: Any, key: object, base: Callable[[], list[Any]]) -> list[Any]:
    """Items ``(..., members)`` with their member lists cut to the members ``want`` still
    wants, an item dropped for the rest of the search once it has none.

    Kept per search (``want.key``, see ``graph.Wanted``; without one the list is cut afresh):
    ``want`` only ever stops wanting a source within one search, never starts again, so each
    call starts from the last one's cut. A member list nobody left keeps its identity. Serves
    the other accounts' entries of ``open_admitted`` and the account-trust classes of D15: a
    search used to revisit every entry or class, emptied or not, for every role it matched."""
    tok = getattr(want, "key", None)
    ck = ("shrinking", tok, key)
    cur = ix.cache.get(ck) if tok is not None else None
    if cur is None:
        cur = base()
    out = []
    for item in cur:
        members = item[-1]
        live = [m for m in members if want(m, False)]
        if live:
            out.append(item if len(live) == len(members) else (*item[:-1], live))
    if tok is not None:
        ix.cache[ck] = out
    return out


def _account_of(arn: str) -> str:
    return arn.split(":", 5)[4]


class _TagIndex:
    """The keys of an ``admit_groups`` dict: in order, per tested tag by value, per account,
    and the key of each member (for ``open_admitted``)."""

    __slots__ = ("groups", "size", "order", "position", "by_value", "odd", "by_account", "_where", "_parts", "_own")

    def __init__(self, groups: Mapping[Any, Any]):
        self.groups = groups  # kept: the cache is keyed by its id
        self.size = len(groups)
        self.order = list(groups)
        self.position = {k: n for n, k in enumerate(self.order)}
        width = len(self.order[0][2]) if self.order else 0
        self.by_value: list[dict[str, list[Any]]] = [{} for _ in range(width)]
        #: per tag, the keys whose value is neither a string nor absent (``_passes`` lets them through)
        self.odd: list[list[Any]] = [[] for _ in range(width)]
        self.by_account: dict[str, list[Any]] = {}
        for k in self.order:
            self.by_account.setdefault(k[0], []).append(k)
            for i, v in enumerate(k[2]):
                if isinstance(v, str):
                    self.by_value[i].setdefault(v, []).append(k)
                elif v is not None:
                    self.odd[i].append(k)
        self._where: dict[str, tuple[Any, int]] | None = None  # member -> (key, its class's position)
        self._parts: dict[object, tuple[dict[Any, list[Any]], frozenset[int]]] = {}
        self._own: dict[str, frozenset[Any]] = {}

    def own_keys(self, account: str) -> frozenset[Any]:
        """The keys of one account's groups (cached)."""
        hit = self._own.get(account)
        if hit is None:
            hit = self._own[account] = frozenset(self.by_account.get(account, ()))
        return hit

    def of_part(self, part_key: object, part: set[str]) -> tuple[dict[Any, list[Any]], frozenset[int]]:
        """Per group key, its classes (the dict's own lists or pairs, in its order) holding a
        member of one holder part, and the ids of those classes (cached per part: the ``*``
        part is the same for every role; the dict, kept alive by this index, keeps the ids
        its own)."""
        hit = self._parts.get(part_key)
        if hit is None:
            where = self._where
            if where is None:
                where = self._where = {}
                for k, lists in self.groups.items():
                    for n, item in enumerate(lists):  # member lists, or (signature, member list) pairs
                        for arn in (item[1] if type(item) is tuple else item):
                            where[arn] = (k, n)
            marked = {where[a] for a in part if a in where}
            by_key: dict[Any, list[Any]] = {}
            for k, n in sorted(marked, key=lambda kn: (self.position[kn[0]], kn[1])):
                by_key.setdefault(k, []).append(self.groups[k][n])
            ids = frozenset(id(item) for items in by_key.values() for item in items)
            hit = self._parts[part_key] = (by_key, ids)
        return hit


def _tag_index(ix: WorldIndex, groups: Mapping[Any, Any]) -> _TagIndex:
    ck = ("admit_tag_index", id(groups))
    hit = ix.cache.get(ck)
    if hit is None or hit.groups is not groups or hit.size != len(groups):
        hit = ix.cache[ck] = _TagIndex(groups)
    return hit


def assume_candidates(ix: WorldIndex, role: Role) -> set[str]:
    """Principals that could possibly assume ``role`` (the engine decides which do)."""
    t = ix.trust[role.arn]
    if t.everyone:
        return set(ix.subjects)
    return _named_or_delegated(ix, role)


def candidate_classes(ix: WorldIndex, role: Role, kind: str | None = None,
                      content: bool = False) -> dict[object, list[str]]:
    """``assume_candidates`` grouped by what can matter to the decision (``WorldIndex.qsig``).

    A trust that names principals is decided per principal; a trust open to
    ``*`` or to accounts is decided once per class, which turns "every
    principal may try" into a few dozen questions.
    """
    t = ix.trust[role.arn]
    key = "sts:assumerole"
    if t.everyone and not ix._trust_specific(role.trust):
        every = ix.classes(key, trust=role.trust, content=content)
        if kind is None:
            return every
        return {k: v for k, v in every.items() if ix.subjects[v[0]].kind == kind}
    cands = assume_candidates(ix, role)
    if kind is not None:
        cands = {c for c in cands if ix.subjects[c].kind == kind}
    if ix._trust_specific(role.trust):
        return {a: [a] for a in sorted(cands)}
    return ix.classes(key, sorted(cands), trust=role.trust, content=content)


def _named_or_delegated(ix: WorldIndex, role: Role) -> set[str]:
    return _named(ix, role) | _delegated(ix, role)


def _named(ix: WorldIndex, role: Role) -> set[str]:
    """Loaded principals the trust names by ARN or unique ID."""
    out: set[str] = set()
    for n in ix.trust[role.arn].named:
        arn = ix.by_unique_id.get(n, n)
        if arn in ix.subjects:
            out.add(arn)
        else:
            e = ix.world.entity(arn)
            if e is not None and e.arn in ix.subjects:
                out.add(e.arn)
    return out


def _delegated(ix: WorldIndex, role: Role) -> set[str]:
    """Holders of an ``sts:AssumeRole`` Allow matching the role, in the accounts the trust names."""
    t = ix.trust[role.arn]
    if not t.accounts:
        return set()
    return {h for h in ix.holders_of(ASSUME, role.arn) if ix.subjects[h].account_id in t.accounts}


def assumable_roles(ix: WorldIndex, s: Subject) -> set[str]:
    """Roles whose trust could let ``s`` in (forward direction of ``assume_candidates``)."""
    out = set(ix.trusted_by_name.get(s.arn, ()))
    uid = getattr(s.entity, "user_id", None) or getattr(s.entity, "role_id", None)
    if uid:
        out |= ix.trusted_by_name.get(uid, set())
    out |= ix.trusted_by_everyone
    acct_roles = ix.trusted_by_account.get(s.account_id)
    if acct_roles and ix.holds(s, ASSUME):
        out |= set(ix.targets(s, ASSUME, acct_roles))
    out.discard(s.arn)
    return out


def part_classes(ix: WorldIndex, part_key: object, part: set[str], account: str, trust: Policy,
                 action_key: str, content: bool = False) -> dict[object, list[str]]:
    """The principals of one holder-index part (``WorldIndex.holder_parts``) in ``account``,
    grouped by ``trust_sig`` for trusts testing the tags ``trust`` tests (sorted lists, cached:
    shared by every role the part matches, so a ``role/*`` grant is grouped once, not per role)."""
    ck = ("part_classes", part_key, account, ix.trust_tag_keys(trust), action_key, content)
    hit = ix.cache.get(ck)
    if hit is None:
        mine = _part_by_account(ix, part_key, part).get(account, [])
        hit = ix.cache[ck] = {ix.trust_sig(ix.subjects[m[0]], action_key, trust, content): m
                              for m in ix.classes(action_key, mine, trust=trust, content=content).values()}
    return hit


def _part_by_account(ix: WorldIndex, part_key: object, part: set[str]) -> dict[str, list[str]]:
    """One holder part's members by account, each list sorted (cached per part): a part of
    holders on ``*`` spans every account, and ``part_classes`` used to scan all of it once per
    account it was asked about (parts x accounts x part size)."""
    ck = ("part_by_account", part_key)
    hit = ix.cache.get(ck)
    if hit is None or hit[0] is not part:
        by: dict[str, list[str]] = {}
        subjects = ix.subjects
        for a in sorted(part):
            by.setdefault(subjects[a].account_id, []).append(a)
        hit = ix.cache[ck] = (part, by)
    return hit[1]


def _live_classes(ix: WorldIndex, role: Role, want: Want) -> list[list[str]]:
    """``classes`` of the named and delegated candidates of an account-trusting role, built from
    cached per-part classes whose member lists shrink as the search places sources
    (``WorldIndex.live``): the same groups, in the same order, as grouping the candidates afresh,
    without rescanning every holder of ``sts:AssumeRole`` on ``*`` for every role."""
    t = ix.trust[role.arn]
    merged: dict[object, list[str]] = {}
    named = sorted(_named(ix, role))
    if named:
        for members in ix.classes(ASSUME, named, trust=role.trust).values():
            merged.setdefault(ix.trust_sig(ix.subjects[members[0]], ASSUME, role.trust), []).extend(members)
    tkeys = ix.trust_tag_keys(role.trust)
    for part_key, part in ix.holder_parts(ASSUME, role.arn):
        for acct in sorted(t.accounts):
            classes = part_classes(ix, part_key, part, acct, role.trust, ASSUME)
            for sig, live in _shrinking(ix, want, ("D15", part_key, acct, tkeys), partial(list, classes.items())):
                merged.setdefault(sig, []).extend(live)
    return sorted((sorted(set(v)) for v in merged.values()), key=lambda g: g[0])


class AssumeRoleChecker:
    family = "direct"
    actions = frozenset({"sts:assumerole"})

    def self_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]:
        return ()

    def granting_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]:
        return ()

    def edges_into(self, target: Subject, ix: WorldIndex, want: Want) -> Iterable[Edge]:
        role = target.entity
        if not isinstance(role, Role):
            return
        t = ix.trust[role.arn]
        if t.everyone and not ix._trust_specific(role.trust):
            groups: Iterable[list[str]] = (
                members
                for _, lists in open_admitted(ix, role, ix.admit_groups(role.trust), want)
                if trust_admits(ix, ix.subjects[lists[0][0]], role)
                for members in lists
            )
        elif ix._trust_specific(role.trust) or not t.accounts:
            groups = ([a] for a in sorted(_named(ix, role) | _delegated(ix, role)))
        else:
            groups = _live_classes(ix, role, want)
            record = getattr(want, "record_groups", None)
            if record is not None:  # a part of a split search (analysis.split_search): its groups' order
                named = _named(ix, role)
                record([(tuple(m for m in g if m in named), tuple(g)) for g in groups])
        for members in groups:
            wanted = [m for m in members if m != target.arn and want(m)]
            if not wanted or not trust_admits(ix, ix.subjects[wanted[0]], role):
                continue
            d, note = assume_decision(ix, ix.subjects[wanted[0]], role)
            if note == "no":
                continue
            reasons = reasons_of(d)
            for src in wanted:
                yield Edge(src, target.arn, "D15", f"can assume {role.name} ({d.rule})", reasons, uncertain=note)
