"""Asking a question of loaded accounts: which policies apply to a caller and a resource.

This is the bridge from the account model to the authorizer: it collects the
caller's identity policies and boundary, the resource's policy (a role's trust
policy when the action is ``sts:AssumeRole``), and the organization levels
(spec §1.1), then calls ``authorize``.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..model.account import AccountError, Role, User, World
from ..model.arn import Arn
from ..model.organization import rcp_applies
from ..model.principal import Caller, PrincipalType
from ..model.resources import HeldResource
from ..policy.catalog import catalog
from ..policy.document import Policy, PolicyKind, parse_policy
from .authorizer import authorize
from .context import entity_tag_keys
from .decision import Decision, Reason, Verdict
from .policyset import PolicySet
from .request import TRUST_ACTIONS, Request

_ENTITY_POLICIES = (PrincipalType.USER, PrincipalType.ROLE_SESSION, PrincipalType.FEDERATED_USER)


#: What a federated user made from **root** credentials acts with, before its session
#: policies cut it: root's own permissions, which are everything in its account (root has
#: no identity policies to read). AWS: the federated user's permissions are "the
#: intersection of the session policies and the identity-based policies of the caller";
#: for root those are all permissions. UNCONFIRMED in the spec (decision:
#: docs/decisions/sts-federation-token.md); SCPs still cap it, as they cap root.
ROOT_FEDERATED_IDENTITY = parse_policy(
    {"Version": "2012-10-17",
     "Statement": [{"Sid": "RootUserPermissions", "Effect": "Allow", "Action": "*", "Resource": "*"}]},
    PolicyKind.IDENTITY, "root-user-permissions",
)


def _is_root_arn(arn: str) -> bool:
    a = Arn.parse(arn)
    return a is not None and a.service == "iam" and a.resource == "root"


class UnknownPrincipal(ValueError):
    """The principal is not in the loaded accounts."""


def caller_for(world: World, principal: str) -> Caller:
    """Resolve a principal ARN against the data: unique IDs, role paths."""
    fast = _loaded_entity_caller(world, principal)
    if fast is not None:
        return fast
    caller = Caller.from_arn(principal)
    if caller.type in (PrincipalType.SERVICE, PrincipalType.ANONYMOUS, PrincipalType.ROOT):
        return caller
    if caller.type is PrincipalType.FEDERATED_USER:
        return caller
    entity = world.entity(caller.entity_arn or principal)
    if entity is None:
        known = ", ".join(sorted(world.accounts))
        raise UnknownPrincipal(f"{principal}: no such user or role in the loaded accounts ({known})")
    if isinstance(entity, User):
        return Caller(PrincipalType.USER, entity.arn, caller.account, entity.arn, entity.name,
                      unique_id=entity.user_id or None, partition=caller.partition)
    assert isinstance(entity, Role)
    return Caller(PrincipalType.ROLE_SESSION, caller.arn, caller.account, entity.arn, entity.name,
                  caller.session_name, entity.role_id or None, caller.partition)


def _loaded_entity_caller(world: World, principal: str) -> Caller | None:
    """``caller_for`` for the ARN of a loaded user or role as the account holds it (what an
    audit asks for every principal), or None: the ARN is read once, and no caller is built
    only to be replaced. The same fields as the general path (``Caller.from_arn``, then the
    entity's ARN, name and unique ID)."""
    parts = principal.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[4]:
        return None
    acct = world.accounts.get(parts[4])
    entity = acct._by_arn.get(principal) if acct is not None else None
    if entity is None:
        return None
    partition, account, resource = parts[1], parts[4], parts[5]
    if isinstance(entity, User) and resource.startswith("user/"):
        return Caller(_USER, entity.arn, account, entity.arn, entity.name, None, entity.user_id or None, partition)
    if isinstance(entity, Role) and resource.startswith("role/"):
        session = f"arn:{partition}:sts::{account}:assumed-role/{resource.rsplit('/', 1)[-1]}/iamwarden"
        return Caller(_ROLE_SESSION, session, account, entity.arn, entity.name, "iamwarden",
                      entity.role_id or None, partition)
    return None


_USER = PrincipalType.USER
_ROLE_SESSION = PrincipalType.ROLE_SESSION


def principal_tags(world: World, caller: Caller) -> dict[str, str]:
    e = world.entity(caller.entity_arn) if caller.entity_arn else None
    if isinstance(e, (User, Role)):
        return dict(e.tags)
    return {}


def principal_org_keys(world: World, caller: Caller) -> dict[str, Any]:
    """``aws:PrincipalOrgID``/``aws:PrincipalOrgPaths`` when an organization is loaded (spec §3.1)."""
    if world.organization is None or caller.type in (PrincipalType.SERVICE, PrincipalType.ANONYMOUS):
        return {}
    return world.organization.principal_keys(caller.account or "")


def resource_org_keys(world: World, account: str | None) -> dict[str, Any]:
    """``aws:ResourceOrgID``/``aws:ResourceOrgPaths`` of a resource owned by ``account`` when an
    organization is loaded and holds that account."""
    if world.organization is None or not account:
        return {}
    return world.organization.resource_keys(account)


def owner_org_keys(world: World, ctx: dict[str, Any], owner: str) -> None:
    """Set ``ctx``'s ``aws:ResourceOrgID`` / ``aws:ResourceOrgPaths`` to those of the resource's
    owner account (a request on ``*`` or an ARN naming no account: the caller's), removing
    them when the owner is outside the organization (AWS then sends none)."""
    ctx.pop("aws:ResourceOrgID", None)
    ctx.pop("aws:ResourceOrgPaths", None)
    ctx.update(resource_org_keys(world, owner))


def policies_for(
    world: World,
    caller: Caller,
    resource: str,
    action: str = "",
    session: tuple[Policy, ...] = (),
) -> PolicySet:
    """The PolicySet for ``caller`` acting on ``resource`` (spec §1.1)."""
    identity: tuple[Policy, ...] = ()
    boundary = None
    # a federated user acts with the policies (and boundary) of the user that created it (§1.5)
    if caller.type in _ENTITY_POLICIES and caller.entity_arn:
        acct = world.account(caller.account)
        entity = acct.entity(caller.entity_arn) if acct else None
        if isinstance(entity, (User, Role)) and acct is not None:
            identity = acct.identity_policies(entity)
            boundary = acct.boundary(entity)
        elif caller.type is PrincipalType.FEDERATED_USER and _is_root_arn(caller.entity_arn):
            identity = (ROOT_FEDERATED_IDENTITY,)
    resource_policy = None
    a = Arn.parse(resource)
    # A role's trust policy is its resource policy only for the STS actions
    # that assume it or tag/identify the session (spec §1.6); an IAM action on
    # the role (iam:DeleteRole…) has no resource-based policy at all.
    if (
        a is not None and a.service == "iam" and a.resource.startswith("role/")
        and action.lower() in TRUST_ACTIONS
    ):
        target = world.entity(resource)
        if isinstance(target, Role):
            resource_policy = target.trust
    held = world.resources.find(resource) if resource_policy is None else None
    if held is not None:
        resource_policy = held.policy
    return PolicySet(
        identity=identity,
        resource=resource_policy,
        boundary=boundary,
        session=session,
        scp=world.scps.get(caller.account or "", ()),
        rcp=rcp_levels(world, resource_account(world, resource) or "", action, held),
    )


def resource_account(world: World, resource: str) -> str | None:
    """The account that owns ``resource``: a loaded resource's (an S3 bucket ARN names none), else the ARN's."""
    held = world.resources.find(resource)
    if held is not None:
        return held.account
    a = Arn.parse(resource)
    return a.account if a is not None and a.account else None


def rcp_levels(world: World, resource_account: str, action: str = "",
               held: HeldResource | None = None) -> tuple[tuple[Policy, ...], ...]:
    """The RCP levels of the resource's account, for the services RCPs cover (spec §1.8).

    An action of a service outside ``model.organization.RCP_SERVICES`` is not capped by
    RCPs at all; an unnamed action (``""``) keeps them (fail closed). AWS-managed KMS
    keys are not capped (spec §1.2).
    """
    if action and not rcp_applies(action):
        return ()
    if held is not None and held.managed:
        return ()
    return world.rcps.get(resource_account, ())


#: IAM actions whose ``iam:PermissionsBoundary`` is the boundary the request sets (a new user
#: or role's, or the one put in place), not the one the entity has
BOUNDARY_IN_REQUEST = frozenset({"iam:createuser", "iam:createrole", "iam:putuserpermissionsboundary",
                                 "iam:putrolepermissionsboundary"})
_BOUNDARY_KEY = "iam:permissionsboundary"


def entity_keys(target: User | Role, action: str) -> dict[str, str]:
    """The context keys a request on an existing user or role carries from it: its tags
    (``aws:ResourceTag/*`` and ``iam:ResourceTag/*``, ``context.entity_tag_keys``) and, for
    the IAM actions the Service Authorization Reference lists the key for, its permissions
    boundary (``iam:PermissionsBoundary``, "the specified policy is set as the permissions
    boundary on the IAM entity"; absent when it has none). The delegated-administrator
    policies of the IAM User Guide rely on it: "attach policies only to users whose boundary
    is X"."""
    out = entity_tag_keys(target.tags)
    b = boundary_key(target, action)
    if b is not None:
        out["iam:PermissionsBoundary"] = b
    return out


def boundary_key(target: User | Role, action: str) -> str | None:
    """``iam:PermissionsBoundary`` of a request on ``target`` (see ``entity_keys``), or None."""
    if target.boundary is None or action.lower() in BOUNDARY_IN_REQUEST:
        return None
    keys = catalog().action_condition_keys(action)
    return target.boundary if keys is not None and _BOUNDARY_KEY in keys else None


def decide(
    world: World,
    principal: str | Caller,
    action: str,
    resource: str = "*",
    context: Mapping[str, Any] | None = None,
    session: tuple[Policy, ...] = (),
) -> Decision:
    """Decide one request against loaded accounts.

    Principal tags (``aws:PrincipalTag/*``) and, for a target user or role, its
    ``aws:ResourceTag/*`` and ``iam:PermissionsBoundary`` (``entity_keys``) are derived
    from the data unless supplied.
    """
    try:
        caller = principal if isinstance(principal, Caller) else caller_for(world, principal)
        ctx: dict[str, Any] = {}
        for k, v in principal_tags(world, caller).items():
            ctx[f"aws:PrincipalTag/{k}"] = v
        ctx.update(principal_org_keys(world, caller))
        owner = resource_account(world, resource)
        ctx.update(resource_org_keys(world, owner or caller.account))
        target = world.entity(resource) if resource.startswith("arn:") else None
        if isinstance(target, (User, Role)):
            ctx.update(entity_keys(target, action))
        ctx.update(context or {})
        req = Request.build(caller, action, resource, ctx, resource_account=owner)
        return authorize(req, policies_for(world, caller, resource, action, session))
    except AccountError as e:
        return Decision(
            Verdict.IMPLICIT_DENY, (Reason("error", "account data incomplete; denied"),), (str(e),), "error"
        )
