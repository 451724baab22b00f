"""Hostile case lists for ``iamwarden check --case`` (spec §1.4): whatever a list holds, every
entry gets its own decision or its own error object, in order, and nothing raises."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamwarden.evaluation import authorize
from iamwarden.loaders.cases import Case, CaseError, load_cases

EXAMPLES = int(os.environ.get("IAMWARDEN_FUZZ_EXAMPLES", "200"))
A = "arn:aws:iam::111122223333"

GOOD: dict[str, Any] = {
    "id": "good",
    "policies": {
        "identity": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],
        "resource": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": {"AWS": f"{A}:user/*"}, "Action": "s3:*", "Resource": "*"}]}],
    },
    "request": {"principal": f"{A}:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
                "context": {"aws:SecureTransport": "true"}},
}

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)

FIELDS = [("id",), ("policies",), ("policies", "identity"), ("policies", "resource"), ("policies", "boundary"),
          ("policies", "session"), ("policies", "scp"), ("request",), ("request", "principal"),
          ("request", "action"), ("request", "resource"), ("request", "context"),
          ("request", "resource_account"), ("request", "principal_entity")]


@st.composite
def cases(draw: Any) -> Any:
    """A good case with one field replaced by junk, or junk outright."""
    if draw(st.booleans()):
        return draw(json_values)
    case = json.loads(json.dumps(GOOD))
    where = draw(st.sampled_from(FIELDS))
    target = case
    for k in where[:-1]:
        target = target[k]
    target[where[-1]] = draw(json_values)
    return case


@pytest.mark.timeout(120)
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(st.lists(cases(), min_size=1, max_size=5))
def test_every_case_of_a_hostile_list_gets_a_decision_or_an_error(tmp_path: Path, raw: list[Any]) -> None:
    f = tmp_path / "cases.json"
    f.write_text(json.dumps(raw + [GOOD]))
    got, is_list = load_cases(f)
    assert is_list and len(got) == len(raw) + 1
    for c in got:
        assert isinstance(c, (Case, CaseError))
        if isinstance(c, Case):
            authorize(c.request, c.policies)  # total: never raises
        else:
            assert str(c)
    last = got[-1]
    assert isinstance(last, Case)
    d = authorize(last.request, last.policies)
    # the wildcard principal entry matches nothing: the Deny does not apply, and it is reported
    assert d.decision == "Allow" and any("wildcards" in e for e in d.errors)
