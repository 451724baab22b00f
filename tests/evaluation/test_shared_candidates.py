"""``PolicySet.candidates`` shares one ``Candidates`` between policy sets (and actions) that pick
the same statements of the same policies in the same places (``policyset._SHARED``), and never
between ones whose plan or procedure could differ."""

from __future__ import annotations

from iamwarden.evaluation import PolicySet, Request, authorize
from iamwarden.evaluation import policyset as policyset_module
from iamwarden.policy.document import PolicyKind, parse_policy

ALICE = "arn:aws:iam::111111111111:user/alice"


def _policy(statements: list[dict], kind: PolicyKind = PolicyKind.IDENTITY, name: str = "p"):
    return parse_policy({"Version": "2012-10-17", "Statement": statements}, kind, name)


SQS = [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]
S3 = _policy([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}], name="s3")
EC2 = _policy([{"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}], name="ec2")
NOTHING_FOR_S3 = _policy(SQS, PolicyKind.SESSION, "session")
TRUST = _policy([{"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "sts:AssumeRole"}],
                PolicyKind.TRUST, "trust")


def test_same_policies_share_one_candidates_and_plan():
    a, b = PolicySet(identity=(S3, EC2)), PolicySet(identity=(S3, EC2))
    ca, cb = a.candidates("s3:getobject"), b.candidates("s3:getobject")
    assert ca is cb and ca.plan is not None
    # another action picking the same statements shares it too; the plan does not read the action
    assert a.candidates("s3:putobject") is ca


def test_what_the_plan_reads_of_the_policy_set_keeps_them_apart():
    plain = PolicySet(identity=(S3,)).candidates("s3:getobject")
    # a session policy, a boundary, a resource policy or an SCP level that picks nothing still
    # takes the plan away: the procedure must decide
    for ps in (PolicySet(identity=(S3,), session=(NOTHING_FOR_S3,)),
               PolicySet(identity=(S3,), boundary=_policy(SQS, PolicyKind.BOUNDARY, "b")),
               PolicySet(identity=(S3,), resource=_policy(
                   [{"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}], PolicyKind.RESOURCE, "r")),
               PolicySet(identity=(S3,), scp=((),))):
        c = ps.candidates("s3:getobject")
        assert c is not plain and c.plan is None
    # sts:GetCallerIdentity has no plan and trust actions keep their own flag
    gci = PolicySet(identity=(S3,)).candidates("sts:getcalleridentity")
    other = PolicySet(identity=(S3,)).candidates("sqs:sendmessage")
    assert gci.identity == other.identity == () and gci is not other and gci.plan is None
    assume = PolicySet(identity=(S3,)).candidates("sts:assumerole")
    assert assume is not other and assume.plan is not None and assume.plan.trust_action


def test_shared_answers_are_the_unshared_ones():
    policyset_module._SHARED.clear()
    role = "arn:aws:iam::111111111111:role/r"
    cases = [("s3:GetObject", "arn:aws:s3:::b/k"), ("ec2:RunInstances", "*"), ("sts:AssumeRole", role),
             ("sqs:SendMessage", "*"), ("sts:GetCallerIdentity", "*")]
    sets = [PolicySet(identity=(S3, EC2)), PolicySet(identity=(S3, EC2), resource=TRUST),
            PolicySet(identity=(S3,), session=(NOTHING_FOR_S3,))]
    first = [[authorize(Request.build(ALICE, a, r), ps) for a, r in cases] for ps in sets]
    policyset_module._SHARED.clear()
    again = [[authorize(Request.build(ALICE, a, r), ps.replace()) for a, r in cases] for ps in sets]
    assert first == again


def test_the_shared_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(policyset_module, "_SHARED_SIZE", 4)
    policyset_module._SHARED.clear()
    for i in range(20):
        PolicySet(identity=(_policy([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}], name=f"p{i}"),)
                  ).candidates("s3:getobject")
        assert len(policyset_module._SHARED) <= 4
