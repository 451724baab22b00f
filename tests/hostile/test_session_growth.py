"""Nothing grows per session (issue 8, "Nothing bounds growth"): tokens carry the session.

A caller holding only ``sts:AssumeRole`` used to grow the database ~2 MB/s
(one row per session, never purged). Now issuing writes nothing, and what the
server keeps in memory about sessions (opened tokens) is a bounded cache.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from iamwarden.model.account import World
from iamwarden.server.sessions import OPEN_CACHE_SIZE, SessionVault
from iamwarden.store.schema import RETIRED_TABLES
from iamwarden.sts import Keyring, ManualClock, SeededRandom
from iamwarden.sts.tokens import issue_token
from iamwarden.testing import local_endpoint

A = "111122223333"


def _row_counts(db: str) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


@pytest.mark.timeout(120)
def test_issuing_sessions_adds_no_row_to_any_table(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    with local_endpoint(db, account_id=A) as ep:
        iam = ep.client("iam")
        iam.create_user(UserName="only-assume")
        iam.put_user_policy(UserName="only-assume", PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="only-assume")["AccessKey"]
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "sts:AssumeRole"}]}))
        sts = ep.client("sts", access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"])
        before = _row_counts(db)
        big_policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{'x' * 1900}"}]})
        for i in range(150):
            sts.assume_role(RoleArn=f"arn:aws:iam::{A}:role/r", RoleSessionName=f"s{i}", Policy=big_policy)
            sts.get_session_token(DurationSeconds=900)
        assert _row_counts(db) == before
        assert not set(before) & set(RETIRED_TABLES)


def test_opened_token_cache_is_bounded() -> None:
    clock = ManualClock()
    ring = Keyring.generate("k1", SeededRandom(1))
    vault = SessionVault(ring, lambda: World({}), clock)
    claims = {"k": "u", "pa": f"arn:aws:iam::{A}:root", "ui": A}
    rnd = SeededRandom(2)
    for _ in range(OPEN_CACHE_SIZE + 300):
        t = issue_token(ring, A, clock(), clock() + timedelta(hours=1), claims, rnd)
        vault.resolve(t.access_key_id, t.session_token)
    assert len(vault._opened) == OPEN_CACHE_SIZE


def test_expired_session_is_refused_even_from_the_cache() -> None:
    clock = ManualClock()
    ring = Keyring.generate("k1", SeededRandom(1))
    vault = SessionVault(ring, lambda: World({}), clock)
    t = issue_token(ring, A, clock(), clock() + timedelta(seconds=900),
                    {"k": "u", "pa": f"arn:aws:iam::{A}:root", "ui": A})
    vault.resolve(t.access_key_id, t.session_token)
    clock.advance(900)
    from iamwarden.server.errors import AwsError

    with pytest.raises(AwsError) as e:
        vault.resolve(t.access_key_id, t.session_token)
    assert e.value.code == "ExpiredToken"
