"""A Deny with NotResource (catalog rule 7, issue 10) denies every resource except those it
lists: the listed resources, often the principal itself, stay writable, so the IAM techniques
on them still apply. The analysis must not read "denied on *" as "denied everywhere"."""

from __future__ import annotations

from .builders import ADMIN, Builder, allow, arn, doc, trust, world
from .helpers import escalates, run, techniques


def _deny_except(action: object, *resources: str) -> dict:
    return {"Effect": "Deny", "Action": action, "NotResource": list(resources)}


def test_deny_with_not_resource_leaves_the_exempted_role_writable() -> None:
    """D16: AttachRolePolicy is denied on every role but ``app``, which trusts the caller."""
    b = Builder()
    app = b.role("app", trust({"AWS": arn("user", "ops")}))
    ops = b.user("ops", doc(allow(["iam:AttachRolePolicy", "sts:AssumeRole"]),
                            _deny_except("iam:AttachRolePolicy", app)))
    assert techniques(run(world(b)), ops) == [["D16"]]


def test_deny_with_not_resource_leaves_the_exempted_user_writable() -> None:
    """D03: CreateAccessKey is denied on every user but the admin ``root-ops``."""
    b = Builder()
    target = b.user("root-ops", attached=(ADMIN,))
    a = b.user("a", doc(allow("iam:CreateAccessKey"), _deny_except("iam:CreateAccessKey", target)))
    assert techniques(run(world(b)), a) == [["D03"]]


def test_deny_with_not_resource_leaves_the_principal_itself_writable_user() -> None:
    """D10: "write only your own inline policies"; writing one under the same name replaces it,
    Deny included, so the user ends up with AdministratorAccess and nothing capping it."""
    b = Builder()
    me = arn("user", "alice")
    b.user("alice", doc(allow("iam:PutUserPolicy"), _deny_except("iam:*", me)))
    r = run(world(b))
    assert techniques(r, me) == [["D10"]]
    assert "overwriting its own inline policies" in r.principal(me).paths[0][0].reason


def test_deny_with_not_resource_leaves_the_principal_itself_writable_role() -> None:
    """D12, the same for a role."""
    b = Builder()
    me = arn("role", "self")
    b.role("self", trust({"AWS": b.account}), doc(allow("iam:PutRolePolicy"), _deny_except("iam:PutRolePolicy", me)))
    assert techniques(run(world(b)), me) == [["D12"]]


def test_deny_with_not_resource_still_blocks_the_resources_it_does_not_list() -> None:
    """The exemption names ``sandbox`` (trusting nobody); ``app`` stays protected."""
    b = Builder()
    sandbox = b.role("sandbox", trust({"AWS": arn("user", "nobody")}))
    b.role("app", trust({"AWS": arn("user", "ops")}))
    ops = b.user("ops", doc(allow(["iam:AttachRolePolicy", "iam:PutRolePolicy", "sts:AssumeRole"]),
                            _deny_except(["iam:AttachRolePolicy", "iam:PutRolePolicy"], sandbox)))
    assert not escalates(run(world(b)), ops)


def test_a_deny_in_a_managed_policy_is_not_overwritten_by_an_inline_write() -> None:
    """PutUserPolicy replaces inline policies only: a Deny in an attached managed policy stays."""
    b = Builder()
    me = arn("user", "alice")
    deny_pol = b.policy("guard", doc(_deny_except("iam:*", me)))
    b.user("alice", doc(allow("iam:PutUserPolicy")), attached=(deny_pol,))
    assert not escalates(run(world(b)), me)
