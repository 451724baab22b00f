"""IAM OIDC identity providers: the entity, and what AssumeRoleWithWebIdentity reads of it (spec §1.4, §3.4, §5.2).

An :class:`OidcProvider` is what IAM holds for ``arn:aws:iam::A:oidc-provider/HOST/PATH``:
the provider URL (``https://`` + the ARN's resource part), its client ids
(audiences), thumbprints and tags, plus the one thing AWS fetches from the
internet and we never do: the provider's signing keys, as a JWKS document
given to us (``docs/decisions/sts-oidc-keys.md``).

The provider *id* (the URL without ``https://``) is both the ARN's resource
and the prefix of the web-identity condition keys (``<id>:sub``, spec §3.4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping

#: JWKS documents larger than this are refused when a provider is registered (bounded input)
MAX_JWKS_BYTES = 64 * 1024
#: at most this many keys per provider (AWS keeps a handful; GitHub publishes 2–3)
MAX_JWKS_KEYS = 32


class JwksError(ValueError):
    """A JWKS document that cannot be used; the message names what is wrong."""


def provider_id(url: str) -> str:
    """``https://token.actions.githubusercontent.com`` → ``token.actions.githubusercontent.com``.

    IAM keeps the URL as given (a trailing slash stays part of the id, as the ARN shows).
    """
    u = url.strip()
    for scheme in ("https://", "HTTPS://"):
        if u.startswith(scheme):
            return u[len(scheme):]
    return u


def provider_arn(account: str, url: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:oidc-provider/{provider_id(url)}"


def read_jwks(doc: Any) -> tuple[Mapping[str, Any], ...]:
    """The keys of a JWKS (``{"keys": [...]}``, text or parsed), checked for shape and size."""
    if isinstance(doc, (bytes, str)):
        if len(doc) > MAX_JWKS_BYTES:
            raise JwksError(f"the JWKS is larger than {MAX_JWKS_BYTES} bytes")
        try:
            doc = json.loads(doc)
        except ValueError as e:
            raise JwksError(f"the JWKS is not JSON: {e}") from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("keys"), list):
        raise JwksError('a JWKS is an object {"keys": [...]}')
    keys = doc["keys"]
    if len(keys) > MAX_JWKS_KEYS:
        raise JwksError(f"the JWKS has {len(keys)} keys; at most {MAX_JWKS_KEYS} are accepted")
    for i, k in enumerate(keys):
        if not isinstance(k, Mapping) or k.get("kty") not in ("RSA", "EC"):
            raise JwksError(f"keys[{i}]: only RSA and EC public keys are accepted (kty RSA or EC)")
        if "d" in k:
            raise JwksError(f"keys[{i}] is a private key; give the provider's public keys only")
    return tuple(dict(k) for k in keys)


@dataclass(frozen=True, slots=True)
class OidcProvider:
    """One IAM OIDC provider (GetOpenIDConnectProvider's fields + its signing keys)."""

    arn: str
    url: str  # as IAM returns it: without https://
    client_ids: tuple[str, ...] = ()
    thumbprints: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    jwks: tuple[Mapping[str, Any], ...] = ()
    create_date: str | None = None

    @property
    def id(self) -> str:
        return provider_id(self.url)

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @property
    def issuer(self) -> str:
        """The ``iss`` a token of this provider carries: ``https://`` + the id."""
        return "https://" + self.id


class ProviderDirectory:
    """OIDC providers by account and issuer: where AssumeRoleWithWebIdentity looks its issuer up."""

    def __init__(self, providers: Iterable[OidcProvider] = ()):
        self._by_issuer: dict[tuple[str, str], OidcProvider] = {}
        for p in providers:
            self._by_issuer[(p.account, p.id)] = p

    def find(self, account: str, issuer: str) -> OidcProvider | None:
        """The provider of ``account`` whose URL is ``issuer`` (with or without ``https://``)."""
        return self._by_issuer.get((account, provider_id(issuer)))

    def by_arn(self, arn: str) -> OidcProvider | None:
        for p in self._by_issuer.values():
            if p.arn == arn:
                return p
        return None

    def __iter__(self) -> Iterator[OidcProvider]:
        return iter(self._by_issuer.values())

    def __len__(self) -> int:
        return len(self._by_issuer)
