"""JSON report: the audit result's ``to_json()`` shape, written as is (see analysis/result.py)."""

from __future__ import annotations

import json
from typing import Any


def render(result_json: dict[str, Any]) -> str:
    return json.dumps(result_json, indent=2, sort_keys=False) + "\n"
