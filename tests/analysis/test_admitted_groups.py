"""Trusts open to ``*`` on principal tags: ``assume_role.admitted`` against ``may_admit``.

``admitted`` finds the groups a trust may admit through an index by tag value
(``StringEquals`` tests) instead of asking ``may_admit`` of every group; it must
keep the same groups in the same order, whatever the mix of operators, missing
tags and statements.
"""

from __future__ import annotations

from iamwarden.analysis import index_world
from iamwarden.analysis.techniques.assume_role import admitted, may_admit
from iamwarden.model.account import Role

from .builders import Builder, allow, doc, trust, world

TEAM = "aws:PrincipalTag/team"
ENV = "aws:PrincipalTag/env"

TRUSTS = {
    "eq": {"StringEquals": {TEAM: "t1"}},
    "eq-two": {"StringEquals": {TEAM: ["t1", "t3"]}},
    "eq-and-like": {"StringEquals": {TEAM: "t2"}, "StringLike": {ENV: "pr*"}},
    "like-only": {"StringLike": {TEAM: "t*"}},
    "ignore-case": {"StringEqualsIgnoreCase": {TEAM: "T1"}},
    "if-exists": {"StringEqualsIfExists": {TEAM: "t1"}},
    "nothing-matches": {"StringEquals": {TEAM: "nobody"}},
}


def _world() -> Builder:
    b = Builder()
    for name, cond in TRUSTS.items():
        b.role(name, trust("*", Condition=cond), doc(allow("s3:GetObject")))
    # a trust with two statements: either team t2, or env dev
    two = trust("*", Condition={"StringEquals": {TEAM: "t2"}})
    two["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                             "Condition": {"StringEquals": {ENV: "dev"}}})
    b.role("two-statements", two)
    n = 0
    for team in ("t1", "t2", "t3", None):
        for env in ("prod", "dev", None):
            tags = {k: v for k, v in (("team", team), ("env", env)) if v is not None}
            b.user(f"u{n}", doc(allow("sts:AssumeRole")), tags=tags)
            n += 1
    return b


def test_admitted_keeps_the_groups_may_admit_keeps_in_order() -> None:
    ix = index_world(world(_world()))
    roles = [s.entity for s in ix.subjects.values() if isinstance(s.entity, Role)]
    assert len(roles) == len(TRUSTS) + 1
    seen_some = False
    for role in roles:
        groups = ix.admit_groups(role.trust)
        want = [(k, v) for k, v in groups.items() if may_admit(ix, role.trust, k[2])]
        assert admitted(ix, role.trust, groups) == want, role.name
        seen_some = seen_some or 0 < len(want) < len(groups)
    assert seen_some  # the filter did leave groups out somewhere
