"""``NotPrincipal`` (spec §1.4, corrected 2026-12): an exemption read on the caller's whole
chain of identities, never a match class; Allow + NotPrincipal grants like ``"*"``."""

from __future__ import annotations

import pytest

from iamwarden.evaluation import Verdict
from iamwarden.evaluation.principals import exempt
from iamwarden.model.principal import Caller, PrincipalType
from iamwarden.policy.document import PrincipalSpec

from .helpers import (
    ALLOW_ALL,
    FEDUSER,
    OTHER_USER,
    QUEUE_A,
    QUEUE_B,
    ROLE,
    ROOT_A,
    SESSION,
    USER,
    USER_B,
    A,
    B,
    allow,
    decide,
    doc,
    grant,
)

SEND = "sqs:SendMessage"
ALLOW = Verdict.ALLOW
EXPLICIT = Verdict.EXPLICIT_DENY
IMPLICIT = Verdict.IMPLICIT_DENY


def _not_principal(effect: str, listed: list[str] | str) -> dict:
    st = grant("*", SEND, effect)
    del st["Principal"]
    st["NotPrincipal"] = {"AWS": listed} if listed != "*" else "*"
    return st


def _spec(*aws: str) -> PrincipalSpec:
    return PrincipalSpec((("AWS", aws),))


# --- the chain rule ---------------------------------------------------------------

CHAIN_CASES = [
    # (caller, listed, exempt)
    (USER, [USER, ROOT_A], True),
    (USER, [USER, A], True),  # the bare account ID names the account too
    (USER, [USER], False),  # the account is part of the user's chain
    (USER, [ROOT_A], False),  # the account entry exempts the account, not its users
    (OTHER_USER, [USER, ROOT_A], False),
    (ROOT_A, [ROOT_A], True),
    (ROOT_A, [USER], False),
    (SESSION, [SESSION, ROLE, ROOT_A], True),
    (SESSION, [ROLE, ROOT_A], False),  # the session ARN is needed too
    (SESSION, [SESSION, ROOT_A], False),  # and the role ARN
    (SESSION, [SESSION, ROLE], False),  # and the account
    (f"arn:aws:sts::{A}:assumed-role/R1/other", [SESSION, ROLE, ROOT_A], False),
    (FEDUSER, [FEDUSER, ROOT_A], True),
    (FEDUSER, [FEDUSER], False),
    (USER_B, [USER_B, ROOT_A], False),  # another account's user needs its own account listed
    (USER, "*", True),
]


@pytest.mark.parametrize(("caller", "listed", "is_exempt"), CHAIN_CASES)
def test_not_principal_exempts_only_when_every_element_of_the_chain_is_listed(caller, listed, is_exempt):
    """§1.4: account, then role, then session (or account, then user): all must be listed."""
    rp = doc(grant("*", SEND), _not_principal("Deny", listed))
    resource = QUEUE_A if caller != USER_B else QUEUE_B
    d = decide(caller, SEND, resource, resource_policy=rp, identity=[ALLOW_ALL],
               resource_account=A if caller != USER_B else B)
    assert (d.verdict is not EXPLICIT) is is_exempt, d.to_json()


def test_not_principal_role_entry_with_path_and_unique_id_name_the_role():
    """§1.4/§5.3: the role element is matched as a role entry is (path, or unique ID)."""
    session = Caller(PrincipalType.ROLE_SESSION, SESSION, A, f"arn:aws:iam::{A}:role/team/R1", "R1", "s1",
                     "AROAEXAMPLE")
    assert exempt(_spec(SESSION, f"arn:aws:iam::{A}:role/team/R1", ROOT_A), session)
    assert exempt(_spec(SESSION, "AROAEXAMPLE", ROOT_A), session)
    assert not exempt(_spec(SESSION, f"arn:aws:iam::{A}:role/team/R2", ROOT_A), session)
    assert not exempt(_spec(SESSION, f"arn:aws:iam::{B}:role/team/R1", ROOT_A), session)


def test_not_principal_service_and_anonymous_chains():
    """§1.4: a service is exempt when its name is listed; anonymous only by ``"*"``."""
    svc = Caller.from_arn("ec2.amazonaws.com")
    assert exempt(PrincipalSpec((("Service", ("EC2.amazonaws.com",)),)), svc)
    assert not exempt(_spec(ROOT_A), svc)
    anon = Caller.from_arn("*")
    assert not exempt(_spec(ROOT_A, USER), anon)
    assert exempt(_spec("*"), anon)


def test_deny_not_principal_listing_a_user_and_its_account_denies_everyone_else_in_the_account():
    """§1.4 (the NotPrincipal page's example): only Bob (and the account itself) are exempt."""
    rp = doc(grant("*", SEND), _not_principal("Deny", [USER, ROOT_A]))
    kw = {"resource_policy": rp, "identity": [ALLOW_ALL]}
    assert decide(USER, SEND, QUEUE_A, **kw).verdict is ALLOW
    assert decide(OTHER_USER, SEND, QUEUE_A, **kw).verdict is EXPLICIT
    assert decide(SESSION, SEND, QUEUE_A, **kw).verdict is EXPLICIT
    assert decide(FEDUSER, SEND, QUEUE_A, **kw, session=[ALLOW_ALL]).verdict is EXPLICIT


def test_deny_not_principal_still_denies_a_listed_principal_with_a_boundary():
    """§1.4 quirk, unchanged by the chain rule."""
    rp = doc(grant("*", SEND), _not_principal("Deny", [USER, ROOT_A]))
    assert decide(USER, SEND, QUEUE_A, resource_policy=rp, boundary=ALLOW_ALL).verdict is EXPLICIT


# --- Allow + NotPrincipal ---------------------------------------------------------------


def test_allow_not_principal_grants_a_non_exempt_same_account_caller_like_star():
    """§1.4/§1.5: a matching Allow + NotPrincipal is a DIRECT grant: no identity policy needed,
    and a boundary's implicit deny does not block it (as for ``"*"``)."""
    rp = doc(_not_principal("Allow", [OTHER_USER, ROOT_A]))
    d = decide(USER, SEND, QUEUE_A, resource_policy=rp)
    assert d.verdict is ALLOW, d.to_json()
    assert any("NotPrincipal" in r.message and r.statement == 0 for r in d.reasons)
    assert decide(USER, SEND, QUEUE_A, resource_policy=rp, boundary=doc(allow("ec2:*"))).verdict is ALLOW
    assert decide(SESSION, SEND, QUEUE_A, resource_policy=rp).verdict is ALLOW


def test_allow_not_principal_does_not_grant_the_exempt_principal():
    """§1.4: the exempt principal gets nothing from the statement (identity policies still work)."""
    rp = doc(_not_principal("Allow", [USER, ROOT_A]))
    assert decide(USER, SEND, QUEUE_A, resource_policy=rp).verdict is IMPLICIT
    assert decide(USER, SEND, QUEUE_A, resource_policy=rp, identity=[ALLOW_ALL]).verdict is ALLOW


def test_allow_not_principal_cross_account_still_needs_the_identity_allow():
    """§1.3 cross account: the grant is the resource side only."""
    rp = doc(_not_principal("Allow", [USER, ROOT_A]))
    assert decide(USER_B, SEND, QUEUE_A, resource_policy=rp, resource_account=A).verdict is IMPLICIT
    d = decide(USER_B, SEND, QUEUE_A, resource_policy=rp, identity=[ALLOW_ALL], resource_account=A)
    assert d.verdict is ALLOW


def test_allow_not_principal_grants_anonymous_like_star():
    """§1.4/§1.9: like Principal ``"*"``, the grant reaches an anonymous caller."""
    rp = doc(_not_principal("Allow", [USER, ROOT_A]))
    assert decide("*", SEND, QUEUE_A, resource_policy=rp, resource_account=A).verdict is ALLOW
