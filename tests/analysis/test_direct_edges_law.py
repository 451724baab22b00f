"""D03-D06 and D14 against the engine, on random accounts (a law, hypothesis).

For every user or role ``t`` and every principal ``s``, the direct IAM checker gives an edge
``s -> t`` for a technique exactly when ``s`` is in ``t``'s account (IAM users and roles have no
resource policies) and the engine allows ``s`` every action of the technique on ``t``. The
checker reaches that answer through indexes and shortcuts (holders by Resource pattern, per
account; ``can_somewhere`` with a picked resource name); the law holds them to ``decide()``
with Resource patterns of every shape: ``*``, wildcard accounts, ``?``, other accounts, and
Denies on some of them.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.analysis import index_world
from iamwarden.analysis.techniques.iam_direct import IamDirectChecker
from iamwarden.evaluation import decide

from .builders import Builder, arn, doc, trust, world

A, B = "111100000001", "222200000002"
NAMES = ("ana", "ann", "bob")
ACTIONS = ("iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
           "iam:UpdateAssumeRolePolicy")
PLAN = {"D03": ("iam:CreateAccessKey",), "D04": ("iam:CreateAccessKey", "iam:DeleteAccessKey"),
        "D05": ("iam:CreateLoginProfile",), "D06": ("iam:UpdateLoginProfile",),
        "D14": ("iam:UpdateAssumeRolePolicy",)}
RESOURCES = ("*", "arn:aws:iam::*:user/*", "arn:aws:iam::*:user/an?", f"arn:aws:iam::{A}:user/a*",
             f"arn:aws:iam::{B}:user/*", "arn:aws:iam::1111*:*", "arn:aws:iam::*:role/*", f"arn:aws:iam::{A}:role/r?",
             "arn:aws:iam::*:user/${aws:username}", f"arn:aws:iam::{B}:user/bob")

_statement = st.fixed_dictionaries({
    "Effect": st.sampled_from(["Allow", "Allow", "Allow", "Deny"]),
    "Action": st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3, unique=True),
    "Resource": st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2, unique=True),
})
_policies = st.lists(st.lists(_statement, min_size=0, max_size=3), min_size=6, max_size=6)


def _world(policies: list[list[dict]]):  # noqa: ANN202
    builders = []
    i = 0
    for acct in (A, B):
        b = Builder(acct)
        for name in NAMES[:2] if acct == A else NAMES[1:]:
            b.user(name, *([doc(*policies[i])] if policies[i] else []))
            i += 1
        b.role("r1", trust({"AWS": acct}), *([doc(*policies[i])] if policies[i] else []))
        i += 1
        builders.append(b)
    return world(*builders)


def _all(source: str, uncertain: bool = False) -> bool:
    return True


@settings(max_examples=200, deadline=None)
@given(_policies)
def test_direct_edges_are_the_engines_answers(policies: list[list[dict]]) -> None:
    w = _world(policies)
    ix = index_world(w)
    checker = IamDirectChecker()
    for t, target in ix.subjects.items():
        got = {(e.source, e.technique) for e in checker.edges_into(target, ix, _all)}
        techniques = ("D03", "D04", "D05", "D06") if target.kind == "user" else ("D14",)
        want = set()
        for s in ix.subjects:
            if s == t or ix.subjects[s].account_id != target.account_id:
                continue
            for tid in techniques:
                if all(decide(w, s, a, t).allowed for a in PLAN[tid]):
                    want.add((s, tid))
        assert got == want, (t, policies)


def test_direct_edges_law_sees_a_wildcard_account_pattern() -> None:
    """The case the law was written for: a ``?`` pattern with a wildcard account."""
    pol = [[{"Effect": "Allow", "Action": ["iam:CreateAccessKey"], "Resource": ["arn:aws:iam::*:user/an?"]}],
           [], [], [], [], []]
    w = _world(pol)
    ix = index_world(w)
    edges = {(e.source, e.technique) for e in IamDirectChecker().edges_into(ix.subjects[arn("user", "ann", A)], ix, _all)}
    assert edges == {(arn("user", "ana", A), "D03")}
