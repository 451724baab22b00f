"""Fixtures for STS tests: a small two-account world built in code, a fake clock, a keyring."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iamwarden.loaders.authz_details import account_from_details, load_world
from iamwarden.model.account import World
from iamwarden.sts import Keyring, ManualClock, SeededRandom

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo-account.json"

A = "111122223333"
B = "444455556666"
ALLOW_STS = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def trust(principal: Any, actions: Any = ALLOW_STS, condition: dict[str, Any] | None = None,
          effect: str = "Allow") -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": effect, "Principal": {"AWS": principal}, "Action": actions}
    if condition:
        st["Condition"] = condition
    return st


def user(account: str, name: str, *policies: dict[str, Any], tags: dict[str, str] | None = None,
         uid: str | None = None, boundary: str | None = None) -> dict[str, Any]:
    u: dict[str, Any] = {
        "Path": "/", "UserName": name, "UserId": uid or f"AIDA{name.upper():0<17}"[:21],
        "Arn": f"arn:aws:iam::{account}:user/{name}",
        "UserPolicyList": [{"PolicyName": f"p{i}", "PolicyDocument": p} for i, p in enumerate(policies)],
        "GroupList": [], "AttachedManagedPolicies": [],
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    }
    if boundary:
        u["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    return u


def role(account: str, name: str, trust_doc: dict[str, Any], *policies: dict[str, Any],
         tags: dict[str, str] | None = None, max_session: int = 3600, path: str = "/") -> dict[str, Any]:
    return {
        "Path": path, "RoleName": name, "RoleId": f"AROA{name.upper():0<17}"[:21],
        "Arn": f"arn:aws:iam::{account}:role{path}{name}",
        "AssumeRolePolicyDocument": trust_doc,
        "RolePolicyList": [{"PolicyName": f"p{i}", "PolicyDocument": p} for i, p in enumerate(policies)],
        "AttachedManagedPolicies": [], "InstanceProfileList": [],
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        "MaxSessionDuration": max_session,
    }


def managed(account: str, name: str, document: dict[str, Any]) -> dict[str, Any]:
    return {
        "PolicyName": name, "PolicyId": f"ANPA{name.upper():0<17}"[:21], "Arn": f"arn:aws:iam::{account}:policy/{name}",
        "Path": "/", "DefaultVersionId": "v1",
        "PolicyVersionList": [{"Document": document, "VersionId": "v1", "IsDefaultVersion": True}],
    }


ROOT_A = f"arn:aws:iam::{A}:root"
STS_ALL = {"Effect": "Allow", "Action": ALLOW_STS, "Resource": "*"}
S3_ALL = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}


def build_world() -> World:
    a = {
        "UserDetailList": [
            user(A, "alice", doc(STS_ALL), tags={"team": "blue"}),
            user(A, "bob"),  # no policies at all
            user(A, "carl", doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})),
        ],
        "RoleDetailList": [
            role(A, "AppRole", doc(trust(ROOT_A)), doc(S3_ALL, STS_ALL),
                 tags={"env": "prod", "team": "red"}),
            role(A, "LongRole", doc(trust(ROOT_A)), doc(S3_ALL, STS_ALL), max_session=43200),
            role(A, "PathRole", doc(trust(ROOT_A)), doc(S3_ALL), path="/app/"),
            role(A, "NoTagRole", doc(trust(ROOT_A, "sts:AssumeRole")), doc(S3_ALL)),
            role(A, "NamedRole", doc(trust(f"arn:aws:iam::{A}:user/bob", "sts:AssumeRole")), doc(S3_ALL)),
            role(A, "ExternalRole", doc(trust(ROOT_A, "sts:AssumeRole",
                                              {"StringEquals": {"sts:ExternalId": "Example987"}})), doc(S3_ALL)),
            role(A, "MfaRole", doc(trust(ROOT_A, "sts:AssumeRole",
                                         {"Bool": {"aws:MultiFactorAuthPresent": "true"}})), doc(S3_ALL)),
            role(A, "NameRole", doc(trust(ROOT_A, "sts:AssumeRole",
                                          {"StringEquals": {"sts:RoleSessionName": "${aws:username}"}})), doc(S3_ALL)),
            role(A, "BlueOnlyRole", doc(trust(ROOT_A, ALLOW_STS,
                                              {"StringEquals": {"aws:ResourceTag/team": "blue"}})),
                 doc(S3_ALL), tags={"team": "red"}),
            role(A, "TaggedAccessRole", doc(trust(ROOT_A)), doc(
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/${aws:PrincipalTag/team}/*"},
                {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:userid": "AROATAGGEDACCESSROLE0:audit"}}},
                {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:SourceIdentity": "alice"}}},
                STS_ALL,
            ), tags={"team": "red"}),
            role(A, "CrossRole", doc(trust(f"arn:aws:iam::{B}:root")), doc(S3_ALL)),
            role(A, "DenyBobRole", doc(trust(ROOT_A), trust(f"arn:aws:iam::{A}:user/carl", "*", effect="Deny")),
                 doc(S3_ALL)),
        ],
        "Policies": [
            managed(A, "ReadOnlyS3", doc({"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"})),
        ],
    }
    b = {
        "UserDetailList": [
            user(B, "vera", doc({"Effect": "Allow", "Action": ALLOW_STS, "Resource": "*"})),
            user(B, "ivan"),
        ],
    }
    accts = {x.account_id: x for x in (account_from_details(a, "a"), account_from_details(b, "b"))}
    return World(accts)


@pytest.fixture(scope="session")
def world() -> World:
    return build_world()


@pytest.fixture(scope="session")
def demo() -> World:
    return load_world([DEMO])


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock("2025-01-06T09:30:00Z")


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.generate("k1", SeededRandom(42))


def arn_user(name: str, account: str = A) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def arn_role(name: str, account: str = A) -> str:
    return f"arn:aws:iam::{account}:role/{name}"
