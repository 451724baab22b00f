"""The CI integration files parse, and the commands they run exist with the flags they use:
``examples/ci/github-actions.yml`` and ``.pre-commit-hooks.yaml``."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from iamwarden.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "examples" / "plans" / "terraform"


def iamwarden_commands(script: str) -> list[list[str]]:
    """Every ``iamwarden …`` command of a shell script, cut at ``||``, ``|``, ``;`` and ``&&``."""
    out = []
    for line in script.splitlines():
        for part in re.split(r"\|\||&&|;|\|", line):
            words = shlex.split(part.strip(), posix=True)
            if words and words[0] == "iamwarden":
                out.append(words[1:])
    return out


def test_github_actions_example_parses_and_its_iamwarden_commands_exist():
    wf = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text())
    assert wf["name"] and wf["jobs"]
    steps = [s for job in wf["jobs"].values() for s in job["steps"]]
    commands = [c for s in steps if "run" in s for c in iamwarden_commands(s["run"])]
    assert [c[0] for c in commands] == ["collect", "plan", "plan"]
    parser = build_parser()
    for argv in commands:
        args = parser.parse_args(argv)  # an unknown flag exits 2 here
        assert args.func is not None
    formats = {parser.parse_args(c).format for c in commands if c[0] == "plan"}
    assert formats == {"sarif", "markdown"}
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert uploads and uploads[0]["with"]["sarif_file"] == "iamwarden.sarif"


def test_the_example_workflow_is_not_under_dot_github():
    assert not (ROOT / ".github" / "workflows" / "github-actions.yml").exists()


def hooks():
    return {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def run_hook(hook, files, cwd):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    argv = shlex.split(hook["entry"]) + [str(f) for f in files]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_pre_commit_hooks_parse_with_the_fields_pre_commit_needs():
    hs = hooks()
    assert set(hs) == {"iamwarden-validate", "iamwarden-plan"}
    for h in hs.values():
        assert {"id", "name", "entry", "language"} <= set(h)
        assert h["language"] == "python"
        re.compile(h["files"])
    assert re.search(hs["iamwarden-plan"]["files"], "infra/admin-role.tfplan.json")
    assert re.search(hs["iamwarden-validate"]["files"], "iam/policies/deploy.json")


def test_pre_commit_validate_hook_runs_each_file(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}))
    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}')
    h = hooks()["iamwarden-validate"]
    assert run_hook(h, [good], tmp_path).returncode == 0
    assert run_hook(h, [good, bad], tmp_path).returncode == 1


@pytest.mark.parametrize("plans,status", [(["admin-role"], 1), (["admin-role", "unknown-values"], 2)])
def test_pre_commit_plan_hook_fails_with_the_worst_status(tmp_path, plans, status):
    r = run_hook(hooks()["iamwarden-plan"], [TF / f"{p}.tfplan.json" for p in plans], tmp_path)
    assert r.returncode == status, r.stderr
    assert "NEW RISK" in r.stdout
