"""Laws of ``apply``: the after state depends on what the plan changes, not on the order
``resource_changes`` lists it in (removals first, then additions, each in dependency order)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.plan import apply, empty_account
from iamwarden.plan.terraform import read_plan

from .helpers import ACCT, ADMIN, create, doc, plan, rc, trust_account

NAMES = ["a", "b", "c"]
ARN = "arn:aws:iam::aws:policy/AdministratorAccess"


def change(kind, name, other, delete):
    if kind == "user":
        body = {"name": name, "path": "/"}
    elif kind == "role":
        body = {"name": name, "path": "/", "assume_role_policy": trust_account()}
    elif kind == "inline":
        body = {"name": "P", "user": name, "policy": ADMIN if other == "a" else doc(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})}
    elif kind == "attach":
        body = {"role": name, "policy_arn": ARN}
    else:
        body = {"user": name, "groups": [other]}
    typ = {"user": "aws_iam_user", "role": "aws_iam_role", "inline": "aws_iam_user_policy",
           "attach": "aws_iam_role_policy_attachment", "member": "aws_iam_user_group_membership"}[kind]
    address = f"{typ}.{kind}_{name}_{other}"
    return rc(address, ["delete"], body, None) if delete else create(address, body)


changes = st.lists(st.tuples(st.sampled_from(["user", "role", "inline", "attach", "member"]),
                             st.sampled_from(NAMES), st.sampled_from(NAMES), st.booleans()),
                   max_size=12, unique_by=lambda t: (t[0], t[1], t[2]))


def state(acct):
    return (
        {n: (u.arn, tuple(sorted(p.name for p in u.inline)), tuple(sorted(u.groups)), u.attached)
         for n, u in acct.users.items()},
        {n: (r.arn, tuple(sorted(r.attached))) for n, r in acct.roles.items()},
        sorted(acct.groups), sorted(acct.policies),
    )


def base():
    seed = plan(*(create(f"aws_iam_user.u{n}", {"name": n, "path": "/"}) for n in NAMES),
                create("aws_iam_role.ra", {"name": "a", "path": "/", "assume_role_policy": trust_account()}))
    return apply(empty_account(ACCT), read_plan(seed, ACCT))


@settings(max_examples=60, deadline=None)
@given(changes, st.randoms(use_true_random=False))
def test_apply_does_not_depend_on_the_order_of_resource_changes(items, rnd):
    rcs = [change(*t) for t in items]
    shuffled = list(rcs)
    rnd.shuffle(shuffled)
    start = base()
    a = apply(start, read_plan(plan(*rcs), ACCT))
    b = apply(start, read_plan(plan(*shuffled), ACCT))
    assert state(a) == state(b)


def test_apply_leaves_the_given_account_unchanged():
    start = base()
    before = state(start)
    apply(start, read_plan(plan(rc("aws_iam_user.ua", ["delete"], {"name": "a", "path": "/"}, None)), ACCT))
    assert state(start) == before
