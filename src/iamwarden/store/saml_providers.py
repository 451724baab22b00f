"""IAM SAML providers in the store: one row per provider, the metadata kept as given (spec §4.6).

The row holds the metadata document IAM returns from ``GetSAMLProvider``; the
entity id and signing certificates STS needs are read from it by
:func:`iamwarden.sts.saml_metadata.saml_provider` -- at create/update time, so
a document that cannot be used is refused then (``InvalidInput``, IAM's "Could
not parse metadata"), and again when a provider is looked up (memoised on the
text, so a verification costs no parsing). The table is additive: older
databases gain it when opened (``CREATE TABLE IF NOT EXISTS``).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from ..model.saml_provider import SamlProvider, saml_provider_arn
from ..sts.saml_metadata import SamlMetadataError, saml_provider
from .core import StoreBase, from_iso, iso
from .errors import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity
from .records import dump, load_tags, merge_tags, remove_tags

#: IAM quota: SAML providers per account [DOC: IAM and STS quotas]
MAX_SAML_PROVIDERS = 100


@lru_cache(maxsize=256)
def _read(arn: str, document: str) -> SamlProvider:
    return saml_provider(arn, document)


def _checked(arn: str, document: str) -> SamlProvider:
    try:
        return _read(arn, document)
    except SamlMetadataError as e:
        raise InvalidInput(str(e)) from None


def _not_found(arn: str) -> NoSuchEntity:
    return NoSuchEntity(f"Manifest not found for arn {arn}")


class SamlProvidersMixin(StoreBase):
    def _saml_row(self, conn: sqlite3.Connection, account_id: str, arn: str) -> sqlite3.Row:
        row = conn.execute(
            "SELECT * FROM saml_providers WHERE account_id = ? AND arn = ?", (account_id, arn)
        ).fetchone()
        if row is None:
            raise _not_found(arn)
        return row

    def create_saml_provider(self, account_id: str, name: str, metadata: str,
                             tags: Iterable[Mapping[str, str]] = ()) -> str:
        arn = saml_provider_arn(account_id, name)
        provider = _checked(arn, metadata)
        tag_list = merge_tags([], tags)
        with self.write() as conn:
            self._require_account(conn, account_id)
            if conn.execute("SELECT 1 FROM saml_providers WHERE account_id = ? AND name = ?",
                            (account_id, name)).fetchone():
                raise EntityAlreadyExists(f"SAMLProvider {name} already exists.")
            count = conn.execute("SELECT COUNT(*) FROM saml_providers WHERE account_id = ?",
                                 (account_id,)).fetchone()[0]
            if count >= MAX_SAML_PROVIDERS:
                raise LimitExceeded(f"Cannot exceed quota for SAMLProvidersPerAccount: {MAX_SAML_PROVIDERS}")
            conn.execute(
                "INSERT INTO saml_providers(arn, account_id, name, uuid, metadata, create_date, valid_until, tags)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (arn, account_id, name, str(uuid.uuid4()), metadata, self.now(),
                 iso(provider.valid_until) if provider.valid_until else None, dump(tag_list)),
            )
        return arn

    def get_saml_provider(self, account_id: str, arn: str) -> dict[str, Any]:
        with self.read() as conn:
            row = self._saml_row(conn, account_id, arn)
        out: dict[str, Any] = {
            "SAMLProviderUUID": row["uuid"],
            "SAMLMetadataDocument": row["metadata"],
            "CreateDate": from_iso(row["create_date"]),
            "Tags": load_tags(row["tags"]),
            "AssertionEncryptionMode": "Allowed",
        }
        if row["valid_until"]:
            out["ValidUntil"] = from_iso(row["valid_until"])
        return out

    def list_saml_providers(self, account_id: str) -> list[dict[str, Any]]:
        with self.read() as conn:
            rows = conn.execute(
                "SELECT arn, create_date, valid_until FROM saml_providers WHERE account_id = ? ORDER BY name",
                (account_id,),
            ).fetchall()
        out = []
        for r in rows:
            item: dict[str, Any] = {"Arn": r["arn"], "CreateDate": from_iso(r["create_date"])}
            if r["valid_until"]:
                item["ValidUntil"] = from_iso(r["valid_until"])
            out.append(item)
        return out

    def update_saml_provider(self, account_id: str, arn: str, metadata: str | None) -> str:
        provider = _checked(arn, metadata) if metadata is not None else None
        with self.write() as conn:
            self._saml_row(conn, account_id, arn)
            if provider is not None:
                conn.execute(
                    "UPDATE saml_providers SET metadata = ?, valid_until = ? WHERE arn = ?",
                    (metadata, iso(provider.valid_until) if provider.valid_until else None, arn),
                )
        return arn

    def delete_saml_provider(self, account_id: str, arn: str) -> None:
        with self.write() as conn:
            self._saml_row(conn, account_id, arn)
            conn.execute("DELETE FROM saml_providers WHERE arn = ?", (arn,))

    def tag_saml_provider(self, account_id: str, arn: str, tags: Iterable[Mapping[str, str]]) -> None:
        with self.write() as conn:
            row = self._saml_row(conn, account_id, arn)
            conn.execute("UPDATE saml_providers SET tags = ? WHERE arn = ?",
                         (dump(merge_tags(load_tags(row["tags"]), tags)), arn))

    def untag_saml_provider(self, account_id: str, arn: str, keys: Iterable[str]) -> None:
        with self.write() as conn:
            row = self._saml_row(conn, account_id, arn)
            conn.execute("UPDATE saml_providers SET tags = ? WHERE arn = ?",
                         (dump(remove_tags(load_tags(row["tags"]), keys)), arn))

    def saml_provider(self, arn: str) -> SamlProvider | None:
        """The provider STS verifies against (any account the store holds), or None."""
        with self.read() as conn:
            row = conn.execute("SELECT * FROM saml_providers WHERE arn = ?", (arn,)).fetchone()
        if row is None:
            return None
        try:
            base = _read(row["arn"], row["metadata"])
        except SamlMetadataError:
            return None  # cannot happen for a row we accepted; fail closed if it does
        return SamlProvider(base.arn, base.metadata_document, base.entity_id, base.certificates,
                            base.valid_until, from_iso(row["create_date"]),
                            {t["Key"]: t["Value"] for t in load_tags(row["tags"])})

    def saml_providers(self, account_id: str) -> dict[str, SamlProvider]:
        out: dict[str, SamlProvider] = {}
        for item in self.list_saml_providers(account_id):
            p = self.saml_provider(item["Arn"])
            if p is not None:
                out[p.arn] = p
        return out
