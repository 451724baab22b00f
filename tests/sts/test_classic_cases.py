"""The three classic AssumeRole cases, end to end from the bundled example account (spec §1.6)."""

from __future__ import annotations

import pytest

from iamwarden.sts import StsError, assume_role, session_decide
from iamwarden.sts.explain import explain_assume_role

ACCT = "111122223333"


def user(n: str) -> str:
    return f"arn:aws:iam::{ACCT}:user/{n}"


def role(n: str) -> str:
    return f"arn:aws:iam::{ACCT}:role/{n}"


def test_both_sides_allow_alice_assumes_admin_role(demo, clock, keyring) -> None:
    r = assume_role(demo, user("alice"), {"RoleArn": role("AdminRole"), "RoleSessionName": "alice"}, clock, keyring)
    assert r.session.arn == f"arn:aws:sts::{ACCT}:assumed-role/AdminRole/alice"
    assert session_decide(demo, r.session, "iam:CreateUser", "*").allowed
    e = explain_assume_role(demo, user("alice"), {"RoleArn": role("AdminRole"), "RoleSessionName": "alice"}, clock())
    assert e.allowed and (e.caller_side.state, e.trust_side.state) == ("allow", "allow")
    assert "trusts the account" in e.rule and e.changes == ()


def test_only_the_caller_allows_ops_admin_and_audit_role(demo, clock, keyring) -> None:
    with pytest.raises(StsError) as err:
        assume_role(demo, user("ops-admin"), {"RoleArn": role("AuditRole"), "RoleSessionName": "ops"}, clock, keyring)
    assert err.value.code == "AccessDenied"
    e = explain_assume_role(demo, user("ops-admin"), {"RoleArn": role("AuditRole"), "RoleSessionName": "ops"}, clock())
    assert not e.allowed and (e.caller_side.state, e.trust_side.state) == ("allow", "deny")
    assert any("trust policy would need to name you" in c for c in e.changes)
    assert e.error_message == err.value.message


def test_only_the_trust_allows_carol_and_admin_role(demo, clock, keyring) -> None:
    with pytest.raises(StsError) as err:
        assume_role(demo, user("carol"), {"RoleArn": role("AdminRole"), "RoleSessionName": "carol"}, clock, keyring)
    assert err.value.code == "AccessDenied"
    e = explain_assume_role(demo, user("carol"), {"RoleArn": role("AdminRole"), "RoleSessionName": "carol"}, clock())
    assert (e.caller_side.state, e.trust_side.state) == ("deny", "allow")
    assert e.changes[0] == f"add sts:AssumeRole on {role('AdminRole')} to an identity policy of carol (or of one of its groups)"


def test_trust_naming_the_user_needs_no_identity_permission_bob_and_audit_role(demo, clock, keyring) -> None:
    assume_role(demo, user("bob"), {"RoleArn": role("AuditRole"), "RoleSessionName": "bob"}, clock, keyring)
    e = explain_assume_role(demo, user("bob"), {"RoleArn": role("AuditRole"), "RoleSessionName": "bob"}, clock())
    assert e.allowed and e.caller_side.state == "not-needed"
    assert e.rule == "same account, trust names you directly, so no identity permission was needed"


def test_explain_agrees_with_assume_role_for_every_user_and_role_of_the_demo(demo, clock, keyring) -> None:
    acct = demo.accounts[ACCT]
    for u in acct.users.values():
        for r in acct.roles.values():
            p = {"RoleArn": r.arn, "RoleSessionName": "check"}
            try:
                assume_role(demo, u.arn, p, clock, keyring)
                ok = True
            except StsError:
                ok = False
            assert explain_assume_role(demo, u.arn, p, clock()).allowed is ok, (u.name, r.name)
