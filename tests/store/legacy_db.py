"""A database as iamwarden wrote it before secrets were sealed (schema version 1), for migration tests."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

from iamwarden.store.schema import DDL

A = "111122223333"
USER_KEY = "AKIAUSERPLAINTEXT001"
ROOT_KEY = "AKIAROOTPLAINTEXT001"


def make_plaintext_database(db: Path) -> dict[str, str]:
    """Write the database; returns every secret in it (key id / "keyring" / session id → plaintext).

    Account ``A`` with user alice holding one key, a root key, the token keyring
    in the account settings and one STS session row -- all in plaintext.
    """
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(DDL)
    # schema 1 kept STS sessions (with their secrets) in this table
    conn.execute("CREATE TABLE IF NOT EXISTS sessions (access_key_id TEXT PRIMARY KEY, data TEXT NOT NULL,"
                 " expiration REAL)")
    keyring = {"active": "k1", "keys": {"k1": base64.b64encode(b"R" * 32).decode()}}
    secrets = {
        USER_KEY: "userSecretPlaintext/0001+abcdefghijklmnopq",
        ROOT_KEY: "rootSecretPlaintext/0001+abcdefghijklmnopq",
    }
    conn.executescript(f"""
        INSERT INTO meta VALUES ('schema_version', '1'), ('generation', '3');
        INSERT INTO accounts VALUES ('{A}', '2025-01-01T00:00:00+00:00', '{json.dumps({"sts_token_keyring": keyring})}');
        INSERT INTO users(user_id, account_id, name, name_lower, path, create_date)
            VALUES ('AIDAPLAINTEXTUSER001', '{A}', 'alice', 'alice', '/', '2025-01-01T00:00:00+00:00');
        INSERT INTO access_keys(access_key_id, account_id, user_id, secret, status, create_date) VALUES
            ('AKIAUSERPLAINTEXT001', '{A}', 'AIDAPLAINTEXTUSER001', '{secrets["AKIAUSERPLAINTEXT001"]}',
             'Active', '2025-01-01T00:00:00+00:00'),
            ('AKIAROOTPLAINTEXT001', '{A}', NULL, '{secrets["AKIAROOTPLAINTEXT001"]}',
             'Active', '2025-01-01T00:00:00+00:00');
        INSERT INTO sessions VALUES ('ASIAPLAINTEXTSESS01', '{{"secret": "sessionSecretPlaintext0001"}}', NULL);
    """)
    conn.close()
    return {**secrets, "keyring": keyring["keys"]["k1"], "ASIAPLAINTEXTSESS01": "sessionSecretPlaintext0001"}
