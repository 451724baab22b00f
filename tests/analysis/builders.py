"""Small hand-made accounts for the analysis tests, in get-account-authorization-details shape."""

from __future__ import annotations

from typing import Any

from iamwarden.loaders.authz_details import account_from_details
from iamwarden.model.account import World

ACCT = "111122223333"
OTHER = "444455556666"


def arn(kind: str, name: str, account: str = ACCT) -> str:
    return f"arn:aws:iam::{account}:{kind}/{name}"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trust(principal: Any, **extra: Any) -> dict[str, Any]:
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra})


ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


class Builder:
    """Collects users, groups, roles and managed policies of one account."""

    def __init__(self, account: str = ACCT):
        self.account = account
        self.users: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        self.roles: list[dict[str, Any]] = []
        self.policies: dict[str, dict[str, Any]] = {}

    def policy(self, name: str, *versions: dict[str, Any], default: int = 0) -> str:
        a = f"arn:aws:iam::{self.account}:policy/{name}"
        self.policies[a] = {
            "PolicyName": name, "Arn": a, "Path": "/", "PolicyId": "ANPA" + name.upper(),
            "DefaultVersionId": f"v{default + 1}",
            "PolicyVersionList": [{"Document": d, "VersionId": f"v{i + 1}", "IsDefaultVersion": i == default}
                                  for i, d in enumerate(versions)],
        }
        return a

    def _attach(self, arns: tuple[str, ...]) -> list[dict[str, str]]:
        out = []
        for a in arns:
            if a == ADMIN and a not in self.policies:
                self.policies[a] = {
                    "PolicyName": "AdministratorAccess", "Arn": a, "Path": "/", "DefaultVersionId": "v1",
                    "PolicyVersionList": [{"Document": doc(allow("*")), "VersionId": "v1", "IsDefaultVersion": True}]}
            out.append({"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a})
        return out

    def user(self, name: str, *inline: dict[str, Any], attached: tuple[str, ...] = (), groups: tuple[str, ...] = (),
             boundary: str | None = None, tags: dict[str, str] | None = None) -> str:
        u: dict[str, Any] = {
            "UserName": name, "Arn": arn("user", name, self.account), "UserId": "AIDA" + name.upper(), "Path": "/",
            "UserPolicyList": [{"PolicyName": f"p{i}", "PolicyDocument": d} for i, d in enumerate(inline)],
            "AttachedManagedPolicies": self._attach(attached), "GroupList": list(groups),
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        }
        if boundary:
            u["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
        self.users.append(u)
        return u["Arn"]

    def group(self, name: str, *inline: dict[str, Any], attached: tuple[str, ...] = ()) -> str:
        g = {"GroupName": name, "Arn": arn("group", name, self.account), "GroupId": "AGPA" + name.upper(), "Path": "/",
             "GroupPolicyList": [{"PolicyName": f"p{i}", "PolicyDocument": d} for i, d in enumerate(inline)],
             "AttachedManagedPolicies": self._attach(attached)}
        self.groups.append(g)
        return g["Arn"]

    def role(self, name: str, trust_doc: dict[str, Any], *inline: dict[str, Any], attached: tuple[str, ...] = (),
             boundary: str | None = None, profiles: tuple[str, ...] = ()) -> str:
        r: dict[str, Any] = {
            "RoleName": name, "Arn": arn("role", name, self.account), "RoleId": "AROA" + name.upper(), "Path": "/",
            "AssumeRolePolicyDocument": trust_doc,
            "RolePolicyList": [{"PolicyName": f"p{i}", "PolicyDocument": d} for i, d in enumerate(inline)],
            "AttachedManagedPolicies": self._attach(attached),
            "InstanceProfileList": [{"InstanceProfileName": p, "Arn": f"arn:aws:iam::{self.account}:instance-profile/{p}"}
                                    for p in profiles],
            "Tags": [],
        }
        if boundary:
            r["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
        self.roles.append(r)
        return r["Arn"]

    def details(self) -> dict[str, Any]:
        return {"UserDetailList": self.users, "GroupDetailList": self.groups, "RoleDetailList": self.roles,
                "Policies": list(self.policies.values())}

    def account_obj(self):  # noqa: ANN201
        return account_from_details(self.details(), f"<{self.account}>")


def world(*builders: Builder) -> World:
    accts = {b.account: b.account_obj() for b in builders}
    return World(accts)
