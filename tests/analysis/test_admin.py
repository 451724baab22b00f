"""Admin detection (catalog rule 2): effective * on *, nothing denying or capping it."""

from __future__ import annotations

from iamwarden.analysis import audit

from .builders import ADMIN, Builder, allow, deny, doc, world


def _admin(b: Builder, arn: str) -> bool:
    p = audit(world(b)).principal(arn)
    assert p is not None
    return p.admin


def test_administrator_access_is_admin() -> None:
    b = Builder()
    a = b.user("a", attached=(ADMIN,))
    assert _admin(b, a)


def test_service_wildcards_are_not_admin() -> None:
    b = Builder()
    a = b.user("a", doc(allow(["iam:*", "ec2:*", "s3:*"])))
    assert not _admin(b, a)


def test_deny_on_a_service_removes_admin() -> None:
    b = Builder()
    a = b.user("a", doc(deny("iam:*")), attached=(ADMIN,))
    assert not _admin(b, a)


def test_deny_on_one_resource_keeps_admin() -> None:
    b = Builder()
    a = b.user("a", doc(deny("s3:*", "arn:aws:s3:::secret/*")), attached=(ADMIN,))
    assert _admin(b, a)


def test_boundary_caps_admin() -> None:
    b = Builder()
    bnd = b.policy("bnd", doc(allow(["s3:*", "ec2:*"])))
    a = b.user("a", attached=(ADMIN,), boundary=bnd)
    assert not _admin(b, a)


def test_allow_notaction_is_not_admin() -> None:
    b = Builder()
    a = b.user("a", doc({"Effect": "Allow", "NotAction": "dynamodb:*", "Resource": "*"}))
    assert not _admin(b, a)


def test_admin_needing_mfa_is_reported_as_such() -> None:
    b = Builder()
    a = b.user("a", doc(allow("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})))
    p = audit(world(b)).principal(a)
    assert p is not None and p.admin and p.admin_kind == "effective-with-mfa"


def test_self_escalation_is_not_admin() -> None:
    b = Builder()
    a = b.user("a", doc(allow("iam:*")))
    p = audit(world(b)).principal(a)
    assert p is not None and not p.admin and p.can_escalate and p.to_json()["escalation"] == "self"
