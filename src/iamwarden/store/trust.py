"""Trust policies bound to unique IDs (spec §5.3).

When a trust policy is saved, every ``"AWS"`` principal that names a specific
IAM user or role of an account this store holds is replaced by that entity's
unique ID (``AIDA…``/``AROA…``); naming a user or role that does not exist is
``MalformedPolicyDocument: Invalid principal in policy: "AWS":"<arn>"``. On read
the ID is rendered back as the entity's *current* ARN (so a rename or path
change follows the entity), or left as the raw ID when the entity was deleted --
a user or role recreated with the same name has a new ID and is **not** trusted
until the policy is saved again. Account principals (root, bare IDs), services,
``*``, principals of accounts this store does not hold, and ARNs inside
conditions are left alone.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any, Callable

from ..policy import quotas
from ..policy.document import PolicyKind
from .errors import MalformedPolicyDocument
from .records import check_quota, dump, entity_arn, validate_policy

BOUND_ID = re.compile(r"^(AIDA|AROA)[A-Z2-7]{17}$")
_ENTITY_ARN = re.compile(r"^arn:aws:iam::(\d{12}):(user|role)(/.*/|/)([^/]+)$")


def _map_principals(doc: Any, fn: Callable[[str], str]) -> Any:
    """A copy of ``doc`` with ``fn`` applied to every Principal/NotPrincipal ``AWS`` value."""
    if not isinstance(doc, dict):
        return doc
    out = dict(doc)
    statements = doc.get("Statement")
    if isinstance(statements, dict):
        out["Statement"] = _map_statement(statements, fn)
    elif isinstance(statements, list):
        out["Statement"] = [_map_statement(s, fn) for s in statements]
    return out


def _map_statement(st: Any, fn: Callable[[str], str]) -> Any:
    if not isinstance(st, dict):
        return st
    out = dict(st)
    for el in ("Principal", "NotPrincipal"):
        principal = st.get(el)
        if isinstance(principal, dict) and "AWS" in principal:
            new = dict(principal)
            value = principal["AWS"]
            if isinstance(value, str):
                new["AWS"] = fn(value)
            elif isinstance(value, list):
                new["AWS"] = [fn(v) if isinstance(v, str) else v for v in value]
            out[el] = new
    return out


def bind_trust(conn: sqlite3.Connection, text: str, role_name: str = "trust", check_size: bool = True) -> str:
    """Validate a submitted trust policy and return the text to store (principals bound).

    The trust-policy quota (2,048 characters, white space not counted,
    ``policy.quotas.TRUST_POLICY``) is checked on the submitted text, before
    parsing, unless ``check_size`` is off (documents AWS already holds).
    """
    if check_size:
        check_quota(quotas.TRUST_POLICY, quotas.policy_size(text))
    validate_policy(text, PolicyKind.TRUST, f"role/{role_name}:trust")
    doc = json.loads(text)
    hosted = {r[0] for r in conn.execute("SELECT account_id FROM accounts")}
    changed = False

    def bind(value: str) -> str:
        nonlocal changed
        m = _ENTITY_ARN.match(value)
        if m is None or m.group(1) not in hosted:
            return value
        account, kind, path, name = m.groups()
        table, column = ("users", "user_id") if kind == "user" else ("roles", "role_id")
        row = conn.execute(
            f"SELECT {column} FROM {table} WHERE account_id = ? AND name_lower = ? AND path = ?",
            (account, name.lower(), path),
        ).fetchone()
        if row is None:
            raise MalformedPolicyDocument(f'Invalid principal in policy: "AWS":"{value}"')
        changed = True
        return str(row[0])

    bound = _map_principals(doc, bind)
    return dump(bound) if changed else text


def id_to_arn(conn: sqlite3.Connection) -> dict[str, str]:
    """Every user and role unique ID → its current ARN (for rendering many policies)."""
    out: dict[str, str] = {}
    for row in conn.execute("SELECT user_id, account_id, path, name FROM users"):
        out[row[0]] = entity_arn(row[1], "user", row[2], row[3])
    for row in conn.execute("SELECT role_id, account_id, path, name FROM roles"):
        out[row[0]] = entity_arn(row[1], "role", row[2], row[3])
    return out


def render_trust(stored: str, arns: dict[str, str] | Callable[[str], str | None]) -> str:
    """The trust policy as clients see it: bound IDs back to ARNs where the entity exists."""
    if "AIDA" not in stored and "AROA" not in stored:
        return stored
    lookup = arns.get if isinstance(arns, dict) else arns
    changed = False

    def render(value: str) -> str:
        nonlocal changed
        if BOUND_ID.match(value):
            arn = lookup(value)
            if arn is not None:
                changed = True
                return arn
        return value

    doc = json.loads(stored)
    rendered = _map_principals(doc, render)
    return dump(rendered) if changed else stored


def render_trust_one(conn: sqlite3.Connection, stored: str) -> str:
    """Render one trust policy, looking up only the IDs it holds."""

    def lookup(unique_id: str) -> str | None:
        table = "users" if unique_id.startswith("AIDA") else "roles"
        column = "user_id" if table == "users" else "role_id"
        row = conn.execute(
            f"SELECT account_id, path, name FROM {table} WHERE {column} = ?", (unique_id,)
        ).fetchone()
        if row is None:
            return None
        return entity_arn(row[0], "user" if table == "users" else "role", row[1], row[2])

    return render_trust(stored, lookup)
