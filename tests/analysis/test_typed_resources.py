"""Service actions are asked about real ARNs of the resources they act on, not the text ``*``.

``WorldIndex.ask_typed`` (docs/decisions/analysis-one-created-resource.md, "every other row"):
the text ``*`` matches no Deny written as an ARN pattern, and an Allow on one of
``ec2:RunInstances``'s resources launches nothing: AWS authorizes the request on the image,
the instance, its network interface, security group and subnet, each on its own
(``policy.catalog.EVERY_REQUIRED_TYPE``).
"""

from __future__ import annotations

from iamwarden.analysis import index_world
from iamwarden.analysis.techniques.existing_compute import ExistingComputeChecker
from iamwarden.analysis.techniques.passrole import PassRoleChecker
from iamwarden.policy.catalog import EVERY_REQUIRED_TYPE, catalog

from .builders import ACCT, ADMIN, Builder, allow, doc, trust, world

EC2 = "ec2.amazonaws.com"
LAMBDA = "lambda.amazonaws.com"
RUN_TYPES = ("image", "instance", "network-interface", "security-group", "subnet")


def _ec2_arn(kind: str, region: str = "*") -> str:
    return f"arn:aws:ec2:{region}:{'' if kind == 'image' else '*'}:{kind}/*"


def _techniques(checker: object, *statements: dict, service: str = EC2) -> set[str]:
    b = Builder()
    role = b.role("box", trust({"Service": service}), attached=(ADMIN,), profiles=("box",))
    dev = b.user("dev", doc(allow("iam:PassRole", role), *statements))
    ix = index_world(world(b))
    return {e.technique for e in checker.edges_into(ix.subjects[role], ix, lambda s, u=False: True)  # type: ignore[attr-defined]
            if e.source == dev}


def test_run_instances_is_authorized_on_every_required_resource() -> None:
    assert "ec2:runinstances" in EVERY_REQUIRED_TYPE
    kinds = [p.split(":", 5)[5].split("/")[0] for p in catalog().resource_patterns("ec2:RunInstances") or ()]
    assert kinds == list(RUN_TYPES)
    every = allow("ec2:RunInstances", [_ec2_arn(k) for k in RUN_TYPES])
    assert "P01" in _techniques(PassRoleChecker(), every)
    for left_out in RUN_TYPES:
        some = allow("ec2:RunInstances", [_ec2_arn(k) for k in RUN_TYPES if k != left_out])
        assert "P01" not in _techniques(PassRoleChecker(), some), left_out


def test_run_instances_resources_share_one_region() -> None:
    """One request, one region: the instance allowed only in us-east-1 and the rest only in
    eu-west-1 launch nothing; all in eu-west-1 do."""
    split = allow("ec2:RunInstances", [_ec2_arn("instance", "us-east-1")]
                  + [_ec2_arn(k, "eu-west-1") for k in RUN_TYPES if k != "instance"])
    assert "P01" not in _techniques(PassRoleChecker(), split)
    same = allow("ec2:RunInstances", [_ec2_arn(k, "eu-west-1") for k in RUN_TYPES])
    assert "P01" in _techniques(PassRoleChecker(), same)


def test_deny_on_every_instance_blocks_the_launch() -> None:
    """Allow ``ec2:RunInstances`` on ``*`` and Deny it on every instance: no launch. Asked
    about the text ``*``, the Deny's ARN pattern never matched and P01 was reported."""
    deny_instances = {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "arn:aws:ec2:*:*:instance/*"}
    assert "P01" in _techniques(PassRoleChecker(), allow("ec2:RunInstances"))
    assert "P01" not in _techniques(PassRoleChecker(), allow("ec2:RunInstances"), deny_instances)


def test_deny_on_every_function_blocks_taking_one_over() -> None:
    """E01 (UpdateFunctionCode on an existing function) under a Deny of every function."""
    deny_fns = {"Effect": "Deny", "Action": "lambda:UpdateFunctionCode", "Resource": "arn:aws:lambda:*:*:function:*"}
    assert "E01" in _techniques(ExistingComputeChecker(), allow("lambda:UpdateFunctionCode"), service=LAMBDA)
    assert "E01" not in _techniques(ExistingComputeChecker(), allow("lambda:UpdateFunctionCode"), deny_fns,
                                    service=LAMBDA)


def test_an_action_with_no_resource_type_is_asked_about_star() -> None:
    """``lambda:CreateEventSourceMapping`` has no resource type in the catalogue: AWS evaluates
    it against ``*``, so an Allow on an ARN pattern does not grant it (P05's second group)."""
    assert catalog().resource_patterns("lambda:CreateEventSourceMapping") == ()
    b = Builder()
    dev = b.user("dev", doc(allow("lambda:CreateEventSourceMapping", f"arn:aws:lambda:*:{ACCT}:event-source-mapping:*")))
    ix = index_world(world(b))
    assert ix.ask_typed(ix.subjects[dev], "lambda:CreateEventSourceMapping") is None
    b2 = Builder()
    dev2 = b2.user("dev", doc(allow("lambda:CreateEventSourceMapping")))
    ix2 = index_world(world(b2))
    assert ix2.ask_typed(ix2.subjects[dev2], "lambda:CreateEventSourceMapping") is not None


def test_one_of_alternative_resource_types_is_enough() -> None:
    """``bedrock-agentcore:InvokeCodeInterpreter`` acts on a built-in or a custom code
    interpreter: an Allow on the custom ones is enough."""
    b = Builder()
    custom = f"arn:aws:bedrock-agentcore:*:{ACCT}:code-interpreter-custom/*"
    dev = b.user("dev", doc(allow("bedrock-agentcore:InvokeCodeInterpreter", custom)))
    ix = index_world(world(b))
    assert ix.ask_typed(ix.subjects[dev], "bedrock-agentcore:InvokeCodeInterpreter") is not None


def test_an_action_the_catalogue_does_not_know_is_asked_as_before() -> None:
    """A discontinued service (CodeStar) has no catalogue entry: ``*`` and the caller's own
    patterns filled in (``ask_new``)."""
    assert catalog().resource_patterns("codestar:CreateProject") is None
    b = Builder()
    dev = b.user("dev", doc(allow("codestar:CreateProject", f"arn:aws:codestar:*:{ACCT}:project/*")))
    ix = index_world(world(b))
    assert ix.ask_typed(ix.subjects[dev], "codestar:CreateProject") is not None
