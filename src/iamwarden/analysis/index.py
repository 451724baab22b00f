"""Index a world once, so the graph asks the engine only questions that can succeed.

Three indexes, all built in one pass over the data (design.md, "index once"):

- **holders**: for every action a technique needs, which principals hold an
  identity Allow statement that matches it at all, keyed by the statement's
  Resource (literal ARNs in a dict, wildcard patterns grouped by pattern text,
  ``*``/NotResource/variables in an "anywhere" set). A question is only asked
  of a holder whose statement could match the resource.
- **trust**: for every role, who its trust policy names: specific principal
  ARNs (and unique IDs), whole accounts (root ARN or bare account ID), ``*``,
  and service principals.
- **subjects**: one ``Subject`` (policy set built once) per user and role.

Whether a holder *may* act is always decided by the engine (``authorize``):
the index never grants anything, it only skips questions whose answer is
certainly "no" (no Allow statement for the action exists).
"""

from __future__ import annotations

import itertools
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator, Mapping, Protocol, Sequence

from ..evaluation import Decision, PolicySet, decide
from ..evaluation.context import entity_tag_keys, principal_keys
from ..evaluation.world import boundary_key, owner_org_keys, rcp_levels, resource_account
from ..model.account import Account, Role, User, World
from ..model.arn import ACCOUNT_ID, Arn
from ..model.principal import Caller, PrincipalType
from ..model.resources import HeldResource
from ..policy.catalog import EVERY_REQUIRED_TYPE, catalog
from ..policy.document import Effect, Policy, Statement
from ..policy.glob_witness import DEFAULT_LIMIT, common_match_counted
from ..policy.patterns import compile_glob, has_wildcard
from ..policy.variables import Part, Variable, substitute
from . import created_tags
from .admin import AdminStatus, admin_status
from .origins import authorize_from_some_origin
from .regions import representatives_of
from .session import session_keys
from .subject import ADMIN_POLICY, ADMIN_POLICY_ARN, Subject, new_role_subject, subject_for


class GroupOrder(Protocol):
    """What a partial world's index needs of the principals it left out (``partition.Dropped``):
    ``admit_groups``' groups put back in the whole world's order."""

    def reorder(self, groups: Mapping[Any, list[list[str]]], keys: tuple[str, ...]) -> dict[Any, list[list[str]]]:
        ...


#: Trust-policy condition keys whose value the caller chooses when calling AssumeRole
#: (catalog rule 5: sts:ExternalId does not stop a caller that can read the trust).
CALLER_SUPPLIED_KEYS = ("sts:externalid", "sts:rolesessionname", "sts:sourceidentity")
MFA_KEY = "aws:MultiFactorAuthPresent"


def resolved_resources(st: Statement, lookup: Callable[[str], str | None]) -> list[str] | None:
    """The statement's Resource patterns with the caller's own policy variables filled in
    (``user/${aws:username}`` is one ARN per caller, not a wildcard: catalog rule 8).
    None = could match anything (no Resource, NotResource, or a variable we cannot resolve here)."""
    if st.resources is None or st.not_resource:
        return None
    out = []
    for r in st.resources:
        if r.parts is None:
            out.append(r.text)
            continue
        if any(isinstance(p, Variable) and p.key not in lookup_keys(lookup) for p in r.parts):
            return None
        text = substitute(r.parts, lookup)
        if text is None:
            continue  # an unresolvable variable matches nothing
        out.append(text)
    return out


_ANYWHERE, _PATTERN, _LITERAL = 0, 1, 2
_UNSET: Any = object()  # a cache's "not looked up yet"


def _placement(st: Statement) -> tuple[tuple[int, str], ...] | None:
    """Where ``Holders.add`` files a holder of ``st``, in its order, when that does not depend
    on the holder (no policy variable in the Resource); None when it does."""
    if st.resources is not None and not st.not_resource and any(r.parts is not None for r in st.resources):
        return None
    texts = resolved_resources(st, CallerKeys())
    if texts is None:
        return ((_ANYWHERE, ""),)
    return tuple((_ANYWHERE, "") if t == "*" else (_PATTERN, t) if has_wildcard(t) else (_LITERAL, t)
                 for t in texts)


def exempting_denies(ps: PolicySet, action: str) -> Iterator[Statement]:
    """Deny statements with NotResource that match ``action``: they deny everything but what
    they list (catalog rule 7), so what they list is where the action may still succeed."""
    c = ps.candidates(action.lower())
    for _, picked in c.denies:
        for _, st in picked:
            if st.not_resource and st.resources:
                yield st


def lookup_keys(lookup: Callable[[str], str | None]) -> Any:
    return getattr(lookup, "keys", lambda: ())()


class CallerKeys(dict[str, str]):
    """The caller-derived context keys (lower-cased), usable as a variable lookup."""

    def __call__(self, key: str) -> str | None:
        return self.get(key)


def caller_keys(s: Subject) -> CallerKeys:
    out = CallerKeys({k.lower(): v for k, v in principal_keys(s.caller).items()})
    for k, v in s.entity.tags.items():
        out[f"aws:principaltag/{k.lower()}"] = v
    return out


@dataclass(slots=True)
class Holders:
    """Principals holding an identity Allow for one action, by the statement's Resource."""

    literal: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    patterns: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    anywhere: set[str] = field(default_factory=set)
    everyone: set[str] = field(default_factory=set)
    _prefixes: Any = None
    _matched: Any = None

    def add(self, arn: str, st: Statement, lookup: Callable[[str], str | None]) -> None:
        self.everyone.add(arn)
        texts = resolved_resources(st, lookup)
        if texts is None:
            self.anywhere.add(arn)
            return
        for text in texts:
            if text == "*":
                self.anywhere.add(arn)
            elif has_wildcard(text):
                self.patterns[text].add(arn)
            else:
                self.literal[text].add(arn)

    def add_placed(self, arn: str, where: tuple[tuple[int, str], ...]) -> None:
        """``add`` for a statement already read by ``_placement`` (no policy variables)."""
        self.everyone.add(arn)
        for kind, text in where:
            if kind == _ANYWHERE:
                self.anywhere.add(arn)
            elif kind == _PATTERN:
                self.patterns[text].add(arn)
            else:
                self.literal[text].add(arn)

    def add_placed_all(self, arns: list[str], where: tuple[tuple[int, str], ...]) -> None:
        """``add_placed`` for several principals at once (entries that exist already)."""
        self.everyone.update(arns)
        for kind, text in where:
            if kind == _ANYWHERE:
                self.anywhere.update(arns)
            elif kind == _PATTERN:
                self.patterns[text].update(arns)
            else:
                self.literal[text].update(arns)

    def matching_patterns(self, resource: str) -> list[str]:
        """The wildcard patterns (texts) that match ``resource``, in insertion order.

        Patterns are bucketed by their literal prefix (the text before the first
        wildcard), so a lookup tries only the patterns whose prefix ``resource``
        starts with, not every pattern of the account (one per team, say).
        """
        memo = self._matched
        if memo is None or memo[0] != len(self.patterns):
            memo = self._matched = (len(self.patterns), {})
        got = memo[1].get(resource)
        if got is None:
            got = memo[1][resource] = self._match_patterns(resource)
        return got

    def _match_patterns(self, resource: str) -> list[str]:
        idx = self._prefix_index()
        hits: list[tuple[int, str]] = []
        n = len(resource)
        for (pl, sl), bucket in idx[1].items():
            if pl + sl > n:
                continue
            for order, pat in bucket.get((resource[:pl], resource[n - sl:] if sl else ""), ()):
                if compile_glob(pat).match(resource):
                    hits.append((order, pat))
        hits.sort()
        return [p for _, p in hits]

    def _prefix_index(self) -> tuple[int, dict[tuple[int, int], dict[tuple[str, str], list[tuple[int, str]]]]]:
        """Patterns bucketed by (literal prefix, literal suffix) around their wildcards:
        ``user/${aws:username}`` resolved per caller gives one pattern per user, all with
        the prefix ``arn:aws:iam::``; their suffixes tell them apart."""
        idx = self._prefixes
        if idx is None or idx[0] != len(self.patterns):
            by_len: dict[tuple[int, int], dict[tuple[str, str], list[tuple[int, str]]]] = {}
            for order, pat in enumerate(self.patterns):
                cut = min((i for i in (pat.find("*"), pat.find("?")) if i >= 0), default=len(pat))
                last = max(pat.rfind("*"), pat.rfind("?"))
                suffix = pat[last + 1:] if last >= cut else ""
                by_len.setdefault((cut, len(suffix)), {}).setdefault((pat[:cut], suffix), []).append((order, pat))
            idx = self._prefixes = (len(self.patterns), by_len)
        return idx

    def specific(self, resource: str) -> set[str]:
        """Holders whose statement names ``resource`` literally or by a pattern (not ``*``)."""
        lit = self.literal.get(resource)
        out = set(lit) if lit else set()
        for pat in self.matching_patterns(resource):
            out |= self.patterns[pat]
        return out

    def of(self, resource: str) -> set[str]:
        """Holders whose statement could match ``resource``."""
        out = set(self.anywhere)
        lit = self.literal.get(resource)
        if lit:
            out |= lit
        for pat in self.matching_patterns(resource):
            out |= self.patterns[pat]
        return out

    def holds_for(self, arn: str, resource: str) -> bool:
        """Is ``arn`` among ``of(resource)``? (without building that set)"""
        if arn in self.anywhere:
            return True
        lit = self.literal.get(resource)
        if lit and arn in lit:
            return True
        return any(arn in self.patterns[p] for p in self.matching_patterns(resource))

    def parts(self, resource: str) -> list[tuple[object, set[str]]]:
        """``of(resource)`` as the index parts it unites, each with a stable key:
        ``("anywhere",)``, ``("literal", text)``, ``("pattern", text)``."""
        out: list[tuple[object, set[str]]] = [(("anywhere",), self.anywhere)] if self.anywhere else []
        lit = self.literal.get(resource)
        if lit:
            out.append((("literal", resource), lit))
        for pat in self.matching_patterns(resource):
            out.append((("pattern", pat), self.patterns[pat]))
        return out


@dataclass(frozen=True, slots=True)
class RoleTrust:
    """Who a role's trust policy names in Allow statements for ``sts:AssumeRole``."""

    named: frozenset[str]  # principal ARNs / unique IDs
    accounts: frozenset[str]  # whole accounts (root ARN or bare ID)
    everyone: bool  # "*"
    services: frozenset[str]  # service principals as written
    supplied: Mapping[str, tuple[str, ...]]  # caller-supplied condition key -> candidate values
    mentions_mfa: bool
    #: ``services`` lower-cased, as the techniques' rows name them: a set test tells a checker
    #: that no row's service can assume the role before it builds any list for the row
    service_keys: frozenset[str] = frozenset()
    #: caller-supplied key -> its policy values with variables (``${aws:username}``), resolved
    #: per caller by ``supplied_for``
    supplied_parts: Mapping[str, tuple[tuple[Part, ...], ...]] = field(default_factory=dict)
    #: the trust's conditions on session tags the caller may pass (``aws:RequestTag/<key>``),
    #: with the tag key each tests (``created_tags.choices`` picks the tags to try)
    request_tags: tuple[tuple[str, Any], ...] = ()

    def supplied_for(self, s: Subject) -> Mapping[str, tuple[str, ...]]:
        """``supplied`` with the values that hold the caller's own variables first: the AWS
        pattern "the session must be named after the user" (``sts:RoleSessionName`` =
        ``${aws:username}``) is met by the caller naming its session so."""
        if not self.supplied_parts:
            return self.supplied
        lookup = caller_keys(s)
        out: dict[str, list[str]] = {}
        for k, partss in self.supplied_parts.items():
            for parts in partss:
                text = substitute(parts, lookup)
                if text is not None:
                    out.setdefault(k, []).append(text.replace("*", "x").replace("?", "x"))
        for k, values in self.supplied.items():
            out.setdefault(k, []).extend(values)
        return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


class WorldIndex:
    """The analysed world: subjects, holder and trust indexes, and engine questions with caches."""

    def __init__(self, world: World, actions: Iterable[str], now: datetime | None = None,
                 dropped: GroupOrder | None = None):
        """``now``: the moment of the audit (the time keys of ``analysis.session``); the
        core reads no clock, so the adapter passes it. None: time keys are absent.
        ``dropped``: ``world`` is a worker's partial world (``analysis.partition``), and
        these are the principals it left out (for ``admit_groups``' order)."""
        self.dropped = dropped
        self._names_cache, self._content_cache, self._tags_cache = IdCache(), IdCache(), IdCache()
        self.world = world
        #: any loaded resource of another service (``_held``)? Read once: the world does not
        #: change during the audit, and most accounts have none
        self._resources_loaded = bool(len(world.resources))
        self.now = now
        self.actions = frozenset(a.lower() for a in actions)
        self.subjects: dict[str, Subject] = {}
        self.errors: list[str] = []
        self.by_account: dict[str, list[Subject]] = defaultdict(list)
        self.by_unique_id: dict[str, str] = {}
        self._policy_sets: dict[Any, PolicySet] = {}
        for acct, entity in world.principals():
            try:
                s = subject_for(world, acct, entity, now, share=self._shared_set)
            except ValueError as e:  # AccountError: a dangling policy reference
                self.errors.append(str(e))
                continue
            self.subjects[s.arn] = s
            self.by_account[acct.account_id].append(s)
            uid = entity.user_id if isinstance(entity, User) else entity.role_id
            if uid:
                self.by_unique_id[uid] = s.arn
        self.holders: dict[str, Holders] = {a: Holders() for a in self.actions}
        self.statements: dict[str, dict[str, list[Statement]]] = {}
        self._index_holders()
        self.trust: dict[str, RoleTrust] = {}
        self.trusted_by_name: dict[str, set[str]] = defaultdict(set)
        self.trusted_by_account: dict[str, set[str]] = defaultdict(set)
        self.trusted_by_everyone: set[str] = set()
        self._index_trust()
        self._admin: dict[str, AdminStatus] = {}
        self._admin_setups: dict[Any, AdminStatus] = {}
        self._admin_tmpl: dict[int, Any] = {}
        self._admin_possible: dict[int, tuple[PolicySet, bool]] = {}
        self._admin_if_granted: dict[str, bool] = {}
        self._admin_policies: dict[str, tuple[str, ...]] = {}
        self._service_trust: dict[tuple[str, str], Decision] = {}
        self._new_role: dict[str, Subject] = {}
        self._arns: dict[tuple[str, str], list[str]] = {}
        self._memo: dict[Any, Decision] = {}
        self._sigs: dict[Any, Any] = {}
        self._picks_ids: dict[Any, int] = {}
        self._setups: dict[Any, Any] = {}
        #: (id of a policy set, actions) -> (the set, the regions ``_regions`` gives)
        self._region_cache: dict[tuple[int, tuple[str, ...]], tuple[PolicySet, tuple[str, ...]]] = {}
        self._setup_cache = IdCache()
        self._pick_cache = IdCache()
        self._others_cache = IdCache()
        self._trust_spec: dict[int, bool] = {}
        self._held_cache: dict[str, Any] = {}
        self._held_spec: dict[tuple[str, str], bool] = {}
        self._rcp_spec: bool | None = None
        self._trust_tags: dict[int, tuple[str, ...]] = {}
        #: free-form caches for the checkers (keys start with the checker's name)
        self.cache: dict[Any, Any] = {}

    # -- building --------------------------------------------------------------

    def _shared_set(self, ps: PolicySet) -> PolicySet:
        """One ``PolicySet`` per distinct set of policy objects: principals of the same groups
        (same attached policies, boundary, SCPs) then share its per-action statement index,
        built once instead of once per principal. Same policy objects, same decisions.
        (``subject_for`` calls it before building the subject: no copy of the subject.)"""
        key = (tuple(map(id, ps.identity)), id(ps.resource), id(ps.boundary), tuple(map(id, ps.session)),
               tuple(tuple(map(id, level)) for level in ps.scp), tuple(tuple(map(id, level)) for level in ps.rcp))
        return self._policy_sets.setdefault(key, ps)  # the kept set keeps the ids alive

    def _index_holders(self) -> None:
        per_policy: dict[int, list[tuple[str, Statement]]] = {}
        # a statement whose Action names its services can only match actions of those
        # services: only those are tried (the matcher, not this filter, decides)
        everything = tuple(self.actions)
        by_service: dict[str, list[str]] = defaultdict(list)
        for a in everything:
            by_service[a.split(":", 1)[0]].append(a)
        # principals of one policy set share their statements per action (read-only), and a
        # statement without policy variables in its Resource files every holder alike
        per_set: dict[int, tuple[PolicySet, dict[str, list[Statement]]]] = {}
        placed: dict[int, tuple[tuple[int, str], ...] | None] = {}
        # the placed statements' entries of a set's later principals go in at the end, one
        # set.update per index entry: the set's first principal created every dict key they
        # need, in its turn, so the keys' order (``matching_patterns``' order) is the same
        # (the statements with policy variables are filed per principal, in its turn: they
        # may create keys)
        later: dict[int, tuple[list[tuple[Holders, tuple[tuple[int, str], ...]]], list[str],
                               list[tuple[Holders, Statement]]]] = {}
        for s in self.subjects.values():
            ps = s.policies
            got = per_set.get(id(ps))
            if got is not None and got[0] is ps and id(ps) in later:
                if got[1]:
                    self.statements[s.arn] = got[1]
                    _file_later(s, later[id(ps)])
                continue
            if got is None or got[0] is not ps:
                mine: dict[str, list[Statement]] = defaultdict(list)
                for p in ps.identity:
                    hits = per_policy.get(id(p))
                    if hits is None:
                        hits = []
                        for st in p.statements:
                            if st.effect is not Effect.ALLOW:
                                continue
                            services = st.service_prefixes
                            tried = everything if services is None else [
                                a for svc in services for a in by_service.get(svc, ())]
                            hits += [(a, st) for a in tried if st.matches_action(a)]
                        per_policy[id(p)] = hits
                    for a, st in hits:
                        mine[a].append(st)
                got = per_set[id(ps)] = (ps, mine)
            mine = got[1]
            fixed: list[tuple[Holders, tuple[tuple[int, str], ...]]] = []
            by_caller: list[tuple[Holders, Statement]] = []
            later[id(ps)] = (fixed, [], by_caller)
            if mine:
                self.statements[s.arn] = mine
                keys: CallerKeys | None = None
                for a, sts in mine.items():
                    h = self.holders[a]
                    for st in sts:
                        where = placed.get(id(st), _UNSET)
                        if where is _UNSET:
                            where = placed[id(st)] = _placement(st)
                        if where is None:
                            if keys is None:
                                keys = caller_keys(s)
                            h.add(s.arn, st, keys)
                            by_caller.append((h, st))
                        else:
                            h.add_placed(s.arn, where)
                            fixed.append((h, where))
        for fixed, arns, _ in later.values():
            if arns:
                for h, where in fixed:
                    h.add_placed_all(arns, where)

    def _index_trust(self) -> None:
        for acct in self.world.accounts.values():
            for role in acct.roles.values():
                t = trust_of(role)
                self.trust[role.arn] = t
                for n in t.named:
                    self.trusted_by_name[n].add(role.arn)
                for a in t.accounts:
                    self.trusted_by_account[a].add(role.arn)
                if t.everyone:
                    self.trusted_by_everyone.add(role.arn)

    # -- questions ---------------------------------------------------------------

    def ask(
        self,
        s: Subject,
        action: str,
        resource: str = "*",
        context: Mapping[str, Any] | None = None,
        trust: Policy | None = None,
        content: bool = False,
    ) -> Decision:
        """One engine decision for subject ``s`` (principal and target tags derived from the data).

        Memoised by the subject's *signature*: principals with the same policies,
        boundary, tags, kind and account get the same answer unless a policy
        (or the trust) can tell them apart by name (policy variables, conditions
        on aws:PrincipalArn/aws:username/aws:userid, a trust naming principals).
        Realistic accounts have thousands of users sharing a few group setups,
        so most questions are answered once per setup.

        ``content=True`` also merges principals whose statements are equal in text
        but not the same object (copies of one inline policy): the verdict is the
        same, but the reasons may name another principal's copy, so only callers
        that need the verdict alone (findings) ask that way.
        """
        if s.note:
            return self._ask(s, action, resource, context, trust)
        action_key = action.lower()
        if trust is None:
            held = self._held(resource) if self._resources_loaded else None
            if held is not None and self._held_specific(held, action):
                who: Any = s.arn  # its resource policy or its account's RCPs can tell callers apart
            else:
                who = self.qsig(s, action_key, content)
        elif self._trust_specific(trust):
            who = s.arn
        else:
            who = self.trust_sig(s, action_key, trust, content)
        key = (who, action_key, resource, tuple(sorted(context.items())) if context else (),
               id(trust) if trust is not None else 0)
        d = self._memo.get(key)
        if d is None:
            d = self._memo[key] = self._ask(s, action, resource, context, trust)
        return d

    def qsig(self, s: Subject, action_key: str, content: bool = False) -> Any:
        """What of ``s`` can matter to a question about ``action_key``: the statements whose
        Action matches (identity and boundary), whether it has a boundary, the values of the
        principal tags any matching statement of its policies tests (SCPs and session policies
        too), kind and account. Principals with equal signatures get equal answers, unless a
        matching statement can tell them apart by name (then the signature is the ARN;
        docs/decisions/analysis-shared-answers.md)."""
        ps = s.policies
        key = (id(ps), action_key, content)
        hit = self._sigs.get(key)
        if hit is None or hit[0] is not ps:
            hit = self._sigs[key] = (ps, self._policy_sig(ps, action_key, content))
        t = hit[1]
        if t is _BY_ARN:
            return ("arn", s.arn)
        picks, tag_keys = t
        return (s.kind, s.account.account_id, picks, self.tag_values(s, tag_keys) if tag_keys else ())

    def _policy_sig(self, ps: PolicySet, action_key: str, content: bool) -> Any:
        """``qsig``'s part that depends on the policy set only (once per shared set, action and
        ``content``): ``_BY_ARN``, or (the picks' number, the principal tag keys they test).

        The picks (identity and boundary statements for the action, whether there is a
        boundary) are numbered (``_picks_ids``): equal picks, equal number, so sets whose
        statements for the action are the same still share answers, and the signature hashed
        by every ``ask`` holds one int instead of tuples of statement ids."""
        # from per-policy statement picks: no PolicySet.candidates index is built for it
        ident_picked = self._picked(ps.identity, action_key)
        bound_picked = self._picked((ps.boundary,) if ps.boundary is not None else (), action_key)
        others = self._set_others(ps)
        tag_keys: tuple[str, ...] = ()
        if others is not None:  # some statement of the set names the caller or tests a tag
            sts = [st for _, st in ident_picked] + [st for _, st in bound_picked]
            other_sts = [st for _, st in self._picked(others, action_key)]
            if any(_statement_names_caller(st) for st in sts + other_sts):
                # an SCP (or session, RCP) statement for the action that reads the caller's
                # name (aws:PrincipalArn exemptions, typically) tells apart principals whose
                # identity statements are the same: their answers are theirs alone
                return _BY_ARN
            # the principal tags any of them tests (an SCP's ABAC condition too) are part of it
            tag_keys = tuple(sorted({k for st in sts + other_sts for k in _tag_keys(st)}))
        ident = (lambda picked: _content_ids(picked, self._content_cache)) if content else _ids
        picks = (ident(ident_picked), ident(bound_picked), ps.boundary is not None)
        n = self._picks_ids.get(picks)
        if n is None:
            n = self._picks_ids[picks] = len(self._picks_ids)
        return n, tag_keys

    def _set_others(self, ps: PolicySet) -> tuple[Policy, ...] | None:
        """The set's policies other than identity and boundary (SCPs, RCPs, session, resource),
        or None when no statement of any of its policies names the caller or tests a
        principal tag (``_plain``): then ``_policy_sig`` need not read the statements it
        picks for that (cached per set)."""
        hit = self._others_cache.lookup(ps)
        if hit is None:
            others = tuple(p for kind, p in ps.all_policies() if kind not in ("identity", "boundary"))
            plain = all(_plain(p, self._setup_cache) for _, p in ps.all_policies())
            hit = self._others_cache.store(ps, (None if plain else others,))
        return hit[0]

    def _picked(self, policies: tuple[Policy, ...], action_key: str) -> tuple[tuple[Policy, Statement], ...]:
        """``PolicySet.candidates(action_key)``'s picks for these policies, in the same order,
        from a per-policy cache (managed policies are shared by many policy sets)."""
        out: tuple[tuple[Policy, Statement], ...] = ()
        for p in policies:
            per = self._pick_cache.lookup(p)
            if per is None:
                per = self._pick_cache.store(p, {})
            hit = per.get(action_key)
            if hit is None:
                hit = per[action_key] = tuple((p, st) for st in p.statements if st.matches_action(action_key))
            out += hit
        return out

    def setup_key(self, s: Subject, action_keys: tuple[str, ...]) -> Any:
        """A key equal for two principals only if their ``qsig`` is equal for every action of
        ``action_keys`` (lower-cased) and ``ask_new`` tries the same resources for them: so any
        answer built from ``ask`` / ``ask_new`` on those actions (and a fixed resource) is the
        same for both. Keyed by the shared ``PolicySet`` (``_shared_set``), kind, account
        and the values of the principal tags the matching statements test; per principal
        (its ARN) when a matching statement names the caller (variables, caller keys) or a
        Deny with NotResource has variables (``_pickable`` fills them in per caller).

        One lookup per principal instead of one ``qsig`` per action: the statement scan is
        done once per policy set and action tuple."""
        if s.note or self._resources_loaded:
            # loaded resources of other services: a resource ``ask_new`` fills in may be one
            # whose policy names callers (``_held_specific``), so nothing is shared
            return ("arn", s.arn)
        ps = s.policies
        tk = (id(ps), action_keys)
        hit = self._setups.get(tk)
        if hit is None or hit[0] is not ps:
            # numbered: the key (hashed by its caller's cache) holds an int, not the action tuple
            hit = self._setups[tk] = (ps, _setup_tag_keys(ps, action_keys, self._setup_cache), len(self._setups))
        keys = hit[1]
        if keys is _BY_ARN:
            return ("arn", s.arn)
        return (hit[2], s.kind, s.account.account_id, self.tag_values(s, keys) if keys else ())

    def trust_tag_keys(self, trust: Policy) -> tuple[str, ...]:
        keys = self._trust_tags.get(id(trust))
        if keys is None:
            keys = self._trust_tags[id(trust)] = tuple(sorted({k for st in trust.statements for k in _tag_keys(st)}))
        return keys

    def trust_sig(self, s: Subject, action_key: str, trust: Policy, content: bool = False) -> Any:
        """``qsig`` plus the principal tags the trust policy tests (the ARN when an RCP could
        tell callers apart: ``rcps_name_callers``)."""
        if self.rcps_name_callers():
            return ("arn", s.arn)
        keys = self.trust_tag_keys(trust)
        base = self.qsig(s, action_key, content)
        return (base, self.tag_values(s, keys)) if keys else base

    def tag_values(self, s: Subject, keys: Any) -> tuple[Any, ...]:
        """Values of the principal tags ``keys`` (lower-cased names) of ``s``; None when absent."""
        return _tag_values(s, keys, self._tags_cache)

    def classes(self, action_key: str, arns: Iterable[str] | None = None,
                trust: Policy | None = None, content: bool = False) -> dict[Any, list[str]]:
        """Principals grouped by ``qsig`` (or ``trust_sig``) for one action (all principals: cached)."""
        # the grouping depends on the trust only through the tags it tests
        ckey = ("classes", action_key, self.trust_tag_keys(trust) if trust is not None else None, content)
        if arns is None:
            hit = self.cache.get(ckey)
            if hit is not None:
                return hit
        out: dict[Any, list[str]] = defaultdict(list)
        subjects = self.subjects
        if trust is not None and self.rcps_name_callers():
            for a in (subjects if arns is None else arns):
                out[("arn", a)].append(a)  # ``trust_sig`` of each
        else:
            # ``trust_sig`` with the trust's part read once, not once per principal
            keys = self.trust_tag_keys(trust) if trust is not None else ()
            for a in (subjects if arns is None else arns):
                s = subjects[a]
                base = self.qsig(s, action_key, content)
                out[(base, self.tag_values(s, keys)) if keys else base].append(a)
        if arns is None:
            self.cache[ckey] = out
        return out

    def _held(self, resource: str) -> HeldResource | None:
        """The loaded resource of another service a request on ``resource`` goes to (cached)."""
        if not len(self.world.resources):
            return None
        hit = self._held_cache.get(resource, _UNSET)
        if hit is _UNSET:
            hit = self._held_cache[resource] = self.world.resources.find(resource)
        return hit if isinstance(hit, HeldResource) else None

    def _held_specific(self, held: HeldResource, action: str) -> bool:
        """Can the resource's own policy or its account's RCPs tell apart two principals that
        hold the same policies? Its policy names principals (or tests their tags, or reads a
        caller key), as a trust may; an RCP reads a caller key or a principal tag."""
        key = (held.arn, action.lower())
        v = self._held_spec.get(key)
        if v is None:
            pol = held.policy
            by_policy = pol is not None and (self._trust_specific(pol) or bool(self.trust_tag_keys(pol)))
            v = self._held_spec[key] = by_policy or self._levels_specific(
                rcp_levels(self.world, held.account, action, held))
        return v

    def rcps_name_callers(self) -> bool:
        """Does an RCP anywhere read a caller key or a principal tag? Then a trust question
        (whose answer the role account's RCPs cap) is never shared between principals
        (``trust_sig``): rare, and exact."""
        v = self._rcp_spec
        if v is None:
            v = self._rcp_spec = any(self._levels_specific(levels) for levels in self.world.rcps.values())
        return v

    def _levels_specific(self, levels: tuple[tuple[Policy, ...], ...]) -> bool:
        return any(_names_caller(p, self._names_cache) or bool(self.trust_tag_keys(p))
                   for level in levels for p in level)

    def _trust_specific(self, trust: Policy) -> bool:
        v = self._trust_spec.get(id(trust))
        if v is None:
            v = self._trust_spec[id(trust)] = _names_caller(trust, self._names_cache) or any(
                st.principal is not None and any(
                    t == "AWS" and any(x != "*" and not ACCOUNT_ID.match(x) and not x.endswith(":root") for x in vs)
                    for t, vs in st.principal.entries)
                for st in trust.statements)
        return v

    def _ask(
        self,
        s: Subject,
        action: str,
        resource: str,
        context: Mapping[str, Any] | None,
        trust: Policy | None,
    ) -> Decision:
        ctx: dict[str, Any] = dict(s.context)
        for k, v in s.entity.tags.items():
            ctx[f"aws:PrincipalTag/{k}"] = v
        # a hypothetical principal's request on itself sees it as it would be (B01: no boundary)
        target = s if s.note and resource == s.arn else self.subjects.get(resource)
        if target is not None:
            ent = target.entity
            if ent.tags:
                ctx.update(entity_tag_keys(ent.tags))
            if isinstance(ent, (User, Role)) and ent.boundary is not None:
                b = boundary_key(ent, action)  # the delegated-administrator pattern's key
                if b is not None:
                    ctx["iam:PermissionsBoundary"] = b
        held = self.world.resources.find(resource) if trust is None else None
        if self.world.organization is not None:
            # the owner's organization keys: a request on "*" or an ARN naming no account is the caller's
            owner = held.account if held is not None else resource_account(self.world, resource)
            owner_org_keys(self.world, ctx, owner or s.account_id)
        if context:
            ctx.update(context)
        ps = s.policies
        account: str | None = None
        if trust is not None:
            a = Arn.parse(resource)
            ps = ps.replace(resource=trust, rcp=rcp_levels(self.world, a.account if a else "", action))
        elif held is not None:
            # a loaded resource of another service: its policy and its account decide too (spec §1.5)
            ps = ps.replace(resource=held.policy, rcp=rcp_levels(self.world, held.account, action, held))
            account = held.account
        return authorize_from_some_origin(s.caller, action, resource, ctx, ps, account)

    def ask_new(self, s: Subject, action: str, resource: str, context: Mapping[str, Any] | None = None) -> Decision:
        """A decision on a resource the caller creates or picks (a function, a stack, a new role).

        The caller chooses the name, so besides ``resource`` every wildcard
        pattern of its own Allow statements is tried with the wildcards filled in.
        """
        return self.ask_new_at(s, action, resource, context)[0]

    def ask_new_at(
        self, s: Subject, action: str, resource: str, context: Mapping[str, Any] | None = None
    ) -> tuple[Decision, str]:
        """``ask_new`` that also returns the resource name that was allowed (or ``resource``)."""
        d = self.ask(s, action, resource, context)
        if d.allowed:
            return d, resource
        tried = {resource}
        regions: tuple[str, ...] | None = None
        for text in self._pickable(s, action):
            if regions is None:  # a region wildcard is filled with each region the policies tell apart
                regions = self._regions(s, (action,))
            for region in regions:
                concrete = picked_name(text, s.account_id, region)
                if concrete not in tried:
                    tried.add(concrete)
                    d2 = self.ask(s, action, concrete, context)
                    if d2.allowed:
                        return d2, concrete
        return d, resource

    def _regions(self, s: Subject, actions: Sequence[str]) -> tuple[str, ...]:
        """The regions a resource ``s`` creates or picks for ``actions`` may be in: one per
        class of regions the policies in force for them tell apart (``regions``)."""
        ps = s.policies
        key = (id(ps), tuple(actions))
        hit = self._region_cache.get(key)
        if hit is None or hit[0] is not ps:
            got = representatives_of([ps.candidates(a.lower()) for a in actions], s.caller.partition or "aws")
            hit = self._region_cache[key] = (ps, got)
        return hit[1]

    def ask_typed(self, s: Subject, action: str) -> Decision | None:
        """An allowing decision for ``action`` on some resource of the kind it acts on, which
        the caller creates or picks, or None. The names asked are real ARNs of the action's
        resource types (``policy.catalog.resource_patterns``) in the caller's account, found as
        ``ask_new_together`` finds them: one of the types is enough, except for
        ``EVERY_REQUIRED_TYPE`` (``ec2:RunInstances``: the image, the instance, the network
        interface, the security group and the subnet must each be allowed, in one region).
        Not ``*``: a Deny written as an ARN pattern (``arn:aws:ec2:*:*:instance/*``) does not
        match the text ``*``, and an Allow on ``instance/*`` alone launches nothing. An action
        the catalogue knows with no resource type is asked about ``*``, as AWS evaluates it;
        one it does not know (a discontinued service) about ``*`` and the caller's patterns
        filled in (``ask_new``)."""
        templates = catalog().resource_patterns(action)
        if templates is None:
            d = self.ask_new(s, action, "*")
        elif not templates:
            d = self.ask(s, action, "*")
        elif action.lower() in EVERY_REQUIRED_TYPE:
            for region in self._regions(s, (action,)):
                first: Decision | None = None
                for t in templates:
                    got = self.ask_new_together(s, ((action,),), t, region)
                    if got is None:
                        break
                    first = first or got[0]
                else:
                    return first
            return None
        else:
            got = self.ask_new_on_a_type(s, ((action,),), templates)
            return got[0] if got is not None else None
        return d if d.allowed else None

    def ask_new_on_a_type(self, s: Subject, groups: Sequence[Sequence[str]],
                          templates: Sequence[str]) -> list[Decision] | None:
        """``ask_new_together`` on the first of ``templates`` that gives decisions: the resource
        types the actions may act on are alternatives (a built-in or a custom code interpreter)."""
        for t in templates:
            got = self.ask_new_together(s, groups, t)
            if got is not None:
                return got
        return None

    def ask_new_together(self, s: Subject, groups: Sequence[Sequence[str]], template: str | None = None,
                         region: str | None = None) -> list[Decision] | None:
        """One allowing decision per group, all on *one* resource the caller creates or picks,
        or None. A Lambda function created and then invoked (P04) is one function: allowing
        ``lambda:CreateFunction`` on ``function:a*`` and ``lambda:InvokeFunction`` on
        ``function:b*`` lets the caller do neither to the same function, and deciding each
        group on a name of its own reported an escalation that cannot happen.

        The names tried are real ARNs of the resource type (the catalogue's ARN for the first
        group's first action, ``policy.catalog.resource_pattern``, in the caller's account): for each choice
        of at most one of its own Resource patterns per group (``_pickable``, the account field
        set to the caller's, see ``picked_name``; at most ``MAX_JOINT_CHOICES``), a name
        matching that ARN and all of them (``glob_witness.common_match``; the choices share
        ``JOINT_STATES`` states of search, so a setup of many long hostile patterns costs what
        one search does). Not ``*``:
        a Deny on every function (``arn:aws:lambda:*:*:function:*``) does not match the text
        ``*``, and asking about it let such a Deny through. Every answer is the engine's on
        that name, so an edge always has a resource it holds for; a choice the bounded search
        gives up on yields no name (no edge: fail closed). An action the catalogue gives no
        resource type is asked about ``*``, as AWS evaluates it.

        ``template``: the resource type's ARN glob (default: the first group's first action's,
        ``resource_pattern``); ``region``: the one region the name must be in (default: one per
        class of regions the policies tell apart, ``regions``)."""
        if template is None:
            template = catalog().resource_pattern(groups[0][0]) if groups and groups[0] else None
        bases: list[list[str]] = [[]]
        names: list[str] = []
        if template is None:
            names.append("*")
        else:
            own = _own_account(template.replace("${Partition}", s.caller.partition or "aws"), s.account_id)
            # the region field a real region, each class of regions the policies tell apart
            regions = (region,) if region is not None else self._regions(s, [a for g in groups for a in g])
            bases = [[_in_region(own, r)] for r in regions]
        options: list[list[str | None]] = []
        for group in groups:
            opts: list[str | None] = [None]  # None: this group adds no pattern (its "*" statements)
            for a in group:
                if self.holds(s, a):
                    opts += [_own_account(t, s.account_id) for t in self._pickable(s, a)]
            options.append(list(dict.fromkeys(opts)))
        budget = JOINT_STATES
        n = 0
        for base in bases:
            for choice in itertools.product(*options):
                if n >= MAX_JOINT_CHOICES or budget <= 0:
                    break
                n += 1
                pats = base + [p for p in choice if p is not None]
                if pats:
                    name, used = common_match_counted(pats, min(budget, DEFAULT_LIMIT), ARN_HEADER_COLONS)
                    budget -= used
                    if name is not None and name not in names:
                        names.append(name)
        got = self._allowed_on_one(s, groups, names, ())
        if got is not None or not names:
            return got
        # the caller may tag what it creates (``created_tags``): tried when a statement tests a tag
        conds = [c for g in groups for a in g for c in created_tags.tag_conditions(s.policies.candidates(a.lower()))]
        if conds:
            for tags in created_tags.choices(conds, caller_keys(s)):
                got = self._allowed_on_one(s, groups, names, tags)
                if got is not None:
                    return got
        return None

    def _allowed_on_one(self, s: Subject, groups: Sequence[Sequence[str]], names: list[str],
                        tags: created_tags.Tags) -> list[Decision] | None:
        """One allowing decision per group on the first of ``names`` that has them all."""
        for name in names:
            out = []
            for group in groups:
                d = self._allowed_on(s, group, name, tags)
                if d is None:
                    break
                out.append(d)
            else:
                return out
        return None

    def _allowed_on(self, s: Subject, group: Sequence[str], resource: str,
                    tags: created_tags.Tags = ()) -> Decision | None:
        """The first held action of ``group`` the engine allows ``s`` on ``resource`` (created
        with ``tags``), or None."""
        for a in group:
            if self.holds(s, a):
                d = self.ask(s, a, resource, created_tags.contexts(a, tags) or None)
                if d.allowed:
                    return d
        return None

    def _pickable(self, s: Subject, action: str) -> Iterator[str]:
        """Resource patterns worth trying for a resource ``s`` picks: those of its own Allow
        statements, then those a Deny with NotResource exempts. A Deny that exempts some
        resources leaves exactly those writable (the principal itself, often), so asking
        only about ``*`` would wrongly find the action blocked everywhere (issue 10)."""
        for st in self.allow_statements(s, action):
            for r in st.resources or ():
                if r.parts is None and r.text != "*":
                    yield r.text
        for st in exempting_denies(s.policies, action):
            for r in st.resources or ():
                if r.parts is None and r.text != "*":
                    yield r.text
                elif r.parts is not None:
                    text = substitute(r.parts, caller_keys(s))
                    if text is not None and text != "*":
                        yield text

    def arns(self, account_id: str, kind: str) -> list[str]:
        """User or role ARNs of one account (cached)."""
        key = (account_id, kind)
        out = self._arns.get(key)
        if out is None:
            out = self._arns[key] = [x.arn for x in self.by_account.get(account_id, ()) if x.kind == kind]
        return out

    def allow_statements(self, s: Subject, action: str) -> list[Statement]:
        """Identity Allow statements of ``s`` whose Action matches (hypothetical subjects included)."""
        if s.note:
            return [st for _, st in s.policies.candidates(action.lower()).identity if st.effect is Effect.ALLOW]
        return self.statements.get(s.arn, _NO_STATEMENTS).get(action.lower(), [])

    def holds(self, s: Subject, action: str) -> bool:
        """Does ``s`` hold any identity Allow matching ``action`` (a cheap pre-check)?"""
        if s.note:
            return bool(self.allow_statements(s, action))
        return action.lower() in self.statements.get(s.arn, _NO_STATEMENTS)

    def holds_any(self, s: Subject, action_keys: frozenset[str]) -> bool:
        """``holds`` for any of ``action_keys`` (lower-cased): one set test for a loaded principal."""
        if s.note:
            return any(self.holds(s, a) for a in action_keys)
        return not self.statements.get(s.arn, _NO_STATEMENTS).keys().isdisjoint(action_keys)

    def can_somewhere(self, s: Subject, action: str, context: Mapping[str, Any] | None = None) -> bool:
        """Could ``s`` do ``action`` on some resource? Asked on ``*`` and on its own Allow
        patterns filled in; a boundary, Deny or SCP that blocks the action everywhere makes
        this False, and spares asking about every possible target (cached)."""
        if not self.holds(s, action):
            return False
        if any(c.key_lower.startswith(RESOURCE_KEYS) for st in self.allow_statements(s, action)
               for c in st.conditions):
            return True  # depends on the target's tags: cannot rule it out without one
        if s.note:
            return self.ask_new(s, action, "*", context).allowed
        key = ("somewhere", self.qsig(s, action.lower()), action.lower(),
               tuple(sorted(context.items())) if context else ())
        v = self.cache.get(key)
        if v is None:
            v = self.cache[key] = self.ask_new(s, action, "*", context).allowed
        return v

    def admit_groups(self, trust: Policy) -> dict[Any, list[list[str]]]:
        """All principals' ``sts:AssumeRole`` classes for a trust open to ``*``, grouped by
        what the trust alone can see of them (account, kind, tested tags): one trust
        pre-check per group (cached by the tags the trust tests)."""
        keys = self.trust_tag_keys(trust)
        ck = ("admit_groups", keys)
        hit = self.cache.get(ck)
        if hit is None:
            hit = defaultdict(list)
            for members in self.classes("sts:assumerole", trust=trust).values():
                s = self.subjects[members[0]]
                hit[(s.account_id, s.kind, self.tag_values(s, keys))].append(members)
            if self.dropped is not None:  # a partial world: the groups in the whole world's order
                hit = self.dropped.reorder(hit, keys)
            self.cache[ck] = hit
        return hit

    def live(self, want: Any, key: Any, base: Any, uncertain: bool = False) -> dict[str, None]:
        """The sources of ``base`` that ``want`` still wants, kept shrinking per search.

        ``want.key`` identifies the search (see ``graph.Wanted``); without one the
        list is filtered afresh. Ordered like ``base``.
        """
        tok = getattr(want, "key", None)
        if tok is None:
            return dict.fromkeys(s for s in (base() if callable(base) else base) if want(s, uncertain))
        ck = ("live", tok, key, uncertain)
        hit = self.cache.get(ck)
        log = getattr(want, "log", None)
        rnd = getattr(want, "round", None)
        if hit is None:
            src = base() if callable(base) else base
            cur = {s: None for s in src if want(s, uncertain)}
        elif log is not None and hit[1] is log and hit[2] == rnd:
            # same search and round: a source not logged since the last filter is still wanted
            # (``want`` reads only what the log records, and the round), so only those are tested
            prev = hit[0]
            if len(log) - hit[3] > len(prev):  # a long tail: asking the list itself is cheaper
                cur = {s: None for s in prev if want(s, uncertain)}
                if len(cur) == len(prev):
                    cur = prev
            else:
                dropped = {s for s in log[hit[3]:] if s in prev and not want(s, uncertain)}
                cur = {s: None for s in prev if s not in dropped} if dropped else prev
        else:
            cur = {s: None for s in hit[0] if want(s, uncertain)}
        self.cache[ck] = (cur, log, rnd, len(log) if log is not None else 0)
        return cur

    def holders_of(self, action: str, resource: str) -> set[str]:
        return self.holders[action.lower()].of(resource)

    def holder_parts(self, action: str, resource: str) -> list[tuple[object, set[str]]]:
        """``holders_of`` as the index parts it unites (see ``Holders.parts``)."""
        return self.holders[action.lower()].parts(resource)

    def holders_any(self, action: str) -> set[str]:
        return self.holders[action.lower()].everyone

    def targets(self, s: Subject, action: str, candidates: Iterable[str]) -> Iterator[str]:
        """Of ``candidates``, the ARNs some Allow statement of ``s`` for ``action`` could match."""
        sts = self.allow_statements(s, action)
        if not sts:
            return
        lits: set[str] = set()
        pats = []
        keys = caller_keys(s)
        for st in sts:
            texts = resolved_resources(st, keys)
            if texts is None or "*" in texts:
                yield from candidates
                return
            for text in texts:
                if has_wildcard(text):
                    pats.append(compile_glob(text).match)
                else:
                    lits.add(text)
        for c in candidates:
            if c in lits or any(m(c) for m in pats):
                yield c

    # -- derived facts (cached) ------------------------------------------------------

    def admin(self, arn: str) -> AdminStatus:
        st = self._admin.get(arn)
        if st is None:
            s = self.subjects[arn]
            if not self._may_be_admin(s.policies):
                st = self._admin[arn] = _NOT_ADMIN
                return st
            key = self._admin_key(s)
            st = self._admin_setups.get(key) if key is not None else None
            if st is None:
                st = admin_status(s)
                if key is not None:
                    self._admin_setups[key] = st
            self._admin[arn] = st
        return st

    def _may_be_admin(self, ps: PolicySet) -> bool:
        """Can the engine allow ``*`` on ``*`` at all? Only through an identity Allow whose
        Action matches ``*`` (``*`` itself, or a NotAction): boundaries, session policies
        and SCPs only take away, and a principal's own set has no resource policy. Without
        one, ``admin_status`` would only find ``*`` denied (cached per policy set)."""
        hit = self._admin_possible.get(id(ps))
        if hit is None or hit[0] is not ps:
            ok = ps.resource is not None or any(
                st.effect is Effect.ALLOW and st.matches_action("*") for p in ps.identity for st in p.statements)
            hit = self._admin_possible[id(ps)] = (ps, ok)
        return hit[1]

    def _admin_key(self, s: Subject) -> Any:
        """Principals whose admin status is decided alike: the same ``PolicySet`` (every
        policy type), kind, account and values of the principal tags any statement tests.
        The engine sees nothing else of them on ``*`` (their session and organization keys
        follow from kind and account), and reasons name statements, not callers. None
        (decided per principal) when a statement of any of its policies can tell callers
        apart by name (variables, ``aws:PrincipalArn`` and the other caller keys)."""
        ps = s.policies
        hit = self._admin_tmpl.get(id(ps))
        if hit is None or hit[0] is not ps:
            keys: Any = set()
            for _, p in ps.all_policies():
                if _names_caller(p, self._names_cache):
                    keys = None
                    break
                keys.update(k for st in p.statements for k in _tag_keys(st))
            hit = self._admin_tmpl[id(ps)] = (ps, tuple(sorted(keys)) if keys is not None else None)
        if hit[1] is None:
            return None
        return (id(ps), s.kind, s.account_id, self.tag_values(s, hit[1]))

    def admin_if_granted(self, s: Subject) -> bool:
        """Would ``s`` be admin holding AdministratorAccess? False when a boundary, Deny or SCP caps it."""
        key = s.arn if not s.note else ""
        if key and key in self._admin_if_granted:
            return self._admin_if_granted[key]
        ok = admin_status(s.with_identity(ADMIN_POLICY, note="holding AdministratorAccess")).admin
        if key:
            self._admin_if_granted[key] = ok
        return ok

    def admin_if_inline_rewritten(self, s: Subject) -> bool:
        """Would ``s`` be admin after replacing its own inline policies by AdministratorAccess?
        (catalog D10/D12: a Deny in its own inline policy goes with the policy it replaces)"""
        if not s.entity.inline:
            return False
        key = ("inline-rewritten", s.arn)
        if not s.note and key in self.cache:
            return bool(self.cache[key])
        ok = admin_status(s.with_own_inline_replaced(ADMIN_POLICY, note="inline policies rewritten")).admin
        if not s.note:
            self.cache[key] = ok
        return ok

    def admin_policy_arns(self, account: Account) -> tuple[str, ...]:
        """Managed policies that would make a principal admin: AdministratorAccess and any
        customer policy whose default version the engine finds grants ``*`` on ``*``."""
        out = self._admin_policies.get(account.account_id)
        if out is None:
            found = [ADMIN_POLICY_ARN]
            probe = Caller.from_arn(f"arn:aws:iam::{account.account_id}:user/iamwarden-probe")
            for arn, mp in account.policies.items():
                if arn == ADMIN_POLICY_ARN:
                    continue
                d = authorize_from_some_origin(probe, "*", "*", session_keys(probe, self.now),
                                             PolicySet(identity=(mp.default,)))
                if d.allowed:
                    found.append(arn)
            out = self._admin_policies[account.account_id] = tuple(found)
        return out

    def new_role(self, account: Account) -> Subject:
        s = self._new_role.get(account.account_id)
        if s is None:
            s = self._new_role[account.account_id] = new_role_subject(self.world, account, now=self.now)
        return s

    def service_can_assume(self, service: str, role: Role) -> Decision:
        """Does ``service`` (e.g. lambda.amazonaws.com) get the role's credentials (catalog rule 6)?"""
        key = (service, role.arn)
        d = self._service_trust.get(key)
        if d is None:
            caller = Caller.from_arn(service)
            d = self._service_trust[key] = decide(self.world, caller, "sts:AssumeRole", role.arn,
                                                  session_keys(caller, self.now))
        return d

    def role(self, arn: str) -> Role | None:
        s = self.subjects.get(arn)
        return s.entity if s is not None and isinstance(s.entity, Role) else None

    def user(self, arn: str) -> User | None:
        s = self.subjects.get(arn)
        return s.entity if s is not None and isinstance(s.entity, User) else None


#: the admin status of a principal no identity statement of which can allow ``*``: the audit
#: reads the decision of admins only, so none is kept (``WorldIndex._may_be_admin``)
_NOT_ADMIN = AdminStatus(False)

#: condition keys that depend on the target resource (can_somewhere cannot rule them out)
RESOURCE_KEYS = ("aws:resourcetag/", "iam:resourcetag/", "aws:resource", "iam:permissionsboundary")

#: condition keys whose value differs between principals that share policies
CALLER_KEYS = frozenset({"aws:principalarn", "aws:username", "aws:userid", "aws:sourceidentity",
                         "aws:sourcearn", "aws:sourceaccount"})
_NO_STATEMENTS: Mapping[str, list[Statement]] = {}  # a principal holding no indexed Allow (read-only)
_BY_ARN = object()  # qsig marker: statements name the caller, so answers are per principal


#: combinations of Resource patterns (one per group) ``ask_new_together`` tries
MAX_JOINT_CHOICES = 64

#: states of witness search one ``ask_new_together`` may spend on all its choices
JOINT_STATES = DEFAULT_LIMIT

#: ``arn:partition:service:region:account:``: no wildcard of a created resource's name takes
#: these colons (``glob_witness.common_match``)
ARN_HEADER_COLONS = 5


def _own_account(pattern: str, account: str) -> str:
    """``pattern`` with an ARN account field that is a pattern matching ``account`` set to it."""
    return _fill_field(pattern, 4, account)


def _in_region(pattern: str, region: str) -> str:
    """``pattern`` with an ARN region field that is a pattern matching ``region`` set to it."""
    return _fill_field(pattern, 3, region)


def _fill_field(pattern: str, index: int, value: str) -> str:
    """``pattern`` with ARN field ``index`` (3: region, 4: account) set to ``value`` when that
    field is a pattern matching it."""
    parts = pattern.split(":", index + 1)
    if (len(parts) == index + 2 and parts[0] == "arn" and has_wildcard(parts[index])
            and compile_glob(parts[index]).match(value)):
        parts[index] = value
        return ":".join(parts)
    return pattern


def picked_name(pattern: str, account: str, region: str | None = None) -> str:
    """A resource name matching ``pattern`` that a caller of ``account`` would create or pick:
    the wildcards filled in, and an ARN's account field that is a pattern matching ``account``
    set to ``account``. A resource one creates is in one's own account, and filling
    ``arn:aws:lambda:*:*:function:*`` as ``...:iamwarden:function:...`` asked about another
    account's function, which no identity policy alone can allow: every caller holding such a
    pattern looked unable to create a function (P04-P06 missed) or to write a user of its own
    account (``can_somewhere``, D03-D06 missed for ``arn:aws:iam::*:user/...``)."""
    own = _own_account(pattern, account)
    if region is not None:  # a region the caller can work in (``regions``), not ``iamwarden``
        own = _in_region(own, region)
    return own.replace("*", "iamwarden").replace("?", "x")


def _file_later(s: Subject, later: tuple[list[Any], list[str], list[tuple[Holders, Statement]]]) -> None:
    """``_index_holders`` for a principal whose policy set was filed already: its ARN joins the
    set's batch of placed entries, and its statements with its own policy variables are
    filed now (they may create keys)."""
    _, arns, by_caller = later
    arns.append(s.arn)
    if by_caller:
        keys = caller_keys(s)
        for h, st in by_caller:
            h.add(s.arn, st, keys)


class IdCache(dict[int, tuple[Any, Any]]):
    """id(obj) -> (obj, value): keeps the object, so a recycled id never returns a stale answer.
    One per WorldIndex (dropped with it): nothing outlives the audit that built it."""

    def lookup(self, obj: Any) -> Any:
        hit = self.get(id(obj))
        return hit[1] if hit is not None and hit[0] is obj else None

    def store(self, obj: Any, value: Any) -> Any:
        self[id(obj)] = (obj, value)
        return value




def _ids(picked: Any) -> tuple[int, ...]:
    return tuple(id(st) for _, st in picked)




def _content_ids(picked: Any, cache: IdCache) -> tuple[str, ...]:
    """Statements by their text (policy version + statement JSON)."""
    out = []
    for p, st in picked:
        v = cache.lookup(st)
        if v is None:
            doc = p.document
            raw = doc.get("Statement") if isinstance(doc, dict) else None
            item = raw[st.index] if isinstance(raw, list) and st.index < len(raw) else raw
            text = f"{p.version}|{json.dumps(item, sort_keys=True, default=str)}"
            v = cache.store(st, sys.intern(text))
        out.append(v)
    return tuple(out)


def _tag_keys(st: Statement) -> Iterator[str]:
    for c in st.conditions:
        if c.key_lower.startswith("aws:principaltag/"):
            yield c.key_lower[len("aws:principaltag/"):]




def _tag_values(s: Subject, keys: Any, cache: IdCache) -> tuple[Any, ...]:
    if not keys:
        return ()
    tags = s.entity.tags
    if not tags:
        return (None,) * len(keys)
    low = cache.lookup(tags)
    if low is None:
        low = cache.store(tags, {k.lower(): v for k, v in tags.items()})
    return tuple(low.get(k) for k in keys)


def _statement_names_caller(st: Statement) -> bool:
    if any(r.parts is not None for r in st.resources or ()):
        return True
    return any(c.key_lower in CALLER_KEYS or any(x is not None for x in c._parts) for c in st.conditions)


def _setup_tag_keys(ps: PolicySet, action_keys: tuple[str, ...], cache: IdCache) -> Any:
    """``WorldIndex.setup_key``'s scan: the sorted principal tag keys the statements of any of its
    policies matching any of ``action_keys`` test, or ``_BY_ARN`` (see there). Read per
    policy (cached: managed policies are shared by many policy sets), not through
    ``PolicySet.candidates``, which would build every action's index for every set."""
    keys: set[str] = set()
    for _, p in ps.all_policies():
        if _plain(p, cache):
            continue  # no statement can tell principals apart, whatever the actions
        by_arn, tags = _policy_setup(p, action_keys, cache)
        if by_arn:
            return _BY_ARN
        keys |= tags
    return tuple(sorted(keys))


def _plain(p: Policy, cache: IdCache) -> bool:
    """Does no statement of ``p`` name the caller or test a principal tag? Then ``_policy_setup``
    is (False, no tags) for any actions, and the policy need not be scanned per action tuple."""
    per = cache.lookup(p)
    if per is None:
        per = cache.store(p, {})
    v = per.get(_PLAIN)
    if v is None:
        v = per[_PLAIN] = not any(_statement_names_caller(st) or any(True for _ in _tag_keys(st))
                                  for st in p.statements)
    return v


_PLAIN = "plain"  # _plain's entry in a policy's _policy_setup cache (whose other keys are tuples)


def _policy_setup(p: Policy, action_keys: tuple[str, ...], cache: IdCache) -> tuple[bool, frozenset[str]]:
    """For one policy and actions: (does a matching statement make answers per principal,
    the principal tag keys matching statements test). A statement of any policy that names
    the caller (as in ``qsig``), or a Deny with NotResource and variables (``_pickable``),
    makes them per principal; the principal tags tested are read from every policy (an SCP's
    ABAC condition tells principals apart by their tags), as ``qsig`` reads them."""
    per = cache.lookup(p)
    if per is None:
        per = cache.store(p, {})
    hit = per.get(action_keys)
    if hit is None:
        by_arn, tags = False, set[str]()
        for st in p.statements:
            if not any(st.matches_action(a) for a in action_keys):
                continue
            if st.effect is Effect.DENY and st.not_resource and any(r.parts is not None for r in st.resources or ()):
                by_arn = True
            by_arn = by_arn or _statement_names_caller(st)  # as ``qsig`` (SCPs included)
            tags.update(_tag_keys(st))
        hit = per[action_keys] = (by_arn, frozenset(tags))
    return hit


def _names_caller(p: Policy, cache: IdCache) -> bool:
    """Can this policy tell apart principals that hold the same policies? (variables, caller keys)"""
    v = cache.lookup(p)
    if v is None:
        v = cache.store(p, any(_statement_names_caller(st) for st in p.statements))
    return v


def trust_of(role: Role) -> RoleTrust:
    """Read who a trust policy names (for the index only; the engine decides)."""
    named: set[str] = set()
    accounts: set[str] = set()
    services: set[str] = set()
    everyone = False
    supplied: dict[str, list[str]] = defaultdict(list)
    with_vars: dict[str, list[tuple[Part, ...]]] = defaultdict(list)
    request_tags: list[tuple[str, Any]] = []
    mfa = False
    for st in role.trust.statements:
        for c in st.conditions:
            if c.key_lower.startswith(created_tags.REQUEST_TAG):
                request_tags.append((c.key[len(created_tags.REQUEST_TAG):], c))
            if c.key_lower in CALLER_SUPPLIED_KEYS:
                for v, parts in zip(c.values, c._parts or (None,) * len(c.values), strict=False):
                    if parts is not None:
                        with_vars[c.key_lower].append(parts)
                    else:
                        supplied[c.key_lower].append(v.replace("*", "x").replace("?", "x"))
            if c.key_lower == MFA_KEY.lower():
                mfa = True
        if st.effect is not Effect.ALLOW or st.principal is None or st.not_principal:
            continue
        if not (st.matches_action("sts:assumerole")):
            continue
        for ptype, values in st.principal.entries:
            for v in values:
                if ptype == "Service":
                    services.add(v)
                elif ptype != "AWS":
                    continue
                elif v == "*":
                    everyone = True
                elif ACCOUNT_ID.match(v):
                    accounts.add(v)
                else:
                    a = Arn.parse(v)
                    if a is not None and a.service == "iam" and a.resource == "root":
                        accounts.add(a.account)
                    elif a is not None and a.service == "sts" and a.resource.startswith("assumed-role/"):
                        named.add(f"arn:{a.partition}:iam::{a.account}:role/{a.resource.split('/')[1]}")
                    else:
                        named.add(v)
    return RoleTrust(frozenset(named), frozenset(accounts), everyone, frozenset(services),
                     {k: tuple(dict.fromkeys(v)) for k, v in supplied.items()}, mfa,
                     frozenset(v.lower() for v in services), {k: tuple(v) for k, v in with_vars.items()},
                     tuple(request_tags))


def is_user(s: Subject) -> bool:
    return s.caller.type is PrincipalType.USER
