"""The ``aws`` extra: boto3 is needed only by ``collect``, ``--endpoint`` and the fixture's clients, and they say so."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from iamwarden.cli import main

REPO = Path(__file__).resolve().parents[2]
DEMO = str(REPO / "examples" / "demo-account.json")
A = "arn:aws:iam::111122223333"


def _name(requirement: str) -> str:
    return requirement.split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower()


def test_aws_extra_is_boto3_and_the_test_extra_keeps_everything() -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    aws = {_name(r) for r in extras["aws"]}
    assert aws == {"boto3"}
    assert aws <= {_name(r) for r in extras["test"]}


@pytest.mark.parametrize("argv", [
    ["collect"],
    ["audit", "--endpoint", "http://127.0.0.1:9"],
    ["who-can", "--endpoint", "http://127.0.0.1:9", "--action", "s3:GetObject"],
    ["path", f"{A}:user/a", f"{A}:user/b", "--endpoint", "http://127.0.0.1:9"],
])
def test_commands_needing_boto3_say_install_the_aws_extra(monkeypatch, capsys, argv: list[str]) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 now raises ModuleNotFoundError
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2 and "needs boto3" in err and "iamwarden[aws]" in err and "Traceback" not in err


def test_endpoint_client_without_boto3_says_install_the_aws_extra(monkeypatch) -> None:
    from iamwarden.testing import RunningEndpoint

    monkeypatch.setitem(sys.modules, "boto3", None)
    ep = RunningEndpoint("http://127.0.0.1:9", "123456789012", "AKIA", "secret", endpoint=None)  # type: ignore[arg-type]
    with pytest.raises(ModuleNotFoundError, match=r"iamwarden\[aws\]"):
        ep.client("sts")


BLOCK_BOTO3 = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "boto3" or name.startswith("boto3."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Block())
from iamwarden.cli import main
codes = [main(a) for a in ARGS]
assert "boto3" not in sys.modules, "boto3 was imported"
print(codes)
"""


def test_offline_commands_run_without_boto3() -> None:
    """A fresh interpreter where boto3 cannot be imported: check, explain, validate, audit, who-can, path work."""
    args = [
        ["check", "--account", DEMO, "--principal", f"{A}:user/bob", "--action", "sts:AssumeRole",
         "--resource", f"{A}:role/AuditRole"],
        ["explain", "--account", DEMO, "--principal", f"{A}:user/alice", "--role", f"{A}:role/AdminRole"],
        ["audit", DEMO],
        ["who-can", "--account", DEMO, "--action", "iam:CreateUser"],
        ["path", f"{A}:user/alice", f"{A}:role/AdminRole", "--account", DEMO],
        ["validate", str(REPO / "pyproject.toml"), "--fail-on", "none"],
    ]
    code = BLOCK_BOTO3.replace("ARGS", repr(args))
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines()[-1] == "[0, 0, 0, 0, 0, 0]"
