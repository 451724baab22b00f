#!/usr/bin/env python
"""Generate a seeded organization: N accounts of M principals each, one GAAD file per account.

    python benchmarks/generate_org.py ACCOUNTS PER_ACCOUNT --output DIR [--seed S]

Each account is ``generate_accounts.generate(PER_ACCOUNT, seed)`` with its own seed
and account ID (``100000000000`` + index). Two of the generator's three partner
accounts become the next two accounts of the organization, so the roles trusting
a partner (with and without ``sts:ExternalId``) and the users holding
``sts:AssumeRole`` on a partner's ``role/*`` are cross-account trusts inside the
organization; the third partner stays outside (a real third party). Files are
written as ``collect`` writes them, one per account, so ``iamwarden audit DIR``
reads the folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Iterator

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import generate_accounts  # noqa: E402


def account_id(i: int) -> str:
    return f"{100000000000 + i:012d}"


def generate_org(accounts: int, per_account: int, seed: int = 7) -> Iterator[tuple[str, dict[str, Any]]]:
    """(account ID, GAAD document) for each account, in order."""
    for i in range(accounts):
        text = json.dumps(generate_accounts.generate(per_account, seed * 100_003 + i))
        me = account_id(i)
        text = text.replace(generate_accounts.ACCT, me)
        for k, partner in enumerate(generate_accounts.PARTNERS[:2]):
            text = text.replace(partner, account_id((i + k + 1) % accounts))
        yield me, json.loads(text)


def write_org(folder: str, accounts: int, per_account: int, seed: int = 7) -> list[str]:
    os.makedirs(folder, exist_ok=True)
    out = []
    for acct, data in generate_org(accounts, per_account, seed):
        path = os.path.join(folder, f"account-{acct}.json")
        with open(path, "w") as fh:
            json.dump(data, fh)
        out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("accounts", type=int)
    ap.add_argument("per_account", type=int, help="principals (users + roles) per account")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--output", "-o", required=True, help="folder for the account files")
    a = ap.parse_args(argv)
    paths = write_org(a.output, a.accounts, a.per_account, a.seed)
    print(f"wrote {len(paths)} account files to {a.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
