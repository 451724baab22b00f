"""Hostile account files: whatever the file holds, loading ends quickly with one clear error (status 2), never a crash.

The shape check (``loaders.account_schema``) runs before anything is built, so
entries of the wrong type never reach code that assumes a dict; it collects
at most ``MAX_PROBLEMS`` problems, so a huge bad file costs no more than a
small one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamwarden.cli import main
from iamwarden.loaders.account_schema import MAX_PROBLEMS, check_shape

A = "arn:aws:iam::111122223333"

HOSTILE = {
    "deeply-nested": "[" * 100_000 + "]" * 100_000,
    "nested-document": json.dumps({"UserDetailList": [{"UserName": "u", "Arn": f"{A}:user/u", "UserPolicyList": [
        {"PolicyName": "p", "PolicyDocument": "[" * 50_000 + "]" * 50_000}]}]}),
    "entries-of-every-type": json.dumps({"UserDetailList": [1, "x", None, True, [], {}],
                                         "RoleDetailList": [[{"RoleName": "r"}]], "Policies": "all"}),
    "wrong-types-inside": json.dumps({"UserDetailList": [{"UserName": ["u"], "Arn": {"a": 1}, "GroupList": [1, {}],
                                                          "Tags": "k=v", "UserPolicyList": {"p": {}}}]}),
    "many-bad-entries": json.dumps({"RoleDetailList": [{"RoleName": i} for i in range(100_000)]}),
    "huge-string": json.dumps("x" * 5_000_000),
    "not-utf8": b"\xff\xfe{\x00".decode("latin-1"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_account_file_is_one_clear_error_for_every_command(tmp_path: Path, capsys, name: str) -> None:
    f = tmp_path / f"{name}.json"
    f.write_bytes(HOSTILE[name].encode("latin-1"))
    for argv in (["audit", str(f)], ["who-can", "--account", str(f), "--action", "s3:GetObject"],
                 ["check", "--account", str(f), "--principal", f"{A}:user/u", "--action", "s3:GetObject",
                  "--resource", "*"]):
        rc = main(argv)
        out, err = capsys.readouterr()
        assert rc == 2, (argv, err)
        assert out == "" and "Traceback" not in err and err.startswith(f"iamwarden: error: {f}")
        assert err.count("\n") == 1 and len(err) < 2_000


@pytest.mark.timeout(30)
def test_shape_check_stops_after_max_problems_on_a_huge_bad_file() -> None:
    data = {"UserDetailList": [{"UserName": i, "Arn": i} for i in range(200_000)]}
    assert len(check_shape(data)) == MAX_PROBLEMS
