"""``iamwarden serve --oidc-jwks ISSUER=FILE`` (docs/decisions/sts-oidc-keys.md)."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from iamwarden.cli import main
from iamwarden.oidc_issuer import OidcIssuer
from iamwarden.store import Store

GH = "https://token.actions.githubusercontent.com"


@pytest.fixture(autouse=True)
def stop_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(signal, "pause", interrupt)
    monkeypatch.delenv("IAMWARDEN_KEY_FILE", raising=False)


def test_serve_oidc_jwks_stores_the_issuer_keys(tmp_path: Path) -> None:
    issuer = OidcIssuer()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(issuer.jwks()))
    db = tmp_path / "s.db"
    assert main(["serve", "--port", "0", "--db", str(db), "--oidc-jwks", f"{GH}={jwks}"]) == 0
    s = Store(db)
    try:
        assert s.oidc_jwks("123456789012")["token.actions.githubusercontent.com"]["keys"][0]["kid"] == issuer.kid
    finally:
        s.close()


@pytest.mark.parametrize("arg, words", [
    ("no-equals-sign", "give ISSUER=FILE"),
    ("http://insecure=jwks.json", "give ISSUER=FILE"),
    (f"{GH}=/nonexistent/jwks.json", "cannot read"),
])
def test_serve_oidc_jwks_bad_argument_is_a_usage_error(tmp_path: Path, capsys, arg: str, words: str) -> None:
    assert main(["serve", "--port", "0", "--db", str(tmp_path / "s.db"), "--oidc-jwks", arg]) == 2
    assert words in capsys.readouterr().err


def test_serve_oidc_jwks_private_key_is_refused(tmp_path: Path, capsys) -> None:
    f = tmp_path / "private.json"
    f.write_text(json.dumps({"keys": [{"kty": "RSA", "n": "x", "e": "AQAB", "d": "y"}]}))
    assert main(["serve", "--port", "0", "--db", str(tmp_path / "s.db"), "--oidc-jwks", f"{GH}={f}"]) == 2
    assert "private key" in capsys.readouterr().err
