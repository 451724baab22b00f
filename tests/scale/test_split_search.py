"""The search split in rounds across parts (``analysis.split_search``) finds what one process
finds: the same distances, the same alternatives in the same order, the same report.

Hand-made organizations for the cases the split must join exactly (paths through two and
three accounts in both directions, cycles across accounts, an admin reached only through
another account, roles trusting another account's root and named principals), and seeded
random organizations whose D15 groups interleave, searched with 1-4 parts.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from iamwarden.analysis import index_world
from iamwarden.analysis import split_search as ss
from iamwarden.analysis.graph import Escalation, escalation, first_steps
from iamwarden.scale import WorldSource, audit_world
from tests.analysis.builders import ADMIN, Builder, allow, arn, doc, trust

from .conftest import NOW

A, B, C = "111111111111", "222222222222", "333333333333"


def _source(*builders: Builder) -> WorldSource:
    return WorldSource.of([(f"<{b.account}>", json.dumps(b.details()).encode()) for b in builders], NOW)


def _split(src: WorldSource, parts: int, assign: str = "balanced") -> tuple[Escalation, int]:
    """The split search with ``parts`` parts, each with its own ``Part`` (as separate workers)."""
    ix = index_world(src.world(), NOW)
    admins = [a for a in ix.subjects if ix.admin(a).admin]
    first = first_steps(ix, set(admins))
    accts = sorted({s.account_id for s in ix.subjects.values()})
    owner = ss.assign_accounts(ix, parts) if assign == "balanced" else {a: i % parts for i, a in enumerate(accts)}
    states: dict[tuple[int, int], ss.Part] = {}
    rounds = [0]

    def run(phase: int, placed: ss.Placed, targets: list[tuple[str, int]]) -> ss.Found:
        rounds[0] += 1
        out: ss.Found = {}
        for i in range(parts):
            part = states.setdefault((phase, i), ss.Part(phase))
            out.update(ss.expand(ix, part, placed, [(t, d) for t, d in targets
                                                    if owner[ix.subjects[t].account_id] == i]))
        return out

    return ss.split_escalation(ix, first, run), rounds[0]


def _shape(esc: Escalation) -> Any:
    return (esc.admins, [(a, [repr(e) for e in v]) for a, v in esc.first.items()],
            [(list(s.dist.items()), [(a, [repr(e) for e in v]) for a, v in s.next.items()])
             for s in (esc.certain, esc.uncertain)])


def _in_process(src: WorldSource) -> Escalation:
    return escalation(index_world(src.world(), NOW))


def assert_same_everywhere(src: WorldSource) -> dict[str, Any]:
    """Split with 1-4 parts == one process (search), and the report of 2 and 3 local
    processes == the in-process report, byte for byte; returns the report."""
    ref = _shape(_in_process(src))
    for parts in (1, 2, 3, 4):
        for assign in ("balanced", "round-robin"):
            assert _shape(_split(src, parts, assign)[0]) == ref, (parts, assign)
    one = json.dumps(audit_world(src, jobs=1).to_json(full_lists=True))
    for jobs in (2, 3):
        assert json.dumps(audit_world(src, jobs=jobs, min_principals=0).to_json(full_lists=True)) == one, jobs
    return json.loads(one)


def _path_accounts(report: dict[str, Any], who: str) -> list[str]:
    p = next(p for p in report["principals"] if p["arn"] == who)
    return [e["to"].split(":")[4] for e in p["paths"][0]["steps"]]


def test_split_search_path_through_three_accounts_both_directions() -> None:
    a, b, c = Builder(A), Builder(B), Builder(C)
    # A -> B -> C -> admin in A
    alice = a.user("alice", doc(allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/hop1")))
    b.role("hop1", trust({"AWS": f"arn:aws:iam::{A}:root"}), doc(allow("sts:AssumeRole", f"arn:aws:iam::{C}:role/*")))
    c.role("hop2", trust({"AWS": f"arn:aws:iam::{B}:root"}), doc(allow("sts:AssumeRole", "*")))
    a.role("boss", trust({"AWS": arn("role", "hop2", C)}), attached=(ADMIN,))
    # and the other way: C -> B -> A -> admin in C
    carol = c.user("carol", doc(allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/back1")))
    b.role("back1", trust({"AWS": f"arn:aws:iam::{C}:root"}), doc(allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/back2")))
    a.role("back2", trust({"AWS": arn("role", "back1", B)}), doc(allow("sts:AssumeRole", f"arn:aws:iam::{C}:role/cadm")))
    c.role("cadm", trust({"AWS": f"arn:aws:iam::{A}:root"}), attached=(ADMIN,))
    report = assert_same_everywhere(_source(a, b, c))
    assert _path_accounts(report, alice) == [B, C, A]
    assert _path_accounts(report, carol) == [B, A, C]


def test_split_search_cycle_across_accounts() -> None:
    a, b, c = Builder(A), Builder(B), Builder(C)
    a.role("ra", trust({"AWS": f"arn:aws:iam::{C}:root"}), doc(allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/rb")))
    b.role("rb", trust({"AWS": f"arn:aws:iam::{A}:root"}), doc(allow("sts:AssumeRole", f"arn:aws:iam::{C}:role/rc")))
    c.role("rc", trust({"AWS": f"arn:aws:iam::{B}:root"}),
           doc(allow("sts:AssumeRole", [f"arn:aws:iam::{A}:role/ra", f"arn:aws:iam::{A}:role/aadm"])))
    a.role("aadm", trust({"AWS": arn("role", "rc", C)}), attached=(ADMIN,))
    u = b.user("u", doc(allow("sts:AssumeRole", f"arn:aws:iam::{C}:role/rc")))
    report = assert_same_everywhere(_source(a, b, c))
    assert any(f["id"] == "IW005" for f in report["findings"])
    assert _path_accounts(report, u) == [C, A]
    assert _path_accounts(report, arn("role", "rb", B)) == [C, A]
    assert _path_accounts(report, arn("role", "ra", A)) == [B, C, A]


def test_split_search_admin_reached_only_through_another_account() -> None:
    a, b = Builder(A), Builder(B)
    dev = a.user("dev", doc(allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/bridge")))
    a.user("nobody")
    b.role("bridge", trust({"AWS": f"arn:aws:iam::{A}:root"}), doc(allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/*")))
    a.role("top", trust({"AWS": arn("role", "bridge", B)}), attached=(ADMIN,))
    report = assert_same_everywhere(_source(a, b))
    assert _path_accounts(report, dev) == [B, A]
    esc = {p["arn"]: p["can_escalate"] for p in report["principals"]}
    assert esc[dev] and not esc[arn("user", "nobody", A)]


def test_split_search_roles_trusting_root_and_named_principals() -> None:
    """Account trusts (D15's grouped candidates, whose order depends on who is still
    wanted) and named principals, with many look-alike sources in two accounts."""
    a, b, c = Builder(A), Builder(B), Builder(C)
    a.role("root-trust", trust({"AWS": [f"arn:aws:iam::{B}:root", C, A]}), attached=(ADMIN,))
    a.role("named", trust({"AWS": [arn("user", "b03", B), arn("role", "c02", C)]}), attached=(ADMIN,))
    a.role("middle", trust({"AWS": f"arn:aws:iam::{B}:root"}),
           doc(allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/root-trust")))
    for i in range(8):
        # three kinds of policy, interleaved by name: D15 groups whose members alternate
        kind = i % 3
        pol = [doc(allow("sts:AssumeRole", "*")),
               doc(allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/*"), allow("s3:*")),
               doc(allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/middle"))][kind]
        b.user(f"b{i:02d}", pol)
        c.role(f"c{i:02d}", trust({"AWS": f"arn:aws:iam::{B}:root"}), pol,
               doc(allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/*")))
        b.role(f"r{i:02d}", trust({"AWS": f"arn:aws:iam::{C}:root"}), doc(allow("sts:AssumeRole", "*")))
    report = assert_same_everywhere(_source(a, b, c))
    assert _path_accounts(report, arn("user", "b02", B)) == [A, A]  # through middle
    assert report["summary"]["can_escalate"] >= 20


def _random_org(seed: int) -> WorldSource:
    """Three or four accounts of look-alike principals with random cross-account trusts,
    some admins, some self-escalation (distance 1) and some MFA-conditioned (uncertain) steps."""
    rnd = random.Random(seed)
    ids = [A, B, C, "444444444444"][:rnd.choice((3, 4))]
    bs = {x: Builder(x) for x in ids}
    grants = [
        lambda o: allow("sts:AssumeRole", "*"),
        lambda o: allow("sts:AssumeRole", f"arn:aws:iam::{o}:role/*"),
        lambda o: allow("sts:AssumeRole", f"arn:aws:iam::{o}:role/r{rnd.randrange(6)}"),
        lambda o: allow("iam:CreateAccessKey", "*"),
        lambda o: allow("iam:UpdateAssumeRolePolicy", "*"),
        lambda o: allow("iam:AttachUserPolicy", "*"),
    ]
    for bl in bs.values():
        for i in range(6):
            o = rnd.choice(ids)
            trusts: list[Any] = [rnd.choice([f"arn:aws:iam::{o}:root", o, arn("user", f"u{rnd.randrange(6)}", o),
                                             arn("role", f"r{rnd.randrange(6)}", o)])]
            extra: dict[str, Any] = {}
            if rnd.random() < 0.2:
                extra["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
            pols = [doc(rnd.choice(grants)(rnd.choice(ids)))]
            bl.role(f"r{i}", trust({"AWS": trusts}, **extra), *pols,
                    attached=(ADMIN,) if rnd.random() < 0.12 else ())
            bl.user(f"u{i}", doc(rnd.choice(grants)(rnd.choice(ids)), rnd.choice(grants)(rnd.choice(ids))))
    return _source(*bs.values())


@pytest.mark.parametrize("seed", range(12))
def test_split_search_random_cross_account_organizations(seed: int) -> None:
    assert_same_everywhere(_random_org(seed))


def test_split_search_generated_organization_parts(org_dir) -> None:
    """The generated organization of the other scale tests, 1-4 parts: same search; the
    rounds are the search's levels, not one per target."""
    src = WorldSource.from_paths([org_dir], NOW)
    ref = _shape(_in_process(src))
    for parts in (1, 2, 3, 4):
        got, rounds = _split(src, parts)
        assert _shape(got) == ref, parts
        assert rounds < 30


def _interleaved_groups() -> WorldSource:
    """One round where D15's group order differs between a part and one process.

    Roots in queue order: the users t1a-t1c of B, then role t2 of C (trusting B's root).
    b0 and b2 share a managed policy (one D15 group), b1 has a copy of it (another group).
    b0 can also create access keys for the t1 users: by the time one process asks who can
    assume t2, b0 has its three alternatives and is no longer wanted, so the groups go
    b1, then b2. The part owning C does not know that and sees b0's group first."""
    b, c = Builder(B), Builder(C)
    p1 = b.policy("assume", doc(allow("sts:AssumeRole", f"arn:aws:iam::{C}:role/*")))
    p2 = b.policy("assume-copy", doc(allow("sts:AssumeRole", f"arn:aws:iam::{C}:role/*")))
    for n in ("t1a", "t1b", "t1c"):
        b.user(n, attached=(ADMIN,))
    b.user("b0", doc(allow("iam:CreateAccessKey", f"arn:aws:iam::{B}:user/t1*")), attached=(p1,))
    b.user("b1", attached=(p2,))
    b.user("b2", attached=(p1,))
    b.user("x", doc(allow("iam:CreateAccessKey", f"arn:aws:iam::{B}:user/b*")))
    c.role("t2", trust({"AWS": f"arn:aws:iam::{B}:root"}), attached=(ADMIN,))
    return _source(b, c)


def test_split_search_d15_groups_keep_one_process_order(monkeypatch) -> None:
    src = _interleaved_groups()
    report = assert_same_everywhere(src)
    ref = _shape(_in_process(src))
    dist = ref[2][0][0]
    assert [a for a, _ in dist].index(arn("user", "b1", B)) < [a for a, _ in dist].index(arn("user", "b2", B))
    assert report["summary"]["can_escalate"] >= 4
    # the replay's reordering is what keeps it so: without it the part's order wins
    monkeypatch.setattr(ss, "_ordered", lambda segs, wanted: [e for edges, _ in segs for e in edges])
    assert _shape(_split(src, 2, "round-robin")[0]) != ref
    assert _shape(_split(src, 1)[0]) == ref  # one part knows everything: no reordering needed
