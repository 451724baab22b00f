"""Hostile input: many-star patterns cannot make the diff run past its time budget (answer: unknown, never wrong)."""

from __future__ import annotations

import time

import pytest

from iamwarden.diff import FAILS, HOLDS, UNKNOWN, check_no_new_access, engine_decision
from iamwarden.policy.document import parse_policy


def _policy(patterns, effect="Allow"):
    return parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Action": "s3:GetObject", "Resource": patterns,
         "Condition": {"StringLike": {"s3:prefix": patterns}}}]})


@pytest.mark.timeout(60)
def test_many_star_patterns_stay_within_budget():
    stars = ["*a*" * 40 + "b", "*?*" * 40, "a*" * 60 + "?" * 30]
    old = _policy(stars)
    new = _policy(stars + ["*" + "a*b*" * 50 + "c"])
    t = time.monotonic()
    answer = check_no_new_access([old], [new], budget_ms=2_000)
    # 2 s to solve, a little more for the tidier example and the engine's confirmation
    assert time.monotonic() - t < 15
    assert answer.result in (HOLDS, FAILS, UNKNOWN)
    if answer.result == FAILS:
        assert engine_decision([new], answer.example).allowed
        assert not engine_decision([old], answer.example).allowed
    if answer.result == UNKNOWN:
        assert answer.reason
