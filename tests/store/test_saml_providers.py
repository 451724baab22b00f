"""SAML providers in the store (spec §4.6): refusals carry IAM's codes and write nothing."""

from __future__ import annotations

import pytest

from iamwarden.store import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity, Store
from iamwarden.store import saml_providers as module
from iamwarden.testing_saml import SamlIdentityProvider

A = "111122223333"


@pytest.fixture
def store():
    s = Store()
    s.ensure_account(A)
    yield s
    s.close()


@pytest.fixture(scope="module")
def idp() -> SamlIdentityProvider:
    return SamlIdentityProvider(account=A, name="Corp")


def test_created_provider_is_what_sts_verifies_against(store, idp):
    arn = store.create_saml_provider(A, "Corp", idp.metadata_xml(), [{"Key": "k", "Value": "v"}])
    p = store.saml_provider(arn)
    assert p is not None and p.entity_id == idp.entity_id and p.certificates == (idp.certificate_pem,)
    assert p.tags == {"k": "v"} and p.create_date is not None
    assert store.saml_providers(A) == {arn: p}


def test_refusals_write_nothing(store, idp):
    store.create_saml_provider(A, "Corp", idp.metadata_xml())
    gen = store.generation()
    with pytest.raises(EntityAlreadyExists):
        store.create_saml_provider(A, "Corp", idp.metadata_xml())
    with pytest.raises(InvalidInput):
        store.create_saml_provider(A, "Other", idp.metadata_xml().replace('use="signing"', 'use="encryption"'))
    with pytest.raises(NoSuchEntity) as e:
        store.get_saml_provider(A, f"arn:aws:iam::{A}:saml-provider/Nope")
    assert e.value.message == f"Manifest not found for arn arn:aws:iam::{A}:saml-provider/Nope"
    with pytest.raises(InvalidInput):
        store.update_saml_provider(A, f"arn:aws:iam::{A}:saml-provider/Corp", "<bad/>" * 200)
    assert store.generation() == gen
    assert store.saml_provider(f"arn:aws:iam::{A}:saml-provider/Other") is None


def test_saml_provider_quota(store, idp, monkeypatch):
    monkeypatch.setattr(module, "MAX_SAML_PROVIDERS", 2)
    store.create_saml_provider(A, "One", idp.metadata_xml())
    store.create_saml_provider(A, "Two", idp.metadata_xml())
    with pytest.raises(LimitExceeded):
        store.create_saml_provider(A, "Three", idp.metadata_xml())


def test_replacing_the_account_iam_drops_its_saml_providers(store, idp):
    store.create_saml_provider(A, "Corp", idp.metadata_xml())
    store.replace_account_iam(A)
    assert store.list_saml_providers(A) == []
    store.create_saml_provider(A, "Corp", idp.metadata_xml())  # a reload does not collide
