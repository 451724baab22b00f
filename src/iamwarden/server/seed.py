"""``serve --load FILE``: put get-account-authorization-details output into the store.

Everything goes through the store's own operations, so the same checks apply
as for API calls (a bad document is refused with its place). Roles are created
with a placeholder trust first and get their real trust policy once every
user and role exists, because a trust policy may name principals that come
later in the file (spec §5.3: naming a missing principal is an error).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..loaders.authz_details import account_files, account_from_details
from ..store import Store
from ..store.aws_managed import AWS_MANAGED


class SeedError(ValueError):
    """The file cannot be loaded into the store; names the file and entity."""


def _doc(raw: Any) -> str:
    if isinstance(raw, str):
        import urllib.parse

        return urllib.parse.unquote(raw) if "%7B" in raw[:10] else raw
    return json.dumps(raw)


def _tags(raw: Any) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in raw or []]


def load_into_store(store: Store, paths: list[str]) -> list[str]:
    """Load each file (one account each); returns the account ids loaded."""
    loaded = []
    for f in account_files(paths):
        data = json.loads(Path(f).read_text(encoding="utf-8"))
        try:
            account = account_from_details(data, str(f)).account_id  # validates the whole file first
            with store.quotas_suspended():  # AWS already holds these documents
                _load(store, account, data)
        except ValueError as e:
            raise SeedError(f"{f}: {e}") from None
        except Exception as e:  # store errors carry AWS codes
            code = getattr(e, "code", type(e).__name__)
            raise SeedError(f"{f}: {code}: {getattr(e, 'message', e)}") from None
        loaded.append(account)
    return loaded


def _load(store: Store, account: str, data: dict[str, Any]) -> None:
    store.ensure_account(account)
    for p in data.get("Policies") or []:
        if p["Arn"] in AWS_MANAGED or p["Arn"].split(":")[4] == "aws":
            continue
        versions = p.get("PolicyVersionList") or []
        default = next((v for v in versions if v.get("IsDefaultVersion")), versions[0])
        others = [v for v in versions if v is not default]
        first = others[0] if others else default
        store.create_policy(account, p["PolicyName"], _doc(first["Document"]), p.get("Path", "/"),
                            p.get("Description"))
        for v in others[1:] + ([default] if others else []):
            store.create_policy_version(p["Arn"], _doc(v["Document"]), set_as_default=v is default)
    placeholder = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]})
    for g in data.get("GroupDetailList") or []:
        store.create_group(account, g["GroupName"], g.get("Path", "/"))
        for ip in g.get("GroupPolicyList") or []:
            store.put_inline_policy(account, "group", g["GroupName"], ip["PolicyName"], _doc(ip["PolicyDocument"]))
        for ap in g.get("AttachedManagedPolicies") or []:
            store.attach_policy(account, "group", g["GroupName"], ap["PolicyArn"])
    for u in data.get("UserDetailList") or []:
        boundary = (u.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        store.create_user(account, u["UserName"], u.get("Path", "/"), _tags(u.get("Tags")), boundary)
        for gname in u.get("GroupList") or []:
            store.add_user_to_group(account, gname, u["UserName"])
        for ip in u.get("UserPolicyList") or []:
            store.put_inline_policy(account, "user", u["UserName"], ip["PolicyName"], _doc(ip["PolicyDocument"]))
        for ap in u.get("AttachedManagedPolicies") or []:
            store.attach_policy(account, "user", u["UserName"], ap["PolicyArn"])
    roles = data.get("RoleDetailList") or []
    for r in roles:
        store.create_role(account, r["RoleName"], placeholder, r.get("Path", "/"), r.get("Description"),
                          r.get("MaxSessionDuration"), _tags(r.get("Tags")))
        boundary = (r.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        if boundary:
            store.put_boundary(account, "role", r["RoleName"], boundary)
        for ip in r.get("RolePolicyList") or []:
            store.put_inline_policy(account, "role", r["RoleName"], ip["PolicyName"], _doc(ip["PolicyDocument"]))
        for ap in r.get("AttachedManagedPolicies") or []:
            store.attach_policy(account, "role", r["RoleName"], ap["PolicyArn"])
        for prof in r.get("InstanceProfileList") or []:
            name = prof["InstanceProfileName"]
            try:
                store.create_instance_profile(account, name, prof.get("Path", "/"))
            except Exception as e:
                if getattr(e, "code", "") != "EntityAlreadyExists":
                    raise
            store.add_role_to_instance_profile(account, name, r["RoleName"])
    for r in roles:
        store.update_assume_role_policy(account, r["RoleName"], _doc(r["AssumeRolePolicyDocument"]))
    for sp in data.get("SAMLProviderList") or []:  # iamwarden's addition to the export (docs/account-files.md)
        store.create_saml_provider(account, sp["Arn"].split(":saml-provider/", 1)[1], sp["SAMLMetadataDocument"],
                                   _tags(sp.get("Tags")))
    for op in data.get("OpenIDConnectProviderList") or []:
        # the loader checked the entries; the keys (iamwarden's "Jwks") are the issuer's (sts-oidc-keys.md)
        url = "https://" + (op.get("Url") or op["Arn"].split(":oidc-provider/", 1)[1])
        store.create_oidc_provider(account, url, op.get("ClientIDList") or (), op.get("ThumbprintList") or (),
                                   _tags(op.get("Tags")))
        if op.get("Jwks") is not None:
            store.set_oidc_jwks(account, url, op["Jwks"])
