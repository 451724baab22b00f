"""The SQLite schema of the store (one file, WAL).

Entities are keyed by their unique ID (``AIDA…``, ``AROA…``, …) rather than by
name: names can be reused after a delete, IDs never are, and trust policies
bind principals to IDs (spec §5.3). Names are unique per account
case-insensitively (``name_lower``, spec §5.2). Tags are a JSON list on the
row (order kept, keys compared case-insensitively). Times are ISO 8601 UTC text.

``meta.generation`` is bumped by every write transaction; readers compare it
with the generation of their cached :class:`~iamwarden.model.account.World`
so a change made by any connection (or process) invalidates the cache.

Version 2 (issue 8, items 4 and 7): ``access_keys.secret`` and
``accounts.settings`` (the token keyring) hold values sealed under the master key
(:mod:`.sealed`); ``meta.secrets_check`` proves the key file fits;
``meta.account_id`` is the account the database serves. A version-1 file is
migrated when opened (:func:`~.sealed.migrate`), a newer one is refused.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 2

DDL = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    account_id  TEXT PRIMARY KEY,
    create_date TEXT NOT NULL,
    settings    TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS users (
    user_id      TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    name         TEXT NOT NULL,
    name_lower   TEXT NOT NULL,
    path         TEXT NOT NULL,
    create_date  TEXT NOT NULL,
    boundary_arn TEXT,
    tags         TEXT NOT NULL DEFAULT '[]',
    UNIQUE (account_id, name_lower)
);
CREATE TABLE IF NOT EXISTS groups (
    group_id    TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(account_id),
    name        TEXT NOT NULL,
    name_lower  TEXT NOT NULL,
    path        TEXT NOT NULL,
    create_date TEXT NOT NULL,
    UNIQUE (account_id, name_lower)
);
CREATE TABLE IF NOT EXISTS group_members (
    group_id TEXT NOT NULL REFERENCES groups(group_id),
    user_id  TEXT NOT NULL REFERENCES users(user_id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX IF NOT EXISTS group_members_user ON group_members(user_id);
CREATE TABLE IF NOT EXISTS roles (
    role_id              TEXT PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES accounts(account_id),
    name                 TEXT NOT NULL,
    name_lower           TEXT NOT NULL,
    path                 TEXT NOT NULL,
    create_date          TEXT NOT NULL,
    trust                TEXT NOT NULL,
    description          TEXT,
    max_session_duration INTEGER NOT NULL DEFAULT 3600,
    boundary_arn         TEXT,
    tags                 TEXT NOT NULL DEFAULT '[]',
    last_used_date       TEXT,
    last_used_region     TEXT,
    UNIQUE (account_id, name_lower)
);
CREATE TABLE IF NOT EXISTS inline_policies (
    owner_id TEXT NOT NULL,
    name     TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (owner_id, name)
);
CREATE TABLE IF NOT EXISTS managed_policies (
    policy_id       TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(account_id),
    arn             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    name_lower      TEXT NOT NULL,
    path            TEXT NOT NULL,
    description     TEXT,
    default_version TEXT NOT NULL,
    next_version    INTEGER NOT NULL,
    create_date     TEXT NOT NULL,
    update_date     TEXT NOT NULL,
    tags            TEXT NOT NULL DEFAULT '[]',
    UNIQUE (account_id, name_lower)
);
CREATE TABLE IF NOT EXISTS policy_versions (
    policy_id   TEXT NOT NULL REFERENCES managed_policies(policy_id),
    version_id  TEXT NOT NULL,
    document    TEXT NOT NULL,
    create_date TEXT NOT NULL,
    PRIMARY KEY (policy_id, version_id)
);
CREATE TABLE IF NOT EXISTS attachments (
    owner_id   TEXT NOT NULL,
    policy_arn TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (owner_id, policy_arn)
);
CREATE INDEX IF NOT EXISTS attachments_policy ON attachments(policy_arn);
CREATE TABLE IF NOT EXISTS access_keys (
    access_key_id     TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts(account_id),
    user_id           TEXT,
    secret            TEXT NOT NULL,
    status            TEXT NOT NULL,
    create_date       TEXT NOT NULL,
    last_used_date    TEXT,
    last_used_service TEXT,
    last_used_region  TEXT
);
CREATE INDEX IF NOT EXISTS access_keys_user ON access_keys(user_id);
CREATE TABLE IF NOT EXISTS login_profiles (
    user_id                 TEXT PRIMARY KEY REFERENCES users(user_id),
    password_hash           TEXT NOT NULL,
    password_reset_required INTEGER NOT NULL,
    create_date             TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS instance_profiles (
    profile_id  TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(account_id),
    name        TEXT NOT NULL,
    name_lower  TEXT NOT NULL,
    path        TEXT NOT NULL,
    create_date TEXT NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',
    UNIQUE (account_id, name_lower)
);
CREATE TABLE IF NOT EXISTS saml_providers (
    arn         TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(account_id),
    name        TEXT NOT NULL,
    uuid        TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    create_date TEXT NOT NULL,
    valid_until TEXT,
    tags        TEXT NOT NULL DEFAULT '[]',
    UNIQUE (account_id, name)
);
CREATE TABLE IF NOT EXISTS instance_profile_roles (
    profile_id TEXT NOT NULL REFERENCES instance_profiles(profile_id),
    role_id    TEXT NOT NULL REFERENCES roles(role_id),
    PRIMARY KEY (profile_id, role_id)
);
CREATE TABLE IF NOT EXISTS oidc_providers (
    arn         TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(account_id),
    url         TEXT NOT NULL,
    client_ids  TEXT NOT NULL DEFAULT '[]',
    thumbprints TEXT NOT NULL DEFAULT '[]',
    tags        TEXT NOT NULL DEFAULT '[]',
    create_date TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oidc_jwks (
    account_id TEXT NOT NULL,
    url        TEXT NOT NULL,
    jwks       TEXT NOT NULL,
    PRIMARY KEY (account_id, url)
);
"""

#: Tables of earlier versions that nothing reads any more. ``sessions`` held one
#: row per AssumeRole/GetSessionToken (secret included, never purged); sessions
#: now travel in their tokens (``docs/decisions/sts-session-binding.md``).
RETIRED_TABLES = ("sessions",)


def drop_retired_tables(conn: sqlite3.Connection) -> bool:
    """Drop what :data:`RETIRED_TABLES` names, then VACUUM so their secrets leave the file too.

    Runs on every open (a no-op once done); True when something was dropped.
    ``conn`` must be in autocommit mode (VACUUM cannot run in a transaction).
    """
    found = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (%s)"
        % ",".join("?" * len(RETIRED_TABLES)), RETIRED_TABLES)]
    for name in found:
        conn.execute(f'DROP TABLE IF EXISTS "{name}"')
    if found:
        conn.execute("VACUUM")
    return bool(found)
