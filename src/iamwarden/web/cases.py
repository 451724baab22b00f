"""The classic AssumeRole cases the playground opens with (spec §1.6, §4.1).

Each case is the three documents a person edits (the caller's identity policy,
the role's trust policy, the role's permissions policy) with the two ARNs.
Titles and blurbs are message keys of ``assets/messages.*.json``, so the page
shows them in the reader's language; the verdicts are not stored here: the
tests ask the engine and compare with what each case is meant to teach.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
DEPLOY = f"arn:aws:iam::{ACCOUNT}:role/DeployRole"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/AdminRole"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2) + "\n"


def _allow_assume(role: str) -> str:
    return _doc({"Sid": "MayAssume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role})


def _trust(principal: str) -> str:
    return _doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})


_DEPLOY_PERMISSIONS = _doc({"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                            "Resource": "arn:aws:s3:::deploy-artifacts/*"})
_ADMIN_PERMISSIONS = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
_NOTHING = _doc({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"})


@dataclass(frozen=True, slots=True)
class Case:
    """One pre-filled playground case; ``key`` names its title and blurb in the message file."""

    key: str
    caller: str
    role: str
    identity: str
    trust: str
    permissions: str

    def to_json(self) -> dict[str, str]:
        return {"key": self.key, "title": f"case.{self.key}.title", "blurb": f"case.{self.key}.blurb",
                "caller": self.caller, "role": self.role, "identity": self.identity,
                "trust": self.trust, "permissions": self.permissions}


CASES: tuple[Case, ...] = (
    # the trust delegates to the account and alice's own policy allows: both sides agree
    Case("both-allow", ALICE, DEPLOY, _allow_assume(DEPLOY), _trust(f"arn:aws:iam::{ACCOUNT}:root"),
         _DEPLOY_PERMISSIONS),
    # alice may call AssumeRole, but the role trusts someone else
    Case("only-caller", ALICE, DEPLOY, _allow_assume(DEPLOY), _trust(f"arn:aws:iam::{OTHER_ACCOUNT}:root"),
         _DEPLOY_PERMISSIONS),
    # same account, the trust names alice herself: that alone is enough
    Case("trust-names-user", ALICE, DEPLOY, _NOTHING, _trust(ALICE), _DEPLOY_PERMISSIONS),
    # same account, the trust names only the account: it hands the decision to alice's policies
    Case("trust-names-account", ALICE, DEPLOY, _NOTHING, _trust(f"arn:aws:iam::{ACCOUNT}:root"),
         _DEPLOY_PERMISSIONS),
    # another account: even a trust naming alice needs her own permission too
    Case("cross-account", f"arn:aws:iam::{OTHER_ACCOUNT}:user/alice", DEPLOY, _NOTHING,
         _trust(f"arn:aws:iam::{OTHER_ACCOUNT}:user/alice"), _DEPLOY_PERMISSIONS),
    # a role with AdministratorAccess trusting the whole account: sts:AssumeRole on * becomes admin
    Case("admin-role", ALICE, ADMIN_ROLE,
         _doc({"Sid": "AssumeAnything", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
         _trust(f"arn:aws:iam::{ACCOUNT}:root"), _ADMIN_PERMISSIONS),
)

BY_KEY = {c.key: c for c in CASES}
