"""AssumeRoleWithSAML in the library: signature, wrapping, claims, trust (spec §1.4, §1.6, §3.4, §4.5, §4.6)."""

from __future__ import annotations

import base64
import copy
import hashlib
import time
from datetime import timedelta
from typing import Any

import pytest
from lxml import etree

from iamwarden.loaders.authz_details import account_from_details
from iamwarden.model.account import World
from iamwarden.sts import Keyring, ManualClock, SeededRandom, StsError, session_decide
from iamwarden.sts import saml as saml_mod
from iamwarden.sts.saml import assume_role_with_saml, name_qualifier
from iamwarden.sts.saml_metadata import SamlMetadataError, read_metadata, saml_provider
from iamwarden.sts.saml_xml import NS_ASSERTION, NS_PROTOCOL
from iamwarden.testing_saml import SamlIdentityProvider

from .conftest import doc, role

A = "111122223333"
ROLE = f"arn:aws:iam::{A}:role/SamlDev"
TAGGED = f"arn:aws:iam::{A}:role/SamlTagged"
NOSAML = f"arn:aws:iam::{A}:role/NotFederated"
S3_READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def fed_trust(provider: str, actions: Any = "sts:AssumeRoleWithSAML", condition: dict | None = None) -> dict:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": actions}
    if condition:
        st["Condition"] = condition
    return st


@pytest.fixture(scope="module")
def idp() -> SamlIdentityProvider:
    return SamlIdentityProvider(entity_id="https://idp.example.com/saml", name="Corp", account=A)


@pytest.fixture(scope="module")
def stranger() -> SamlIdentityProvider:
    """Another IdP claiming the same entity id, with its own key."""
    return SamlIdentityProvider(entity_id="https://idp.example.com/saml", name="Corp", account=A)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock("2026-12-02T12:00:00Z")


def make_world(idp: SamlIdentityProvider, trust_condition: dict | None = None) -> World:
    p = idp.provider_arn
    details = {
        "UserDetailList": [], "GroupDetailList": [], "Policies": [],
        "RoleDetailList": [
            role(A, "SamlDev", doc(fed_trust(p, condition=trust_condition)), doc(S3_READ), max_session=7200),
            role(A, "SamlTagged", doc(fed_trust(p, ["sts:AssumeRoleWithSAML", "sts:TagSession",
                                                    "sts:SetSourceIdentity"])), doc(S3_READ)),
            role(A, "NotFederated", doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                                         "Action": "sts:AssumeRole"})),
        ],
    }
    account = account_from_details(details, "test")
    provider = saml_provider(p, idp.metadata_xml())
    account = type(account)(account.account_id, account.users, account.groups, account.roles, account.policies,
                            account.source, saml_providers={p: provider})
    return World({A: account})


@pytest.fixture
def world(idp: SamlIdentityProvider) -> World:
    return make_world(idp)


def call(world: World, clock: ManualClock, assertion: str, role_arn: str = ROLE, principal: str | None = None,
         **extra: Any):
    params = {"RoleArn": role_arn, "PrincipalArn": principal or f"arn:aws:iam::{A}:saml-provider/Corp",
              "SAMLAssertion": assertion, **extra}
    return assume_role_with_saml(world, params, clock, Keyring.generate("k1"), rnd=SeededRandom(1))


def refused(code: str, fn, *args, **kwargs) -> StsError:
    with pytest.raises(StsError) as e:
        fn(*args, **kwargs)
    assert e.value.code == code, e.value
    return e.value


def b64(xml: bytes) -> str:
    return base64.b64encode(xml).decode()


# -- the happy path ------------------------------------------------------------------


def test_assume_role_with_saml_issues_a_role_session(world, idp, clock):
    out = call(world, clock, idp.response(ROLE, "alice", now=clock()))
    api = out.to_api()
    assert api["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{A}:assumed-role/SamlDev/alice"
    assert api["AssumedRoleUser"]["AssumedRoleId"].endswith(":alice")
    assert api["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert api["Subject"] == "alice@example.com"
    assert api["SubjectType"] == "persistent"
    assert api["Issuer"] == "https://idp.example.com/saml"
    assert api["Audience"] == "https://signin.aws.amazon.com/saml"
    assert "PackedPolicySize" not in api and "SourceIdentity" not in api
    assert out.session.expires - out.session.issued == timedelta(hours=1)


def test_name_qualifier_is_base64_sha1_of_issuer_account_and_provider_name(world, idp, clock):
    """BASE64(SHA1("https://example.com/saml" + "123456789012" + "/MySAMLIdP")) per the API reference."""
    out = call(world, clock, idp.response(ROLE, now=clock()))
    expected = base64.b64encode(hashlib.sha1(f"https://idp.example.com/saml{A}/Corp".encode()).digest()).decode()
    assert out.to_api()["NameQualifier"] == expected
    doc_example = saml_mod.SamlProvider("arn:aws:iam::123456789012:saml-provider/MySAMLIdP", "", "", ())
    assert name_qualifier("https://example.com/saml", doc_example) == base64.b64encode(
        hashlib.sha1(b"https://example.com/saml123456789012/MySAMLIdP").digest()).decode()


@pytest.mark.parametrize("sign", ["assertion", "response", "both"])
def test_signature_on_response_or_assertion_is_accepted(world, idp, clock, sign):
    out = call(world, clock, idp.response(ROLE, now=clock(), sign=sign))
    assert out.assertion.signed == ("Assertion" if sign == "assertion" else "Response")


def test_ec_signed_response_is_accepted(clock):
    ec_idp = SamlIdentityProvider(name="Corp", account=A, key_type="ec")
    out = call(make_world(ec_idp), clock, ec_idp.response(ROLE, now=clock()))
    assert out.session.session_name == "alice"


def test_session_is_evaluated_later_as_the_role(world, idp, clock):
    out = call(world, clock, idp.response(ROLE, now=clock()))
    assert session_decide(world, out.session, "s3:GetObject", "arn:aws:s3:::b/k", now=clock()).allowed
    assert not session_decide(world, out.session, "s3:PutObject", "arn:aws:s3:::b/k", now=clock()).allowed


def test_session_policy_limits_the_session(world, idp, clock):
    policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}'
    out = call(world, clock, idp.response(ROLE, now=clock()), Policy=policy)
    assert out.to_api()["PackedPolicySize"] >= 1
    assert not session_decide(world, out.session, "s3:GetObject", "arn:aws:s3:::b/k", now=clock()).allowed


def test_malformed_session_policy_is_malformed_policy_document(world, idp, clock):
    refused("MalformedPolicyDocument", call, world, clock, idp.response(ROLE, now=clock()), Policy='{"Version": 1}')


# -- signatures -------------------------------------------------------------------------


def test_unsigned_response_is_invalid_identity_token(world, idp, clock):
    e = refused("InvalidIdentityToken", call, world, clock, idp.response(ROLE, now=clock(), sign=None))
    assert "Response signature invalid" in e.message


def test_response_signed_by_another_key_is_refused(world, stranger, clock):
    e = refused("InvalidIdentityToken", call, world, clock, stranger.response(ROLE, now=clock()))
    assert "Response signature invalid" in e.message


@pytest.mark.parametrize("sign", ["assertion", "response"])
def test_changed_signed_content_breaks_the_signature(world, idp, clock, sign):
    xml = idp.response_xml(ROLE, "alice", now=clock(), sign=sign)
    forged = xml.replace(b"alice@example.com", b"admin@example.com")
    assert forged != xml
    refused("InvalidIdentityToken", call, world, clock, b64(forged))


def test_provider_with_other_certificate_refuses(idp, stranger, clock):
    world = make_world(stranger)  # registered metadata holds the stranger's certificate
    refused("InvalidIdentityToken", call, world, clock, idp.response(ROLE, now=clock()))


# -- XML signature wrapping ---------------------------------------------------------------


def _tree(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def _evil_copy(assertion: etree._Element, new_id: str | None = "_evil") -> etree._Element:
    evil = copy.deepcopy(assertion)
    for sig in evil.findall("{http://www.w3.org/2000/09/xmldsig#}Signature"):
        evil.remove(sig)
    if new_id:
        evil.set("ID", new_id)
    nid = evil.find(f"{{{NS_ASSERTION}}}Subject/{{{NS_ASSERTION}}}NameID")
    nid.text = "mallory@evil.example"
    return evil


def test_wrapping_evil_assertion_beside_the_signed_one_is_refused(world, idp, clock):
    """XSW shape 1: a second, unsigned assertion placed before the signed one."""
    root = _tree(idp.response_xml(ROLE, now=clock(), sign="assertion"))
    signed = root.find(f"{{{NS_ASSERTION}}}Assertion")
    root.insert(list(root).index(signed), _evil_copy(signed))
    e = refused("InvalidIdentityToken", call, world, clock, b64(etree.tostring(root)))
    assert "exactly one Assertion" in e.message


def test_wrapping_signed_assertion_hidden_in_extensions_is_refused(world, idp, clock):
    """XSW shape 2: the signed assertion moved into samlp:Extensions, an evil one in its place."""
    root = _tree(idp.response_xml(ROLE, now=clock(), sign="assertion"))
    signed = root.find(f"{{{NS_ASSERTION}}}Assertion")
    root.remove(signed)
    ext = etree.Element(f"{{{NS_PROTOCOL}}}Extensions")
    ext.append(signed)
    root.insert(1, ext)
    root.append(_evil_copy(signed, new_id=None))  # same ID as the signed one
    refused("InvalidIdentityToken", call, world, clock, b64(etree.tostring(root)))


def test_wrapping_signed_response_with_evil_assertion_in_signature_object_is_refused(world, idp, clock):
    """XSW shape 3: the response is signed; an evil assertion is hidden in a ds:Object of the signature."""
    root = _tree(idp.response_xml(ROLE, now=clock(), sign="response"))
    sig = root.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
    obj = etree.SubElement(sig, "{http://www.w3.org/2000/09/xmldsig#}Object")
    obj.append(_evil_copy(root.find(f"{{{NS_ASSERTION}}}Assertion")))
    refused("InvalidIdentityToken", call, world, clock, b64(etree.tostring(root)))


def test_wrapping_defence_reads_only_what_signxml_returns_as_signed(world, idp, clock, monkeypatch):
    """With the structural check switched off, signxml still hands back the *signed* assertion."""
    from iamwarden.sts import saml_assertion

    root = _tree(idp.response_xml(ROLE, now=clock(), sign="assertion"))
    signed = root.find(f"{{{NS_ASSERTION}}}Assertion")
    evil = _evil_copy(signed)
    root.insert(list(root).index(signed), evil)
    monkeypatch.setattr(saml_assertion, "_check_structure", signed_in)
    out = call(world, clock, b64(etree.tostring(root)))
    assert out.assertion.subject == "alice@example.com"  # never mallory


def signed_in(root: etree._Element) -> etree._Element:
    return [a for a in root.iter(f"{{{NS_ASSERTION}}}Assertion") if a.get("ID") != "_evil"][0]


def test_assertion_not_child_of_response_is_refused(world, idp, clock):
    root = _tree(idp.response_xml(ROLE, now=clock(), sign="assertion"))
    signed = root.find(f"{{{NS_ASSERTION}}}Assertion")
    root.remove(signed)
    ext = etree.SubElement(root, f"{{{NS_PROTOCOL}}}Extensions")
    ext.append(signed)
    e = refused("InvalidIdentityToken", call, world, clock, b64(etree.tostring(root)))
    assert "child of the Response" in e.message


# -- hostile XML ----------------------------------------------------------------------------


def test_entity_expansion_bomb_is_refused_quickly(world, clock):
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i else b"&lol;") * 10) for i in range(1, 10)
    ) + b']><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol9;</samlp:Response>'
    start = time.monotonic()
    e = refused("InvalidIdentityToken", call, world, clock, b64(bomb))
    assert time.monotonic() - start < 1.0
    assert "DOCTYPE" in e.message


def test_external_entity_is_refused(world, clock):
    xxe = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>')
    refused("InvalidIdentityToken", call, world, clock, b64(xxe))


def test_deep_nesting_is_bounded(world, clock):
    deep = b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">' + b"<a>" * 5000 + b"</a>" * 5000 \
        + b"</samlp:Response>"
    start = time.monotonic()
    refused("InvalidIdentityToken", call, world, clock, b64(deep))
    assert time.monotonic() - start < 1.0


def test_malformed_xml_names_the_position(world, clock):
    e = refused("InvalidIdentityToken", call, world, clock, b64(b"<samlp:Response xmlns:samlp='x'><oops></samlp:Response>"))
    assert "line 1" in e.message


def test_not_base64_is_invalid_identity_token(world, clock):
    refused("InvalidIdentityToken", call, world, clock, "!!!! not base64 ####")


def test_oversized_assertion_is_a_validation_error(world, clock):
    e = refused("ValidationError", call, world, clock, "A" * 100_001)
    assert "sAMLAssertion" in e.message and "100000" in e.message


def test_wrong_document_element_is_refused(world, clock):
    refused("InvalidIdentityToken", call, world, clock, b64(b"<hello/>"))


def test_encrypted_assertion_is_refused(world, clock):
    xml = (b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
           b'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:EncryptedAssertion/></samlp:Response>')
    e = refused("InvalidIdentityToken", call, world, clock, b64(xml))
    assert "encrypted" in e.message


# -- claims ---------------------------------------------------------------------------------


def test_expired_assertion_is_expired_token_exception(world, idp, clock):
    saml = idp.response(ROLE, now=clock() - timedelta(hours=1))
    refused("ExpiredTokenException", call, world, clock, saml)


def test_clock_skew_is_tolerated(world, idp, clock):
    # expired 2 minutes ago: within the 5-minute skew
    saml = idp.response(ROLE, now=clock() - timedelta(minutes=7), lifetime=timedelta(minutes=5))
    assert call(world, clock, saml).session.session_name == "alice"
    saml = idp.response(ROLE, now=clock() - timedelta(minutes=11), lifetime=timedelta(minutes=5))
    refused("ExpiredTokenException", call, world, clock, saml)


def test_not_yet_valid_assertion_is_refused(world, idp, clock):
    saml = idp.response(ROLE, now=clock(), not_before=clock() + timedelta(minutes=10))
    e = refused("InvalidIdentityToken", call, world, clock, saml)
    assert "not yet valid" in e.message


def test_audience_must_be_aws(world, idp, clock):
    e = refused("InvalidIdentityToken", call, world, clock,
                idp.response(ROLE, now=clock(), audience="https://other.example.com"))
    assert "audience" in e.message
    assert call(world, clock, idp.response(ROLE, now=clock(), audience="https://signin.aws.amazon.com/saml"))


def test_recipient_must_be_aws_signin(world, idp, clock):
    e = refused("InvalidIdentityToken", call, world, clock,
                idp.response(ROLE, now=clock(), recipient="https://evil.example.com/saml"))
    assert "Recipient" in e.message


def test_destination_must_be_aws_signin(world, idp, clock):
    refused("InvalidIdentityToken", call, world, clock,
            idp.response(ROLE, now=clock(), destination="https://evil.example.com/acs"))


def test_regional_signin_endpoint_is_accepted(world, idp, clock):
    r = "https://eu-west-1.signin.aws.amazon.com/saml"
    out = call(world, clock, idp.response(ROLE, now=clock(), recipient=r, destination=r))
    assert out.to_api()["Audience"] == r


def test_issuer_must_be_the_provider_entity(world, idp, clock):
    # the issuer is inside the signed assertion: a genuine signature over another issuer
    e = refused("InvalidIdentityToken", call, world, clock,
                idp.response(ROLE, now=clock(), issuer="https://other-idp.example.com"))
    assert "Issuer" in e.message


def test_status_other_than_success_is_idp_rejected_claim(world, idp, clock):
    saml = idp.response(ROLE, now=clock(), status="urn:oasis:names:tc:SAML:2.0:status:Requester")
    e = refused("IDPRejectedClaim", call, world, clock, saml)
    assert e.status == 403


def test_unknown_provider_is_refused(world, idp, clock):
    e = refused("InvalidIdentityToken", call, world, clock, idp.response(ROLE, now=clock()),
                principal=f"arn:aws:iam::{A}:saml-provider/Nope")
    assert e.message == "Specified provider doesn't exist"


def test_role_attribute_must_pair_the_role_with_this_provider(world, idp, clock):
    other = f"arn:aws:iam::{A}:saml-provider/Other"
    e = refused("AccessDenied", call, world, clock,
                idp.response(now=clock(), role_values=[f"{ROLE},{other}"]))
    assert e.message == "Not authorized to perform sts:AssumeRoleWithSAML"
    refused("AccessDenied", call, world, clock, idp.response(TAGGED, now=clock()))  # another role only
    refused("AccessDenied", call, world, clock, idp.response(None, now=clock()))  # no Role attribute


def test_role_attribute_pair_in_either_order(world, idp, clock):
    saml = idp.response(now=clock(), role_values=[f"{idp.provider_arn},{ROLE}"])
    assert call(world, clock, saml).session.role_arn == ROLE


def test_role_session_name_is_required(world, idp, clock):
    e = refused("InvalidIdentityToken", call, world, clock, idp.response(ROLE, None, now=clock()))
    assert e.message == "RoleSessionName is required in AuthnResponse"


def test_role_session_name_must_match_pattern(world, idp, clock):
    e = refused("InvalidIdentityToken", call, world, clock, idp.response(ROLE, "alice smith", now=clock()))
    assert e.message == "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"


def test_trust_policy_must_name_the_provider(world, idp, clock):
    refused("AccessDenied", call, world, clock, idp.response(NOSAML, now=clock()), role_arn=NOSAML)


def test_missing_role_is_access_denied(world, idp, clock):
    gone = f"arn:aws:iam::{A}:role/Gone"
    refused("AccessDenied", call, world, clock, idp.response(gone, now=clock()), role_arn=gone)


@pytest.mark.parametrize("condition,allowed", [
    ({"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}, True),
    ({"StringEquals": {"saml:aud": "https://other"}}, False),
    ({"StringEquals": {"saml:sub": "alice@example.com", "saml:sub_type": "persistent"}}, True),
    ({"StringEquals": {"saml:iss": "https://idp.example.com/saml"}}, True),
    ({"StringEquals": {"saml:doc": f"{A}/Corp"}}, True),
    ({"StringEquals": {"saml:edupersonprincipalname": "alice@corp.example"}}, True),
    ({"ForAnyValue:StringEquals": {"saml:edupersonaffiliation": "staff"}}, True),
    ({"ForAnyValue:StringEquals": {"saml:edupersonaffiliation": "faculty"}}, False),
    ({"StringEquals": {"aws:FederatedProvider": f"arn:aws:iam::{A}:saml-provider/Corp"}}, True),
    ({"StringLike": {"sts:RoleSessionName": "ali*"}}, True),
])
def test_trust_conditions_on_saml_keys(idp, clock, condition, allowed):
    world = make_world(idp, trust_condition=condition)
    saml = idp.response(ROLE, now=clock(), attributes={
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.6": "alice@corp.example",
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": ["member", "staff"],
    })
    if allowed:
        assert call(world, clock, saml).session.session_name == "alice"
    else:
        refused("AccessDenied", call, world, clock, saml)


def test_saml_namequalifier_key_matches_the_response_value(idp, clock):
    nq = base64.b64encode(hashlib.sha1(f"https://idp.example.com/saml{A}/Corp".encode()).digest()).decode()
    world = make_world(idp, trust_condition={"StringEquals": {"saml:namequalifier": nq}})
    assert call(world, clock, idp.response(ROLE, now=clock())).to_api()["NameQualifier"] == nq


def test_principal_tags_become_session_tags_and_need_tag_session(world, idp, clock):
    saml = idp.response(TAGGED, now=clock(), tags={"team": "blue", "cost": "42"}, transitive_tag_keys=["team"])
    out = call(world, clock, saml, role_arn=TAGGED)
    assert [(t.key, t.value, t.transitive) for t in out.session.tags] == [("team", "blue", True), ("cost", "42", False)]
    assert out.to_api()["PackedPolicySize"] >= 1
    # SamlDev's trust allows only sts:AssumeRoleWithSAML: tags need sts:TagSession
    e = refused("AccessDenied", call, world, clock, idp.response(ROLE, now=clock(), tags={"team": "blue"}))
    assert "sts:TagSession" in e.message


def test_transitive_tag_keys_must_name_session_tags(world, idp, clock):
    saml = idp.response(TAGGED, now=clock(), tags={"team": "blue"}, transitive_tag_keys=["project"])
    refused("InvalidIdentityToken", call, world, clock, saml, role_arn=TAGGED)


def test_invalid_principal_tag_is_refused(world, idp, clock):
    saml = idp.response(TAGGED, now=clock(), tags={"aws:team": "blue"})
    refused("InvalidIdentityToken", call, world, clock, saml, role_arn=TAGGED)


def test_source_identity_attribute_needs_set_source_identity(world, idp, clock):
    out = call(world, clock, idp.response(TAGGED, now=clock(), source_identity="alice"), role_arn=TAGGED)
    assert out.to_api()["SourceIdentity"] == "alice"
    e = refused("AccessDenied", call, world, clock, idp.response(ROLE, now=clock(), source_identity="alice"))
    assert "sts:SetSourceIdentity" in e.message


def test_source_identity_attribute_pattern(world, idp, clock):
    e = refused("InvalidIdentityToken", call, world, clock,
                idp.response(TAGGED, now=clock(), source_identity="aws:alice"), role_arn=TAGGED)
    assert e.message.startswith("Source Identity must match")


# -- duration -------------------------------------------------------------------------------


def test_duration_is_capped_by_session_not_on_or_after(world, idp, clock):
    saml = idp.response(ROLE, now=clock(), session_not_on_or_after=clock() + timedelta(minutes=20))
    out = call(world, clock, saml, DurationSeconds=7200)
    assert out.session.expires - out.session.issued == timedelta(minutes=20)


def test_duration_over_max_session_duration_is_validation_error(world, idp, clock):
    e = refused("ValidationError", call, world, clock, idp.response(ROLE, now=clock()), DurationSeconds=7201)
    assert "MaxSessionDuration" in e.message
    assert call(world, clock, idp.response(ROLE, now=clock()), DurationSeconds=7200)


def test_session_duration_attribute_rule(world, idp, clock, monkeypatch):
    saml = idp.response(ROLE, now=clock(), session_duration=1800)
    assert saml_mod.SESSION_DURATION_ATTRIBUTE_SETS_API_DURATION is False
    out = call(world, clock, saml)
    assert out.session.expires - out.session.issued == timedelta(hours=1)
    monkeypatch.setattr(saml_mod, "SESSION_DURATION_ATTRIBUTE_SETS_API_DURATION", True)
    out = call(world, clock, saml)
    assert out.session.expires - out.session.issued == timedelta(minutes=30)
    refused("InvalidIdentityToken", call, world, clock, idp.response(ROLE, now=clock(), session_duration=60))


def test_request_validation_lists_every_problem(world, clock):
    e = refused("ValidationError", assume_role_with_saml, world, {"RoleArn": "short", "SAMLAssertion": "abc"},
                clock, Keyring.generate("k1"))
    assert e.message.startswith("3 validation errors detected")
    assert "principalArn" in e.message and "roleArn" in e.message and "sAMLAssertion" in e.message


# -- metadata -------------------------------------------------------------------------------


def test_metadata_yields_entity_id_and_signing_certificate(idp):
    md = read_metadata(idp.metadata_xml())
    assert md.entity_id == "https://idp.example.com/saml"
    assert md.certificates == (idp.certificate_pem,)


@pytest.mark.parametrize("mutate,needle", [
    (lambda m: m.replace('entityID="https://idp.example.com/saml"', ""), "entityID"),
    (lambda m: m.replace('use="signing"', 'use="encryption"'), "signing certificate"),
    (lambda m: m.replace("IDPSSODescriptor", "SPSSODescriptor"), "IDPSSODescriptor"),
    (lambda m: m.replace("<ds:X509Certificate>", "<ds:X509Certificate>AAAA"), "not a certificate"),
    (lambda m: m[:-30], "well-formed"),
    (lambda m: '<!DOCTYPE x [<!ENTITY a "b">]>' + m.split("?>", 1)[1], "DOCTYPE"),
    (lambda m: "<x/>", "characters"),
])
def test_metadata_problems_are_named(idp, mutate, needle):
    with pytest.raises(SamlMetadataError) as e:
        read_metadata(mutate(idp.metadata_xml()))
    assert needle in str(e.value)


def test_every_audience_restriction_must_name_aws(world, idp, clock):
    """SAML core §2.5.1.4: several AudienceRestriction elements all apply."""
    root = _tree(idp.response_xml(ROLE, now=clock(), sign=None))
    cond = root.find(f"{{{NS_ASSERTION}}}Assertion/{{{NS_ASSERTION}}}Conditions")
    extra = etree.SubElement(cond, f"{{{NS_ASSERTION}}}AudienceRestriction")
    etree.SubElement(extra, f"{{{NS_ASSERTION}}}Audience").text = "https://other-sp.example.com"
    from iamwarden.sts.saml_assertion import read_assertion

    assertion = root.find(f"{{{NS_ASSERTION}}}Assertion")
    assertion.insert(1, etree.fromstring('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/>'))
    signed = idp._sign(root, assertion.get("ID"), inner=True)
    provider = saml_provider(idp.provider_arn, idp.metadata_xml())
    with pytest.raises(StsError) as e:
        read_assertion(b64(etree.tostring(signed)), provider.certificates, provider.entity_id, clock())
    assert "audience" in e.value.message


def test_signature_in_the_response_over_the_assertion_is_refused(world, idp, clock):
    """A ds:Signature must sit inside the element it signs; one in the Response covering the Assertion is not."""
    root = _tree(idp.response_xml(ROLE, now=clock(), sign=None))
    signed = idp._sign(root, root.find(f"{{{NS_ASSERTION}}}Assertion").get("ID"), inner=True)
    e = refused("InvalidIdentityToken", call, world, clock, b64(etree.tostring(signed)))
    assert "covers Assertion, not the Response" in e.message


def test_saml_session_chains_with_its_transitive_tags(idp, clock):
    """The SAML session is a role session: it may chain (1 h limit) and passes transitive tags on (spec §4.4)."""
    from iamwarden.sts import assume_role

    world = make_world(idp)
    base = world.accounts[A]
    extra = account_from_details({"RoleDetailList": [role(A, "Next", doc({
        "Effect": "Allow", "Principal": {"AWS": TAGGED}, "Action": ["sts:AssumeRole", "sts:TagSession"]}))]}, "t")
    roles = dict(base.roles) | dict(extra.roles)
    world = World({A: type(base)(A, base.users, base.groups, roles, base.policies, base.source,
                                 saml_providers=base.saml_providers)})
    first = call(world, clock, idp.response(TAGGED, now=clock(), tags={"team": "blue"}, transitive_tag_keys=["team"]),
                 role_arn=TAGGED)
    nxt = assume_role(world, first.session, {"RoleArn": f"arn:aws:iam::{A}:role/Next", "RoleSessionName": "hop"},
                      clock, Keyring.generate("k1"))
    assert [(t.key, t.value) for t in nxt.session.inherited_tags] == [("team", "blue")]
    refused("ValidationError", assume_role, world, first.session,
            {"RoleArn": f"arn:aws:iam::{A}:role/Next", "RoleSessionName": "hop", "DurationSeconds": 7200},
            clock, Keyring.generate("k1"))


def test_sha1_signatures_are_refused(clock, monkeypatch):
    """docs/decisions/sts-saml-signatures.md: SHA-1 signatures are forgeable; refused (AWS accepts them)."""
    import signxml
    from signxml.algorithms import SignatureMethod

    # signxml will not even *make* a SHA-1 signature by default: let the test IdP be an old one
    monkeypatch.setattr(signxml.XMLSigner, "check_deprecated_methods", lambda self: None)

    from iamwarden.sts.saml_assertion import accepted_algorithms

    old = SamlIdentityProvider(name="Corp", account=A)
    old.signature_method = SignatureMethod.RSA_SHA1
    e = refused("InvalidIdentityToken", call, make_world(old), clock, old.response(ROLE, now=clock()))
    assert "Response signature invalid" in e.message
    methods, digests = accepted_algorithms()
    assert SignatureMethod.RSA_SHA256 in methods and not any("SHA1" in m.name or "HMAC" in m.name for m in methods)
