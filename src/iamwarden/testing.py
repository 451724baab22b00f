"""Run the endpoint inside your own tests.

Context manager::

    from iamwarden.testing import local_endpoint

    with local_endpoint() as ep:
        iam = ep.client("iam")
        iam.create_user(UserName="alice")

pytest fixture (registered automatically through the ``pytest11`` entry point)::

    def test_something(iamwarden_endpoint):
        sts = iamwarden_endpoint.client("sts")
        assert sts.get_caller_identity()["Account"] == iamwarden_endpoint.account_id

An OIDC provider of your own (GitHub Actions by default): ``iamwarden_oidc`` is an
:class:`~iamwarden.oidc_issuer.OidcIssuer` already registered with
``iamwarden_endpoint`` (IAM provider created, signing keys handed over)::

    def test_only_main_deploys(iamwarden_endpoint, iamwarden_oidc):
        token = iamwarden_oidc.github_token("org/repo", "refs/heads/main")
        ...  # sts.assume_role_with_web_identity(..., WebIdentityToken=token)
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .oidc_issuer import OidcIssuer, github_subject
from .server.endpoint import DEFAULT_ACCOUNT_ID, Endpoint

if TYPE_CHECKING:
    from .testing_saml import SamlIdentityProvider


@dataclass(frozen=True)
class RunningEndpoint:
    """Where the endpoint listens and the root credentials to call it with."""

    endpoint_url: str
    account_id: str
    access_key_id: str
    secret_access_key: str
    endpoint: Endpoint
    region: str = "us-east-1"

    def client(self, service: str, *, access_key_id: str | None = None, secret_access_key: str | None = None,
               session_token: str | None = None, **kwargs: Any) -> Any:
        """A boto3 client for ``service`` (root credentials unless others are given; boto3 is the ``aws`` extra)."""
        try:
            import boto3
        except ModuleNotFoundError as e:
            raise ModuleNotFoundError(
                "iamwarden's endpoint clients need boto3, which is not installed: install iamwarden[aws] "
                "(pip install 'iamwarden[aws]', or pip install -e '.[aws]' in a clone)", name="boto3") from e

        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=access_key_id or self.access_key_id,
            aws_secret_access_key=secret_access_key or self.secret_access_key,
            aws_session_token=session_token,
            **kwargs,
        )

    def saml_identity_provider(self, name: str = "ExampleIdP", entity_id: str = "https://idp.example.com/saml",
                               **kwargs: Any) -> SamlIdentityProvider:
        """A test SAML IdP (:mod:`iamwarden.testing_saml`), registered here as an IAM SAML provider."""
        from .testing_saml import SamlIdentityProvider

        idp = SamlIdentityProvider(entity_id, name, self.account_id, **kwargs)
        idp.register(self.client("iam"))
        return idp

    def env(self) -> dict[str, str]:
        """Environment variables for the AWS CLI or any SDK (``AWS_ENDPOINT_URL`` included)."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_DEFAULT_REGION": self.region,
        }


@contextlib.contextmanager
def local_endpoint(
    db: str | None = None,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    load: list[str] | None = None,
    clock: Callable[[], Any] | None = None,
) -> Iterator[RunningEndpoint]:
    """Start an endpoint on a free loopback port; stop it (and drop a temporary database) on exit."""
    kwargs: dict[str, Any] = {"account_id": account_id, "load": load, "port": 0}
    if clock is not None:
        kwargs["clock"] = clock
    ep = Endpoint(db, **kwargs)
    ep.start()
    try:
        yield RunningEndpoint(ep.endpoint_url, account_id, ep.root.access_key_id, ep.root.secret_access_key, ep)
    finally:
        ep.stop()


__all__ = ["OidcIssuer", "RunningEndpoint", "github_subject", "local_endpoint"]


try:  # the fixture exists only where pytest does
    import pytest

    @pytest.fixture
    def iamwarden_endpoint() -> Iterator[RunningEndpoint]:
        """A fresh endpoint with an empty account for one test."""
        with local_endpoint() as ep:
            yield ep

    @pytest.fixture
    def iamwarden_oidc(iamwarden_endpoint: RunningEndpoint) -> OidcIssuer:
        """A GitHub-Actions-like OIDC issuer registered with ``iamwarden_endpoint`` (audience sts.amazonaws.com)."""
        issuer = OidcIssuer()
        issuer.register(iamwarden_endpoint)
        return issuer

except ImportError:  # pragma: no cover
    pass


def __getattr__(name: str) -> Any:
    """``SamlIdentityProvider`` is imported on first use (signxml is not needed to run the endpoint)."""
    if name == "SamlIdentityProvider":
        from .testing_saml import SamlIdentityProvider

        return SamlIdentityProvider
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["RunningEndpoint", "SamlIdentityProvider", "local_endpoint"]
