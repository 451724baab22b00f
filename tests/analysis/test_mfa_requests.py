"""A request the policies deny without MFA is asked again with it, and what it allows is
uncertain (analysis/mfa.py, docs/decisions/analysis-mfa-requests.md).

A user acting with long-term keys sends no ``aws:MultiFactorAuthPresent`` (spec §3.2); the
same user with ``sts:GetSessionToken`` and its device sends ``true``. AWS's documented "force
MFA" policy denies everything else without it: asked only without MFA, an
``AdministratorAccess`` user under it was no administrator and a user who can attach policies
to itself could not escalate.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.analysis import audit, index_world
from iamwarden.analysis.mfa import NEEDS_MFA, NOTE, WITH_MFA
from iamwarden.evaluation import decide
from iamwarden.model.account import World
from iamwarden.policy.document import PolicyKind, parse_policy

from .builders import ACCT, ADMIN, Builder, allow, deny, doc, world

#: AWS's example policy "DenyAllExceptListedIfNoMFA" (shortened)
FORCE_MFA = {"Effect": "Deny", "NotAction": ["iam:ChangePassword", "sts:GetSessionToken"], "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}


def _row(w: World, name: str) -> dict:
    return next(p for p in audit(w).to_json()["principals"] if p["name"] == name)


def test_force_mfa_administrator_is_an_admin_with_mfa() -> None:
    b = Builder()
    boss = b.user("boss", doc(FORCE_MFA), attached=(ADMIN,))
    st_ = index_world(world(b)).admin(boss)
    assert st_.admin and st_.needs_mfa
    assert _row(world(b), "boss")["admin_kind"] == "effective-with-mfa"


def test_force_mfa_user_may_escalate_with_mfa() -> None:
    """Under the force-MFA policy, ``iam:AttachUserPolicy`` on itself is an uncertain D07."""
    b = Builder()
    b.user("dev", doc(allow("iam:AttachUserPolicy"), FORCE_MFA))
    row = _row(world(b), "dev")
    assert not row["can_escalate"] and row["uncertain"]
    step = row["uncertain_paths"][0]["steps"][0]
    assert step["technique"] == "D07" and step["uncertain"] == NOTE
    assert NEEDS_MFA.to_json() in step["statements"]


def test_a_permission_granted_with_mfa_gives_an_uncertain_edge() -> None:
    b = Builder()
    b.user("dev", doc(allow("iam:AttachUserPolicy", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})))
    row = _row(world(b), "dev")
    assert not row["can_escalate"] and row["uncertain"]


def test_an_mfa_requirement_that_cannot_be_met_still_denies() -> None:
    """Allowed only with MFA, denied with it: nothing, with MFA or without."""
    b = Builder()
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    b.user("dev", doc(allow("iam:AttachUserPolicy", Condition=mfa), deny("iam:*", Condition=mfa)))
    row = _row(world(b), "dev")
    assert not row["can_escalate"] and not row["uncertain"]


def test_a_denial_that_tests_no_mfa_is_not_asked_again() -> None:
    b = Builder()
    dev = b.user("dev", doc(allow("s3:GetObject")))
    ix = index_world(world(b))
    d = ix.ask(ix.subjects[dev], "iam:AttachUserPolicy", dev)
    assert not d.allowed and NEEDS_MFA not in d.reasons


# -- the law: certain exactly when allowed without MFA, uncertain when only with it ------------

_stmt = st.tuples(st.sampled_from(("Allow", "Deny")), st.sampled_from(("Bool", "BoolIfExists")),
                  st.sampled_from(("true", "false")))


@settings(max_examples=60, deadline=None)
@given(st.lists(_stmt, min_size=1, max_size=3), st.booleans())
def test_d07_certain_iff_allowed_without_mfa_uncertain_iff_only_with_it(stmts: list, as_scp: bool) -> None:
    b = Builder()
    conditional = [{"Effect": e, "Action": "iam:AttachUserPolicy", "Resource": "*",
                    "Condition": {op: {"aws:MultiFactorAuthPresent": v}}} for e, op, v in stmts]
    if as_scp:
        dev = b.user("dev", doc(allow("iam:AttachUserPolicy")))
        full = parse_policy(doc(allow("*")), PolicyKind.SCP, "full")
        scp = parse_policy(doc(allow("sts:*"), *conditional), PolicyKind.SCP, "mfa")
        w = World(world(b).accounts, scps={ACCT: ((full, scp),)})
    else:
        dev = b.user("dev", doc(*conditional))
        w = world(b)
    row = _row(w, "dev")
    base = {"aws:RequestedRegion": "us-east-1"}
    without = decide(w, dev, "iam:AttachUserPolicy", dev, base).allowed
    with_mfa = decide(w, dev, "iam:AttachUserPolicy", dev, {**base, **WITH_MFA}).allowed
    assert row["can_escalate"] == without, (stmts, as_scp)
    assert row["uncertain"] == (not without and with_mfa), (stmts, as_scp)
