"""IW001/IW005 "who can assume it": a verdict shared by roles the engine cannot tell apart.

``findings.shared_verdict_key`` lets roles of one account with the same trust text, tags
and Resource matches reuse one class's verdict. Each test checks the shared answers
against the engine asked afresh for every (principal, role) pair.
"""

from __future__ import annotations

from iamwarden.analysis import index_world
from iamwarden.analysis.findings import shared_verdict_key, who_can_assume
from iamwarden.analysis.techniques.assume_role import assume_decision
from iamwarden.model.account import Role

from .builders import ACCT, ADMIN, Builder, allow, arn, deny, doc, trust, world

ROOT = {"AWS": f"arn:aws:iam::{ACCT}:root"}


def _alike_roles() -> Builder:
    b = Builder()
    for name in ("app-1", "app-2", "db-1", "db-2", "ops"):
        b.role(name, trust(ROOT), attached=(ADMIN,))
    b.roles[-1]["Tags"] = [{"Key": "env", "Value": "prod"}]
    b.role("mfa-only", trust(ROOT, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}), attached=(ADMIN,))
    b.user("all", doc(allow("sts:AssumeRole", arn("role", "*"))))
    b.user("all-but-db", doc(allow("sts:AssumeRole")), doc(deny("sts:AssumeRole", arn("role", "db-*"))))
    b.user("app-only", doc(allow("sts:AssumeRole", arn("role", "app-*"))))
    b.user("prod-only", doc(allow("sts:AssumeRole", Condition={"StringEquals": {"aws:ResourceTag/env": "prod"}})))
    b.user("own-name", doc(allow("sts:AssumeRole", arn("role", "${aws:username}"))))
    b.user("app-1", doc(allow("sts:AssumeRole", arn("role", "${aws:username}"))))
    b.user("nothing")
    b.user("admin", attached=(ADMIN,))
    b.user("admin-2", attached=(ADMIN,))
    bnd = b.policy("bnd", doc(allow("sts:AssumeRole", arn("role", "db-*"))))
    b.user("bounded", doc(allow("sts:AssumeRole")), boundary=bnd)
    return b


def _engine_answer(role: Role, subjects: list[str], b: Builder) -> list[str]:
    fresh = index_world(world(b))  # no shared verdicts: one engine question per pair
    return sorted(a for a in subjects if a != role.arn and assume_decision(fresh, fresh.subjects[a], role)[1] is None)


def test_shared_verdicts_name_the_same_assumers_as_the_engine_per_pair() -> None:
    b = _alike_roles()
    ix = index_world(world(b))
    roles = [s.entity for s in ix.subjects.values() if isinstance(s.entity, Role)]
    for role in roles:
        assert who_can_assume(ix, role) == _engine_answer(role, list(ix.subjects), b), role.name


def test_the_answers_differ_where_the_resource_matters() -> None:
    b = _alike_roles()
    ix = index_world(world(b))
    got = {s.entity.name: set(who_can_assume(ix, s.entity)) for s in ix.subjects.values()
           if isinstance(s.entity, Role)}
    u = lambda n: arn("user", n)  # noqa: E731
    assert u("all-but-db") in got["app-1"] and u("all-but-db") not in got["db-1"]
    assert u("app-only") in got["app-2"] and u("app-only") not in got["ops"]
    assert u("prod-only") in got["ops"] and u("prod-only") not in got["app-1"]
    assert u("bounded") in got["db-2"] and u("bounded") not in got["app-2"]
    assert u("nothing") not in got["app-1"] and u("all") not in got["mfa-only"]


def test_key_is_shared_by_alike_roles_and_none_for_policy_variables() -> None:
    b = _alike_roles()
    ix = index_world(world(b))
    role = {s.entity.name: s.entity for s in ix.subjects.values() if isinstance(s.entity, Role)}
    s_all = ix.subjects[arn("user", "all")]
    s_app = ix.subjects[arn("user", "app-only")]
    key = lambda s, r: shared_verdict_key(ix, s, role[r], ix.qsig(s, "sts:assumerole", True))  # noqa: E731
    assert key(s_all, "app-1") == key(s_all, "db-2") is not None
    assert key(s_app, "app-1") == key(s_app, "app-2") != key(s_app, "db-1")
    assert key(s_all, "app-1") != key(s_all, "ops")  # tags
    assert key(s_all, "app-1") != key(s_all, "mfa-only")  # trust text
    assert key(ix.subjects[arn("user", "own-name")], "app-1") is None


# Across accounts: a caller of another account gets one verdict for every role with the same
# trust text, tags, Resource bits and RCPs, whichever account holds the role (findings._role_part).

B, C, CALLERS = "222200000002", "333300000003", "444400000004"
OPEN_RED = {"AWS": "*"}
RED = {"StringEquals": {"aws:PrincipalTag/team": "red"}}


def _open_roles_world(caller_doc: dict, rcp_on_c: bool = False):  # noqa: ANN202
    builders = []
    for acct in (B, C):
        b = Builder(acct)
        b.role("open", trust(OPEN_RED, Condition=RED), attached=(ADMIN,))
        builders.append(b)
    caller = Builder(CALLERS)
    caller.user("red", caller_doc, tags={"team": "red"})
    caller.user("blue", caller_doc, tags={"team": "blue"})
    builders.append(caller)
    w = world(*builders)
    return _with_own_account_rcp(w, C) if rcp_on_c else w


def _with_own_account_rcp(w, account: str):  # noqa: ANN001, ANN202
    """``w`` with RCPs on ``account``: full access, and sts:AssumeRole denied to every caller
    of another account."""
    from iamwarden.model.account import World
    from iamwarden.policy import PolicyKind, parse_policy

    full = parse_policy(doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
                        PolicyKind.RCP, "rcp-full")
    own_only = parse_policy(doc({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
                                 "Condition": {"StringNotEquals": {"aws:PrincipalAccount": account}}}),
                            PolicyKind.RCP, "rcp-own-account")
    return World(w.accounts, rcps={account: ((full, own_only),)})


def _assumers_by_engine(w, role_arn: str) -> set[str]:  # noqa: ANN001
    from iamwarden.evaluation import decide

    users = [u.arn for a in w.accounts.values() for u in a.users.values()]
    return {u for u in users if decide(w, u, "sts:AssumeRole", role_arn).allowed}


def _check_both_orders(w) -> dict[str, set[str]]:  # noqa: ANN001
    """who_can_assume for the two open roles, asked in both orders on fresh indexes (a shared
    verdict is cached by the first role asked), against the engine."""
    roles = [arn("role", "open", B), arn("role", "open", C)]
    answers: dict[str, set[str]] = {}
    for order in (roles, roles[::-1]):
        ix = index_world(w)
        for r in order:
            got = set(who_can_assume(ix, ix.subjects[r].entity))
            assert got == _assumers_by_engine(w, r), (order, r)
            answers[r] = got
    return answers


def test_cross_account_verdict_is_shared_by_alike_roles_of_other_accounts() -> None:
    w = _open_roles_world(doc(allow("sts:AssumeRole")))
    ix = index_world(w)
    red = ix.subjects[arn("user", "red", CALLERS)]
    sig = ix.qsig(red, "sts:assumerole", True)
    rb, rc = (ix.subjects[arn("role", "open", a)].entity for a in (B, C))
    assert shared_verdict_key(ix, red, rb, sig) == shared_verdict_key(ix, red, rc, sig) is not None
    answers = _check_both_orders(w)
    assert answers[arn("role", "open", B)] == {arn("user", "red", CALLERS)}


def test_cross_account_verdict_is_kept_apart_when_a_policy_reads_the_resource_account() -> None:
    only_b = doc(allow("sts:AssumeRole", Condition={"StringEquals": {"aws:ResourceAccount": B}}))
    w = _open_roles_world(only_b)
    ix = index_world(w)
    red = ix.subjects[arn("user", "red", CALLERS)]
    sig = ix.qsig(red, "sts:assumerole", True)
    rb, rc = (ix.subjects[arn("role", "open", a)].entity for a in (B, C))
    assert shared_verdict_key(ix, red, rb, sig) != shared_verdict_key(ix, red, rc, sig)
    answers = _check_both_orders(w)
    assert answers[arn("role", "open", B)] == {arn("user", "red", CALLERS)}
    assert answers[arn("role", "open", C)] == set()


def test_cross_account_verdict_is_kept_apart_when_the_role_accounts_rcps_differ() -> None:
    w = _open_roles_world(doc(allow("sts:AssumeRole")), rcp_on_c=True)
    answers = _check_both_orders(w)
    assert answers[arn("role", "open", B)] == {arn("user", "red", CALLERS)}
    assert answers[arn("role", "open", C)] == set()


# Roles open to '*' share the other accounts' verdicts as a family (findings._open_blocks):
# the same trust text, tags, RCPs and Resource bits, whichever account holds the role.

FAMILY_ACCOUNTS = ("666600000001", "666600000002", "666600000003", "666600000004")


def _family_world(extra_doc: dict | None = None, rcp_on: str | None = None):  # noqa: ANN202
    builders = []
    for i, acct in enumerate(FAMILY_ACCOUNTS):
        b = Builder(acct)
        for name in ("open-app", "open-db", "other"):
            b.role(name, trust(OPEN_RED, Condition=RED), attached=(ADMIN,))
        nxt = FAMILY_ACCOUNTS[(i + 1) % len(FAMILY_ACCOUNTS)]
        b.user("red-star", doc(allow("sts:AssumeRole")), tags={"team": "red"})
        b.user("red-star-no-db", doc(allow("sts:AssumeRole"), deny("sts:AssumeRole", arn("role", "open-db", nxt))),
               tags={"team": "red"})
        b.user("red-next-open", doc(allow("sts:AssumeRole", arn("role", "open-*", nxt))), tags={"team": "red"})
        b.user("red-admin", attached=(ADMIN,), tags={"team": "red"})
        b.user("blue-admin", attached=(ADMIN,), tags={"team": "blue"})
        b.user("red-none", tags={"team": "red"})
        s3_only = b.policy("s3-only", doc(allow("s3:*")))
        b.user("red-star-bounded", doc(allow("sts:AssumeRole")), boundary=s3_only, tags={"team": "red"})
        if extra_doc is not None and i == 0:
            b.user("red-extra", extra_doc, tags={"team": "red"})
        builders.append(b)
    w = world(*builders)
    return _with_own_account_rcp(w, rcp_on) if rcp_on else w


def _family_check(w, orders: int = 3) -> int:  # noqa: ANN001
    """who_can_assume (IW001's list) and kind='role' blocks of every role, in several orders on
    fresh indexes, against decide() for every principal; returns how many roles took the
    shared path."""
    import random

    from iamwarden.analysis.findings import _open_blocks, assume_blocks
    from iamwarden.evaluation import decide

    principals = [p.arn for a in w.accounts.values() for p in (*a.users.values(), *a.roles.values())]
    roles = [r.arn for a in w.accounts.values() for r in a.roles.values()]
    truth = {r: {p for p in principals if p != r and decide(w, p, "sts:AssumeRole", r).allowed} for r in roles}
    shared = 0
    rng = random.Random(5)
    for _ in range(orders):
        order = roles[:]
        rng.shuffle(order)
        ix = index_world(w)
        for r in order:
            role = ix.subjects[r].entity
            shared += _open_blocks(ix, role, None) is not None
            assert set(who_can_assume(ix, role)) == truth[r], r
            got_roles = {m for b in assume_blocks(ix, role, kind="role") for m in b if m != r}
            assert got_roles == {p for p in truth[r] if ":role/" in p}, r
    return shared


def test_open_role_family_verdicts_match_the_engine_in_any_order() -> None:
    assert _family_check(_family_world()) > 0


def test_open_role_family_kept_apart_by_rcps() -> None:
    assert _family_check(_family_world(rcp_on=FAMILY_ACCOUNTS[2])) > 0


def test_open_role_family_not_shared_when_a_class_reads_the_resource_account() -> None:
    only_b = doc(allow("sts:AssumeRole", Condition={"StringEquals": {"aws:ResourceAccount": FAMILY_ACCOUNTS[1]}}))
    w = _family_world(extra_doc=only_b)
    _family_check(w, orders=2)
    from iamwarden.analysis.findings import _open_blocks

    ix = index_world(w)
    role = ix.subjects[arn("role", "open-app", FAMILY_ACCOUNTS[2])].entity
    assert _open_blocks(ix, role, None) is None
