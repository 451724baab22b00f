"""IAM API handlers over the store, registered with the wire layer's registry.

Each operation is declared once with :func:`iam_operation`: its name, the IAM
action it needs (``iam:<Operation>``) and how to build the resource ARN the
engine must authorize, so a single dispatcher step can ask the engine before
running the handler (:func:`required_authorization`). Handlers take
``(api, ctx, params)`` with the decoded, validated input and return the
operation's output dict in botocore's shape; store refusals
(:class:`~iamwarden.store.errors.StoreError`) become :class:`AwsError` with
the same code, message and status.

Policy documents leave the server URL-encoded JSON, as IAM sends them
(botocore URL-decodes ``policyDocumentType`` members).

Use::

    registry = HandlerRegistry()
    register_iam_handlers(registry, store, default_account_id="123456789012")
    resolver = StoreCredentialResolver(store)      # long-term keys (AKIA)
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..model.organization import Organization
from ..store import Store
from ..store.errors import StoreError
from ..store.records import entity_arn

# iam_oidc_handlers and iam_saml_handlers are imported for what importing them does: declare their operations
from . import iam_oidc_handlers, iam_saml_handlers, simulator  # noqa: F401
from .dispatch import HandlerRegistry
from .errors import AwsError, InvalidClientTokenId
from .iam_operations import (
    OPERATIONS,
    SERVICE,
    HandlerFn,
    IamApi,
    IamOperation,
    ResourceFn,
    iam_operation,
    paginate,
    principal_account,
    required_authorization,
)
from .request import RequestContext
from .sigv4 import ResolvedCredential

POLICY_DOCUMENT_KEYS = frozenset({"AssumeRolePolicyDocument", "PolicyDocument", "Document"})


# --- who is calling ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StorePrincipal:
    """The principal behind a long-term access key (what the resolver hands the handlers)."""

    account_id: str
    arn: str
    access_key_id: str
    user_name: str | None = None
    user_id: str | None = None

    @property
    def is_root(self) -> bool:
        return self.user_name is None


class StoreCredentialResolver:
    """SigV4 credential lookup for the store's long-term keys (user and root).

    Temporary (``ASIA``) keys are passed to ``temporary`` -- the STS resolver --
    when given; unknown or inactive keys are ``InvalidClientTokenId``.
    """

    def __init__(
        self,
        store: Store,
        temporary: Callable[[str, str | None], ResolvedCredential] | None = None,
    ) -> None:
        self.store = store
        self.temporary = temporary

    def resolve(self, access_key_id: str, session_token: str | None) -> ResolvedCredential:
        if access_key_id.startswith("ASIA") and self.temporary is not None:
            return self.temporary(access_key_id, session_token)
        record = self.store.lookup_access_key(access_key_id)
        if record is None or not record.active or session_token:
            raise InvalidClientTokenId()
        principal = StorePrincipal(
            record.account_id, record.principal_arn, record.access_key_id,
            record.user_name, record.user_id,
        )
        return ResolvedCredential(record.secret_access_key, principal)


# --- declarations ------------------------------------------------------------------------


def _path_of(store: Store | None, account_id: str, kind: str, name: str) -> str:
    if store is None:
        return "/"
    try:
        if kind == "user":
            return store.get_user(account_id, name)["Path"]
        if kind == "group":
            return store.get_group(account_id, name)[0]["Path"]
        if kind == "role":
            return store.get_role(account_id, name)["Path"]
        if kind == "instance-profile":
            return store.get_instance_profile(account_id, name)["Path"]
    except StoreError:
        pass
    return "/"


def _entity(kind: str, param: str, new: bool = False) -> ResourceFn:
    def resource(p: Mapping[str, Any], account_id: str, store: Store | None) -> str:
        name = p.get(param) or ""
        path = (p.get("Path") or "/") if new else _path_of(store, account_id, kind, name)
        return entity_arn(account_id, kind, path, name)

    return resource


def _listing(kind: str) -> ResourceFn:
    def resource(p: Mapping[str, Any], account_id: str, store: Store | None) -> str:
        return entity_arn(account_id, kind, p.get("PathPrefix") or "/", "")

    return resource


def _policy_arn(p: Mapping[str, Any], account_id: str, store: Store | None) -> str:
    return str(p.get("PolicyArn") or "*")


def _policy_source(p: Mapping[str, Any], account_id: str, store: Store | None) -> str:
    return str(p.get("PolicySourceArn") or "*")


def _new_policy(p: Mapping[str, Any], account_id: str, store: Store | None) -> str:
    return entity_arn(account_id, "policy", p.get("Path") or "/", p.get("PolicyName") or "")


def _user_or_self(p: Mapping[str, Any], account_id: str, store: Store | None) -> str:
    if p.get("UserName"):
        return _entity("user", "UserName")(p, account_id, store)
    return "*"


USER = _entity("user", "UserName")
GROUP = _entity("group", "GroupName")
ROLE = _entity("role", "RoleName")
PROFILE = _entity("instance-profile", "InstanceProfileName")


def register_iam_handlers(
    registry: HandlerRegistry, store: Store, default_account_id: str | None = None,
    organization: Organization | None = None,
) -> IamApi:
    """Register every declared IAM operation with ``registry``; returns the shared API object.

    The OIDC and SAML provider operations are declared in their own modules, on
    ``iam_operations`` like these; importing them above declares them.
    """
    api = IamApi(store, default_account_id, organization)
    for op in OPERATIONS.values():
        registry.register(SERVICE, op.name, _wrap(api, op.handler))
    return api


def _wrap(api: IamApi, fn: HandlerFn) -> Callable[[RequestContext, dict[str, Any]], Mapping[str, Any] | None]:
    def handler(ctx: RequestContext, params: dict[str, Any]) -> Mapping[str, Any] | None:
        try:
            out = fn(api, ctx, params)
        except StoreError as e:
            raise AwsError(e.code, e.message, e.status, detail=e.detail) from None
        return encode_documents(out) if out else out

    handler.__name__ = getattr(fn, "__name__", "iam_handler")
    return handler


def encode_documents(value: Any) -> Any:
    """URL-encode every policy document string in an output dict (IAM's wire form)."""
    if isinstance(value, Mapping):
        return {
            k: (urllib.parse.quote(v, safe="") if k in POLICY_DOCUMENT_KEYS and isinstance(v, str)
                else encode_documents(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [encode_documents(v) for v in value]
    return value


def _kind_ops(kind: str, noun: str, param: str, resource: ResourceFn) -> None:
    """Inline policies, attachments (user, group, role) -- same rules, three kinds."""

    @iam_operation(f"Put{noun}Policy", resource)
    def put(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
        api.store.put_inline_policy(api.account(ctx), kind, p[param], p["PolicyName"], p["PolicyDocument"])

    @iam_operation(f"Get{noun}Policy", resource)
    def get(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        doc = api.store.get_inline_policy(api.account(ctx), kind, p[param], p["PolicyName"])
        return {param: p[param], "PolicyName": p["PolicyName"], "PolicyDocument": doc}

    @iam_operation(f"Delete{noun}Policy", resource)
    def delete(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
        api.store.delete_inline_policy(api.account(ctx), kind, p[param], p["PolicyName"])

    @iam_operation(f"List{noun}Policies", resource)
    def list_(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        names = api.store.list_inline_policies(api.account(ctx), kind, p[param])
        return paginate(names, p, "PolicyNames")

    @iam_operation(f"Attach{noun}Policy", resource)
    def attach(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
        api.store.attach_policy(api.account(ctx), kind, p[param], p["PolicyArn"])

    @iam_operation(f"Detach{noun}Policy", resource)
    def detach(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
        api.store.detach_policy(api.account(ctx), kind, p[param], p["PolicyArn"])

    @iam_operation(f"ListAttached{noun}Policies", resource)
    def list_attached(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        items = api.store.list_attached_policies(
            api.account(ctx), kind, p[param], p.get("PathPrefix") or "/"
        )
        return paginate(items, p, "AttachedPolicies")

    if kind != "group":

        @iam_operation(f"Put{noun}PermissionsBoundary", resource)
        def put_boundary(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
            api.store.put_boundary(api.account(ctx), kind, p[param], p["PermissionsBoundary"])

        @iam_operation(f"Delete{noun}PermissionsBoundary", resource)
        def delete_boundary(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
            api.store.delete_boundary(api.account(ctx), kind, p[param])

        @iam_operation(f"Tag{noun}", resource)
        def tag(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
            api.store.tag(api.account(ctx), kind, p[param], p["Tags"])

        @iam_operation(f"Untag{noun}", resource)
        def untag(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
            api.store.untag(api.account(ctx), kind, p[param], p["TagKeys"])

        @iam_operation(f"List{noun}Tags", resource)
        def list_tags(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
            return paginate(api.store.list_tags(api.account(ctx), kind, p[param]), p, "Tags")


_kind_ops("user", "User", "UserName", USER)
_kind_ops("group", "Group", "GroupName", GROUP)
_kind_ops("role", "Role", "RoleName", ROLE)


# --- users ---------------------------------------------------------------------------------


@iam_operation("CreateUser", _entity("user", "UserName", new=True))
def create_user(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    user = api.store.create_user(
        api.account(ctx), p["UserName"], p.get("Path") or "/", p.get("Tags") or (),
        p.get("PermissionsBoundary"),
    )
    return {"User": user}


@iam_operation("GetUser", _user_or_self)
def get_user(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"User": api.store.get_user(api.account(ctx), api.caller_user(ctx, p))}


@iam_operation("ListUsers", _listing("user"))
def list_users(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return paginate(api.store.list_users(api.account(ctx), p.get("PathPrefix") or "/"), p, "Users")


@iam_operation("UpdateUser", USER)
def update_user(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.update_user(api.account(ctx), p["UserName"], p.get("NewUserName"), p.get("NewPath"))


@iam_operation("DeleteUser", USER)
def delete_user(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.delete_user(api.account(ctx), p["UserName"])


# --- groups --------------------------------------------------------------------------------


@iam_operation("CreateGroup", _entity("group", "GroupName", new=True))
def create_group(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"Group": api.store.create_group(api.account(ctx), p["GroupName"], p.get("Path") or "/")}


@iam_operation("GetGroup", GROUP)
def get_group(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    group, users = api.store.get_group(api.account(ctx), p["GroupName"])
    out = paginate(users, p, "Users")
    out["Group"] = group
    return out


@iam_operation("ListGroups", _listing("group"))
def list_groups(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return paginate(api.store.list_groups(api.account(ctx), p.get("PathPrefix") or "/"), p, "Groups")


@iam_operation("UpdateGroup", GROUP)
def update_group(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.update_group(api.account(ctx), p["GroupName"], p.get("NewGroupName"), p.get("NewPath"))


@iam_operation("DeleteGroup", GROUP)
def delete_group(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.delete_group(api.account(ctx), p["GroupName"])


@iam_operation("AddUserToGroup", GROUP)
def add_user_to_group(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.add_user_to_group(api.account(ctx), p["GroupName"], p["UserName"])


@iam_operation("RemoveUserFromGroup", GROUP)
def remove_user_from_group(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.remove_user_from_group(api.account(ctx), p["GroupName"], p["UserName"])


@iam_operation("ListGroupsForUser", USER)
def list_groups_for_user(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return paginate(api.store.list_groups_for_user(api.account(ctx), p["UserName"]), p, "Groups")


# --- roles ---------------------------------------------------------------------------------


@iam_operation("CreateRole", _entity("role", "RoleName", new=True))
def create_role(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    role = api.store.create_role(
        api.account(ctx), p["RoleName"], p["AssumeRolePolicyDocument"], p.get("Path") or "/",
        p.get("Description"), p.get("MaxSessionDuration"), p.get("Tags") or (),
        p.get("PermissionsBoundary"),
    )
    role.pop("RoleLastUsed", None)
    return {"Role": role}


@iam_operation("GetRole", ROLE)
def get_role(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"Role": api.store.get_role(api.account(ctx), p["RoleName"])}


@iam_operation("ListRoles", _listing("role"))
def list_roles(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return paginate(api.store.list_roles(api.account(ctx), p.get("PathPrefix") or "/"), p, "Roles")


@iam_operation("UpdateRole", ROLE)
def update_role(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.update_role(api.account(ctx), p["RoleName"], p.get("Description"), p.get("MaxSessionDuration"))


@iam_operation("UpdateRoleDescription", ROLE)
def update_role_description(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    role = api.store.update_role(api.account(ctx), p["RoleName"], p["Description"])
    role.pop("RoleLastUsed", None)
    return {"Role": role}


@iam_operation("UpdateAssumeRolePolicy", ROLE)
def update_assume_role_policy(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.update_assume_role_policy(api.account(ctx), p["RoleName"], p["PolicyDocument"])


@iam_operation("DeleteRole", ROLE)
def delete_role(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.delete_role(api.account(ctx), p["RoleName"])


# --- managed policies --------------------------------------------------------------------------


@iam_operation("CreatePolicy", _new_policy)
def create_policy(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    policy = api.store.create_policy(
        api.account(ctx), p["PolicyName"], p["PolicyDocument"], p.get("Path") or "/",
        p.get("Description"), p.get("Tags") or (),
    )
    return {"Policy": policy}


@iam_operation("GetPolicy", _policy_arn)
def get_policy(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"Policy": api.store.get_policy(p["PolicyArn"])}


@iam_operation("DeletePolicy", _policy_arn)
def delete_policy(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.delete_policy(p["PolicyArn"])


@iam_operation("ListPolicies", lambda p, a, s: entity_arn(a, "policy", p.get("PathPrefix") or "/", ""))
def list_policies(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    items = api.store.list_policies(
        api.account(ctx), p.get("Scope") or "All", bool(p.get("OnlyAttached")), p.get("PathPrefix") or "/"
    )
    return paginate(items, p, "Policies")


@iam_operation("CreatePolicyVersion", _policy_arn)
def create_policy_version(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    version = api.store.create_policy_version(p["PolicyArn"], p["PolicyDocument"], bool(p.get("SetAsDefault")))
    return {"PolicyVersion": version}


@iam_operation("GetPolicyVersion", _policy_arn)
def get_policy_version(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"PolicyVersion": api.store.get_policy_version(p["PolicyArn"], p["VersionId"])}


@iam_operation("ListPolicyVersions", _policy_arn)
def list_policy_versions(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return paginate(api.store.list_policy_versions(p["PolicyArn"]), p, "Versions")


@iam_operation("DeletePolicyVersion", _policy_arn)
def delete_policy_version(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.delete_policy_version(p["PolicyArn"], p["VersionId"])


@iam_operation("SetDefaultPolicyVersion", _policy_arn)
def set_default_policy_version(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.set_default_policy_version(p["PolicyArn"], p["VersionId"])


# --- access keys and login profiles ----------------------------------------------------------------


@iam_operation("CreateAccessKey", _user_or_self)
def create_access_key(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"AccessKey": api.store.create_access_key(api.account(ctx), api.caller_user(ctx, p))}


@iam_operation("ListAccessKeys", _user_or_self)
def list_access_keys(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    principal = ctx.principal
    if not p.get("UserName") and getattr(principal, "is_root", False):
        keys = [
            {"AccessKeyId": k.access_key_id, "Status": k.status}
            for k in api.store.root_access_keys(api.account(ctx))
        ]
        return paginate(keys, p, "AccessKeyMetadata")
    keys = api.store.list_access_keys(api.account(ctx), api.caller_user(ctx, p))
    return paginate(keys, p, "AccessKeyMetadata")


@iam_operation("UpdateAccessKey", _user_or_self)
def update_access_key(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.update_access_key(api.account(ctx), api.caller_user(ctx, p), p["AccessKeyId"], p["Status"])


@iam_operation("DeleteAccessKey", _user_or_self)
def delete_access_key(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.delete_access_key(api.account(ctx), api.caller_user(ctx, p), p["AccessKeyId"])


@iam_operation("GetAccessKeyLastUsed")
def get_access_key_last_used(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    user, used = api.store.access_key_last_used(p["AccessKeyId"])
    out: dict[str, Any] = {"AccessKeyLastUsed": used}
    if user:
        out["UserName"] = user
    return out


@iam_operation("CreateLoginProfile", _user_or_self)
def create_login_profile(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    profile = api.store.create_login_profile(
        api.account(ctx), api.caller_user(ctx, p), p.get("Password") or "",
        bool(p.get("PasswordResetRequired")),
    )
    return {"LoginProfile": profile}


@iam_operation("GetLoginProfile", _user_or_self)
def get_login_profile(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"LoginProfile": api.store.get_login_profile(api.account(ctx), api.caller_user(ctx, p))}


@iam_operation("DeleteLoginProfile", _user_or_self)
def delete_login_profile(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.delete_login_profile(api.account(ctx), api.caller_user(ctx, p))


# --- instance profiles ----------------------------------------------------------------------------


@iam_operation("CreateInstanceProfile", _entity("instance-profile", "InstanceProfileName", new=True))
def create_instance_profile(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    profile = api.store.create_instance_profile(
        api.account(ctx), p["InstanceProfileName"], p.get("Path") or "/", p.get("Tags") or ()
    )
    return {"InstanceProfile": profile}


@iam_operation("GetInstanceProfile", PROFILE)
def get_instance_profile(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"InstanceProfile": api.store.get_instance_profile(api.account(ctx), p["InstanceProfileName"])}


@iam_operation("AddRoleToInstanceProfile", PROFILE)
def add_role_to_instance_profile(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.add_role_to_instance_profile(api.account(ctx), p["InstanceProfileName"], p["RoleName"])


@iam_operation("RemoveRoleFromInstanceProfile", PROFILE)
def remove_role_from_instance_profile(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.remove_role_from_instance_profile(api.account(ctx), p["InstanceProfileName"], p["RoleName"])


@iam_operation("ListInstanceProfiles", _listing("instance-profile"))
def list_instance_profiles(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    items = api.store.list_instance_profiles(api.account(ctx), p.get("PathPrefix") or "/")
    return paginate(items, p, "InstanceProfiles")


@iam_operation("ListInstanceProfilesForRole", ROLE)
def list_instance_profiles_for_role(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    items = api.store.list_instance_profiles_for_role(api.account(ctx), p["RoleName"])
    return paginate(items, p, "InstanceProfiles")


@iam_operation("DeleteInstanceProfile", PROFILE)
def delete_instance_profile(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.delete_instance_profile(api.account(ctx), p["InstanceProfileName"])


# --- account-wide reads and the simulator -----------------------------------------------------------


@iam_operation("GetAccountAuthorizationDetails")
def get_account_authorization_details(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    details = api.store.authorization_details(api.account(ctx), p.get("Filter"))
    # One stream over the four lists, paginated together, regrouped per page.
    stream = [(key, item) for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
              for item in details[key]]
    page = paginate(stream, p, "_items")
    out: dict[str, Any] = {key: [] for key in details}
    for key, item in page.pop("_items"):
        out[key].append(item)
    out.update(page)
    return out


@iam_operation("SimulatePrincipalPolicy", _policy_source)
def simulate_principal_policy(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    results = simulator.simulate_principal(api.store, api.account(ctx), p, api.organization)
    return paginate(results, p, "EvaluationResults")


@iam_operation("SimulateCustomPolicy")
def simulate_custom_policy(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    results = simulator.simulate_custom(api.store, api.account(ctx), p)
    return paginate(results, p, "EvaluationResults")


@iam_operation("GetContextKeysForCustomPolicy")
def get_context_keys_for_custom_policy(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"ContextKeyNames": simulator.context_keys(p["PolicyInputList"])}


@iam_operation("GetContextKeysForPrincipalPolicy", _policy_source)
def get_context_keys_for_principal_policy(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    texts = simulator.principal_policy_texts(api.store, p["PolicySourceArn"])
    texts += list(p.get("PolicyInputList") or [])
    return {"ContextKeyNames": simulator.context_keys(texts)}


__all__ = [
    "OPERATIONS",
    "IamApi",
    "IamOperation",
    "StoreCredentialResolver",
    "StorePrincipal",
    "encode_documents",
    "iam_operation",
    "paginate",
    "principal_account",
    "register_iam_handlers",
    "required_authorization",
]
