#!/usr/bin/env python
"""Generate a seeded, realistic get-account-authorization-details file of N principals.

    python benchmarks/generate_accounts.py N [--seed S] [--output FILE]

The mix (fractions of N): ~45 % users and ~55 % roles. Users sit in one or
two of N/100 groups whose managed policies range from read-only to
deployment and operations; some carry inline policies, tags and permissions
boundaries; ~1.5 % are administrators. Roles trust, in roughly these shares,
an AWS service (Lambda, EC2 with an instance profile, ECS tasks, CodeBuild,
Glue: 35 %), the account root (25 %), specific users or roles (20 %), a
third-party account with ``sts:ExternalId`` (10 %) or without it (5 %), or a
tag-conditioned ``*`` (5 %). About 3 % of roles are admins. A few per cent of
principals get the permissions behind the catalog's techniques (PassRole to
Lambda/EC2, CreateAccessKey on service users, policy versions, AttachUserPolicy
on themselves, sts:AssumeRole on role patterns), some of them defused by a
boundary or a Deny, so the graph has real paths and real traps.

Deterministic for a given (N, seed): the benchmark compares runs on the same file.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from typing import Any

ACCT = "123456789012"
PARTNERS = ("210987654321", "333344445555", "777788889999")
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
SERVICES = ("lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com",
            "codebuild.amazonaws.com", "glue.amazonaws.com")


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCT}:{kind}/{name}"


def _id(prefix: str, rng: random.Random) -> str:
    return prefix + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))


def _policy(name: str, *versions: dict[str, Any], default: int = 0) -> dict[str, Any]:
    return {
        "PolicyName": name, "PolicyId": "ANPA" + name.upper().replace("-", "")[:17], "Arn": arn("policy", name),
        "Path": "/", "DefaultVersionId": f"v{default + 1}", "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True, "CreateDate": "2024-01-01T00:00:00Z", "UpdateDate": "2024-01-01T00:00:00Z",
        "PolicyVersionList": [{"Document": d, "VersionId": f"v{i + 1}", "IsDefaultVersion": i == default,
                               "CreateDate": "2024-01-01T00:00:00Z"} for i, d in enumerate(versions)],
    }


def _attached(arns: list[str]) -> list[dict[str, str]]:
    return [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in arns]


def generate(n: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    n_users = max(2, int(n * 0.45))
    n_roles = max(2, n - n_users)
    n_teams = max(3, n // 200)
    n_groups = max(3, n // 100)
    teams = [f"team{i}" for i in range(n_teams)]

    policies: dict[str, dict[str, Any]] = {}

    def add(p: dict[str, Any]) -> str:
        policies[p["Arn"]] = p
        return p["Arn"]

    policies[ADMIN] = {
        "PolicyName": "AdministratorAccess", "PolicyId": "ANPAIWMBCKSKIEE64ZLYK", "Arn": ADMIN, "Path": "/",
        "DefaultVersionId": "v1", "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
        "CreateDate": "2015-02-06T18:39:46Z", "UpdateDate": "2015-02-06T18:39:46Z",
        "PolicyVersionList": [{"Document": doc(allow("*")), "VersionId": "v1", "IsDefaultVersion": True,
                               "CreateDate": "2015-02-06T18:39:46Z"}]}
    base = {
        "readonly": add(_policy("readonly", doc(allow(["s3:Get*", "s3:List*", "ec2:Describe*", "cloudwatch:Get*",
                                                        "logs:Get*", "iam:Get*", "iam:List*"])))),
        "developer": add(_policy("developer", doc(allow(["lambda:*", "s3:*", "dynamodb:*", "logs:*", "sqs:*"]),
                                                  deny("iam:*")))),
        "ops": add(_policy("ops", doc(allow(["ec2:*", "ssm:*", "cloudwatch:*", "autoscaling:*"])))),
        "data": add(_policy("data", doc(allow(["glue:*", "athena:*", "s3:GetObject", "s3:PutObject"])))),
        "boundary": add(_policy("dev-boundary", doc(allow(["s3:*", "lambda:*", "logs:*", "dynamodb:*", "sqs:*",
                                                           "sts:AssumeRole"]),
                                                    deny(["iam:*", "organizations:*"])))),
    }
    team_policies = {}
    for t in teams:
        team_policies[t] = add(_policy(f"{t}-deploy", doc(
            allow(["cloudformation:*", "codebuild:*", "ecs:*", "lambda:*"]),
            allow("iam:PassRole", f"arn:aws:iam::{ACCT}:role/{t}-svc-*",
                  Condition={"StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com",
                                                                      "ecs-tasks.amazonaws.com"]}}),
            allow("sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/{t}-*"))))
    # a few risky customer policies (escalation material)
    risky = {
        "key-rotator": add(_policy("key-rotator", doc(allow(["iam:CreateAccessKey", "iam:DeleteAccessKey"],
                                                            f"arn:aws:iam::{ACCT}:user/svc-*")))),
        "self-service": add(_policy("self-service", doc(allow(["iam:CreateAccessKey", "iam:UpdateLoginProfile"],
                                                              "arn:aws:iam::*:user/${aws:username}")))),
        "policy-editor": add(_policy("policy-editor", doc(allow("iam:CreatePolicyVersion",
                                                                f"arn:aws:iam::{ACCT}:policy/policy-editor")))),
        "rollback": add(_policy("rollback", doc(allow("iam:SetDefaultPolicyVersion", arn("policy", "rollback"))),
                                doc(allow("*")))),
        "passrole-any": add(_policy("passrole-any", doc(allow(["iam:PassRole", "ec2:RunInstances",
                                                               "lambda:CreateFunction", "lambda:InvokeFunction"])))),
        "iam-admin": add(_policy("iam-admin", doc(allow("iam:*")))),
    }

    groups = []
    group_names = []
    for i in range(n_groups):
        kind = rng.choices(["readonly", "developer", "ops", "data", "team", "risky"], [25, 25, 15, 10, 20, 5])[0]
        if kind == "team":
            att = [team_policies[rng.choice(teams)], base["readonly"]]
        elif kind == "risky":
            att = [rng.choice(list(risky.values()))]
        else:
            att = [base[kind]]
        name = f"grp-{kind}-{i}"
        group_names.append(name)
        inline = []
        if rng.random() < 0.2:
            inline = [{"PolicyName": "extra", "PolicyDocument": doc(allow(["sqs:SendMessage", "sns:Publish"]))}]
        groups.append({"Path": "/", "GroupName": name, "GroupId": _id("AGPA", rng), "Arn": arn("group", name),
                       "CreateDate": "2024-01-01T00:00:00Z", "GroupPolicyList": inline,
                       "AttachedManagedPolicies": _attached(att)})

    users = []
    user_names = []
    for i in range(n_users):
        svc = rng.random() < 0.1
        name = f"svc-{i}" if svc else f"user-{i}"
        user_names.append(name)
        att: list[str] = []
        inline = []
        roll = rng.random()
        if roll < 0.015:
            att.append(ADMIN)
        elif roll < 0.025:
            inline.append(doc(allow("sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/*")))
        elif roll < 0.03:
            inline.append(doc(allow("iam:AttachUserPolicy", "arn:aws:iam::*:user/${aws:username}")))
        elif roll < 0.04:
            inline.append(doc(allow("sts:AssumeRole", [f"arn:aws:iam::{ACCT}:role/{rng.choice(teams)}-*",
                                                       f"arn:aws:iam::{PARTNERS[0]}:role/*"])))
        u: dict[str, Any] = {
            "Path": "/", "UserName": name, "UserId": _id("AIDA", rng), "Arn": arn("user", name),
            "CreateDate": "2024-01-01T00:00:00Z",
            "UserPolicyList": [{"PolicyName": f"inline{j}", "PolicyDocument": d} for j, d in enumerate(inline)],
            "GroupList": rng.sample(group_names, k=1 if rng.random() < 0.7 else 2) if not svc else [],
            "AttachedManagedPolicies": _attached(att),
            "Tags": [{"Key": "team", "Value": rng.choice(teams)}] if rng.random() < 0.5 else [],
        }
        if rng.random() < 0.1:
            u["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": base["boundary"]}
        users.append(u)

    roles = []
    for i in range(n_roles):
        t = rng.choice(teams)
        shape = rng.choices(["service", "root", "specific", "partner-ext", "partner", "star-tag"],
                            [35, 25, 20, 10, 5, 5])[0]
        profiles: list[dict[str, str]] = []
        cond: dict[str, Any] = {}
        if shape == "service":
            service = rng.choice(SERVICES)
            principal: dict[str, Any] = {"Service": service}
            name = f"{t}-svc-{i}"
            if service == "ec2.amazonaws.com" and rng.random() < 0.8:
                profiles = [{"InstanceProfileName": name, "Arn": arn("instance-profile", name),
                             "Path": "/", "InstanceProfileId": _id("AIPA", rng), "CreateDate": "2024-01-01T00:00:00Z",
                             "Roles": []}]
        elif shape == "root":
            principal = {"AWS": f"arn:aws:iam::{ACCT}:root"}
            name = f"{t}-role-{i}"
        elif shape == "specific":
            who = rng.sample(user_names, k=min(2, len(user_names)))
            principal = {"AWS": [arn("user", w) for w in who]}
            name = f"{t}-role-{i}"
        elif shape == "partner-ext":
            principal = {"AWS": f"arn:aws:iam::{rng.choice(PARTNERS)}:root"}
            cond = {"StringEquals": {"sts:ExternalId": f"ext-{i}"}}
            name = f"partner-{i}"
        elif shape == "partner":
            principal = {"AWS": rng.choice(PARTNERS)}
            name = f"partner-{i}"
        else:
            principal = {"AWS": "*"}
            cond = {"StringEquals": {"aws:PrincipalTag/team": t}}
            name = f"{t}-shared-{i}"
        stmt: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
        if cond:
            stmt["Condition"] = cond
        att = []
        inline = []
        roll = rng.random()
        if roll < 0.03:
            att.append(ADMIN)
        elif roll < 0.35:
            att.append(rng.choice([base["readonly"], base["developer"], base["ops"], base["data"]]))
        elif roll < 0.55:
            att.append(team_policies[t])
        elif roll < 0.57:
            att.append(rng.choice(list(risky.values())))
        else:
            inline.append(doc(allow(rng.choice([["s3:GetObject", "s3:PutObject"], ["dynamodb:*"], ["sqs:*"],
                                                 ["logs:CreateLogStream", "logs:PutLogEvents"]]))))
        r: dict[str, Any] = {
            "Path": "/", "RoleName": name, "RoleId": _id("AROA", rng), "Arn": arn("role", name),
            "CreateDate": "2024-01-01T00:00:00Z", "AssumeRolePolicyDocument": doc(stmt),
            "InstanceProfileList": profiles,
            "RolePolicyList": [{"PolicyName": f"inline{j}", "PolicyDocument": d} for j, d in enumerate(inline)],
            "AttachedManagedPolicies": _attached(att), "Tags": [], "RoleLastUsed": {},
        }
        if rng.random() < 0.05:
            r["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": base["boundary"]}
        roles.append(r)
    return {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles,
            "Policies": list(policies.values())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of principals (users + roles)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--output", "-o", help="default: stdout")
    a = ap.parse_args(argv)
    data = generate(a.n, a.seed)
    text = json.dumps(data)
    if a.output:
        with open(a.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
