"""diff.slicing: only the changed statements, and those whose actions meet them, are encoded.

Exactness is kept by the rule in the module's docstring; these tests check the
pieces: the glob-meeting test against brute force, the changed set, and that a
sliced query answers as the whole one does.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.diff import FAILS, HOLDS, check_access_not_granted, check_no_new_access, engine_decision
from iamwarden.diff.slicing import changed_statements, globs_meet, sliced, witness_actions
from iamwarden.policy.document import parse_policy
from iamwarden.policy.patterns import compile_glob_set

glob = st.text(alphabet="ab*?", max_size=5)


def brute_meet(a: str, b: str) -> bool:
    ma, mb = compile_glob_set((a,), True).match, compile_glob_set((b,), True).match
    return any(ma(w) and mb(w) for n in range(9) for w in map("".join, itertools.product("abc", repeat=n)))


@settings(max_examples=300, deadline=None)
@given(glob, glob)
def test_globs_meet_exactly_when_some_action_matches_both(a: str, b: str) -> None:
    assert globs_meet(a, b) == brute_meet(a, b)


def test_globs_meet_ignores_case_and_reads_service_parts() -> None:
    assert globs_meet("s3:Get*", "S3:GETOBJECT")
    assert not globs_meet("s3:*", "ec2:*")
    assert globs_meet("*", "ec2:DescribeInstances")


def policy(*statements: dict, version: str = "2012-10-17"):
    return parse_policy({"Version": version, "Statement": list(statements)})


def allow(action: str, resource: str = "*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def test_same_statements_in_another_order_and_sids_hold_without_solving() -> None:
    old = policy(allow("s3:GetObject", Sid="A"), allow("ec2:*"))
    new = policy(allow("ec2:*", Sid="X"), allow("s3:GetObject"))
    answer = check_no_new_access([old], [new])
    assert answer.result == HOLDS and answer.reason == "the policies hold the same statements"


def test_version_change_is_a_change_policy_variables() -> None:
    # ${aws:username} is a variable only under 2012-10-17: the same JSON is another statement
    st_ = allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*")
    assert changed_statements([policy(st_, version="2008-10-17")], [policy(st_)])


def test_changed_set_holds_new_allows_and_dropped_denies() -> None:
    deny = {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
    old = policy(allow("s3:GetObject"), deny)
    new = policy(allow("s3:GetObject"), allow("ec2:StartInstances"))
    changed = changed_statements([old], [new])
    assert sorted(a for s in changed for a in s.actions) == ["ec2:StartInstances", "iam:*"]


def test_statements_whose_actions_meet_no_changed_action_are_left_out() -> None:
    old = policy(allow("s3:GetObject"), allow("dynamodb:Query"), {"Effect": "Allow", "NotAction": "iam:*",
                                                                 "Resource": "arn:aws:s3:::x"})
    new = policy(allow("s3:*"), allow("dynamodb:Query"), {"Effect": "Allow", "NotAction": "iam:*",
                                                          "Resource": "arn:aws:s3:::x"})
    around = witness_actions(changed_statements([old], [new]))
    kept = [s.actions for s in sliced([old], around)[0].statements]
    assert kept == [("s3:GetObject",), ("iam:*",)]  # dynamodb left out; NotAction always kept


def test_a_changed_not_action_statement_disables_slicing() -> None:
    old = policy(allow("s3:GetObject"))
    new = policy(allow("s3:GetObject"), {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert witness_actions(changed_statements([old], [new])) is None


ACTIONS = ["s3:GetObject", "s3:Get*", "s3:*", "iam:PassRole", "iam:*", "ec2:Describe*", "dynamodb:Query"]
statement = st.builds(
    lambda e, a, r: {"Effect": e, "Action": a, "Resource": r},
    st.sampled_from(["Allow", "Allow", "Deny"]), st.sampled_from(ACTIONS),
    st.sampled_from(["*", "arn:aws:s3:::b/*", "arn:aws:iam::1:role/*"]),
)
policies = st.lists(statement, min_size=1, max_size=5).map(lambda ss: policy(*ss))


@settings(max_examples=25, deadline=None)
@given(policies, policies)
def test_sliced_answers_are_confirmed_by_the_engine(old, new) -> None:
    answer = check_no_new_access([old], [new])
    if answer.result == FAILS:
        assert answer.example is not None
        assert engine_decision([new], answer.example).allowed
        assert not engine_decision([old], answer.example).allowed


def test_not_granted_ignores_statements_of_other_actions() -> None:
    p = policy(allow("s3:GetObject"), allow("ec2:*"))
    assert check_access_not_granted([p], ["iam:*"]).result == HOLDS
    assert check_access_not_granted([p], ["ec2:Start*"]).result == FAILS
