"""validate_policy: one test per finding code, named after the rule it checks."""

from __future__ import annotations

import argparse
import io
import json
import time
from contextlib import redirect_stdout
from typing import Any

import pytest

from iamwarden.cli import UsageError
from iamwarden.cli import validate as validate_cli
from iamwarden.policy import PolicyKind
from iamwarden.policy.catalog import RETIRED_SERVICES, catalog
from iamwarden.policy.validation import (
    SIZE_LIMITS,
    Finding,
    policy_size,
    size_limit,
    validate_policy,
)

V = "2012-10-17"


def policy(*statements: dict[str, Any], version: str | None = V) -> dict[str, Any]:
    doc: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        doc["Version"] = version
    return doc


def allow(action: Any = "s3:GetObject", resource: Any = "arn:aws:s3:::b/*", **extra: Any):
    st = {"Effect": "Allow", "Action": action, "Resource": resource}
    st.update(extra)
    return st


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


# --- clean documents --------------------------------------------------------


def test_clean_identity_policy_has_no_findings():
    assert validate_policy(policy(allow())) == []


def test_clean_trust_policy_with_condition_has_no_findings():
    doc = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "Example987"}},
        }
    )
    assert validate_policy(doc, PolicyKind.TRUST) == []


def test_json_text_is_accepted_like_a_dict():
    assert validate_policy(json.dumps(policy(allow()))) == []
    assert validate_policy(json.dumps(policy(allow())).encode()) == []


# --- ERROR: the parser's structural problems ----------------------------------


def test_invalid_json_is_an_error():
    (f,) = validate_policy("{not json")
    assert (f.type, f.code, f.path) == ("ERROR", "INVALID_JSON", "$")


def test_duplicate_key_is_an_error():
    (f,) = validate_policy('{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}')
    assert f.code == "DUPLICATE_KEY"


def test_every_parser_problem_is_an_error_finding():
    doc = {"Version": "2099-01-01", "Bogus": 1, "Statement": [{"Effect": "allow", "Action": 3.5}]}
    fs = validate_policy(doc)
    errors = {(f.code, f.path) for f in fs if f.type == "ERROR"}
    assert ("INVALID_VERSION", "$.Version") in errors
    assert ("UNKNOWN_ELEMENT", "$.Bogus") in errors
    assert ("INVALID_EFFECT", "$.Statement[0].Effect") in errors
    assert ("MISSING_ELEMENT", "$.Statement[0]") in errors  # no Resource


def test_missing_statement_is_missing_element():
    assert codes(validate_policy({"Version": V})) >= {"MISSING_ELEMENT"}


def test_wrong_type_is_invalid_type():
    fs = validate_policy(policy(allow(action={"a": 1})))
    assert only(fs, "INVALID_TYPE")[0].path == "$.Statement[0].Action"


def test_empty_list_is_empty_element():
    assert "EMPTY_ELEMENT" in codes(validate_policy(policy(allow(action=[]))))


def test_action_without_colon_is_invalid_action_format():
    assert "INVALID_ACTION_FORMAT" in codes(validate_policy(policy(allow(action="GetObject"))))


def test_action_and_notaction_together_are_conflicting_elements():
    fs = validate_policy(policy(allow(NotAction="s3:PutObject")))
    assert "CONFLICTING_ELEMENTS" in codes(fs)


def test_principal_in_identity_policy_is_principal_not_allowed():
    fs = validate_policy(policy(allow(Principal={"AWS": "arn:aws:iam::111122223333:root"})))
    (f,) = only(fs, "PRINCIPAL_NOT_ALLOWED")
    assert (f.type, f.path) == ("ERROR", "$.Statement[0].Principal")


def test_notprincipal_in_trust_policy_is_not_principal_in_trust():
    st = {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:*"}
    fs = validate_policy(policy(st), PolicyKind.TRUST)
    assert only(fs, "NOT_PRINCIPAL_IN_TRUST")[0].path == "$.Statement[0].NotPrincipal"


def test_unknown_principal_type_is_an_error():
    st = {"Effect": "Allow", "Principal": {"Aws": "*"}, "Action": "s3:GetObject"}
    assert "UNKNOWN_PRINCIPAL_TYPE" in codes(validate_policy(policy(st), PolicyKind.RESOURCE))


def test_wildcard_inside_principal_arn_is_principal_wildcard():
    st = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:role/*"}, "Action": "s3:Get*"}
    assert "PRINCIPAL_WILDCARD" in codes(validate_policy(policy(st), PolicyKind.RESOURCE))


def test_unknown_condition_operator_is_an_error():
    fs = validate_policy(policy(allow(Condition={"StringEqual": {"aws:username": "a"}})))
    (f,) = only(fs, "UNKNOWN_OPERATOR")
    assert f.path == "$.Statement[0].Condition.StringEqual"


def test_null_with_non_boolean_is_an_error():
    fs = validate_policy(policy(allow(Condition={"Null": {"aws:TokenIssueTime": "yes"}})))
    assert only(fs, "NULL_NOT_BOOLEAN")[0].type == "ERROR"


# --- ERROR: document checks the parser leaves alone ---------------------------


def test_duplicate_sid_is_an_error():
    fs = validate_policy(policy(allow(Sid="A"), allow(Sid="A")))
    (f,) = only(fs, "DUPLICATE_SID")
    assert f.path == "$.Statement[1].Sid" and "$.Statement[0]" in f.message


def test_invalid_sid_characters_in_iam_policies():
    fs = validate_policy(policy(allow(Sid="read only")))
    assert only(fs, "INVALID_SID")[0].path == "$.Statement[0].Sid"


def test_sid_characters_are_free_in_resource_policies():
    st = {"Sid": "read only", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
          "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    assert "INVALID_SID" not in codes(validate_policy(policy(st), PolicyKind.RESOURCE))


def test_invalid_character_outside_latin1():
    fs = validate_policy(policy(allow(resource="arn:aws:s3:::b/\u2603")))
    (f,) = only(fs, "INVALID_CHARACTER")
    assert f.path == "$.Statement[0].Resource" and "U+2603" in f.message


def test_latin1_and_tabs_are_valid_characters():
    assert "INVALID_CHARACTER" not in codes(validate_policy(policy(allow(resource="arn:aws:s3:::b/é\t"))))


def test_invalid_character_in_unparseable_text():
    fs = validate_policy('{"Statement": \u2603}')
    assert codes(fs) == {"INVALID_JSON", "INVALID_CHARACTER"}


def test_policy_size_exceeded_for_managed_policy():
    actions = [f"s3:GetObject{i:05d}" for i in range(400)]  # unknown, but long
    fs = validate_policy(policy(allow(action=actions)))
    (f,) = only(fs, "POLICY_SIZE_EXCEEDED")
    assert f.type == "ERROR" and "6,144" in f.message


def test_policy_size_limit_per_kind_and_override():
    assert size_limit(PolicyKind.IDENTITY) == 6144
    assert size_limit(PolicyKind.TRUST) == 2048
    assert size_limit(PolicyKind.SESSION) == 2048
    assert size_limit(PolicyKind.RESOURCE) is None
    assert set(SIZE_LIMITS) == set(PolicyKind)
    doc = policy(allow(resource=[f"arn:aws:s3:::bucket-{i}/*" for i in range(100)]))
    assert policy_size(doc) > 2048
    assert "POLICY_SIZE_EXCEEDED" not in codes(validate_policy(doc))
    assert "POLICY_SIZE_EXCEEDED" in codes(validate_policy(doc, PolicyKind.SESSION))
    assert "POLICY_SIZE_EXCEEDED" not in codes(validate_policy(doc, PolicyKind.SESSION, size_limit=None))


def test_policy_size_does_not_count_whitespace():
    doc = policy(allow())
    compact = json.dumps(doc, separators=(",", ":"))
    pretty = json.dumps(doc, indent=8)
    assert policy_size(compact) == policy_size(pretty) == policy_size(doc)


def test_resource_service_wildcard_is_an_error():
    fs = validate_policy(policy(allow(resource="arn:aws:*:::bucket")))
    assert only(fs, "RESOURCE_SERVICE_WILDCARD")[0].type == "ERROR"


def test_resource_that_is_not_an_arn_is_invalid_arn():
    assert "INVALID_ARN" in codes(validate_policy(policy(allow(resource="my-bucket"))))
    assert "INVALID_ARN" in codes(validate_policy(policy(allow(resource="arn:aws:s3"))))


def test_variable_outside_resource_part_is_an_error():
    fs = validate_policy(policy(allow(resource="arn:aws:s3:${aws:RequestedRegion}::b")))
    assert only(fs, "VARIABLE_OUTSIDE_RESOURCE_PART")[0].type == "ERROR"


def test_variable_inside_resource_part_is_fine():
    fs = validate_policy(policy(allow(resource="arn:aws:s3:::b/${aws:username}/*")))
    assert fs == []


def test_variable_in_old_version_is_a_warning_because_it_is_literal():
    doc = policy(allow(resource="arn:aws:s3:::b/${aws:username}/*"), version="2008-10-17")
    (f,) = only(validate_policy(doc), "VARIABLE_IN_OLD_VERSION")
    assert f.type == "WARNING" and "literal" in f.message


def test_variable_not_allowed_in_action_principal_key_or_numeric_value():
    st = allow(
        action="s3:${aws:username}",
        Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "${aws:EpochTime}"}},
    )
    fs = only(validate_policy(policy(st)), "VARIABLE_NOT_ALLOWED")
    assert {f.path for f in fs} == {
        "$.Statement[0].Action",
        "$.Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge",
    }
    trust = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:user/${aws:username}"},
             "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    assert "VARIABLE_NOT_ALLOWED" in codes(validate_policy(policy(trust), PolicyKind.TRUST))


@pytest.mark.parametrize(
    "operator,value",
    [
        ("NumericLessThan", "ten"),
        ("DateGreaterThan", "yesterday"),
        ("IpAddress", "10.0.0.300/8"),
        ("NotIpAddress", "::g"),
        ("BinaryEquals", "not base64!"),
        ("Bool", "yes"),
    ],
)
def test_condition_value_that_does_not_parse_is_invalid_condition_value(operator, value):
    fs = validate_policy(policy(allow(Condition={operator: {"aws:SourceIp": value}})))
    (f,) = only(fs, "INVALID_CONDITION_VALUE")
    assert f.type == "ERROR" and operator in f.message


def test_condition_values_that_parse_are_fine():
    cond = {
        "NumericLessThanIfExists": {"aws:MultiFactorAuthAge": ["3600", 10]},
        "DateGreaterThan": {"aws:CurrentTime": ["2024-01-01T00:00:00Z", "2024-01-01", "1700000000"]},
        "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"]},
        "Bool": {"aws:SecureTransport": True},
    }
    assert validate_policy(policy(allow(Condition=cond))) == []


# --- catalogue: services, actions, condition keys -----------------------------


def test_unknown_service_is_an_error_with_suggestion():
    (f,) = validate_policy(policy(allow(action="s4:GetObject")))
    assert (f.type, f.code) == ("ERROR", "UNKNOWN_SERVICE")
    assert "did you mean 's3'" in f.message


def test_unknown_service_far_from_any_has_no_suggestion():
    (f,) = validate_policy(policy(allow(action="zzqqxx:Frob")))
    assert f.code == "UNKNOWN_SERVICE" and "did you mean" not in f.message


def test_unknown_action_is_an_error_with_suggestion():
    (f,) = validate_policy(policy(allow(action="iam:PasRole", resource="arn:aws:iam::1:role/r")))
    assert (f.type, f.code, f.path) == ("ERROR", "UNKNOWN_ACTION", "$.Statement[0].Action")
    assert "'iam:PassRole'" in f.message


def test_action_names_are_case_insensitive():
    assert validate_policy(policy(allow(action="S3:getobject"))) == []


def test_wildcard_action_matching_nothing_is_no_matching_action():
    (f,) = validate_policy(policy(allow(action="s3:Fetch*")))
    assert (f.type, f.code) == ("WARNING", "NO_MATCHING_ACTION")


def test_wildcard_action_matching_something_is_fine():
    assert validate_policy(policy(allow(action=["s3:Get*", "ec2:Describe?nstances"]))) == []


def test_retired_service_is_told_apart_from_a_typo():
    (f,) = validate_policy(policy(allow(action="codestar:CreateProject")))
    assert (f.type, f.code) == ("WARNING", "RETIRED_SERVICE")
    assert "AWS CodeStar" in f.message and "retired" in f.message


def test_retired_services_are_really_gone_from_the_catalogue():
    cat = catalog()
    assert RETIRED_SERVICES and not any(cat.has_service(s) for s in RETIRED_SERVICES)


def test_deprecated_action_is_a_warning_naming_the_replacement():
    (f,) = validate_policy(policy(allow(action="es:CreateElasticsearchDomain")))
    assert (f.type, f.code) == ("WARNING", "DEPRECATED_ACTION")
    assert "es:CreateDomain" in f.message


def test_action_named_deprecated_by_another_description_is_deprecated():
    """codedeploy: "should be used instead of the deprecated BatchGetDeploymentInstances"."""
    (f,) = validate_policy(policy(allow(action="codedeploy:BatchGetDeploymentInstances")))
    assert f.code == "DEPRECATED_ACTION" and "codedeploy:BatchGetDeploymentTargets" in f.message
    assert validate_policy(policy(allow(action="codedeploy:BatchGetDeploymentTargets"))) == []


def test_action_named_deprecate_is_not_deprecated():
    assert validate_policy(policy(allow(action="swf:UndeprecateDomain"))) == []


def test_unknown_global_condition_key_is_a_warning_with_suggestion():
    fs = validate_policy(policy(allow(Condition={"IpAddress": {"aws:SourceIP4": "10.0.0.0/8"}})))
    (f,) = only(fs, "UNKNOWN_GLOBAL_CONDITION_KEY")
    assert f.type == "WARNING" and "aws:SourceIp" in f.message


def test_global_condition_keys_are_case_insensitive_and_tag_keys_any_suffix():
    cond = {
        "IpAddress": {"AWS:sourceip": "10.0.0.0/8"},
        "StringEquals": {"aws:PrincipalTag/team": "a", "aws:ResourceTag/Env": "prod"},
    }
    assert validate_policy(policy(allow(Condition=cond))) == []


def test_unknown_service_condition_key_is_a_warning():
    fs = validate_policy(policy(allow(Condition={"StringEquals": {"s3:prefixx": "home/"}})))
    (f,) = only(fs, "UNKNOWN_CONDITION_KEY")
    assert "s3:prefix" in f.message


def test_oidc_provider_keys_are_not_second_guessed():
    cond = {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main",
                             "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"}}
    st = {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/x"},
          "Action": "sts:AssumeRoleWithWebIdentity", "Condition": cond}
    assert validate_policy(policy(st), PolicyKind.TRUST) == []


def test_catalogue_is_loaded_once_and_fast():
    cat = catalog()
    assert cat is catalog()
    cat.actions("ec2")
    doc = policy(allow(action=[f"ec2:Describe{n}" for n in ("Instances", "Vpcs", "Subnets")]))
    t = time.perf_counter()
    for _ in range(200):
        validate_policy(doc)
    assert (time.perf_counter() - t) / 200 < 0.01


# --- SECURITY_WARNING ---------------------------------------------------------


def test_allow_with_not_action_is_a_security_warning():
    st = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    (f,) = only(validate_policy(policy(st)), "ALLOW_WITH_NOT_ACTION")
    assert f.type == "SECURITY_WARNING"


def test_deny_with_not_action_is_fine():
    st = {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}
    assert validate_policy(policy(st)) == []


def test_allow_with_not_resource_is_a_security_warning():
    st = {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}
    assert only(validate_policy(policy(st)), "ALLOW_WITH_NOT_RESOURCE")[0].type == "SECURITY_WARNING"


def test_allow_with_not_principal_is_a_security_warning():
    """§1.4 (corrected): Allow + NotPrincipal grants every non-exempt principal, like "*"."""
    st = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*",
          "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:root"]}}
    (f,) = only(validate_policy(policy(st), PolicyKind.RESOURCE), "ALLOW_WITH_NOT_PRINCIPAL")
    assert (f.type, f.path) == ("SECURITY_WARNING", "$.Statement[0].NotPrincipal")
    deny_st = dict(st, Effect="Deny")
    assert not only(validate_policy(policy(deny_st), PolicyKind.RESOURCE), "ALLOW_WITH_NOT_PRINCIPAL")


def test_pass_role_with_star_resource_is_a_security_warning():
    (f,) = validate_policy(policy(allow(action="iam:PassRole", resource="*")))
    assert (f.type, f.code, f.path) == (
        "SECURITY_WARNING", "PASS_ROLE_WITH_STAR_RESOURCE", "$.Statement[0].Resource")
    fs = validate_policy(policy(allow(action="iam:Pass*", resource=["*"])))
    assert "PASS_ROLE_WITH_STAR_RESOURCE" in codes(fs)


def test_pass_role_on_named_roles_is_fine():
    assert validate_policy(policy(allow(action="iam:PassRole", resource="arn:aws:iam::1:role/app"))) == []


def test_public_principal_without_condition_in_trust_policy():
    st = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    (f,) = validate_policy(policy(st), PolicyKind.TRUST)
    assert (f.type, f.code) == ("SECURITY_WARNING", "PUBLIC_PRINCIPAL_WITHOUT_CONDITION")


def test_public_principal_with_condition_in_resource_policy_is_fine():
    st = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::b/*",
          "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
    assert validate_policy(policy(st), PolicyKind.RESOURCE) == []


def test_allow_star_on_star_is_full_access():
    (f,) = validate_policy(policy(allow(action="*", resource="*")))
    assert (f.type, f.code) == ("SECURITY_WARNING", "FULL_ACCESS")


def test_full_access_is_not_flagged_in_scps():
    assert validate_policy(policy(allow(action="*", resource="*")), PolicyKind.SCP) == []


# --- WARNING / SUGGESTION -----------------------------------------------------


def test_missing_version_is_a_warning():
    (f,) = validate_policy(policy(allow(), version=None))
    assert (f.type, f.code) == ("WARNING", "MISSING_VERSION")


def test_old_version_is_a_suggestion():
    (f,) = validate_policy(policy(allow(), version="2008-10-17"))
    assert (f.type, f.code) == ("SUGGESTION", "OLD_VERSION")


def test_empty_condition_is_a_suggestion():
    fs = validate_policy(policy(allow(Condition={})))
    assert [(f.type, f.code) for f in fs] == [("SUGGESTION", "EMPTY_CONDITION")]
    fs = validate_policy(policy(allow(Condition={"StringEquals": {}})))
    assert only(fs, "EMPTY_CONDITION")[0].path == "$.Statement[0].Condition.StringEquals"


def test_duplicate_and_covered_actions_are_redundant_action():
    fs = validate_policy(policy(allow(action=["s3:GetObject", "s3:getobject", "s3:Get*"])))
    assert [f.path for f in only(fs, "REDUNDANT_ACTION")] == [
        "$.Statement[0].Action[0]", "$.Statement[0].Action[1]"]
    assert {f.type for f in fs} == {"SUGGESTION"}


def test_duplicate_and_covered_resources_are_redundant_resource():
    fs = validate_policy(policy(allow(resource=["arn:aws:s3:::b/*", "arn:aws:s3:::b/x", "arn:aws:s3:::b/*"])))
    assert len(only(fs, "REDUNDANT_RESOURCE")) == 2


def test_resources_differing_in_case_are_not_redundant():
    assert validate_policy(policy(allow(resource=["arn:aws:s3:::b/X", "arn:aws:s3:::b/x"]))) == []


def test_star_alongside_specific_actions_is_a_suggestion():
    st = {"Effect": "Deny", "Action": ["*", "s3:GetObject"], "Resource": "arn:aws:s3:::b"}
    (f,) = validate_policy(policy(st))
    assert (f.type, f.code) == ("SUGGESTION", "STAR_WITH_OTHER_ACTIONS")


def test_star_alongside_specific_resources_is_a_suggestion():
    st = {"Effect": "Deny", "Action": "s3:GetObject", "Resource": ["*", "arn:aws:s3:::b"]}
    (f,) = validate_policy(policy(st))
    assert f.code == "STAR_WITH_OTHER_RESOURCES"


def test_findings_survive_syntax_errors_elsewhere():
    doc = policy({"Effect": "Maybe", "Action": "iam:PasRole", "Resource": "*"}, allow(Sid="x y"))
    assert {"INVALID_EFFECT", "UNKNOWN_ACTION", "INVALID_SID"} <= codes(validate_policy(doc))


# --- CLI ----------------------------------------------------------------------


def run_cli(argv: list[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    validate_cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    out = io.StringIO()
    with redirect_stdout(out):
        rc = args.func(args)
    return rc, out.getvalue()


def test_cli_security_warning_exits_1_by_default_and_0_with_fail_on_error(tmp_path):
    p = tmp_path / "p.json"
    p.write_text(json.dumps(policy(allow(action="iam:PassRole", resource="*"))))
    rc, out = run_cli(["validate", str(p)])
    assert rc == 1 and "SECURITY_WARNING PASS_ROLE_WITH_STAR_RESOURCE" in out
    rc, out = run_cli(["validate", str(p), "--fail-on", "ERROR"])
    assert rc == 0 and "PASS_ROLE_WITH_STAR_RESOURCE" in out


def test_cli_exit_1_with_errors_and_json_format(tmp_path):
    p = tmp_path / "p.json"
    p.write_text(json.dumps(policy(allow(action="iam:PasRole"))))
    rc, out = run_cli(["validate", str(p), "--format", "json"])
    data = json.loads(out)
    assert rc == 1
    assert data["findings"][0]["code"] == "UNKNOWN_ACTION"
    assert data["summary"]["ERROR"] == 1


def test_cli_type_selects_policy_kind(tmp_path):
    p = tmp_path / "trust.json"
    p.write_text(json.dumps(policy({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                    "Action": "sts:AssumeRole"})))
    assert run_cli(["validate", str(p), "--type", "trust"])[0] == 0
    assert run_cli(["validate", str(p)])[0] == 1  # Principal in an identity policy


def test_cli_unreadable_file_is_usage_error(tmp_path):
    with pytest.raises(UsageError):
        run_cli(["validate", str(tmp_path / "missing.json")])


def test_cli_main_exit_codes(tmp_path, capsys):
    from iamwarden.cli import main

    p = tmp_path / "p.json"
    p.write_text("{broken")
    assert main(["validate", str(p)]) == 1
    assert main(["validate", str(tmp_path / "nope.json")]) == 2
