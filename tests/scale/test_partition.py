"""Workers that hold only their accounts and the cross-account summary (``analysis.partition``)
answer as the whole world's index does: the same search, the same report (issue 15).

``PartialEngine`` runs the driver's tasks in this process, each worker with its own share of
the world (what the driver sends: ``WorldSource.share``) swapped into ``scale.tasks``: what
spawned and Ray workers do, without starting processes, so every hand-made and random
organization of ``test_split_search`` is audited this way too.
"""

from __future__ import annotations

import json
from concurrent.futures import Future
from typing import Any

import pytest

from iamwarden.analysis import partition
from iamwarden.analysis import split_search as ss
from iamwarden.scale import WorldSource, audit_world, local, tasks
from tests.analysis.builders import ADMIN, Builder, allow, arn, doc

from .conftest import NOW

A, B = "111111111111", "222222222222"


class PartialEngine:
    """The local engine's interface, in this process: each worker's state (its share of the
    world, sent by the driver's ``load`` task, and its search parts) swapped into ``tasks``."""

    def __init__(self, source: WorldSource, ix: Any, jobs: int, method: Any = None):
        self.workers = jobs
        self.state: list[dict[str, Any]] = [{"index": [], "source": [], "dropped": [None], "parts": {}}
                                            for _ in range(jobs)]
        self.sizes: list[int] = [0] * jobs

    def submit(self, name: str, *args: Any) -> Future[Any]:
        return self.submit_to(0, name, *args)

    def submit_to(self, worker: int, name: str, *args: Any) -> Future[Any]:
        st = self.state[worker]
        tasks._INDEX[:], tasks._SOURCE[:], tasks._DROPPED[:] = st["index"], st["source"], st["dropped"]
        tasks._PARTS.clear()
        tasks._PARTS.update(st["parts"])
        f: Future[Any] = Future()
        try:
            f.set_result(tasks.TASKS[name](None, *args))
            if name == "load":
                self.sizes[worker] = f.result()
        finally:
            st["index"], st["source"], st["dropped"] = list(tasks._INDEX), list(tasks._SOURCE), list(tasks._DROPPED)
            st["parts"] = dict(tasks._PARTS)
            tasks._INDEX.clear()
            tasks._SOURCE.clear()
            tasks._DROPPED[:] = [None]
            tasks._PARTS.clear()
        return f

    def close(self) -> None:
        pass


def partial_json(src: WorldSource, jobs: int, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[int]]:
    engines: list[PartialEngine] = []

    def make(*a: Any, **k: Any) -> PartialEngine:
        engines.append(PartialEngine(*a, **k))
        return engines[-1]

    with monkeypatch.context() as m:
        m.setattr(local, "LocalEngine", make)
        out = json.dumps(audit_world(src, jobs=jobs, min_principals=0, start_method="spawn")
                         .to_json(full_lists=True))
    return out, engines[0].sizes


def assert_partial_same(src: WorldSource, monkeypatch: pytest.MonkeyPatch, jobs: tuple[int, ...] = (2, 3, 4)) -> None:
    one = json.dumps(audit_world(src, jobs=1).to_json(full_lists=True))
    for j in jobs:
        got, _ = partial_json(src, j, monkeypatch)
        assert got == one, j


def test_confined_only_literal_own_account():
    assert partition.confined(f"arn:aws:iam::{A}:role/*", A)
    assert not partition.confined(f"arn:aws:iam::{B}:role/*", A)
    assert not partition.confined("arn:aws:iam::*:role/x", A)
    assert not partition.confined(f"arn:aws:iam:*:{A}:role/x", A)  # a wildcard before the account
    assert not partition.confined(f"arn:*:{A}:role/x", A)
    assert not partition.confined("*", A)
    assert not partition.confined("arn:aws:s3:::bucket/*", A)


def test_generated_organization_partial_workers(org_dir, monkeypatch):
    src = WorldSource.from_paths([org_dir], NOW)
    one = json.dumps(audit_world(src, jobs=1).to_json(full_lists=True))
    n = json.loads(one)["summary"]["principals"]
    for jobs in (2, 3, 5):
        got, sizes = partial_json(src, jobs, monkeypatch)
        assert got == one, jobs
        # each worker holds its accounts and a small summary of the others
        assert max(sizes) < n, sizes
    assert sum(sizes) < 1.2 * n, sizes  # 4 workers of 1 account each: about a quarter each


@pytest.mark.parametrize("case", ["three_accounts", "cycle", "only_through", "root_named", "interleaved"])
def test_hand_made_organizations_partial_workers(case, monkeypatch):
    from . import test_split_search as t

    built: list[WorldSource] = []
    monkeypatch.setattr(t, "assert_same_everywhere", lambda src: built.append(src) or _report(src))
    {"three_accounts": t.test_split_search_path_through_three_accounts_both_directions,
     "cycle": t.test_split_search_cycle_across_accounts,
     "only_through": t.test_split_search_admin_reached_only_through_another_account,
     "root_named": t.test_split_search_roles_trusting_root_and_named_principals,
     "interleaved": lambda: t.assert_same_everywhere(t._interleaved_groups())}[case]()
    monkeypatch.undo()
    assert_partial_same(built[0], monkeypatch)


def _report(src: WorldSource) -> dict[str, Any]:
    return json.loads(json.dumps(audit_world(src, jobs=1).to_json(full_lists=True)))


@pytest.mark.parametrize("seed", range(12))
def test_random_organizations_partial_workers(seed, monkeypatch):
    from .test_split_search import _random_org

    assert_partial_same(_random_org(seed), monkeypatch)


def _star_trust_groups() -> WorldSource:
    """A role of A open to ``*`` whose trust tests a tag: B's users fall in two groups by tag,
    and the first of B (b0, team x) cannot assume anything, so the worker owning A drops it.
    One process orders the groups by their first principal (team x: b0), the worker must
    too: the sources at distance 1 come b2, b4 (x), then b1, b3 (y), and c, who can reach
    all four, keeps the first three."""
    a, b = Builder(A), Builder(B)
    a.role("open", doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                        "Condition": {"StringLike": {"aws:PrincipalTag/team": "*"}}}), attached=(ADMIN,))
    for i in range(12):  # A is the larger account: the worker (not the driver) owns it
        a.user(f"a{i}")
    b.user("b0", doc(allow("s3:GetObject")), tags={"team": "x"})
    for i in range(1, 5):
        b.user(f"b{i}", doc(allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/*")), tags={"team": "xy"[i % 2 == 1]})
    b.user("c", doc(allow("iam:CreateAccessKey", f"arn:aws:iam::{B}:user/b*")))
    return WorldSource.of([(f"<{x.account}>", json.dumps(x.details()).encode()) for x in (a, b)], NOW)


def test_star_trust_groups_keep_whole_world_order(monkeypatch):
    src = _star_trust_groups()
    assert_partial_same(src, monkeypatch, jobs=(2,))
    # a worker owning A holds B's b1-b4, not b0 nor c
    from iamwarden.analysis import index_world

    cut = partition.shares(index_world(src.world(), NOW))
    assert cut.summary[B] == [arn("user", f"b{i}", B) for i in range(1, 5)]
    dropped = cut.dropped(frozenset({A}))
    assert list(dropped.gone) == [(B, "user", (("team", "x"),)), (B, "user", ())]
    # and without the reordering its groups come in its own order: the report differs
    one = json.dumps(audit_world(src, jobs=1).to_json(full_lists=True))
    monkeypatch.setattr(partition.Dropped, "reorder", lambda self, groups, keys: dict(groups))
    got, _ = partial_json(src, 2, monkeypatch)
    assert got != one


def test_deal_accounts_matches_assign_accounts(org_dir):
    from iamwarden.analysis import index_world

    src = WorldSource.from_paths([org_dir], NOW)
    ix = index_world(src.world(), NOW)
    sizes = {a: len(x.users) + len(x.roles) for a, x in ix.world.accounts.items()}
    for parts in (1, 2, 3, 5):
        assert ss.deal_accounts(sizes, parts) == ss.assign_accounts(ix, parts)


def _random_open_org(seed: int) -> WorldSource:
    """Accounts whose roles trust ``*`` (some testing a tag), whole accounts or named
    principals, with tagged principals of which many hold no ``sts:AssumeRole`` beyond their
    own account (dropped by the workers that do not own them), interleaved with those that do."""
    import random

    rnd = random.Random(seed)
    ids = [A, B, "333333333333", "444444444444"][:rnd.choice((2, 3, 4))]
    bs = {x: Builder(x) for x in ids}
    conds = [None, {"StringLike": {"aws:PrincipalTag/team": "*"}}, {"StringEquals": {"aws:PrincipalTag/team": "x"}}]

    def grant(me: str) -> dict[str, Any]:
        o = rnd.choice(ids)
        return rnd.choice([
            allow("sts:AssumeRole", "*"), allow("sts:AssumeRole", f"arn:aws:iam::{o}:role/*"),
            allow("sts:AssumeRole", f"arn:aws:iam::{me}:role/*"), allow("s3:GetObject"),
            allow("iam:CreateAccessKey", f"arn:aws:iam::{me}:user/*"), allow("iam:UpdateAssumeRolePolicy", "*")])

    for me, bl in bs.items():
        for i in range(7):
            kind = rnd.random()
            if kind < 0.4:
                st: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
                c = rnd.choice(conds)
                if c:
                    st["Condition"] = c
                t = doc(st)
            elif kind < 0.7:
                t = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{rnd.choice(ids)}:root"},
                         "Action": "sts:AssumeRole"})
            else:
                t = doc({"Effect": "Allow", "Principal": {"AWS": arn("user", f"u{rnd.randrange(7)}", rnd.choice(ids))},
                         "Action": "sts:AssumeRole"})
            bl.role(f"r{i}", t, doc(grant(me)), attached=(ADMIN,) if rnd.random() < 0.15 else ())
            tags = {"team": rnd.choice("xyz")} if rnd.random() < 0.7 else None
            bl.user(f"u{i}", doc(grant(me), grant(me)), tags=tags)
    return WorldSource.of([(f"<{b.account}>", json.dumps(b.details()).encode()) for b in bs.values()], NOW)


@pytest.mark.parametrize("seed", range(16))
def test_random_open_trust_organizations_partial_workers(seed, monkeypatch):
    src = _random_open_org(seed)
    assert_partial_same(src, monkeypatch)


def test_details_subset_keeps_the_principals_named_and_everything_else(org_dir):
    from iamwarden.loaders.authz_details import account_from_bytes, details_subset

    path = sorted(org_dir.glob("*.json"))[0]
    raw = path.read_bytes()
    whole = account_from_bytes(raw, str(path))
    keep = [u.arn for u in list(whole.users.values())[3:6]] + [r.arn for r in list(whole.roles.values())[:2]]
    part = account_from_bytes(details_subset(raw, frozenset(keep)), str(path))
    assert [e.arn for e in part.principals()] == keep
    assert part.account_id == whole.account_id and list(part.groups) == list(whole.groups)
    assert list(part.policies) == list(whole.policies)
    for e in part.principals():
        assert [p.document for p in part.identity_policies(e)] == [
            p.document for p in whole.identity_policies(whole.entity(e.arn))]
