"""``iam:PermissionsBoundary``: a request on a user or role carries the boundary it has.

The IAM User Guide's delegated administrators may attach policies only to users and roles
whose permissions boundary is a given policy (``StringEquals iam:PermissionsBoundary``), and
create roles only with it. The key is set "if the specified policy is set as the
permissions boundary on the IAM entity" (Service Authorization Reference); for CreateUser,
CreateRole and Put*PermissionsBoundary it is the boundary the request sets. Asked with the
key absent, a delegated administrator could never write anyone and its paths were missed
(evaluation/world.py ``entity_keys``, analysis/index.py ``WorldIndex._ask``).
"""

from __future__ import annotations

from iamwarden.analysis import index_world
from iamwarden.analysis.graph import first_step_edges
from iamwarden.analysis.techniques.iam_direct import IamDirectChecker
from iamwarden.evaluation import decide
from iamwarden.evaluation.world import boundary_key

from .builders import ACCT, ADMIN, Builder, allow, doc, world

ONLY_BOUNDED = {"StringEquals": {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCT}:policy/open-boundary"}}


def _delegated() -> tuple[Builder, str, str, str]:
    b = Builder()
    bnd = b.policy("open-boundary", doc(allow("*")))  # a boundary that caps nothing
    deleg = b.user("deleg", doc(allow(["iam:AttachUserPolicy", "iam:CreateRole", "iam:AttachRolePolicy"],
                                      Condition=ONLY_BOUNDED),
                                allow("iam:CreateAccessKey")))
    bounded = b.user("bounded", boundary=bnd)
    free = b.user("free")
    return b, deleg, bounded, free


def test_the_engine_reads_the_targets_boundary() -> None:
    b, deleg, bounded, free = _delegated()
    w = world(b)
    ctx = {"iam:PolicyARN": ADMIN}
    assert decide(w, deleg, "iam:AttachUserPolicy", bounded, ctx).allowed
    assert not decide(w, deleg, "iam:AttachUserPolicy", free, ctx).allowed


def test_delegated_administrator_escalates_through_a_bounded_user() -> None:
    """D19: attach AdministratorAccess to the user whose boundary caps nothing, then make its key."""
    b, deleg, bounded, free = _delegated()
    ix = index_world(world(b))
    got = {(e.technique, e.target) for e in IamDirectChecker().granting_edges(ix.subjects[deleg], ix)}
    assert ("D19", bounded) in got and not any(t == free for _, t in got)


def test_delegated_administrator_creates_a_role_with_the_boundary() -> None:
    """D24: the caller picks the new role's boundary; one that caps nothing keeps it admin."""
    b, deleg, _, _ = _delegated()
    ix = index_world(world(b))
    d24 = [e for e in first_step_edges(ix, deleg) if e.technique == "D24"]
    assert d24 and "open-boundary" in d24[0].reason


def test_a_capping_boundary_gives_no_role() -> None:
    b = Builder()
    b.policy("tight", doc(allow("s3:*")))
    deleg = b.user("deleg", doc(allow(["iam:CreateRole", "iam:AttachRolePolicy"], Condition={
        "StringEquals": {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCT}:policy/tight"}})))
    ix = index_world(world(b))
    assert not [e for e in first_step_edges(ix, deleg) if e.technique == "D24"]


def test_boundary_key_is_the_requests_own_where_the_request_sets_one() -> None:
    b, _, bounded, _ = _delegated()
    ent = world(b).entity(bounded)
    assert boundary_key(ent, "iam:PutUserPolicy") == f"arn:aws:iam::{ACCT}:policy/open-boundary"
    assert boundary_key(ent, "iam:PutUserPermissionsBoundary") is None  # the new one, in the request
    assert boundary_key(ent, "iam:CreateAccessKey") is None  # the key is not listed for it
