"""Every request the analysis asks about is made in a region (``aws:RequestedRegion``).

AWS sets ``aws:RequestedRegion`` on every request (spec §3.2); an attacker calls whichever
region lets it, IAM only in ``us-east-1``. Asked with the key absent, the AWS example SCP
"deny everything but IAM outside the EU" (``StringNotEquals``, which matches a missing key)
denied every action everywhere: the organization under it had no administrators and no
escalations (analysis/regions.py, docs/decisions/analysis-requested-region.md).
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.analysis import audit, index_world
from iamwarden.analysis.regions import GLOBAL_SERVICES, partition_regions, representatives, requested_regions
from iamwarden.analysis.techniques.passrole import PassRoleChecker
from iamwarden.evaluation import PolicySet, decide
from iamwarden.model.account import World
from iamwarden.policy.document import PolicyKind, parse_policy

from .builders import ACCT, ADMIN, Builder, allow, doc, trust, world

EU_ONLY = {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*", "support:*"], "Resource": "*",
           "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]}}}


def _scp_world(b: Builder, *scp_statements: dict) -> World:
    full = parse_policy(doc(allow("*")), PolicyKind.SCP, "full")
    scp = parse_policy(doc(*scp_statements), PolicyKind.SCP, "regions")
    return World(world(b).accounts, scps={ACCT: ((full, scp),)})


def _summary(w: World) -> dict:
    data = audit(w).to_json()
    return {p["arn"].rsplit("/", 1)[-1]: (p.get("admin"), p.get("can_escalate")) for p in data["principals"]}


def test_region_scp_keeps_administrators_admins() -> None:
    """AdministratorAccess under an EU-only SCP still does anything in the EU and all of IAM."""
    b = Builder()
    b.user("boss", attached=(ADMIN,))
    w = _scp_world(b, EU_ONLY)
    ix = index_world(w)
    assert ix.admin(f"arn:aws:iam::{ACCT}:user/boss").admin


def test_region_scp_keeps_escalation_paths() -> None:
    """A user who can pass an admin role to a Lambda function it creates and invokes (P04)
    can do it in eu-west-1 under the EU-only SCP: the path stays."""
    b = Builder()
    role = b.role("fn", trust({"Service": "lambda.amazonaws.com"}), attached=(ADMIN,))
    dev = b.user("dev", doc(allow("iam:PassRole", role), allow(["lambda:CreateFunction", "lambda:InvokeFunction"])))
    w = _scp_world(b, EU_ONLY)
    ix = index_world(w)
    edges = [e for e in PassRoleChecker().edges_into(ix.subjects[role], ix, lambda s, u=False: True)
             if e.source == dev]
    assert [e.technique for e in edges] == ["P04"]


def test_region_scp_denying_every_region_still_denies() -> None:
    """A Deny of every region but one that does not exist leaves no region: no path."""
    b = Builder()
    role = b.role("fn", trust({"Service": "lambda.amazonaws.com"}), attached=(ADMIN,))
    dev = b.user("dev", doc(allow("iam:PassRole", role), allow(["lambda:CreateFunction", "lambda:InvokeFunction"])))
    nowhere = {**EU_ONLY, "Condition": {"StringNotEquals": {"aws:RequestedRegion": "moon-central-1"}}}
    w = _scp_world(b, nowhere)
    ix = index_world(w)
    assert not [e for e in PassRoleChecker().edges_into(ix.subjects[role], ix, lambda s, u=False: True)
                if e.source == dev]


def test_iam_requests_are_made_in_the_home_region_only() -> None:
    """IAM is global: its endpoint is in us-east-1, so a Deny of us-east-1 blocks IAM writes
    whatever region the attacker would have liked."""
    b = Builder()
    b.user("boss", attached=(ADMIN,))
    b.user("writer", doc(allow("iam:AttachUserPolicy")))
    no_us_east = {"Effect": "Deny", "Action": "*", "Resource": "*",
                  "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}
    w = _scp_world(b, no_us_east)
    ix = index_world(w)
    s = ix.subjects[f"arn:aws:iam::{ACCT}:user/writer"]
    assert not ix.ask(s, "iam:AttachUserPolicy", f"arn:aws:iam::{ACCT}:user/writer").allowed
    assert "iam" in GLOBAL_SERVICES
    assert requested_regions("iam:AttachUserPolicy", "*", s.policies, "aws") == ("us-east-1",)


def test_a_request_on_an_arn_with_a_region_is_made_there() -> None:
    ps = PolicySet()
    assert requested_regions("lambda:InvokeFunction", f"arn:aws:lambda:eu-west-1:{ACCT}:function:f", ps,
                             "aws") == ("eu-west-1",)


def test_policies_that_test_no_region_are_asked_once() -> None:
    ps = PolicySet(identity=(parse_policy(doc(allow("*")), PolicyKind.IDENTITY, "all"),))
    assert representatives(ps.candidates("ec2:runinstances"), "aws") == ("us-east-1",)


def test_regions_are_one_per_class_the_tests_tell_apart() -> None:
    ps = PolicySet(identity=(parse_policy(doc(allow("*"), EU_ONLY), PolicyKind.IDENTITY, "eu"),))
    got = representatives(ps.candidates("ec2:runinstances"), "aws")
    assert got == ("us-east-1", "eu-central-1")  # one condition: the two EU regions pass it alike
    # a Resource pattern's region field is a test of the region too
    ps = PolicySet(identity=(parse_policy(doc(allow("lambda:*", "arn:aws:lambda:ap-*:*:function:*")),
                                          PolicyKind.IDENTITY, "ap"),))
    got = representatives(ps.candidates("lambda:createfunction"), "aws")
    assert got[0] == "us-east-1" and len(got) == 2 and got[1].startswith("ap-")
    assert set(partition_regions("aws")) >= {"us-east-1", "eu-west-1", "ap-southeast-2"}


# -- the law: an edge exactly when some region allows every request of it ---------------------

REGIONS = ("us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2")
FN = "arn:aws:lambda:{region}:" + ACCT + ":function:{name}"
_region_sets = st.lists(st.sampled_from(REGIONS), min_size=1, max_size=3, unique=True)
_resource = st.sampled_from(("*", "arn:aws:lambda:*:*:function:*", "arn:aws:lambda:eu-*:*:function:*",
                             "arn:aws:lambda:us-east-1:*:function:*", "arn:aws:lambda:ap-southeast-2:*:function:a*"))


@settings(max_examples=80, deadline=None)
@given(_resource, _region_sets, st.sampled_from(("StringNotEquals", "StringEquals", "StringNotLike")), st.booleans())
def test_p04_edge_iff_some_region_allows_create_and_invoke(resource: str, regions: list[str], op: str,
                                                           as_scp: bool) -> None:
    b = Builder()
    role = b.role("fn", trust({"Service": "lambda.amazonaws.com"}), attached=(ADMIN,))
    denial = {"Effect": "Deny", "Action": "lambda:*", "Resource": "*",
              "Condition": {op: {"aws:RequestedRegion": regions}}}
    own = [allow("iam:PassRole", role), allow(["lambda:CreateFunction", "lambda:InvokeFunction"], resource)]
    dev = b.user("dev", doc(*own) if as_scp else doc(*own, denial))
    w = _scp_world(b, denial) if as_scp else world(b)
    ix = index_world(w)
    got = any(e.source == dev and e.technique == "P04"
              for e in PassRoleChecker().edges_into(ix.subjects[role], ix, lambda s, u=False: True))
    want = any(all(decide(w, dev, a, FN.format(region=r, name=n), {"aws:RequestedRegion": r}).allowed
                   for a in ("lambda:CreateFunction", "lambda:InvokeFunction"))
               for r, n in itertools.product(partition_regions("aws"), ("a", "b")))
    assert got == want, (resource, regions, op, as_scp)


def test_pass_role_is_asked_in_the_region_of_the_request_that_passes_it() -> None:
    """An SCP denying everything outside eu-west-1, IAM included, blocks IAM's own API (in
    us-east-1) but not ``iam:PassRole``: that permission is checked in the Lambda request in
    eu-west-1 that passes the role, so P04 stays."""
    b = Builder()
    role = b.role("fn", trust({"Service": "lambda.amazonaws.com"}), attached=(ADMIN,))
    dev = b.user("dev", doc(allow("iam:PassRole", role), allow(["lambda:CreateFunction", "lambda:InvokeFunction"])))
    all_outside = {"Effect": "Deny", "Action": "*", "Resource": "*",
                   "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}
    w = _scp_world(b, all_outside)
    ix = index_world(w)
    s = ix.subjects[dev]
    assert not ix.ask(s, "iam:CreateUser", f"arn:aws:iam::{ACCT}:user/x").allowed
    assert ix.ask(s, "iam:PassRole", role).allowed
    assert [e.technique for e in PassRoleChecker().edges_into(ix.subjects[role], ix, lambda s, u=False: True)
            if e.source == dev] == ["P04"]
