"""``audit --engine ray``: the same report on a local Ray cluster (issue 15, item 2)."""

from __future__ import annotations

import builtins
import json

import pytest

from iamwarden.cli import main
from iamwarden.scale import EngineUnavailable, WorldSource, audit_world

from .conftest import NOW


@pytest.fixture(scope="module")
def ray_cluster():
    """A local Ray cluster of 2 CPUs, started once for this module."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.timeout(120)
def test_ray_engine_identical_json(ray_cluster, org_dir, tmp_path, capsys):
    src = WorldSource.from_paths([org_dir], NOW)
    one = json.dumps(audit_world(src, jobs=1).to_json(full_lists=True))
    on_ray = json.dumps(audit_world(src, engine="ray").to_json(full_lists=True))
    assert on_ray == one
    assert ray_cluster.is_initialized()  # a cluster the caller started is left running
    # and through the CLI (JSON without the clock-dependent parts is the same as in-process)
    f1, f2 = tmp_path / "local.json", tmp_path / "ray.json"
    assert main(["audit", str(org_dir), "--format", "json", "--jobs", "1", "-o", str(f1)]) == 0
    assert main(["audit", str(org_dir), "--format", "json", "--engine", "ray", "-o", str(f2)]) == 0
    assert json.loads(f1.read_text()) == json.loads(f2.read_text())


@pytest.mark.timeout(120)
def test_ray_engine_identical_json_with_organization_scps(ray_cluster, org_dir, org_file):
    src = WorldSource.from_paths([org_dir], NOW, organization=org_file)
    one = json.dumps(audit_world(src, jobs=1).to_json(full_lists=True))
    assert json.dumps(audit_world(src, engine="ray").to_json(full_lists=True)) == one


def test_ray_missing_says_install_extra(monkeypatch, org_dir, capsys):
    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ModuleNotFoundError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(EngineUnavailable, match=r"install iamwarden\[ray\]"):
        audit_world(WorldSource.from_paths([org_dir], NOW), engine="ray")
    assert main(["audit", str(org_dir), "--engine", "ray"]) == 2
    err = capsys.readouterr().err
    assert "install iamwarden[ray]" in err


@pytest.mark.timeout(120)
def test_ray_engine_split_search_cross_account_groups(ray_cluster):
    """The split search on Ray actors, on the cross-account case whose D15 group order the
    part owning the role cannot know (``test_split_search``); one small audit (a minute in all)."""
    from .test_split_search import _interleaved_groups

    src = _interleaved_groups()
    one = json.dumps(audit_world(src, jobs=1).to_json(full_lists=True))
    assert json.dumps(audit_world(src, engine="ray").to_json(full_lists=True)) == one
