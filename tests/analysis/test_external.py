"""Outside entry points in the escalation graph (``analysis.external``, IW019) and the trust
findings of a whole audit, on ``examples/federated-account.json`` (trusts shaped as AWS's and
the providers' guides show them: GitHub Actions, GitLab, EKS IRSA and Pod Identity, Cognito)."""

from __future__ import annotations

from pathlib import Path

from iamwarden import load_world
from iamwarden.analysis import audit
from iamwarden.loaders.authz_details import account_from_details
from iamwarden.model.account import World

ROOT = Path(__file__).resolve().parents[2]
FED = ROOT / "examples" / "federated-account.json"
DEMO = ROOT / "examples" / "demo-account.json"
A = "arn:aws:iam::123456789012"
GH = f"{A}:oidc-provider/token.actions.githubusercontent.com"


def fed() -> dict:
    return audit(load_world([str(FED)])).to_json()


def by_role(report: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in report["findings"]:
        out.setdefault(f["arn"].rsplit("/", 1)[-1], set()).add(f["id"])
    return out


def test_federated_example_findings_per_role() -> None:
    got = by_role(fed())
    assert got["GitHubDeployAdmin"] == {"IW008", "IW019"}
    assert "GitHubDeployPinned" not in got  # pinned: listed as an entry, not a finding
    assert got["GitHubOrgWildcard"] == {"IW009"}
    assert got["GitLabIfExists"] == {"IW010"}
    assert got["EksAnyServiceAccount"] == {"IW012"}
    assert got["EksPodIdentity"] == {"IW013"}
    assert got["CognitoGuest"] == {"IW015", "IW019"}
    assert got["OpsAutomation"] == {"IW016"}  # an admin role a service assumes without source condition
    assert got["AuditVendor"] == {"IW018"}
    assert got["PartnerIfExists"] == {"IW003"}
    assert got["OpsMfaIfExists"] == {"IW017"}


def test_trust_finding_names_statement_who_and_fix() -> None:
    f = next(x for x in fed()["findings"] if x["id"] == "IW008")
    assert f["severity"] == "critical"  # the role is admin
    assert f["statement"]["policy"] == "role/GitHubDeployAdmin:trust"
    assert f["statement"]["statement"] == 0 and f["statement"]["sid"] == "GitHubOidc"
    assert f["statement"]["document"]["Principal"] == {"Federated": GH}
    assert "any GitHub Actions customer" in f["who"]
    assert f["corrected"]["Condition"]["StringLike"] == {
        "token.actions.githubusercontent.com:sub": "repo:OWNER/REPO:ref:refs/heads/main"}
    assert f["outsider"] == GH


def test_outside_identity_can_become_admin() -> None:
    r = fed()
    entries = {(e["identity"], e["role"].rsplit("/", 1)[-1]): e for e in r["external_entries"]}
    open_gh = entries[(GH, "GitHubDeployAdmin")]
    assert open_gh["can_become_admin"] and open_gh["open_to_strangers"]
    assert open_gh["path"]["techniques"] == ["D15"]
    assert open_gh["stranger_request"]["token.actions.githubusercontent.com:sub"].startswith("repo:zz9stranger/")
    pinned = entries[(GH, "GitHubDeployPinned")]
    assert pinned["can_become_admin"] and not pinned["open_to_strangers"]
    assert any("repo:example-org/infra:ref:refs/heads/main" in c for c in pinned["claims"])
    vendor = entries[("arn:aws:iam::444455556666:root", "AuditVendor")]
    assert vendor["kind"] == "account" and not vendor["can_become_admin"] and vendor["path"] is None
    sev = {(f["arn"].rsplit("/", 1)[-1], f["severity"]) for f in r["findings"] if f["id"] == "IW019"}
    assert sev == {("GitHubDeployAdmin", "critical"), ("CognitoGuest", "critical")}
    # admins first in the list
    assert [e["can_become_admin"] for e in r["external_entries"]] == sorted(
        (e["can_become_admin"] for e in r["external_entries"]), reverse=True)


def _world(trust: list[dict], extra_roles: list[dict] | None = None, users: list[dict] | None = None) -> World:
    def role(name: str, tr: list[dict], policies: list[dict]) -> dict:
        return {"Path": "/", "RoleName": name, "RoleId": f"AROA{name.upper():X<16}"[:21], "Arn": f"{A}:role/{name}",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": tr},
                "RolePolicyList": policies, "AttachedManagedPolicies": [], "Tags": []}
    admin = [{"PolicyName": "All", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]
    assume = [{"PolicyName": "Up", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"{A}:role/Admin"}]}}]
    roles = [role("Entry", trust, assume),
             role("Admin", [{"Effect": "Allow", "Principal": {"AWS": f"{A}:role/Entry"},
                             "Action": "sts:AssumeRole"}], admin)]
    details = {"UserDetailList": users or [], "GroupDetailList": [], "RoleDetailList": roles + (extra_roles or []),
               "Policies": []}
    acct = account_from_details(details, "123456789012")
    return World({acct.account_id: acct})


def test_outside_identity_path_runs_through_the_escalation_graph() -> None:
    """An outsider entering a role that can assume an admin role becomes admin in two steps."""
    r = audit(_world([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999900001111:root"},
                       "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "x1"}}}])).to_json()
    [e] = [x for x in r["external_entries"] if x["role"].endswith("/Entry")]
    assert e["can_become_admin"] and [s["to"] for s in e["path"]["steps"]] == [f"{A}:role/Entry", f"{A}:role/Admin"]
    [f] = [x for x in r["findings"] if x["id"] == "IW019"]
    assert f["severity"] == "high" and "2 step(s)" in f["message"]


def test_outside_identity_without_path_is_no_finding() -> None:
    """Negative: an outside entry into a role with no way to admin is listed, not a finding
    (the demo's VendorRole, trusted by account 999988887777, holds no escalating permission)."""
    demo = audit(load_world([str(DEMO)])).to_json()
    assert [x for x in demo["findings"] if x["id"] == "IW019"] == []
    [vendor] = demo["external_entries"]
    assert vendor["identity"] == "arn:aws:iam::999988887777:root" and not vendor["can_become_admin"]


def test_known_accounts_silence_third_party_findings() -> None:
    w = load_world([str(FED)])
    known = audit(w, known_accounts=frozenset({"444455556666", "777788889999"})).to_json()
    ids = {f["id"] for f in known["findings"]}
    assert "IW018" not in ids and "IW003" not in ids
    unknown = audit(w, known_accounts=frozenset()).to_json()
    assert any("neither loaded nor listed as known" in f["message"] for f in unknown["findings"] if f["id"] == "IW003")


def test_public_trust_entry_is_open_only_when_its_conditions_let_a_stranger_in() -> None:
    """``"*"`` with aws:PrincipalOrgID keeps strangers out (the engine decides); without it, anyone."""
    org = audit(_world([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-mine"}}}])).to_json()
    [e] = [x for x in org["external_entries"] if x["role"].endswith("/Entry")]
    assert e["kind"] == "public" and e["can_become_admin"] and not e["open_to_strangers"]
    [f] = [x for x in org["findings"] if x["id"] == "IW019"]
    assert f["severity"] == "high" and "aws:PrincipalOrgID" in f["who"]
    anyone = audit(_world([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}])).to_json()
    [e] = [x for x in anyone["external_entries"] if x["role"].endswith("/Entry")]
    assert e["open_to_strangers"]
    [f] = [x for x in anyone["findings"] if x["id"] == "IW019"]
    assert f["severity"] == "critical" and f["who"] == 'anyone (Principal "*")'
