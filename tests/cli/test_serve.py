"""``iamwarden serve`` and its database (issue 9 item 6, issue 8 items 4 and 7).

Run in-process: ``signal.pause`` is replaced by a KeyboardInterrupt, so the
server really starts (database opened, account bound, port bound) and stops
at once, as Ctrl-C would stop it.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from iamwarden.cli import main
from iamwarden.store import Store

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo-account.json"
DEMO_ACCOUNT = "111122223333"


@pytest.fixture(autouse=True)
def stop_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(signal, "pause", interrupt)
    monkeypatch.delenv("IAMWARDEN_KEY_FILE", raising=False)
    monkeypatch.delenv("IAMWARDEN_ROOT_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("IAMWARDEN_ROOT_SECRET_ACCESS_KEY", raising=False)


def serve(*args: str) -> int:
    return main(["serve", "--port", "0", *args])


def users_in(db: Path, account: str = DEMO_ACCOUNT) -> list[str]:
    s = Store(db)
    try:
        return sorted(u["UserName"] for u in s.list_users(account))
    finally:
        s.close()


def demo_variant(tmp_path: Path, drop: str, add: str) -> Path:
    data = json.loads(DEMO.read_text())
    data["UserDetailList"] = [u for u in data["UserDetailList"] if u["UserName"] != drop]
    data["UserDetailList"].append({"Path": "/", "UserName": add, "UserId": "AIDAEXAMPLENEWUSER001",
                                   "Arn": f"arn:aws:iam::{DEMO_ACCOUNT}:user/{add}"})
    out = tmp_path / "variant.json"
    out.write_text(json.dumps(data))
    return out


def test_a_new_database_with_load_says_it_was_created_and_loaded(tmp_path, capsys) -> None:
    db = tmp_path / "state.db"
    assert serve("--db", str(db), "--load", str(DEMO)) == 0
    out = capsys.readouterr().out
    assert out.startswith("iamwarden endpoint on http://127.0.0.1:")
    assert f"database {db}: new, for account {DEMO_ACCOUNT}" in out
    assert f"--load applied: loaded {DEMO} -> account {DEMO_ACCOUNT} (6 users" in out


def test_a_restart_without_load_serves_the_account_that_was_loaded(tmp_path, capsys) -> None:
    db = tmp_path / "state.db"
    assert serve("--db", str(db), "--load", str(DEMO)) == 0
    capsys.readouterr()
    assert serve("--db", str(db)) == 0
    out = capsys.readouterr().out
    assert f"(account {DEMO_ACCOUNT}, database {db})" in out
    assert f"database {db}: holds account {DEMO_ACCOUNT} (6 users" in out
    assert "--load not given: serving the database as it is" in out
    assert "root credentials" not in out  # the stored root key is kept, not made anew


def test_load_into_a_database_already_holding_the_account_is_refused_without_replace(tmp_path, capsys) -> None:
    db = tmp_path / "state.db"
    assert serve("--db", str(db), "--load", str(DEMO)) == 0
    capsys.readouterr()
    variant = demo_variant(tmp_path, drop="erin", add="newcomer")
    assert serve("--db", str(db), "--load", str(variant)) == 2
    err = capsys.readouterr().err
    assert f"already holds account {DEMO_ACCOUNT}" in err and "--replace" in err
    assert "erin" in users_in(db) and "newcomer" not in users_in(db)  # nothing was added


def test_replace_puts_the_file_in_place_of_the_account_data(tmp_path, capsys) -> None:
    db = tmp_path / "state.db"
    assert serve("--db", str(db), "--load", str(DEMO)) == 0
    capsys.readouterr()
    variant = demo_variant(tmp_path, drop="erin", add="newcomer")
    assert serve("--db", str(db), "--load", str(variant), "--replace") == 0
    out = capsys.readouterr().out
    assert f"--load applied: replaced with {variant}" in out
    expected = sorted(u["UserName"] for u in json.loads(variant.read_text())["UserDetailList"])
    assert users_in(db) == expected


def test_a_replace_whose_load_fails_keeps_the_old_data(tmp_path, capsys) -> None:
    db = tmp_path / "state.db"
    assert serve("--db", str(db), "--load", str(DEMO)) == 0
    before = users_in(db)
    data = json.loads(DEMO.read_text())
    data["UserDetailList"][0]["AttachedManagedPolicies"] = [
        {"PolicyName": "Missing", "PolicyArn": f"arn:aws:iam::{DEMO_ACCOUNT}:policy/Missing"}]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    capsys.readouterr()
    assert serve("--db", str(db), "--load", str(broken), "--replace") == 2
    assert "NoSuchEntity" in capsys.readouterr().err
    assert users_in(db) == before


def test_replace_without_load_is_refused(tmp_path, capsys) -> None:
    assert serve("--db", str(tmp_path / "state.db"), "--replace") == 2
    assert "--replace needs --load" in capsys.readouterr().err


def test_another_account_id_on_an_existing_database_is_refused_naming_both(tmp_path, capsys) -> None:
    db = tmp_path / "state.db"
    assert serve("--db", str(db), "--account-id", "111111111111") == 0
    capsys.readouterr()
    assert serve("--db", str(db), "--account-id", "222222222222") == 2
    err = capsys.readouterr().err
    assert "111111111111" in err and "222222222222" in err
    s = Store(db)
    try:
        assert s.accounts() == ["111111111111"]  # no second account was added
    finally:
        s.close()


def test_the_root_key_given_again_for_another_account_is_refused_not_a_traceback(tmp_path, capsys) -> None:
    db = tmp_path / "state.db"
    key = ["--root-access-key-id", "AKIAIOSFODNN7EXAMPLE",
           "--root-secret-access-key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]
    assert serve("--db", str(db), "--account-id", "111111111111", *key) == 0
    capsys.readouterr()
    assert serve("--db", str(db), "--account-id", "222222222222", *key) == 2
    assert "created for account 111111111111, not 222222222222" in capsys.readouterr().err


def test_a_root_key_id_already_used_by_a_user_key_is_a_usage_error(tmp_path, capsys) -> None:
    db = tmp_path / "state.db"
    s = Store(db)
    s.bind_account(DEMO_ACCOUNT)
    s.create_user(DEMO_ACCOUNT, "alice")
    user_key = s.create_access_key(DEMO_ACCOUNT, "alice")
    s.close()
    assert serve("--db", str(db), "--root-access-key-id", user_key["AccessKeyId"],
                 "--root-secret-access-key", "x" * 40) == 2
    assert "EntityAlreadyExists" in capsys.readouterr().err


def test_the_key_file_can_be_placed_by_flag_or_environment(tmp_path, capsys, monkeypatch) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    assert serve("--db", str(tmp_path / "a.db"), "--key-file", str(keys / "a.key")) == 0
    monkeypatch.setenv("IAMWARDEN_KEY_FILE", str(keys / "b.key"))
    assert serve("--db", str(tmp_path / "b.db")) == 0
    assert (keys / "a.key").exists() and (keys / "b.key").exists()
    assert not (tmp_path / "a.db.key").exists() and not (tmp_path / "b.db.key").exists()


def test_a_missing_key_file_stops_serve_with_what_to_restore(tmp_path, capsys) -> None:
    db = tmp_path / "state.db"
    assert serve("--db", str(db)) == 0
    (tmp_path / "state.db.key").unlink()
    capsys.readouterr()
    assert serve("--db", str(db)) == 2
    err = capsys.readouterr().err
    assert "state.db.key" in err and "restore" in err
    assert not (tmp_path / "state.db.key").exists()


def test_rotate_key_reseals_and_exits_without_serving(tmp_path, capsys) -> None:
    db = tmp_path / "state.db"
    assert serve("--db", str(db), "--load", str(DEMO)) == 0
    old_key = (tmp_path / "state.db.key").read_bytes()
    capsys.readouterr()
    assert main(["serve", "--db", str(db), "--rotate-key"]) == 0
    out = capsys.readouterr().out
    assert "re-sealed under new master key m2" in out and "endpoint on" not in out
    assert (tmp_path / "state.db.key").read_bytes() != old_key
    assert serve("--db", str(db)) == 0  # and it serves with the new key


def test_rotate_key_on_a_database_that_does_not_exist_is_refused(tmp_path, capsys) -> None:
    assert main(["serve", "--db", str(tmp_path / "none.db"), "--rotate-key"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_rotate_key_is_refused_while_the_database_is_in_use(tmp_path, capsys) -> None:
    db = tmp_path / "state.db"
    running = Store(db)
    try:
        assert main(["serve", "--db", str(db), "--rotate-key"]) == 2
        assert "running iamwarden serve" in capsys.readouterr().err
    finally:
        running.close()


def test_region_that_is_not_a_region_name_is_a_usage_error_before_any_file(tmp_path, capsys) -> None:
    db = tmp_path / "state.db"
    assert serve("--db", str(db), "--region", "mars-1") == 2
    assert "--region: 'mars-1' is not a region name" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_region_flag_is_announced(tmp_path, capsys) -> None:
    assert serve("--db", str(tmp_path / "state.db"), "--region", "eu-west-1", "--region", "us-east-1") == 0
    assert "regions served: eu-west-1, us-east-1" in capsys.readouterr().out


def test_a_failed_first_start_leaves_no_database_or_key_file(tmp_path, capsys) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        db = tmp_path / "state.db"
        assert main(["serve", "--port", str(port), "--db", str(db), "--load", str(DEMO)]) == 2
    assert "cannot listen on 127.0.0.1:" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_failed_restart_keeps_the_database(tmp_path, capsys) -> None:
    import socket

    db = tmp_path / "state.db"
    assert serve("--db", str(db), "--load", str(DEMO)) == 0
    before = sorted(p.name for p in tmp_path.iterdir())
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["serve", "--port", str(busy.getsockname()[1]), "--db", str(db)]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert "alice" in users_in(db)


def _session_works(db: Path, creds: dict) -> str:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    from iamwarden.server.endpoint import Endpoint

    with Endpoint(db, account_id=DEMO_ACCOUNT) as ep:
        sts = boto3.client("sts", endpoint_url=ep.endpoint_url, region_name="us-east-1",
                           aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                           aws_session_token=creds["SessionToken"], config=Config(retries={"max_attempts": 1}))
        try:
            return str(sts.get_caller_identity()["Arn"])
        except ClientError as e:
            return str(e.response["Error"]["Code"])


@pytest.mark.e2e
@pytest.mark.timeout(120)
def test_rotate_token_key_keeps_issued_sessions_and_retiring_refuses_them(tmp_path, capsys) -> None:
    import boto3

    from iamwarden.server.endpoint import Endpoint

    db = tmp_path / "state.db"
    key, secret = "AKIATOKENROTATION001", "token/rotation/secret/000000000000000000"
    with Endpoint(db, account_id=DEMO_ACCOUNT, load=[str(DEMO)], root_access_key_id=key,
                  root_secret_access_key=secret) as ep:
        iam = boto3.client("iam", endpoint_url=ep.endpoint_url, region_name="us-east-1",
                           aws_access_key_id=key, aws_secret_access_key=secret)
        ak = iam.create_access_key(UserName="alice")["AccessKey"]
        sts = boto3.client("sts", endpoint_url=ep.endpoint_url, region_name="us-east-1",
                           aws_access_key_id=ak["AccessKeyId"], aws_secret_access_key=ak["SecretAccessKey"])
        creds = sts.get_session_token()["Credentials"]
    alice = f"arn:aws:iam::{DEMO_ACCOUNT}:user/alice"
    assert _session_works(db, creds) == alice
    assert main(["serve", "--db", str(db), "--rotate-token-key"]) == 0
    assert "sealed under token key k2; earlier keys kept (k1)" in capsys.readouterr().out
    assert _session_works(db, creds) == alice  # issued sessions live on
    assert main(["serve", "--db", str(db), "--rotate-token-key", "--retire-old-token-keys"]) == 0
    assert "earlier keys retired" in capsys.readouterr().out
    assert _session_works(db, creds) == "InvalidClientTokenId"


def test_rotate_token_key_is_refused_while_the_database_is_in_use(tmp_path, capsys) -> None:
    db = tmp_path / "state.db"
    assert serve("--db", str(db)) == 0
    running = Store(db)
    try:
        assert main(["serve", "--db", str(db), "--rotate-token-key"]) == 2
        assert "stop it, then rotate the token key" in capsys.readouterr().err
    finally:
        running.close()


def test_retire_old_token_keys_alone_is_a_usage_error(tmp_path, capsys) -> None:
    assert main(["serve", "--db", str(tmp_path / "x.db"), "--retire-old-token-keys"]) == 2
    assert "goes with --rotate-token-key" in capsys.readouterr().err


def test_serve_in_process_restores_the_sigterm_handler(tmp_path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    assert serve("--db", str(tmp_path / "state.db")) == 0
    assert signal.getsignal(signal.SIGTERM) is before


def test_status_lines_follow_iamwarden_lang(tmp_path, capsys, monkeypatch) -> None:
    """``serve`` answers in AWS's wire protocol, but what it prints for a person follows ``IAMWARDEN_LANG``."""
    monkeypatch.setenv("IAMWARDEN_LANG", "ja")
    db = tmp_path / "state.db"
    assert serve("--db", str(db), "--load", str(DEMO), "--region", "us-east-1") == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("iamwarden エンドポイント: http://127.0.0.1:")
    assert f"データベース {db}: 新規、アカウント {DEMO_ACCOUNT} 用" in captured.out
    assert f"アカウント {DEMO_ACCOUNT} (ユーザー 6、" in captured.out
    assert "提供するリージョン: us-east-1" in captured.out and "ルートの認証情報" in captured.out
    assert captured.err.strip() == "停止しました"


def test_rotation_lines_follow_iamwarden_lang(tmp_path, capsys, monkeypatch) -> None:
    db = tmp_path / "state.db"
    assert serve("--db", str(db), "--load", str(DEMO)) == 0
    monkeypatch.setenv("IAMWARDEN_LANG", "ja")
    capsys.readouterr()
    assert main(["serve", "--db", str(db), "--rotate-key"]) == 0
    assert "新しいマスターキー m2" in capsys.readouterr().out
    assert main(["serve", "--db", str(db), "--rotate-token-key"]) == 0
    assert "新しいセッショントークンはトークンキー" in capsys.readouterr().out
