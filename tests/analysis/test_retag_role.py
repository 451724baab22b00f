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


def test_b03_a_trust_reading_role_tags_lets_every_holder_tag_its_way_in() -> None:
    """The caller's own AssumeRole reads no tag: the trust's condition is the one tagging meets."""
    b = Builder()
    role = b.role("ops", trust(ROOT, Condition=MINE), attached=(ADMIN,))
    b.roles[-1]["Tags"] = [{"Key": "team", "Value": "ops"}]
    b.user("dev", doc(allow("sts:AssumeRole"), allow("iam:TagRole", role)), tags={"team": "blue"})
    b.user("tagger", doc(allow("iam:TagRole")), tags={"team": "blue"})  # may tag, may not assume
    assert _b03(b, role) == ["dev"]


def test_b03_holders_on_the_role_its_pattern_or_everything_are_asked_when_only_their_policies_read_tags() -> None:
    """A trust reading no tag: only the holders whose AssumeRole reads one are worth tagging for,
    however their TagRole names the role (its ARN, a pattern, ``*``); a holder on another role is not."""
    b = Builder()
    role = _ops(b)
    b.role("other", trust(ROOT))
    b.user("literal", doc(allow("sts:AssumeRole", Condition=MINE), allow("iam:TagRole", role)), tags={"team": "a"})
    b.user("pattern", doc(allow("sts:AssumeRole", Condition=MINE), allow("iam:TagRole", arn("role", "o*"))),
           tags={"team": "b"})
    b.user("everything", doc(allow("sts:AssumeRole", Condition=MINE), allow("iam:TagRole")), tags={"team": "c"})
    b.user("elsewhere", doc(allow("sts:AssumeRole", Condition=MINE), allow("iam:TagRole", arn("role", "other"))),
           tags={"team": "d"})
    b.user("plain", doc(allow("sts:AssumeRole", arn("role", "x")), allow("iam:TagRole")), tags={"team": "e"})
    assert _b03(b, role) == ["everything", "literal", "pattern"]
