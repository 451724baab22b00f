"""IW001's "who can actually assume it": a count and a bounded sample unless --full-lists (issue 15, item 3)."""

from __future__ import annotations

import json

from iamwarden.analysis.result import RELATED_SAMPLE
from iamwarden.cli import main
from iamwarden.scale import WorldSource, audit_world

from .conftest import NOW


def test_related_sample_bounded_with_count(org_dir):
    result = audit_world(WorldSource.from_paths([org_dir], NOW), jobs=1)
    cut = result.to_json()["findings"]
    full = result.to_json(full_lists=True)["findings"]
    assert len(cut) == len(full)
    long = [(c, f) for c, f in zip(cut, full, strict=True) if len(f["related"]) > RELATED_SAMPLE]
    assert long, "the generated organization should have an IW001 with many who can assume the role"
    for c, f in long:
        assert c["related"] == f["related"][:RELATED_SAMPLE]
        assert c["related_count"] == len(f["related"])
        assert "related_count" not in f
    for c, f in zip(cut, full, strict=True):
        if len(f["related"]) <= RELATED_SAMPLE:
            assert c == f


def test_cli_full_lists_json_and_text(org_dir, tmp_path, capsys):
    short, full = tmp_path / "short.json", tmp_path / "full.json"
    assert main(["audit", str(org_dir), "--format", "json", "-o", str(short)]) == 0
    assert main(["audit", str(org_dir), "--format", "json", "--full-lists", "-o", str(full)]) == 0
    s, f = json.loads(short.read_text()), json.loads(full.read_text())
    iw = [x for x in f["findings"] if x["id"] == "IW001" and len(x["related"]) > RELATED_SAMPLE]
    assert iw
    assert sum(len(x["related"]) for x in f["findings"]) > sum(len(x["related"]) for x in s["findings"])
    capsys.readouterr()
    assert main(["audit", str(org_dir), "--full-lists"]) == 0
    text = capsys.readouterr().out
    assert f"who can assume it ({len(iw[0]['related'])}):" in text
    assert all(f"      {a}" in text for a in iw[0]["related"])
    assert main(["audit", str(org_dir)]) == 0
    assert "who can assume it (" not in capsys.readouterr().out
