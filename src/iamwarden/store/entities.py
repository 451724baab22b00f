"""Users, groups and membership, roles, instance profiles and their tags.

Every method is one transaction (reads in a snapshot, writes in ``BEGIN
IMMEDIATE``); every refusal is a :class:`~.errors.StoreError` with AWS's code
and message, raised before anything is written or rolled back with the rest.
Returned dicts have botocore's output shapes (``User``, ``Group``, ``Role``,
``InstanceProfile``), ready for the wire layer.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ..policy import quotas
from . import ids
from .core import StoreBase, from_iso
from .errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from .records import (
    GROUP,
    KINDS,
    ROLE,
    USER,
    EntityKind,
    check_count,
    check_new_tags,
    dump,
    entity_arn,
    find_entity,
    load_tags,
    merge_tags,
    remove_tags,
    row_arn,
)
from .trust import bind_trust, render_trust_one

DEFAULT_MAX_SESSION_DURATION = 3600
ROLES_PER_INSTANCE_PROFILE = 1


def _boundary_out(arn: str | None) -> dict[str, str] | None:
    if not arn:
        return None
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


def user_out(row: sqlite3.Row, with_tags: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Path": row["path"],
        "UserName": row["name"],
        "UserId": row["user_id"],
        "Arn": row_arn(row, USER),
        "CreateDate": from_iso(row["create_date"]),
    }
    if row["boundary_arn"]:
        out["PermissionsBoundary"] = _boundary_out(row["boundary_arn"])
    tags = load_tags(row["tags"])
    if with_tags and tags:
        out["Tags"] = tags
    return out


def group_out(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "Path": row["path"],
        "GroupName": row["name"],
        "GroupId": row["group_id"],
        "Arn": row_arn(row, GROUP),
        "CreateDate": from_iso(row["create_date"]),
    }



def _refuse_taken_name(conn: sqlite3.Connection, table: str, account_id: str, name: str, message: str) -> None:
    """Names are unique case-insensitively per account (spec §5.2): ``EntityAlreadyExists``."""
    if conn.execute(
        f"SELECT 1 FROM {table} WHERE account_id = ? AND name_lower = ?", (account_id, name.lower())
    ).fetchone():
        raise EntityAlreadyExists(message)


#: what must be gone before a user, group or role can be deleted: its policies
_POLICY_DEPENDENTS = (
    ("SELECT 1 FROM inline_policies WHERE owner_id = ?", "must delete policies first."),
    ("SELECT 1 FROM attachments WHERE owner_id = ?", "must detach all policies first."),
)


def _delete_unless_dependents(
    conn: sqlite3.Connection, table: str, id_column: str, entity_id: str,
    checks: tuple[tuple[str, str], ...],
) -> None:
    """AWS refuses to delete an entity that still has dependents: ``DeleteConflict`` naming the first."""
    for sql, what in checks:
        if conn.execute(sql, (entity_id,)).fetchone():
            raise DeleteConflict(f"Cannot delete entity, {what}")
    conn.execute(f"DELETE FROM {table} WHERE {id_column} = ?", (entity_id,))


class EntitiesMixin(StoreBase):
    #: the quotas are off while ``PoliciesMixin.quotas_suspended`` loads a file
    _quotas_suspended = False

    def _count(self, conn: sqlite3.Connection, quota: quotas.Quota, table: str, account_id: str) -> None:
        """The per-account entity-count quotas (``policy.quotas``): one more than the limit is refused."""
        if not self._quotas_suspended:
            check_count(conn, quota, f"SELECT COUNT(*) FROM {table} WHERE account_id = ?", (account_id,))

    # --- users ---------------------------------------------------------------------

    def create_user(
        self,
        account_id: str,
        name: str,
        path: str = "/",
        tags: Iterable[Mapping[str, str]] = (),
        boundary: str | None = None,
    ) -> dict[str, Any]:
        tag_list = check_new_tags(tags)
        with self.write() as conn:
            self._require_account(conn, account_id)
            _refuse_taken_name(conn, "users", account_id, name, f"User with name {name} already exists.")
            self._count(conn, quotas.USERS_PER_ACCOUNT, "users", account_id)
            if boundary:
                self._require_policy(conn, account_id, boundary)
            user_id = self.ids.unique_id(ids.USER)
            conn.execute(
                "INSERT INTO users(user_id, account_id, name, name_lower, path, create_date,"
                " boundary_arn, tags) VALUES (?,?,?,?,?,?,?,?)",
                (user_id, account_id, name, name.lower(), path or "/", self.now(), boundary,
                 dump(tag_list)),
            )
            return user_out(self._row(conn, USER, user_id))

    def get_user(self, account_id: str, name: str) -> dict[str, Any]:
        with self.read() as conn:
            return user_out(find_entity(conn, account_id, USER, name))

    def user_by_id(self, user_id: str) -> dict[str, Any] | None:
        with self.read() as conn:
            row = conn.execute("SELECT * FROM users WHERE user_id = ?", (user_id,)).fetchone()
            return user_out(row) if row else None

    def list_users(self, account_id: str, path_prefix: str = "/") -> list[dict[str, Any]]:
        with self.read() as conn:
            rows = conn.execute(
                "SELECT * FROM users WHERE account_id = ? AND substr(path, 1, ?) = ? ORDER BY name_lower",
                (account_id, len(path_prefix), path_prefix),
            ).fetchall()
            return [user_out(r, with_tags=False) for r in rows]

    def update_user(
        self, account_id: str, name: str, new_name: str | None = None, new_path: str | None = None
    ) -> None:
        with self.write() as conn:
            row = find_entity(conn, account_id, USER, name)
            if new_name and new_name.lower() != row["name_lower"]:
                _refuse_taken_name(conn, "users", account_id, new_name, f"User with name {new_name} already exists.")
            conn.execute(
                "UPDATE users SET name = ?, name_lower = ?, path = ? WHERE user_id = ?",
                (new_name or row["name"], (new_name or row["name"]).lower(),
                 new_path or row["path"], row["user_id"]),
            )

    def delete_user(self, account_id: str, name: str) -> None:
        """AWS refuses while the user has keys, a login profile, groups or policies."""
        with self.write() as conn:
            row = find_entity(conn, account_id, USER, name)
            _delete_unless_dependents(conn, "users", "user_id", row["user_id"], (
                ("SELECT 1 FROM access_keys WHERE user_id = ?", "must delete access keys first."),
                ("SELECT 1 FROM login_profiles WHERE user_id = ?", "must delete login profile first."),
                ("SELECT 1 FROM group_members WHERE user_id = ?", "must remove users from group first."),
                *_POLICY_DEPENDENTS,
            ))

    # --- tags (users and roles) ----------------------------------------------------------

    def tag(self, account_id: str, kind: str, name: str, tags: Iterable[Mapping[str, str]]) -> None:
        k = KINDS[kind]
        with self.write() as conn:
            row = find_entity(conn, account_id, k, name)
            merged = merge_tags(load_tags(row["tags"]), tags)
            conn.execute(
                f"UPDATE {k.table} SET tags = ? WHERE {k.id_column} = ?",
                (dump(merged), row[k.id_column]),
            )

    def untag(self, account_id: str, kind: str, name: str, keys: Iterable[str]) -> None:
        k = KINDS[kind]
        with self.write() as conn:
            row = find_entity(conn, account_id, k, name)
            kept = remove_tags(load_tags(row["tags"]), keys)
            conn.execute(
                f"UPDATE {k.table} SET tags = ? WHERE {k.id_column} = ?",
                (dump(kept), row[k.id_column]),
            )

    def list_tags(self, account_id: str, kind: str, name: str) -> list[dict[str, str]]:
        with self.read() as conn:
            return load_tags(find_entity(conn, account_id, KINDS[kind], name)["tags"])

    # --- groups --------------------------------------------------------------------

    def create_group(self, account_id: str, name: str, path: str = "/") -> dict[str, Any]:
        with self.write() as conn:
            self._require_account(conn, account_id)
            _refuse_taken_name(conn, "groups", account_id, name, f"Group with name {name} already exists.")
            self._count(conn, quotas.GROUPS_PER_ACCOUNT, "groups", account_id)
            group_id = self.ids.unique_id(ids.GROUP)
            conn.execute(
                "INSERT INTO groups(group_id, account_id, name, name_lower, path, create_date)"
                " VALUES (?,?,?,?,?,?)",
                (group_id, account_id, name, name.lower(), path or "/", self.now()),
            )
            return group_out(self._row(conn, GROUP, group_id))

    def get_group(self, account_id: str, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The group and its users (in the order they were added)."""
        with self.read() as conn:
            row = find_entity(conn, account_id, GROUP, name)
            users = conn.execute(
                "SELECT u.* FROM group_members m JOIN users u ON u.user_id = m.user_id"
                " WHERE m.group_id = ? ORDER BY m.rowid",
                (row["group_id"],),
            ).fetchall()
            return group_out(row), [user_out(u, with_tags=False) for u in users]

    def list_groups(self, account_id: str, path_prefix: str = "/") -> list[dict[str, Any]]:
        with self.read() as conn:
            rows = conn.execute(
                "SELECT * FROM groups WHERE account_id = ? AND substr(path, 1, ?) = ?"
                " ORDER BY name_lower",
                (account_id, len(path_prefix), path_prefix),
            ).fetchall()
            return [group_out(r) for r in rows]

    def update_group(
        self, account_id: str, name: str, new_name: str | None = None, new_path: str | None = None
    ) -> None:
        with self.write() as conn:
            row = find_entity(conn, account_id, GROUP, name)
            if new_name and new_name.lower() != row["name_lower"]:
                _refuse_taken_name(conn, "groups", account_id, new_name, f"Group with name {new_name} already exists.")
            final = new_name or row["name"]
            conn.execute(
                "UPDATE groups SET name = ?, name_lower = ?, path = ? WHERE group_id = ?",
                (final, final.lower(), new_path or row["path"], row["group_id"]),
            )

    def delete_group(self, account_id: str, name: str) -> None:
        with self.write() as conn:
            row = find_entity(conn, account_id, GROUP, name)
            _delete_unless_dependents(conn, "groups", "group_id", row["group_id"], (
                ("SELECT 1 FROM group_members WHERE group_id = ?", "must remove users from group first."),
                *_POLICY_DEPENDENTS,
            ))

    def add_user_to_group(self, account_id: str, group: str, user: str) -> None:
        with self.write() as conn:
            g = find_entity(conn, account_id, GROUP, group)
            u = find_entity(conn, account_id, USER, user)
            if not self._quotas_suspended and conn.execute(
                "SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?", (g["group_id"], u["user_id"])
            ).fetchone() is None:
                check_count(conn, quotas.GROUPS_PER_USER,
                            "SELECT COUNT(*) FROM group_members WHERE user_id = ?", (u["user_id"],))
            conn.execute(
                "INSERT OR IGNORE INTO group_members(group_id, user_id) VALUES (?, ?)",
                (g["group_id"], u["user_id"]),
            )

    def remove_user_from_group(self, account_id: str, group: str, user: str) -> None:
        with self.write() as conn:
            g = find_entity(conn, account_id, GROUP, group)
            u = find_entity(conn, account_id, USER, user)
            cur = conn.execute(
                "DELETE FROM group_members WHERE group_id = ? AND user_id = ?",
                (g["group_id"], u["user_id"]),
            )
            if cur.rowcount == 0:
                raise NoSuchEntity(
                    f"The user with name {user} cannot be found in group {group}."
                )

    def list_groups_for_user(self, account_id: str, user: str) -> list[dict[str, Any]]:
        with self.read() as conn:
            u = find_entity(conn, account_id, USER, user)
            rows = conn.execute(
                "SELECT g.* FROM group_members m JOIN groups g ON g.group_id = m.group_id"
                " WHERE m.user_id = ? ORDER BY g.name_lower",
                (u["user_id"],),
            ).fetchall()
            return [group_out(r) for r in rows]

    # --- roles ---------------------------------------------------------------------

    def create_role(
        self,
        account_id: str,
        name: str,
        trust_policy: str,
        path: str = "/",
        description: str | None = None,
        max_session_duration: int | None = None,
        tags: Iterable[Mapping[str, str]] = (),
        boundary: str | None = None,
    ) -> dict[str, Any]:
        tag_list = check_new_tags(tags)
        with self.write() as conn:
            self._require_account(conn, account_id)
            _refuse_taken_name(conn, "roles", account_id, name, f"Role with name {name} already exists.")
            self._count(conn, quotas.ROLES_PER_ACCOUNT, "roles", account_id)
            stored = bind_trust(conn, trust_policy, name, check_size=not self._quotas_suspended)
            if boundary:
                self._require_policy(conn, account_id, boundary)
            role_id = self.ids.unique_id(ids.ROLE)
            conn.execute(
                "INSERT INTO roles(role_id, account_id, name, name_lower, path, create_date, trust,"
                " description, max_session_duration, boundary_arn, tags)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (role_id, account_id, name, name.lower(), path or "/", self.now(), stored,
                 description, max_session_duration or DEFAULT_MAX_SESSION_DURATION, boundary,
                 dump(tag_list)),
            )
            return self._role_out(conn, self._row(conn, ROLE, role_id))

    def _role_out(
        self, conn: sqlite3.Connection, row: sqlite3.Row, full: bool = True
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Path": row["path"],
            "RoleName": row["name"],
            "RoleId": row["role_id"],
            "Arn": row_arn(row, ROLE),
            "CreateDate": from_iso(row["create_date"]),
            "AssumeRolePolicyDocument": render_trust_one(conn, row["trust"]),
            "MaxSessionDuration": row["max_session_duration"],
        }
        if row["description"] is not None:
            out["Description"] = row["description"]
        if row["boundary_arn"]:
            out["PermissionsBoundary"] = _boundary_out(row["boundary_arn"])
        tags = load_tags(row["tags"])
        if full:
            if tags:
                out["Tags"] = tags
            last: dict[str, Any] = {}
            if row["last_used_date"]:
                last = {"LastUsedDate": from_iso(row["last_used_date"]),
                        "Region": row["last_used_region"]}
            out["RoleLastUsed"] = last
        return out

    def get_role(self, account_id: str, name: str) -> dict[str, Any]:
        with self.read() as conn:
            return self._role_out(conn, find_entity(conn, account_id, ROLE, name))

    def list_roles(self, account_id: str, path_prefix: str = "/") -> list[dict[str, Any]]:
        with self.read() as conn:
            rows = conn.execute(
                "SELECT * FROM roles WHERE account_id = ? AND substr(path, 1, ?) = ? ORDER BY name_lower",
                (account_id, len(path_prefix), path_prefix),
            ).fetchall()
            return [self._role_out(conn, r, full=False) for r in rows]

    def update_role(
        self,
        account_id: str,
        name: str,
        description: str | None = None,
        max_session_duration: int | None = None,
    ) -> dict[str, Any]:
        with self.write() as conn:
            row = find_entity(conn, account_id, ROLE, name)
            conn.execute(
                "UPDATE roles SET description = ?, max_session_duration = ? WHERE role_id = ?",
                (row["description"] if description is None else description,
                 max_session_duration or row["max_session_duration"], row["role_id"]),
            )
            return self._role_out(conn, self._row(conn, ROLE, row["role_id"]))

    def update_assume_role_policy(self, account_id: str, name: str, trust_policy: str) -> None:
        with self.write() as conn:
            row = find_entity(conn, account_id, ROLE, name)
            stored = bind_trust(conn, trust_policy, row["name"], check_size=not self._quotas_suspended)
            conn.execute("UPDATE roles SET trust = ? WHERE role_id = ?", (stored, row["role_id"]))

    def delete_role(self, account_id: str, name: str) -> None:
        with self.write() as conn:
            row = find_entity(conn, account_id, ROLE, name)
            _delete_unless_dependents(conn, "roles", "role_id", row["role_id"], (
                ("SELECT 1 FROM instance_profile_roles WHERE role_id = ?",
                 "must remove roles from instance profile first."),
                *_POLICY_DEPENDENTS,
            ))

    def note_role_used(self, role_id: str, region: str | None) -> None:
        """RoleLastUsed (optional: costs a write; callers decide when to record)."""
        with self.write() as conn:
            conn.execute(
                "UPDATE roles SET last_used_date = ?, last_used_region = ? WHERE role_id = ?",
                (self.now(), region, role_id),
            )

    # --- instance profiles -----------------------------------------------------------

    def _profile(self, conn: sqlite3.Connection, account_id: str, name: str) -> sqlite3.Row:
        row = conn.execute(
            "SELECT * FROM instance_profiles WHERE account_id = ? AND name_lower = ?",
            (account_id, name.lower()),
        ).fetchone()
        if row is None:
            raise NoSuchEntity(f"Instance Profile {name} cannot be found.")
        return row

    def _profile_out(self, conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
        roles = conn.execute(
            "SELECT r.* FROM instance_profile_roles p JOIN roles r ON r.role_id = p.role_id"
            " WHERE p.profile_id = ? ORDER BY p.rowid",
            (row["profile_id"],),
        ).fetchall()
        out: dict[str, Any] = {
            "Path": row["path"],
            "InstanceProfileName": row["name"],
            "InstanceProfileId": row["profile_id"],
            "Arn": entity_arn(row["account_id"], "instance-profile", row["path"], row["name"]),
            "CreateDate": from_iso(row["create_date"]),
            "Roles": [self._role_out(conn, r, full=False) for r in roles],
        }
        tags = load_tags(row["tags"])
        if tags:
            out["Tags"] = tags
        return out

    def create_instance_profile(
        self, account_id: str, name: str, path: str = "/", tags: Iterable[Mapping[str, str]] = ()
    ) -> dict[str, Any]:
        tag_list = check_new_tags(tags)
        with self.write() as conn:
            self._require_account(conn, account_id)
            _refuse_taken_name(conn, "instance_profiles", account_id, name, f"Instance Profile {name} already exists.")
            self._count(conn, quotas.INSTANCE_PROFILES_PER_ACCOUNT, "instance_profiles", account_id)
            pid = self.ids.unique_id(ids.INSTANCE_PROFILE)
            conn.execute(
                "INSERT INTO instance_profiles(profile_id, account_id, name, name_lower, path,"
                " create_date, tags) VALUES (?,?,?,?,?,?,?)",
                (pid, account_id, name, name.lower(), path or "/", self.now(), dump(tag_list)),
            )
            return self._profile_out(conn, self._profile(conn, account_id, name))

    def get_instance_profile(self, account_id: str, name: str) -> dict[str, Any]:
        with self.read() as conn:
            return self._profile_out(conn, self._profile(conn, account_id, name))

    def list_instance_profiles(self, account_id: str, path_prefix: str = "/") -> list[dict[str, Any]]:
        with self.read() as conn:
            rows = conn.execute(
                "SELECT * FROM instance_profiles WHERE account_id = ? AND substr(path, 1, ?) = ?"
                " ORDER BY name_lower",
                (account_id, len(path_prefix), path_prefix),
            ).fetchall()
            return [self._profile_out(conn, r) for r in rows]

    def list_instance_profiles_for_role(self, account_id: str, role: str) -> list[dict[str, Any]]:
        with self.read() as conn:
            r = find_entity(conn, account_id, ROLE, role)
            rows = conn.execute(
                "SELECT i.* FROM instance_profile_roles p JOIN instance_profiles i"
                " ON i.profile_id = p.profile_id WHERE p.role_id = ? ORDER BY i.name_lower",
                (r["role_id"],),
            ).fetchall()
            return [self._profile_out(conn, row) for row in rows]

    def add_role_to_instance_profile(self, account_id: str, profile: str, role: str) -> None:
        with self.write() as conn:
            p = self._profile(conn, account_id, profile)
            r = find_entity(conn, account_id, ROLE, role)
            current = conn.execute(
                "SELECT role_id FROM instance_profile_roles WHERE profile_id = ?", (p["profile_id"],)
            ).fetchall()
            if any(c[0] == r["role_id"] for c in current) or len(current) >= ROLES_PER_INSTANCE_PROFILE:
                raise LimitExceeded(
                    f"Cannot exceed quota for InstanceSessionsPerInstanceProfile: {ROLES_PER_INSTANCE_PROFILE}"
                )
            conn.execute(
                "INSERT INTO instance_profile_roles(profile_id, role_id) VALUES (?, ?)",
                (p["profile_id"], r["role_id"]),
            )

    def remove_role_from_instance_profile(self, account_id: str, profile: str, role: str) -> None:
        with self.write() as conn:
            p = self._profile(conn, account_id, profile)
            r = find_entity(conn, account_id, ROLE, role)
            cur = conn.execute(
                "DELETE FROM instance_profile_roles WHERE profile_id = ? AND role_id = ?",
                (p["profile_id"], r["role_id"]),
            )
            if cur.rowcount == 0:
                raise NoSuchEntity(
                    f"The role with name {role} cannot be found in instance profile {profile}."
                )

    def delete_instance_profile(self, account_id: str, name: str) -> None:
        with self.write() as conn:
            p = self._profile(conn, account_id, name)
            if conn.execute(
                "SELECT 1 FROM instance_profile_roles WHERE profile_id = ?", (p["profile_id"],)
            ).fetchone():
                raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
            conn.execute("DELETE FROM instance_profiles WHERE profile_id = ?", (p["profile_id"],))

    # --- helpers -----------------------------------------------------------------------

    @staticmethod
    def _row(conn: sqlite3.Connection, kind: EntityKind, unique_id: str) -> sqlite3.Row:
        return conn.execute(
            f"SELECT * FROM {kind.table} WHERE {kind.id_column} = ?", (unique_id,)
        ).fetchone()

    if TYPE_CHECKING:  # provided by PoliciesMixin

        def _require_policy(self, conn: sqlite3.Connection, account_id: str, arn: str) -> None: ...
