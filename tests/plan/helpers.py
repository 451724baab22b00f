"""Small ``terraform show -json`` documents for the reader's tests (the documented format)."""

from __future__ import annotations

import json
from typing import Any

ACCT = "111122223333"


def doc(*statements: dict[str, Any]) -> str:
    """A policy document as Terraform's jsonencode writes it (compact JSON text)."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":"))


def trust_account(account: str = ACCT) -> str:
    return doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"})


ADMIN = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})


def rc(address: str, actions: list[str], before: dict[str, Any] | None = None,
       after: dict[str, Any] | None = None, unknown: dict[str, Any] | None = None) -> dict[str, Any]:
    typ, name = address.split(".")[-2], address.split(".")[-1]
    return {"address": address, "mode": "managed", "type": typ, "name": name.split("[")[0],
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": actions, "before": before, "after": after, "after_unknown": unknown or {}}}


def plan(*changes: dict[str, Any], config: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    p: dict[str, Any] = {"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": list(changes)}
    if config is not None:
        p["configuration"] = {"root_module": {"resources": config}}
    return p


def create(address: str, after: dict[str, Any], unknown: dict[str, Any] | None = None) -> dict[str, Any]:
    return rc(address, ["create"], None, after, unknown)


def admin_role_plan() -> dict[str, Any]:
    """The seed's AdminRole: trusts the account, AdministratorAccess; alice may assume it."""
    return plan(
        create("aws_iam_role.admin", {"name": "AdminRole", "path": "/", "assume_role_policy": trust_account()},
               {"arn": True, "id": True}),
        create("aws_iam_role_policy_attachment.admin",
               {"role": "AdminRole", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
        create("aws_iam_user.alice", {"name": "alice", "path": "/"}),
        create("aws_iam_user_policy.alice", {"name": "AssumeAdmin", "user": "alice", "policy": doc(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{ACCT}:role/AdminRole"})}),
    )
