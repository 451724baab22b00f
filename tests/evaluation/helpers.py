"""Small builders for rule tests: inline policies in, a ``Decision`` out.

Accounts follow the spec's conventions: ``A`` is the caller's account,
``B`` another account (spec header).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from iamwarden.evaluation import Decision, PolicySet, Request, authorize
from iamwarden.evaluation.request import TRUST_ACTIONS
from iamwarden.policy import PolicyKind

A = "111122223333"
B = "444455556666"
ROOT_A = f"arn:aws:iam::{A}:root"
ROOT_B = f"arn:aws:iam::{B}:root"
USER = f"arn:aws:iam::{A}:user/alice"
OTHER_USER = f"arn:aws:iam::{A}:user/bob"
ROLE = f"arn:aws:iam::{A}:role/R1"
SESSION = f"arn:aws:sts::{A}:assumed-role/R1/s1"
FEDUSER = f"arn:aws:sts::{A}:federated-user/alice"
USER_B = f"arn:aws:iam::{B}:user/bert"
ROLE_B = f"arn:aws:iam::{B}:role/RB"
SESSION_B = f"arn:aws:sts::{B}:assumed-role/RB/s1"
TARGET_ROLE = f"arn:aws:iam::{A}:role/Target"
TARGET_ROLE_B = f"arn:aws:iam::{B}:role/Target"
BUCKET_OBJ = "arn:aws:s3:::bucket/key.txt"
QUEUE_A = f"arn:aws:sqs:us-east-1:{A}:q"
QUEUE_B = f"arn:aws:sqs:us-east-1:{B}:q"


def stmt(effect: str = "Allow", action: Any = "*", resource: Any = "*", **extra: Any) -> dict:
    """A statement; pass ``resource=None`` to leave Resource out (resource policies)."""
    s: dict[str, Any] = {"Effect": effect, "Action": action}
    if resource is not None:
        s["Resource"] = resource
    for k, v in extra.items():
        s[k] = v
    return s


def allow(action: Any = "*", resource: Any = "*", **extra: Any) -> dict:
    return stmt("Allow", action, resource, **extra)


def deny(action: Any = "*", resource: Any = "*", **extra: Any) -> dict:
    return stmt("Deny", action, resource, **extra)


def doc(*statements: dict, version: str | None = "2012-10-17") -> dict:
    d: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        d["Version"] = version
    return d


def grant(principal: Any, action: Any = "*", effect: str = "Allow", **extra: Any) -> dict:
    """A resource-policy statement naming ``principal`` (a value of ``Principal``)."""
    if isinstance(principal, str) and principal != "*":
        principal = {"AWS": principal}
    return stmt(effect, action, None, Principal=principal, **extra)


def policies(
    action: str,
    resource: str,
    *,
    identity: Iterable[dict] = (),
    resource_policy: dict | None = None,
    boundary: dict | None = None,
    session: Iterable[dict] = (),
    scp: Iterable[Iterable[dict]] = (),
    rcp: Iterable[Iterable[dict]] = (),
) -> PolicySet:
    trust = action.lower() in TRUST_ACTIONS and ":role/" in resource
    return PolicySet.from_documents(
        identity=list(identity),
        resource=resource_policy,
        boundary=boundary,
        session=list(session),
        scp=[list(level) for level in scp],
        rcp=[list(level) for level in rcp],
        resource_kind=PolicyKind.TRUST if trust else PolicyKind.RESOURCE,
    )


def decide(
    principal: str,
    action: str,
    resource: str = "*",
    *,
    identity: Iterable[dict] = (),
    resource_policy: dict | None = None,
    boundary: dict | None = None,
    session: Iterable[dict] = (),
    scp: Iterable[Iterable[dict]] = (),
    rcp: Iterable[Iterable[dict]] = (),
    context: Mapping[str, Any] | None = None,
    resource_account: str | None = None,
    principal_entity: str | None = None,
) -> Decision:
    ps = policies(
        action,
        resource,
        identity=identity,
        resource_policy=resource_policy,
        boundary=boundary,
        session=session,
        scp=scp,
        rcp=rcp,
    )
    req = Request.build(
        principal,
        action,
        resource,
        context=context,
        resource_account=resource_account,
        principal_entity=principal_entity,
    )
    return authorize(req, ps)


ALLOW_ALL = doc(allow())
