"""``iamwarden audit``, ``who-can``, ``path``, ``collect``: formats, files, errors."""

from __future__ import annotations

import json
import sys
import urllib.parse
from pathlib import Path

import pytest

from iamwarden.cli import main
from tests.conftest import CONFORMANCE

ACCOUNTS = CONFORMANCE / "accounts"
A = "arn:aws:iam::111122223333"
CHAIN = str(ACCOUNTS / "chain-user-roleA-roleB-admin.json")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_audit_json_shape(capsys) -> None:
    rc, out, err = run(capsys, "audit", str(ACCOUNTS / "bf-privesc13-AddUserToGroup.json"), "--format", "json")
    assert rc == 0 and err == ""
    r = json.loads(out)
    assert set(r) >= {"accounts", "principals", "findings"}
    for p in r["principals"]:
        assert set(p) >= {"arn", "type", "admin", "can_escalate", "paths"}
        for path in p["paths"]:
            for s in path["steps"]:
                assert set(s) >= {"from", "to", "technique", "reason"}
    for f in r["findings"]:
        assert set(f) >= {"id", "severity", "arn", "message", "fix"}
    user = next(p for p in r["principals"] if p["arn"].endswith("user/privesc13-AddUserToGroup-user"))
    assert user["can_escalate"] and user["paths"][0]["techniques"] == ["D13", "D07"]
    assert all(s["from"] == s["to"] == user["arn"] for s in user["paths"][0]["steps"])


def test_audit_text_and_folder_of_accounts(capsys) -> None:
    rc, out, err = run(capsys, "audit", str(ACCOUNTS / "xacct-root-trust"))
    assert rc == 0 and err == ""  # no progress bar when stderr is not a terminal
    assert "111122223333:user/dev-user" in out and "D15" in out and "IW001" in out


def test_audit_output_file(tmp_path: Path, capsys) -> None:
    f = tmp_path / "r.json"
    rc, out, _ = run(capsys, "audit", CHAIN, "--format", "json", "--output", str(f))
    assert rc == 0 and out == ""
    assert json.loads(f.read_text())["summary"]["admins"] == 1


@pytest.mark.parametrize("fmt", ["sarif", "html", "dot"])
def test_audit_other_formats_use_report_modules(fmt: str, capsys) -> None:
    pytest.importorskip(f"iamwarden.report.{'graph_dot' if fmt == 'dot' else fmt}")
    rc, out, _ = run(capsys, "audit", CHAIN, "--format", fmt)
    assert rc == 0 and out


def test_missing_renderer_is_a_usage_error(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "iamwarden.report.sarif", None)
    rc, _, err = run(capsys, "audit", CHAIN, "--format", "sarif")
    assert rc == 2 and "sarif" in err


def test_audit_bad_input(tmp_path: Path, capsys) -> None:
    rc, _, err = run(capsys, "audit")
    assert rc == 2 and "PATH" in err
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    rc, _, err = run(capsys, "audit", str(bad))
    assert rc == 2 and "x.json" in err


def test_who_can(capsys) -> None:
    rc, out, _ = run(capsys, "who-can", "--account", CHAIN, "--action", "iam:CreateUser", "--format", "json")
    assert rc == 0
    r = {p["arn"]: p for p in json.loads(out)["principals"]}
    assert r[f"{A}:role/AdminRole"]["direct"]
    assert [s["technique"] for s in r[f"{A}:user/alice"]["steps"]] == ["D15", "D15", "D15"]
    rc, _, err = run(capsys, "who-can", "--account", CHAIN, "--action", "CreateUser")
    assert rc == 2


def test_path(capsys) -> None:
    rc, out, _ = run(capsys, "path", f"{A}:user/alice", f"{A}:role/RoleB", "--account", CHAIN, "--format", "json")
    assert rc == 0
    r = json.loads(out)
    assert r["found"] and [s["to"] for s in r["steps"]] == [f"{A}:role/RoleA", f"{A}:role/RoleB"]
    neg = str(ACCOUNTS / "seed-neg-no-identity-permission.json")
    rc, out, _ = run(capsys, "path", f"{A}:user/alice", f"{A}:role/AdminRole", "--account", neg)
    assert rc == 1 and "no path" in out
    rc, _, err = run(capsys, "path", f"{A}:user/nobody", f"{A}:user/alice", "--account", CHAIN)
    assert rc == 2 and "nobody" in err


def test_collect_without_boto3_is_a_clear_error(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    rc, _, err = run(capsys, "collect")
    assert rc == 2 and "boto3" in err


def test_collect_with_moto(tmp_path: Path, monkeypatch, capsys) -> None:
    moto = pytest.importorskip("moto")
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto.mock_aws():
        iam = boto3.client("iam")
        for i in range(120):  # more than one page
            iam.create_user(UserName=f"u{i}")
        pol = iam.create_policy(PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        iam.attach_user_policy(UserName="u0", PolicyArn=pol["Policy"]["Arn"])
        out = tmp_path / "gaad.json"
        iam.create_group(GroupName="g")
        rc, _, err = run(capsys, "collect", "--output", str(out))
        assert rc == 0
        assert f"wrote {out}: 120 users, 0 roles, 1 group, 1 policy" in err  # counted nouns agree
        data = json.loads(out.read_text())
        assert len(data["UserDetailList"]) == 120
        rc, text, err = run(capsys, "audit", str(out), "--format", "json")
        assert rc == 0, err
        assert json.loads(text)["summary"]["admins"] == 1


def test_audit_endpoint_pages_through_boto3(monkeypatch, capsys) -> None:
    """--endpoint: boto3's paginator over GetAccountAuthorizationDetails (stubbed; a live
    iamwarden server is exercised by the server's own end-to-end tests)."""
    boto3 = pytest.importorskip("boto3")
    from botocore.stub import Stubber

    data = json.loads(Path(CHAIN).read_text())
    page1 = {"UserDetailList": data["UserDetailList"], "GroupDetailList": [], "RoleDetailList": [],
             "Policies": [], "IsTruncated": True, "Marker": "m1"}
    page2 = {"UserDetailList": [], "GroupDetailList": data.get("GroupDetailList", []),
             "RoleDetailList": data["RoleDetailList"], "Policies": data.get("Policies", []), "IsTruncated": False}
    enc = lambda d: urllib.parse.quote(json.dumps(d))  # noqa: E731  the API sends URL-encoded JSON text
    for page in (page1, page2):
        for key, plist in (("UserDetailList", "UserPolicyList"), ("RoleDetailList", "RolePolicyList"),
                           ("GroupDetailList", "GroupPolicyList")):
            for e in page[key]:
                for p in e.get(plist) or []:
                    p["PolicyDocument"] = enc(p["PolicyDocument"])
                if "AssumeRolePolicyDocument" in e:
                    e["AssumeRolePolicyDocument"] = enc(e["AssumeRolePolicyDocument"])
        for pol in page["Policies"]:
            for v in pol["PolicyVersionList"]:
                v["Document"] = enc(v["Document"])
    seen = {}
    real_session = boto3.Session

    class FakeSession:
        region_name = "us-east-1"

        def __init__(self, profile_name=None):
            self._s = real_session(aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1")

        def client(self, name, endpoint_url=None, region_name=None):
            seen["endpoint"] = endpoint_url
            c = self._s.client(name, endpoint_url=endpoint_url, region_name=region_name)
            stub = Stubber(c)
            stub.add_response("get_account_authorization_details", page1, {})
            stub.add_response("get_account_authorization_details", page2, {"Marker": "m1"})
            stub.add_response("list_saml_providers", {"SAMLProviderList": []}, {})
            stub.activate()
            return c

    monkeypatch.setattr(boto3, "Session", FakeSession)
    rc, out, err = run(capsys, "audit", "--endpoint", "http://127.0.0.1:9", "--format", "json")
    assert rc == 0, err
    assert seen["endpoint"] == "http://127.0.0.1:9"
    r = json.loads(out)
    assert r["summary"]["admins"] == 1 and r["summary"]["can_escalate"] == 3


def test_progress_bar_only_on_a_terminal() -> None:
    import io

    from iamwarden.cli.audit import progress_bar

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert progress_bar(io.StringIO()) is None
    tty = Tty()
    bar = progress_bar(tty)
    assert bar is not None
    bar("paths", 5, 10)
    assert "5/10" in tty.getvalue()


def test_text_report_limits_principals(capsys) -> None:
    rc, out, _ = run(capsys, "audit", CHAIN, "--max-principals", "1", "--no-statements")
    assert rc == 0 and "and 2 more" in out and "- identity-based policy allows [" not in out


def test_collect_gathers_oidc_providers(tmp_path: Path, monkeypatch, capsys) -> None:
    import boto3
    import moto

    from iamwarden.loaders.authz_details import load_account

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto.mock_aws():
        iam = boto3.client("iam")
        iam.create_user(UserName="u")
        arn = iam.create_open_id_connect_provider(
            Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"],
            ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])["OpenIDConnectProviderArn"]
        out = tmp_path / "gaad.json"
        rc, _, err = run(capsys, "collect", "--output", str(out))
        assert rc == 0, err
        data = json.loads(out.read_text())
        (entry,) = data["OpenIDConnectProviderList"]
        assert entry["Arn"] == arn and entry["ClientIDList"] == ["sts.amazonaws.com"]
        (provider,) = load_account(out).oidc_providers
        assert provider.url == "token.actions.githubusercontent.com"
