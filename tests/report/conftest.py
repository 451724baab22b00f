"""Fixtures for the report renderers: a hand-built audit result (tests/report/sample_result.json).

The sample has users and roles in one account, a 3-hop path (dave -> ci-deployer ->
lambda-ops -> AdminRole), a self-escalation (carol, D10), a mutual-trust loop,
and findings of every severity.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

SAMPLE = Path(__file__).with_name("sample_result.json")
_SAMPLE: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))

EVIL = '<script>alert("x")</script>'


@pytest.fixture
def sample_result() -> dict[str, Any]:
    return copy.deepcopy(_SAMPLE)


@pytest.fixture
def hostile_result(sample_result: dict[str, Any]) -> dict[str, Any]:
    """The sample with script tags and quotes in an ARN, a message, a fix and a reason."""
    r = sample_result
    evil_arn = f"arn:aws:iam::111122223333:user/{EVIL}"
    r["principals"].append({"arn": evil_arn, "type": "user", "admin": False, "can_escalate": True,
                            "paths": [{"steps": [{"from": evil_arn,
                                                  "to": "arn:aws:iam::111122223333:role/AdminRole",
                                                  "technique": "D15", "technique_name": EVIL,
                                                  "reason": EVIL, "statements": [
                                                      {"policy": EVIL, "statement": 0, "sid": EVIL,
                                                       "effect": "Allow"}]}]}]})
    r["findings"].append({"id": "IW005", "severity": "high", "arn": evil_arn,
                          "message": f"message {EVIL}", "fix": f"fix {EVIL}"})
    r["accounts"].append(EVIL)
    return r
