"""B01: a principal that may delete (or replace) its own permissions boundary is capped by
nothing (analysis/techniques/iam_direct.py ``_drop_boundary``,
docs/decisions/analysis-boundary-removal.md).

A boundary only caps what a principal's own policies grant; ``iam:DeleteUserPermissionsBoundary``
on oneself removes the cap, and ``iam:PutUserPermissionsBoundary`` with a policy that allows
everything does the same.
"""

from __future__ import annotations

from iamwarden.analysis import audit, index_world
from iamwarden.analysis.graph import first_step_edges

from .builders import ACCT, ADMIN, Builder, allow, arn, deny, doc, trust, world


def _bounded(b: Builder, *inline: dict, kind: str = "user") -> str:
    bnd = b.policy("s3-only", doc(allow(["s3:*", "iam:*PermissionsBoundary", "iam:AttachUserPolicy"])))
    if kind == "user":
        return b.user("dev", *inline, boundary=bnd)
    return b.role("dev", trust({"AWS": f"arn:aws:iam::{ACCT}:root"}), *inline, boundary=bnd)


def _first(b: Builder, who: str) -> list:
    ix = index_world(world(b))
    return first_step_edges(ix, who)


def test_deleting_ones_boundary_uncaps_ones_admin_policies() -> None:
    b = Builder()
    dev = _bounded(b, doc(allow("*")))
    edges = _first(b, dev)
    assert [e.technique for e in edges] == ["B01"] and edges[0].grants_admin and not edges[0].then
    row = next(p for p in audit(world(b)).to_json()["principals"] if p["name"] == "dev")
    assert row["can_escalate"] and not row["admin"]


def test_a_role_deletes_its_boundary_too() -> None:
    b = Builder()
    dev = _bounded(b, doc(allow("*")), kind="role")
    b.policies[arn("policy", "s3-only")]["PolicyVersionList"][0]["Document"] = doc(
        allow(["s3:*", "iam:DeleteRolePermissionsBoundary"]))
    assert [e.technique for e in _first(b, dev)] == ["B01"]


def test_deleting_the_boundary_then_attaching_admin_is_one_step() -> None:
    b = Builder()
    dev = _bounded(b, doc(allow(["iam:DeleteUserPermissionsBoundary", "iam:AttachUserPolicy"], arn("user", "dev"))))
    edges = _first(b, dev)
    assert [(e.technique, [f.technique for f in e.then]) for e in edges] == [("B01", ["D07"])]


def test_replacing_the_boundary_by_one_that_caps_nothing() -> None:
    b = Builder()
    dev = _bounded(b, doc(allow("*"), deny("iam:DeleteUserPermissionsBoundary"),
                          deny("iam:PutUserPermissionsBoundary", Condition={
                              "StringNotEquals": {"iam:PermissionsBoundary": ADMIN}})))
    edges = _first(b, dev)
    assert [e.technique for e in edges] == ["B01"] and "AdministratorAccess" in edges[0].reason


def test_a_boundary_that_keeps_itself_keeps_its_cap() -> None:
    """The IAM User Guide's boundaries deny changing themselves: no B01."""
    b = Builder()
    dev = _bounded(b, doc(allow("*"), deny(["iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"])))
    assert not _first(b, dev)
