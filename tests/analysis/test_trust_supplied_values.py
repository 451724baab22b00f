"""What the caller passes in AssumeRole, read from the trust with the caller's variables.

The AWS pattern "name the session after yourself" (``sts:RoleSessionName`` =
``${aws:username}``) is met by the caller naming its session so; the analysis tried the text
``${aws:username}`` itself and found no one could assume such a role. Passing a source
identity needs ``sts:SetSourceIdentity`` as well (spec §3.3), which was not asked.
(analysis/index.py ``RoleTrust.supplied_for``, techniques/assume_role.py ``_assume``.)
"""

from __future__ import annotations

from iamwarden.analysis import index_world
from iamwarden.analysis.techniques.assume_role import assume_decision

from .builders import ACCT, ADMIN, Builder, allow, arn, doc, world

ROOT = {"AWS": f"arn:aws:iam::{ACCT}:root"}


def _role(b: Builder, name: str, condition: dict, actions: object = "sts:AssumeRole") -> str:
    t = doc({"Effect": "Allow", "Principal": ROOT, "Action": actions, "Condition": condition})
    return b.role(name, t, attached=(ADMIN,))


def _can(b: Builder, who: str, role: str) -> bool:
    ix = index_world(world(b))
    d, note = assume_decision(ix, ix.subjects[who], ix.subjects[role].entity)
    return d.allowed and note is None


def test_a_session_named_after_the_user_is_the_callers_to_name() -> None:
    b = Builder()
    role = _role(b, "named", {"StringEquals": {"sts:RoleSessionName": "${aws:username}"}})
    alice = b.user("alice", doc(allow("sts:AssumeRole", role)))
    assert _can(b, alice, role)


def test_a_variable_the_caller_lacks_names_no_session() -> None:
    b = Builder()
    role = _role(b, "badge", {"StringEquals": {"sts:RoleSessionName": "${aws:PrincipalTag/badge}"}})
    alice = b.user("alice", doc(allow("sts:AssumeRole", role)))
    carol = b.user("carol", doc(allow("sts:AssumeRole", role)), tags={"badge": "b-17"})
    assert not _can(b, alice, role) and _can(b, carol, role)


def test_a_source_identity_needs_set_source_identity() -> None:
    b = Builder()
    cond = {"StringEquals": {"sts:SourceIdentity": "${aws:username}"}}
    only_assume = _role(b, "only-assume", cond)
    both = _role(b, "both", cond, ["sts:AssumeRole", "sts:SetSourceIdentity"])
    alice = b.user("alice", doc(allow(["sts:AssumeRole", "sts:SetSourceIdentity"], arn("role", "*"))))
    assert not _can(b, alice, only_assume)
    assert _can(b, alice, both)


def test_session_tags_the_trust_asks_for_are_the_callers_to_pass() -> None:
    """"Pass your own team as a session tag" (``aws:RequestTag/team`` = ``${aws:PrincipalTag/team}``):
    a caller allowed ``sts:TagSession`` passes it; one that is not cannot."""
    b = Builder()
    cond = {"StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"}}
    role = _role(b, "tagged", cond, ["sts:AssumeRole", "sts:TagSession"])
    alice = b.user("alice", doc(allow(["sts:AssumeRole", "sts:TagSession"], role)), tags={"team": "blue"})
    bob = b.user("bob", doc(allow("sts:AssumeRole", role)), tags={"team": "blue"})
    nobody = b.user("nobody", doc(allow(["sts:AssumeRole", "sts:TagSession"], role)))  # no team tag
    assert _can(b, alice, role)
    assert not _can(b, bob, role) and not _can(b, nobody, role)
