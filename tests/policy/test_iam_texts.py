"""IAM's own MalformedPolicyDocument texts, one per problem family (spec §5.4).

The endpoint answers with these sentences (clients written against AWS match
them); ``validate`` keeps the JSON paths. Each test names the rule it checks.
"""

from __future__ import annotations

import json

import pytest

from iamwarden.policy.document import PolicyKind, parse_policy
from iamwarden.policy.errors import PolicySyntaxError, iam_message
from iamwarden.policy.validation import ERROR, validate_policy


def message(doc: object, kind: PolicyKind = PolicyKind.IDENTITY) -> str:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    with pytest.raises(PolicySyntaxError) as e:
        parse_policy(text, kind)
    return iam_message(e.value)


def statement(**fields: object) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": [fields]}


@pytest.mark.parametrize("text", ["{", '{"Version": "2012-10-17", "Statement": NaN}', '{"a": 1, "a": 2}', "[" * 200 + "]" * 200])
def test_unparseable_json_is_invalid_json(text: str) -> None:
    assert message(text) == "This policy contains invalid Json"


def test_unknown_element_is_syntax_errors_in_policy() -> None:
    assert message(statement(Effect="Allow", Action="s3:*", Resource="*", Actions="x")) == "Syntax errors in policy."


def test_mistyped_effect_is_syntax_errors_in_policy() -> None:
    assert message(statement(Effect="Alow", Action="s3:*", Resource="*")) == "Syntax errors in policy."


def test_statement_without_action_must_contain_actions() -> None:
    assert message(statement(Effect="Allow", Resource="*")) == "Policy statement must contain actions."


def test_identity_statement_without_resource_must_contain_resources() -> None:
    assert message(statement(Effect="Allow", Action="s3:GetObject")) == "Policy statement must contain resources."


@pytest.mark.parametrize("kind", [PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION])
def test_principal_in_identity_policy_should_not_specify_a_principal(kind: PolicyKind) -> None:
    doc = statement(Effect="Allow", Principal={"AWS": "arn:aws:iam::111122223333:root"}, Action="s3:*", Resource="*")
    assert message(doc, kind) == "Policy document should not specify a principal."


def test_resource_in_trust_policy_has_prohibited_field_resource() -> None:
    doc = statement(Effect="Allow", Principal={"AWS": "arn:aws:iam::111122223333:root"}, Action="sts:AssumeRole",
                    Resource="*")
    assert message(doc, PolicyKind.TRUST) == "Has prohibited field Resource"
    # validate says where, as an error
    errors = [f for f in validate_policy(json.dumps(doc), PolicyKind.TRUST) if f.type == ERROR]
    assert any("Statement[0].Resource" in f.path for f in errors)


def test_wildcard_inside_principal_arn_is_invalid_principal() -> None:
    doc = statement(Effect="Allow", Principal={"AWS": "arn:aws:iam::111122223333:user/*"}, Action="sts:AssumeRole")
    assert message(doc, PolicyKind.TRUST) == 'Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:user/*"'


def test_bad_version_failed_legacy_parsing() -> None:
    doc = {"Version": "2012-10-18", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    assert message(doc) == "The policy failed legacy parsing"


def test_first_problem_in_document_order_is_the_one_iam_names() -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"},
                                                  {"Effect": "Allow", "Action": "s3:*"}]}
    assert message(doc) == "Policy statement must contain actions."
