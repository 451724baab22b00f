"""Existing compute (catalog E01-E17): always uncertain (rule 9)."""

from __future__ import annotations

from .builders import ADMIN, Builder, allow, doc, trust, world
from .helpers import escalates, run, techniques


def test_e01_update_function_code_is_uncertain() -> None:
    b = Builder()
    b.role("fn", trust({"Service": "lambda.amazonaws.com"}), attached=(ADMIN,))
    a = b.user("a", doc(allow("lambda:UpdateFunctionCode")))
    r = run(world(b))
    p = r.principal(a)
    assert p is not None and not escalates(r, a) and p.uncertain
    assert techniques(r, a, uncertain=True) == [["E01"]]
    step = p.to_json()["uncertain_paths"][0]["steps"][0]
    assert "existing" in step["uncertain"]


def test_e09_needs_instance_profile() -> None:
    b = Builder()
    b.role("ec2", trust({"Service": "ec2.amazonaws.com"}), attached=(ADMIN,))
    a = b.user("a", doc(allow("ssm:SendCommand")))
    p = run(world(b)).principal(a)
    assert p is not None and not p.uncertain
