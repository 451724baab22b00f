"""One rule for assembling a world, from files and from documents sent to workers (``world_of``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamwarden.loaders.authz_details import LoadError, load_world
from iamwarden.scale.source import WorldSource

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-account.json"


def test_an_account_loaded_twice_is_refused_naming_both_files(tmp_path: Path) -> None:
    twin = tmp_path / "twin.json"
    twin.write_bytes(DEMO.read_bytes())
    with pytest.raises(LoadError) as e:
        load_world([DEMO, twin])
    assert "already loaded" in str(e.value) and "twin.json" in str(e.value) and "demo-account.json" in str(e.value)


def test_an_account_sent_twice_to_workers_is_refused_the_same_way() -> None:
    raw = DEMO.read_bytes()
    with pytest.raises(LoadError) as e:
        WorldSource.of([("first.json", raw), ("second.json", raw)]).world()
    assert "already loaded" in str(e.value) and "second.json" in str(e.value) and "first.json" in str(e.value)


def test_no_account_at_all_is_refused() -> None:
    with pytest.raises(LoadError, match="no account files given"):
        WorldSource.of([]).world()
    with pytest.raises(LoadError, match="no account files given"):
        load_world([])


def test_files_and_documents_give_the_same_world() -> None:
    from_files = load_world([DEMO])
    from_documents = WorldSource.of([(str(DEMO), DEMO.read_bytes())]).world()
    assert list(from_files.accounts) == list(from_documents.accounts)
