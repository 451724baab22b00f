"""A stand-in OIDC identity provider for tests: a key pair, a JWKS, signed ID tokens.

:class:`OidcIssuer` plays GitHub Actions (or any OIDC provider) for your own
tests: it makes a fresh signing key, publishes its public half as a JWKS,
and signs ID tokens with the claims you choose — so "only ``main`` of
``org/repo`` may deploy" can be checked end to end, against the library or
the local endpoint (:meth:`register`), without a network.

Tokens are real JWTs (PyJWT + cryptography); nothing about them is special
to iamwarden. The issuer never leaves the process: the private key is
generated per instance and never written anywhere.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .model.oidc_provider import OidcProvider, provider_arn, provider_id, read_jwks

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITHUB_AUDIENCE = "sts.amazonaws.com"


def github_subject(repository: str, ref: str | None = "refs/heads/main", environment: str | None = None,
                   pull_request: bool = False) -> str:
    """GitHub's default ``sub``: ``repo:ORG/REPO:environment:ENV`` | ``…:pull_request`` | ``…:ref:REF``."""
    if environment is not None:
        return f"repo:{repository}:environment:{environment}"
    if pull_request:
        return f"repo:{repository}:pull_request"
    return f"repo:{repository}:ref:{ref}"


@dataclass
class OidcIssuer:
    """An OIDC provider you control (module doc). ``alg`` is RS256 (default) or ES256."""

    url: str = GITHUB_ISSUER
    audience: str = GITHUB_AUDIENCE
    alg: str = "RS256"
    kid: str = "iamwarden-test-key-1"
    clock: Callable[[], datetime] | None = None
    _key: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.alg == "RS256":
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif self.alg == "ES256":
            self._key = ec.generate_private_key(ec.SECP256R1())
        else:
            raise ValueError(f"alg {self.alg!r}: OidcIssuer signs with RS256 or ES256")

    # -- what the provider publishes ---------------------------------------------

    @property
    def issuer(self) -> str:
        """The ``iss`` of its tokens (``https://`` + host/path)."""
        return "https://" + provider_id(self.url)

    @property
    def provider_id(self) -> str:
        return provider_id(self.url)

    def jwks(self) -> dict[str, Any]:
        """The public keys, as ``/.well-known/jwks.json`` would serve them."""
        if self.alg == "RS256":
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        else:
            jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": self.kid, "alg": self.alg, "use": "sig"})
        return {"keys": [jwk]}

    def provider(self, account: str, client_ids: tuple[str, ...] | None = None) -> OidcProvider:
        """The IAM OIDC provider for this issuer in ``account`` (library use, no endpoint)."""
        return OidcProvider(provider_arn(account, self.url), self.provider_id,
                            client_ids if client_ids is not None else (self.audience,),
                            ("0" * 40,), {}, read_jwks(self.jwks()))

    def provider_arn(self, account: str) -> str:
        return provider_arn(account, self.url)

    # -- tokens -------------------------------------------------------------------

    def _now(self) -> int:
        return int(self.clock().timestamp()) if self.clock is not None else int(time.time())

    def token(self, sub: str = "subject", *, audience: str | list[str] | None = None, lifetime: int = 300,
              issued_at: int | None = None, headers: Mapping[str, Any] | None = None, **claims: Any) -> str:
        """A signed ID token: ``iss``/``aud``/``sub``/``iat``/``nbf``/``exp`` plus ``claims``.

        A claim passed as ``None`` is left out (e.g. ``exp=None`` for a token without expiry).
        """
        now = issued_at if issued_at is not None else self._now()
        body: dict[str, Any] = {
            "iss": self.issuer, "aud": audience if audience is not None else self.audience, "sub": sub,
            "iat": now, "nbf": now, "exp": now + lifetime, "jti": f"{now}-{sub}",
        }
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        head = {"kid": self.kid, "typ": "JWT"}
        head.update(headers or {})
        return jwt.encode(body, self._key, algorithm=self.alg, headers=head)

    def github_token(self, repository: str = "org/repo", ref: str = "refs/heads/main", *,
                     environment: str | None = None, workflow: str = "deploy", event_name: str = "push",
                     actor: str = "octocat", pull_request: bool = False, **claims: Any) -> str:
        """A token shaped like GitHub Actions' (``sub`` per GitHub's default template)."""
        owner = repository.split("/", 1)[0]
        wf_path = f"{repository}/.github/workflows/{workflow}.yml@{ref}"
        body: dict[str, Any] = {
            "repository": repository, "repository_owner": owner, "ref": ref,
            "ref_type": "tag" if ref.startswith("refs/tags/") else "branch",
            "workflow": workflow, "workflow_ref": wf_path, "job_workflow_ref": wf_path,
            "event_name": "pull_request" if pull_request else event_name, "actor": actor,
            "runner_environment": "github-hosted", "repository_visibility": "private",
        }
        if environment is not None:
            body["environment"] = environment
        body.update(claims)
        return self.token(github_subject(repository, ref, environment, pull_request), **body)

    # -- the local endpoint --------------------------------------------------------

    def register(self, endpoint: Any, client_ids: tuple[str, ...] | None = None) -> str:
        """Create the IAM OIDC provider on a running endpoint and hand it this issuer's keys.

        ``endpoint`` is a :class:`~iamwarden.testing.RunningEndpoint` (or an
        :class:`~iamwarden.server.endpoint.Endpoint`). Returns the provider ARN.
        """
        ep = getattr(endpoint, "endpoint", endpoint)
        ep.set_oidc_jwks(self.issuer, self.jwks())
        return str(ep.create_oidc_provider(self.issuer, client_ids if client_ids is not None else (self.audience,)))
