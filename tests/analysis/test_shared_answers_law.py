"""Law: the index's shared answers equal the engine's, whatever the policies and the asking order.

A property test over small random accounts built from a pool of policy shapes that each give
the signature something to get wrong (docs/decisions/analysis-shared-answers.md): groups and
managed policies shared between users, principal tags tested by an identity policy or by an
SCP, a caller key in an SCP, a policy variable, a boundary, a bucket policy naming one user or
testing a tag, an RCP reading the caller's ARN, a role trusting the account or a tagged team.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamwarden.analysis import index_world
from iamwarden.evaluation import decide
from iamwarden.loaders.resources import resources_from_json, with_resources
from iamwarden.model.account import World
from iamwarden.model.resources import ResourceInventory
from iamwarden.policy.document import PolicyKind, parse_policy

from .builders import ACCT, Builder, allow, deny, doc, trust

BUCKET = "arn:aws:s3:::b1"
#: identity policy shapes (managed policies, shared by whoever attaches them)
IDENTITY = {
    "s3-all": doc(allow("s3:*")),
    "iam-team": doc(allow("iam:*", Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}})),
    "own-home": doc(allow("s3:GetObject", f"{BUCKET}/home/${{aws:username}}/*")),
    "assume": doc(allow("sts:AssumeRole")),
    "deny-blue": doc(deny("*", Condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}})),
}
BOUNDARY = doc(allow("s3:*"), allow("sts:AssumeRole"))
SCPS = {
    "none": None,
    "abac": doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*",
                 "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "red"}}}),
    "exempt": doc({"Effect": "Deny", "Action": "*", "Resource": "*",
                   "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:user/u0"}}}),
}
BUCKET_POLICIES = {
    "none": None,
    "names-u1": doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/u1"}, "Action": "s3:GetObject",
                     "Resource": f"{BUCKET}/*"}),
    "team-blue": doc({"Effect": "Allow", "Principal": {"AWS": ACCT}, "Action": "s3:GetObject",
                      "Resource": f"{BUCKET}/*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}),
}
RCPS = {
    "none": None,
    "u2-only": doc({"Effect": "Deny", "Principal": "*", "Action": ["sts:AssumeRole", "s3:*"], "Resource": "*",
                    "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:user/u2"}}}),
}
TRUSTS = {
    "account": trust({"AWS": f"arn:aws:iam::{ACCT}:root"}),
    "red-team": trust({"AWS": f"arn:aws:iam::{ACCT}:root"},
                      Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}),
}
QUESTIONS = [("iam:CreateUser", "*"), ("s3:GetObject", f"{BUCKET}/home/u0/x"), ("s3:GetObject", f"{BUCKET}/k"),
             ("s3:PutObject", f"{BUCKET}/k")]

user_st = st.fixed_dictionaries({
    "attached": st.sets(st.sampled_from(sorted(IDENTITY)), max_size=3),
    "team": st.sampled_from([None, "red", "blue"]),
    "bounded": st.booleans(),
    "in_group": st.booleans(),
})


def _full(kind: PolicyKind, name: str) -> Any:
    principal = {"Principal": "*"} if kind is PolicyKind.RCP else {}
    return parse_policy(doc({"Effect": "Allow", "Action": "*", "Resource": "*", **principal}), kind, name)


def _world(users: list[dict[str, Any]], scp: str, bucket: str, rcp: str, role_trust: str) -> World:
    b = Builder()
    arns = {name: b.policy(name, d) for name, d in IDENTITY.items()}
    bound = b.policy("boundary", BOUNDARY)
    b.group("shared", attached=(arns["s3-all"],))
    for i, u in enumerate(users):
        b.user(f"u{i}", attached=tuple(arns[a] for a in sorted(u["attached"])),
               groups=("shared",) if u["in_group"] else (), boundary=bound if u["bounded"] else None,
               tags={"team": u["team"]} if u["team"] else None)
    b.role("Target", TRUSTS[role_trust])
    accounts = {ACCT: b.account_obj()}
    scps = {ACCT: ((_full(PolicyKind.SCP, "full"), parse_policy(SCPS[scp], PolicyKind.SCP, scp)),)} if SCPS[scp] else {}
    rcps = {ACCT: ((_full(PolicyKind.RCP, "rcp-full"), parse_policy(RCPS[rcp], PolicyKind.RCP, rcp)),)} \
        if RCPS[rcp] else {}
    w = World(accounts, scps=scps, rcps=rcps)
    if BUCKET_POLICIES[bucket] is not None:
        held = {"AccountId": ACCT, "S3": {"Buckets": [{"Name": "b1", "Policy": BUCKET_POLICIES[bucket]}]}}
        w = with_resources(w, ResourceInventory({r.arn: r for r in resources_from_json(held)}))
    return w


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(users=st.lists(user_st, min_size=3, max_size=4), scp=st.sampled_from(sorted(SCPS)),
       bucket=st.sampled_from(sorted(BUCKET_POLICIES)), rcp=st.sampled_from(sorted(RCPS)),
       role_trust=st.sampled_from(sorted(TRUSTS)), order=st.randoms(use_true_random=False))
def test_shared_answers_equal_the_engine(users: list[dict[str, Any]], scp: str, bucket: str, rcp: str,
                                         role_trust: str, order: Any) -> None:
    w = _world(users, scp, bucket, rcp, role_trust)
    ix = index_world(w)
    role = f"arn:aws:iam::{ACCT}:role/Target"
    asks = [(p, a, r, None) for p in sorted(ix.subjects) for a, r in QUESTIONS]
    asks += [(p, "sts:AssumeRole", role, ix.role(role).trust) for p in sorted(ix.subjects)]  # type: ignore[union-attr]
    order.shuffle(asks)
    for p, action, resource, t in asks:
        got = ix.ask(ix.subjects[p], action, resource, trust=t).decision
        want = decide(w, ix.subjects[p].caller, action, resource).decision
        assert got == want, (p, action, resource)
