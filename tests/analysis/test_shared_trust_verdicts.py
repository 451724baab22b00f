"""IW001/IW005 "who can assume it": a verdict shared by roles the engine cannot tell apart.

``findings.shared_verdict_key`` lets roles of one account with the same trust text, tags
and Resource matches reuse one class's verdict. Each test checks the shared answers
against the engine asked afresh for every (principal, role) pair.
"""

from __future__ import annotations

from iamwarden.analysis import index_world
from iamwarden.analysis.findings import shared_verdict_key, who_can_assume
from iamwarden.analysis.techniques.assume_role import assume_decision
from iamwarden.model.account import Role

from .builders import ACCT, ADMIN, Builder, allow, arn, deny, doc, trust, world

ROOT = {"AWS": f"arn:aws:iam::{ACCT}:root"}


def _alike_roles() -> Builder:
    b = Builder()
    for name in ("app-1", "app-2", "db-1", "db-2", "ops"):
        b.role(name, trust(ROOT), attached=(ADMIN,))
    b.roles[-1]["Tags"] = [{"Key": "env", "Value": "prod"}]
    b.role("mfa-only", trust(ROOT, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}), attached=(ADMIN,))
    b.user("all", doc(allow("sts:AssumeRole", arn("role", "*"))))
    b.user("all-but-db", doc(allow("sts:AssumeRole")), doc(deny("sts:AssumeRole", arn("role", "db-*"))))
    b.user("app-only", doc(allow("sts:AssumeRole", arn("role", "app-*"))))
    b.user("prod-only", doc(allow("sts:AssumeRole", Condition={"StringEquals": {"aws:ResourceTag/env": "prod"}})))
    b.user("own-name", doc(allow("sts:AssumeRole", arn("role", "${aws:username}"))))
    b.user("app-1", doc(allow("sts:AssumeRole", arn("role", "${aws:username}"))))
    b.user("nothing")
    b.user("admin", attached=(ADMIN,))
    b.user("admin-2", attached=(ADMIN,))
    bnd = b.policy("bnd", doc(allow("sts:AssumeRole", arn("role", "db-*"))))
    b.user("bounded", doc(allow("sts:AssumeRole")), boundary=bnd)
    return b


def _engine_answer(role: Role, subjects: list[str], b: Builder) -> list[str]:
    fresh = index_world(world(b))  # no shared verdicts: one engine question per pair
    return sorted(a for a in subjects if a != role.arn and assume_decision(fresh, fresh.subjects[a], role)[1] is None)


def test_shared_verdicts_name_the_same_assumers_as_the_engine_per_pair() -> None:
    b = _alike_roles()
    ix = index_world(world(b))
    roles = [s.entity for s in ix.subjects.values() if isinstance(s.entity, Role)]
    for role in roles:
        assert who_can_assume(ix, role) == _engine_answer(role, list(ix.subjects), b), role.name


def test_the_answers_differ_where_the_resource_matters() -> None:
    b = _alike_roles()
    ix = index_world(world(b))
    got = {s.entity.name: set(who_can_assume(ix, s.entity)) for s in ix.subjects.values()
           if isinstance(s.entity, Role)}
    u = lambda n: arn("user", n)  # noqa: E731
    assert u("all-but-db") in got["app-1"] and u("all-but-db") not in got["db-1"]
    assert u("app-only") in got["app-2"] and u("app-only") not in got["ops"]
    assert u("prod-only") in got["ops"] and u("prod-only") not in got["app-1"]
    assert u("bounded") in got["db-2"] and u("bounded") not in got["app-2"]
    assert u("nothing") not in got["app-1"] and u("all") not in got["mfa-only"]


def test_key_is_shared_by_alike_roles_and_none_for_policy_variables() -> None:
    b = _alike_roles()
    ix = index_world(world(b))
    role = {s.entity.name: s.entity for s in ix.subjects.values() if isinstance(s.entity, Role)}
    s_all = ix.subjects[arn("user", "all")]
    s_app = ix.subjects[arn("user", "app-only")]
    key = lambda s, r: shared_verdict_key(ix, s, role[r], ix.qsig(s, "sts:assumerole", True))  # noqa: E731
    assert key(s_all, "app-1") == key(s_all, "db-2") is not None
    assert key(s_app, "app-1") == key(s_app, "app-2") != key(s_app, "db-1")
    assert key(s_all, "app-1") != key(s_all, "ops")  # tags
    assert key(s_all, "app-1") != key(s_all, "mfa-only")  # trust text
    assert key(ix.subjects[arn("user", "own-name")], "app-1") is None
