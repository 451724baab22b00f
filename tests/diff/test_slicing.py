"""``diff/slicing.py``: the sliced alternatives are exactly ``new.allowed ∧ ¬old.allowed`` (z3 proves
the equivalence over the whole request space), shared statements cancel, slicing keeps only
statements of the same services."""

from __future__ import annotations

import copy

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamwarden.diff import HOLDS, check_no_new_access
from iamwarden.diff.encode import encode_policies
from iamwarden.diff.slicing import no_new_access_goals
from iamwarden.diff.space import MAX_SLOTS, build_space
from iamwarden.policy.document import parse_policy

from .test_property import statement

MUTATIONS = ["widen-action", "widen-resource", "drop", "add", "flip", "sid", "none"]


def mutate(old: list[dict], how: str, k: int, extra: dict) -> list[dict]:
    new = copy.deepcopy(old)
    k %= len(new)
    if how == "widen-action":
        new[k]["Action"] = "*"
    elif how == "widen-resource":
        new[k]["Resource"] = "*"
    elif how == "drop" and len(new) > 1:
        del new[k]
    elif how == "add":
        new.append(extra)
    elif how == "flip":
        new[k]["Effect"] = "Deny" if new[k]["Effect"] == "Allow" else "Allow"
    elif how == "sid":
        new[k]["Sid"] = "Renamed"
    return new


def doc(ss):
    return parse_policy({"Version": "2012-10-17", "Statement": ss})


@pytest.mark.timeout(600)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(statement, min_size=1, max_size=5), st.sampled_from(MUTATIONS), st.integers(0, 10), statement)
def test_sliced_goals_are_equivalent_to_the_whole_formula(old_ss, how, k, extra):
    old, new = doc(old_ss), doc(mutate(old_ss, how, k, extra))
    space = build_space([old, new])
    whole = z3.And(encode_policies(space, [new]).allowed, z3.Not(encode_policies(space, [old]).allowed))
    sliced = z3.Or(*[z3.And(*g) for g in no_new_access_goals(space, [old], [new])])
    s = z3.Solver()
    s.set("timeout", 60_000)
    s.add(*space.domain, whole != sliced)
    assert s.check() == z3.unsat


def test_shared_statements_cancel_so_an_unchanged_policy_needs_no_query():
    ss = [{"Sid": f"S{i}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{i}/*"}
          for i in range(30)]
    renamed = [{**s, "Sid": "X" + s["Sid"]} for s in reversed(ss)]
    old, new = doc(ss), doc(renamed)
    assert no_new_access_goals(build_space([old, new]), [old], [new]) == []


def test_no_goals_holds_even_when_the_search_space_is_capped():
    # more set-operator conditions on one key than the space searches: a solver "no" would not be
    # exact, but an unchanged policy holds by its text alone
    conds = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
              "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": [f"k{i}"]}}} for i in range(MAX_SLOTS + 2)]
    old, new = doc(conds), doc(copy.deepcopy(conds))
    assert check_no_new_access([old], [new]).result == HOLDS
    widened = copy.deepcopy(conds)
    widened[0]["Action"] = "s3:*"
    assert check_no_new_access([old], [doc(widened)]).result != HOLDS


def test_slicing_keeps_only_statements_of_the_same_services():
    others = [{"Effect": "Allow", "Action": f"ec2:Describe{i}", "Resource": "*"} for i in range(20)]
    base = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}] + others
    wider = [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}] + others
    old, new = doc(base), doc(wider)
    (goal,) = no_new_access_goals(build_space([old, new]), [old], [new])
    # the new statement, and the old s3 statement it must not be covered by; no ec2 statement
    assert len(goal) == 2


def test_slicing_keeps_statements_whose_service_is_a_wildcard():
    old = doc([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
               {"Effect": "Deny", "Action": "*", "Resource": "*"}])
    new = doc([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
               {"Effect": "Deny", "Action": "*", "Resource": "*"}])
    (goal,) = no_new_access_goals(build_space([old, new]), [old], [new])
    assert len(goal) == 3
    assert check_no_new_access([old], [new]).result == HOLDS
