"""Laws of the escalation analysis, checked on random small accounts (hypothesis).

- adding a Deny statement never adds a path: the set of principals that reach
  admin (admins + escalating, certain or not) does not grow, and no
  principal's shortest distance shrinks;
- removing an Allow statement never adds a path (same check).
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamwarden.analysis import audit
from iamwarden.loaders.authz_details import account_from_details
from iamwarden.model.account import World

from .builders import ACCT, ADMIN, Builder, arn, doc, trust

USERS = ("u0", "u1", "u2")
ROLES = ("r0", "r1", "r2")
ACTIONS = ("*", "iam:*", "iam:AttachUserPolicy", "iam:PutRolePolicy", "iam:CreateAccessKey",
           "iam:UpdateAssumeRolePolicy", "iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction",
           "lambda:UpdateFunctionCode", "sts:AssumeRole", "iam:AddUserToGroup", "s3:*")
RESOURCES = ("*", *(arn("user", u) for u in USERS), *(arn("role", r) for r in ROLES), arn("group", "g0"))
TRUSTS = ({"AWS": ACCT}, {"AWS": arn("user", "u0")}, {"AWS": arn("role", "r1")}, {"Service": "lambda.amazonaws.com"},
          "*")

statement = st.builds(lambda e, a, r: {"Effect": e, "Action": a, "Resource": r},
                      st.sampled_from(("Allow", "Allow", "Deny")), st.sampled_from(ACTIONS), st.sampled_from(RESOURCES))
stmts = st.lists(statement, max_size=3)


@st.composite
def accounts(draw: Any) -> dict[str, Any]:
    b = Builder()
    b.group("g0", doc(*s)) if (s := draw(stmts)) else b.group("g0", doc({"Effect": "Allow", "Action": "s3:GetObject",
                                                                          "Resource": "*"}))
    for u in USERS:
        inline = draw(stmts)
        admin = draw(st.booleans()) and draw(st.booleans())
        b.user(u, *([doc(*inline)] if inline else []), attached=(ADMIN,) if admin else (),
               groups=("g0",) if draw(st.booleans()) else ())
    for r in ROLES:
        inline = draw(stmts)
        admin = draw(st.booleans())
        b.role(r, trust(draw(st.sampled_from(TRUSTS))), *([doc(*inline)] if inline else []),
               attached=(ADMIN,) if admin else ())
    return b.details()


def _reach(details: dict[str, Any]) -> dict[str, tuple[bool, int]]:
    """Principals that reach admin -> (certainly?, shortest distance)."""
    w = World({ACCT: account_from_details(details, "<law>")})
    r = audit(w)
    return {p.arn: (p.admin or p.can_escalate, 0 if p.admin else p.distance or 0) for p in r.principals
            if p.admin or p.can_escalate or p.uncertain}


def _policy_holders(details: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Every inline policy's statement list, so a test can edit one."""
    out = []
    for key, plist in (("UserDetailList", "UserPolicyList"), ("RoleDetailList", "RolePolicyList"),
                       ("GroupDetailList", "GroupPolicyList")):
        for e in details[key]:
            for p in e[plist]:
                out.append(p["PolicyDocument"]["Statement"])
    return out


def _no_gain(before: dict[str, tuple[bool, int]], after: dict[str, tuple[bool, int]]) -> None:
    assert set(after) <= set(before), set(after) - set(before)
    for a, (certain, d) in after.items():
        if certain:
            assert before[a][0], f"{a} became certain"
            assert d >= before[a][1], (a, before[a], d)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(accounts(), st.data())
def test_adding_a_deny_never_adds_a_path(details: dict[str, Any], data: Any) -> None:
    before = _reach(details)
    changed = copy.deepcopy(details)
    target = data.draw(st.sampled_from(_policy_holders(changed) or [None]))
    new = {"Effect": "Deny", "Action": data.draw(st.sampled_from(ACTIONS)),
           "Resource": data.draw(st.sampled_from(RESOURCES))}
    if target is None:
        changed["UserDetailList"][0]["UserPolicyList"].append({"PolicyName": "deny", "PolicyDocument": doc(new)})
    else:
        target.append(new)
    _no_gain(before, _reach(changed))


@SETTINGS
@given(accounts(), st.data())
def test_removing_an_allow_never_adds_a_path(details: dict[str, Any], data: Any) -> None:
    before = _reach(details)
    changed = copy.deepcopy(details)
    lists = [lst for lst in _policy_holders(changed) if any(s["Effect"] == "Allow" for s in lst)]
    if not lists:
        return
    lst = data.draw(st.sampled_from(lists))
    allows = [i for i, s in enumerate(lst) if s["Effect"] == "Allow"]
    i = data.draw(st.sampled_from(allows))
    if len(lst) == 1:
        lst[0] = {"Effect": "Deny", "Action": "iamwarden:Nothing", "Resource": "*"}  # keep the policy valid
    else:
        del lst[i]
    _no_gain(before, _reach(changed))
