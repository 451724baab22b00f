"""P03 by instance-profile re-association (catalog P03, issue 10): a principal that may swap
the role an existing instance profile carries, pass the new role and launch EC2 reaches that
role, although the role sits in no instance profile today."""

from __future__ import annotations

from .builders import ACCT, ADMIN, Builder, allow, arn, doc, trust, world
from .helpers import escalates, run, techniques

EC2 = {"Service": "ec2.amazonaws.com"}
PROFILE = f"arn:aws:iam::{ACCT}:instance-profile/web"
SWAP = ["iam:RemoveRoleFromInstanceProfile", "iam:AddRoleToInstanceProfile"]


def _account(*statements: dict) -> tuple[Builder, str]:
    b = Builder()
    b.role("target", trust(EC2), attached=(ADMIN,))  # in no instance profile
    b.role("web", trust(EC2), profiles=("web",))  # holds the profile today
    return b, b.user("mallory", doc(*statements))


def test_instance_profile_reassociation_reaches_a_role_in_no_profile() -> None:
    b, u = _account(allow("iam:PassRole", arn("role", "target")), allow(SWAP, PROFILE),
                    allow("ec2:AssociateIamInstanceProfile"))
    r = run(world(b))
    assert techniques(r, u) == [["P03"]]
    (edge,) = r.principal(u).paths[0]
    assert edge.target == arn("role", "target")
    assert "instance profile web" in edge.reason and "web out of" in edge.reason


def test_instance_profile_reassociation_with_run_instances() -> None:
    b, u = _account(allow("iam:PassRole", arn("role", "target")), allow(SWAP, PROFILE), allow("ec2:RunInstances"))
    assert techniques(run(world(b)), u) == [["P03"]]


def test_instance_profile_reassociation_needs_the_remove() -> None:
    """The profile already holds a role and holds at most one: adding alone is not enough."""
    b, u = _account(allow("iam:PassRole", arn("role", "target")), allow("iam:AddRoleToInstanceProfile", PROFILE),
                    allow("ec2:RunInstances"))
    assert not escalates(run(world(b)), u)


def test_instance_profile_reassociation_needs_both_actions_on_that_profile() -> None:
    other = f"arn:aws:iam::{ACCT}:instance-profile/other"
    b, u = _account(allow("iam:PassRole", arn("role", "target")),
                    allow("iam:RemoveRoleFromInstanceProfile", PROFILE), allow("iam:AddRoleToInstanceProfile", other),
                    allow("ec2:RunInstances"))
    assert not escalates(run(world(b)), u)


def test_instance_profile_reassociation_needs_pass_role_on_the_added_role() -> None:
    b, u = _account(allow("iam:PassRole", arn("role", "web")), allow(SWAP, PROFILE), allow("ec2:RunInstances"))
    assert not escalates(run(world(b)), u)


def test_instance_profile_reassociation_needs_a_launch() -> None:
    b, u = _account(allow("iam:PassRole", arn("role", "target")), allow(SWAP, PROFILE))
    assert not escalates(run(world(b)), u)
