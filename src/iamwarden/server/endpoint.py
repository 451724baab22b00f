"""The local AWS endpoint: store + STS + IAM handlers + SigV4 + authorization, wired together.

This is the one place the server is composed; ``iamwarden serve``, the test
fixture (``iamwarden.testing``) and the benchmarks all build an
:class:`Endpoint`. Time and randomness are injectable so expiry can be tested
without waiting.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Callable, Iterable, Mapping

from ..loaders.organization import with_organization
from ..model.account import World
from ..model.organization import Organization
from ..store import Store
from ..sts import Keyring, RandomSource
from .access_log import AccessLog
from .authorization import CallAuthorizer
from .dispatch import HandlerRegistry
from .http import QueryServer, make_server
from .iam_handlers import OPERATIONS, StoreCredentialResolver, register_iam_handlers, required_authorization
from .request import RequestContext
from .seed import load_into_store
from .sessions import SessionPrincipal, SessionVault
from .sts_federation_handlers import register_federation_handlers
from .sts_handlers import register_sts_handlers
from .token_keys import keyring_for, rotated, save_keyring

DEFAULT_ACCOUNT_ID = "123456789012"
SELF_USER_OPERATIONS = frozenset(
    {"GetUser", "CreateAccessKey", "ListAccessKeys", "UpdateAccessKey", "DeleteAccessKey"}
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RootCredentials:
    access_key_id: str
    secret_access_key: str
    generated: bool  # True the first time, when they must be shown once


def iam_request_keys(operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """IAM-specific condition keys of a request (``iam:PolicyARN``, tags, boundary)."""
    out: dict[str, Any] = {}
    if "PolicyArn" in params and operation.startswith(("Attach", "Detach")):
        out["iam:PolicyARN"] = params["PolicyArn"]
    boundary = params.get("PermissionsBoundary")
    if isinstance(boundary, str):
        out["iam:PermissionsBoundary"] = boundary
    tags = params.get("Tags")
    if isinstance(tags, list) and tags:
        for t in tags:
            if isinstance(t, Mapping) and "Key" in t:
                out[f"aws:RequestTag/{t['Key']}"] = t.get("Value", "")
        out["aws:TagKeys"] = [t["Key"] for t in tags if isinstance(t, Mapping) and "Key" in t]
    if isinstance(params.get("TagKeys"), list):
        out["aws:TagKeys"] = list(params["TagKeys"])
    return out


class Endpoint:
    """A configured, not yet started, local STS+IAM endpoint."""

    def __init__(
        self,
        db: str | os.PathLike[str] | None = None,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        host: str = "127.0.0.1",
        port: int = 0,
        root_access_key_id: str | None = None,
        root_secret_access_key: str | None = None,
        load: list[str] | None = None,
        clock: Callable[[], datetime] = utc_now,
        rnd: RandomSource | None = None,
        durability: str = "full",
        access_log: AccessLog | None = None,
        key_file: str | os.PathLike[str] | None = None,
        regions: Iterable[str] | None = None,
        oidc_jwks: Mapping[str, Any] | None = None,
        organization: Organization | None = None,
    ):
        self.clock = clock
        #: the credential-scope regions served; None: any region (docs/endpoint.md "Regions")
        self.regions = frozenset(regions) if regions is not None else None
        self.account_id = account_id
        self.store = Store(db, clock=clock, durability=durability, key_file=key_file)
        try:
            self.store.bind_account(account_id)  # one database, one account (StateError if not)
        except BaseException:
            self.store.close()
            raise
        new_db = account_id not in self.store.accounts()
        self.store.ensure_account(account_id)
        self.keyring = self._keyring()
        self.root = self._root_credentials(root_access_key_id, root_secret_access_key)
        if load and new_db:
            # load only into a new database: a restart must not duplicate (or fail on) entities
            load_into_store(self.store, load)
        for issuer, jwks in (oidc_jwks or {}).items():
            self.set_oidc_jwks(issuer, jwks)  # what AWS would fetch from each issuer (sts-oidc-keys.md)
        #: the organization whose SCPs and RCPs cap every decision (``serve --org FILE``), or None
        self.organization = organization
        self._capped: tuple[object, World] | None = None
        self.vault = SessionVault(self.keyring, self.world, clock)
        self.authorizer = CallAuthorizer(self.world, clock)
        registry = HandlerRegistry()
        register_iam_handlers(registry, self.store, account_id, organization)
        self._authorize_iam(registry)
        register_sts_handlers(registry, self.store, self.world, self.vault, self.authorizer, clock, rnd)
        register_federation_handlers(registry, self.store, self.world, self.vault, clock, rnd)
        resolver = StoreCredentialResolver(self.store, temporary=self.vault.resolve)
        try:
            self.server: QueryServer = make_server(
                registry, resolver, host=host, port=port, clock=clock, access_log=access_log, regions=self.regions
            )
        except BaseException:  # e.g. the port is in use: nothing is left open
            self.store.close()
            raise

    def world(self) -> World:
        """What every call is decided against: the store's account, capped by ``organization``.

        The store rebuilds its world after each IAM write; the capped copy is made
        once per such world (spec §1.8: SCP levels AND-ed, RCPs for their services).
        """
        base = self.store.to_world()
        if self.organization is None:
            return base
        if self._capped is None or self._capped[0] is not base:
            self._capped = (base, with_organization(base, self.organization))
        return self._capped[1]

    # -- setup ---------------------------------------------------------------

    def _keyring(self) -> Keyring:
        """The installation's session-token keys: generated once, kept in the store."""
        return keyring_for(self.store, self.account_id)

    def rotate_token_key(self, retire_old: bool = False) -> Keyring:
        """A new active token key; with ``retire_old`` earlier tokens stop working."""
        ring = rotated(self.keyring, retire_old)
        save_keyring(self.store, self.account_id, ring)
        self.keyring = ring
        self.vault.keyring = ring
        return ring

    def _root_credentials(self, key_id: str | None, secret: str | None) -> RootCredentials:
        if bool(key_id) != bool(secret):
            raise ValueError("give both the root access key id and the root secret access key, or neither")
        if key_id and secret:
            rec = self.store.create_root_access_key(self.account_id, key_id, secret)
            return RootCredentials(rec.access_key_id, rec.secret_access_key, False)
        existing = self.store.root_access_keys(self.account_id)
        if existing:
            return RootCredentials(existing[0].access_key_id, existing[0].secret_access_key, False)
        rec = self.store.create_root_access_key(self.account_id)
        return RootCredentials(rec.access_key_id, rec.secret_access_key, True)

    def _authorize_iam(self, registry: HandlerRegistry) -> None:
        """Wrap every IAM handler: the engine decides before the handler runs."""
        for name in OPERATIONS:
            inner = registry.get("iam", name)
            if inner is None:
                continue
            registry.register("iam", name, self._guarded(name, inner))

    def _guarded(self, name: str, inner: Callable[[RequestContext, dict[str, Any]], Any]):
        store, authorizer = self.store, self.authorizer

        def handler(ctx: RequestContext, params: dict[str, Any]) -> Any:
            account = _account_of(ctx.principal) or self.account_id
            check = params
            user = getattr(ctx.principal, "user_name", None)
            if "UserName" not in params and name in SELF_USER_OPERATIONS and user:
                # these act on the calling user when UserName is omitted
                check = dict(params, UserName=user)
            action, resource = required_authorization(name, check, account, store)
            authorizer.require(ctx, action, resource, iam_request_keys(name, params))
            return inner(ctx, params)

        handler.__name__ = f"authorized_{name}"
        return handler

    # -- OIDC providers (docs/decisions/sts-oidc-keys.md) --------------------------

    def set_oidc_jwks(self, issuer: str, jwks: Any) -> None:
        """Give the endpoint issuer ``https://host/path``'s signing keys (a JWKS: dict or JSON text)."""
        self.store.set_oidc_jwks(self.account_id, issuer, jwks)

    def create_oidc_provider(self, url: str, client_ids: tuple[str, ...] = ("sts.amazonaws.com",),
                             thumbprints: tuple[str, ...] = ("0" * 40,)) -> str:
        """CreateOpenIDConnectProvider without a client (as the account's administrator); its ARN."""
        return self.store.create_oidc_provider(self.account_id, url, client_ids, thumbprints).arn

    # -- running -------------------------------------------------------------

    def start(self) -> Endpoint:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
        self.store.close()

    def __enter__(self) -> Endpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        return self.server.endpoint_url

    def serve_forever(self) -> None:
        self.server.serve_forever()


def _account_of(principal: object) -> str | None:
    if isinstance(principal, SessionPrincipal):
        return principal.account_id
    for attr in ("account_id", "account"):
        v = getattr(principal, attr, None)
        if isinstance(v, str) and v:
            return v
    return None


__all__ = ["DEFAULT_ACCOUNT_ID", "Endpoint", "RootCredentials"]
