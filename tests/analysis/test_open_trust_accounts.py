"""A role trusting ``*`` is asked about by its own account and by the other accounts' holders.

Across accounts the caller's identity policy must allow ``sts:AssumeRole`` as well, whatever
the trust names (semantics rule 5); in the role's own account a trust open to ``*`` grants by
itself. The analysis therefore goes through the role's own account's groups and, in other
accounts, only the groups of principals holding an ``sts:AssumeRole`` Allow that could match
the role (``open_admitted``). These tests hold it to the engine: every principal, as the
audit sees it, against ``decide()``.
"""

from __future__ import annotations

from iamwarden.analysis import audit
from iamwarden.evaluation import decide
from iamwarden.model.account import World

from .builders import ACCT, Builder, allow, arn, doc, world

ROLE = arn("role", "open")
OPEN = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}}]}

#: one account per kind of sts:AssumeRole holder (on *, on the role, on a pattern matching it,
#: on a pattern not matching it), so each is a group of its own: the analysis groups callers
#: by account, kind and tested tags; every account also has a red user holding nothing, and
#: a blue holder on *
HOLDERS = (("444400000001", "star", "*"), ("444400000002", "literal", ROLE),
           ("444400000003", "pattern", f"arn:aws:iam::{ACCT}:role/op*"),
           ("444400000004", "elsewhere", f"arn:aws:iam::{ACCT}:role/x-*"))


def _world() -> World:
    home = Builder()
    admin = home.policy("admin", doc(allow("*")))
    home.role("open", OPEN, attached=(admin,))
    builders = [home]
    for account, name, resource in (("", "", None),) + HOLDERS:
        b = home if not account else Builder(account)
        if account:
            builders.append(b)
            b.user(f"red-{name}", doc(allow("sts:AssumeRole", resource)), tags={"team": "red"})
        b.user("red-none", tags={"team": "red"})
        b.user("blue-star", doc(allow("sts:AssumeRole")), tags={"team": "blue"})
    return world(*builders)


def test_open_trust_other_accounts_need_an_identity_allow_matching_the_role() -> None:
    w = _world()
    data = audit(w).to_json()
    got = {p["arn"] for p in data["principals"] if p.get("can_escalate")}
    users = [u.arn for a in w.accounts.values() for u in a.users.values()]
    want = {u for u in users if decide(w, u, "sts:AssumeRole", ROLE).allowed}
    assert got == want
    # the rule itself: the same-account red user, and only the other accounts' matching holders
    assert want == {arn("user", "red-none")} | {f"arn:aws:iam::{a}:user/red-{n}" for a, n, _ in HOLDERS[:3]}


def test_open_trust_who_can_assume_lists_only_the_admitted() -> None:
    w = _world()
    data = audit(w).to_json()
    iw001 = next(f for f in data["findings"] if f["id"] == "IW001" and f["arn"] == ROLE)
    users = [u.arn for a in w.accounts.values() for u in a.users.values()]
    assert set(iw001["related"]) == {u for u in users if decide(w, u, "sts:AssumeRole", ROLE).allowed}


def test_open_trust_reading_the_callers_account_is_probed_per_account() -> None:
    """``trust_admits`` asks once for every other account only when the trust cannot tell
    accounts apart (``_account_blind``); a trust testing ``aws:PrincipalAccount`` can, so
    the two holders on ``*`` below, alike but for their account, get different answers."""
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red", "aws:PrincipalAccount": "444400000002"}}}]}
    home = Builder()
    admin = home.policy("admin", doc(allow("*")))
    home.role("open", trust, attached=(admin,))
    builders = [home]
    for account in ("444400000001", "444400000002", "444400000003"):
        b = Builder(account)
        b.user("red-star", doc(allow("sts:AssumeRole")), tags={"team": "red"})
        builders.append(b)
    w = world(*builders)
    users = [u.arn for a in w.accounts.values() for u in a.users.values()]
    want = {u for u in users if decide(w, u, "sts:AssumeRole", ROLE).allowed}
    assert want == {"arn:aws:iam::444400000002:user/red-star"}
    data = audit(w).to_json()
    assert {p["arn"] for p in data["principals"] if p.get("can_escalate")} == want


def test_open_trust_holders_through_two_parts_and_many_roles_match_the_engine() -> None:
    """The other accounts' share of an open role is built per holder part and merged per role
    (``open_admitted``): a class holding the role through two parts (``*`` and a pattern) is
    counted once, each role drops only its own account's entries, and in the search the
    shared lists shrink to the members still wanted. Several open roles in several accounts,
    every principal against ``decide()``."""
    accounts = ("555500000001", "555500000002", "555500000003")
    builders = []
    roles = []
    for i, acct in enumerate(accounts):
        b = Builder(acct)
        admin = b.policy("admin", doc(allow("*")))
        for name in ("open-a", "open-b"):
            b.role(name, OPEN, attached=(admin,))
            roles.append(arn("role", name, acct))
        nxt = accounts[(i + 1) % len(accounts)]
        # both parts: on * and on the next account's open-* roles
        b.user("red-both", doc(allow("sts:AssumeRole"), allow("sts:AssumeRole", arn("role", "open-*", nxt))),
               tags={"team": "red"})
        b.user("red-next", doc(allow("sts:AssumeRole", arn("role", "open-a", nxt))), tags={"team": "red"})
        b.user("red-none", tags={"team": "red"})
        b.user("blue-star", doc(allow("sts:AssumeRole")), tags={"team": "blue"})
        b.user("red-admin", attached=(admin,), tags={"team": "red"})
        builders.append(b)
    w = world(*builders)
    users = [u.arn for a in w.accounts.values() for u in a.users.values()]
    data = audit(w).to_json()
    esc = {p["arn"] for p in data["principals"] if p.get("can_escalate")}
    admins = {p["arn"] for p in data["principals"] if p.get("admin")}
    can = {u for u in users for r in roles if decide(w, u, "sts:AssumeRole", r).allowed}
    assert esc == can - admins
    for r in roles:
        iw001 = next(f for f in data["findings"] if f["id"] == "IW001" and f["arn"] == r)
        assert set(iw001["related"]) == {u for u in users if decide(w, u, "sts:AssumeRole", r).allowed}, r
