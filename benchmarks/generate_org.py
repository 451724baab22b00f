#!/usr/bin/env python
"""Generate a seeded organization: N accounts of M principals each, one GAAD file per account.

    python benchmarks/generate_org.py ACCOUNTS PER_ACCOUNT --output DIR [--seed S]

Each account is ``generate_accounts.generate(PER_ACCOUNT, seed)`` with its own seed
and account ID (``100000000000`` + index). Two of the generator's three partner
accounts become the next two accounts of the organization, so the roles trusting
a partner (with and without ``sts:ExternalId``) and the users holding
``sts:AssumeRole`` on a partner's ``role/*`` are cross-account trusts inside the
organization; the third partner stays outside (a real third party). Files are
written as ``collect`` writes them, one per account, so ``iamwarden audit DIR``
reads the folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Iterator

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import generate_accounts  # noqa: E402


def account_id(i: int) -> str:
    return f"{100000000000 + i:012d}"


def generate_org(accounts: int, per_account: int, seed: int = 7) -> Iterator[tuple[str, dict[str, Any]]]:
    """(account ID, GAAD document) for each account, in order."""
    for i in range(accounts):
        text = json.dumps(generate_accounts.generate(per_account, seed * 100_003 + i))
        me = account_id(i)
        text = text.replace(generate_accounts.ACCT, me)
        for k, partner in enumerate(generate_accounts.PARTNERS[:2]):
            text = text.replace(partner, account_id((i + k + 1) % accounts))
        yield me, json.loads(text)


def write_org(folder: str, accounts: int, per_account: int, seed: int = 7) -> list[str]:
    os.makedirs(folder, exist_ok=True)
    out = []
    for acct, data in generate_org(accounts, per_account, seed):
        path = os.path.join(folder, f"account-{acct}.json")
        with open(path, "w") as fh:
            json.dump(data, fh)
        out.append(path)
    return out


ORG_ID = "o-generated01"
ROOT_ID = "r-gen1"
OUS = (("ou-gen1-workloads", "Workloads"), ("ou-gen1-restricted", "Restricted"))
#: the IAM writes the techniques of the catalogue use (docs/privesc-catalog.md), denied in one OU
DENIED_WRITES = ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:AttachUserPolicy",
                 "iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy",
                 "iam:PutRolePolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
                 "iam:AddUserToGroup", "iam:UpdateAssumeRolePolicy")


def organization(accounts: int) -> dict[str, Any]:
    """The organization file of ``accounts`` generated accounts (``collect --org``'s shape)."""
    mgmt = account_id(0)

    def target(tid: str, kind: str) -> dict[str, str]:
        path = {"ROOT": "root", "ORGANIZATIONAL_UNIT": "organizational_unit", "ACCOUNT": "account"}[kind]
        return {"TargetId": tid, "Arn": f"arn:aws:organizations::{mgmt}:{path}/{ORG_ID}/{tid}", "Name": tid,
                "Type": kind}

    def acct(i: int) -> dict[str, str]:
        a = account_id(i)
        return {"Id": a, "Name": f"account-{i}", "Email": f"account-{i}@example.com", "Status": "ACTIVE"}

    ou_of = [None] + [OUS[i % 2][0] for i in range(1, accounts)]
    children: list[dict[str, Any]] = [{"ParentId": ROOT_ID, "Accounts": [acct(0)],
                                       "OrganizationalUnits": [{"Id": i, "Name": n} for i, n in OUS]}]
    for ou, _ in OUS:
        children.append({"ParentId": ou, "OrganizationalUnits": [],
                         "Accounts": [acct(i) for i in range(accounts) if ou_of[i] == ou]})
    doc = lambda st: json.dumps({"Version": "2012-10-17", "Statement": [st]})  # noqa: E731
    return {
        "Organization": {"Id": ORG_ID, "Arn": f"arn:aws:organizations::{mgmt}:organization/{ORG_ID}",
                         "FeatureSet": "ALL", "MasterAccountId": mgmt, "MasterAccountEmail": "root@example.com"},
        "Roots": [{"Id": ROOT_ID, "Arn": f"arn:aws:organizations::{mgmt}:root/{ORG_ID}/{ROOT_ID}", "Name": "Root",
                   "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}],
        "Children": children,
        "Policies": [
            {"PolicySummary": {"Id": "p-FullAWSAccess", "Name": "FullAWSAccess", "Type": "SERVICE_CONTROL_POLICY",
                               "AwsManaged": True},
             "Content": doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
             "Targets": [target(ROOT_ID, "ROOT"), *(target(ou, "ORGANIZATIONAL_UNIT") for ou, _ in OUS),
                         *(target(account_id(i), "ACCOUNT") for i in range(accounts))]},
            {"PolicySummary": {"Id": "p-denyiamwrites", "Name": "DenyIAMWrites", "Type": "SERVICE_CONTROL_POLICY",
                               "AwsManaged": False},
             "Content": doc({"Effect": "Deny", "Action": list(DENIED_WRITES), "Resource": "*"}),
             "Targets": [target(OUS[1][0], "ORGANIZATIONAL_UNIT")]},
        ],
    }


def write_organization(path: str, accounts: int) -> str:
    with open(path, "w") as fh:
        json.dump(organization(accounts), fh)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("accounts", type=int)
    ap.add_argument("per_account", type=int, help="principals (users + roles) per account")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--output", "-o", required=True, help="folder for the account files")
    ap.add_argument("--organization", metavar="FILE", help="also write the organization file (SCPs) here")
    a = ap.parse_args(argv)
    paths = write_org(a.output, a.accounts, a.per_account, a.seed)
    print(f"wrote {len(paths)} account files to {a.output}", file=sys.stderr)
    if a.organization:
        write_organization(a.organization, a.accounts)
        print(f"wrote the organization file {a.organization}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
