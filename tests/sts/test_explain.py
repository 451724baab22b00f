"""Explanations: conditions, cross account, explicit deny, root, renderers (spec §1.6)."""

from __future__ import annotations

import json
import shutil

import pytest

from iamwarden.report.explain import render, render_dot, render_json, render_text
from iamwarden.sts.explain import explain_assume_role

from .conftest import A, B, arn_role, arn_user

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed")


def ex(world, caller, role, clock, **kw):  # type: ignore[no-untyped-def]
    return explain_assume_role(world, caller, {"RoleArn": arn_role(role), "RoleSessionName": "s1", **kw}, clock())


def test_missing_external_id_suggests_passing_it(world, clock) -> None:
    e = ex(world, arn_user("alice"), "ExternalRole", clock)
    assert not e.allowed and e.trust_side.state == "deny"
    assert "pass --external-id with the value the trust policy expects" in e.changes
    e2 = ex(world, arn_user("alice"), "ExternalRole", clock, ExternalId="nope12")
    assert "the external id you passed is not the one the trust policy expects" in e2.changes
    assert ex(world, arn_user("alice"), "ExternalRole", clock, ExternalId="Example987").allowed


def test_mfa_condition_suggests_mfa(world, clock) -> None:
    assert any("MFA" in c for c in ex(world, arn_user("alice"), "MfaRole", clock).changes)


def test_cross_account_without_identity_allow_names_the_caller_side(world, clock) -> None:
    e = ex(world, arn_user("ivan", B), "CrossRole", clock)
    assert not e.same_account and (e.caller_side.state, e.trust_side.state) == ("deny", "allow")
    assert e.rule.startswith("different accounts")
    assert e.changes[0].startswith("add sts:AssumeRole on")


def test_cross_account_both_allow(world, clock) -> None:
    e = ex(world, arn_user("vera", B), "CrossRole", clock)
    assert e.allowed and e.rule.startswith("different accounts: both")


def test_explicit_deny_in_trust_is_shown_with_its_statement(world, clock) -> None:
    e = ex(world, arn_user("carl"), "DenyBobRole", clock)
    assert e.trust_side.explicit_deny and e.trust_side.state == "deny"
    assert any(c.startswith("remove or narrow the Deny in the trust policy") for c in e.changes)


def test_root_is_explained_not_evaluated(world, clock) -> None:
    e = ex(world, f"arn:aws:iam::{A}:root", "AppRole", clock)
    assert not e.allowed and e.error_message == "Roles may not be assumed by root accounts."


def test_missing_role_is_explained(world, clock) -> None:
    e = ex(world, arn_user("alice"), "Nope", clock)
    assert not e.role_exists and e.changes[0].startswith("check the role ARN")


def test_text_and_json_renderings(world, clock) -> None:
    e = ex(world, arn_user("bob"), "AppRole", clock)
    text = render_text(e)
    assert "[DENIES] bob's permissions" in text and "What would change the answer:" in text
    data = json.loads(render_json(e))
    assert data["sides"]["caller"]["state"] == "deny" and data["sides"]["trust"]["state"] == "allow"
    assert data["error"]["code"] == "AccessDenied" and data["what_would_change_the_answer"]


def test_dot_escapes_labels_and_colours_sides(world, clock) -> None:
    dot = render_dot(ex(world, arn_user("bob"), "AppRole", clock))
    assert "#c62828" in dot and "#2e7d32" in dot  # the failing side red, the passing side green


@needs_dot
def test_svg_and_png_are_drawn_by_graphviz(world, clock) -> None:
    e = ex(world, arn_user("alice"), "AppRole", clock)
    svg = render(e, "svg")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "AppRole" in svg
    png = render(e, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
