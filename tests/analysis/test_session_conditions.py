"""Conditions every session satisfies (issue 10): keys a request made now always carries are
evaluated with the values the principal will have (``analysis.session``); they do not block a
role acting on itself. Only what depends on outside state is left unknown."""

from __future__ import annotations

from datetime import UTC, datetime

from iamwarden.analysis import audit
from iamwarden.analysis.session import session_keys
from iamwarden.model.principal import Caller

from .builders import ADMIN, Builder, allow, arn, doc, trust, world
from .helpers import escalates, techniques

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
ME = arn("role", "self")


def _role_with(condition: dict, action: str = "iam:PutRolePolicy") -> Builder:
    b = Builder()
    b.role("self", trust({"AWS": b.account}), doc(allow(action, ME, Condition=condition)))
    return b


def test_token_issue_time_after_a_past_date_does_not_block_a_role_acting_on_itself() -> None:
    b = _role_with({"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}})
    r = audit(world(b), now=NOW)
    assert techniques(r, ME) == [["D12"]]
    assert techniques(r, ME, uncertain=True) == []


def test_current_time_in_a_long_window_does_not_block_a_role_acting_on_itself() -> None:
    b = _role_with({"DateGreaterThan": {"aws:CurrentTime": "2001-01-01T00:00:00Z"},
                    "DateLessThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}}, "iam:AttachRolePolicy")
    assert techniques(audit(world(b), now=NOW), ME) == [["D09"]]


def test_epoch_time_is_the_same_moment_for_numeric_operators() -> None:
    b = _role_with({"NumericGreaterThan": {"aws:EpochTime": "1000000000"}})
    assert techniques(audit(world(b), now=NOW), ME) == [["D12"]]


def test_a_time_window_that_has_closed_blocks() -> None:
    """Evaluated, not guessed: a window that ended before ``now`` is a certain no."""
    b = _role_with({"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}})
    r = audit(world(b), now=NOW)
    assert not escalates(r, ME)
    assert techniques(r, ME, uncertain=True) == []


def test_secure_transport_is_true_for_the_calls_of_an_attack() -> None:
    b = _role_with({"Bool": {"aws:SecureTransport": "true"}})
    assert techniques(audit(world(b), now=NOW), ME) == [["D12"]]


def test_users_act_with_long_term_keys_and_carry_no_token_issue_time() -> None:
    """Catalog rule 5: aws:TokenIssueTime exists only for temporary credentials."""
    b = Builder()
    me = arn("user", "alice")
    b.user("alice", doc(allow("iam:PutUserPolicy", me,
                              Condition={"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}})))
    assert not escalates(audit(world(b), now=NOW), me)
    b = Builder()
    b.user("alice", doc(allow("iam:PutUserPolicy", me, Condition={"Null": {"aws:TokenIssueTime": "true"}})))
    assert techniques(audit(world(b), now=NOW), me) == [["D10"]]


def test_time_conditions_decide_admin_status_too() -> None:
    b = Builder()
    b.role("timed", trust({"AWS": b.account}),
           doc(allow("*", Condition={"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}})))
    r = audit(world(b), now=NOW)
    assert r.principal(arn("role", "timed")).admin
    assert not audit(world(b)).principal(arn("role", "timed")).admin  # no clock: the key is absent


def test_session_keys_for_each_kind_of_principal() -> None:
    role = session_keys(Caller.from_arn(ME), NOW)
    assert role["aws:TokenIssueTime"] == role["aws:CurrentTime"] == "2026-12-02T08:00:00Z"
    assert role["aws:EpochTime"] == str(int(NOW.timestamp()))
    user = session_keys(Caller.from_arn(arn("user", "alice")), NOW)
    assert "aws:TokenIssueTime" not in user and user["aws:SecureTransport"] == "true"
    assert "aws:MultiFactorAuthPresent" not in role | user  # outside state: MFA devices
    assert "aws:CurrentTime" not in session_keys(Caller.from_arn(ME), None)  # no clock, no time


def test_a_service_assuming_a_passed_role_makes_its_request_now_too() -> None:
    """P04: a trust that admits Lambda only inside a time window still admits it now."""
    b = Builder()
    window = {"DateLessThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}}
    b.role("fn", trust({"Service": "lambda.amazonaws.com"}, Condition=window), attached=(ADMIN,))
    a = b.user("a", doc(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"])))
    assert techniques(audit(world(b), now=NOW), a) == [["P04"]]
