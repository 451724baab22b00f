"""Direct IAM techniques (catalog D01-D14, D16-D24): change permissions, then use them.

Every question goes to the engine with the resource the technique acts on:
the caller's own user/role ARN for D07/D09/D10/D12, its groups for D08/D11,
the managed policy ARN for D01/D02/D18/D22, the target user or role for the
rest. ``iam:PolicyARN`` conditions are honoured by asking once per policy
that would make the principal admin (AdministratorAccess, which every
account has, and customer policies the engine finds grant ``*`` on ``*``).

A step that grants admin only counts when the principal that receives the new
policy would actually be admin with it: its permissions boundary, Denies and
SCPs still apply (``WorldIndex.admin_if_granted``). D02 and D13 are checked by
evaluating the principal as it would be after the change (version rolled back,
group joined).
"""

from __future__ import annotations

import itertools
from itertools import islice
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from ...evaluation import Decision
from ...model.account import Group, Role, User
from .. import created_tags
from ..admin import admin_status
from ..edges import Edge, reasons_of
from ..index import Holders, caller_keys
from . import Want
from .assume_role import assumable_roles, assume_decision

if TYPE_CHECKING:
    from ..index import WorldIndex
    from ..subject import Subject

#: How many modify-then-assume edges (D16-D23) to collect per principal: one
#: suffices to place it one step from admin; a few give alternatives.
MAX_GRANTING = 3
BOUNDARY_KEY = "iam:permissionsboundary"
#: D24's requests: create the role, then write its permissions
_D24_ACTIONS = ("iam:createrole", "iam:attachrolepolicy", "iam:putrolepolicy")

ACTIONS = frozenset(a.lower() for a in (
    "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:CreateAccessKey",
    "iam:DeleteAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy", "iam:AttachGroupPolicy", "iam:AttachRolePolicy",
    "iam:PutUserPolicy", "iam:PutGroupPolicy", "iam:PutRolePolicy", "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy", "iam:CreateRole",
    "iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary",
    "iam:TagUser", "iam:TagRole",
))


#: actions behind D01, D07-D12: only their holders are asked whether they can grant themselves admin
SELF_ACTIONS = ("iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:AttachRolePolicy", "iam:PutRolePolicy",
                "iam:AttachGroupPolicy", "iam:PutGroupPolicy", "iam:CreatePolicyVersion")
#: D10/D12: writing one's own inline policies can replace them (and the Denies in them)
_INLINE_SELF = ("iam:PutUserPolicy", "iam:PutRolePolicy")
#: every action a self-escalation step needs one of (D01, D02, D07-D13, D24): a principal
#: holding none has none, and most principals are spared the checks one by one
#: B01: delete one's own permissions boundary, or put one in its place that caps nothing
_BOUNDARY_ACTIONS = {"user": ("iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"),
                     "role": ("iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary")}
#: B02: tag oneself
_TAG_ACTIONS = {"user": "iam:TagUser", "role": "iam:TagRole"}
_PRINCIPAL_TAG = "aws:principaltag/"
_SELF_ANY = frozenset(a.lower() for a in (*SELF_ACTIONS, "iam:SetDefaultPolicyVersion", "iam:CreateRole",
                                          "iam:AddUserToGroup", *_BOUNDARY_ACTIONS["user"],
                                          *_BOUNDARY_ACTIONS["role"], *_TAG_ACTIONS.values()))
#: every action a modify-then-assume step (D16-D23) needs one of, to change the target
_GRANT_ANY = frozenset(a.lower() for a in ("iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:CreatePolicyVersion",
                                           "iam:AttachUserPolicy", "iam:PutUserPolicy"))


def _customer_policies(s: Subject) -> list[str]:
    """Customer-managed policies in force for ``s`` (its own and, for a user, its groups')."""
    acct = s.account
    arns = list(s.entity.attached)
    for g in s.groups:
        grp = acct.groups.get(g)
        if grp is not None:
            arns += grp.attached
    return [a for a in dict.fromkeys(arns) if a in acct.policies and not acct.policies[a].aws_managed]


def _attach(ix: WorldIndex, s: Subject, action: str, resource: str,
            context: dict[str, str] | None = None) -> Decision | None:
    """Can ``s`` attach some admin-granting managed policy to ``resource``? (honours iam:PolicyARN)."""
    if not ix.holds(s, action):
        return None
    for pol in ix.admin_policy_arns(s.account):
        d = ix.ask(s, action, resource, {**(context or {}), "iam:PolicyARN": pol})
        if d.allowed:
            return d
    return None


def _can_attach(ix: WorldIndex, s: Subject, action: str) -> bool:
    """Could ``s`` attach an admin-granting policy anywhere at all? (prunes target enumeration)"""
    return any(ix.can_somewhere(s, action, {"iam:PolicyARN": p}) for p in ix.admin_policy_arns(s.account))


def _put(ix: WorldIndex, s: Subject, action: str, resource: str,
         context: dict[str, str] | None = None) -> Decision | None:
    if not ix.holds(s, action):
        return None
    d = ix.ask(s, action, resource, context)
    return d if d.allowed else None


def _policy_version(ix: WorldIndex, s: Subject, holder: Subject) -> tuple[Decision, str] | None:
    """Can ``s`` write a new default version of a customer policy attached to ``holder``? (D01/D18/D22)"""
    if not ix.holds(s, "iam:CreatePolicyVersion"):
        return None
    for arn in _customer_policies(holder):
        d = ix.ask(s, "iam:CreatePolicyVersion", arn)
        if d.allowed:
            return d, arn
    return None


def _pattern_holders(ix: WorldIndex, part: Holders, pat: str, actions: tuple[str, ...], account: str) -> list[str]:
    """The holders of one Resource pattern (``user/svc-*``) in ``account`` (``part``: that
    account's share of the holders, ``_account_patterns``) that could do every one of
    ``actions`` somewhere, sorted (cached): what ``edges_into`` would keep of them for any
    target the pattern matches. With ``WorldIndex.live`` on top, a search no longer rescans
    every holder of the pattern, placed or not, for each user it matches (D03-D06 grew
    holders × targets)."""
    ck = ("D-pattern-holders", pat, actions, account)
    hit = ix.cache.get(ck)
    if hit is None:
        hit = ix.cache[ck] = [a for a in sorted(part.patterns[pat])
                              if all(ix.can_somewhere(ix.subjects[a], x) for x in actions)]
    return hit


def _account_patterns(ix: WorldIndex, h: Holders, action: str) -> dict[str, Holders]:
    """``h``'s Resource patterns split by the accounts of their holders, each account's with its
    own holders only, the patterns in ``h``'s order (cached per action). A user is written by its own
    account's principals only, so a target asks only its account's patterns: asking every
    account's (the self-service ``arn:aws:iam::*:user/${aws:username}`` resolves to one
    pattern per user name, and a name recurs in most accounts of an organization) grew with
    users x accounts holding their name (37,692 pattern matches at 100,000 principals, 294
    at 10,000)."""
    ck = ("D-account-patterns", action.lower())
    hit = ix.cache.get(ck)
    if hit is None:
        hit = ix.cache[ck] = {}
        for pat, arns in h.patterns.items():
            for a in arns:
                acct = ix.subjects[a].account_id
                part = hit.get(acct)
                if part is None:
                    part = hit[acct] = Holders()
                part.patterns[pat].add(a)
    return hit


def _anywhere_by_account(ix: WorldIndex, h: Holders, actions: tuple[str, ...]) -> dict[str, list[str]]:
    """The holders on ``*`` of the first of ``actions``, sorted, split by account (cached)."""
    ck = ("D-anywhere-split", actions)
    hit = ix.cache.get(ck)
    if hit is None:
        hit = ix.cache[ck] = {}
        for a in sorted(h.anywhere):
            hit.setdefault(ix.subjects[a].account_id, []).append(a)
    return hit


def _joinable_groups(ix: WorldIndex, s: Subject) -> list[tuple[Group, Decision]]:
    """The groups of ``s``'s account the engine lets it add a user to, with the allowing
    decisions, in the account's order (D13; cached). Every user with the same ``qsig`` for
    ``iam:AddUserToGroup`` gets the same decisions (the same memo entries of ``ask``), and
    its holder placement for the action is the same (the same Allow statements), so the
    groups are asked about once per signature, not once per user: users holding the action
    x groups of the account grew with the square of the account."""
    key = ("D13-joinable", ix.qsig(s, "iam:addusertogroup"), s.account_id) if not s.note else None
    hit = ix.cache.get(key) if key is not None else None
    if hit is None:
        holders = ix.holders["iam:addusertogroup"]
        hit = []
        for g in s.account.groups.values():
            if not holders.holds_for(s.arn, g.arn):
                continue
            d = ix.ask(s, "iam:AddUserToGroup", g.arn)
            if d.allowed:
                hit.append((g, d))
        if key is not None:
            ix.cache[key] = hit
    return hit


class IamDirectChecker:
    family = "direct"
    actions = ACTIONS

    # -- on oneself -------------------------------------------------------------------

    def self_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]:
        return list(self._self_edges(s, ix, allow_groups=True))

    def _self_edges(self, s: Subject, ix: WorldIndex, allow_groups: bool) -> Iterator[Edge]:
        if not ix.holds_any(s, _SELF_ANY):
            return  # every step below starts by holding one of them
        me = s.arn
        found = False
        holds_self = any(ix.holds(s, a) for a in SELF_ACTIONS)
        plain = holds_self and ix.admin_if_granted(s)
        # a Deny in its own inline policy (typically "Deny ... NotResource: itself") is no cap
        # for D10/D12: writing an inline policy under the same name replaces it (issue 10)
        rewrite = holds_self and not plain and any(ix.holds(s, a) for a in _INLINE_SELF) and (
            ix.admin_if_inline_rewritten(s))
        if plain or rewrite:
            for tid, action, kind, verb in (
                ("D07", "iam:AttachUserPolicy", "user", _attach),
                ("D10", "iam:PutUserPolicy", "user", _put),
                ("D09", "iam:AttachRolePolicy", "role", _attach),
                ("D12", "iam:PutRolePolicy", "role", _put),
            ):
                if s.kind != kind or (not plain and action not in _INLINE_SELF):
                    continue
                d = verb(ix, s, action, me)
                if d is not None:
                    found = True
                    why = f"can use {action} on itself"
                    if not plain:
                        why += ", overwriting its own inline policies and the Denies they hold"
                    yield Edge(me, me, tid, why, reasons_of(d), grants_admin=True)
        if plain:
            for gname in s.groups:
                grp = s.account.groups.get(gname)
                if grp is None:
                    continue
                for tid, action, verb in (("D08", "iam:AttachGroupPolicy", _attach),
                                          ("D11", "iam:PutGroupPolicy", _put)):
                    d = verb(ix, s, action, grp.arn)
                    if d is not None:
                        found = True
                        yield Edge(me, me, tid, f"can use {action} on its group {gname}",
                                   reasons_of(d), grants_admin=True)
            pv = _policy_version(ix, s, s)
            if pv is not None:
                found = True
                yield Edge(me, me, "D01", f"can create a new default version of {pv[1]}, which it holds",
                           reasons_of(pv[0]), grants_admin=True)
        if ix.holds(s, "iam:SetDefaultPolicyVersion"):
            for arn in _customer_policies(s):
                mp = s.account.policies[arn]
                for vid, doc in mp.versions.items():
                    if vid == mp.default_version_id:
                        continue
                    after = s.with_policy_swapped(mp.default, doc, note=f"{arn} rolled back to {vid}")
                    if not admin_status(after).admin:
                        continue
                    d = ix.ask(s, "iam:SetDefaultPolicyVersion", arn)
                    if d.allowed:
                        found = True
                        yield Edge(me, me, "D02", f"can make version {vid} of {arn} the default, which grants *",
                                   reasons_of(d), grants_admin=True)
                        break
        if ix.holds(s, "iam:CreateRole"):
            e = self._new_role(s, ix)
            if e is not None:
                found = True
                yield e
        if allow_groups and not found and s.policies.boundary is not None:
            e = self._drop_boundary(s, ix)
            if e is not None:
                found = True
                yield e
        if allow_groups and not found:
            e = self._retag(s, ix)
            if e is not None:
                found = True
                yield e
        if allow_groups and not found and s.kind == "user" and ix.holds(s, "iam:AddUserToGroup"):
            yield from self._join_group(s, ix)

    def _retag(self, s: Subject, ix: WorldIndex) -> Edge | None:
        """B02: tag oneself with the principal tags one's own policies (or boundary, SCPs)
        test, when with them one is admin or can then escalate oneself. ABAC grants follow
        ``aws:PrincipalTag``; a principal that may set its own tags picks them."""
        action = _TAG_ACTIONS[s.kind]
        if not ix.holds(s, action):
            return None
        conds = created_tags.conditions_on((st for _, p in s.policies.all_policies() for st in p.statements),
                                           (_PRINCIPAL_TAG,))
        if not conds:
            return None
        for tags in created_tags.choices(conds, caller_keys(s)):
            if all(s.entity.tags.get(k) == v for k, v in tags):
                continue  # nothing new
            d = ix.ask(s, action, s.arn, created_tags.contexts(action, tags))
            if not d.allowed:
                continue
            shown = ", ".join(f"{k}={v}" for k, v in tags)
            after = s.with_tags({**s.entity.tags, **dict(tags)}, note=f"tagged {shown}")
            how = f"can tag itself {shown}"
            if admin_status(after).admin:
                return Edge(s.arn, s.arn, "B02", how + ", and then its policies grant *", reasons_of(d),
                            grants_admin=True)
            follow = next(iter(self._self_edges(after, ix, allow_groups=False)), None)
            if follow is not None:
                return Edge(s.arn, s.arn, "B02", how + f", then {follow.technique}", reasons_of(d),
                            grants_admin=True, then=(follow,))
        return None

    def _drop_boundary(self, s: Subject, ix: WorldIndex) -> Edge | None:
        """B01: delete one's own permissions boundary (or replace it by a policy that caps
        nothing), when without it one is admin or can then escalate oneself (D07-D12...)."""
        delete, put = _BOUNDARY_ACTIONS[s.kind]
        if not (ix.holds(s, delete) or ix.holds(s, put)):
            return None
        d = ix.ask(s, delete, s.arn) if ix.holds(s, delete) else None
        after: Subject | None = None
        if d is not None and d.allowed:
            how = "can delete its own permissions boundary"
            after = s.with_boundary(None, None, note="its permissions boundary deleted")
        elif ix.holds(s, put):
            for arn in ix.admin_policy_arns(s.account):
                d = ix.ask(s, put, s.arn, {"iam:PermissionsBoundary": arn})
                pol = s.account.managed(arn)
                if d.allowed and pol is not None:
                    how = f"can make {arn.rsplit('/', 1)[-1]} its own permissions boundary"
                    after = s.with_boundary(pol, arn, note=f"its permissions boundary replaced by {arn}")
                    break
        if after is None or d is None:
            return None
        if admin_status(after).admin:
            return Edge(s.arn, s.arn, "B01", how + ", and its policies grant *", reasons_of(d), grants_admin=True)
        follow = next(iter(self._self_edges(after, ix, allow_groups=False)), None)
        if follow is None:
            return None
        return Edge(s.arn, s.arn, "B01", how + f", then {follow.technique}", reasons_of(d), grants_admin=True,
                    then=(follow,))

    def _new_role(self, s: Subject, ix: WorldIndex) -> Edge | None:
        """D24: create a role trusting oneself, make it admin, assume it (no sts permission needed)."""
        new = ix.new_role(s.account)
        if not admin_status(new).admin:
            return None
        # the caller picks the new role's permissions boundary (``iam:PermissionsBoundary`` of
        # CreateRole, and then of every write to the role): none, or one that caps nothing
        boundaries: tuple[str | None, ...] = (None,)
        if any(c.key_lower == BOUNDARY_KEY for st in ix.allow_statements(s, "iam:CreateRole") for c in st.conditions):
            boundaries += tuple(ix.admin_policy_arns(s.account))
        # and its tags (``created_tags``), when a statement for these actions tests one
        conds = [c for a in _D24_ACTIONS for c in created_tags.tag_conditions(s.policies.candidates(a))]
        tag_sets: list[created_tags.Tags] = [()]
        if conds:
            tag_sets += created_tags.choices(conds, caller_keys(s))
        for tags, bnd in itertools.product(tag_sets, boundaries):
            ctx: dict[str, Any] = {"iam:PermissionsBoundary": bnd} if bnd is not None else {}
            d1, arn = ix.ask_new_at(s, "iam:CreateRole", new.arn,
                                    {**ctx, **created_tags.contexts("iam:CreateRole", tags)} or None)
            if not d1.allowed:
                continue
            on_role = {**ctx, **created_tags.contexts("iam:AttachRolePolicy", tags)} or None
            d2 = _attach(ix, s, "iam:AttachRolePolicy", arn, on_role) or _put(ix, s, "iam:PutRolePolicy", arn,
                                                                              on_role)
            if d2 is None:
                continue
            why = f"can create role {arn.rsplit('/', 1)[-1]} trusting itself and give it admin"
            if bnd is not None:
                why += f" (its permissions boundary {bnd.rsplit('/', 1)[-1]} caps nothing)"
            return Edge(s.arn, s.arn, "D24", why, reasons_of(d1, d2), grants_admin=True)
        return None

    def _join_group(self, s: Subject, ix: WorldIndex) -> Iterator[Edge]:
        """D13: join a group whose powers make the user admin, or let it escalate itself."""
        for g, d in _joinable_groups(ix, s):
            if g.name in s.groups:
                continue
            after = s.with_group(g)
            why = f"can add itself to group {g.name}"
            if admin_status(after).admin:
                yield Edge(s.arn, s.arn, "D13", why + ", which holds * on *", reasons_of(d), grants_admin=True)
                return
            follow = next(iter(self._self_edges(after, ix, allow_groups=False)), None)
            if follow is not None:
                yield Edge(s.arn, s.arn, "D13", why + f", then {follow.technique}", reasons_of(d),
                           grants_admin=True, then=(follow,))
                return

    # -- into another principal ------------------------------------------------------------

    def edges_into(self, target: Subject, ix: WorldIndex, want: Want) -> Iterable[Edge]:
        e = target.entity
        plan: tuple[tuple[str, tuple[str, ...], str], ...]
        if isinstance(e, User):
            plan = (
                ("D03", ("iam:CreateAccessKey",), "can create an access key for"),
                ("D04", ("iam:CreateAccessKey", "iam:DeleteAccessKey"), "can delete and re-create an access key of"),
                ("D05", ("iam:CreateLoginProfile",), "can create a console password for"),
                ("D06", ("iam:UpdateLoginProfile",), "can reset the console password of"),
            )
        elif isinstance(e, Role):
            plan = (("D14", ("iam:UpdateAssumeRolePolicy",), "can rewrite the trust policy of"),)
        else:
            return
        for tid, actions, verb in plan:
            h = ix.holders[actions[0].lower()]
            # only the target's account can write it (below): its own holders on ``*`` only,
            # not every account's for every target
            anywhere = ix.live(want, ("D-anywhere", actions, target.account_id),
                               lambda h=h, actions=actions: [
                                   a for a in _anywhere_by_account(ix, h, actions).get(target.account_id, ())
                                   if all(ix.can_somewhere(ix.subjects[a], x) for x in actions)])
            srcs = set(anywhere)
            lit = h.literal.get(target.arn)
            if lit:
                srcs |= lit
            # the patterns some holder in the target's account states: ``arn:aws:iam::*:user/${aws:username}``
            # gives one pattern per user name, held in every account that has the name, and the
            # other accounts' holders cannot write this user anyway
            part = _account_patterns(ix, h, actions[0]).get(target.account_id)
            for pat in part.matching_patterns(target.arn) if part is not None else ():
                srcs.update(ix.live(want, ("D-pattern", actions, pat, target.account_id),
                                    lambda part=part, pat=pat, actions=actions: _pattern_holders(
                                        ix, part, pat, actions, target.account_id)))
            for a in actions[1:]:
                h2 = ix.holders[a.lower()]
                srcs = {x for x in srcs if h2.holds_for(x, target.arn)}
            for src in sorted(srcs):
                # IAM has no resource policies on users and roles: only the same account can write them
                if src == target.arn or not want(src) or ix.subjects[src].account_id != target.account_id:
                    continue
                s = ix.subjects[src]
                if not all(ix.can_somewhere(s, a) for a in actions):
                    continue
                ds = [ix.ask(s, a, target.arn) for a in actions]
                if all(d.allowed for d in ds):
                    yield Edge(src, target.arn, tid, f"{verb} {e.name}", reasons_of(*ds))

    # -- make another principal admin, then become it ------------------------------------------

    def granting_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]:
        return list(islice(self._granting(s, ix), MAX_GRANTING))

    def _granting(self, s: Subject, ix: WorldIndex) -> Iterator[Edge]:
        if not ix.holds_any(s, _GRANT_ANY):
            return  # ``can_somewhere`` (and so ``_can_attach``) is False for each of them
        can_attach_role = _can_attach(ix, s, "iam:AttachRolePolicy") or ix.can_somewhere(s, "iam:PutRolePolicy")
        can_version = ix.can_somewhere(s, "iam:CreatePolicyVersion")
        if can_attach_role or can_version:
            via_trust = set(ix.targets(s, "iam:UpdateAssumeRolePolicy", ix.arns(s.account_id, "role")))
            assumable = assumable_roles(ix, s)
            for rarn in sorted(assumable | via_trust):
                t = ix.subjects.get(rarn)
                if t is None or rarn == s.arn or t.account_id != s.account_id or not ix.admin_if_granted(t):
                    continue
                entry: tuple[str, Decision] | None = None
                if rarn in assumable:
                    d, note = assume_decision(ix, s, t.entity)  # type: ignore[arg-type]
                    if note is None:
                        entry = ("assume", d)
                if entry is None and rarn in via_trust:
                    d = ix.ask(s, "iam:UpdateAssumeRolePolicy", rarn)
                    if d.allowed:
                        entry = ("trust", d)
                if entry is None:
                    continue
                how, d_in = entry
                for tids, action, verb in ((("D16", "D21"), "iam:AttachRolePolicy", _attach),
                                           (("D17", "D23"), "iam:PutRolePolicy", _put)):
                    dv = verb(ix, s, action, rarn)
                    if dv is not None:
                        tid = tids[0] if how == "assume" else tids[1]
                        yield Edge(s.arn, rarn, tid, f"can use {action} on {t.entity.name}, then "
                                   + ("assume it" if how == "assume" else "rewrite its trust and assume it"),
                                   reasons_of(dv, d_in), grants_admin=True)
                        break
                else:
                    pv = _policy_version(ix, s, t)
                    if pv is not None:
                        tid = "D18" if how == "assume" else "D22"
                        yield Edge(s.arn, rarn, tid, f"can rewrite {pv[1]} attached to {t.entity.name}, then "
                                   + ("assume it" if how == "assume" else "rewrite its trust and assume it"),
                                   reasons_of(pv[0], d_in), grants_admin=True)
        if (_can_attach(ix, s, "iam:AttachUserPolicy") or ix.can_somewhere(s, "iam:PutUserPolicy")) and (
            ix.can_somewhere(s, "iam:CreateAccessKey")
        ):
            for uarn in ix.targets(s, "iam:CreateAccessKey", ix.arns(s.account_id, "user")):
                t = ix.subjects[uarn]
                if uarn == s.arn:
                    continue
                dk = ix.ask(s, "iam:CreateAccessKey", uarn)
                if not dk.allowed or not ix.admin_if_granted(t):
                    continue
                for tid, action, verb in (("D19", "iam:AttachUserPolicy", _attach),
                                          ("D20", "iam:PutUserPolicy", _put)):
                    du = verb(ix, s, action, uarn)
                    if du is not None:
                        yield Edge(s.arn, uarn, tid, f"can use {action} on {t.entity.name}, then create its access key",
                                   reasons_of(du, dk), grants_admin=True)
                        break
