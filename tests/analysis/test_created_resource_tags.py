"""The caller tags what it creates (analysis/created_tags.py).

AWS's attribute-based access control tutorial lets a principal create roles and functions
only tagged with its own team (``aws:RequestTag/team`` = ``${aws:PrincipalTag/team}``) and act
only on resources of its team (``aws:ResourceTag/team``). Asked without tags, such a caller
created nothing and every path through its own resources was missed; the tags are one set for
the resource, so the create and the later use must agree on them.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.analysis import index_world
from iamwarden.analysis.created_tags import choices, tag_conditions
from iamwarden.analysis.graph import first_step_edges
from iamwarden.analysis.techniques.passrole import PassRoleChecker
from iamwarden.evaluation import PolicySet, decide
from iamwarden.policy.document import PolicyKind, parse_policy

from .builders import ACCT, ADMIN, Builder, allow, deny, doc, trust, world

MINE_REQ = {"StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"}}
MINE_RES = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}


def _p04(b: Builder, dev: str, role: str) -> bool:
    ix = index_world(world(b))
    return any(e.source == dev and e.technique == "P04"
               for e in PassRoleChecker().edges_into(ix.subjects[role], ix, lambda s, u=False: True))


def _lambda_dev(create: dict, invoke: dict, *extra: dict) -> tuple[Builder, str, str]:
    b = Builder()
    role = b.role("fn", trust({"Service": "lambda.amazonaws.com"}), attached=(ADMIN,))
    dev = b.user("dev", doc(allow("iam:PassRole", role), allow("lambda:CreateFunction", Condition=create),
                            allow("lambda:InvokeFunction", Condition=invoke), *extra), tags={"team": "blue"})
    return b, dev, role


def test_abac_developer_creates_and_invokes_a_function_of_its_team() -> None:
    b, dev, role = _lambda_dev(MINE_REQ, MINE_RES)
    assert _p04(b, dev, role)


def test_the_create_and_the_use_must_agree_on_the_tags() -> None:
    """Created only tagged blue, invoked only when tagged red: no one function is both."""
    b, dev, role = _lambda_dev({"StringEquals": {"aws:RequestTag/team": "blue"}},
                               {"StringEquals": {"aws:ResourceTag/team": "red"}})
    assert not _p04(b, dev, role)


def test_a_deny_of_untagged_creates_is_met_by_tagging() -> None:
    b, dev, role = _lambda_dev({}, {}, deny("lambda:CreateFunction", Condition={"Null": {"aws:RequestTag/cost": "true"}}))
    b.users[-1]["UserPolicyList"][0]["PolicyDocument"]["Statement"][1].pop("Condition")
    b.users[-1]["UserPolicyList"][0]["PolicyDocument"]["Statement"][2].pop("Condition")
    assert _p04(b, dev, role)


def test_abac_role_creator_makes_an_admin_role_of_its_team() -> None:
    """D24 as in the ABAC tutorial: CreateRole only with the team tag, writes only to its team's roles."""
    b = Builder()
    dev = b.user("dev", doc(allow("iam:CreateRole", Condition=MINE_REQ),
                            allow("iam:AttachRolePolicy", Condition={"StringEquals": {
                                "iam:ResourceTag/team": "${aws:PrincipalTag/team}"}})), tags={"team": "blue"})
    ix = index_world(world(b))
    assert [e.technique for e in first_step_edges(ix, dev)] == ["D24"]


def test_choices_resolve_the_callers_variables() -> None:
    p = parse_policy(doc(allow("lambda:CreateFunction", Condition=MINE_REQ)), PolicyKind.IDENTITY, "abac")
    conds = tag_conditions(PolicySet(identity=(p,)).candidates("lambda:createfunction"))
    assert choices(conds, {"aws:principaltag/team": "blue"}.get) == [(("team", "blue"),), (("team", "iamwarden"),)]
    assert choices((), {}.get) == []


# -- the law: a P04 edge exactly when one tag set allows the create and the invoke -----------

#: every class of tag value the law's conditions tell apart (equal to a value, matching ``b*``, neither)
TAGS = (None, "blue", "red", "b*", "b", "true", "false", "iamwarden")
_op = st.sampled_from(("StringEquals", "StringNotEquals", "StringLike", "StringEqualsIfExists", "Null"))
_val = st.sampled_from(("blue", "red", "${aws:PrincipalTag/team}", "b*", "true", "false"))
_cond = st.tuples(st.sampled_from(("Allow", "Deny")), st.sampled_from(("create", "invoke")), _op, _val)


@settings(max_examples=80, deadline=None)
@given(st.lists(_cond, min_size=1, max_size=3))
def test_p04_iff_one_tag_set_allows_the_create_and_the_invoke(conds: list) -> None:
    b = Builder()
    role = b.role("fn", trust({"Service": "lambda.amazonaws.com"}), attached=(ADMIN,))
    stmts = [allow("iam:PassRole", role)]
    for effect, which, op, val in conds:
        action = "lambda:CreateFunction" if which == "create" else "lambda:InvokeFunction"
        key = "aws:RequestTag/team" if which == "create" else "aws:ResourceTag/team"
        if op == "Null" and val not in ("true", "false"):
            val = "true"  # Null reads only these
        stmts.append({"Effect": effect, "Action": action, "Resource": "*", "Condition": {op: {key: val}}})
    for a in ("lambda:CreateFunction", "lambda:InvokeFunction"):  # each action allowed somewhere
        if not any(s["Effect"] == "Allow" and s["Action"] == a for s in stmts):
            stmts.append(allow(a))
    dev = b.user("dev", doc(*stmts), tags={"team": "blue"})
    got = _p04(b, dev, role)
    w = world(b)
    fn = f"arn:aws:lambda:us-east-1:{ACCT}:function:f"
    base = {"aws:RequestedRegion": "us-east-1"}

    def ok(team: str | None) -> bool:
        create = {**base, **({"aws:RequestTag/team": team, "aws:TagKeys": ["team"]} if team else {})}
        use = {**base, **({"aws:ResourceTag/team": team} if team else {})}
        return (decide(w, dev, "lambda:CreateFunction", fn, create).allowed
                and decide(w, dev, "lambda:InvokeFunction", fn, use).allowed)

    want = any(ok(t) for t in TAGS)
    assert got == want, conds
