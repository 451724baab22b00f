"""The AWS-managed policies the store knows (read-only, ``arn:aws:iam::aws:policy/...``).

Only a few well-known policies are built in; their documents are the published
ones (default versions as of this writing) where short, and otherwise reduced
to the statements that matter for IAM/STS decisions (noted per policy). They
can be attached, read and simulated, never changed or deleted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ..model.account import AWS_MANAGED_BUILTINS


@dataclass(frozen=True, slots=True)
class AwsManagedPolicy:
    arn: str
    name: str
    path: str
    version_id: str
    document: dict[str, Any]
    description: str

    @property
    def policy_id(self) -> str:
        """A stable ``ANPA…`` ID derived from the ARN (AWS's own IDs are not public)."""
        digest = hashlib.sha256(self.arn.encode()).digest()
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        return "ANPA" + "".join(alphabet[b % 32] for b in digest[:17])

    @property
    def text(self) -> str:
        return json.dumps(self.document, indent=4)


def _p(name: str, version: str, description: str, statements: list[dict[str, Any]], path: str = "/"):
    arn = f"arn:aws:iam::aws:policy{path}{name}"
    doc = {"Version": "2012-10-17", "Statement": statements}
    return AwsManagedPolicy(arn, name, path, version, doc, description)


_ADMIN = AWS_MANAGED_BUILTINS["arn:aws:iam::aws:policy/AdministratorAccess"]

AWS_MANAGED: dict[str, AwsManagedPolicy] = {
    p.arn: p
    for p in (
        _p("AdministratorAccess", "v1", "Provides full access to AWS services and resources.",
           list(_ADMIN["Statement"])),
        _p("IAMFullAccess", "v2", "Provides full access to IAM via the AWS Management Console.",
           [{"Effect": "Allow", "Action": ["iam:*", "organizations:DescribeAccount",
                                           "organizations:DescribeOrganization",
                                           "organizations:DescribeOrganizationalUnit",
                                           "organizations:DescribePolicy",
                                           "organizations:ListChildren",
                                           "organizations:ListParents",
                                           "organizations:ListPoliciesForTarget",
                                           "organizations:ListRoots",
                                           "organizations:ListPolicies",
                                           "organizations:ListTargetsForPolicy"],
             "Resource": "*"}]),
        # Reduced to its IAM statement (the published policy also covers
        # Organizations reads).
        _p("IAMReadOnlyAccess", "v4", "Provides read only access to IAM via the AWS Management Console.",
           [{"Effect": "Allow", "Action": ["iam:GenerateCredentialReport",
                                           "iam:GenerateServiceLastAccessedDetails",
                                           "iam:Get*", "iam:List*", "iam:SimulateCustomPolicy",
                                           "iam:SimulatePrincipalPolicy"],
             "Resource": "*"}]),
        # Reduced: the published policy's NotAction statement plus the IAM
        # actions it allows back.
        _p("PowerUserAccess", "v5",
           "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
           [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"],
             "Resource": "*"},
            {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole",
                                           "iam:DeleteServiceLinkedRole", "iam:ListRoles",
                                           "organizations:DescribeOrganization",
                                           "account:ListRegions", "account:GetAccountInformation"],
             "Resource": "*"}]),
    )
}
