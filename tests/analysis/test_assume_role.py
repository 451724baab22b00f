"""Catalog D15 with the engine's trust logic (rules 3-5)."""

from __future__ import annotations

from .builders import ACCT, ADMIN, OTHER, Builder, allow, arn, deny, doc, trust, world
from .helpers import escalates, run, techniques


def test_external_id_does_not_block() -> None:
    b = Builder()
    b.role("adm", trust({"AWS": arn("user", "a")}, Condition={"StringEquals": {"sts:ExternalId": "s3cr3t"}}),
           attached=(ADMIN,))
    a = b.user("a", doc(allow("sts:AssumeRole")))
    assert techniques(run(world(b)), a) == [["D15"]]


def test_mfa_condition_makes_the_step_uncertain() -> None:
    b = Builder()
    b.role("adm", trust({"AWS": ACCT}, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
           attached=(ADMIN,))
    a = b.user("a", doc(allow("sts:AssumeRole")))
    r = run(world(b))
    p = r.principal(a)
    assert p is not None and not p.can_escalate and p.uncertain
    assert techniques(r, a, uncertain=True) == [["D15"]]


def test_principal_tag_condition_uses_callers_tags() -> None:
    b = Builder()
    b.role("adm", trust({"AWS": ACCT}, Condition={"StringEquals": {"aws:PrincipalTag/team": "ops"}}),
           attached=(ADMIN,))
    a = b.user("a", doc(allow("sts:AssumeRole")), tags={"team": "ops"})
    c = b.user("c", doc(allow("sts:AssumeRole")), tags={"team": "dev"})
    r = run(world(b))
    assert escalates(r, a) and not escalates(r, c)


def test_identity_deny_blocks_direct_trust() -> None:
    b = Builder()
    b.role("adm", trust({"AWS": arn("user", "a")}), attached=(ADMIN,))
    a = b.user("a", doc(deny("sts:AssumeRole")))
    assert not escalates(run(world(b)), a)


def test_boundary_blocks_delegated_trust() -> None:
    b = Builder()
    bnd = b.policy("bnd", doc(allow("s3:*")))
    b.role("adm", trust({"AWS": ACCT}), attached=(ADMIN,))
    a = b.user("a", doc(allow("sts:AssumeRole")), boundary=bnd)
    assert not escalates(run(world(b)), a)


def test_cross_account_needs_identity_allow() -> None:
    dev = Builder(ACCT)
    ok = dev.user("ok", doc(allow("sts:AssumeRole", f"arn:aws:iam::{OTHER}:role/*")))
    no = dev.user("no")
    prod = Builder(OTHER)
    prod.role("adm", trust({"AWS": arn("user", "no")}), attached=(ADMIN,))
    prod.role("adm2", trust({"AWS": f"arn:aws:iam::{ACCT}:root"}), attached=(ADMIN,))
    r = run(world(dev, prod))
    assert escalates(r, ok) and not escalates(r, no)


def test_everyone_trust_finding_and_edge() -> None:
    b = Builder()
    b.role("open", trust("*"), attached=(ADMIN,))
    a = b.user("a")
    r = run(world(b))
    assert escalates(r, a)
    ids = {f.id for f in r.findings if f.arn == arn("role", "open")}
    assert {"IW001", "IW002"} <= ids
