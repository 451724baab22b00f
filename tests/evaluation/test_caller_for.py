"""``caller_for``'s path for a loaded user or role (``world._loaded_entity_caller``) gives the
caller the general path (``Caller.from_arn``, then the entity's fields) gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamwarden.evaluation import world as world_module
from iamwarden.loaders.authz_details import load_world

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("name", ["demo-account.json", "federated-account.json"])
def test_loaded_entities_resolve_as_the_general_path(name, monkeypatch):
    world = load_world([EXAMPLES / name])
    arns = [e.arn for acct in world.accounts.values()
            for e in (*acct.users.values(), *acct.roles.values(), *acct.groups.values())]
    arns += [a.replace(":user/", ":user/x-") for a in arns]  # not loaded: the general path
    fast = {a: world_module._loaded_entity_caller(world, a) for a in arns}
    assert sum(c is not None for c in fast.values()) == sum(
        len(acct.users) + len(acct.roles) for acct in world.accounts.values())
    monkeypatch.setattr(world_module, "_loaded_entity_caller", lambda w, p: None)
    for a, c in fast.items():
        if c is not None:
            assert world_module.caller_for(world, a) == c
