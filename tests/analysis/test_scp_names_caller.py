"""An SCP that reads the caller's name tells apart principals with the same policies.

``WorldIndex.qsig`` lets principals whose identity and boundary statements are the same
share the engine's answers. An SCP statement on ``aws:PrincipalArn`` (a break-glass
exemption, say) makes their answers differ: each must be asked as itself, whichever
is asked first.
"""

from __future__ import annotations

from iamwarden.analysis import audit, index_world
from iamwarden.evaluation import decide
from iamwarden.model.account import World
from iamwarden.policy.document import PolicyKind, parse_policy

from .builders import ACCT, Builder, allow, doc, world

TRUST = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCT}, "Action": "sts:AssumeRole"}]}


def _world() -> World:
    b = Builder()
    ops = b.policy("ops", doc(allow("iam:AttachRolePolicy")))
    b.role("admin-x", TRUST, attached=(ops,))
    b.role("dev-y", TRUST, attached=(ops,))
    full = parse_policy(doc(allow("*")), PolicyKind.SCP, "full")
    deny = parse_policy(doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {
        "ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:role/admin-*"}}}), PolicyKind.SCP, "iam-admins-only")
    return World(world(b).accounts, scps={ACCT: ((full, deny),)})


def test_principals_an_scp_names_are_asked_apart_in_either_order() -> None:
    w = _world()
    x, y = (f"arn:aws:iam::{ACCT}:role/{n}" for n in ("admin-x", "dev-y"))
    for first, second in ((x, y), (y, x)):
        ix = index_world(w)
        got = {a: ix.ask(ix.subjects[a], "iam:AttachRolePolicy", "*").allowed for a in (first, second)}
        want = {a: decide(w, ix.subjects[a].caller, "iam:AttachRolePolicy", "*").allowed for a in (x, y)}
        assert got == want == {x: True, y: False}


def test_only_the_exempted_role_escalates() -> None:
    data = audit(_world()).to_json()
    escalating = {p["arn"] for p in data["principals"] if p.get("can_escalate")}
    assert f"arn:aws:iam::{ACCT}:role/admin-x" in escalating
    assert f"arn:aws:iam::{ACCT}:role/dev-y" not in escalating
