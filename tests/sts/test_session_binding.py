"""Sessions are bound to their issuer's unique id (spec §5.3, issue 8 item 3), in the library.

Each world below is one state of the same account: the role ``Worker`` as
issued, then deleted, then re-created under the same name (a new ``AROA…``);
the user ``bob`` likewise. A session issued in the first state is then used in
the others.
"""

from __future__ import annotations

from typing import Any

import pytest

from iamwarden.loaders.authz_details import account_from_details
from iamwarden.model.account import World
from iamwarden.sts import (
    StsError,
    as_directory,
    assume_role,
    get_caller_identity,
    get_session_token,
    session_decide,
)
from iamwarden.sts.session_binding import UNBOUND_SESSION_REFUSAL, unbound_reason

from .conftest import A, doc, role, trust, user

ALL = {"Effect": "Allow", "Action": ["s3:*", "sts:AssumeRole"], "Resource": "*"}
WORKER = f"arn:aws:iam::{A}:role/Worker"
TARGET = f"arn:aws:iam::{A}:role/Target"
BOB = f"arn:aws:iam::{A}:user/bob"


def _world(worker_id: str | None = "AROAWORKER00000000001", bob_id: str | None = "AIDABOB00000000000001") -> World:
    users = [user(A, "alice", doc(ALL))]
    if bob_id:
        users.append(user(A, "bob", doc(ALL), uid=bob_id))
    roles: list[dict[str, Any]] = [
        # trusts bob by ARN (what the store keeps as bob's unique id) and the account
        role(A, "Target", doc(trust([BOB, f"arn:aws:iam::{A}:root"], "sts:AssumeRole")), doc(ALL)),
    ]
    if worker_id:
        w = role(A, "Worker", doc(trust(f"arn:aws:iam::{A}:root", "sts:AssumeRole")), doc(ALL))
        w["RoleId"] = worker_id
        roles.append(w)
    details = {"UserDetailList": users, "RoleDetailList": roles, "Policies": []}
    return World({A: account_from_details(details, "a")})


ISSUED = _world()
ROLE_DELETED = _world(worker_id=None)
ROLE_RECREATED = _world(worker_id="AROAWORKER00000000002")
USER_DELETED = _world(bob_id=None)
USER_RECREATED = _world(bob_id="AIDABOB00000000000002")


def _role_session(clock, keyring):
    return assume_role(ISSUED, f"arn:aws:iam::{A}:user/alice",
                       {"RoleArn": WORKER, "RoleSessionName": "s1"}, clock, keyring).session


def _bob_session(clock, keyring):
    return get_session_token(ISSUED, BOB, {}, clock, keyring).session


def test_unbound_session_refusal_is_access_denied_for_roles_and_invalid_token_for_users() -> None:
    assert dict(UNBOUND_SESSION_REFUSAL) == {"role": "AccessDenied", "user": "InvalidClientTokenId"}


def test_session_is_bound_while_its_role_exists_with_the_same_unique_id(clock, keyring) -> None:
    s = _role_session(clock, keyring)
    assert s.role_id == "AROAWORKER00000000001"
    assert unbound_reason(as_directory(ISSUED), s) is None
    assert session_decide(ISSUED, s, "s3:GetObject", "*", now=clock()).allowed


@pytest.mark.parametrize("later", [ROLE_DELETED, ROLE_RECREATED], ids=["deleted", "recreated"])
def test_role_session_of_a_deleted_or_recreated_role_is_denied_everything(clock, keyring, later) -> None:
    s = _role_session(clock, keyring)
    d = session_decide(later, s, "s3:GetObject", "*", now=clock())
    assert not d.allowed and d.rule == "unbound session"
    assert "AROAWORKER00000000001" in d.reasons[0].message


def test_recreated_role_does_not_hand_its_policies_to_the_old_roles_sessions(clock, keyring) -> None:
    s = _role_session(clock, keyring)
    fresh = assume_role(ROLE_RECREATED, f"arn:aws:iam::{A}:user/alice",
                        {"RoleArn": WORKER, "RoleSessionName": "s1"}, clock, keyring).session
    assert session_decide(ROLE_RECREATED, fresh, "s3:GetObject", "*", now=clock()).allowed
    assert not session_decide(ROLE_RECREATED, s, "s3:GetObject", "*", now=clock()).allowed
    assert "re-created" in (unbound_reason(as_directory(ROLE_RECREATED), s) or "")


@pytest.mark.parametrize("later", [ROLE_DELETED, ROLE_RECREATED], ids=["deleted", "recreated"])
def test_role_chaining_from_a_session_of_a_gone_role_is_access_denied(clock, keyring, later) -> None:
    s = _role_session(clock, keyring)
    with pytest.raises(StsError) as e:
        assume_role(later, s, {"RoleArn": TARGET, "RoleSessionName": "chain"}, clock, keyring)
    assert (e.value.code, e.value.status) == (UNBOUND_SESSION_REFUSAL["role"], 403)
    assert e.value.message == (f"User: arn:aws:sts::{A}:assumed-role/Worker/s1 is not authorized to perform: "
                               f"sts:AssumeRole on resource: {TARGET}")
    assume_role(ISSUED, s, {"RoleArn": TARGET, "RoleSessionName": "chain"}, clock, keyring)  # while bound


def test_get_caller_identity_refuses_a_session_of_a_gone_role_given_the_directory(clock, keyring) -> None:
    s = _role_session(clock, keyring)
    assert get_caller_identity(s, ISSUED).arn.endswith("assumed-role/Worker/s1")
    with pytest.raises(StsError) as e:
        get_caller_identity(s, ROLE_RECREATED)
    assert e.value.code == UNBOUND_SESSION_REFUSAL["role"]


@pytest.mark.parametrize("later", [USER_DELETED, USER_RECREATED], ids=["deleted", "recreated"])
def test_deleted_users_session_credentials_grant_nothing_not_even_through_trust(clock, keyring, later) -> None:
    s = _bob_session(clock, keyring)
    # while bob exists his GetSessionToken credentials assume Target (its trust names bob)
    assume_role(ISSUED, s, {"RoleArn": TARGET, "RoleSessionName": "b1"}, clock, keyring)
    with pytest.raises(StsError) as e:
        assume_role(later, s, {"RoleArn": TARGET, "RoleSessionName": "b1"}, clock, keyring)
    assert (e.value.code, e.value.status) == (UNBOUND_SESSION_REFUSAL["user"], 403)
    assert not session_decide(later, s, "s3:GetObject", "*", now=clock()).allowed
    with pytest.raises(StsError):
        get_caller_identity(s, later)


def test_root_session_token_is_bound_to_the_account(clock, keyring) -> None:
    s = get_session_token(ISSUED, f"arn:aws:iam::{A}:root", {}, clock, keyring).session
    assert unbound_reason(as_directory(USER_DELETED), s) is None
