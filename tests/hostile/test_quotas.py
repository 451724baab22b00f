"""Hostile input, class "nothing bounds growth" (issue 8): IAM and STS size quotas.

One test per quota of ``policy.quotas`` (IAM and AWS STS quotas page; white
space not counted), each at the limit (accepted) and one character over
(refused with AWS's code, status and message, nothing stored), plus the
white-space rule, the aggregate rule for inline policies, the session-policy
rules and the offline readers that must not refuse what AWS already holds.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from iamwarden.loaders.authz_details import load_account
from iamwarden.policy import quotas
from iamwarden.policy.quotas import QUOTAS, policy_size
from iamwarden.policy.validation import validate_policy
from iamwarden.store import LimitExceeded, NoSuchEntity, Store, seeded
from iamwarden.sts import SeededRandom, StsError, assume_role
from iamwarden.sts.packing import check_packed_size, packed_size
from iamwarden.testing import local_endpoint

A = "123456789012"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
PERMISSIONS = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/%s"}]}'
TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},'
    '"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"%s"}}}]}'
)


def sized(template: str, size: int, filler: str = "a") -> str:
    """A document of ``template`` with exactly ``size`` characters that count."""
    fixed = policy_size(template % "")
    assert size >= fixed
    text = template % (filler * (size - fixed))
    assert policy_size(text) == size
    return text


def pretty(text: str) -> str:
    """The same document with more white space than characters that count."""
    return "\n" + " \t" * len(text) + json.dumps(json.loads(text), indent=4) + "\r\n"


@pytest.fixture()
def store():
    s = Store(clock=lambda: NOW, ids=seeded(7))
    s.create_user(A, "alice")
    s.create_group(A, "devs")
    s.create_role(A, "app", sized(TRUST, 300))
    yield s
    s.close()


# --- the table ---------------------------------------------------------------------------


@pytest.mark.timeout(10)
def test_quota_table_holds_the_documented_limits() -> None:
    limits = {k: q.limit for k, q in QUOTAS.items()}
    assert limits == {
        "managed-policy": 6144, "trust-policy": 2048, "user-inline": 2048,
        "group-inline": 5120, "role-inline": 10240, "session-policy": 2048,
    }
    assert {q.code for k, q in QUOTAS.items() if k != "session-policy"} == {"LimitExceeded"}
    assert {q.status for k, q in QUOTAS.items() if k != "session-policy"} == {409}


@pytest.mark.timeout(10)
def test_whitespace_is_not_counted_in_policy_size() -> None:
    text = sized(PERMISSIONS, 500)
    assert policy_size(pretty(text)) == 500 and len(pretty(text)) > 3 * 500
    assert policy_size(" \t\r\n" * 1000 + "{}") == 2
    # U+00A0 and U+0085 are characters documents may hold; they count (Java's \s excludes them)
    assert policy_size('"\u00a0\u0085"') == 4


# --- inline policies: the entity's total ------------------------------------------------------


@pytest.mark.parametrize(("kind", "owner", "limit"), [("user", "alice", 2048), ("group", "devs", 5120),
                                                      ("role", "app", 10240)])
@pytest.mark.timeout(20)
def test_inline_policies_of_one_entity_together_within_quota(store: Store, kind: str, owner: str,
                                                             limit: int) -> None:
    half = limit // 2
    store.put_inline_policy(A, kind, owner, "one", sized(PERMISSIONS, half))
    store.put_inline_policy(A, kind, owner, "two", sized(PERMISSIONS, limit - half))  # exactly the quota
    with pytest.raises(LimitExceeded) as e:
        store.put_inline_policy(A, kind, owner, "three", sized(PERMISSIONS, 120))
    assert e.value.code == "LimitExceeded" and e.value.status == 409
    assert e.value.message == f"Maximum policy size of {limit} bytes exceeded for {kind} {owner}"
    assert store.list_inline_policies(A, kind, owner) == ["one", "two"]  # nothing stored


@pytest.mark.timeout(20)
def test_user_inline_policy_over_2048_characters_is_limit_exceeded(store: Store) -> None:
    store.put_inline_policy(A, "user", "alice", "p", sized(PERMISSIONS, 2048))
    with pytest.raises(LimitExceeded, match="Maximum policy size of 2048 bytes exceeded for user alice"):
        store.put_inline_policy(A, "user", "alice", "q", sized(PERMISSIONS, 2049))
    with pytest.raises(NoSuchEntity):
        store.get_inline_policy(A, "user", "alice", "q")


@pytest.mark.timeout(20)
def test_replacing_an_inline_policy_counts_the_new_document_not_the_old(store: Store) -> None:
    store.put_inline_policy(A, "user", "alice", "p", sized(PERMISSIONS, 2000))
    store.put_inline_policy(A, "user", "alice", "p", sized(PERMISSIONS, 2048))
    assert policy_size(store.get_inline_policy(A, "user", "alice", "p")) == 2048


@pytest.mark.timeout(20)
def test_inline_quota_does_not_count_whitespace(store: Store) -> None:
    text = pretty(sized(PERMISSIONS, 2048))
    assert len(text) > 2 * 2048
    store.put_inline_policy(A, "user", "alice", "p", text)  # accepted: 2,048 characters that count
    assert store.get_inline_policy(A, "user", "alice", "p") == text


# --- managed policies: each version ------------------------------------------------------------


@pytest.mark.timeout(20)
def test_managed_policy_version_over_6144_characters_is_limit_exceeded(store: Store) -> None:
    created = store.create_policy(A, "big", pretty(sized(PERMISSIONS, 6144)))
    with pytest.raises(LimitExceeded) as e:
        store.create_policy(A, "bigger", sized(PERMISSIONS, 6145))
    assert (e.value.code, e.value.status) == ("LimitExceeded", 409)
    assert e.value.message == "Cannot exceed quota for PolicySize: 6144"
    with pytest.raises(LimitExceeded, match="Cannot exceed quota for PolicySize: 6144"):
        store.create_policy_version(created["Arn"], sized(PERMISSIONS, 6145), True)
    assert [v["VersionId"] for v in store.list_policy_versions(created["Arn"])] == ["v1"]
    with pytest.raises(NoSuchEntity):
        store.get_policy(f"arn:aws:iam::{A}:policy/bigger")


# --- trust policies ------------------------------------------------------------------------------


@pytest.mark.timeout(20)
def test_trust_policy_over_2048_characters_is_limit_exceeded(store: Store) -> None:
    store.create_role(A, "edge", pretty(sized(TRUST, 2048)))
    with pytest.raises(LimitExceeded) as e:
        store.create_role(A, "over", sized(TRUST, 2049))
    assert e.value.message == "Cannot exceed quota for ACLSizePerRole: 2048" and e.value.status == 409
    with pytest.raises(LimitExceeded, match="ACLSizePerRole: 2048"):
        store.update_assume_role_policy(A, "edge", sized(TRUST, 2049))
    with pytest.raises(NoSuchEntity):
        store.get_role(A, "over")
    assert policy_size(store.get_role(A, "edge")["AssumeRolePolicyDocument"]) == 2048


@pytest.mark.timeout(20)
def test_quota_is_checked_before_the_document_is_parsed(store: Store) -> None:
    # 200 KB of JSON that would take time to parse and validate is refused on its size alone
    huge = "[" * 1 + ",".join(["{}"] * 100_000) + "]"
    with pytest.raises(LimitExceeded):
        store.create_policy(A, "huge", huge)


# --- session policies (STS) ---------------------------------------------------------------------

ROLE = f"arn:aws:iam::{A}:role/app"


@pytest.fixture()
def sts_world():
    from iamwarden.sts import Keyring

    s = Store(clock=lambda: NOW, ids=seeded(3))
    s.create_user(A, "alice")
    s.put_inline_policy(A, "user", "alice", "assume",
                        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",'
                        '"Resource":"*"}]}')
    s.create_role(A, "app", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "sts:AssumeRole"}]}))
    s.create_policy(A, "half", sized(PERMISSIONS, 1500))
    yield s.to_world(), Keyring.generate("k1", SeededRandom(42))
    s.close()


def _assume(world, keyring, **kw):
    return assume_role(world, f"arn:aws:iam::{A}:user/alice",
                       {"RoleArn": ROLE, "RoleSessionName": "s1", **kw}, lambda: NOW, keyring, SeededRandom(1))


@pytest.mark.timeout(20)
def test_session_policy_over_2048_characters_is_validation_error(sts_world) -> None:
    world, keyring = sts_world
    assert _assume(world, keyring, Policy=pretty(sized(PERMISSIONS, 2048))).packed_policy_size == 100
    with pytest.raises(StsError) as e:
        _assume(world, keyring, Policy=sized(PERMISSIONS, 2049))
    assert (e.value.code, e.value.status) == ("ValidationError", 400)
    assert e.value.message.endswith("at 'policy' failed to satisfy constraint: "
                                    "Member must have length less than or equal to 2048")
    assert len(e.value.message) < 600  # the 2 KB value is quoted as a short prefix


@pytest.mark.timeout(20)
def test_session_policies_inline_and_managed_together_are_packed_policy_too_large(sts_world) -> None:
    world, keyring = sts_world
    with pytest.raises(StsError) as e:
        _assume(world, keyring, Policy=sized(PERMISSIONS, 1000),
                PolicyArns=[{"arn": f"arn:aws:iam::{A}:policy/half"}])
    assert (e.value.code, e.value.status) == ("PackedPolicyTooLarge", 400)
    assert e.value.message == "Packed policy consumes 123% of allotted space, please use smaller policy."


@pytest.mark.timeout(10)
def test_packed_size_rule_is_the_session_policy_quota() -> None:
    size = packed_size([json.loads(sized(PERMISSIONS, quotas.SESSION_POLICY.limit))], [])
    assert size.policy_percent == 100
    check_packed_size(size)


# --- what AWS already holds is analysed, not refused ----------------------------------------------


@pytest.mark.timeout(30)
def test_check_and_audit_read_oversized_documents_aws_already_holds(tmp_path: Path) -> None:
    big = json.loads(sized(PERMISSIONS, 30_000))
    details = {
        "UserDetailList": [{"UserName": "alice", "UserId": "AIDAAAAAAAAAAAAAAAAAA", "Path": "/",
                            "Arn": f"arn:aws:iam::{A}:user/alice", "UserPolicyList": [
                                {"PolicyName": "huge", "PolicyDocument": big}]}],
        "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
    }
    path = tmp_path / "account.json"
    path.write_text(json.dumps(details))
    account = load_account(path)
    assert account.users["alice"].inline[0].policy.statements  # loaded and evaluable
    # ``validate`` still says it is over the quota
    assert "POLICY_SIZE_EXCEEDED" in {f.code for f in validate_policy(big)}


# --- over the wire -------------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_quotas_over_the_wire_answer_limit_exceeded_409() -> None:
    with local_endpoint() as ep:
        iam = ep.client("iam")
        iam.create_user(UserName="bob")
        iam.put_user_policy(UserName="bob", PolicyName="p", PolicyDocument=pretty(sized(PERMISSIONS, 2048)))
        with pytest.raises(ClientError) as e:
            iam.put_user_policy(UserName="bob", PolicyName="q", PolicyDocument=sized(PERMISSIONS, 200))
        err = e.value.response
        assert err["Error"]["Code"] == "LimitExceeded"
        assert err["Error"]["Message"] == "Maximum policy size of 2048 bytes exceeded for user bob"
        assert err["ResponseMetadata"]["HTTPStatusCode"] == 409
        # 130 KB (the model allows 131,072 characters): refused, not stored
        with pytest.raises(ClientError) as e:
            iam.create_policy(PolicyName="huge", PolicyDocument=sized(PERMISSIONS, 130_000))
        assert e.value.response["Error"]["Code"] == "LimitExceeded"
        assert e.value.response["Error"]["Message"] == "Cannot exceed quota for PolicySize: 6144"
        assert not [p for p in iam.list_policies(Scope="Local")["Policies"]]


@pytest.mark.timeout(60)
def test_serve_load_keeps_documents_aws_already_holds_but_api_writes_are_checked(tmp_path: Path) -> None:
    """An account may have raised quotas (a 4,096-character trust policy): ``--load`` takes it as is."""
    trust = json.loads(sized(TRUST, 4000))
    role_policy = json.loads(sized(PERMISSIONS, 12_000))
    details = {
        "UserDetailList": [], "GroupDetailList": [], "Policies": [],
        "RoleDetailList": [{"RoleName": "wide", "RoleId": "AROAAAAAAAAAAAAAAAAAA", "Path": "/",
                            "Arn": f"arn:aws:iam::{A}:role/wide", "AssumeRolePolicyDocument": trust,
                            "RolePolicyList": [{"PolicyName": "big", "PolicyDocument": role_policy}],
                            "AttachedManagedPolicies": [], "InstanceProfileList": []}],
    }
    path = tmp_path / "account.json"
    path.write_text(json.dumps(details))
    with local_endpoint(account_id=A, load=[str(path)]) as ep:
        iam = ep.client("iam")
        assert policy_size(iam.get_role(RoleName="wide")["Role"]["AssumeRolePolicyDocument"]) > 2048
        with pytest.raises(ClientError) as e:
            iam.update_assume_role_policy(RoleName="wide", PolicyDocument=json.dumps(trust))
        assert e.value.response["Error"]["Message"] == "Cannot exceed quota for ACLSizePerRole: 2048"
        with pytest.raises(ClientError) as e:
            iam.put_role_policy(RoleName="wide", PolicyName="more", PolicyDocument=sized(PERMISSIONS, 200))
        assert e.value.response["Error"]["Message"] == "Maximum policy size of 10240 bytes exceeded for role wide"


# --- entity counts --------------------------------------------------------------------------------


@pytest.mark.timeout(10)
def test_count_quota_table_holds_the_documented_defaults() -> None:
    assert {k: (q.aws_name, q.limit) for k, q in quotas.COUNT_QUOTAS.items()} == {
        "users-per-account": ("UsersPerAccount", 5000), "groups-per-account": ("GroupsPerAccount", 300),
        "roles-per-account": ("RolesPerAccount", 1000), "policies-per-account": ("PoliciesPerAccount", 1500),
        "instance-profiles-per-account": ("InstanceProfilesPerAccount", 1000),
        "groups-per-user": ("GroupsPerUser", 10), "policies-per-user": ("PoliciesPerUser", 10),
        "policies-per-group": ("PoliciesPerGroup", 10), "policies-per-role": ("PoliciesPerRole", 10),
    }


@pytest.mark.parametrize(("kind", "owner"), [("user", "alice"), ("group", "devs"), ("role", "app")])
@pytest.mark.timeout(30)
def test_at_most_10_managed_policies_attached_per_entity(store: Store, kind: str, owner: str) -> None:
    arns = [store.create_policy(A, f"p{i}", sized(PERMISSIONS, 120))["Arn"] for i in range(11)]
    for arn in arns[:10]:
        store.attach_policy(A, kind, owner, arn)
    store.attach_policy(A, kind, owner, arns[0])  # attaching again is not one more
    with pytest.raises(LimitExceeded) as e:
        store.attach_policy(A, kind, owner, arns[10])
    assert e.value.message == f"Cannot exceed quota for PoliciesPer{kind.title()}: 10" and e.value.status == 409
    assert len(store.list_attached_policies(A, kind, owner)) == 10


@pytest.mark.timeout(30)
def test_a_user_is_in_at_most_10_groups(store: Store) -> None:
    for i in range(11):
        store.create_group(A, f"g{i}")
    for i in range(10):
        store.add_user_to_group(A, f"g{i}", "alice")
    store.add_user_to_group(A, "g0", "alice")  # already a member: not one more
    with pytest.raises(LimitExceeded, match="Cannot exceed quota for GroupsPerUser: 10"):
        store.add_user_to_group(A, "g10", "alice")


@pytest.mark.timeout(120)
def test_at_most_300_groups_per_account(store: Store) -> None:
    for i in range(1, 300):  # "devs" is the first
        store.create_group(A, f"g{i}")
    with pytest.raises(LimitExceeded, match="Cannot exceed quota for GroupsPerAccount: 300"):
        store.create_group(A, "one-more")


@pytest.mark.parametrize(("name", "create"), [
    ("USERS_PER_ACCOUNT", lambda s, i: s.create_user(A, f"u{i}")),
    ("ROLES_PER_ACCOUNT", lambda s, i: s.create_role(A, f"r{i}", sized(TRUST, 300))),
    ("POLICIES_PER_ACCOUNT", lambda s, i: s.create_policy(A, f"p{i}", sized(PERMISSIONS, 120))),
    ("INSTANCE_PROFILES_PER_ACCOUNT", lambda s, i: s.create_instance_profile(A, f"ip{i}")),
])
@pytest.mark.timeout(30)
def test_entities_per_account_are_counted_against_their_quota(store: Store, monkeypatch, name, create) -> None:
    """The rule for 5,000 users (1,000 roles, ...), run with the limit lowered to keep the test fast."""
    quota = getattr(quotas, name)
    existing = {"USERS_PER_ACCOUNT": 1, "ROLES_PER_ACCOUNT": 1}.get(name, 0)  # the fixture's alice, app
    monkeypatch.setattr(quotas, name, dataclasses.replace(quota, limit=existing + 3))
    for i in range(3):
        create(store, i)
    with pytest.raises(LimitExceeded) as e:
        create(store, 99)
    assert e.value.message == f"Cannot exceed quota for {quota.aws_name}: {existing + 3}"
