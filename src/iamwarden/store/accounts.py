"""The account a database serves, what it holds, and replacing an account's IAM data.

One database, one account (issue 8 item 7, issue 9 item 6): ``meta.account_id``
records the account a database was created for; :meth:`AccountsMixin.bind_account`
refuses another one with a message naming both ids. A database may still hold
*other* accounts' IAM data loaded beside it (``serve --load`` of several
files, for cross-account trust), but it serves one.

:meth:`AccountsMixin.replace_account_iam` is what ``serve --load --replace``
runs inside one transaction with the load, so the account is either wholly the
old data or wholly the file's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..i18n import N_, Nn_, Text, gettext_noop, joined
from .core import StoreBase
from .errors import StateError

#: meta key of the account a database was created for
ACCOUNT_KEY = "account_id"


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """How much IAM data one account holds (what ``serve`` prints on start)."""

    account_id: str
    users: int
    groups: int
    roles: int
    policies: int
    instance_profiles: int

    @property
    def empty(self) -> bool:
        return not (self.users or self.groups or self.roles or self.policies or self.instance_profiles)

    def text(self) -> Text:
        """``account 111122223333 (2 users, 0 groups, …)`` as a marked message (``serve`` shows it
        in the reader's language)."""
        parts = [Nn_("{n} user", "{n} users", self.users), Nn_("{n} group", "{n} groups", self.groups),
                 Nn_("{n} role", "{n} roles", self.roles),
                 Nn_("{n} customer managed policy", "{n} customer managed policies", self.policies),
                 Nn_("{n} instance profile", "{n} instance profiles", self.instance_profiles)]
        counts = joined(parts, gettext_noop("{first}, {second}"))
        return N_("account {account} ({counts})", account=self.account_id, counts=counts)

    def __str__(self) -> str:
        return str(self.text())


#: the tables holding an account's IAM entities, with their id column
ENTITY_TABLES = (
    ("users", "user_id"),
    ("groups", "group_id"),
    ("roles", "role_id"),
    ("managed_policies", "policy_id"),
    ("instance_profiles", "profile_id"),
)


class AccountsMixin(StoreBase):
    def bound_account(self) -> str | None:
        """The account this database was created for (recorded, or inferred for an older file).

        Databases made before the account was recorded: the account holding
        root keys (the one ``serve`` created keys for) when there is exactly
        one; else the only account; else None (several candidates).
        """
        with self.read() as conn:
            return _bound_account(conn)

    def bind_account(self, account_id: str) -> None:
        """Record that this database serves ``account_id``; refuse if it serves another.

        Issue 8 item 7: one database, one account. Raises :class:`StateError`
        naming both ids when the database was created for a different account.
        """
        with self.write(bump_generation=False) as conn:
            bound = _bound_account(conn)
            if bound is None:
                holders = _root_key_accounts(conn)
                if len(holders) > 1 and account_id not in holders:
                    raise StateError(
                        f"database {self.path} holds root keys of accounts {', '.join(holders)}, not of"
                        f" {account_id}: give --account-id one of them, or use a new --db for {account_id}"
                    )
            elif bound != account_id:
                raise StateError(
                    f"database {self.path} was created for account {bound}, not {account_id}: "
                    f"start with --account-id {bound}, or give a new --db for account {account_id}"
                )
            conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", (ACCOUNT_KEY, account_id)
            )

    def account_summary(self, account_id: str) -> AccountSummary:
        with self.read() as conn:
            counts = [
                int(conn.execute(f"SELECT COUNT(*) FROM {table} WHERE account_id = ?",
                                 (account_id,)).fetchone()[0])
                for table, _ in ENTITY_TABLES
            ]
        return AccountSummary(account_id, *counts)

    def replace_account_iam(self, account_id: str) -> AccountSummary:
        """Delete the account's IAM entities (and their policies, keys, memberships); returns what was there.

        Kept: the account itself, its settings (the session-token keyring) and
        its root keys -- they are the endpoint's, not the loaded IAM data. Joins
        the caller's transaction when called inside :meth:`write`.
        """
        before = self.account_summary(account_id)
        with self.write() as conn:
            ids = {table: _ids(conn, table, col, account_id) for table, col in ENTITY_TABLES}
            users, groups, roles = ids["users"], ids["groups"], ids["roles"]
            policies, profiles = ids["managed_policies"], ids["instance_profiles"]
            owners = users + groups + roles
            _delete_in(conn, "inline_policies", "owner_id", owners)
            _delete_in(conn, "attachments", "owner_id", owners)
            _delete_in(conn, "group_members", "user_id", users)
            _delete_in(conn, "group_members", "group_id", groups)
            _delete_in(conn, "login_profiles", "user_id", users)
            _delete_in(conn, "access_keys", "user_id", users)
            _delete_in(conn, "instance_profile_roles", "profile_id", profiles)
            _delete_in(conn, "instance_profile_roles", "role_id", roles)
            _delete_in(conn, "policy_versions", "policy_id", policies)
            for table, _ in ENTITY_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE account_id = ?", (account_id,))
            conn.execute("DELETE FROM saml_providers WHERE account_id = ?", (account_id,))  # IAM data too
            # IAM OIDC providers are IAM data too (the issuers' keys, in oidc_jwks, are kept)
            conn.execute("DELETE FROM oidc_providers WHERE account_id = ?", (account_id,))
        return before


def _root_key_accounts(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT account_id FROM access_keys WHERE user_id IS NULL ORDER BY account_id")]


def _bound_account(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (ACCOUNT_KEY,)).fetchone()
    if row is not None:
        return str(row[0])
    holders = _root_key_accounts(conn)
    if len(holders) == 1:
        return holders[0]
    if holders:
        return None
    accounts = [r[0] for r in conn.execute("SELECT account_id FROM accounts")]
    return accounts[0] if len(accounts) == 1 else None


def _ids(conn: sqlite3.Connection, table: str, col: str, account_id: str) -> list[str]:
    return [r[0] for r in conn.execute(f"SELECT {col} FROM {table} WHERE account_id = ?", (account_id,))]


def _delete_in(conn: sqlite3.Connection, table: str, col: str, values: list[str]) -> None:
    for start in range(0, len(values), 500):  # SQLite's bound-parameter limit
        chunk = values[start:start + 500]
        conn.execute(f"DELETE FROM {table} WHERE {col} IN ({','.join('?' * len(chunk))})", chunk)
