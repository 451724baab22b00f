"""GetFederationToken and federated-user sessions (spec §1.2, §1.4, §1.5, §3.1, §4.5, §4.6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from iamwarden.evaluation.authorizer import authorize
from iamwarden.evaluation.request import Request
from iamwarden.loaders.authz_details import account_from_details
from iamwarden.model.account import World
from iamwarden.policy.document import PolicyKind, parse_policy
from iamwarden.sts import Keyring, ManualClock, SeededRandom, StsError, get_caller_identity, rules, session_decide
from iamwarden.sts.directory import as_directory
from iamwarden.sts.federation_token import get_federation_token
from iamwarden.sts.session_claims import open_session

from .conftest import A, doc, managed, user

FED = {"Effect": "Allow", "Action": ["sts:GetFederationToken", "sts:TagSession"], "Resource": "*"}
S3 = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}
GET_ONLY = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
EVERYTHING = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})


def world_of() -> World:
    a = {
        "UserDetailList": [
            user(A, "fred", doc(FED, S3), tags={"team": "blue"}),
            user(A, "nofed", doc(S3)),
            user(A, "bounded", doc(FED, S3), boundary=f"arn:aws:iam::{A}:policy/GetOnly"),
            user(A, "notag", doc({"Effect": "Allow", "Action": "sts:GetFederationToken", "Resource": "*"}, S3)),
        ],
        "Policies": [managed(A, "GetOnly", doc({"Effect": "Allow", "Action": ["s3:GetObject", "sts:*"],
                                                "Resource": "*"}))],
    }
    return World({A: account_from_details(a, "a")})


WORLD = world_of()
FRED = f"arn:aws:iam::{A}:user/fred"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock("2025-01-06T09:30:00Z")


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.generate("k1", SeededRandom(42))


def gft(clock, keyring, caller: Any = FRED, **params: Any):
    p: dict[str, Any] = {"Name": "Bob", "Policy": _json(EVERYTHING)}
    p.update(params)
    p = {k: v for k, v in p.items() if v is not None}
    return get_federation_token(WORLD, caller, p, clock, keyring, SeededRandom(5))


def _json(d: dict[str, Any]) -> str:
    import json
    return json.dumps(d)


def refused(*args: Any, **kwargs: Any) -> StsError:
    with pytest.raises(StsError) as e:
        gft(*args, **kwargs)
    return e.value


def test_federated_user_arn_and_id(clock, keyring) -> None:
    r = gft(clock, keyring)
    api = r.to_api()
    assert api["FederatedUser"] == {"Arn": f"arn:aws:sts::{A}:federated-user/Bob", "FederatedUserId": f"{A}:Bob"}
    assert api["Credentials"]["AccessKeyId"].startswith("ASIA")
    ident = get_caller_identity(r.session, WORLD)
    assert (ident.arn, ident.user_id, ident.account) == (f"arn:aws:sts::{A}:federated-user/Bob", f"{A}:Bob", A)


def test_federated_user_permissions_are_user_policies_cut_by_session_policy(clock, keyring) -> None:
    r = gft(clock, keyring, Policy=_json(GET_ONLY))
    assert session_decide(WORLD, r.session, "s3:GetObject", "*", now=clock()).allowed
    assert not session_decide(WORLD, r.session, "s3:PutObject", "*", now=clock()).allowed  # session policy
    assert not session_decide(WORLD, r.session, "ec2:RunInstances", "*", now=clock()).allowed  # user policies


def test_federated_user_without_session_policy_can_do_nothing(clock, keyring) -> None:
    r = gft(clock, keyring, Policy=None)
    d = session_decide(WORLD, r.session, "s3:GetObject", "*", now=clock())
    assert not d.allowed and d.rule == "federated user without session policy"


def test_federated_user_is_held_to_the_users_boundary(clock, keyring) -> None:
    r = gft(clock, keyring, f"arn:aws:iam::{A}:user/bounded")
    assert session_decide(WORLD, r.session, "s3:GetObject", "*", now=clock()).allowed
    assert not session_decide(WORLD, r.session, "s3:PutObject", "*", now=clock()).allowed


ROOT = f"arn:aws:iam::{A}:root"


def test_federated_user_of_root_acts_with_roots_permissions_cut_by_session_policy(clock, keyring) -> None:
    """Root has no identity policies; its federated user acts with root's "everything" ∩ the session policy."""
    r = gft(clock, keyring, ROOT, Policy=_json(GET_ONLY))
    assert session_decide(WORLD, r.session, "s3:GetObject", "*", now=clock()).allowed
    assert not session_decide(WORLD, r.session, "s3:PutObject", "*", now=clock()).allowed  # session policy
    everything = gft(clock, keyring, ROOT, Policy=_json(EVERYTHING))
    # fred's own policies do not allow ec2 (test above); root's do
    assert session_decide(WORLD, everything.session, "ec2:RunInstances", "*", now=clock()).allowed


def test_federated_user_of_root_without_session_policy_can_do_nothing(clock, keyring) -> None:
    r = gft(clock, keyring, ROOT, Policy=None)
    d = session_decide(WORLD, r.session, "s3:GetObject", "*", now=clock())
    assert not d.allowed and d.rule == "federated user without session policy"


def test_federated_user_of_root_is_capped_by_scps(clock, keyring) -> None:
    s3_and_sts = parse_policy(doc({"Effect": "Allow", "Action": ["s3:*", "sts:*"], "Resource": "*"}),
                              PolicyKind.SCP, "s3-and-sts-only")
    capped = World(WORLD.accounts, scps={A: ((s3_and_sts,),)})
    r = get_federation_token(capped, ROOT, {"Name": "Bob", "Policy": _json(EVERYTHING)}, clock, keyring,
                             SeededRandom(5))
    assert session_decide(capped, r.session, "s3:GetObject", "*", now=clock()).allowed
    assert not session_decide(capped, r.session, "ec2:RunInstances", "*", now=clock()).allowed


def test_federated_user_of_root_needs_a_resource_policy_in_another_account(clock, keyring) -> None:
    r = gft(clock, keyring, ROOT, Policy=_json(EVERYTHING))
    other = "arn:aws:sqs:us-east-1:999999999999:queue"
    assert not session_decide(WORLD, r.session, "sqs:SendMessage", other, now=clock()).allowed


def test_federated_user_context_keys(clock, keyring) -> None:
    r = gft(clock, keyring, Tags=[{"Key": "project", "Value": "apollo"}])
    ctx = r.session.context(clock(), {"team": "blue"})
    assert ctx["aws:PrincipalTag/team"] == "blue" and ctx["aws:PrincipalTag/project"] == "apollo"
    req = Request.build(r.session.caller(), "s3:GetObject", "*", ctx)
    assert req.context.single("aws:userid") == f"{A}:Bob"
    assert req.context.single("aws:principaltype") == "FederatedUser"
    assert req.context.single("aws:principalarn") == f"arn:aws:sts::{A}:federated-user/Bob"


def _bucket_policy(principal: str) -> Any:
    return parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "s3:DeleteObject",
         "Resource": "arn:aws:s3:::bucket/*"}]}, PolicyKind.RESOURCE, "bucket policy")


def _resource_decision(session: Any, principal: str) -> Any:
    caller = session.caller()
    res = "arn:aws:s3:::bucket/k"
    ps = as_directory(WORLD).policies_for(caller, res, "s3:DeleteObject", session.session_policies)
    ps = ps.replace(resource=_bucket_policy(principal))
    return authorize(Request.build(caller, "s3:DeleteObject", res, {}), ps)


def test_resource_policy_naming_the_federated_user_grants_directly(clock, keyring) -> None:
    r = gft(clock, keyring, Policy=_json(GET_ONLY))  # session policy does not allow DeleteObject
    assert _resource_decision(r.session, f"arn:aws:sts::{A}:federated-user/Bob").allowed
    assert not _resource_decision(r.session, f"arn:aws:sts::{A}:federated-user/Alice").allowed


def test_resource_policy_naming_the_user_grants_under_the_session_policy(clock, keyring) -> None:
    r = gft(clock, keyring, Policy=_json(GET_ONLY))
    assert not _resource_decision(r.session, FRED).allowed  # FEDUSER: session policy still cuts
    r2 = gft(clock, keyring)
    assert _resource_decision(r2.session, FRED).allowed


def test_get_federation_token_needs_permission(clock, keyring) -> None:
    e = refused(clock, keyring, f"arn:aws:iam::{A}:user/nofed")
    assert (e.code, e.status) == ("AccessDenied", 403)
    assert e.message == (f"User: arn:aws:iam::{A}:user/nofed is not authorized to perform: "
                         f"sts:GetFederationToken on resource: arn:aws:sts::{A}:federated-user/Bob")


def test_tags_need_sts_tag_session(clock, keyring) -> None:
    e = refused(clock, keyring, f"arn:aws:iam::{A}:user/notag", Tags=[{"Key": "k", "Value": "v"}])
    assert e.code == "AccessDenied" and "sts:TagSession" in e.message


def test_session_credentials_may_not_call_get_federation_token(clock, keyring) -> None:
    r = gft(clock, keyring)
    e = refused(clock, keyring, r.session)
    assert (e.code, e.message) == ("AccessDenied", "Cannot call GetFederationToken with session credentials")
    from iamwarden.sts import get_session_token
    st = get_session_token(WORLD, FRED, {}, clock, keyring)
    assert refused(clock, keyring, st.session).message == "Cannot call GetFederationToken with session credentials"


def test_duration_limits(clock, keyring) -> None:
    assert gft(clock, keyring).session.expires - clock() == timedelta(seconds=43200)
    assert gft(clock, keyring, DurationSeconds=129600).session.expires - clock() == timedelta(seconds=129600)
    for bad in (899, 129601):
        assert refused(clock, keyring, DurationSeconds=bad).code == "ValidationError"


def test_root_federation_token_is_held_to_one_hour(clock, keyring) -> None:
    r = gft(clock, keyring, f"arn:aws:iam::{A}:root", DurationSeconds=7200)
    assert rules.ROOT_FEDERATION_TOKEN_CLAMPS is True
    assert r.session.expires - clock() == timedelta(seconds=rules.ROOT_FEDERATION_TOKEN_DURATION_MAX)


def test_name_constraints(clock, keyring) -> None:
    for bad in ("B", "x" * 33, "bad name"):
        e = refused(clock, keyring, Name=bad)
        assert e.code == "ValidationError" and "'name'" in e.message
    assert refused(clock, keyring, Name=None).message.endswith("Member must not be null")


def test_packed_policy_size_is_reported(clock, keyring) -> None:
    assert 1 <= gft(clock, keyring).to_api()["PackedPolicySize"] <= 100


def test_federated_session_round_trips_through_its_token(clock, keyring) -> None:
    r = gft(clock, keyring, Policy=_json(GET_ONLY), Tags=[{"Key": "k", "Value": "v"}])
    back, _ = open_session(keyring, r.credentials.session_token, r.credentials.access_key_id, clock())
    assert back.arn == r.session.arn and back.session_policies[0].document == r.session.session_policies[0].document
    assert session_decide(WORLD, back, "s3:GetObject", "*", now=clock()).allowed


def test_federated_session_expires(clock, keyring) -> None:
    r = gft(clock, keyring, DurationSeconds=900)
    clock.advance(901)
    assert not session_decide(WORLD, r.session, "s3:GetObject", "*", now=clock()).allowed
