"""The embedded database behind the server: IAM state in one SQLite file (WAL).

``Store(path)`` opens (or creates) the file; ``Store()`` makes a throwaway
database for tests; ``Store(path, key_file=...)`` puts the master key that seals
the secrets somewhere other than ``<path>.key``. Every mutating method is one transaction; refusals are
:class:`StoreError` subclasses carrying AWS's code, message and HTTP status.
See docs/decisions/store-*.md for the durability and concurrency choices.
"""

from __future__ import annotations

from .accounts import AccountsMixin, AccountSummary
from .core import Clock, utc_now
from .errors import (
    AccessDenied,
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    StateError,
    StoreError,
    UnmodifiableEntity,
    ValidationError,
)
from .ids import IdGenerator, seeded
from .keys import AccessKeyRecord, KeysMixin
from .oidc import OidcMixin, OidcProviderRecord
from .saml_providers import SamlProvidersMixin
from .world import WorldMixin


class Store(WorldMixin, KeysMixin, SamlProvidersMixin, AccountsMixin, OidcMixin):
    """IAM users, groups, roles, policies and keys of one or more accounts."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._init_world_cache()


__all__ = [
    "AccessDenied",
    "AccessKeyRecord",
    "AccountSummary",
    "Clock",
    "DeleteConflict",
    "EntityAlreadyExists",
    "IdGenerator",
    "InvalidInput",
    "LimitExceeded",
    "MalformedPolicyDocument",
    "NoSuchEntity",
    "OidcProviderRecord",
    "StateError",
    "Store",
    "StoreError",
    "UnmodifiableEntity",
    "ValidationError",
    "seeded",
    "utc_now",
]
