"""Hostile SAML responses: any change to a signed response is refused quickly with an STS error, never a crash.

Property: for a genuine signed response and any single-byte change or cut of
its XML, AssumeRoleWithSAML either refuses with one of AWS's SAML errors or --
when the change touched nothing the signature covers and nothing checked --
accepts with exactly the facts of the original (spec §4.5, §4.6; decisions/sts-saml-signatures.md).
"""

from __future__ import annotations

import base64
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamwarden.model.saml_provider import SamlProvider
from iamwarden.sts import Keyring, ManualClock, StsError
from iamwarden.sts.saml import assume_role_with_saml
from iamwarden.sts.saml_metadata import saml_provider
from iamwarden.testing_saml import SamlIdentityProvider

from ..sts.conftest import doc, role

A = "111122223333"
ROLE = f"arn:aws:iam::{A}:role/R"
CLOCK = ManualClock("2026-12-02T12:00:00Z")
IDP = SamlIdentityProvider(account=A, name="Corp")
PROVIDER: SamlProvider = saml_provider(IDP.provider_arn, IDP.metadata_xml())
GENUINE = IDP.response_xml(ROLE, "alice", now=CLOCK(), sign="assertion")
SAML_CODES = {"InvalidIdentityToken", "ExpiredTokenException", "IDPRejectedClaim", "AccessDenied", "ValidationError"}


def _world():
    from iamwarden.loaders.authz_details import account_from_details
    from iamwarden.model.account import World

    trust = doc({"Effect": "Allow", "Principal": {"Federated": IDP.provider_arn}, "Action": "sts:AssumeRoleWithSAML"})
    return World({A: account_from_details({"RoleDetailList": [role(A, "R", trust)]}, "t")})


WORLD = _world()


def attempt(xml: bytes):
    params = {"RoleArn": ROLE, "PrincipalArn": IDP.provider_arn, "SAMLAssertion": base64.b64encode(xml).decode()}
    return assume_role_with_saml(WORLD, params, CLOCK, Keyring.generate("k1"), {IDP.provider_arn: PROVIDER})


BASELINE = attempt(GENUINE)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pos=st.integers(min_value=0, max_value=len(GENUINE) - 1), byte=st.integers(min_value=0, max_value=255),
       cut=st.booleans())
def test_changed_signed_response_is_refused_or_unchanged(pos, byte, cut):
    xml = GENUINE[:pos] if cut else GENUINE[:pos] + bytes([byte]) + GENUINE[pos + 1:]
    start = time.monotonic()
    try:
        out = attempt(xml)
    except StsError as e:
        assert e.code in SAML_CODES, e
    else:
        a, b = out.assertion, BASELINE.assertion
        assert (a.issuer, a.subject, a.recipient, dict(a.attributes)) == (b.issuer, b.subject, b.recipient,
                                                                          dict(b.attributes))
        assert out.session.session_name == BASELINE.session.session_name
    assert time.monotonic() - start < 2.0


def test_many_attributes_are_bounded():
    values = {f"urn:x:{i}": "v" for i in range(300)}
    xml = IDP.response_xml(ROLE, "alice", now=CLOCK(), attributes=values)
    start = time.monotonic()
    try:
        attempt(xml)
        raise AssertionError("300 attributes were accepted")
    except StsError as e:
        assert e.code == "InvalidIdentityToken" and "attributes" in e.message
    assert time.monotonic() - start < 2.0


def test_hostile_metadata_is_refused_quickly():
    from iamwarden.sts.saml_metadata import SamlMetadataError, read_metadata

    good = IDP.metadata_xml()
    bomb = ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY a{i} "{("&a;" if i == 0 else f"&a{i - 1};") * 10}">' for i in range(9)) + "]>"
        + good.split("?>", 1)[1].replace('entityID="', 'entityID="&a8;'))
    deep = good.replace("<md:IDPSSODescriptor", "<x>" * 3000 + "</x>" * 3000 + "<md:IDPSSODescriptor", 1)
    for hostile in (bomb, deep, good + " " * 10_000_000):
        start = time.monotonic()
        try:
            read_metadata(hostile)
        except SamlMetadataError:
            pass
        else:
            raise AssertionError("hostile metadata accepted")
        assert time.monotonic() - start < 2.0
