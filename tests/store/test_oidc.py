"""IAM OIDC providers in the store: limits and errors as IAM's (issue 11 item 2)."""

from __future__ import annotations

import pytest

from iamwarden.store import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity, Store
from iamwarden.store.oidc import MAX_CLIENT_IDS, MAX_THUMBPRINTS

A = "111122223333"
T = "a" * 40


@pytest.fixture
def store():
    s = Store()
    s.ensure_account(A)
    yield s
    s.close()


def test_oidc_provider_arn_is_the_url_without_scheme(store) -> None:
    rec = store.create_oidc_provider(A, "https://oidc.eks.us-east-1.amazonaws.com/id/ABC", ["sts.amazonaws.com"], [T])
    assert rec.arn == f"arn:aws:iam::{A}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
    assert rec.url == "oidc.eks.us-east-1.amazonaws.com/id/ABC"


def test_oidc_provider_url_must_be_https(store) -> None:
    for bad in ("http://x.example.com", "x.example.com", "https://", "https://x y", "https://" + "a" * 250):
        with pytest.raises(InvalidInput):
            store.create_oidc_provider(A, bad, ["a"], [T])


def test_oidc_provider_duplicate_url_is_entity_already_exists(store) -> None:
    store.create_oidc_provider(A, "https://x.example.com", ["a"], [T])
    with pytest.raises(EntityAlreadyExists):
        store.create_oidc_provider(A, "https://x.example.com", ["b"], [T])


def test_oidc_provider_thumbprint_limits(store) -> None:
    with pytest.raises(InvalidInput):
        store.create_oidc_provider(A, "https://x.example.com", ["a"], ["z" * 40])
    with pytest.raises(LimitExceeded):
        store.create_oidc_provider(A, "https://x.example.com", ["a"], [f"{i:040x}" for i in range(MAX_THUMBPRINTS + 1)])


def test_oidc_provider_client_id_limit(store) -> None:
    arn = store.create_oidc_provider(A, "https://x.example.com", [str(i) for i in range(MAX_CLIENT_IDS)], [T]).arn
    with pytest.raises(LimitExceeded):
        store.add_oidc_client_id(arn, "one-more")
    store.add_oidc_client_id(arn, "0")  # already there: no change, no error
    assert len(store.get_oidc_provider(arn).client_ids) == MAX_CLIENT_IDS


def test_oidc_provider_missing_is_no_such_entity(store) -> None:
    arn = f"arn:aws:iam::{A}:oidc-provider/nope.example.com"
    for op in (store.get_oidc_provider, store.delete_oidc_provider, lambda a: store.add_oidc_client_id(a, "x")):
        with pytest.raises(NoSuchEntity, match="OpenIDConnect Provider not found"):
            op(arn)


def test_oidc_jwks_survive_provider_delete_and_recreate(store) -> None:
    from iamwarden.oidc_issuer import OidcIssuer
    issuer = OidcIssuer(url="https://x.example.com")
    store.set_oidc_jwks(A, issuer.issuer, issuer.jwks())
    arn = store.create_oidc_provider(A, issuer.issuer, ["a"], [T]).arn
    store.delete_oidc_provider(arn)
    store.create_oidc_provider(A, issuer.issuer, ["a"], [T])
    assert store.oidc_providers()[0].jwks[0]["kid"] == issuer.kid


def test_oidc_jwks_must_be_public_keys(store) -> None:
    with pytest.raises(InvalidInput, match="private key"):
        store.set_oidc_jwks(A, "https://x.example.com", {"keys": [{"kty": "EC", "d": "s"}]})
    with pytest.raises(InvalidInput, match="not JSON"):
        store.set_oidc_jwks(A, "https://x.example.com", "{nope")


def test_replace_account_iam_drops_oidc_providers_keeps_issuer_keys(store) -> None:
    store.set_oidc_jwks(A, "https://x.example.com", {"keys": []})
    store.create_oidc_provider(A, "https://x.example.com", ["a"], [T])
    store.replace_account_iam(A)
    assert store.list_oidc_providers(A) == []
    assert "x.example.com" in store.oidc_jwks(A)
    store.create_oidc_provider(A, "https://x.example.com", ["a"], [T])  # a reload does not collide
