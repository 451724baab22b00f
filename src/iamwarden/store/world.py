"""The store seen by the engine and by the analysis.

:meth:`WorldMixin.to_world` builds the engine's :class:`~iamwarden.model.account.World`
(accounts with users, groups, roles and managed policies, policies parsed) and
caches it under the store's write generation, so authorizing a request costs
one tiny SELECT while nothing changed, and a rebuild after a write (documents
are parsed once per process thanks to an LRU on their text).

:meth:`WorldMixin.authorization_details` returns GetAccountAuthorizationDetails
output (policy documents as JSON text, as the API carries them before URL
encoding), which :func:`iamwarden.loaders.authz_details.account_from_details`
reads back -- so ``audit --endpoint`` sees exactly what the server enforces.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any, Iterable

from ..model.account import Account, Group, InlinePolicy, ManagedPolicy, Role, User, World
from ..policy.document import PolicyKind
from .aws_managed import AWS_MANAGED
from .entities import EntitiesMixin, group_out, user_out
from .policies import PoliciesMixin
from .records import GROUP, ROLE, USER, entity_arn, load_tags, parsed, row_arn
from .trust import id_to_arn, render_trust

ENTITY_FILTERS = ("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")


class WorldMixin(PoliciesMixin, EntitiesMixin):
    _world_lock: threading.Lock
    _world_cache: tuple[int, World] | None

    def _init_world_cache(self) -> None:
        self._world_lock = threading.Lock()
        self._world_cache = None

    def to_world(self) -> World:
        """The engine's model of every account in the store (cached per write generation)."""
        cached = self._world_cache
        if cached is not None and cached[0] == self.generation():
            return cached[1]
        with self._world_lock:
            with self.read() as conn:
                gen = int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
                cached = self._world_cache
                if cached is not None and cached[0] == gen:
                    return cached[1]
                world = self._build_world(conn)
            self._world_cache = (gen, world)
            return world

    def to_account(self, account_id: str) -> Account | None:
        return self.to_world().account(account_id)

    # --- building -----------------------------------------------------------------------

    def _inline(self, conn: sqlite3.Connection, owner_id: str, label: str) -> tuple[InlinePolicy, ...]:
        return tuple(
            InlinePolicy(name, parsed(doc, PolicyKind.IDENTITY, f"{label}:{name}"))
            for name, doc in conn.execute(
                "SELECT name, document FROM inline_policies WHERE owner_id = ? ORDER BY name",
                (owner_id,),
            )
        )

    def _attached_arns(self, conn: sqlite3.Connection, owner_id: str) -> tuple[str, ...]:
        return tuple(
            r[0]
            for r in conn.execute(
                "SELECT policy_arn FROM attachments WHERE owner_id = ? ORDER BY seq", (owner_id,)
            )
        )

    def _build_world(self, conn: sqlite3.Connection) -> World:
        arns = id_to_arn(conn)
        accounts: dict[str, Account] = {}
        aws_policies = {
            p.arn: ManagedPolicy(
                p.arn, p.name, p.path, p.policy_id, p.version_id,
                {p.version_id: parsed(p.text, PolicyKind.IDENTITY, p.arn)},
            )
            for p in AWS_MANAGED.values()
        }
        for (account_id,) in conn.execute("SELECT account_id FROM accounts").fetchall():
            policies: dict[str, ManagedPolicy] = dict(aws_policies)
            for row in conn.execute(
                "SELECT * FROM managed_policies WHERE account_id = ?", (account_id,)
            ).fetchall():
                versions = {
                    vid: parsed(doc, PolicyKind.IDENTITY, row["arn"])
                    for vid, doc in conn.execute(
                        "SELECT version_id, document FROM policy_versions WHERE policy_id = ?",
                        (row["policy_id"],),
                    )
                }
                count = conn.execute(
                    "SELECT COUNT(*) FROM attachments WHERE policy_arn = ?", (row["arn"],)
                ).fetchone()[0]
                policies[row["arn"]] = ManagedPolicy(
                    row["arn"], row["name"], row["path"], row["policy_id"],
                    row["default_version"], versions, int(count),
                )
            groups: dict[str, Group] = {}
            group_names: dict[str, str] = {}
            for row in conn.execute("SELECT * FROM groups WHERE account_id = ?", (account_id,)).fetchall():
                group_names[row["group_id"]] = row["name"]
                groups[row["name"]] = Group(
                    row_arn(row, GROUP), row["name"], row["path"], row["group_id"],
                    self._inline(conn, row["group_id"], f"group/{row['name']}"),
                    self._attached_arns(conn, row["group_id"]),
                )
            users: dict[str, User] = {}
            for row in conn.execute("SELECT * FROM users WHERE account_id = ?", (account_id,)).fetchall():
                member_of = tuple(
                    group_names[g[0]]
                    for g in conn.execute(
                        "SELECT group_id FROM group_members WHERE user_id = ? ORDER BY rowid",
                        (row["user_id"],),
                    )
                    if g[0] in group_names
                )
                users[row["name"]] = User(
                    row_arn(row, USER), row["name"], row["path"], row["user_id"],
                    self._inline(conn, row["user_id"], f"user/{row['name']}"),
                    self._attached_arns(conn, row["user_id"]),
                    member_of,
                    row["boundary_arn"],
                    {t["Key"]: t["Value"] for t in load_tags(row["tags"])},
                )
            roles: dict[str, Role] = {}
            for row in conn.execute("SELECT * FROM roles WHERE account_id = ?", (account_id,)).fetchall():
                profiles = tuple(
                    entity_arn(account_id, "instance-profile", p[0], p[1])
                    for p in conn.execute(
                        "SELECT i.path, i.name FROM instance_profile_roles r JOIN instance_profiles i"
                        " ON i.profile_id = r.profile_id WHERE r.role_id = ?",
                        (row["role_id"],),
                    )
                )
                roles[row["name"]] = Role(
                    row_arn(row, ROLE), row["name"], row["path"], row["role_id"],
                    parsed(render_trust(row["trust"], arns), PolicyKind.TRUST, f"role/{row['name']}:trust"),
                    self._inline(conn, row["role_id"], f"role/{row['name']}"),
                    self._attached_arns(conn, row["role_id"]),
                    row["boundary_arn"],
                    {t["Key"]: t["Value"] for t in load_tags(row["tags"])},
                    profiles,
                    int(row["max_session_duration"]),
                )
            accounts[account_id] = Account(account_id, users, groups, roles, policies, source="store")
        return World(accounts)

    # --- GetAccountAuthorizationDetails ------------------------------------------------------

    def authorization_details(
        self, account_id: str, entity_filter: Iterable[str] | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        """GetAccountAuthorizationDetails output (unpaginated; documents as JSON text)."""
        wanted = set(entity_filter or ()) or set(ENTITY_FILTERS)
        out: dict[str, list[dict[str, Any]]] = {
            "UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
        }
        with self.read() as conn:
            arns = id_to_arn(conn)

            def inline(owner_id: str) -> list[dict[str, str]]:
                return [
                    {"PolicyName": n, "PolicyDocument": d}
                    for n, d in conn.execute(
                        "SELECT name, document FROM inline_policies WHERE owner_id = ? ORDER BY name",
                        (owner_id,),
                    )
                ]

            if "User" in wanted:
                for row in conn.execute(
                    "SELECT * FROM users WHERE account_id = ? ORDER BY name_lower", (account_id,)
                ).fetchall():
                    detail = user_out(row)
                    detail["UserPolicyList"] = inline(row["user_id"])
                    detail["GroupList"] = [
                        g[0]
                        for g in conn.execute(
                            "SELECT g.name FROM group_members m JOIN groups g ON g.group_id = m.group_id"
                            " WHERE m.user_id = ? ORDER BY m.rowid",
                            (row["user_id"],),
                        )
                    ]
                    detail["AttachedManagedPolicies"] = self._attached(conn, row["user_id"])
                    out["UserDetailList"].append(detail)
            if "Group" in wanted:
                for row in conn.execute(
                    "SELECT * FROM groups WHERE account_id = ? ORDER BY name_lower", (account_id,)
                ).fetchall():
                    detail = group_out(row)
                    detail["GroupPolicyList"] = inline(row["group_id"])
                    detail["AttachedManagedPolicies"] = self._attached(conn, row["group_id"])
                    out["GroupDetailList"].append(detail)
            if "Role" in wanted:
                for row in conn.execute(
                    "SELECT * FROM roles WHERE account_id = ? ORDER BY name_lower", (account_id,)
                ).fetchall():
                    detail = self._role_out(conn, row)
                    detail["AssumeRolePolicyDocument"] = render_trust(row["trust"], arns)
                    detail["InstanceProfileList"] = [
                        self._profile_out(conn, p)
                        for p in conn.execute(
                            "SELECT i.* FROM instance_profile_roles r JOIN instance_profiles i"
                            " ON i.profile_id = r.profile_id WHERE r.role_id = ?",
                            (row["role_id"],),
                        ).fetchall()
                    ]
                    detail["RolePolicyList"] = inline(row["role_id"])
                    detail["AttachedManagedPolicies"] = self._attached(conn, row["role_id"])
                    detail.pop("Description", None)
                    detail.pop("MaxSessionDuration", None)
                    out["RoleDetailList"].append(detail)
            if "AWSManagedPolicy" in wanted:
                for p in sorted(AWS_MANAGED.values(), key=lambda p: p.name.lower()):
                    summary = self._aws_policy_out(conn, p)
                    if summary["AttachmentCount"] or summary["PermissionsBoundaryUsageCount"]:
                        _, versions = self._versions(conn, p.arn)
                        summary["PolicyVersionList"] = [
                            self._version_out(v, p.version_id, True) for v in versions
                        ]
                        out["Policies"].append(summary)
            if "LocalManagedPolicy" in wanted:
                for row in conn.execute(
                    "SELECT * FROM managed_policies WHERE account_id = ? ORDER BY name_lower",
                    (account_id,),
                ).fetchall():
                    summary = self._policy_out(conn, row)
                    summary.pop("Tags", None)
                    default, versions = self._versions(conn, row["arn"])
                    summary["PolicyVersionList"] = [self._version_out(v, default, True) for v in versions]
                    out["Policies"].append(summary)
        return out
