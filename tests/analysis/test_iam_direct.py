"""Direct IAM techniques (catalog D01-D14, D16-D24), one small account each."""

from __future__ import annotations

from .builders import ACCT, ADMIN, Builder, allow, arn, deny, doc, trust, world
from .helpers import escalates, run, techniques


def test_d03_create_access_key_for_admin_user() -> None:
    b = Builder()
    b.user("admin", attached=(ADMIN,))
    a = b.user("a", doc(allow("iam:CreateAccessKey", arn("user", "admin"))))
    r = run(world(b))
    assert techniques(r, a)[0] == ["D03"]


def test_d03_own_user_variable_gives_nothing() -> None:
    b = Builder()
    b.user("admin", attached=(ADMIN,))
    a = b.user("a", doc(allow("iam:CreateAccessKey", "arn:aws:iam::*:user/${aws:username}")))
    assert not escalates(run(world(b)), a)


def test_d05_login_profile() -> None:
    b = Builder()
    b.user("admin", attached=(ADMIN,))
    a = b.user("a", doc(allow("iam:CreateLoginProfile")))
    assert ["D05"] in techniques(run(world(b)), a)


def test_d07_attach_to_self_and_boundary_caps_it() -> None:
    b = Builder()
    bnd = b.policy("bnd", doc(allow(["iam:*", "s3:*"])))
    a = b.user("a", doc(allow("iam:AttachUserPolicy", arn("user", "a"))))
    c = b.user("c", doc(allow("iam:AttachUserPolicy", arn("user", "c"))), boundary=bnd)
    r = run(world(b))
    assert techniques(r, a) == [["D07"]]
    assert not escalates(r, c)


def test_d07_policy_arn_condition_restricts_the_policy() -> None:
    b = Builder()
    ok = {"ArnEquals": {"iam:PolicyARN": ADMIN}}
    no = {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}
    a = b.user("a", doc(allow("iam:AttachUserPolicy", arn("user", "a"), Condition=ok)))
    c = b.user("c", doc(allow("iam:AttachUserPolicy", arn("user", "c"), Condition=no)))
    r = run(world(b))
    assert escalates(r, a) and not escalates(r, c)


def test_d01_policy_version_and_d02_rollback() -> None:
    b = Builder()
    pv = b.policy("pv", doc(allow("iam:CreatePolicyVersion", f"arn:aws:iam::{ACCT}:policy/pv")))
    rb = b.policy("rb", doc(allow("iam:SetDefaultPolicyVersion", f"arn:aws:iam::{ACCT}:policy/rb")),
                  doc(allow("*")))
    rb1 = b.policy("rb1", doc(allow("iam:SetDefaultPolicyVersion", f"arn:aws:iam::{ACCT}:policy/rb1")),
                   doc(allow("s3:*")))
    a = b.user("a", attached=(pv,))
    c = b.user("c", attached=(rb,))
    d = b.user("d", attached=(rb1,))
    r = run(world(b))
    assert techniques(r, a) == [["D01"]]
    assert techniques(r, c) == [["D02"]]
    assert not escalates(r, d)


def test_d08_d11_group_policies() -> None:
    b = Builder()
    b.group("devs", doc(allow(["iam:PutGroupPolicy"], arn("group", "devs"))))
    a = b.user("a", groups=("devs",))
    assert techniques(run(world(b)), a) == [["D11"]]


def test_d13_join_group_then_self_escalate() -> None:
    b = Builder()
    b.group("ops", doc(allow("iam:AttachUserPolicy")))
    a = b.user("a", doc(allow("iam:AddUserToGroup", arn("group", "ops"))))
    assert techniques(run(world(b)), a) == [["D13", "D07"]]


def test_d14_rewrite_trust_of_admin_role() -> None:
    b = Builder()
    b.role("adm", trust({"Service": "ec2.amazonaws.com"}), attached=(ADMIN,))
    a = b.user("a", doc(allow("iam:UpdateAssumeRolePolicy", arn("role", "adm"))))
    assert techniques(run(world(b)), a) == [["D14"]]


def test_d16_attach_to_assumable_role() -> None:
    b = Builder()
    b.role("app", trust({"AWS": arn("user", "a")}))
    a = b.user("a", doc(allow("iam:AttachRolePolicy", arn("role", "app"))))
    assert techniques(run(world(b)), a) == [["D16"]]


def test_d16_role_boundary_caps_the_new_policy() -> None:
    b = Builder()
    bnd = b.policy("bnd", doc(allow("s3:*")))
    b.role("app", trust({"AWS": arn("user", "a")}), boundary=bnd)
    a = b.user("a", doc(allow("iam:AttachRolePolicy", arn("role", "app"))))
    assert not escalates(run(world(b)), a)


def test_d19_attach_to_user_then_create_key() -> None:
    b = Builder()
    b.user("plain")
    a = b.user("a", doc(allow(["iam:AttachUserPolicy", "iam:CreateAccessKey"], arn("user", "plain"))))
    assert techniques(run(world(b)), a) == [["D19"]]


def test_d21_attach_and_rewrite_trust() -> None:
    b = Builder()
    b.role("svc", trust({"Service": "ec2.amazonaws.com"}))
    a = b.user("a", doc(allow(["iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"], arn("role", "svc"))))
    r = run(world(b))
    assert ["D21"] in techniques(r, a)


def test_d24_new_role() -> None:
    b = Builder()
    a = b.user("a", doc(allow(["iam:CreateRole", "iam:PutRolePolicy"])))
    assert techniques(run(world(b)), a) == [["D24"]]


def test_explicit_deny_blocks() -> None:
    b = Builder()
    b.user("admin", attached=(ADMIN,))
    a = b.user("a", doc(allow("iam:CreateAccessKey"), deny("iam:CreateAccessKey", arn("user", "admin"))))
    assert not escalates(run(world(b)), a)


def test_d03_pattern_held_in_many_accounts_writes_users_of_its_own_account_only() -> None:
    """IAM users have no resource policies: only their own account's principals write them
    (the self-service pattern ``arn:aws:iam::*:user/NAME`` is held in several accounts, each
    matching the same-named user of every account). Every edge is checked against the engine."""
    from iamwarden.evaluation import decide

    accounts = ("111100000001", "111100000002", "111100000003")
    pattern = "arn:aws:iam::*:user/ad?in"
    builders = []
    for n, acct in enumerate(accounts):
        b = Builder(acct)
        b.user("admin", attached=(ADMIN,))
        if n < 2:  # the third account has the admin but no holder of the pattern
            b.user(f"ops{n}", doc(allow("iam:CreateAccessKey", pattern)))
        b.user("other", doc(allow("iam:CreateAccessKey", f"arn:aws:iam::{acct}:user/nobody-*")))
        builders.append(b)
    w = world(*builders)
    r = run(w)
    for n, acct in enumerate(accounts[:2]):
        ops = arn("user", f"ops{n}", acct)
        p = r.principal(ops)
        assert p is not None and p.can_escalate
        assert [[(e.technique, e.target) for e in steps] for steps in p.paths] == [
            [("D03", arn("user", "admin", acct))]]
        assert decide(w, ops, "iam:CreateAccessKey", arn("user", "admin", acct)).allowed
    for acct in accounts:
        assert not escalates(r, arn("user", "other", acct))
