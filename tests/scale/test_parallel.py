"""``audit`` on worker processes gives the same report as in one process (issue 15, item 1)."""

from __future__ import annotations

import json

import pytest

from iamwarden.cli import main
from iamwarden.scale import WorldSource, audit_world, driver
from iamwarden.scale.local import LocalEngine

from .conftest import EXAMPLES, NOW


def _json(source: WorldSource, **kw) -> str:
    return json.dumps(audit_world(source, **kw).to_json(full_lists=True), sort_keys=False)


def test_parallel_identical_json_bundled_examples():
    src = WorldSource.from_paths([EXAMPLES], NOW)
    one = _json(src, jobs=1)
    assert json.loads(one)["summary"]["principals"] > 0
    assert _json(src, jobs=2, min_principals=0) == one


def test_parallel_identical_json_generated_organization(org_dir):
    src = WorldSource.from_paths([org_dir], NOW)
    one = _json(src, jobs=1)
    data = json.loads(one)
    assert len(data["accounts"]) == 4
    # the organization has cross-account escalation steps (the global step must follow them)
    cross = [e for e in data["edges"] if e["from"].split(":")[4] != e["to"].split(":")[4]]
    assert cross, "the generated organization should have cross-account edges"
    assert data["summary"]["can_escalate"] > 0 and any(f["id"] == "IW001" for f in data["findings"])
    assert _json(src, jobs=2, min_principals=0) == one
    assert _json(src, jobs=3, min_principals=0) == one  # more shards than cores: same answer


def test_parallel_identical_json_spawn_start_method(org_dir):
    """Spawn-safe: workers that share nothing with the driver rebuild the world from the source."""
    src = WorldSource.from_paths([org_dir], NOW)
    assert _json(src, jobs=2, min_principals=0, start_method="spawn") == _json(src, jobs=1)


def test_small_inputs_skip_worker_processes(monkeypatch):
    """Below PARALLEL_MIN_PRINCIPALS no worker starts (start-up would cost more than the audit)."""
    def refuse(*a, **k):
        raise AssertionError("a worker pool was started for a small input")

    monkeypatch.setattr(LocalEngine, "__init__", refuse)
    src = WorldSource.from_paths([EXAMPLES], NOW)
    assert audit_world(src, jobs=2).to_json()["summary"]["principals"] > 0
    monkeypatch.setattr(driver, "PARALLEL_MIN_PRINCIPALS", 0)
    with pytest.raises(AssertionError, match="worker pool"):
        audit_world(src, jobs=2)


def test_cli_jobs_gives_identical_report(org_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(driver, "PARALLEL_MIN_PRINCIPALS", 0)
    outs = []
    for jobs in ("1", "2"):
        f = tmp_path / f"j{jobs}.json"
        assert main(["audit", str(org_dir), "--format", "json", "--jobs", jobs, "-o", str(f)]) == 0
        data = json.loads(f.read_text())
        outs.append(data)
    assert outs[0] == outs[1]


@pytest.mark.parametrize("argv, needle", [
    (["--jobs", "0"], "--jobs 0"),
    (["--address", "auto"], "--address is for --engine ray"),
])
def test_cli_bad_parallel_options_exit_2(argv, needle, capsys):
    assert main(["audit", str(EXAMPLES), *argv]) == 2
    assert needle in capsys.readouterr().err


def test_parallel_identical_json_with_organization_scps(org_dir, org_file):
    """The organization's SCPs travel with the documents: forked and spawned workers apply
    them as the driver does (and they do change the answer)."""
    src = WorldSource.from_paths([org_dir], NOW, organization=org_file)
    one = _json(src, jobs=1)
    assert one != _json(WorldSource.from_paths([org_dir], NOW), jobs=1)
    assert json.loads(one)["organization"] is not None
    assert _json(src, jobs=2, min_principals=0) == one
    assert _json(src, jobs=2, min_principals=0, start_method="spawn") == one


def test_cli_org_with_jobs_gives_identical_report(org_dir, org_file, tmp_path, monkeypatch):
    monkeypatch.setattr(driver, "PARALLEL_MIN_PRINCIPALS", 0)
    outs = []
    for jobs in ("1", "2"):
        f = tmp_path / f"org-j{jobs}.json"
        assert main(["audit", str(org_dir), "--org", str(org_file), "--format", "json", "--jobs", jobs,
                     "-o", str(f)]) == 0
        outs.append(json.loads(f.read_text()))
    assert outs[0] == outs[1]


def test_cli_resources_with_ray_exit_2(org_dir, tmp_path, capsys):
    assert main(["audit", str(org_dir), "--resources", str(EXAMPLES / "organization" / "resources"),
                 "--engine", "ray"]) == 2
    assert "--resources runs with --engine local for now" in capsys.readouterr().err


def test_cli_bad_org_file_named_as_org(org_dir, tmp_path, capsys):
    bad = tmp_path / "org.json"
    bad.write_text('{"Organization": {}}')
    assert main(["audit", str(org_dir), "--org", str(bad), "--jobs", "2"]) == 2
    assert "--org" in capsys.readouterr().err


def test_world_takes_accounts_parsed_ahead_by_name_and_bytes():
    """A worker parses its own accounts while the driver indexes (``tasks.preparse_task``); the
    share's world then takes those, matched by name and the SHA-256 of the bytes."""
    import hashlib

    from iamwarden.loaders.authz_details import account_from_bytes

    src = WorldSource.from_paths([EXAMPLES / "organization" / "accounts"], NOW)
    name, raw = src.accounts[0]
    ahead = account_from_bytes(raw, name)
    w = src.world({(name, hashlib.sha256(raw).digest()): ahead})
    assert any(a is ahead for a in w.accounts.values())
    other = src.world({(name, hashlib.sha256(raw + b" ").digest()): ahead})  # other bytes: parsed anew
    assert not any(a is ahead for a in other.accounts.values())
    assert _json(WorldSource.of(src.accounts, NOW), jobs=1) == _json(src, jobs=1)
