"""PassRole to a service (catalog P01-P27, rule 6)."""

from __future__ import annotations

from .builders import ACCT, ADMIN, Builder, allow, arn, doc, trust, world
from .helpers import escalates, run, techniques

LAMBDA = {"Service": "lambda.amazonaws.com"}
EC2 = {"Service": "ec2.amazonaws.com"}


def test_p04_lambda_create_and_invoke() -> None:
    b = Builder()
    b.role("fn", trust(LAMBDA), attached=(ADMIN,))
    a = b.user("a", doc(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"])))
    assert techniques(run(world(b)), a) == [["P04"]]


def test_p04_a_created_resource_is_in_the_callers_account() -> None:
    """``lambda:CreateFunction`` on ``arn:aws:lambda:*:*:function:*`` (the AWS examples' form)
    allows creating a function in one's own account: the name the analysis picks for it must
    be in that account, not in a made-up one no identity policy alone can reach. A pattern
    naming another account gives nothing."""
    from iamwarden.evaluation import decide

    for resource, escalating in (("arn:aws:lambda:*:*:function:*", True),
                                 (f"arn:aws:lambda:*:{ACCT}:function:*", True),
                                 ("arn:aws:lambda:*:444455556666:function:*", False)):
        b = Builder()
        b.role("fn", trust(LAMBDA), attached=(ADMIN,))
        a = b.user("a", doc(allow("iam:PassRole", arn("role", "fn")),
                            allow(["lambda:CreateFunction", "lambda:InvokeFunction"], resource)))
        w = world(b)
        assert decide(w, a, "lambda:CreateFunction", f"arn:aws:lambda:us-east-1:{ACCT}:function:f").allowed is escalating
        assert techniques(run(w), a) == ([["P04"]] if escalating else []), resource


def test_passed_to_service_condition_is_respected() -> None:
    b = Builder()
    b.role("fn", trust(LAMBDA), attached=(ADMIN,))
    cond = {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
    a = b.user("a", doc(allow("iam:PassRole", arn("role", "fn"), Condition=cond),
                        allow(["lambda:CreateFunction", "lambda:InvokeFunction"])))
    assert not escalates(run(world(b)), a)


def test_role_must_trust_the_service() -> None:
    b = Builder()
    b.role("fn", trust(LAMBDA), attached=(ADMIN,), profiles=("legacy",))
    a = b.user("a", doc(allow(["iam:PassRole", "ec2:RunInstances"])))
    assert not escalates(run(world(b)), a)


def test_p01_needs_an_instance_profile_else_p03() -> None:
    b = Builder()
    b.role("with", trust(EC2), attached=(ADMIN,), profiles=("p",))
    b.role("without", trust(EC2), attached=(ADMIN,))
    a = b.user("a", doc(allow("iam:PassRole", arn("role", "with")), allow("ec2:RunInstances")))
    c = b.user("c", doc(allow("iam:PassRole", arn("role", "without")), allow("ec2:RunInstances")))
    d = b.user("d", doc(allow("iam:PassRole", arn("role", "without")),
                        allow(["ec2:RunInstances", "iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile"])))
    r = run(world(b))
    assert techniques(r, a) == [["P01"]]
    assert not escalates(r, c)
    assert techniques(r, d) == [["P03"]]


def test_service_action_on_own_named_resource_pattern() -> None:
    b = Builder()
    b.role("cb", trust({"Service": "codebuild.amazonaws.com"}), attached=(ADMIN,))
    a = b.user("a", doc(allow("iam:PassRole", arn("role", "cb")),
                        allow(["codebuild:CreateProject", "codebuild:StartBuild"],
                              "arn:aws:codebuild:*:111122223333:project/team-*")))
    assert techniques(run(world(b)), a) == [["P16"]]
