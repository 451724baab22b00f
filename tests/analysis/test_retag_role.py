"""B03: tag a role so that one may assume it (analysis/techniques/retag_role.py)."""

from __future__ import annotations

from iamwarden.analysis import index_world
from iamwarden.analysis.techniques.retag_role import RetagRoleChecker

from .builders import ACCT, ADMIN, Builder, allow, arn, doc, trust, world

MINE = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
ROOT = {"AWS": f"arn:aws:iam::{ACCT}:root"}


def _b03(b: Builder, role: str) -> list[str]:
    ix = index_world(world(b))
    return [e.source.rsplit("/", 1)[-1] for e in RetagRoleChecker().edges_into(ix.subjects[role], ix,
                                                                               lambda s, u=False: True)]


def _ops(b: Builder) -> str:
    r = b.role("ops", trust(ROOT), attached=(ADMIN,))
    b.roles[-1]["Tags"] = [{"Key": "team", "Value": "ops"}]
    return r


def test_a_developer_who_may_tag_roles_tags_the_admin_role_with_its_team() -> None:
    b = Builder()
    role = _ops(b)
    b.user("dev", doc(allow("sts:AssumeRole", Condition=MINE), allow("iam:TagRole", arn("role", "*"))),
           tags={"team": "blue"})
    b.user("viewer", doc(allow("sts:AssumeRole", Condition=MINE)), tags={"team": "blue"})
    assert _b03(b, role) == ["dev"]


def test_tagging_limited_to_other_keys_gives_nothing() -> None:
    b = Builder()
    role = _ops(b)
    b.user("dev", doc(allow("sts:AssumeRole", Condition=MINE),
                      allow("iam:TagRole", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["cost"]}})),
           tags={"team": "blue"})
    assert _b03(b, role) == []


def test_a_role_one_may_assume_already_needs_no_tag() -> None:
    b = Builder()
    role = _ops(b)
    b.user("dev", doc(allow("sts:AssumeRole", Condition=MINE), allow("iam:TagRole")), tags={"team": "ops"})
    assert _b03(b, role) == []
