"""Before it ships: Terraform plans and CloudFormation templates read into a change set, applied
to the account, and the analysis run on before and after.

- ``terraform.read_plan(plan_json, account_id) -> ChangeSet``;
- ``cloudformation.read_template(text, ...) -> ChangeSet``;
- ``changes.apply(account, changes) -> Account``;
- ``evaluate(world, changes, fail_on) -> PlanReport`` (``compare``).

Pure: the CLI (``cli/plan.py``) reads the files and renders the report (``report/plan.py``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..i18n import Translator
from ..model.account import World
from .changes import ChangeError, ChangeSet, apply, empty_account
from .compare import NEW_RISK, NO_NEW_RISK, UNKNOWN, PlanReport, after_account, compare


def evaluate(world: World | None, changes: ChangeSet, fail_on: str = "low",
             now: datetime | None = None, translate: Translator | None = None) -> PlanReport:
    """Apply ``changes`` to their account in ``world`` (an empty account when it is not loaded)
    and compare the audits of before and after; ``translate``: the report's sentences in its
    language (``compare``)."""
    accounts = dict(world.accounts) if world else {}
    before = accounts.get(changes.account_id) or empty_account(changes.account_id)
    after, unknowns = after_account(before, changes)
    # the organization (SCPs, RCPs) and other services' resources stay as loaded (``--org``, ``--resources``)
    around = world or World({})
    before_world = replace(around, accounts={**accounts, changes.account_id: before})
    after_world = replace(around, accounts={**accounts, changes.account_id: after})
    return compare(before_world, after_world, changes, unknowns, fail_on, now, translate)


__all__ = ["NEW_RISK", "NO_NEW_RISK", "UNKNOWN", "ChangeError", "ChangeSet", "PlanReport", "apply",
           "empty_account", "evaluate"]
