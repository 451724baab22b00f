"""The account-file shape: the shipped JSON Schema, its validator, and the loader's messages (docs/account-files.md)."""

from __future__ import annotations

import copy
import json
import tomllib
import urllib.parse
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest

from iamwarden.loaders.account_schema import (
    MAX_PROBLEMS,
    SCHEMA_FILE,
    SchemaError,
    _check_keywords,
    check_shape,
    load_schema,
)
from iamwarden.loaders.authz_details import LoadError, account_from_details, load_account, load_world
from tests.conftest import CONFORMANCE

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo-account.json"
A = "arn:aws:iam::111122223333"
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"{A}:root"},
                                                 "Action": "sts:AssumeRole"}]}


def account_files() -> list[Path]:
    files = sorted((REPO / "examples").glob("*.json"))
    files += sorted(f for f in (CONFORMANCE / "accounts").rglob("*.json") if not f.name.endswith(".expected.json"))
    return files


def reference() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(load_schema())


# -- the schema itself -----------------------------------------------------------------------------


def test_schema_is_valid_json_schema_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(load_schema())


def test_schema_uses_only_keywords_the_validator_implements() -> None:
    load_schema.cache_clear()
    load_schema()  # raises SchemaError otherwise
    with pytest.raises(SchemaError, match="pattern"):
        _check_keywords({"type": "object", "properties": {"Arn": {"type": "string", "pattern": "^arn:"}}}, "#")
    with pytest.raises(SchemaError, match="local"):
        _check_keywords({"$ref": "https://example.com/other.json"}, "#")


def test_schema_ships_in_the_package_data() -> None:
    data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["iamwarden"]
    here = f"loaders/schema/{SCHEMA_FILE}"
    assert (REPO / "src" / "iamwarden" / here).is_file()
    assert any(fnmatch(here, pattern) for pattern in data)


# -- every account the project ships or tests with fits -------------------------------------------


def test_every_example_and_conformance_account_validates_against_the_schema() -> None:
    files = account_files()
    assert len(files) > 10 and DEMO in files  # the conformance accounts were found
    for f in files:
        data = json.loads(f.read_text())
        assert check_shape(data) == [], f
        reference().validate(data)


# -- the validator agrees with jsonschema -----------------------------------------------------------


def _mutants(doc: Any, path: tuple[Any, ...] = (), depth: int = 0) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every node down to ``depth`` 5 deleted or replaced by a value of each JSON type."""
    if depth > 5:
        return
    children = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for k, v in children:
        for replacement in ("x", 7, True, None, [], {}, "delete"):
            yield (*path, k), replacement
        yield from _mutants(v, (*path, k), depth + 1)


def _apply(doc: Any, where: tuple[Any, ...], replacement: Any) -> Any:
    out = copy.deepcopy(doc)
    node = out
    for k in where[:-1]:
        node = node[k]
    if replacement == "delete":
        del node[where[-1]]
    else:
        node[where[-1]] = replacement
    return out


def test_validator_agrees_with_jsonschema_on_every_mutant_of_an_account() -> None:
    base = {
        "UserDetailList": [{"UserName": "u", "Arn": f"{A}:user/u", "GroupList": ["g"], "Tags": [{"Key": "k", "Value": "v"}],
                            "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": DOC}],
                            "AttachedManagedPolicies": [{"PolicyArn": f"{A}:policy/m"}],
                            "PermissionsBoundary": {"PermissionsBoundaryArn": f"{A}:policy/m"}}],
        "GroupDetailList": [{"GroupName": "g", "Arn": f"{A}:group/g", "GroupPolicyList": []}],
        "RoleDetailList": [{"RoleName": "r", "Arn": f"{A}:role/r", "AssumeRolePolicyDocument": TRUST,
                            "InstanceProfileList": [{"Arn": f"{A}:instance-profile/r"}], "MaxSessionDuration": 3600}],
        "Policies": [{"Arn": f"{A}:policy/m", "AttachmentCount": 1, "DefaultVersionId": "v1",
                      "PolicyVersionList": [{"Document": DOC, "VersionId": "v1", "IsDefaultVersion": True}]}],
    }
    ref = reference()
    checked = disagreements = 0
    for data in [base, [base, {"Policies": []}]]:
        for where, replacement in _mutants(data, depth=3 if isinstance(data, list) else 0):
            m = _apply(data, where, replacement)
            ours, theirs = check_shape(m) == [], ref.is_valid(m)
            checked += 1
            if ours != theirs:
                disagreements += 1
                pytest.fail(f"{where} -> {replacement!r}: ours {ours}, jsonschema {theirs}")
    assert checked > 400 and disagreements == 0


# -- the messages -----------------------------------------------------------------------------------


def test_a_list_at_the_top_level_says_what_was_expected(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    f.write_text("[]")
    with pytest.raises(LoadError) as e:
        load_account(f)
    assert str(e.value) == (f"{f}: not get-account-authorization-details output: $: expected an object with "
                            "UserDetailList, GroupDetailList, RoleDetailList or Policies, or a non-empty list of them, "
                            "got an empty list")


def test_a_list_of_users_at_the_top_level_names_the_first_item(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    f.write_text(json.dumps([{"UserName": "u", "Arn": f"{A}:user/u"}]))
    with pytest.raises(LoadError, match=r"\$\[0\]: expected an object with UserDetailList, GroupDetailList, "
                                        r"RoleDetailList or Policies, got an object with keys UserName, Arn"):
        load_account(f)


@pytest.mark.parametrize("data, message", [
    ({"RoleDetailList": [{"RoleName": "r", "Arn": f"{A}:role/r", "AssumeRolePolicyDocument": TRUST},
                         {"RoleName": "s", "Arn": f"{A}:role/s"}]},
     "$.RoleDetailList[1]: missing AssumeRolePolicyDocument (expected an object with RoleName, Arn and "
     "AssumeRolePolicyDocument)"),
    ({"UserDetailList": [{"UserName": "u", "Arn": f"{A}:user/u", "GroupList": "admins"}]},
     "$.UserDetailList[0].GroupList: expected a list of strings, or null, got a string"),
    ({"UserDetailList": [{"UserName": "u", "Arn": f"{A}:user/u", "UserPolicyList": [{"PolicyName": "p"}]}]},
     "$.UserDetailList[0].UserPolicyList[0]: missing PolicyDocument"),
    ({"Policies": [{"Arn": f"{A}:policy/m", "PolicyVersionList": []}]},
     "$.Policies[0].PolicyVersionList: expected a non-empty list of objects with Document, got an empty list"),
    ({"UserDetailList": {"UserName": "u"}},
     "$.UserDetailList: expected a list of objects with UserName and Arn, or null, got an object with key UserName"),
    ({"Users": []}, "$: expected an object with UserDetailList, GroupDetailList, RoleDetailList or Policies"),
])
def test_shape_errors_name_the_json_path_and_what_was_expected(data: Any, message: str) -> None:
    with pytest.raises(LoadError) as e:
        account_from_details(data, "acct.json")
    assert str(e.value).startswith("acct.json: not get-account-authorization-details output: ")
    assert message in str(e.value)


def test_shape_problems_are_bounded_and_the_message_says_there_are_more() -> None:
    data = {"UserDetailList": [{"UserName": i} for i in range(100_000)]}
    problems = check_shape(data)
    assert len(problems) == MAX_PROBLEMS
    with pytest.raises(LoadError, match=r"\(and more\)$"):
        account_from_details(data)


def test_policy_grammar_errors_still_come_from_the_parser_with_the_path_inside_the_document() -> None:
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "s3:*", "Resource": "*"}]}
    with pytest.raises(LoadError, match=r"\$\.UserDetailList\[0\]\.UserPolicyList\[0\]\.PolicyDocument\.Statement\[0\]"
                                        r"\.Effect"):
        account_from_details({"UserDetailList": [{"UserName": "u", "Arn": f"{A}:user/u", "UserPolicyList": [
            {"PolicyName": "p", "PolicyDocument": bad}]}]})


# -- what the loader accepts beyond AWS's output -----------------------------------------------------


def test_loader_accepts_missing_ids_dates_paths_and_versions() -> None:
    acct = account_from_details({
        "UserDetailList": [{"UserName": "u", "Arn": f"{A}:user/u"}],
        "RoleDetailList": [{"RoleName": "r", "Arn": f"{A}:role/r", "AssumeRolePolicyDocument": TRUST}],
        "Policies": [{"Arn": f"{A}:policy/team/m", "PolicyVersionList": [{"Document": DOC}]}],
    })
    assert acct.account_id == "111122223333"
    assert acct.users["u"].path == "/" and acct.users["u"].user_id == ""
    pol = acct.policies[f"{A}:policy/team/m"]
    assert pol.name == "m" and pol.default_version_id == "v1"


def test_loader_accepts_url_encoded_and_plain_json_text_documents() -> None:
    acct = account_from_details({"RoleDetailList": [
        {"RoleName": "enc", "Arn": f"{A}:role/enc", "AssumeRolePolicyDocument": urllib.parse.quote(json.dumps(TRUST))},
        {"RoleName": "txt", "Arn": f"{A}:role/txt", "AssumeRolePolicyDocument": json.dumps(TRUST)},
    ]})
    enc, txt = acct.roles["enc"].trust, acct.roles["txt"].trust
    assert enc.document == txt.document == TRUST
    assert [(s.effect, s.principal, s.actions) for s in enc.statements] == [(s.effect, s.principal, s.actions) for s in txt.statements]


def test_loader_accepts_a_list_of_pages_and_merges_them(tmp_path: Path) -> None:
    f = tmp_path / "pages.json"
    f.write_text(json.dumps([
        {"UserDetailList": [{"UserName": "u", "Arn": f"{A}:user/u"}], "IsTruncated": True, "Marker": "m"},
        {"RoleDetailList": [{"RoleName": "r", "Arn": f"{A}:role/r", "AssumeRolePolicyDocument": TRUST}],
         "IsTruncated": False},
    ]))
    acct = load_account(f)
    assert set(acct.users) == {"u"} and set(acct.roles) == {"r"}


def test_loader_reads_a_folder_as_one_account_per_file_and_skips_expected_files(tmp_path: Path) -> None:
    for acct_id in ("111122223333", "444455556666"):
        (tmp_path / f"{acct_id}.json").write_text(json.dumps(
            {"UserDetailList": [{"UserName": "u", "Arn": f"arn:aws:iam::{acct_id}:user/u"}]}))
    (tmp_path / "x.expected.json").write_text("{}")
    assert sorted(load_world([tmp_path]).accounts) == ["111122223333", "444455556666"]
