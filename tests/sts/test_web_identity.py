"""AssumeRoleWithWebIdentity over a world (spec §1.4, §1.6, §3.4, §4.5, §4.6)."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta
from typing import Any

import pytest

from iamwarden.loaders.authz_details import account_from_details
from iamwarden.model.account import World
from iamwarden.model.oidc_provider import ProviderDirectory
from iamwarden.oidc_issuer import OidcIssuer
from iamwarden.sts import Keyring, ManualClock, SeededRandom, StsError, session_decide
from iamwarden.sts import web_identity_token as wit
from iamwarden.sts.web_identity import assume_role_with_web_identity
from iamwarden.sts.web_identity_keys import PROVIDER_CLAIMS, web_identity_keys

from .conftest import S3_ALL, A, B, doc, managed, role

GH = "token.actions.githubusercontent.com"
GH_ARN = f"arn:aws:iam::{A}:oidc-provider/{GH}"
MAIN = "repo:org/repo:ref:refs/heads/main"


def fed(provider: str, condition: dict[str, Any] | None = None,
        actions: Any = "sts:AssumeRoleWithWebIdentity") -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": actions}
    if condition:
        st["Condition"] = condition
    return st


SAFE = fed(GH_ARN, {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com", f"{GH}:sub": MAIN}})


def world_of() -> World:
    a = {
        "UserDetailList": [],
        "RoleDetailList": [
            role(A, "Deploy", doc(SAFE), doc(S3_ALL), tags={"team": "red"}),
            role(A, "AnyRepo", doc(fed(GH_ARN, {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}})), doc(S3_ALL)),
            role(A, "Tagged", doc(fed(GH_ARN, None, ["sts:AssumeRoleWithWebIdentity", "sts:TagSession",
                                                     "sts:SetSourceIdentity"])),
                 doc({"Effect": "Allow", "Action": "s3:GetObject",
                      "Resource": "arn:aws:s3:::b/${aws:PrincipalTag/project}/*"})),
            role(A, "NoTagSession", doc(fed(GH_ARN)), doc(S3_ALL)),
            role(A, "Workflow", doc(fed(GH_ARN, {"StringLike": {
                f"{GH}:job_workflow_ref": "org/repo/.github/workflows/deploy.yml@refs/heads/main"}})), doc(S3_ALL)),
            role(A, "Long", doc(fed(GH_ARN)), doc(S3_ALL), max_session=7200),
            role(A, "AwsTrust", doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                                     "Action": "sts:AssumeRoleWithWebIdentity"}), doc(S3_ALL)),
            role(A, "ProviderKey", doc(fed(GH_ARN, {"StringEquals": {"aws:FederatedProvider": GH_ARN}})),
                 doc(S3_ALL)),
        ],
        "Policies": [managed(A, "ReadOnlyS3", doc({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}))],
    }
    b = {"RoleDetailList": [role(B, "Other", doc(fed(f"arn:aws:iam::{B}:oidc-provider/{GH}")), doc(S3_ALL))]}
    return World({x.account_id: x for x in (account_from_details(a, "a"), account_from_details(b, "b"))})


WORLD = world_of()


@pytest.fixture(scope="module")
def issuer() -> OidcIssuer:
    return OidcIssuer()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock("2025-01-06T09:30:00Z")


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.generate("k1", SeededRandom(42))


def now_of(clock: ManualClock) -> int:
    return int(clock().timestamp())


def call(issuer: OidcIssuer, clock: ManualClock, keyring: Keyring, token: str, role_name: str = "Deploy",
         providers: ProviderDirectory | None = None, **params: Any):
    p = {"RoleArn": f"arn:aws:iam::{A}:role/{role_name}", "RoleSessionName": "gha", "WebIdentityToken": token}
    p.update(params)
    dirs = providers if providers is not None else ProviderDirectory([issuer.provider(A)])
    return assume_role_with_web_identity(WORLD, dirs, p, clock, keyring, SeededRandom(3))


def refused(*args: Any, **kwargs: Any) -> StsError:
    with pytest.raises(StsError) as e:
        call(*args, **kwargs)
    return e.value


def gh(issuer: OidcIssuer, clock: ManualClock, **kw: Any) -> str:
    return issuer.github_token(issued_at=now_of(clock), **kw)


# -- the trust policy decides (§1.4, §1.6) ---------------------------------------------


def test_trust_with_sub_pinned_to_main_admits_main(issuer, clock, keyring) -> None:
    r = call(issuer, clock, keyring, gh(issuer, clock))
    api = r.to_api()
    assert api["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{A}:assumed-role/Deploy/gha"
    assert api["AssumedRoleUser"]["AssumedRoleId"] == "AROADEPLOY00000000000:gha"
    assert api["SubjectFromWebIdentityToken"] == MAIN
    assert api["Provider"] == f"https://{GH}"
    assert api["Audience"] == "sts.amazonaws.com"
    assert api["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_trust_with_sub_pinned_to_main_refuses_other_branch(issuer, clock, keyring) -> None:
    e = refused(issuer, clock, keyring, gh(issuer, clock, ref="refs/heads/feature"))
    assert (e.code, e.status, e.message) == ("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity")


def test_trust_with_sub_pinned_to_main_refuses_other_repository(issuer, clock, keyring) -> None:
    assert refused(issuer, clock, keyring, gh(issuer, clock, repository="evil/repo")).code == "AccessDenied"


def test_trust_with_aud_only_admits_anyones_repository(issuer, clock, keyring) -> None:
    r = call(issuer, clock, keyring, gh(issuer, clock, repository="stranger/fork"), role_name="AnyRepo")
    assert r.session.role_arn == f"arn:aws:iam::{A}:role/AnyRepo"


def test_trust_naming_the_account_does_not_admit_web_identities(issuer, clock, keyring) -> None:
    assert refused(issuer, clock, keyring, gh(issuer, clock), role_name="AwsTrust").code == "AccessDenied"


def test_missing_role_is_access_denied(issuer, clock, keyring) -> None:
    assert refused(issuer, clock, keyring, gh(issuer, clock), role_name="Nope").code == "AccessDenied"


def test_provider_specific_claim_keys_are_in_the_context(issuer, clock, keyring) -> None:
    call(issuer, clock, keyring, gh(issuer, clock), role_name="Workflow")
    e = refused(issuer, clock, keyring, gh(issuer, clock, workflow="other"), role_name="Workflow")
    assert e.code == "AccessDenied"


def test_federated_provider_key_is_the_provider_arn(issuer, clock, keyring) -> None:
    r = call(issuer, clock, keyring, gh(issuer, clock), role_name="ProviderKey")
    assert r.session.context(clock())["aws:FederatedProvider"] == GH_ARN


def test_provider_of_another_account_is_unknown_to_the_role(issuer, clock, keyring) -> None:
    e = refused(issuer, clock, keyring, gh(issuer, clock), role_name="Other",
                RoleArn=f"arn:aws:iam::{B}:role/Other")
    assert e.code == "InvalidIdentityToken" and "No OpenIDConnect provider found" in e.message


# -- the web-identity keys (§3.4) -----------------------------------------------------


def test_web_identity_keys_aud_carries_azp_when_present() -> None:
    keys = web_identity_keys("accounts.google.com", {"aud": "a1", "azp": "z9", "sub": "s"})
    assert keys["accounts.google.com:aud"] == "z9"
    assert keys["accounts.google.com:oaud"] == "a1"
    assert keys["accounts.google.com:sub"] == "s"


def test_web_identity_keys_amr_is_multivalued() -> None:
    keys = web_identity_keys("cognito-identity.amazonaws.com",
                             {"aud": "pool", "sub": "s", "amr": "authenticated"})
    assert keys["cognito-identity.amazonaws.com:amr"] == ["authenticated"]


def test_web_identity_keys_github_claims_only_for_github() -> None:
    claims = {"aud": "x", "sub": "s", "repository": "org/repo", "job_workflow_ref": "w"}
    assert web_identity_keys(GH, claims)[f"{GH}:repository"] == "org/repo"
    assert "job_workflow_ref" in PROVIDER_CLAIMS[GH]
    assert "oidc.example.com:repository" not in web_identity_keys("oidc.example.com", claims)


def test_web_identity_keys_ignore_claims_that_are_objects() -> None:
    keys = web_identity_keys(GH, {"aud": "x", "sub": {"nested": 1}, "repository": ["a"]})
    assert f"{GH}:sub" not in keys and f"{GH}:repository" not in keys


# -- the token (§4.5, §4.6) -----------------------------------------------------------


def test_malformed_token_is_invalid_identity_token(issuer, clock, keyring) -> None:
    for bad in ("abcd", "a.b.c", "not a jwt at all", "x" * 300):
        e = refused(issuer, clock, keyring, bad)
        assert (e.code, e.status) == ("InvalidIdentityToken", 400)


def test_unsigned_token_alg_none_is_refused(issuer, clock, keyring) -> None:
    body = {"iss": issuer.issuer, "aud": "sts.amazonaws.com", "sub": MAIN, "exp": now_of(clock) + 300}
    token = jwt_none(body)
    e = refused(issuer, clock, keyring, token)
    assert e.code == "InvalidIdentityToken" and "algorithm" in e.message


def jwt_none(body: dict[str, Any]) -> str:
    def b64(d: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(body)}."


def test_hmac_algorithm_is_refused(issuer, clock, keyring) -> None:
    import jwt
    token = jwt.encode({"iss": issuer.issuer, "aud": "sts.amazonaws.com", "sub": MAIN,
                        "exp": now_of(clock) + 300}, "k" * 32, algorithm="HS256")
    assert refused(issuer, clock, keyring, token).code == "InvalidIdentityToken"


def test_token_signed_by_another_key_is_refused(issuer, clock, keyring) -> None:
    impostor = OidcIssuer()  # same issuer URL and kid, another key
    e = refused(issuer, clock, keyring, impostor.github_token(issued_at=now_of(clock)))
    assert e.code == "InvalidIdentityToken" and e.message == wit.BAD_SIGNATURE


def test_tampered_claims_fail_the_signature(issuer, clock, keyring) -> None:
    head, body, sig = gh(issuer, clock, ref="refs/heads/feature").split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["sub"] = MAIN
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert refused(issuer, clock, keyring, f"{head}.{forged}.{sig}").message == wit.BAD_SIGNATURE


def test_token_with_unknown_kid_is_refused(issuer, clock, keyring) -> None:
    token = issuer.github_token(issued_at=now_of(clock), headers={"kid": "rotated-away"})
    assert refused(issuer, clock, keyring, token).message == wit.NO_KEY


def test_es256_tokens_are_accepted() -> None:
    es = OidcIssuer(alg="ES256")
    clock = ManualClock("2025-01-06T09:30:00Z")
    r = call(es, clock, Keyring.generate("k1", SeededRandom(1)), es.github_token(issued_at=now_of(clock)))
    assert r.token.algorithm == "ES256"


def test_expired_token_is_expired_token_exception(issuer, clock, keyring) -> None:
    token = gh(issuer, clock)
    clock.advance(300)
    e = refused(issuer, clock, keyring, token)
    assert (e.code, e.status) == ("ExpiredTokenException", 400)
    assert e.message.startswith("Token expired: current date/time")


def test_token_without_exp_is_refused(issuer, clock, keyring) -> None:
    token = issuer.github_token(issued_at=now_of(clock), exp=None)
    assert refused(issuer, clock, keyring, token).code == "InvalidIdentityToken"


def test_token_not_yet_valid_beyond_the_skew_is_refused(issuer, clock, keyring) -> None:
    future = now_of(clock) + wit.CLOCK_SKEW_SECONDS + 60
    assert refused(issuer, clock, keyring, issuer.github_token(issued_at=future)).code == "InvalidIdentityToken"


def test_token_issued_within_the_skew_is_accepted(issuer, clock, keyring) -> None:
    ahead = now_of(clock) + wit.CLOCK_SKEW_SECONDS - 10
    assert call(issuer, clock, keyring, issuer.github_token(issued_at=ahead)).session is not None


def test_wrong_audience_is_refused(issuer, clock, keyring) -> None:
    token = issuer.github_token(issued_at=now_of(clock), audience="https://github.com/org")
    e = refused(issuer, clock, keyring, token)
    assert (e.code, e.message) == ("InvalidIdentityToken", "Incorrect token audience")


def test_audience_list_matches_any_client_id(issuer, clock, keyring) -> None:
    token = issuer.github_token(issued_at=now_of(clock), audience=["other", "sts.amazonaws.com"])
    assert call(issuer, clock, keyring, token).to_api()["Audience"] == "sts.amazonaws.com"


def test_unknown_issuer_is_invalid_identity_token(issuer, clock, keyring) -> None:
    other = OidcIssuer(url="https://gitlab.example.com")
    e = refused(issuer, clock, keyring, other.token(MAIN, issued_at=now_of(clock)))
    assert e.message == "No OpenIDConnect provider found in your account for https://gitlab.example.com"


def test_oversized_token_is_a_validation_error_quickly(issuer, clock, keyring) -> None:
    start = time.perf_counter()
    e = refused(issuer, clock, keyring, "a" * 20001)
    assert e.code == "ValidationError" and "webIdentityToken" in e.message and "aaaa" not in e.message
    assert time.perf_counter() - start < 0.5


# -- tags, source identity, policies, duration ------------------------------------------


def aws_tags(tags: dict[str, Any], transitive: list[str] | None = None) -> dict[str, Any]:
    return {"https://aws.amazon.com/tags": {"principal_tags": tags, "transitive_tag_keys": transitive or []}}


def test_session_tags_come_from_the_aws_tags_claim(issuer, clock, keyring) -> None:
    token = gh(issuer, clock, **aws_tags({"project": ["apollo"]}, ["project"]))
    r = call(issuer, clock, keyring, token, role_name="Tagged")
    assert [(t.key, t.value, t.transitive) for t in r.session.tags] == [("project", "apollo", True)]
    d = session_decide(WORLD, r.session, "s3:GetObject", "arn:aws:s3:::b/apollo/x", now=clock())
    assert d.allowed
    assert not session_decide(WORLD, r.session, "s3:GetObject", "arn:aws:s3:::b/zeus/x", now=clock()).allowed


def test_session_tags_need_sts_tag_session(issuer, clock, keyring) -> None:
    token = gh(issuer, clock, **aws_tags({"project": ["apollo"]}))
    assert refused(issuer, clock, keyring, token, role_name="NoTagSession").code == "AccessDenied"


def test_malformed_tags_claim_is_idp_rejected_claim(issuer, clock, keyring) -> None:
    for bad in ({"https://aws.amazon.com/tags": "x"}, aws_tags({"k": ["a", "b"]}), aws_tags({"aws:x": ["v"]}),
                aws_tags({f"k{i}": ["v"] for i in range(60)})):
        e = refused(issuer, clock, keyring, gh(issuer, clock, **bad), role_name="Tagged")
        assert (e.code, e.status) == ("IDPRejectedClaim", 403)


def test_source_identity_comes_from_its_claim_and_needs_set_source_identity(issuer, clock, keyring) -> None:
    claim = {"https://aws.amazon.com/source_identity": "octocat"}
    r = call(issuer, clock, keyring, gh(issuer, clock, **claim), role_name="Tagged")
    assert r.to_api()["SourceIdentity"] == "octocat"
    assert r.session.context(clock())["aws:SourceIdentity"] == "octocat"
    assert refused(issuer, clock, keyring, gh(issuer, clock, **claim), role_name="NoTagSession").code == "AccessDenied"


def test_session_policies_cut_the_session(issuer, clock, keyring) -> None:
    r = call(issuer, clock, keyring, gh(issuer, clock),
             PolicyArns=[{"arn": f"arn:aws:iam::{A}:policy/ReadOnlyS3"}])
    assert session_decide(WORLD, r.session, "s3:GetObject", "*", now=clock()).allowed
    assert not session_decide(WORLD, r.session, "s3:PutObject", "*", now=clock()).allowed
    assert r.to_api()["PackedPolicySize"] >= 1


def test_malformed_session_policy_is_malformed_policy_document(issuer, clock, keyring) -> None:
    e = refused(issuer, clock, keyring, gh(issuer, clock), Policy='{"Statement": 5}')
    assert e.code == "MalformedPolicyDocument"


def test_duration_over_role_max_is_validation_error(issuer, clock, keyring) -> None:
    e = refused(issuer, clock, keyring, gh(issuer, clock), DurationSeconds=3601)
    assert (e.code, e.message) == ("ValidationError",
                                   "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    r = call(issuer, clock, keyring, gh(issuer, clock), role_name="Long", DurationSeconds=7200)
    assert r.session.expires - r.session.issued == timedelta(seconds=7200)


def test_default_duration_is_one_hour(issuer, clock, keyring) -> None:
    r = call(issuer, clock, keyring, gh(issuer, clock))
    assert r.session.expires - r.session.issued == timedelta(hours=1)


def test_packed_policy_too_large(issuer, clock, keyring) -> None:
    big = {f"k{i}": ["v" * 250] for i in range(12)}
    e = refused(issuer, clock, keyring, gh(issuer, clock, **aws_tags(big)), role_name="Tagged")
    assert e.code == "PackedPolicyTooLarge"


def test_web_identity_session_is_an_assumed_role_session_evaluated_later(issuer, clock, keyring) -> None:
    r = call(issuer, clock, keyring, gh(issuer, clock))
    assert session_decide(WORLD, r.session, "s3:PutObject", "*", now=clock()).allowed
    clock.advance(3601)
    assert not session_decide(WORLD, r.session, "s3:PutObject", "*", now=clock()).allowed


def test_web_identity_session_survives_its_token(issuer, clock, keyring) -> None:
    from iamwarden.sts import open_session
    r = call(issuer, clock, keyring, gh(issuer, clock))
    back, _ = open_session(keyring, r.credentials.session_token, r.credentials.access_key_id, clock())
    assert back.federated_provider == GH_ARN and back.arn == r.session.arn
