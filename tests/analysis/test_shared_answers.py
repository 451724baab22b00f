"""The index's shared answers equal the engine's, for every principal, whoever is asked first.

``WorldIndex.ask`` memoises answers under a signature of the asking principal
(docs/decisions/analysis-shared-answers.md). This differential test asks every principal of
the bundled accounts a set of questions in a shuffled order and compares each answer with
``decide()`` asked afresh: a signature too coarse shows up as a mismatch for the principal
asked second.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from iamwarden.analysis import index_world
from iamwarden.evaluation import decide
from iamwarden.loaders.authz_details import load_world
from iamwarden.loaders.organization import load_organization, with_organization
from iamwarden.loaders.resources import load_resources, with_resources
from iamwarden.model.account import Role, World

REPO = Path(__file__).resolve().parents[2]
EX = REPO / "examples"
#: actions the techniques ask about, on "*" and on every role and loaded resource
ACTIONS = ("iam:PassRole", "iam:CreateAccessKey", "iam:AttachUserPolicy", "iam:PutRolePolicy",
           "iam:UpdateAssumeRolePolicy", "lambda:CreateFunction", "s3:GetObject", "kms:Decrypt")


def _worlds() -> dict[str, World]:
    org = with_organization(load_world([EX / "organization" / "accounts"]),
                            load_organization(EX / "organization" / "organization.json"))
    return {
        "demo": load_world([EX / "demo-account.json"]),
        "federated": load_world([EX / "federated-account.json"]),
        "more-findings": load_world([REPO / "tests" / "i18n" / "data" / "more-findings.json"]),
        "organization": with_resources(org, load_resources([EX / "organization" / "resources"])),
    }


def _generated() -> dict[str, World]:
    """A generated account (teams sharing group setups, tag-keyed trusts, boundaries) and a
    generated organization of three accounts (cross-account trusts), as the benchmarks build them."""
    import importlib.util  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    def module(name: str):  # type: ignore[no-untyped-def]
        spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(mod)  # type: ignore[union-attr]
        return mod

    from iamwarden.loaders.authz_details import account_from_details  # noqa: PLC0415

    one = account_from_details(module("generate_accounts").generate(240, seed=3), "<generated>")
    d = Path(tempfile.mkdtemp(prefix="shared-answers-"))
    module("generate_org").write_org(str(d), accounts=3, per_account=80, seed=5)
    return {"generated": World({one.account_id: one}), "generated-org": load_world([d])}


WORLDS = {**_worlds(), **_generated()}


@pytest.mark.parametrize("name", list(WORLDS))
@pytest.mark.parametrize("seed", [1, 2])
def test_shared_answers_equal_the_engine_in_any_order(name: str, seed: int) -> None:
    w = WORLDS[name]
    ix = index_world(w)
    principals = sorted(ix.subjects)
    roles = [p.arn for _, p in w.principals() if isinstance(p, Role)]
    held = [r.arn + ("/key" if r.kind == "s3-bucket" else "") for r in w.resources]
    questions = [(a, "*", None) for a in ACTIONS]
    questions += [("sts:AssumeRole", r, ix.role(r).trust) for r in roles]  # type: ignore[union-attr]
    questions += [(a, r, None) for r in held for a in ("s3:GetObject", "kms:Decrypt", "lambda:InvokeFunction",
                                                      "sqs:SendMessage", "secretsmanager:GetSecretValue")]
    pairs = [(p, q) for p in principals for q in questions]
    random.Random(seed).shuffle(pairs)
    wrong = []
    for p, (action, resource, trust) in pairs:
        got = ix.ask(ix.subjects[p], action, resource, trust=trust).decision
        want = decide(w, ix.subjects[p].caller, action, resource).decision
        if got != want:
            wrong.append((p, action, resource, got, want))
    assert wrong == []
