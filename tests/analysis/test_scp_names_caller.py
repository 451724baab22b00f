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


# -- the same rule for what else can tell callers apart: principal tags an SCP tests, a
#    resource policy naming principals, an RCP reading a caller key ---------------------------

def _tagged_world() -> World:
    b = Builder()
    ops = b.policy("ops", doc(allow("iam:AttachUserPolicy")))
    b.user("t1", attached=(ops,), tags={"team": "admins"})
    b.user("t2", attached=(ops,), tags={"team": "dev"})
    full = parse_policy(doc(allow("*")), PolicyKind.SCP, "full")
    abac = parse_policy(doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {
        "StringNotEquals": {"aws:PrincipalTag/team": "admins"}}}), PolicyKind.SCP, "admins-only")
    return World(world(b).accounts, scps={ACCT: ((full, abac),)})


def _asked_in_either_order(w: World, arns: tuple[str, str], action: str, resource: str, trust: bool = False) -> None:
    for first, second in (arns, arns[::-1]):
        ix = index_world(w)
        t = ix.role(resource).trust if trust else None
        got = {a: ix.ask(ix.subjects[a], action, resource, trust=t).allowed for a in (first, second)}
        want = {a: decide(w, ix.subjects[a].caller, action, resource).allowed for a in arns}
        assert got == want and len(set(want.values())) == 2, (first, got, want)


def test_an_scp_testing_principal_tags_tells_principals_apart() -> None:
    """An ABAC SCP (deny unless aws:PrincipalTag/team is admins): same policies, other tags, other answers."""
    _asked_in_either_order(_tagged_world(), (f"arn:aws:iam::{ACCT}:user/t1", f"arn:aws:iam::{ACCT}:user/t2"),
                           "iam:AttachUserPolicy", "*")


def test_a_resource_policy_naming_one_principal_is_asked_per_principal() -> None:
    from iamwarden.loaders.resources import resources_from_json, with_resources
    from iamwarden.model.resources import ResourceInventory

    b = Builder()
    b.user("alice")
    b.user("bob")
    bucket = {"AccountId": ACCT, "S3": {"Buckets": [{"Name": "b1", "Policy": doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/alice"}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::b1/*"})}]}}
    w = with_resources(world(b), ResourceInventory({r.arn: r for r in resources_from_json(bucket)}))
    _asked_in_either_order(w, (f"arn:aws:iam::{ACCT}:user/alice", f"arn:aws:iam::{ACCT}:user/bob"),
                           "s3:GetObject", "arn:aws:s3:::b1/report.csv")


def test_an_rcp_reading_the_caller_arn_makes_trust_answers_per_principal() -> None:
    b = Builder()
    hop = b.policy("hop", doc(allow("sts:AssumeRole")))
    b.user("admin-a", attached=(hop,))
    b.user("dev-b", attached=(hop,))
    b.role("Target", TRUST)
    full = parse_policy(doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}), PolicyKind.RCP,
                        "rcp-full")
    only = parse_policy(doc({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
                             "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:user/admin-*"}}}),
                        PolicyKind.RCP, "rcp-admins")
    w = World(world(b).accounts, rcps={ACCT: ((full, only),)})
    _asked_in_either_order(w, (f"arn:aws:iam::{ACCT}:user/admin-a", f"arn:aws:iam::{ACCT}:user/dev-b"),
                           "sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/Target", trust=True)
