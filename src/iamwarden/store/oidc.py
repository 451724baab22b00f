"""IAM OIDC identity providers in the store, and the signing keys the endpoint knows per issuer.

Two tables (:mod:`.schema`): ``oidc_providers`` is IAM's entity
(CreateOpenIDConnectProvider and friends: URL, client ids, thumbprints, tags),
one per account and URL; ``oidc_jwks`` holds, per account and issuer URL, the
JWKS that AWS would fetch from the issuer's discovery document and we are
*given* instead (``serve --oidc-jwks``, an account file's ``Jwks``, or
:meth:`OidcMixin.set_oidc_jwks`; ``docs/decisions/sts-oidc-keys.md``). The keys
are kept apart from the provider so deleting and re-creating a provider, as
Terraform does, does not lose them; they are the issuer's, not IAM's.

Limits are IAM's (botocore model + IAM quotas): URL 1–255 characters starting
``https://``, 1–100 client ids of 1–255 characters, at most 5 thumbprints of 40
hex characters, 50 tags, 100 providers per account.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ..model.oidc_provider import JwksError, OidcProvider, provider_arn, provider_id, read_jwks
from .core import StoreBase
from .errors import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity
from .records import check_new_tags, dump, load_tags, merge_tags, remove_tags

MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5
MAX_PROVIDERS = 100
_THUMBPRINT = re.compile(r"[0-9A-Fa-f]{40}")
_URL = re.compile(r"https://[^\s/?#]+(/[^\s?#]*)?")



@dataclass(frozen=True, slots=True)
class OidcProviderRecord:
    arn: str
    account_id: str
    url: str  # without https://, as GetOpenIDConnectProvider returns it
    client_ids: tuple[str, ...]
    thumbprints: tuple[str, ...]
    tags: tuple[dict[str, str], ...]
    create_date: str

    def to_api(self) -> dict[str, Any]:
        return {"Url": self.url, "ClientIDList": list(self.client_ids), "ThumbprintList": list(self.thumbprints),
                "CreateDate": self.create_date, "Tags": [dict(t) for t in self.tags]}


def check_url(url: str) -> str:
    """``https://host[/path]``, at most 255 characters (IAM: InvalidInput otherwise)."""
    if len(url) > 255 or _URL.fullmatch(url) is None:
        raise InvalidInput(f"{url[:64]!r} is not a valid provider URL: give https://host[/path] "
                           "(at most 255 characters)")
    return url


def check_client_ids(ids: Iterable[str]) -> list[str]:
    out: list[str] = []
    for c in ids:
        if not 1 <= len(c) <= 255:
            raise InvalidInput("A client ID must be 1 to 255 characters long.")
        if c not in out:
            out.append(c)
    if len(out) > MAX_CLIENT_IDS:
        raise LimitExceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}")
    return out


def check_thumbprints(prints: Iterable[str]) -> list[str]:
    out = list(dict.fromkeys(prints))
    for t in out:
        if _THUMBPRINT.fullmatch(t) is None:
            raise InvalidInput(f"Thumbprint {t[:48]!r} is not 40 hexadecimal characters.")
    if len(out) > MAX_THUMBPRINTS:
        raise LimitExceeded(f"Thumbprint list must contain at most {MAX_THUMBPRINTS} thumbprints.")
    return out


def _record(row: sqlite3.Row) -> OidcProviderRecord:
    return OidcProviderRecord(row["arn"], row["account_id"], row["url"], tuple(json.loads(row["client_ids"])),
                              tuple(json.loads(row["thumbprints"])), tuple(load_tags(row["tags"])),
                              row["create_date"])


def _not_found(arn: str) -> NoSuchEntity:
    return NoSuchEntity(f"OpenIDConnect Provider not found for arn {arn}")


class OidcMixin(StoreBase):
    """OIDC providers (IAM) and issuer keys (the endpoint's stand-in for fetching them)."""

    def create_oidc_provider(self, account_id: str, url: str, client_ids: Iterable[str] = (),
                             thumbprints: Iterable[str] = (),
                             tags: Iterable[Mapping[str, str]] = ()) -> OidcProviderRecord:
        url = check_url(url)
        ids, prints, new_tags = check_client_ids(client_ids), check_thumbprints(thumbprints), check_new_tags(tags)
        arn = provider_arn(account_id, url)
        with self.write() as conn:
            self._require_account(conn, account_id)
            if conn.execute("SELECT 1 FROM oidc_providers WHERE arn = ?", (arn,)).fetchone():
                raise EntityAlreadyExists(f"Provider with url {url} already exists.")
            n = conn.execute("SELECT COUNT(*) FROM oidc_providers WHERE account_id = ?", (account_id,)).fetchone()[0]
            if n >= MAX_PROVIDERS:
                raise LimitExceeded(f"Cannot exceed quota for OpenIdConnectProvidersPerAccount: {MAX_PROVIDERS}")
            conn.execute(
                "INSERT INTO oidc_providers(arn, account_id, url, client_ids, thumbprints, tags, create_date)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (arn, account_id, provider_id(url), dump(ids), dump(prints), dump(new_tags), self.now()))
            row = conn.execute("SELECT * FROM oidc_providers WHERE arn = ?", (arn,)).fetchone()
        return _record(row)

    def get_oidc_provider(self, arn: str) -> OidcProviderRecord:
        with self.read() as conn:
            row = conn.execute("SELECT * FROM oidc_providers WHERE arn = ?", (arn,)).fetchone()
        if row is None:
            raise _not_found(arn)
        return _record(row)

    def list_oidc_providers(self, account_id: str | None = None) -> list[OidcProviderRecord]:
        with self.read() as conn:
            if account_id is None:
                rows = conn.execute("SELECT * FROM oidc_providers ORDER BY arn").fetchall()
            else:
                rows = conn.execute("SELECT * FROM oidc_providers WHERE account_id = ? ORDER BY arn",
                                    (account_id,)).fetchall()
        return [_record(r) for r in rows]

    def delete_oidc_provider(self, arn: str) -> None:
        with self.write() as conn:
            if conn.execute("DELETE FROM oidc_providers WHERE arn = ?", (arn,)).rowcount == 0:
                raise _not_found(arn)

    def _update_oidc(self, arn: str, column: str, fn: Any) -> None:
        with self.write() as conn:
            row = conn.execute(f"SELECT {column} FROM oidc_providers WHERE arn = ?", (arn,)).fetchone()
            if row is None:
                raise _not_found(arn)
            conn.execute(f"UPDATE oidc_providers SET {column} = ? WHERE arn = ?",
                         (dump(fn(json.loads(row[0]))), arn))

    def add_oidc_client_id(self, arn: str, client_id: str) -> None:
        self._update_oidc(arn, "client_ids", lambda ids: check_client_ids([*ids, client_id]))

    def remove_oidc_client_id(self, arn: str, client_id: str) -> None:
        self._update_oidc(arn, "client_ids", lambda ids: [c for c in ids if c != client_id])

    def update_oidc_thumbprints(self, arn: str, thumbprints: Iterable[str]) -> None:
        prints = check_thumbprints(thumbprints)
        self._update_oidc(arn, "thumbprints", lambda _old: prints)

    def tag_oidc_provider(self, arn: str, tags: Iterable[Mapping[str, str]]) -> None:
        new = list(tags)
        self._update_oidc(arn, "tags", lambda cur: merge_tags(cur, new))

    def untag_oidc_provider(self, arn: str, keys: Iterable[str]) -> None:
        drop = list(keys)
        self._update_oidc(arn, "tags", lambda cur: remove_tags(cur, drop))

    # -- issuer keys --------------------------------------------------------------

    def set_oidc_jwks(self, account_id: str, url: str, jwks: Any) -> None:
        """Give the endpoint the signing keys of issuer ``url`` (``https://host/path``) for ``account_id``."""
        try:
            keys = read_jwks(jwks)
        except JwksError as e:
            raise InvalidInput(f"JWKS for {url}: {e}") from None
        with self.write() as conn:
            conn.execute("INSERT OR REPLACE INTO oidc_jwks(account_id, url, jwks) VALUES (?, ?, ?)",
                         (account_id, provider_id(url), dump({"keys": list(keys)})))

    def oidc_jwks(self, account_id: str) -> dict[str, Any]:
        with self.read() as conn:
            rows = conn.execute("SELECT url, jwks FROM oidc_jwks WHERE account_id = ?", (account_id,)).fetchall()
        return {r["url"]: json.loads(r["jwks"]) for r in rows}

    def oidc_providers(self) -> list[OidcProvider]:
        """Every provider with the keys known for its issuer (none known: it verifies no token)."""
        with self.read() as conn:
            rows = conn.execute("SELECT * FROM oidc_providers").fetchall()
            keys = {(r["account_id"], r["url"]): json.loads(r["jwks"])
                    for r in conn.execute("SELECT account_id, url, jwks FROM oidc_jwks").fetchall()}
        out = []
        for row in rows:
            rec = _record(row)
            jwks = keys.get((rec.account_id, rec.url), {"keys": []})
            out.append(OidcProvider(rec.arn, rec.url, rec.client_ids, rec.thumbprints,
                                    {t["Key"]: t["Value"] for t in rec.tags}, tuple(jwks["keys"]),
                                    rec.create_date))
        return out
