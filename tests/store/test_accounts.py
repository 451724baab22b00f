"""One database, one account (issue 8 item 7) and replacing an account's IAM data (issue 9 item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamwarden.store import StateError, Store

A, B = "111122223333", "444455556666"


def test_a_database_records_the_account_it_serves(tmp_path: Path) -> None:
    s = Store(tmp_path / "state.db")
    try:
        assert s.bound_account() is None
        s.bind_account(A)
        s.bind_account(A)  # idempotent
        assert s.bound_account() == A
    finally:
        s.close()
    s = Store(tmp_path / "state.db")
    try:
        assert s.bound_account() == A
    finally:
        s.close()


def test_another_account_is_refused_naming_both_ids(tmp_path: Path) -> None:
    s = Store(tmp_path / "state.db")
    try:
        s.bind_account(A)
        with pytest.raises(StateError) as e:
            s.bind_account(B)
        assert A in str(e.value) and B in str(e.value)
        assert s.accounts() == []  # refusing wrote nothing
    finally:
        s.close()


def test_an_older_database_is_bound_to_the_account_holding_its_root_key(tmp_path: Path) -> None:
    s = Store(tmp_path / "state.db")
    try:
        s.create_root_access_key(A)
        s.create_user(B, "loaded-beside")  # another account's data, loaded for cross-account trust
        assert s.bound_account() == A
        with pytest.raises(StateError, match=f"created for account {A}, not {B}"):
            s.bind_account(B)
    finally:
        s.close()


def test_an_older_database_serving_several_accounts_accepts_only_one_of_them(tmp_path: Path) -> None:
    """What the bug made: restarts with different --account-id left root keys of two accounts."""
    s = Store(tmp_path / "state.db")
    try:
        s.create_root_access_key(A)
        s.create_root_access_key(B)
        assert s.bound_account() is None
        with pytest.raises(StateError) as e:
            s.bind_account("777788889999")
        assert A in str(e.value) and B in str(e.value) and "777788889999" in str(e.value)
        s.bind_account(B)
        assert s.bound_account() == B
    finally:
        s.close()


def test_replacing_an_account_removes_its_iam_data_and_keeps_root_keys_and_settings(tmp_path: Path) -> None:
    s = Store(tmp_path / "state.db")
    try:
        root = s.create_root_access_key(A)
        s.update_account_settings(A, sts_token_keyring={"active": "k1", "keys": {"k1": "x"}})
        s.create_group(A, "devs")
        s.create_user(A, "alice")
        s.add_user_to_group(A, "devs", "alice")
        s.put_inline_policy(A, "user", "alice", "p", json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        user_key = s.create_access_key(A, "alice")
        s.create_login_profile(A, "alice", "pw-Long-enough-1")
        pol = s.create_policy(A, "mp", json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        s.attach_policy(A, "user", "alice", pol["Arn"])
        s.create_role(A, "r", json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "sts:AssumeRole"}]}))
        s.create_instance_profile(A, "ip")
        s.add_role_to_instance_profile(A, "ip", "r")
        s.create_user(B, "other-account-user")
        before = s.replace_account_iam(A)
        assert (before.users, before.groups, before.roles, before.policies, before.instance_profiles) == (1, 1, 1, 1, 1)
        assert s.account_summary(A).empty
        assert s.lookup_access_key(user_key["AccessKeyId"]) is None
        assert s.lookup_access_key(root.access_key_id) is not None
        assert s.account_settings(A)["sts_token_keyring"]["active"] == "k1"
        assert s.get_user(B, "other-account-user")["UserName"] == "other-account-user"
        s.create_user(A, "alice")  # names are free again
        with s.read() as conn:
            for table in ("inline_policies", "attachments", "group_members", "login_profiles",
                          "policy_versions", "instance_profile_roles"):
                rows = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                assert rows == 0, table
    finally:
        s.close()


def test_a_replacement_that_fails_keeps_the_old_data(tmp_path: Path) -> None:
    s = Store(tmp_path / "state.db")
    try:
        s.create_user(A, "alice")
        with pytest.raises(RuntimeError):
            with s.write():
                s.replace_account_iam(A)
                s.create_user(A, "bob")
                raise RuntimeError("the load failed half-way")
        assert [u["UserName"] for u in s.list_users(A)] == ["alice"]
    finally:
        s.close()


def test_the_summary_counts_and_reads_as_a_sentence(tmp_path: Path) -> None:
    s = Store(tmp_path / "state.db")
    try:
        s.create_user(A, "alice")
        s.create_user(A, "bob")
        s.create_group(A, "devs")
        assert str(s.account_summary(A)) == (
            f"account {A} (2 users, 1 group, 0 roles, 0 customer managed policies, 0 instance profiles)"
        )
    finally:
        s.close()
