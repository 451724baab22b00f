"""The Terraform plan reader and ``apply``: one test per rule of ``plan.terraform`` / ``plan.changes``."""

from __future__ import annotations

import pytest

from iamwarden.plan import ChangeError, apply, empty_account
from iamwarden.plan.changes import PutOidcProvider
from iamwarden.plan.terraform import DEFAULT_ACCOUNT_ID, PlanError, config_address, read_plan

from .helpers import ACCT, ADMIN, admin_role_plan, create, doc, plan, rc, trust_account


def after(p, account=None):
    cs = read_plan(p, ACCT)
    return apply(account or empty_account(ACCT), cs), cs


def test_create_action_adds_entities_and_policies():
    acct, cs = after(admin_role_plan())
    assert set(acct.roles) == {"AdminRole"} and set(acct.users) == {"alice"}
    assert acct.roles["AdminRole"].attached == ("arn:aws:iam::aws:policy/AdministratorAccess",)
    assert acct.roles["AdminRole"].arn == f"arn:aws:iam::{ACCT}:role/AdminRole"
    assert [p.name for p in acct.users["alice"].inline] == ["AssumeAdmin"]
    assert [r.action for r in cs.resources] == ["create"] * 4
    assert cs.unknowns == ()


def test_delete_action_removes_entity_and_what_it_holds():
    before, _ = after(admin_role_plan())
    p = plan(rc("aws_iam_user.alice", ["delete"], {"name": "alice", "path": "/"}, None),
             rc("aws_iam_user_policy.alice", ["delete"], {"name": "AssumeAdmin", "user": "alice",
                                                         "policy": doc()}, None))
    acct, _ = after(p, before)
    assert "alice" not in acct.users and "AdminRole" in acct.roles


def test_update_entity_keeps_its_policies():
    before, _ = after(admin_role_plan())
    p = plan(rc("aws_iam_role.admin", ["update"],
                {"name": "AdminRole", "path": "/", "assume_role_policy": trust_account()},
                {"name": "AdminRole", "path": "/", "assume_role_policy": trust_account("444455556666"),
                 "max_session_duration": 7200}))
    acct, _ = after(p, before)
    role = acct.roles["AdminRole"]
    assert role.attached == ("arn:aws:iam::aws:policy/AdministratorAccess",)
    assert role.max_session_duration == 7200
    assert role.trust.document["Statement"][0]["Principal"]["AWS"] == "arn:aws:iam::444455556666:root"


def test_replace_with_a_new_name_removes_the_old_entity():
    before, _ = after(admin_role_plan())
    p = plan(rc("aws_iam_user.alice", ["delete", "create"], {"name": "alice", "path": "/"},
                {"name": "alice2", "path": "/"}))
    acct, cs = after(p, before)
    assert "alice" not in acct.users and "alice2" in acct.users
    assert cs.resources[0].action == "replace"


def test_replace_with_the_same_name_keeps_policies():
    before, _ = after(admin_role_plan())
    p = plan(rc("aws_iam_user.alice", ["create", "delete"], {"name": "alice", "path": "/"},
                {"name": "alice", "path": "/"}))
    acct, _ = after(p, before)
    assert [x.name for x in acct.users["alice"].inline] == ["AssumeAdmin"]


def test_inline_policy_update_replaces_the_document():
    before, _ = after(admin_role_plan())
    old = {"name": "AssumeAdmin", "user": "alice", "policy": doc()}
    new = {"name": "AssumeAdmin", "user": "alice", "policy": ADMIN}
    acct, _ = after(plan(rc("aws_iam_user_policy.alice", ["update"], old, new)), before)
    (pol,) = acct.users["alice"].inline
    assert pol.policy.document["Statement"][0]["Action"] == "*"


@pytest.mark.parametrize("typ,kind", [("aws_iam_user_policy_attachment", "user"),
                                      ("aws_iam_group_policy_attachment", "group"),
                                      ("aws_iam_role_policy_attachment", "role")])
def test_policy_attachment_types(typ, kind):
    arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    acct, _ = after(plan(create(f"{typ}.a", {kind: "x", "policy_arn": arn})))
    coll = {"user": acct.users, "group": acct.groups, "role": acct.roles}[kind]
    assert coll["x"].attached == (arn,)
    acct2, _ = after(plan(rc(f"{typ}.a", ["delete"], {kind: "x", "policy_arn": arn}, None)), acct)
    coll2 = {"user": acct2.users, "group": acct2.groups, "role": acct2.roles}[kind]
    assert coll2["x"].attached == ()


@pytest.mark.parametrize("typ,kind", [("aws_iam_user_policy", "user"), ("aws_iam_group_policy", "group"),
                                      ("aws_iam_role_policy", "role")])
def test_inline_policy_types(typ, kind):
    acct, _ = after(plan(create(f"{typ}.p", {kind: "x", "name": "P", "policy": ADMIN})))
    coll = {"user": acct.users, "group": acct.groups, "role": acct.roles}[kind]
    assert [p.name for p in coll["x"].inline] == ["P"]
    assert coll["x"].inline[0].policy.name == f"{kind}/x:P"


def test_aws_iam_policy_attachment_attaches_to_every_listed_entity():
    arn = f"arn:aws:iam::{ACCT}:policy/ops"
    acct, _ = after(plan(create("aws_iam_policy.ops", {"name": "ops", "path": "/", "policy": ADMIN}),
                         create("aws_iam_policy_attachment.ops", {"name": "ops", "policy_arn": arn, "users": ["u"],
                                                                   "groups": ["g"], "roles": ["r"]})))
    assert acct.users["u"].attached == acct.groups["g"].attached == acct.roles["r"].attached == (arn,)
    assert acct.policies[arn].default.document["Statement"][0]["Action"] == "*"


def test_group_membership_and_user_group_membership():
    acct, _ = after(plan(create("aws_iam_group_membership.m", {"name": "m", "group": "admins", "users": ["a", "b"]}),
                         create("aws_iam_user_group_membership.c", {"user": "c", "groups": ["admins", "dev"]})))
    assert acct.users["a"].groups == ("admins",) and acct.users["c"].groups == ("admins", "dev")
    acct2, _ = after(plan(rc("aws_iam_group_membership.m", ["update"],
                             {"name": "m", "group": "admins", "users": ["a", "b"]},
                             {"name": "m", "group": "admins", "users": ["a"]})), acct)
    assert acct2.users["b"].groups == () and acct2.users["a"].groups == ("admins",)


def test_permissions_boundary_is_read():
    arn = f"arn:aws:iam::{ACCT}:policy/boundary"
    acct, _ = after(plan(create("aws_iam_policy.b", {"name": "boundary", "path": "/", "policy": doc(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})}),
        create("aws_iam_user.u", {"name": "u", "path": "/", "permissions_boundary": arn})))
    assert acct.users["u"].boundary == arn and acct.boundary(acct.users["u"]) is not None


def test_instance_profile_is_recorded_on_its_role():
    acct, _ = after(plan(create("aws_iam_role.r", {"name": "web", "path": "/", "assume_role_policy": doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})}),
        create("aws_iam_instance_profile.p", {"name": "web", "path": "/", "role": "web"})))
    assert acct.roles["web"].instance_profiles == (f"arn:aws:iam::{ACCT}:instance-profile/web",)


def test_oidc_provider_is_a_change():
    cs = read_plan(plan(create("aws_iam_openid_connect_provider.gh", {
        "url": "https://token.actions.githubusercontent.com", "client_id_list": ["sts.amazonaws.com"]})), ACCT)
    (op,) = cs.additions
    assert isinstance(op, PutOidcProvider) and op.client_ids == ("sts.amazonaws.com",)


def test_role_inline_policy_block_is_read_when_configured():
    conf = [{"address": "aws_iam_role.r", "type": "aws_iam_role", "name": "r",
             "expressions": {"name": {"constant_value": "r"}, "inline_policy": [{}]}}]
    p = plan(create("aws_iam_role.r", {"name": "r", "path": "/", "assume_role_policy": trust_account(),
                                       "inline_policy": [{"name": "all", "policy": ADMIN}]}), config=conf)
    acct, _ = after(p)
    assert [x.name for x in acct.roles["r"].inline] == ["all"]


def test_role_inline_policy_block_is_ignored_when_not_configured():
    p = plan(create("aws_iam_role.r", {"name": "r", "path": "/", "assume_role_policy": trust_account(),
                                       "inline_policy": [{"name": "all", "policy": ADMIN}]}),
             config=[{"address": "aws_iam_role.r", "type": "aws_iam_role", "name": "r", "expressions": {}}])
    acct, _ = after(p)
    assert acct.roles["r"].inline == ()


def test_unknown_policy_document_is_reported_not_dropped():
    p = plan(create("aws_iam_user_policy.p", {"name": "P", "user": "u"}, {"policy": True, "id": True}))
    acct, cs = after(p)
    (u,) = cs.unknowns
    assert (u.origin.address, u.field) == ("aws_iam_user_policy.p", "policy")
    assert "cannot decide" in str(u.effect)
    assert "u" not in acct.users  # nothing was invented for it


def test_unknown_trust_policy_role_trusts_nobody_and_is_reported():
    p = plan(create("aws_iam_role.r", {"name": "r", "path": "/"}, {"assume_role_policy": True}))
    acct, cs = after(p)
    assert [st.effect.value for st in acct.roles["r"].trust.statements] == ["Deny"]
    assert [u.field for u in cs.unknowns] == ["assume_role_policy"]


def test_unknown_reference_is_resolved_to_a_planned_arn():
    conf = [{"address": "aws_iam_role_policy_attachment.a", "type": "aws_iam_role_policy_attachment", "name": "a",
             "expressions": {"role": {"references": ["aws_iam_role.r.name", "aws_iam_role.r"]},
                             "policy_arn": {"references": ["aws_iam_policy.p.arn", "aws_iam_policy.p"]}}}]
    p = plan(create("aws_iam_role.r", {"name": "r", "path": "/", "assume_role_policy": trust_account()}),
             create("aws_iam_policy.p", {"name": "p", "path": "/ops/", "policy": ADMIN}, {"arn": True}),
             create("aws_iam_role_policy_attachment.a", {"role": "r"}, {"policy_arn": True}), config=conf)
    acct, cs = after(p)
    assert cs.unknowns == ()
    assert acct.roles["r"].attached == (f"arn:aws:iam::{ACCT}:policy/ops/p",)


def test_unknown_reference_to_an_unplanned_resource_stays_unknown():
    conf = [{"address": "aws_iam_role_policy_attachment.a", "type": "aws_iam_role_policy_attachment", "name": "a",
             "expressions": {"policy_arn": {"references": ["aws_iam_policy.gone.arn", "aws_iam_policy.gone"]}}}]
    p = plan(create("aws_iam_role_policy_attachment.a", {"role": "r"}, {"policy_arn": True}), config=conf)
    _, cs = after(p)
    assert [u.field for u in cs.unknowns] == ["policy_arn"]


def test_unknown_list_element_is_reported_and_the_known_ones_kept():
    p = plan(create("aws_iam_group_membership.m", {"name": "m", "group": "g", "users": ["a", None]},
                    {"users": [False, True]}))
    acct, cs = after(p)
    assert acct.users["a"].groups == ("g",)
    assert [u.field for u in cs.unknowns] == ["users[1]"]


def test_malformed_policy_document_is_a_change_error_naming_the_address():
    p = plan(create("aws_iam_user_policy.bad", {"name": "P", "user": "u", "policy": '{"Statement": [{}]}'}))
    with pytest.raises(ChangeError, match="aws_iam_user_policy.bad"):
        after(p)


def test_not_a_plan_is_a_plan_error():
    with pytest.raises(PlanError, match="not terraform show -json"):
        read_plan({"Version": "2012-10-17"})
    with pytest.raises(PlanError, match=r"resource_changes\[0\]"):
        read_plan({"format_version": "1.2", "resource_changes": [{"address": "x"}]})
    with pytest.raises(PlanError, match="actions"):
        read_plan(plan(rc("aws_iam_user.u", ["explode"], None, {"name": "u"})))


def test_account_id_is_inferred_from_the_plan_arns():
    assert read_plan(admin_role_plan()).account_id == ACCT


def test_account_id_default_is_said_in_the_notes():
    cs = read_plan(plan(create("aws_iam_user.u", {"name": "u", "path": "/"})))
    assert cs.account_id == DEFAULT_ACCOUNT_ID and "--account-id" in str(cs.notes[0])


def test_data_sources_no_ops_and_other_types_are_skipped():
    data = rc("aws_iam_policy_document.d", ["read"], None, {"json": ADMIN})
    data["mode"] = "data"
    p = plan(data, rc("aws_iam_user.keep", ["no-op"], {"name": "keep"}, {"name": "keep"}),
             create("aws_s3_bucket.b", {"bucket": "b"}), create("aws_iam_access_key.k", {"user": "u"}))
    cs = read_plan(p, ACCT)
    assert cs.resources == () and cs.additions == ()
    assert any("aws_iam_access_key" in str(n) for n in cs.notes)


def test_config_address_drops_instance_keys():
    assert config_address('module.m["a.b"].aws_iam_user.u[0]') == "module.m.aws_iam_user.u"
    assert config_address("aws_iam_role.r") == "aws_iam_role.r"


def test_oidc_provider_is_applied_and_the_account_keeps_its_other_providers():
    from iamwarden.model.oidc_provider import OidcProvider

    gh = "https://token.actions.githubusercontent.com"
    start = apply(empty_account(ACCT), read_plan(plan(create("aws_iam_openid_connect_provider.old", {
        "url": "https://old.example.com", "client_id_list": ["a"]})), ACCT))
    assert [p.url for p in start.oidc_providers] == ["old.example.com"]
    assert isinstance(start.oidc_providers[0], OidcProvider)
    acct = apply(start, read_plan(plan(create("aws_iam_openid_connect_provider.gh", {
        "url": gh, "client_id_list": ["sts.amazonaws.com"]})), ACCT))
    assert sorted(p.arn for p in acct.oidc_providers) == [
        f"arn:aws:iam::{ACCT}:oidc-provider/old.example.com",
        f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com"]
    gone = apply(acct, read_plan(plan(rc("aws_iam_openid_connect_provider.old", ["delete"],
                                         {"url": "https://old.example.com"}, None)), ACCT))
    assert [p.url for p in gone.oidc_providers] == ["token.actions.githubusercontent.com"]
