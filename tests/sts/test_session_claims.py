"""The session token carries the whole session (spec §4.3), compactly and within a bound.

A session rebuilt from its token must decide exactly as the session that was
issued: same policies, tags, chain facts and condition keys.
"""

from __future__ import annotations

import random
import string
from dataclasses import replace
from datetime import timedelta

import pytest

from iamwarden.policy.document import PolicyKind, parse_policy
from iamwarden.sts import (
    Session,
    SessionTag,
    StsError,
    TokenMalformed,
    UserSession,
    assume_role,
    get_session_token,
    session_decide,
)
from iamwarden.sts.session_claims import open_session, seal_session
from iamwarden.sts.tokens import MAX_TOKEN_CHARS

from .conftest import A, arn_role, arn_user


def _rich(world, clock, keyring):
    """alice → TaggedAccessRole (tags, transitive key, source identity, inline + managed policies) → AppRole."""
    first = assume_role(world, arn_user("alice"), {
        "RoleArn": arn_role("TaggedAccessRole"), "RoleSessionName": "audit",
        "Tags": [{"Key": "team", "Value": "blue"}, {"Key": "cost", "Value": "42"}],
        "TransitiveTagKeys": ["team"], "SourceIdentity": "alice",
        "Policy": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sts:*"],"Resource":"*"}]}',
        "PolicyArns": [{"arn": f"arn:aws:iam::{A}:policy/ReadOnlyS3"}],
        "SerialNumber": f"arn:aws:iam::{A}:mfa/alice", "TokenCode": "123456",
    }, clock, keyring)
    return first


def test_role_session_round_trips_through_its_token(world, clock, keyring) -> None:
    r = _rich(world, clock, keyring)
    back, secret = open_session(keyring, r.credentials.session_token, r.credentials.access_key_id, clock())
    assert secret == r.credentials.secret_access_key
    assert isinstance(back, Session)
    s = r.session
    for f in ("role_arn", "role_id", "account", "session_name", "issued", "expires", "access_key_id", "tags",
              "inherited_tags", "source_identity", "mfa", "mfa_time", "chained", "caller_arn", "packed_policy_size"):
        assert getattr(back, f) == getattr(s, f), f
    assert [(p.name, p.document) for p in back.session_policies] == [(p.name, p.document) for p in s.session_policies]
    assert [p.kind for p in back.session_policies] == [PolicyKind.SESSION, PolicyKind.SESSION]
    assert back.context(clock()) == replace(s, role_tags={}).context(clock(), world.entity(s.role_arn).tags)


def test_session_rebuilt_from_its_token_decides_as_the_issued_one(world, clock, keyring) -> None:
    r = _rich(world, clock, keyring)
    back, _ = open_session(keyring, r.credentials.session_token, r.credentials.access_key_id, clock())
    for action, resource in [("s3:GetObject", "arn:aws:s3:::data/blue/x"), ("s3:PutObject", "*"),
                             ("s3:DeleteObject", "*"), ("s3:ListBucket", "*"), ("iam:ListUsers", "*")]:
        a = session_decide(world, r.session, action, resource, now=clock())
        b = session_decide(world, back, action, resource, now=clock())
        assert a.verdict == b.verdict, action


def test_chained_session_keeps_inherited_transitive_tags_and_source_identity(world, clock, keyring) -> None:
    first = _rich(world, clock, keyring)
    parent, _ = open_session(keyring, first.credentials.session_token, first.credentials.access_key_id, clock())
    second = assume_role(world, parent, {"RoleArn": arn_role("AppRole"), "RoleSessionName": "next"}, clock, keyring)
    back, _ = open_session(keyring, second.credentials.session_token, second.credentials.access_key_id, clock())
    assert isinstance(back, Session) and back.chained
    assert back.inherited_tags == (SessionTag("team", "blue", True, True),)
    assert back.source_identity == "alice" and back.mfa


def test_user_session_round_trips_through_its_token(world, clock, keyring) -> None:
    r = get_session_token(world, arn_user("alice"), {"SerialNumber": f"arn:aws:iam::{A}:mfa/alice",
                                                     "TokenCode": "123456"}, clock, keyring)
    back, secret = open_session(keyring, r.credentials.session_token, r.credentials.access_key_id, clock())
    assert isinstance(back, UserSession) and secret == r.credentials.secret_access_key
    for f in ("principal_arn", "unique_id", "account", "issued", "expires", "access_key_id", "mfa", "mfa_time"):
        assert getattr(back, f) == getattr(r.session, f), f


def test_plain_role_session_token_is_compact(world, clock, keyring) -> None:
    r = assume_role(world, arn_user("alice"), {"RoleArn": arn_role("AppRole"), "RoleSessionName": "s1"},
                    clock, keyring)
    assert len(r.credentials.session_token) < 400  # AWS's own are ~ 800-1000 characters


def _noise(rnd: random.Random, n: int) -> str:
    return "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(n))


def test_largest_session_the_packed_size_budgets_allow_fits_the_token_bound(world, clock, keyring) -> None:
    """2,048 characters of incompressible policy text and 2,048 of tags (the budgets, rules.SESSION_*_BUDGET)."""
    rnd = random.Random(7)
    base = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::'
    policy = base + _noise(rnd, 2048 - len(base) - 4) + '"}]}'
    assert len(policy) == 2048
    tags = tuple(SessionTag(_noise(rnd, 41), _noise(rnd, 40), True) for _ in range(25))  # 25 x 81 chars
    s = Session(arn_role("AppRole"), "AROAAPPROLE0000000000", A, _noise(rnd, 64), clock(),
                clock() + timedelta(hours=1), session_policies=(parse_policy(policy, PolicyKind.SESSION,
                                                                               "session policy"),),
                tags=tags, source_identity=_noise(rnd, 64), caller_arn=arn_user("alice"), packed_policy_size=100)
    creds, sealed = seal_session(keyring, s)
    assert len(creds.session_token) <= MAX_TOKEN_CHARS
    back, _ = open_session(keyring, creds.session_token, creds.access_key_id, clock())
    assert replace(back, session_policies=()) == replace(sealed, role_tags={}, session_policies=())
    assert [p.document for p in back.session_policies] == [p.document for p in sealed.session_policies]


def test_session_too_large_for_a_token_is_refused_at_issue_as_packed_policy_too_large(clock, keyring) -> None:
    rnd = random.Random(8)
    policies = tuple(parse_policy('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",'
                                  f'"Resource":"arn:aws:s3:::{_noise(rnd, 2000)}"}}]}}', PolicyKind.IDENTITY,
                                  f"arn:aws:iam::{A}:policy/{_noise(rnd, 100)}") for _ in range(4))
    s = Session(arn_role("AppRole"), "AROAAPPROLE0000000000", A, "big", clock(), clock() + timedelta(hours=1),
                session_policies=policies)
    with pytest.raises(StsError) as e:
        seal_session(keyring, s)
    assert (e.value.code, e.value.status) == ("PackedPolicyTooLarge", 400)


def test_authentic_token_with_unreadable_session_claims_is_malformed(clock, keyring) -> None:
    from iamwarden.sts.tokens import issue_token

    t = issue_token(keyring, A, clock(), clock() + timedelta(hours=1), {"k": "r", "ra": 1})
    with pytest.raises(TokenMalformed):
        open_session(keyring, t.session_token, t.access_key_id, clock())
