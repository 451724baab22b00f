"""``iamwarden playground``: starts on loopback, prints its address, refuses unusable input (exit 2)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from iamwarden.cli import COMMAND_MODULES, main

REPO = Path(__file__).resolve().parents[2]
DEMO = str(REPO / "examples" / "demo-account.json")


def test_playground_is_a_registered_command():
    assert "playground" in COMMAND_MODULES


def test_playground_with_an_account_that_does_not_load_is_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["playground", "--no-open", "--port", "0", "--account", str(bad)]) == 2
    assert "bad.json" in capsys.readouterr().err


def test_playground_with_a_port_out_of_range_is_exit_2(capsys):
    assert main(["playground", "--no-open", "--port", "70000"]) == 2
    assert "--port 70000" in capsys.readouterr().err


@pytest.mark.e2e
def test_playground_serves_the_page_on_loopback_until_interrupted():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("iamwarden")), "playground", "--port", "0", "--no-open",
                             "--account", DEMO], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        assert m, line
        with urllib.request.urlopen(m.group(1), timeout=30) as r:
            assert r.status == 200 and b"iamwarden playground" in r.read()
        with urllib.request.urlopen(m.group(1) + "api/account", timeout=30) as r:
            assert json.loads(r.read())["sources"] == [DEMO]
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
