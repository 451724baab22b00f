"""``policy.glob_witness.common_match``: one string every glob matches, in bounded time."""

from __future__ import annotations

import itertools
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.policy.glob_witness import common_match, common_match_counted
from iamwarden.policy.patterns import compile_glob

_PATTERN = st.text(alphabet="ab*?", max_size=6)


def _brute_shortest(patterns: list[str], longest: int) -> str | None:
    for n in range(longest + 1):
        for chars in itertools.product("abx", repeat=n):
            s = "".join(chars)
            if all(compile_glob(p).match(s) for p in patterns):
                return s
    return None


@settings(max_examples=400, deadline=None)
@given(st.lists(_PATTERN, min_size=1, max_size=3))
def test_common_match_is_a_shortest_common_match(patterns: list[str]) -> None:
    got = common_match(patterns)
    brute = _brute_shortest(patterns, 6)
    if got is not None:
        assert all(compile_glob(p).match(got) for p in patterns)
    if brute is not None:
        assert got is not None and len(got) <= len(brute)
    else:
        assert got is None or len(got) > 6


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="a:*?", max_size=6), min_size=1, max_size=3), st.integers(0, 2))
def test_common_match_with_fixed_colons_still_matches_every_pattern(patterns: list[str], fixed: int) -> None:
    got = common_match(patterns, fixed_colons=fixed)
    if got is not None:
        assert all(compile_glob(p).match(got) for p in patterns)
    if common_match(patterns) is None:  # fixing colons only narrows the search
        assert got is None


def test_fixed_colons_keep_wildcards_within_arn_fields() -> None:
    """Two functions' patterns meet as text through the region's ``*``, not as functions."""
    a, b = "arn:aws:lambda:*:1111:function:a*", "arn:aws:lambda:*:1111:function:b*"
    assert common_match([a, b]) == "arn:aws:lambda::1111:function:b:1111:function:a"
    assert common_match([a, b], fixed_colons=5) is None
    assert common_match([a, "arn:aws:lambda:us-east-1:*:function:*-prod"], fixed_colons=5) == (
        "arn:aws:lambda:us-east-1:1111:function:a-prod")
    # past the header a wildcard may take colons (log streams, qualifiers)
    assert common_match(["arn:aws:logs:*:1:log-group:*", "arn:aws:logs:*:*:log-group:x:*"], fixed_colons=5) == (
        "arn:aws:logs::1:log-group:x:")


def test_common_match_meets_where_patterns_meet() -> None:
    assert common_match(["function:a*", "function:*-prod"]) == "function:a-prod"
    assert common_match(["function:a*", "function:b*"]) is None
    assert common_match(["arn:aws:lambda:*:1111:function:*", "*"]) == "arn:aws:lambda::1111:function:"


def test_common_match_is_bounded_on_hostile_patterns() -> None:
    t = time.process_time()
    assert common_match(["*" * 100_000 + "a", "b" + "*" * 100_000]) == "ba"  # star runs collapse
    assert common_match(["*?" * 2_000, "?*" * 2_000, "*x*" * 1_000]) is None  # over the state limit
    assert common_match(["a"] * 9) is None  # more patterns than one search takes
    assert time.process_time() - t < 10  # a generous bound: the limits make it well under a second


def test_common_match_counted_reports_states_within_its_limit() -> None:
    """What a caller sharing one budget among searches is charged: at most the limit, the same
    whether the answer was memoised or not."""
    hard = ["*?" * 200, "?*" * 200, "*x*" * 60]
    first = common_match_counted(hard, limit=500)
    assert first[0] is None and first[1] == 500
    assert common_match_counted(hard, limit=500) == first  # memoised: the same charge
    name, used = common_match_counted(["function:a*", "function:*-prod"])
    assert name == "function:a-prod" and 0 < used < 100
