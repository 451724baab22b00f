"""Accounts, access keys (user and root) and login profiles.

Access keys: at most 2 per user (``LimitExceeded``, "Cannot exceed quota for
AccessKeysPerUser: 2"), ``Active``/``Inactive``. The root user's keys are
rows with no user. :meth:`KeysMixin.lookup_access_key` is what SigV4
verification needs: the secret and who the key belongs to.

STS sessions are not stored: they travel in their tokens
(``docs/decisions/sts-session-binding.md``).

Secrets at rest (docs/decisions/store-secrets-at-rest.md): access key secrets
and account settings (which hold the session-token keyring) are sealed on the
way in and opened on the way out (:meth:`StoreBase.seal`); the methods here
take and return plaintext, so callers never see the difference.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from typing import Any

from .core import StoreBase, from_iso
from .errors import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity
from .records import USER, entity_arn, find_entity

ACCESS_KEYS_PER_USER = 2


@dataclass(frozen=True, slots=True)
class AccessKeyRecord:
    """A long-term access key and its owner (``user_*`` are None for the root user)."""

    access_key_id: str
    secret_access_key: str
    status: str
    account_id: str
    user_id: str | None
    user_name: str | None
    user_path: str | None

    @property
    def active(self) -> bool:
        return self.status == "Active"

    @property
    def is_root(self) -> bool:
        return self.user_id is None

    @property
    def principal_arn(self) -> str:
        """``arn:aws:iam::A:root`` or the user's ARN."""
        if self.user_id is None:
            return f"arn:aws:iam::{self.account_id}:root"
        return entity_arn(self.account_id, "user", self.user_path or "/", self.user_name or "")


def _key_out(row: sqlite3.Row, user_name: str, secret: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "UserName": user_name,
        "AccessKeyId": row["access_key_id"],
        "Status": row["status"],
        "CreateDate": from_iso(row["create_date"]),
    }
    if secret is not None:
        out["SecretAccessKey"] = secret
    return out


class KeysMixin(StoreBase):
    # --- accounts --------------------------------------------------------------------

    def ensure_account(self, account_id: str) -> None:
        with self.write() as conn:
            self._require_account(conn, account_id)

    def accounts(self) -> list[str]:
        with self.read() as conn:
            return [r[0] for r in conn.execute("SELECT account_id FROM accounts ORDER BY account_id")]

    def account_settings(self, account_id: str) -> dict[str, Any]:
        with self.read() as conn:
            row = conn.execute(
                "SELECT settings FROM accounts WHERE account_id = ?", (account_id,)
            ).fetchone()
            return self._settings_in(row[0], account_id) if row else {}

    def _settings_in(self, sealed: str, account_id: str) -> dict[str, Any]:
        settings: dict[str, Any] = json.loads(self.unseal(sealed, "accounts", "settings", account_id))
        return settings

    def update_account_settings(self, account_id: str, **values: Any) -> dict[str, Any]:
        """Merge ``values`` into the account's settings (e.g. keys the server generated)."""
        with self.write() as conn:
            self._require_account(conn, account_id)
            row = conn.execute(
                "SELECT settings FROM accounts WHERE account_id = ?", (account_id,)
            ).fetchone()
            settings = self._settings_in(row[0], account_id)
            settings.update(values)
            conn.execute(
                "UPDATE accounts SET settings = ? WHERE account_id = ?",
                (self.seal(json.dumps(settings), "accounts", "settings", account_id), account_id),
            )
            return settings

    # --- root keys -------------------------------------------------------------------

    def create_root_access_key(
        self, account_id: str, access_key_id: str | None = None, secret: str | None = None
    ) -> AccessKeyRecord:
        """Store a root key (given, e.g. from ``--root-access-key-id``, or generated)."""
        key_id = access_key_id or self.ids.access_key_id()
        secret = secret or self.ids.secret_access_key()
        with self.write() as conn:
            self._require_account(conn, account_id)
            existing = conn.execute(
                "SELECT account_id, user_id, secret FROM access_keys WHERE access_key_id = ?", (key_id,)
            ).fetchone()
            if existing is not None:
                same = self.unseal(existing[2], "access_keys", "secret", key_id) == secret
                if existing[0] == account_id and existing[1] is None and same:
                    return self._record(conn, key_id)  # idempotent restart
                raise EntityAlreadyExists(f"Access key {key_id} already exists.")
            conn.execute(
                "INSERT INTO access_keys(access_key_id, account_id, user_id, secret, status,"
                " create_date) VALUES (?,?,NULL,?,'Active',?)",
                (key_id, account_id, self.seal(secret, "access_keys", "secret", key_id), self.now()),
            )
            return self._record(conn, key_id)

    def root_access_keys(self, account_id: str) -> list[AccessKeyRecord]:
        with self.read() as conn:
            rows = conn.execute(
                "SELECT access_key_id FROM access_keys WHERE account_id = ? AND user_id IS NULL"
                " ORDER BY create_date",
                (account_id,),
            ).fetchall()
            return [self._record(conn, r[0]) for r in rows]

    # --- user keys -------------------------------------------------------------------

    def create_access_key(self, account_id: str, user_name: str) -> dict[str, Any]:
        with self.write() as conn:
            user = find_entity(conn, account_id, USER, user_name)
            count = conn.execute(
                "SELECT COUNT(*) FROM access_keys WHERE user_id = ?", (user["user_id"],)
            ).fetchone()[0]
            if count >= ACCESS_KEYS_PER_USER:
                raise LimitExceeded(
                    f"Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}"
                )
            key_id = self.ids.access_key_id()
            secret = self.ids.secret_access_key()
            conn.execute(
                "INSERT INTO access_keys(access_key_id, account_id, user_id, secret, status,"
                " create_date) VALUES (?,?,?,?,'Active',?)",
                (key_id, account_id, user["user_id"], self.seal(secret, "access_keys", "secret", key_id),
                 self.now()),
            )
            row = conn.execute(
                "SELECT * FROM access_keys WHERE access_key_id = ?", (key_id,)
            ).fetchone()
            return _key_out(row, user["name"], secret)

    def _user_key(
        self, conn: sqlite3.Connection, account_id: str, user_name: str, key_id: str
    ) -> tuple[sqlite3.Row, sqlite3.Row]:
        user = find_entity(conn, account_id, USER, user_name)
        row = conn.execute(
            "SELECT * FROM access_keys WHERE access_key_id = ? AND user_id = ?",
            (key_id, user["user_id"]),
        ).fetchone()
        if row is None:
            raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
        return user, row

    def list_access_keys(self, account_id: str, user_name: str) -> list[dict[str, Any]]:
        with self.read() as conn:
            user = find_entity(conn, account_id, USER, user_name)
            rows = conn.execute(
                "SELECT * FROM access_keys WHERE user_id = ? ORDER BY create_date, rowid",
                (user["user_id"],),
            ).fetchall()
            return [_key_out(r, user["name"]) for r in rows]

    def update_access_key(self, account_id: str, user_name: str, key_id: str, status: str) -> None:
        if status not in ("Active", "Inactive"):
            raise InvalidInput(f"Invalid status {status!r}; accepted: Active, Inactive.")
        with self.write() as conn:
            _, row = self._user_key(conn, account_id, user_name, key_id)
            conn.execute(
                "UPDATE access_keys SET status = ? WHERE access_key_id = ?", (status, key_id)
            )

    def delete_access_key(self, account_id: str, user_name: str, key_id: str) -> None:
        with self.write() as conn:
            self._user_key(conn, account_id, user_name, key_id)
            conn.execute("DELETE FROM access_keys WHERE access_key_id = ?", (key_id,))

    def access_key_last_used(self, key_id: str) -> tuple[str | None, dict[str, Any]]:
        """(user name, AccessKeyLastUsed) for GetAccessKeyLastUsed."""
        with self.read() as conn:
            row = conn.execute(
                "SELECT k.*, u.name AS user_name FROM access_keys k LEFT JOIN users u"
                " ON u.user_id = k.user_id WHERE k.access_key_id = ?",
                (key_id,),
            ).fetchone()
            if row is None:
                raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
            if row["last_used_date"]:
                used: dict[str, Any] = {
                    "LastUsedDate": from_iso(row["last_used_date"]),
                    "ServiceName": row["last_used_service"] or "N/A",
                    "Region": row["last_used_region"] or "N/A",
                }
            else:
                used = {"ServiceName": "N/A", "Region": "N/A"}
            return row["user_name"], used

    def note_key_used(self, key_id: str, service: str, region: str | None) -> None:
        """Record AccessKeyLastUsed (a write: the caller decides how often)."""
        with self.write() as conn:
            conn.execute(
                "UPDATE access_keys SET last_used_date = ?, last_used_service = ?,"
                " last_used_region = ? WHERE access_key_id = ?",
                (self.now(), service, region, key_id),
            )

    def _record(self, conn: sqlite3.Connection, key_id: str) -> AccessKeyRecord:
        row = conn.execute(
            "SELECT k.access_key_id, k.secret, k.status, k.account_id, k.user_id,"
            " u.name, u.path FROM access_keys k LEFT JOIN users u ON u.user_id = k.user_id"
            " WHERE k.access_key_id = ?",
            (key_id,),
        ).fetchone()
        secret = self.unseal(row[1], "access_keys", "secret", key_id)
        return AccessKeyRecord(row[0], secret, *row[2:])

    def lookup_access_key(self, key_id: str) -> AccessKeyRecord | None:
        """The key's secret, status and owner -- for SigV4 verification -- or None.

        Cached per write generation: every key change (create, status, delete)
        bumps it, so a cached answer is never staler than the generation.
        """
        gen = self.generation()
        cache: tuple[int, dict[str, AccessKeyRecord | None]] | None = getattr(self, "_key_cache", None)
        if cache is None or cache[0] != gen:
            cache = (gen, {})
            self._key_cache = cache
        if key_id in cache[1]:
            return cache[1][key_id]
        with self._connection() as conn:
            row = conn.execute(
                "SELECT 1 FROM access_keys WHERE access_key_id = ?", (key_id,)
            ).fetchone()
            record = self._record(conn, key_id) if row else None
        if len(cache[1]) < 100_000:
            cache[1][key_id] = record
        return record

    # --- login profiles ----------------------------------------------------------------

    def create_login_profile(
        self, account_id: str, user_name: str, password: str, reset_required: bool = False
    ) -> dict[str, Any]:
        salt = os.urandom(16)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100_000)
        stored = f"pbkdf2_sha256${salt.hex()}${digest.hex()}"
        with self.write() as conn:
            user = find_entity(conn, account_id, USER, user_name)
            if conn.execute(
                "SELECT 1 FROM login_profiles WHERE user_id = ?", (user["user_id"],)
            ).fetchone():
                raise EntityAlreadyExists(f"Login Profile for user {user['name']} already exists.")
            now = self.now()
            conn.execute(
                "INSERT INTO login_profiles(user_id, password_hash, password_reset_required,"
                " create_date) VALUES (?,?,?,?)",
                (user["user_id"], stored, int(reset_required), now),
            )
            return {"UserName": user["name"], "CreateDate": from_iso(now),
                    "PasswordResetRequired": reset_required}

    def get_login_profile(self, account_id: str, user_name: str) -> dict[str, Any]:
        with self.read() as conn:
            user = find_entity(conn, account_id, USER, user_name)
            row = conn.execute(
                "SELECT * FROM login_profiles WHERE user_id = ?", (user["user_id"],)
            ).fetchone()
            if row is None:
                raise NoSuchEntity(f"Login Profile for User {user['name']} cannot be found.")
            return {"UserName": user["name"], "CreateDate": from_iso(row["create_date"]),
                    "PasswordResetRequired": bool(row["password_reset_required"])}

    def delete_login_profile(self, account_id: str, user_name: str) -> None:
        with self.write() as conn:
            user = find_entity(conn, account_id, USER, user_name)
            cur = conn.execute("DELETE FROM login_profiles WHERE user_id = ?", (user["user_id"],))
            if cur.rowcount == 0:
                raise NoSuchEntity(f"Login Profile for User {user['name']} cannot be found.")
