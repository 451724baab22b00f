"""B02: a principal that may tag itself picks the principal tags its own policies reward
(analysis/techniques/iam_direct.py ``_retag``, docs/decisions/analysis-boundary-removal.md).
"""

from __future__ import annotations

from iamwarden.analysis import index_world
from iamwarden.analysis.graph import first_step_edges

from .builders import Builder, allow, arn, doc, world

ADMIN_IF_TAGGED = allow("*", Condition={"StringEquals": {"aws:PrincipalTag/role": "admin"}})


def _edges(b: Builder, who: str) -> list[tuple[str, list[str]]]:
    ix = index_world(world(b))
    return [(e.technique, [f.technique for f in e.then]) for e in first_step_edges(ix, who)]


def test_tagging_oneself_as_admin_is_admin() -> None:
    b = Builder()
    dev = b.user("dev", doc(ADMIN_IF_TAGGED, allow("iam:TagUser", arn("user", "dev"))), tags={"role": "dev"})
    assert _edges(b, dev) == [("B02", [])]


def test_a_tag_the_policy_does_not_let_one_set_gives_nothing() -> None:
    b = Builder()
    only_project = {"ForAllValues:StringEquals": {"aws:TagKeys": ["project"]}}
    dev = b.user("dev", doc(ADMIN_IF_TAGGED, allow("iam:TagUser", arn("user", "dev"), Condition=only_project)))
    assert _edges(b, dev) == []


def test_tagging_oneself_into_a_team_then_attaching_a_policy() -> None:
    b = Builder()
    dev = b.user("dev", doc(allow("iam:AttachUserPolicy", arn("user", "dev"),
                                  Condition={"StringEquals": {"aws:PrincipalTag/team": "platform"}}),
                            allow("iam:TagUser", arn("user", "dev"))))
    assert _edges(b, dev) == [("B02", ["D07"])]


def test_without_tag_permission_nothing() -> None:
    b = Builder()
    dev = b.user("dev", doc(ADMIN_IF_TAGGED))
    assert _edges(b, dev) == []
