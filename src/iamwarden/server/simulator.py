"""The IAM policy simulator: SimulatePrincipalPolicy / SimulateCustomPolicy (spec §7).

Results have AWS's shape (§7.3): ``EvalDecision`` (``allowed`` /
``explicitDeny`` / ``implicitDeny``), ``MatchedStatements`` with
``SourcePolicyId``/``SourcePolicyType`` and the 1-based line/column of the
statement's ``{`` and ``}`` in the policy text, ``MissingContextValues``,
``PermissionsBoundaryDecisionDetail``, ``OrganizationsDecisionDetail``,
``EvalDecisionDetails`` (cross-account only) and ``ResourceSpecificResults``.
Decisions come from the same engine that enforces requests.

Deliberate difference from AWS (documented in docs/decisions/store-simulator.md):
for ``sts:AssumeRole`` (and the other trust actions) on a role ARN, the role's
stored trust policy is evaluated as the resource policy when no
``ResourcePolicy`` is given; AWS's simulator ignores trust policies.

Naming choices for UNCONFIRMED items (spec §9.11): ``SourcePolicyId`` is the
policy name for stored policies, ``PolicyInputList.N`` for submitted ones,
``ResourcePolicy`` for a submitted resource policy and
``AssumeRolePolicyDocument`` for a stored trust policy; ``EvalDecisionDetails``
keys are ``IAM Policy`` and ``Resource Policy``. ``PolicyExclusionList`` and
``ResourceHandlingOption`` are accepted and ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Sequence, overload

from ..evaluation.authorizer import authorize
from ..evaluation.policyset import PolicySet
from ..evaluation.request import TRUST_ACTIONS, Request
from ..model.account import User
from ..model.arn import ACCOUNT_ID, Arn
from ..model.organization import Organization
from ..model.principal import Caller, PrincipalType
from ..policy.document import Policy, PolicyKind, parse_policy
from ..policy.echo import echo
from ..policy.errors import PolicySyntaxError, iam_message
from ..store import Store
from ..store.errors import InvalidInput, MalformedPolicyDocument, NoSuchEntity
from ..store.records import problems_message

LIST_TYPES = {"stringList", "numericList", "booleanList", "ipList", "binaryList", "dateList"}
_ALLOW_ALL = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    PolicyKind.IDENTITY, "__allow_all__",
)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a simulated policy came from, for ``MatchedStatements``."""

    policy_id: str
    policy_type: str
    text: str


# --- statement positions ------------------------------------------------------------------


class _Scanner:
    """Just enough JSON scanning to find where each statement starts and ends."""

    def __init__(self, text: str) -> None:
        self.t = text
        self.i = 0

    def ws(self) -> None:
        t, n = self.t, len(self.t)
        while self.i < n and t[self.i] in " \t\r\n":
            self.i += 1

    def string(self) -> str:
        start = self.i
        self.i += 1
        t = self.t
        while t[self.i] != '"':
            self.i += 2 if t[self.i] == "\\" else 1
        self.i += 1
        return json.loads(t[start : self.i])

    def value(self) -> None:
        self.ws()
        c = self.t[self.i]
        if c == '"':
            self.string()
        elif c in "{[":
            close = "}" if c == "{" else "]"
            self.i += 1
            self.ws()
            if self.t[self.i] == close:
                self.i += 1
                return
            while True:
                self.ws()
                if c == "{":
                    self.string()
                    self.ws()
                    self.i += 1  # ':'
                self.value()
                self.ws()
                sep = self.t[self.i]
                self.i += 1
                if sep == close:
                    return
        else:
            while self.i < len(self.t) and self.t[self.i] not in ",}] \t\r\n":
                self.i += 1


def _line_col(text: str, offset: int) -> dict[str, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return {"Line": line, "Column": col}


def statement_spans(text: str) -> list[tuple[dict[str, int], dict[str, int]]]:
    """(start, end) line/column of each statement's braces, in statement order."""
    s = _Scanner(text)
    try:
        s.ws()
        if s.t[s.i] != "{":
            return []
        s.i += 1
        while True:
            s.ws()
            if s.t[s.i] == "}":
                return []
            key = s.string()
            s.ws()
            s.i += 1
            s.ws()
            if key == "Statement":
                spans: list[Any] = []
                if s.t[s.i] == "[":
                    s.i += 1
                    while True:
                        s.ws()
                        if s.t[s.i] == "]":
                            return spans
                        start = s.i
                        s.value()
                        spans.append((_line_col(text, start), _line_col(text, s.i - 1)))
                        s.ws()
                        if s.t[s.i] == ",":
                            s.i += 1
                else:
                    start = s.i
                    s.value()
                    return [(_line_col(text, start), _line_col(text, s.i - 1))]
            s.value()
            s.ws()
            if s.t[s.i] == ",":
                s.i += 1
    except (IndexError, ValueError):
        return []


# --- simulation ------------------------------------------------------------------------


class Simulation:
    """Collects the policies of one simulate call, then evaluates actions × resources."""

    def __init__(self, store: Store, account_id: str) -> None:
        self.store = store
        self.account_id = account_id
        self.sources: dict[str, Source] = {}
        self.identity: list[Policy] = []
        self.boundary: Policy | None = None
        self.resource_policy: Policy | None = None
        self.scp: tuple[tuple[Policy, ...], ...] = ()
        self.caller: Caller | None = None

    def add(self, text: str, kind: PolicyKind, policy_id: str, policy_type: str) -> Policy:
        key = f"{policy_type}:{policy_id}:{len(self.sources)}"
        try:
            policy = parse_policy(text, kind, key)
        except PolicySyntaxError as e:
            raise MalformedPolicyDocument(iam_message(e), detail=f"{policy_id}: {problems_message(e)}") from None
        self.sources[key] = Source(policy_id, policy_type, text)
        return policy

    def add_inputs(self, params: dict[str, Any]) -> None:
        for i, text in enumerate(params.get("PolicyInputList") or [], 1):
            self.identity.append(self.add(text, PolicyKind.IDENTITY, f"PolicyInputList.{i}", "none"))
        boundaries = params.get("PermissionsBoundaryPolicyInputList") or []
        if len(boundaries) > 1:
            raise InvalidInput("Only one permissions boundary policy can be simulated at a time.")
        if boundaries:
            self.boundary = self.add(
                boundaries[0], PolicyKind.BOUNDARY, "PermissionsBoundaryPolicyInputList.1", "none"
            )
        if params.get("ResourcePolicy"):
            self.resource_policy = self.add(
                params["ResourcePolicy"], PolicyKind.RESOURCE, "ResourcePolicy", "resource"
            )

    def add_principal(self, source_arn: str) -> None:
        """The stored policies of a user (with its groups), group or role."""
        a = Arn.parse(source_arn)
        if a is None or a.service != "iam" or a.resource_type not in ("user", "group", "role"):
            raise InvalidInput(f"Invalid Entity Arn: {source_arn} does not clearly define entity type and name.")
        world = self.store.to_world()
        acct = world.account(a.account)
        entity = acct.entity(source_arn) if acct else None
        kind = a.resource_type
        if entity is None or acct is None:
            raise NoSuchEntity(f"The {kind} with name {a.name} cannot be found.")
        self.account_id = acct.account_id
        owners: list[tuple[str, str]] = [(kind, entity.name)]
        if isinstance(entity, User):
            owners += [("group", g) for g in entity.groups]
        for okind, oname in owners:
            for pname in self.store.list_inline_policies(acct.account_id, okind, oname):
                text = self.store.get_inline_policy(acct.account_id, okind, oname, pname)
                self.identity.append(self.add(text, PolicyKind.IDENTITY, pname, okind))
            for att in self.store.list_attached_policies(acct.account_id, okind, oname):
                managed = self.store.managed_policy_text(att["PolicyArn"])
                if managed is None:
                    continue
                ptype = "aws-managed" if ":aws:policy/" in att["PolicyArn"] else "user-managed"
                self.identity.append(self.add(managed, PolicyKind.IDENTITY, att["PolicyName"], ptype))
        boundary_arn = getattr(entity, "boundary", None)
        if boundary_arn and self.boundary is None:
            bound = self.store.managed_policy_text(boundary_arn)
            if bound is not None:
                self.boundary = self.add(bound, PolicyKind.BOUNDARY, boundary_arn.rsplit("/", 1)[1], "none")
        if kind == "group":
            self.caller = Caller(PrincipalType.USER, source_arn, a.account, source_arn, a.name)
        elif kind == "user":
            self.caller = Caller(PrincipalType.USER, entity.arn, a.account, entity.arn, entity.name,
                                 unique_id=entity.user_id or None)  # type: ignore[union-attr]
        else:
            self.caller = Caller.from_arn(entity.arn, unique_id=entity.role_id or None)  # type: ignore[union-attr]

    def set_caller(self, caller_arn: str | None) -> None:
        if caller_arn is None:
            return
        a = Arn.parse(caller_arn)
        if a is None or a.service != "iam" or a.resource_type not in ("user", "role"):
            raise InvalidInput(f"Invalid Entity Arn: {caller_arn} is not a user or role ARN.")
        world = self.store.to_world()
        entity = world.entity(caller_arn)
        unique_id = getattr(entity, "user_id", None) or getattr(entity, "role_id", None)
        self.caller = Caller.from_arn(caller_arn, unique_id=unique_id or None)

    # --- evaluation -----------------------------------------------------------------

    def _trust_policy(self, action: str, resource: str) -> Policy | None:
        if action.lower() not in TRUST_ACTIONS:
            return None
        a = Arn.parse(resource)
        if a is None or a.service != "iam" or a.resource_type != "role":
            return None
        try:
            role = self.store.get_role(a.account, a.name)
        except NoSuchEntity:
            return None
        if role["Arn"] != resource:
            return None
        text = role["AssumeRolePolicyDocument"]  # rendered: bound IDs back to ARNs (§5.3)
        return self.add(text, PolicyKind.TRUST, "AssumeRolePolicyDocument", "resource")

    def _matched(self, reasons: Sequence[Any], policies: Sequence[Policy]) -> list[dict[str, Any]]:
        out = []
        seen = set()
        for r in reasons:
            if r.statement is None or r.policy not in self.sources:
                continue
            if r.policy_type not in ("identity", "resource", "trust"):
                continue
            if (r.policy, r.statement) in seen:
                continue
            seen.add((r.policy, r.statement))
            src = self.sources[r.policy]
            entry: dict[str, Any] = {"SourcePolicyId": src.policy_id, "SourcePolicyType": src.policy_type}
            spans = statement_spans(src.text)
            if r.statement < len(spans):
                entry["StartPosition"], entry["EndPosition"] = spans[r.statement]
            out.append(entry)
        return out

    @staticmethod
    def _missing(ps: PolicySet, action: str, request: Request) -> list[str]:
        c = ps.candidates(action.lower())
        present = set(request.context.keys())
        out: dict[str, str] = {}
        groups = [c.identity, c.resource, c.boundary] + list(c.scp)
        for picked in groups:
            for _, st in picked:
                for cond in st.conditions:
                    if cond.key_lower not in present and cond.key_lower not in out:
                        out[cond.key_lower] = cond.key
        return list(out.values())

    def evaluate(self, params: dict[str, Any]) -> Evaluations:
        caller = self.caller
        if caller is None:
            caller = Caller(PrincipalType.USER, f"arn:aws:iam::{self.account_id}:user/simulated",
                            self.account_id, None, "simulated")
        context = context_from_entries(params.get("ContextEntries") or [])
        owner = params.get("ResourceOwner")
        if owner and not ACCOUNT_ID.match(owner):
            a = Arn.parse(owner)
            owner = a.account if a else owner
        actions = list(params["ActionNames"])
        resources = list(params.get("ResourceArns") or ["*"])
        for action in actions:
            if "*" in action or "?" in action:
                raise InvalidInput(f"Actions or resources in the request contain wildcards: {echo(action)}")
        return Evaluations(actions, resources, lambda a, r: self._one(caller, a, r, context, owner))

    def _one(
        self, caller: Caller, action: str, resource: str, context: dict[str, Any], owner: str | None
    ) -> dict[str, Any]:
        a = Arn.parse(resource)
        resource_account = (a.account if a and a.account else None) or owner or caller.account
        resource_policy = self.resource_policy or self._trust_policy(action, resource)
        ps = PolicySet(identity=tuple(self.identity), resource=resource_policy,
                       boundary=self.boundary, scp=self.scp)
        request = Request.build(caller, action, resource, context, resource_account=resource_account)
        decision = authorize(request, ps)
        result: dict[str, Any] = {
            "EvalActionName": action,
            "EvalResourceName": resource,
            "EvalDecision": decision.verdict.simulator_name,
            "MatchedStatements": self._matched(decision.reasons, ps.identity),
            "MissingContextValues": self._missing(ps, action, request),
        }
        own = Request.build(caller, action, resource, context, resource_account=caller.account)
        if self.scp:
            org = authorize(own, PolicySet(identity=(_ALLOW_ALL,), scp=self.scp))
            result["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": org.allowed}
        boundary_detail = None
        if self.boundary is not None:
            bd = authorize(own, PolicySet(identity=(self.boundary,)))
            boundary_detail = {"AllowedByPermissionsBoundary": bd.allowed}
            result["PermissionsBoundaryDecisionDetail"] = boundary_detail
        details: dict[str, str] | None = None
        if not request.same_account:
            ident = authorize(own, PolicySet(identity=tuple(self.identity), boundary=self.boundary))
            res = authorize(request, PolicySet(identity=(_ALLOW_ALL,), resource=resource_policy))
            details = {"IAM Policy": ident.verdict.simulator_name,
                       "Resource Policy": res.verdict.simulator_name}
            result["EvalDecisionDetails"] = details
        elif resource != "*":
            details = {}
            result["EvalDecisionDetails"] = details
        if resource != "*":
            specific: dict[str, Any] = {
                "EvalResourceName": resource,
                "EvalResourceDecision": result["EvalDecision"],
                "MatchedStatements": result["MatchedStatements"],
                "MissingContextValues": result["MissingContextValues"],
            }
            if details is not None:
                specific["EvalDecisionDetails"] = details
            if boundary_detail is not None:
                specific["PermissionsBoundaryDecisionDetail"] = boundary_detail
            result["ResourceSpecificResults"] = [specific]
        return result


class Evaluations(Sequence[dict[str, Any]]):
    """The results for every (action, resource) pair, in AWS's order, computed on demand.

    ``ActionNames`` and ``ResourceArns`` have no maximum in the model, so their
    product can be hundreds of millions of pairs inside one request body; the
    handler pages the results (``MaxItems`` ≤ 1,000), so only the pairs of the
    page asked for are evaluated (issue 8: bounded work per request). Same
    results, same order, same ``Marker``s as computing them all.
    """

    def __init__(self, actions: list[str], resources: list[str],
                 one: Callable[[str, str], dict[str, Any]]) -> None:
        self._actions = actions
        self._resources = resources
        self._one = one

    def __len__(self) -> int:
        return len(self._actions) * len(self._resources)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        a, r = divmod(index, len(self._resources))
        return self._one(self._actions[a], self._resources[r])


def context_from_entries(entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """ContextEntries → engine context (list types stay lists)."""
    out: dict[str, Any] = {}
    for e in entries:
        name = e.get("ContextKeyName")
        if not name:
            continue
        values = list(e.get("ContextKeyValues") or [])
        if e.get("ContextKeyType") in LIST_TYPES:
            out[name] = values
        elif values:
            out[name] = values[0] if len(values) == 1 else values
    return out


def simulate_custom(store: Store, account_id: str, params: dict[str, Any]) -> Evaluations:
    sim = Simulation(store, account_id)
    sim.add_inputs(params)
    levels = []
    for i, level in enumerate(params.get("OrderedOrganizationPolicyInputList") or []):
        docs = level.get("ServiceControlPolicyInputList") or [] if isinstance(level, dict) else []
        levels.append(tuple(sim.add(d, PolicyKind.SCP, f"OrganizationPolicy.{i + 1}.{j + 1}", "none")
                            for j, d in enumerate(docs)))
    sim.scp = tuple(levels)
    if params.get("ResourcePolicy") and not params.get("CallerArn"):
        raise InvalidInput("CallerArn must be specified when ResourcePolicy is specified.")
    sim.set_caller(params.get("CallerArn"))
    return sim.evaluate(params)


def simulate_principal(
    store: Store, account_id: str, params: dict[str, Any], organization: Organization | None = None
) -> Evaluations:
    """SimulatePrincipalPolicy: the principal's stored policies, and its organization's SCPs.

    AWS includes the SCPs of the principal's account when that account is a
    member of an organization (``OrganizationsDecisionDetail``: "only applies if
    the simulated user's account is part of an organization"); the endpoint's
    organization is the ``serve --org`` file (docs/decisions/org-endpoint.md).
    """
    sim = Simulation(store, account_id)
    sim.add_inputs(params)
    sim.add_principal(params["PolicySourceArn"])
    if organization is not None:
        sim.scp = organization.scp_levels(sim.account_id)
    if params.get("ResourcePolicy") and ":group/" in params["PolicySourceArn"] and not params.get("CallerArn"):
        raise InvalidInput("CallerArn must be specified when simulating a group with a ResourcePolicy.")
    sim.set_caller(params.get("CallerArn"))
    return sim.evaluate(params)


def context_keys(texts: Sequence[str]) -> list[str]:
    """Every condition key referenced by the policies, first spelling kept, in order."""
    out: dict[str, str] = {}
    for i, text in enumerate(texts, 1):
        try:
            policy = parse_policy(text, PolicyKind.IDENTITY, f"PolicyInputList.{i}")
        except PolicySyntaxError as e:
            detail = f"PolicyInputList.{i}: {problems_message(e)}"
            raise MalformedPolicyDocument(iam_message(e), detail=detail) from None
        for st in policy.statements:
            for cond in st.conditions:
                out.setdefault(cond.key_lower, cond.key)
    return list(out.values())


def principal_policy_texts(store: Store, source_arn: str) -> list[str]:
    sim = Simulation(store, "")
    sim.add_principal(source_arn)
    return [s.text for s in sim.sources.values()]
