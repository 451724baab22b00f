"""The world a playground question is asked in: the edited documents put on a caller and a role.

Two starting points, one rule: the caller's identity policies become the one
edited document, the role's trust and permissions policies become the edited
ones, everything else stays as it was.

* With no account loaded (the classic cases), the caller and the role are the
  only entities of their accounts (one account, or two when the ARNs name two).
* With a loaded account, the caller and the role are replaced in it, so the
  caller keeps its permissions boundary and the organization's SCPs still
  apply. One document holding every statement of all the caller's identity
  policies (inline, attached, its groups') decides exactly as the separate
  policies do: identity policies are one union (spec §1.1).

The documents are parsed with ``parse_policy`` like every other input; a
document that does not parse raises ``PolicySyntaxError`` and the API answers
with the findings instead of a verdict.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from ..model.account import Account, InlinePolicy, Role, User, World
from ..model.arn import Arn, root_arn
from ..policy.document import Policy, PolicyKind, parse_policy

#: the inline policy names the edited documents get (they appear in the explanation's statements)
IDENTITY_NAME = "identity-policy"
PERMISSIONS_NAME = "permissions-policy"


class SandboxError(ValueError):
    """An ARN the playground cannot place: ``field`` names the request field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Edits:
    """What the person typed: two ARNs and three documents (empty text: no such policy)."""

    caller: str
    role: str
    identity: str
    trust: str
    permissions: str


def entity_of(arn: str, field: str) -> tuple[str, str, str]:
    """(account, kind ``user``/``role``, name) of a user, role or role-session ARN."""
    a = Arn.parse(arn)
    if a is None or not a.account.isdigit() or len(a.account) != 12:
        raise SandboxError(field, f"{arn!r} is not an ARN with a 12-digit account, "
                                  "e.g. arn:aws:iam::111111111111:user/alice")
    if a.service == "sts" and a.resource.startswith("assumed-role/") and a.resource.count("/") == 2:
        return a.account, "role", a.resource.split("/")[1]
    if a.service == "iam" and a.resource_type in ("user", "role") and a.name:
        return a.account, a.resource_type, a.name
    raise SandboxError(field, f"{arn!r}: expected a user, role or assumed-role session ARN")


def _policy(text: str, kind: PolicyKind, name: str) -> Policy | None:
    return parse_policy(text, kind, name) if text.strip() else None


def _inline(policy: Policy | None, name: str) -> tuple[InlinePolicy, ...]:
    return (InlinePolicy(name, policy),) if policy is not None else ()


def _default_trust(account: str) -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": root_arn(account)}, "Action": "sts:AssumeRole"}]},
        PolicyKind.TRUST, "trust-policy")


def _empty(account: str) -> Account:
    return Account(account, {}, {}, {}, {}, source="playground")


def build_world(edits: Edits, base: World | None = None) -> World:
    """The world with the edits applied (``base``: a loaded world, else an empty one)."""
    c_acct, c_kind, c_name = entity_of(edits.caller, "caller")
    r_acct, r_kind, r_name = entity_of(edits.role, "role")
    if r_kind != "role" or Arn.parse(edits.role).service != "iam":  # type: ignore[union-attr]
        raise SandboxError("role", f"{edits.role!r}: expected a role ARN, e.g. arn:aws:iam::111111111111:role/Deploy")
    if (c_acct, c_kind, c_name) == (r_acct, r_kind, r_name):
        raise SandboxError("role", "the caller and the role are the same role; pick another role")
    identity = _policy(edits.identity, PolicyKind.IDENTITY, IDENTITY_NAME)
    trust = _policy(edits.trust, PolicyKind.TRUST, "trust-policy")
    if trust is None:
        raise SandboxError("trust", "a role always has a trust policy: it cannot be empty")
    permissions = _policy(edits.permissions, PolicyKind.IDENTITY, PERMISSIONS_NAME)

    accounts: dict[str, Account] = dict(base.accounts) if base else {}
    for acct in {c_acct, r_acct}:
        accounts.setdefault(acct, _empty(acct))

    def put(account_id: str, entity: User | Role) -> None:
        a = accounts[account_id]
        users, roles = dict(a.users), dict(a.roles)
        if isinstance(entity, User):
            users[entity.name] = entity
        else:
            roles[entity.name] = entity
        accounts[account_id] = Account(a.account_id, users, a.groups, roles, a.policies, a.source)

    c_arn = f"arn:aws:iam::{c_acct}:{c_kind}/{c_name}"
    if c_kind == "user":
        old_u = accounts[c_acct].users.get(c_name)
        user = (dataclasses.replace(old_u, inline=_inline(identity, IDENTITY_NAME), attached=(), groups=())
                if old_u else User(c_arn, c_name, "/", _unique("AIDA", c_arn), _inline(identity, IDENTITY_NAME)))
        put(c_acct, user)
    else:
        old_r = accounts[c_acct].roles.get(c_name)
        crole = (dataclasses.replace(old_r, inline=_inline(identity, IDENTITY_NAME), attached=())
                 if old_r else Role(c_arn, c_name, "/", _unique("AROA", c_arn), _default_trust(c_acct),
                                    _inline(identity, IDENTITY_NAME)))
        put(c_acct, crole)
    r_arn = f"arn:aws:iam::{r_acct}:role/{r_name}"
    old = accounts[r_acct].roles.get(r_name)
    role = (dataclasses.replace(old, trust=trust, inline=_inline(permissions, PERMISSIONS_NAME), attached=())
            if old else Role(r_arn, r_name, "/", _unique("AROA", r_arn), trust, _inline(permissions, PERMISSIONS_NAME)))
    put(r_acct, role)
    return World(accounts, base.scps if base else {}, base.rcps if base else {})


def _unique(prefix: str, arn: str) -> str:
    """A stable unique id of the AWS shape (prefix + 17 upper-case characters) for a made-up entity."""
    import hashlib

    return prefix + hashlib.sha256(arn.encode()).hexdigest()[:17].upper()


def merged_identity(account: Account, entity: User | Role) -> str:
    """All statements of an entity's identity policies as one document's text (spec §1.1: a union)."""
    statements: list[Any] = []
    for p in account.identity_policies(entity):
        doc = p.document if isinstance(p.document, dict) else {}
        st = doc.get("Statement", [])
        statements += st if isinstance(st, list) else [st]
    if not statements:
        return ""
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2) + "\n"


def document_text(policy: Policy | None) -> str:
    if policy is None or not isinstance(policy.document, dict):
        return ""
    return json.dumps(policy.document, indent=2) + "\n"
