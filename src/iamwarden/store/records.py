"""Shared pieces of the IAM tables: ARNs, entity lookups, tags and policy validation."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

from ..policy.document import Policy, PolicyKind, parse_policy
from ..policy.echo import join_listed
from ..policy.errors import PolicySyntaxError, iam_message
from ..policy.quotas import Quota
from .errors import InvalidInput, LimitExceeded, MalformedPolicyDocument, NoSuchEntity

PARTITION = "aws"
MAX_TAGS = 50


@dataclass(frozen=True, slots=True)
class EntityKind:
    """How one kind of entity is stored and named in messages."""

    name: str  # "user", "group", "role"
    table: str
    id_column: str
    label: str  # for "The user with name X cannot be found."
    arn_type: str


USER = EntityKind("user", "users", "user_id", "user", "user")
GROUP = EntityKind("group", "groups", "group_id", "group", "group")
ROLE = EntityKind("role", "roles", "role_id", "role", "role")
KINDS = {k.name: k for k in (USER, GROUP, ROLE)}


def entity_arn(account_id: str, arn_type: str, path: str, name: str) -> str:
    """``arn:aws:iam::A:user/path/name`` -- the path appears without its leading slash (§5.2)."""
    return f"arn:{PARTITION}:iam::{account_id}:{arn_type}{path}{name}"


def policy_arn(account_id: str, path: str, name: str) -> str:
    return entity_arn(account_id, "policy", path, name)


def find_entity(
    conn: sqlite3.Connection, account_id: str, kind: EntityKind, name: str
) -> sqlite3.Row:
    """The row of a user/group/role by name (case-insensitive), or ``NoSuchEntity``."""
    row = conn.execute(
        f"SELECT * FROM {kind.table} WHERE account_id = ? AND name_lower = ?",
        (account_id, name.lower()),
    ).fetchone()
    if row is None:
        raise NoSuchEntity(f"The {kind.label} with name {name} cannot be found.")
    return row


def row_arn(row: sqlite3.Row, kind: EntityKind) -> str:
    return entity_arn(row["account_id"], kind.arn_type, row["path"], row["name"])


# --- tags --------------------------------------------------------------------------


def load_tags(text: str | None) -> list[dict[str, str]]:
    return json.loads(text) if text else []


def check_new_tags(tags: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """Tags of one request: keys unique case-insensitively, at most 50."""
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for tag in tags:
        key = tag["Key"]
        if key.lower() in seen:
            raise InvalidInput(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive."
            )
        seen.add(key.lower())
        out.append({"Key": key, "Value": tag.get("Value", "")})
    if len(out) > MAX_TAGS:
        raise LimitExceeded(f"The number of tags has exceeded the maximum allowed limit of {MAX_TAGS}.")
    return out


def merge_tags(current: list[dict[str, str]], new: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """TagX: a new value replaces the tag with the same key (case-insensitive)."""
    incoming = check_new_tags(new)
    by_key = {t["Key"].lower(): i for i, t in enumerate(current)}
    merged = [dict(t) for t in current]
    for tag in incoming:
        i = by_key.get(tag["Key"].lower())
        if i is None:
            by_key[tag["Key"].lower()] = len(merged)
            merged.append(tag)
        else:
            merged[i] = tag
    if len(merged) > MAX_TAGS:
        raise LimitExceeded(f"The number of tags has exceeded the maximum allowed limit of {MAX_TAGS}.")
    return merged


def remove_tags(current: list[dict[str, str]], keys: Iterable[str]) -> list[dict[str, str]]:
    drop = {k.lower() for k in keys}
    return [t for t in current if t["Key"].lower() not in drop]


def dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


# --- policy documents ----------------------------------------------------------------


def problems_message(error: PolicySyntaxError) -> str:
    return join_listed([f"{p.path}: {p.message}" for p in error.problems])


def check_quota(quota: Quota, size: int, name: str = "") -> None:
    """``LimitExceeded`` (409) with AWS's message when ``size`` is over ``quota`` (policy.quotas)."""
    if size > quota.limit:
        raise LimitExceeded(quota.exceeded_message(name, size))


def check_count(conn: sqlite3.Connection, quota: Quota, sql: str, params: tuple[object, ...]) -> None:
    """``LimitExceeded`` when ``sql`` (a ``COUNT``) already reaches ``quota``: one more is refused."""
    if conn.execute(sql, params).fetchone()[0] >= quota.limit:
        raise LimitExceeded(quota.exceeded_message())


def validate_policy(text: str, kind: PolicyKind, name: str = "policy") -> Policy:
    """Parse a submitted document; any problem is ``MalformedPolicyDocument`` with IAM's text (§5.4).

    The JSON paths of the problems go in the error's ``detail`` (the access log).
    """
    try:
        return parse_policy(text, kind, name)
    except PolicySyntaxError as e:
        raise MalformedPolicyDocument(iam_message(e), detail=problems_message(e)) from None


@lru_cache(maxsize=16384)
def parsed(text: str, kind: PolicyKind, name: str) -> Policy:
    """Stored documents are valid; parse each (text, kind, name) once per process."""
    return parse_policy(text, kind, name)


def check_path_prefix(prefix: str | None) -> str:
    return prefix or "/"
