"""Every vector of ``conformance/decisions.json`` decides as AWS does (spec §8)."""

from __future__ import annotations

import json

import pytest

from iamwarden.evaluation import authorize
from iamwarden.loaders.cases import case_from_dict
from tests.conftest import CONFORMANCE

_VECTORS = json.loads((CONFORMANCE / "decisions.json").read_text())


def test_conformance_vectors_present():
    assert len(_VECTORS) >= 60, "decisions.json missing or truncated"


@pytest.mark.parametrize("raw", _VECTORS, ids=[v["id"] for v in _VECTORS])
def test_decision_vector(raw):
    case = case_from_dict(raw)
    d = authorize(case.request, case.policies)
    assert d.decision == raw["expected"], f"{raw['id']}: {raw['why']}\nreasons={d.to_json()}"
    assert not d.errors
    # the why is always given: an Allow names at least one allowing statement,
    # an ExplicitDeny at least one Deny statement
    if d.decision == "Allow":
        assert d.reasons
    if d.decision == "ExplicitDeny":
        assert any(r.effect == "Deny" for r in d.reasons)
