"""Trust findings that name the leak (``analysis.trust_checks``, IW003, IW008–IW018).

Each family has a positive test (the finding appears, with the statement, who gets
in and a corrected statement that itself passes) and a negative one (the shape AWS
or the provider documents as safe gets none). Shapes come from:

- GitHub, "Configuring OpenID Connect in Amazon Web Services" and AWS's "Create a
  role for OIDC federation" (aud ``sts.amazonaws.com``, sub ``repo:OWNER/REPO:…``);
- AWS EKS user guide, "IAM roles for service accounts" (``…:sub``
  ``system:serviceaccount:NS:SA`` and ``…:aud`` ``sts.amazonaws.com``) and
  "Create IAM role with trust policy required by EKS Pod Identity"
  (``pods.eks.amazonaws.com``, ``sts:AssumeRole`` + ``sts:TagSession``, conditions on
  ``aws:RequestTag/kubernetes-namespace`` …);
- Amazon Cognito developer guide, "Role trust and permissions" (``cognito-identity.amazonaws.com:aud``
  the pool id, ``ForAnyValue:StringLike`` ``…:amr`` ``unauthenticated``/``authenticated``);
- IAM user guide, "The confused deputy problem" (``aws:SourceAccount``/``aws:SourceArn``) and
  "Access to AWS accounts owned by third parties" (``sts:ExternalId``).
"""

from __future__ import annotations

from typing import Any

from iamwarden.analysis.trust_checks import TrustContext, TrustIssue, binds_nothing, check_trust, holds
from iamwarden.policy.document import PolicyKind, parse_policy

A = "123456789012"
GH = f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"
GH_AUD = "token.actions.githubusercontent.com:aud"
GH_SUB = "token.actions.githubusercontent.com:sub"
EKS_HOST = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
EKS = f"arn:aws:iam::{A}:oidc-provider/{EKS_HOST}"
ROLE = f"arn:aws:iam::{A}:role/Deploy"


def web(principal: str, cond: dict[str, Any] | None = None, sid: str | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": {"Federated": principal},
                          "Action": "sts:AssumeRoleWithWebIdentity"}
    if sid:
        st["Sid"] = sid
    if cond:
        st["Condition"] = cond
    return st


def check(*statements: dict[str, Any], powerful: bool = False, known: frozenset[str] | None = None,
          loaded: frozenset[str] = frozenset({A})) -> list[TrustIssue]:
    doc = {"Version": "2012-10-17", "Statement": list(statements)}
    return check_trust(parse_policy(doc, PolicyKind.TRUST), TrustContext(ROLE, powerful, loaded, known))


def ids(issues: list[TrustIssue]) -> list[str]:
    return [i.id for i in issues]


def one(issues: list[TrustIssue], rid: str, what: object = "") -> TrustIssue:
    found = [i for i in issues if i.id == rid]
    assert len(found) == 1, (what, issues)
    return found[0]


def corrected_is_clean(issue: TrustIssue, powerful: bool = False) -> None:
    """The fix must fix: the corrected statement no longer raises the same finding."""
    assert issue.corrected is not None
    again = check(dict(issue.corrected), powerful=powerful)
    assert issue.id not in ids(again), again


# --- CI OIDC ---------------------------------------------------------------------------------------

def test_ci_oidc_trust_without_sub() -> None:
    """GitHub's aud-only trust (the common mistake): anyone's repository gets in."""
    [i] = [x for x in check(web(GH, {"StringEquals": {GH_AUD: "sts.amazonaws.com"}}, sid="Gh"), powerful=True)
           if x.id == "IW008"]
    assert i.severity == "critical" and i.index == 0 and i.sid == "Gh"
    assert "any pipeline of any GitHub Actions customer" in str(i.who)
    assert i.claims[GH_SUB].startswith("repo:zz9stranger/")
    assert i.path == "$.Statement[0].Condition"
    corrected_is_clean(i, powerful=True)


def test_ci_oidc_trust_without_sub_severity_when_not_powerful() -> None:
    [i] = [x for x in check(web(GH, {"StringEquals": {GH_AUD: "sts.amazonaws.com"}})) if x.id == "IW008"]
    assert i.severity == "high"


def test_ci_oidc_trust_pinned_repo_has_no_finding() -> None:
    """The trust of GitHub's and AWS's guides: aud pinned, sub a repository's branch."""
    assert check(web(GH, {"StringEquals": {GH_AUD: "sts.amazonaws.com"},
                          "StringLike": {GH_SUB: "repo:octo-org/octo-repo:ref:refs/heads/main"}})) == []
    assert check(web(GH, {"StringEquals": {GH_AUD: "sts.amazonaws.com"},
                          "StringLike": {GH_SUB: "repo:octo-org/octo-repo:*"}})) == []


def test_ci_oidc_sub_wildcard_owner() -> None:
    for pattern in ("repo:octo-org*", "repo:*", "repo:*/infra:*", "repo:octo-?rg/infra:*"):
        found = check(web(GH, {"StringEquals": {GH_AUD: "sts.amazonaws.com"}, "StringLike": {GH_SUB: pattern}}))
        i = one(found, "IW009", pattern)
        assert pattern in str(i.who)
        corrected_is_clean(i)


def test_ci_oidc_sub_wildcard_owner_not_for_wildcard_after_owner() -> None:
    """``repo:octo-org/*`` is every repository of one owner: wide, but not a stranger."""
    found = check(web(GH, {"StringEquals": {GH_AUD: "sts.amazonaws.com"},
                           "StringLike": {GH_SUB: "repo:octo-org/*"}}))
    assert "IW009" not in ids(found) and "IW008" not in ids(found)


def test_oidc_sub_binds_nothing() -> None:
    """``…IfExists`` and ``ForAllValues:`` hold when sub is absent (spec §2.5, §2.7); the engine says so."""
    for op in ("StringLikeIfExists", "ForAllValues:StringLike"):
        found = check(web(GH, {"StringEquals": {GH_AUD: "sts.amazonaws.com"},
                               op: {GH_SUB: "repo:octo-org/octo-repo:*"}}))
        i = one(found, "IW010", op)
        assert i.severity == "medium"  # a present sub is still tested
        assert i.path.endswith(f".{op}.{GH_SUB}")
        corrected_is_clean(i)


def test_oidc_sub_binds_nothing_negated_lets_strangers_in() -> None:
    found = check(web(GH, {"StringEquals": {GH_AUD: "sts.amazonaws.com"},
                           "StringNotLike": {GH_SUB: "repo:evil/*"}}), powerful=True)
    [i] = [x for x in found if x.id == "IW010"]
    assert i.severity == "critical" and "zz9stranger" in str(i.message)


def test_oidc_sub_binds_nothing_not_for_plain_operators() -> None:
    found = check(web(GH, {"StringEquals": {GH_AUD: "sts.amazonaws.com"},
                           "StringLike": {GH_SUB: "repo:octo-org/octo-repo:*"}}))
    assert "IW010" not in ids(found)


def test_ci_oidc_trust_without_aud() -> None:
    found = check(web(GH, {"StringLike": {GH_SUB: "repo:octo-org/octo-repo:*"}}))
    assert ids(found) == ["IW011"] and found[0].severity == "low"
    corrected_is_clean(found[0])


def test_ci_oidc_other_providers() -> None:
    """GitLab, Terraform Cloud, Buildkite (shared issuers) and CircleCI, Bitbucket (per tenant)."""
    cases = {
        f"arn:aws:iam::{A}:oidc-provider/gitlab.com": ("gitlab.com", "project_path:mygroup/myproject:*", "high"),
        f"arn:aws:iam::{A}:oidc-provider/app.terraform.io":
            ("app.terraform.io", "organization:my-org:project:*", "high"),
        f"arn:aws:iam::{A}:oidc-provider/agent.buildkite.com":
            ("agent.buildkite.com", "organization:my-org:pipeline:deploy:*", "high"),
        f"arn:aws:iam::{A}:oidc-provider/oidc.circleci.com/org/3f2b1c9e":
            ("oidc.circleci.com/org/3f2b1c9e", "org/3f2b1c9e/project/7a1d/user/*", "medium"),
        f"arn:aws:iam::{A}:oidc-provider/api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc":
            ("api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", "{repo-uuid}:*", "medium"),
    }
    for provider, (host, pinned, sev) in cases.items():
        aud = {"StringEquals": {f"{host}:aud": "x"}}
        i = one(check(web(provider, aud)), "IW008", host)
        assert i.severity == sev, host
        safe = check(web(provider, {**aud, "StringLike": {f"{host}:sub": pinned}}))
        assert safe == [], (host, safe)


def test_ci_oidc_unknown_provider_has_no_ci_finding() -> None:
    assert check(web(f"arn:aws:iam::{A}:oidc-provider/login.example.com",
                     {"StringEquals": {"login.example.com:aud": "app"}})) == []


# --- EKS ------------------------------------------------------------------------------------------

def test_eks_irsa_any_service_account() -> None:
    [i] = check(web(EKS, {"StringEquals": {f"{EKS_HOST}:aud": "sts.amazonaws.com"}}))
    assert i.id == "IW012" and i.severity == "medium"
    assert "any service account" in str(i.who)
    corrected_is_clean(i)
    [j] = check(web(EKS, {"StringLike": {f"{EKS_HOST}:sub": "system:serviceaccount:*:deploy"}}), powerful=True)
    assert j.id == "IW012" and j.severity == "high"
    assert j.corrected is not None and "StringLike" not in j.corrected["Condition"]  # the loose pattern goes
    corrected_is_clean(j, powerful=True)


def test_eks_irsa_pinned_service_account_has_no_finding() -> None:
    """AWS's IRSA trust: sub and aud both pinned with StringEquals."""
    assert check(web(EKS, {"StringEquals": {f"{EKS_HOST}:sub": "system:serviceaccount:default:my-sa",
                                            f"{EKS_HOST}:aud": "sts.amazonaws.com"}})) == []


POD = {"Sid": "AllowEksAuthToAssumeRoleForPodIdentity", "Effect": "Allow",
       "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}


def test_eks_pod_identity_without_session_tags() -> None:
    [i] = check(POD)
    assert i.id == "IW013" and i.sid == "AllowEksAuthToAssumeRoleForPodIdentity"
    corrected_is_clean(i)


def test_eks_pod_identity_with_session_tags_has_no_finding() -> None:
    """The conditioned trust of AWS's Pod Identity role page."""
    assert check({**POD, "Condition": {"StringEquals": {
        "aws:RequestTag/kubernetes-namespace": ["payments"],
        "aws:RequestTag/kubernetes-service-account": ["api"]}}}) == []


# --- Cognito ----------------------------------------------------------------------------------------

COG = "cognito-identity.amazonaws.com"
POOL = "us-east-1:12345678-corner-cafe-123456790ab"


def test_cognito_trust_without_aud() -> None:
    [i] = check(web(COG, {"ForAnyValue:StringLike": {f"{COG}:amr": "authenticated"}}), powerful=True)
    assert i.id == "IW014" and i.severity == "critical"
    corrected_is_clean(i)


def test_cognito_trust_with_aud_has_no_finding() -> None:
    assert check(web(COG, {"StringEquals": {f"{COG}:aud": POOL},
                           "ForAnyValue:StringLike": {f"{COG}:amr": "authenticated"}}), powerful=True) == []


def test_cognito_unauthenticated_to_powerful_role() -> None:
    """AWS's own unauthenticated-role example, on a role that is admin."""
    st = web(COG, {"StringEquals": {f"{COG}:aud": POOL},
                   "ForAnyValue:StringLike": {f"{COG}:amr": "unauthenticated"}})
    [i] = check(st, powerful=True)
    assert i.id == "IW015" and i.severity == "critical"
    corrected_is_clean(i, powerful=True)
    assert check(st, powerful=False) == []  # a guest role with least privilege is what AWS intends


# --- service principals ----------------------------------------------------------------------------

def svc(service: str, cond: dict[str, Any] | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if cond:
        st["Condition"] = cond
    return st


def lone(*statements: dict[str, Any]) -> list[TrustIssue]:
    """A trust document on its own (``validate --type trust``): nothing known about the role."""
    doc = {"Version": "2012-10-17", "Statement": list(statements)}
    return check_trust(parse_policy(doc, PolicyKind.TRUST), TrustContext())


def test_service_trust_without_source() -> None:
    [i] = check(svc("ssm.amazonaws.com"), powerful=True)
    assert i.id == "IW016" and i.severity == "high"
    corrected_is_clean(i, powerful=True)
    [j] = lone(svc("config.amazonaws.com"))
    assert j.id == "IW016" and j.severity == "low"
    assert check(svc("config.amazonaws.com")) == []  # audit: a role that is not powerful is left out
    # IfExists binds nothing when the service sends no source key: named as such (IW017)
    [j] = check(svc("sns.amazonaws.com", {"StringEqualsIfExists": {"aws:SourceAccount": A}}), powerful=True)
    assert j.id == "IW017" and j.severity == "high" and "aws:SourceAccount" in str(j.message)


def test_service_trust_with_source_has_no_finding() -> None:
    assert check(svc("config.amazonaws.com", {"StringEquals": {"aws:SourceAccount": A}}), powerful=True) == []
    assert lone(svc("config.amazonaws.com", {"ArnLike": {"aws:SourceArn": f"arn:aws:config:*:{A}:*"}})) == []
    assert check(svc("ec2.amazonaws.com"), powerful=True) == []  # PassRole-guarded compute (module constant)


# --- conditions that bind nothing --------------------------------------------------------------------

def acct(principal: str, cond: dict[str, Any] | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if cond:
        st["Condition"] = cond
    return st


def test_condition_binds_nothing() -> None:
    for cond in ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
                 {"StringNotEquals": {"aws:PrincipalOrgID": "o-other"}},
                 {"ForAllValues:StringEquals": {"aws:PrincipalOrgPaths": "o-a/r-b/"}}):
        i = one(check(acct(f"arn:aws:iam::{A}:root", cond)), "IW017", cond)
        corrected_is_clean(i)


def test_condition_binds_nothing_not_for_binding_conditions() -> None:
    assert check(acct(f"arn:aws:iam::{A}:root", {"Bool": {"aws:MultiFactorAuthPresent": "true"}})) == []
    assert check(acct(f"arn:aws:iam::{A}:root", {"StringEquals": {"aws:PrincipalOrgID": "o-mine"}})) == []


def test_binds_nothing_is_decided_by_the_engine() -> None:
    doc = {"Version": "2012-10-17", "Statement": [acct("*", {
        "StringEqualsIfExists": {"sts:ExternalId": "x"}, "StringEquals": {"sts:ExternalId": "x"},
        "ForAnyValue:StringEquals": {"aws:PrincipalOrgPaths": "o-a/"}, "Null": {"sts:ExternalId": "true"}})]}
    conds = {c.operator.text: c for c in parse_policy(doc, PolicyKind.TRUST).statements[0].conditions}
    assert binds_nothing(conds["StringEqualsIfExists"])
    assert not binds_nothing(conds["StringEquals"])
    assert not binds_nothing(conds["ForAnyValue:StringEquals"])
    assert binds_nothing(conds["Null"])
    assert holds([conds["StringEquals"]], {"sts:ExternalId": "x"})


# --- accounts --------------------------------------------------------------------------------------

VENDOR = "444455556666"


def test_third_party_trust_without_external_id() -> None:
    [i] = check(acct(f"arn:aws:iam::{VENDOR}:root"))
    assert i.id == "IW003" and "not among the loaded accounts" in str(i.message)
    corrected_is_clean(i)
    [j] = check(acct(VENDOR, {"StringEqualsIfExists": {"sts:ExternalId": "s3cr3t"}}))
    assert j.id == "IW003" and "holds when the key is absent" in str(j.message)


def test_unknown_account_trust_with_external_id() -> None:
    st = acct(f"arn:aws:iam::{VENDOR}:root", {"StringEquals": {"sts:ExternalId": "s3cr3t"}})
    [i] = check(st)
    assert i.id == "IW018" and i.severity == "low"
    [j] = check(st, powerful=True, known=frozenset())
    assert j.id == "IW018" and j.severity == "medium" and "neither loaded nor listed as known" in str(j.message)


def test_known_account_trust_has_no_finding() -> None:
    assert check(acct(f"arn:aws:iam::{VENDOR}:root"), known=frozenset({VENDOR})) == []
    assert check(acct(f"arn:aws:iam::{A}:root")) == []  # loaded


def test_deny_statements_and_other_actions_are_not_read() -> None:
    deny = {**web(GH), "Effect": "Deny"}
    assert check(deny) == []
    assert check({**acct(f"arn:aws:iam::{VENDOR}:root"), "Action": "sts:TagSession"}) == []


# --- built-in web identity providers -------------------------------------------------------------

def test_builtin_idp_trust_without_app() -> None:
    """AWS's web-identity examples pin ``accounts.google.com:aud`` / ``graph.facebook.com:app_id`` /
    ``www.amazon.com:app_id`` (IAM user guide, "Create a role for web identity federation")."""
    for provider, cond in (("accounts.google.com", None),
                           ("graph.facebook.com", {"StringNotLike": {"graph.facebook.com:app_id": "test-*"}}),
                           ("www.amazon.com", None)):
        i = one(check(web(provider, cond), powerful=True), "IW020", provider)
        assert i.severity == "critical" and provider in str(i.who)
        corrected_is_clean(i, powerful=True)


def test_builtin_idp_trust_with_app_has_no_finding() -> None:
    assert check(web("accounts.google.com", {"StringEquals": {"accounts.google.com:aud": "66677788.apps"}})) == []
    assert check(web("graph.facebook.com", {"StringEquals": {"graph.facebook.com:app_id": "1234"}})) == []


def test_stranger_probes_are_bounded() -> None:
    """A hostile trust with thousands of owner wildcards costs at most MAX_PROBES evaluations."""
    import time

    from iamwarden.analysis.oidc_providers import GITHUB, MAX_PROBES, stranger_probes

    patterns = tuple(f"repo:org{i}*" for i in range(5000))
    assert len(stranger_probes(GITHUB, patterns)) == MAX_PROBES
    t0 = time.perf_counter()
    found = check(web(GH, {"StringEquals": {GH_AUD: "sts.amazonaws.com"}, "StringLike": {GH_SUB: list(patterns)}}))
    assert time.perf_counter() - t0 < 5
    assert "IW009" in ids(found)
