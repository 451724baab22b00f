"""The policies that apply to one request, grouped by type (spec §1.1, §1.2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from ..policy.document import Effect, Policy, PolicyKind, Statement, parse_policy, parse_policy_tolerant
from .plan import IdentityPlan, identity_plan
from .request import TRUST_ACTIONS

Level = tuple[Policy, ...]


@dataclass(frozen=True, slots=True, eq=False)
class PolicySet:
    """Everything the authorizer reads.

    - ``identity``: the entity's inline and attached policies (a user's groups included).
    - ``resource``: the resource policy; a role's trust policy for ``sts:AssumeRole``.
    - ``boundary``: the permissions boundary, or None when there is none.
    - ``session``: session policies (inline + managed); empty = none were passed.
    - ``scp`` / ``rcp``: organization levels root → account, each a tuple of
      policies; empty = not in an organization.
    - ``problems``: what the documents hold that IAM would refuse to store, when
      they were read with ``tolerant=True`` (spec §1.4: such documents are
      evaluated as AWS evaluates what it holds, and every decision reports them).
    - ``unreadable_denies``: statements among those that were left out and are,
      or may be, a Deny; the authorizer cannot know what they deny, so it never
      allows while they exist (fail closed).
    """

    identity: tuple[Policy, ...] = ()
    resource: Policy | None = None
    boundary: Policy | None = None
    session: tuple[Policy, ...] = ()
    scp: tuple[Level, ...] = ()
    rcp: tuple[Level, ...] = ()
    problems: tuple[str, ...] = ()
    unreadable_denies: tuple[str, ...] = ()
    _by_action: dict[str, Any] = field(default_factory=dict, repr=False)
    #: the action as a request spells it -> (its lower-cased key, ``candidates`` of it): a
    #: request's action is looked up as given, without lower-casing it (``authorizer.authorize``)
    _by_spelling: dict[str, tuple[str, Any]] = field(default_factory=dict, repr=False)

    def __init__(
        self,
        identity: tuple[Policy, ...] = (),
        resource: Policy | None = None,
        boundary: Policy | None = None,
        session: tuple[Policy, ...] = (),
        scp: tuple[Level, ...] = (),
        rcp: tuple[Level, ...] = (),
        problems: tuple[str, ...] = (),
        unreadable_denies: tuple[str, ...] = (),
    ) -> None:
        # Written out (``dataclass`` keeps a class's own ``__init__``), with the slots' own
        # setters: a policy set is built per principal and per hypothetical trust or resource,
        # and the generated frozen one calls ``object.__setattr__`` per field.
        _set_identity_p(self, identity)
        _set_resource_p(self, resource)
        _set_boundary_p(self, boundary)
        _set_session_p(self, session)
        _set_scp_p(self, scp)
        _set_rcp_p(self, rcp)
        _set_problems_p(self, problems)
        _set_unreadable_p(self, unreadable_denies)
        _set_by_action_p(self, {})
        _set_by_spelling_p(self, {})

    def candidates(self, action_key: str) -> Candidates:
        """Statements whose Action/NotAction matches, per policy type (memoised per action).

        The index is what keeps a decision in the microseconds: conditions and
        resources are only looked at for statements that can apply at all.
        """
        c = self._by_action.get(action_key)
        if c is None:
            resource, boundary = self.resource, self.boundary
            identity = _pick(self.identity, action_key)
            res = _picks(resource, action_key) if resource is not None else ()
            bound = _picks(boundary, action_key) if boundary is not None else ()
            session = _pick(self.session, action_key) if self.session else ()
            scp = tuple(_pick(level, action_key) for level in self.scp) if self.scp else ()
            rcp = tuple(_pick(level, action_key) for level in self.rcp) if self.rcp else ()
            # everything a ``Candidates`` (and its plan) is made of: see ``_SHARED``
            key = (identity, res, bound, session, scp, rcp, resource is not None, boundary is not None,
                   bool(self.session), _ACTION_CLASS.get(action_key, 0))
            c = _SHARED.get(key)
            if c is None:
                c = Candidates(identity=identity, resource=res, boundary=bound, session=session, scp=scp, rcp=rcp)
                object.__setattr__(c, "plan", identity_plan(self, action_key, c))
                if len(_SHARED) >= _SHARED_SIZE:
                    _SHARED.clear()
                _SHARED[key] = c
            if len(self._by_action) < 8192:
                self._by_action[action_key] = c
        return c

    def candidates_as_spelled(self, action: str) -> tuple[str, Candidates]:
        """``(action.lower(), candidates(action.lower()))``, memoised per spelling like ``candidates``."""
        hit = self._by_spelling.get(action)
        if hit is None:
            key = action.lower()
            hit = (key, self.candidates(key))
            if len(self._by_spelling) < 8192:
                self._by_spelling[action] = hit
        return hit

    def replace(self, **changes: Any) -> PolicySet:
        """A copy with some policy types swapped (e.g. a hypothetical trust policy).

        The per-action index is not copied: it belongs to the old policies.
        """
        fields: dict[str, Any] = {
            "identity": self.identity,
            "resource": self.resource,
            "boundary": self.boundary,
            "session": self.session,
            "scp": self.scp,
            "rcp": self.rcp,
            "problems": self.problems,
            "unreadable_denies": self.unreadable_denies,
        }
        fields.update(changes)
        return PolicySet(**fields)

    def all_policies(self) -> Iterable[tuple[str, Policy]]:
        for p in self.identity:
            yield "identity", p
        if self.resource:
            yield "resource", self.resource
        if self.boundary:
            yield "boundary", self.boundary
        for p in self.session:
            yield "session", p
        for level in self.scp:
            for p in level:
                yield "scp", p
        for level in self.rcp:
            for p in level:
                yield "rcp", p

    @classmethod
    def from_documents(
        cls,
        identity: Iterable[Any] = (),
        resource: Any = None,
        boundary: Any = None,
        session: Iterable[Any] = (),
        scp: Iterable[Iterable[Any]] = (),
        rcp: Iterable[Iterable[Any]] = (),
        resource_kind: PolicyKind = PolicyKind.RESOURCE,
        tolerant: bool = False,
    ) -> PolicySet:
        """Parse raw JSON documents (dicts or text) into a policy set.

        ``tolerant``: documents IAM would refuse are still read for evaluation
        (``parse_policy_tolerant``) and their problems kept in ``problems``;
        only a document with nothing to evaluate raises ``PolicySyntaxError``.
        """
        problems: list[str] = []
        denies: list[str] = []

        def parse(d: Any, kind: PolicyKind, name: str) -> Policy:
            if not tolerant:
                return parse_policy(d, kind, name)
            got = parse_policy_tolerant(d, kind, name)
            problems.extend(f"{name}: {p} (IAM would refuse this document)" for p in got.problems)
            denies.extend(f"{name}: {path}" for path in got.unreadable_denies)
            return got.policy

        return cls(
            identity=tuple(parse(d, PolicyKind.IDENTITY, f"identity[{i}]") for i, d in enumerate(identity)),
            resource=parse(resource, resource_kind, "resource") if resource is not None else None,
            boundary=parse(boundary, PolicyKind.BOUNDARY, "boundary") if boundary is not None else None,
            session=tuple(parse(d, PolicyKind.SESSION, f"session[{i}]") for i, d in enumerate(session)),
            scp=tuple(
                tuple(parse(d, PolicyKind.SCP, f"scp[{li}][{i}]") for i, d in enumerate(level))
                for li, level in enumerate(scp)
            ),
            rcp=tuple(
                tuple(parse(d, PolicyKind.RCP, f"rcp[{li}][{i}]") for i, d in enumerate(level))
                for li, level in enumerate(rcp)
            ),
            problems=tuple(problems),
            unreadable_denies=tuple(denies),
        )


# the slot descriptors of the final (slotted) class, used by ``PolicySet.__init__``
(_set_identity_p, _set_resource_p, _set_boundary_p, _set_session_p, _set_scp_p, _set_rcp_p, _set_problems_p,
 _set_unreadable_p, _set_by_action_p, _set_by_spelling_p) = (
    PolicySet.__dict__[name].__set__ for name in ("identity", "resource", "boundary", "session", "scp", "rcp",
                                                  "problems", "unreadable_denies", "_by_action", "_by_spelling"))

Picked = tuple[tuple[Policy, Statement], ...]


@dataclass(frozen=True, slots=True)
class Candidates:
    identity: Picked
    resource: Picked
    boundary: Picked
    session: Picked
    scp: tuple[Picked, ...]
    rcp: tuple[Picked, ...]
    #: Derived once per action (the authorizer's hot path reads these): step 1 of
    #: spec §1.3 looks only at Deny statements, the later steps only at Allows.
    #: ``denies``: the non-empty (policy type, Deny statements) groups, in the
    #: order step 1 reports them; ``allow``: Allow statements per policy type.
    denies: tuple[tuple[str, Picked], ...] = field(default=(), compare=False)
    allow: dict[str, Picked] = field(default_factory=dict, compare=False)
    scp_allow: tuple[Picked, ...] = field(default=(), compare=False)
    rcp_allow: tuple[Picked, ...] = field(default=(), compare=False)
    #: the compiled plan for this action when the policy set has one (``plan.identity_plan``)
    plan: IdentityPlan | None = field(default=None, compare=False)

    def statements(self) -> Iterator[Statement]:
        """Every picked statement, of every policy type and organization level (the analysis
        reads their conditions to know which request values tell answers apart)."""
        for picked in (self.identity, self.resource, self.boundary, self.session, *self.scp, *self.rcp):
            for _, st in picked:
                yield st

    def __init__(self, identity: Picked, resource: Picked, boundary: Picked, session: Picked,
                 scp: tuple[Picked, ...], rcp: tuple[Picked, ...], plan: IdentityPlan | None = None) -> None:
        # Written out (``dataclass`` keeps a class's own ``__init__``), with the slots' own
        # setters: the generated frozen one calls ``object.__setattr__`` per field, then
        # ``__post_init__`` once more per derived field (one is built per distinct picks).
        _set_identity(self, identity)
        _set_resource(self, resource)
        _set_boundary(self, boundary)
        _set_session(self, session)
        _set_scp(self, scp)
        _set_rcp(self, rcp)
        _set_plan(self, plan)
        denies: list[tuple[str, Picked]] = []
        allow: dict[str, Picked] = {}
        for t, picked in (("resource", resource), ("identity", identity), ("boundary", boundary),
                          ("session", session)):
            d, a = _by_effect(picked)
            if d:
                denies.append((t, d))
            allow[t] = a
        scp_allow = _level_allows(self.scp, "scp", denies)
        rcp_allow = _level_allows(self.rcp, "rcp", denies)
        _set_denies(self, tuple(denies))
        _set_allow(self, allow)
        _set_scp_allow(self, scp_allow)
        _set_rcp_allow(self, rcp_allow)


def _level_allows(levels: tuple[Picked, ...], kind: str, denies: list[tuple[str, Picked]]) -> tuple[Picked, ...]:
    """Each SCP/RCP level's Allow picks, in order; its Deny picks go to ``denies`` under ``kind``."""
    allows = []
    for level in levels:
        d, a = _by_effect(level)
        if d:
            denies.append((kind, d))
        allows.append(a)
    return tuple(allows)


# the slot descriptors of the final (slotted) class, used by ``Candidates.__init__``
(_set_identity, _set_resource, _set_boundary, _set_session, _set_scp, _set_rcp, _set_plan, _set_denies,
 _set_allow, _set_scp_allow, _set_rcp_allow) = (
    Candidates.__dict__[name].__set__ for name in ("identity", "resource", "boundary", "session", "scp", "rcp",
                                                   "plan", "denies", "allow", "scp_allow", "rcp_allow"))


def _by_effect(picked: Picked) -> tuple[Picked, Picked]:
    """``picked``'s Deny and its Allow statements, each in order (``picked`` itself when all are one)."""
    if not picked:
        return (), ()
    denies = [ps for ps in picked if ps[1].effect is _DENY]
    if not denies:
        return (), picked
    if len(denies) == len(picked):
        return picked, ()
    return tuple(denies), tuple(ps for ps in picked if ps[1].effect is not _DENY)


_DENY = Effect.DENY


def _picks(p: Policy, action_key: str) -> Picked:
    """``p``'s statements whose Action matches ``action_key``, with ``p``, in order (memoised per
    policy: a managed policy is in many policy sets, each asking it per action)."""
    memo = p._picks
    hit = memo.get(action_key)
    if hit is None:
        hit = tuple((p, s) for s in p.statements if s.matches_action(action_key))
        if len(memo) < 4096:
            memo[action_key] = hit
    return hit


def _pick(policies: Iterable[Policy], action_key: str) -> Picked:
    out: Picked = ()
    for p in policies:
        hit = _picks(p, action_key)
        if hit:
            out = out + hit if out else hit
    return out


#: What a ``Candidates`` is made of, for sharing one between policy sets:
#: ``(identity, resource, boundary, session, scp, rcp, has resource policy, has boundary,
#: has session policies, action class)`` -> the ``Candidates``. The picks are tuples of
#: ``(Policy, Statement)``, both compared by identity, so equal keys mean the same statements
#: of the same policies in the same places; the three flags and the SCP/RCP level counts (the tuples' lengths)
#: are what ``plan.identity_plan`` reads of the policy set besides them, and the action
#: class what it reads of the action (``sts:GetCallerIdentity``: no plan; a trust action:
#: the plan leaves IAM roles to the procedure). Nothing else in a ``Candidates`` or its
#: plan depends on the action or the policy set, so the policy sets of principals with
#: the same policies (users of the same groups, a role asked under each trust policy), and
#: actions that pick the same statements (often none), share one (built once, its plan's
#: narrowing memo shared too). A policy set whose policies (session policies included)
#: differ in what matches gets its own. Bounded: cleared when full (16,384 entries, each
#: a few hundred bytes plus the picks: about 20 MB at the very most); while held, a key
#: keeps its policies alive.
_SHARED: dict[tuple[Any, ...], Candidates] = {}
_SHARED_SIZE = 16384
_ACTION_CLASS = {"sts:getcalleridentity": 2, **{a: 1 for a in TRUST_ACTIONS}}
