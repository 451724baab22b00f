"""CloudFormation templates: one test per rule of ``plan.cloudformation`` (intrinsics, tags,
resource types, lines), and the bundled templates' expected differences."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamwarden.plan import NEW_RISK, UNKNOWN, apply, empty_account, evaluate
from iamwarden.plan.changes import PutInline, PutOidcProvider
from iamwarden.plan.cloudformation import MAX_DEPTH, TemplateError, load_template, read_template

ACCT = "111122223333"
CFN = Path(__file__).resolve().parents[2] / "examples" / "plans" / "cloudformation"
NOW = datetime(2026, 12, 2, tzinfo=UTC)
ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def tpl(resources, **extra):
    return json.dumps({"Resources": resources, **extra})


def role(name="R", **props):
    return {"Type": "AWS::IAM::Role", "Properties": {"RoleName": name, "AssumeRolePolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                               "Action": "sts:AssumeRole"}]}, **props}}


def inline_doc(cs, owner):
    return next(op.document for op in cs.additions if isinstance(op, PutInline) and op.owner == owner)


def policy_with_resource(resource):
    return {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": ["R"], "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}]}}}


def resource_of(cs):
    return inline_doc(cs, "R")["Statement"][0]["Resource"]


def test_short_tags_are_read_as_intrinsics():
    text = """
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Join ["-", [app, !Ref AWS::Region]]
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
            Action: sts:AssumeRole
  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [!Ref R]
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: "iam:PassRole", Resource: !GetAtt R.Arn}
"""
    cs = read_template(text, account_id=ACCT, region="eu-west-1")
    acct = apply(empty_account(ACCT), cs)
    r = acct.roles["app-eu-west-1"]
    assert r.trust.document["Statement"][0]["Principal"]["AWS"] == f"arn:aws:iam::{ACCT}:root"
    assert r.inline[0].policy.document["Statement"][0]["Resource"] == f"arn:aws:iam::{ACCT}:role/app-eu-west-1"


def test_ref_parameter_uses_the_given_value_else_the_default():
    t = tpl({"R": role(), "P": policy_with_resource({"Ref": "Bucket"})},
            Parameters={"Bucket": {"Type": "String", "Default": "arn:aws:s3:::default/*"}})
    assert resource_of(read_template(t, account_id=ACCT)) == "arn:aws:s3:::default/*"
    assert resource_of(read_template(t, account_id=ACCT, parameters={"Bucket": "arn:aws:s3:::x/*"})) == \
        "arn:aws:s3:::x/*"


def test_ref_parameter_without_a_value_is_unknown():
    t = tpl({"R": role(), "P": policy_with_resource({"Ref": "Bucket"})}, Parameters={"Bucket": {"Type": "String"}})
    cs = read_template(t, account_id=ACCT)
    (u,) = cs.unknowns
    assert u.origin.address == "P" and "--parameter Bucket=VALUE" in str(u.what)
    assert not any(isinstance(op, PutInline) for op in cs.additions)


def test_pseudo_parameters_come_from_the_flags():
    t = tpl({"R": role(), "P": policy_with_resource(
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::${AWS::Region}-${AWS::AccountId}.${AWS::URLSuffix}/*"})})
    cs = read_template(t, account_id="444455556666", region="cn-north-1", partition="aws-cn")
    assert resource_of(cs) == "arn:aws-cn:s3:::cn-north-1-444455556666.amazonaws.com.cn/*"


def test_stack_name_is_unknown():
    cs = read_template(tpl({"R": role(), "P": policy_with_resource({"Fn::Sub": "arn:aws:s3:::${AWS::StackName}/*"})}),
                       account_id=ACCT)
    assert "AWS::StackName" in str(cs.unknowns[0].what)


def test_sub_with_variables_and_literal_escape():
    cs = read_template(tpl({"R": role(), "P": policy_with_resource(
        {"Fn::Sub": ["arn:aws:s3:::${B}/${!aws:username}/*", {"B": "home"}]})}), account_id=ACCT)
    assert resource_of(cs) == "arn:aws:s3:::home/${aws:username}/*"


def test_join_select_split_findinmap_base64_are_resolved():
    t = tpl({"R": role(), "P": policy_with_resource([
        {"Fn::Join": [":", ["arn", "aws", "s3", "", "", "j"]]},
        {"Fn::Select": [1, {"Fn::Split": [",", "a,arn:aws:s3:::sel,c"]}]},
        {"Fn::FindInMap": ["Buckets", "prod", "arn"]}])},
        Mappings={"Buckets": {"prod": {"arn": "arn:aws:s3:::mapped"}}})
    assert resource_of(read_template(t, account_id=ACCT)) == [
        "arn:aws:s3:::j", "arn:aws:s3:::sel", "arn:aws:s3:::mapped"]


def test_getatt_arn_of_a_template_resource_and_other_attributes_unknown():
    cs = read_template(tpl({"R": role(Path="/ops/"), "P": policy_with_resource({"Fn::GetAtt": ["R", "Arn"]})}),
                       account_id=ACCT)
    assert resource_of(cs) == f"arn:aws:iam::{ACCT}:role/ops/R"
    cs2 = read_template(tpl({"R": role(), "P": policy_with_resource({"Fn::GetAtt": ["R", "RoleId"]})}),
                        account_id=ACCT)
    assert "RoleId" in str(cs2.unknowns[0].what)


def test_import_value_and_non_iam_refs_are_unknown():
    t = tpl({"R": role(), "B": {"Type": "AWS::S3::Bucket"},
             "P": policy_with_resource([{"Fn::ImportValue": "x"}, {"Fn::GetAtt": ["B", "Arn"]}])})
    cs = read_template(t, account_id=ACCT)
    assert len(cs.unknowns) == 1 and "Fn::ImportValue" in str(cs.unknowns[0].what)
    t2 = tpl({"R": role(), "B": {"Type": "AWS::S3::Bucket"}, "P": policy_with_resource({"Fn::GetAtt": ["B", "Arn"]})})
    assert "known only after deploy" in str(read_template(t2, account_id=ACCT).unknowns[0].what)


def test_conditions_decide_resources_and_fn_if():
    t = tpl({"R": role(), "Extra": {**role("Extra"), "Condition": "IsProd"},
             "P": policy_with_resource({"Fn::If": ["IsProd", "arn:aws:s3:::prod/*", "arn:aws:s3:::dev/*"]})},
            Parameters={"Env": {"Type": "String", "Default": "dev"}},
            Conditions={"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}})
    cs = read_template(t, account_id=ACCT)
    assert resource_of(cs) == "arn:aws:s3:::dev/*"
    assert "Extra" not in apply(empty_account(ACCT), cs).roles
    cs2 = read_template(t, account_id=ACCT, parameters={"Env": "prod"})
    assert resource_of(cs2) == "arn:aws:s3:::prod/*" and "Extra" in apply(empty_account(ACCT), cs2).roles


def test_no_value_drops_the_key():
    cs = read_template(tpl({"R": role(PermissionsBoundary={"Ref": "AWS::NoValue"})}), account_id=ACCT)
    assert apply(empty_account(ACCT), cs).roles["R"].boundary is None


def test_yaml_aliases_are_refused():
    text = "Resources:\n  R: &r\n    Type: AWS::IAM::User\n  S: *r\n"
    with pytest.raises(TemplateError, match="line 4: YAML aliases are not allowed"):
        load_template(text)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 5, 200_000])
def test_nesting_deeper_than_the_cap_is_refused(depth):
    text = ("Resources:\n  R:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n"
            "      Roles: [R]\n      PolicyDocument: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(TemplateError, match="deeper than"):
        read_template(text, account_id=ACCT)


def test_template_larger_than_the_cap_is_refused():
    with pytest.raises(TemplateError, match="larger than"):
        read_template("#" * (1024 * 1024 + 1))


def test_not_a_template_is_a_template_error():
    with pytest.raises(TemplateError, match="no Resources"):
        read_template('{"Version": "2012-10-17"}')
    with pytest.raises(TemplateError, match="not YAML"):
        read_template("Resources: [unclosed")


def test_logical_id_lines_in_json_and_yaml():
    _, lines = load_template('{\n  "Resources": {\n    "A": {"Type": "AWS::IAM::User"},\n\n    "B": {}\n  }\n}')
    assert lines == {"A": 3, "B": 5}
    _, ylines = load_template("Resources:\n  A:\n    Type: AWS::IAM::User\n  B:\n    Type: AWS::IAM::Group\n")
    assert ylines == {"A": 2, "B": 4}


def test_missing_name_is_analysed_as_the_logical_id_and_noted():
    cs = read_template(tpl({"Builder": {"Type": "AWS::IAM::User", "Properties": {}}}), account_id=ACCT)
    assert "Builder" in apply(empty_account(ACCT), cs).users
    assert any("generates" in str(n) for n in cs.notes)


def test_every_resource_type():
    t = tpl({
        "U": {"Type": "AWS::IAM::User", "Properties": {"UserName": "u", "Groups": ["g"],
                                                       "Policies": [{"PolicyName": "up", "PolicyDocument": ADMIN_DOC}]}},
        "G": {"Type": "AWS::IAM::Group", "Properties": {"GroupName": "g"}},
        "Add": {"Type": "AWS::IAM::UserToGroupAddition", "Properties": {"GroupName": "g2", "Users": ["u"]}},
        "R": role(),
        "MP": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": "mp", "Groups": ["g"],
                                                                 "PolicyDocument": ADMIN_DOC}},
        "RP": {"Type": "AWS::IAM::RolePolicy", "Properties": {"RoleName": "R", "PolicyName": "rp",
                                                              "PolicyDocument": ADMIN_DOC}},
        "IP": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"InstanceProfileName": "ip", "Roles": ["R"]}},
        "O": {"Type": "AWS::IAM::OIDCProvider", "Properties": {"Url": "https://example.com", "ClientIdList": ["c"]}},
        "K": {"Type": "AWS::IAM::AccessKey", "Properties": {"UserName": "u"}},
    })
    cs = read_template(t, account_id=ACCT)
    acct = apply(empty_account(ACCT), cs)
    assert acct.users["u"].groups == ("g", "g2")
    assert [p.name for p in acct.users["u"].inline] == ["up"]
    assert acct.groups["g"].attached == (f"arn:aws:iam::{ACCT}:policy/mp",)
    assert [p.name for p in acct.roles["R"].inline] == ["rp"]
    assert acct.roles["R"].instance_profiles == (f"arn:aws:iam::{ACCT}:instance-profile/ip",)
    assert any(isinstance(op, PutOidcProvider) and op.url == "https://example.com" for op in cs.additions)
    assert any("AWS::IAM::AccessKey" in str(n) for n in cs.notes)


def test_bundled_admin_role_template_gives_the_seed_findings():
    cs = read_template((CFN / "admin-role.yaml").read_text(), "admin-role.yaml", account_id=ACCT)
    r = evaluate(None, cs, "low", NOW).to_json()
    assert r["verdict"] == NEW_RISK
    assert sorted((f["id"], f["origin"]["address"], f["origin"]["line"]) for f in r["findings"]["new"]) == [
        ("IW001", "AdminRole", 7), ("IW006", "AliceAssumeAdmin", 26)]
    lines = (CFN / "admin-role.yaml").read_text().splitlines()
    assert lines[6].strip() == "AdminRole:" and lines[25].strip() == "AliceAssumeAdmin:"


def test_bundled_ci_deploy_role_template():
    cs = read_template((CFN / "ci-deploy-role.json").read_text(), "ci-deploy-role.json", account_id=ACCT)
    r = evaluate(None, cs, "low", NOW).to_json()
    assert r["verdict"] == NEW_RISK and r["unknowns"] == []
    (f,) = r["findings"]["new"]
    assert (f["id"], f["arn"]) == ("IW006", f"arn:aws:iam::{ACCT}:role/github-deploy")
    assert f["origin"]["address"] == "DeployPolicy"


def test_bundled_unknown_values_template_cannot_decide():
    cs = read_template((CFN / "unknown-values.yaml").read_text(), "unknown-values.yaml", account_id=ACCT)
    r = evaluate(None, cs, "low", NOW).to_json()
    assert r["verdict"] == UNKNOWN
    (u,) = r["unknowns"]
    assert u["origin"]["address"] == "BuildRole" and "Fn::ImportValue" in u["what"]
