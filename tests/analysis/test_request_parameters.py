"""Request parameters the caller chooses (analysis/parameters.py, analysis/origins.py).

AWS's recommended SCP "deny ``ec2:RunInstances`` on instances unless ``ec2:MetadataHttpTokens``
is ``required``" (IMDSv2) is in most organizations. Asked with the key absent, the negated
condition always matched: nobody could launch an instance, and P01 was missed everywhere.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.analysis import index_world
from iamwarden.analysis.parameters import applicable, is_parameter_key
from iamwarden.analysis.techniques.passrole import PassRoleChecker
from iamwarden.evaluation import decide
from iamwarden.model.account import World
from iamwarden.policy.document import PolicyKind, parse_policy

from .builders import ACCT, ADMIN, Builder, allow, doc, trust, world

IMDSV2 = {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "arn:aws:ec2:*:*:instance/*",
          "Condition": {"StringNotEquals": {"ec2:MetadataHttpTokens": "required"}}}


def _scp(b: Builder, *statements: dict) -> World:
    full = parse_policy(doc(allow("*")), PolicyKind.SCP, "full")
    scp = parse_policy(doc(*statements), PolicyKind.SCP, "guardrail")
    return World(world(b).accounts, scps={ACCT: ((full, scp),)})


def _ec2_dev(*extra: dict) -> tuple[Builder, str, str]:
    b = Builder()
    role = b.role("box", trust({"Service": "ec2.amazonaws.com"}), attached=(ADMIN,), profiles=("box",))
    dev = b.user("dev", doc(allow("iam:PassRole", role), allow("ec2:RunInstances"), *extra))
    return b, dev, role


def _edge(w: World, dev: str, role: str, technique: str) -> bool:
    ix = index_world(w)
    return any(e.source == dev and e.technique == technique
               for e in PassRoleChecker().edges_into(ix.subjects[role], ix, lambda s, u=False: True))


def test_the_imdsv2_guardrail_keeps_p01() -> None:
    b, dev, role = _ec2_dev()
    assert _edge(_scp(b, IMDSV2), dev, role, "P01")


def test_a_parameter_the_action_never_carries_is_not_chosen() -> None:
    """``iam:PassRole`` carries no ``ec2:InstanceType``: a Deny of PassRole unless t3.micro
    always applies (StringNotEquals on a missing key)."""
    b, dev, role = _ec2_dev()
    deny_pass = {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*",
                 "Condition": {"StringNotEquals": {"ec2:InstanceType": "t3.micro"}}}
    assert "ec2:instancetype" in applicable("ec2:RunInstances")
    assert "ec2:instancetype" not in applicable("iam:PassRole")
    assert not _edge(_scp(b, deny_pass), dev, role, "P01")


def test_the_passed_role_is_no_free_parameter() -> None:
    assert not is_parameter_key("cloudformation:rolearn") and not is_parameter_key("ec2:instanceprofile")
    assert not is_parameter_key("iam:passedtoservice") and not is_parameter_key("ec2:resourcetag/team")
    assert is_parameter_key("ec2:metadatahttptokens") and is_parameter_key("lambda:vpcids")


def test_a_lambda_must_be_in_a_vpc_guardrail_keeps_p04() -> None:
    b = Builder()
    role = b.role("fn", trust({"Service": "lambda.amazonaws.com"}), attached=(ADMIN,))
    dev = b.user("dev", doc(allow("iam:PassRole", role), allow(["lambda:CreateFunction", "lambda:InvokeFunction"])))
    in_vpc = {"Effect": "Deny", "Action": "lambda:CreateFunction", "Resource": "*",
              "Condition": {"Null": {"lambda:VpcIds": "true"}}}
    assert _edge(_scp(b, in_vpc), dev, role, "P04")


# -- the law: P01 exactly when some value (or none) of the instance's parameters is allowed ---

VALUES = (None, "required", "optional", "t3.micro", "t3.*", "m5.large", "iamwarden")  # a value per class
_cond = st.tuples(st.sampled_from(("Allow", "Deny")),
                  st.sampled_from(("StringEquals", "StringNotEquals", "StringEqualsIfExists", "StringLike")),
                  st.sampled_from(("ec2:MetadataHttpTokens", "ec2:InstanceType")),
                  st.sampled_from(("required", "optional", "t3.*", "t3.micro")))


@settings(max_examples=60, deadline=None)
@given(st.lists(_cond, min_size=1, max_size=3), st.booleans())
def test_p01_iff_one_choice_of_parameters_allows_the_instance(conds: list, as_scp: bool) -> None:
    b = Builder()
    role = b.role("box", trust({"Service": "ec2.amazonaws.com"}), attached=(ADMIN,), profiles=("box",))
    inst = "arn:aws:ec2:*:*:instance/*"
    stmts = [{"Effect": e, "Action": "ec2:RunInstances", "Resource": inst, "Condition": {op: {k: v}}}
             for e, op, k, v in conds]
    others = allow("ec2:RunInstances", ["arn:aws:ec2:*:*:image/*", "arn:aws:ec2:*:*:network-interface/*",
                                        "arn:aws:ec2:*:*:security-group/*", "arn:aws:ec2:*:*:subnet/*"])
    if as_scp:
        dev = b.user("dev", doc(allow("iam:PassRole", role), allow("ec2:RunInstances")))
        w = _scp(b, allow(["iam:*", "sts:*"]), others, *stmts)
    else:
        dev = b.user("dev", doc(allow("iam:PassRole", role), others, *stmts))
        w = world(b)
    got = _edge(w, dev, role, "P01")
    arn = f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-1"
    base = {"aws:RequestedRegion": "us-east-1"}
    want = any(decide(w, dev, "ec2:RunInstances", arn, {
        **base, **({"ec2:MetadataHttpTokens": t} if t else {}), **({"ec2:InstanceType": i} if i else {})}).allowed
        for t in VALUES for i in VALUES)
    assert got == want, (conds, as_scp)


def test_a_question_that_names_its_address_still_chooses_its_parameters() -> None:
    from iamwarden.analysis.origins import authorize_from_some_origin
    from iamwarden.evaluation import PolicySet
    from iamwarden.model.principal import Caller

    p = parse_policy(doc(allow("*"), IMDSV2,
                         {"Effect": "Deny", "Action": "*", "Resource": "*",
                          "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}),
                     PolicyKind.IDENTITY, "p")
    caller = Caller.from_arn(f"arn:aws:iam::{ACCT}:user/dev")
    inst = f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-1"
    ps = PolicySet(identity=(p,))
    assert authorize_from_some_origin(caller, "ec2:RunInstances", inst, {"aws:SourceIp": "10.1.2.3"}, ps).allowed
    assert not authorize_from_some_origin(caller, "ec2:RunInstances", inst, {"aws:SourceIp": "8.8.8.8"}, ps).allowed


def test_numeric_and_bool_parameters_have_their_classes() -> None:
    from iamwarden.analysis.origins import classes

    p = parse_policy(doc(allow("ec2:RunInstances", Condition={
        "NumericLessThan": {"ec2:VolumeSize": "100"}, "Bool": {"ec2:Encrypted": "false"}})), PolicyKind.IDENTITY, "p")
    conds = {c.key: [c] for st in p.statements for c in st.conditions}
    assert "99" in classes("ec2:VolumeSize", conds["ec2:VolumeSize"])
    assert "true" in classes("ec2:Encrypted", conds["ec2:Encrypted"])
