"""Principal-derived context keys (spec §3.1) and the request context (§1.1, §3.2)."""

from __future__ import annotations

import pytest

from iamwarden.evaluation import Request, RequestContext
from iamwarden.model.principal import Caller, PrincipalType

from .helpers import BUCKET_OBJ, FEDUSER, ROLE, ROOT_A, SESSION, USER, A, B, allow, decide, doc, grant


def keys(principal, **kw) -> dict:
    return Request.build(principal, "s3:GetObject", **kw).context.as_dict()


def test_root_user_derived_keys():
    """§3.1 root row: no aws:username; userid is the account ID; type Account."""
    k = keys(ROOT_A)
    assert "aws:username" not in k
    assert k["aws:userid"] == A
    assert k["aws:principaltype"] == "Account"
    assert k["aws:principalarn"] == ROOT_A
    assert k["aws:principalaccount"] == A


def test_iam_user_derived_keys():
    """§3.1 user row: friendly name without path, unique ID as userid, type User."""
    user = f"arn:aws:iam::{A}:user/dev/Bob"
    caller = Caller.from_arn(user, unique_id="AIDAEXAMPLEBOB")
    k = keys(caller)
    assert k["aws:username"] == "Bob"
    assert k["aws:userid"] == "AIDAEXAMPLEBOB"
    assert k["aws:principaltype"] == "User"
    assert k["aws:principalarn"] == user
    assert k["aws:principalaccount"] == A
    assert k["aws:principalisawsservice"] == "false"


def test_role_session_derived_keys():
    """§3.1 role-session row: no username; userid role-id:session; PrincipalArn is the role ARN."""
    caller = Caller.from_arn(SESSION, unique_id="AROADBQP57FF2AEXAMPLE")
    k = keys(caller)
    assert "aws:username" not in k
    assert k["aws:userid"] == "AROADBQP57FF2AEXAMPLE:s1"
    assert k["aws:principaltype"] == "AssumedRole"
    assert k["aws:principalarn"] == ROLE
    assert k["aws:principalaccount"] == A


def test_principal_arn_for_role_with_path_includes_path():
    """§3.1 note, §9.7 (UNCONFIRMED): aws:PrincipalArn for a role with a path includes the path."""
    with_path = f"arn:aws:iam::{A}:role/team/R1"
    assert keys(SESSION, principal_entity=with_path)["aws:principalarn"] == with_path
    assert keys(with_path)["aws:principalarn"] == with_path


def test_federated_user_derived_keys():
    """§3.1 federated-user row: userid account:name; PrincipalArn is the federated-user ARN."""
    k = keys(FEDUSER)
    assert "aws:username" not in k
    assert k["aws:userid"] == f"{A}:alice"
    assert k["aws:principaltype"] == "FederatedUser"
    assert k["aws:principalarn"] == FEDUSER


def test_anonymous_derived_keys():
    """§3.1 anonymous row: account and userid 'anonymous'; no PrincipalArn; no IsAWSService."""
    k = keys("*")
    assert k["aws:principalaccount"] == "anonymous"
    assert k["aws:userid"] == "anonymous"
    assert k["aws:principaltype"] == "Anonymous"
    assert "aws:principalarn" not in k
    assert "aws:principalisawsservice" not in k


def test_service_principal_is_aws_service():
    """§3.1 notes: aws:PrincipalIsAWSService is true for service principals."""
    k = keys("ec2.amazonaws.com")
    assert k["aws:principalisawsservice"] == "true"
    assert k["aws:principalservicename"] == "ec2.amazonaws.com"


def test_supplied_keys_override_derived_keys():
    """§8 conventions: a key given in the context wins over the engine's derivation."""
    assert keys(USER, context={"aws:username": "someone"})["aws:username"] == "someone"


def test_resource_account_key_from_resource_arn():
    """§3.2: aws:ResourceAccount is the resource owner."""
    assert keys(USER, resource=f"arn:aws:sqs:us-east-1:{B}:q")["aws:resourceaccount"] == B


def test_context_key_names_are_case_insensitive():
    """§2.5: key names compare case-insensitively."""
    ctx = RequestContext({"AWS:SourceIP": "10.0.0.1"})
    assert ctx.values("aws:sourceip") == ("10.0.0.1",)


def test_known_multivalued_key_stays_multivalued_with_one_value():
    """§3.2: aws:TagKeys is multivalued even with a single element."""
    ctx = RequestContext({"aws:TagKeys": ["a"]})
    assert ctx.multivalued("aws:tagkeys")
    assert ctx.single("aws:tagkeys") is None


def test_a_key_set_again_takes_its_new_values_and_arity():
    """§3.2: a key's last value decides whether it is single- or multivalued, also when set again."""
    ctx = RequestContext({"s3:prefix": "a", "aws:TagKeys": "env"})
    assert ctx.single("s3:prefix") == "a" and not ctx.multivalued("s3:prefix")
    assert ctx.values("aws:tagkeys") == ("env",) and ctx.multivalued("aws:tagkeys")
    ctx.set("s3:prefix", ["a", "b"])
    assert ctx.values("s3:prefix") == ("a", "b") and ctx.multivalued("s3:prefix") and ctx.single("s3:prefix") is None
    ctx.set("s3:prefix", "c")
    assert ctx.values("s3:prefix") == ("c",) and not ctx.multivalued("s3:prefix") and ctx.single("s3:prefix") == "c"
    ctx.set("aws:SourceIp", ["10.0.0.1"])  # one element, aws: key: single-valued
    assert ctx.single("aws:sourceip") == "10.0.0.1" and ctx.values("aws:sourceip") == ("10.0.0.1",)
    ctx.set("team", [])
    assert ctx.values("team") == () and ctx.multivalued("team")
    assert ctx.as_dict() == {"s3:prefix": "c", "aws:tagkeys": ["env"], "aws:sourceip": "10.0.0.1", "team": []}
    copied = ctx.copy()
    copied.set("s3:prefix", "d")
    assert ctx.single("s3:prefix") == "c" and copied.single("s3:prefix") == "d"


def test_json_booleans_in_context_read_as_text():
    """§2.1: booleans are their string form."""
    assert RequestContext({"aws:SecureTransport": True}).values("aws:securetransport") == ("true",)


def test_derived_username_drives_policy_variable():
    """§3.1 + §2.8: the derived aws:username resolves ${aws:username} for users only."""
    pol = [doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*"))]
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::b/alice/x", identity=pol).allowed
    assert not decide(SESSION, "s3:GetObject", "arn:aws:s3:::b/R1/x", identity=pol).allowed


@pytest.mark.parametrize(
    "principal,ptype",
    [(ROOT_A, "Account"), (USER, "User"), (SESSION, "AssumedRole"), (FEDUSER, "FederatedUser")],
)
def test_principal_type_key_per_caller(principal, ptype):
    """§3.1: aws:PrincipalType per caller kind, as conditions see it."""
    rp = doc(
        grant("*", "*"),
        grant("*", "*", "Deny", Condition={"StringNotEquals": {"aws:PrincipalType": ptype}}),
    )
    assert decide(principal, "s3:GetObject", BUCKET_OBJ, resource_policy=rp).allowed


_ = PrincipalType
