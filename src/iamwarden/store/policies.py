"""Inline policies, managed policies and their versions, attachments and boundaries.

Rules enforced here (IAM quotas and semantics):

* every document is parsed with the policy engine before anything is written
  (identity policies as ``PolicyKind.IDENTITY``); a problem is
  ``MalformedPolicyDocument`` naming its JSON path;
* size quotas (``policy.quotas``, white space not counted), checked before
  the document is parsed: a managed policy version ≤ 6,144 characters; the
  inline policies of one user/group/role together ≤ 2,048 / 5,120 / 10,240
  (the new document replaces one of the same name) -- ``LimitExceeded``;
* a managed policy has at most 5 versions (``LimitExceeded``); the default
  version cannot be deleted (``DeleteConflict``); a policy still attached, used
  as a boundary, or with non-default versions cannot be deleted;
* AWS-managed policies (``arn:aws:iam::aws:policy/...``) are read-only.

Submitted texts are stored verbatim so reads return them unchanged and the
simulator can point at statements by line and column.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Iterable, Mapping

from ..policy import quotas
from ..policy.document import PolicyKind
from . import ids
from .aws_managed import AWS_MANAGED, AwsManagedPolicy
from .core import StoreBase, from_iso
from .errors import AccessDenied, DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from .records import (
    KINDS,
    check_count,
    check_new_tags,
    check_quota,
    dump,
    find_entity,
    load_tags,
    policy_arn,
    validate_policy,
)

MAX_POLICY_VERSIONS = 5


def _no_policy(arn: str) -> NoSuchEntity:
    return NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")


class PoliciesMixin(StoreBase):
    # --- quotas ------------------------------------------------------------------------

    _quotas_suspended = False

    @contextmanager
    def quotas_suspended(self) -> Iterator[None]:
        """Load documents AWS already holds (``serve --load``) without the size quotas.

        An account's quotas can be raised (trust policies to 4,096, say), and a
        file of its authorization details is the operator's, not a caller's;
        every API write is checked (docs/decisions/policy-size-quotas.md).
        Meant for loading before serving: the flag is the store's, not a thread's.
        """
        self._quotas_suspended = True
        try:
            yield
        finally:
            self._quotas_suspended = False

    def _check_quota(self, quota: quotas.Quota, size: int, name: str = "") -> None:
        if not self._quotas_suspended:
            check_quota(quota, size, name)

    # --- inline ----------------------------------------------------------------------

    def put_inline_policy(
        self, account_id: str, kind: str, owner: str, policy_name: str, document: str
    ) -> None:
        k = KINDS[kind]
        quota = quotas.INLINE_QUOTAS[kind]
        size = quotas.policy_size(document)
        self._check_quota(quota, size, owner)
        validate_policy(document, PolicyKind.IDENTITY, f"{kind}/{owner}:{policy_name}")
        with self.write() as conn:
            row = find_entity(conn, account_id, k, owner)
            others = conn.execute(
                "SELECT document FROM inline_policies WHERE owner_id = ? AND name != ?",
                (row[k.id_column], policy_name),
            ).fetchall()
            if not self._quotas_suspended:
                check_quota(quota, size + sum(quotas.policy_size(r[0]) for r in others), row["name"])
            conn.execute(
                "INSERT INTO inline_policies(owner_id, name, document) VALUES (?, ?, ?)"
                " ON CONFLICT(owner_id, name) DO UPDATE SET document = excluded.document",
                (row[k.id_column], policy_name, document),
            )

    def get_inline_policy(self, account_id: str, kind: str, owner: str, policy_name: str) -> str:
        k = KINDS[kind]
        with self.read() as conn:
            row = find_entity(conn, account_id, k, owner)
            doc = conn.execute(
                "SELECT document FROM inline_policies WHERE owner_id = ? AND name = ?",
                (row[k.id_column], policy_name),
            ).fetchone()
            if doc is None:
                raise NoSuchEntity(f"The {kind} policy with name {policy_name} cannot be found.")
            return str(doc[0])

    def delete_inline_policy(self, account_id: str, kind: str, owner: str, policy_name: str) -> None:
        k = KINDS[kind]
        with self.write() as conn:
            row = find_entity(conn, account_id, k, owner)
            cur = conn.execute(
                "DELETE FROM inline_policies WHERE owner_id = ? AND name = ?",
                (row[k.id_column], policy_name),
            )
            if cur.rowcount == 0:
                raise NoSuchEntity(f"The {kind} policy with name {policy_name} cannot be found.")

    def list_inline_policies(self, account_id: str, kind: str, owner: str) -> list[str]:
        k = KINDS[kind]
        with self.read() as conn:
            row = find_entity(conn, account_id, k, owner)
            return [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM inline_policies WHERE owner_id = ? ORDER BY name",
                    (row[k.id_column],),
                )
            ]

    # --- managed policies ------------------------------------------------------------------

    def _policy_row(self, conn: sqlite3.Connection, arn: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM managed_policies WHERE arn = ?", (arn,)).fetchone()
        if row is None:
            raise _no_policy(arn)
        return row

    def _require_policy(self, conn: sqlite3.Connection, account_id: str, arn: str) -> None:
        if arn in AWS_MANAGED:
            return
        row = conn.execute(
            "SELECT account_id FROM managed_policies WHERE arn = ?", (arn,)
        ).fetchone()
        if row is None or row[0] != account_id:
            raise _no_policy(arn)

    def _usage(self, conn: sqlite3.Connection, arn: str) -> tuple[int, int]:
        attached = conn.execute(
            "SELECT COUNT(*) FROM attachments WHERE policy_arn = ?", (arn,)
        ).fetchone()[0]
        boundary = conn.execute(
            "SELECT (SELECT COUNT(*) FROM users WHERE boundary_arn = ?)"
            " + (SELECT COUNT(*) FROM roles WHERE boundary_arn = ?)",
            (arn, arn),
        ).fetchone()[0]
        return int(attached), int(boundary)

    def _policy_out(self, conn: sqlite3.Connection, row: sqlite3.Row, full: bool = True) -> dict[str, Any]:
        attached, boundary = self._usage(conn, row["arn"])
        out: dict[str, Any] = {
            "PolicyName": row["name"],
            "PolicyId": row["policy_id"],
            "Arn": row["arn"],
            "Path": row["path"],
            "DefaultVersionId": row["default_version"],
            "AttachmentCount": attached,
            "PermissionsBoundaryUsageCount": boundary,
            "IsAttachable": True,
            "CreateDate": from_iso(row["create_date"]),
            "UpdateDate": from_iso(row["update_date"]),
        }
        if row["description"] is not None and full:
            out["Description"] = row["description"]
        tags = load_tags(row["tags"])
        if tags and full:
            out["Tags"] = tags
        return out

    def _aws_policy_out(self, conn: sqlite3.Connection, p: AwsManagedPolicy, full: bool = True) -> dict[str, Any]:
        attached, boundary = self._usage(conn, p.arn)
        out: dict[str, Any] = {
            "PolicyName": p.name,
            "PolicyId": p.policy_id,
            "Arn": p.arn,
            "Path": p.path,
            "DefaultVersionId": p.version_id,
            "AttachmentCount": attached,
            "PermissionsBoundaryUsageCount": boundary,
            "IsAttachable": True,
        }
        if full:
            out["Description"] = p.description
        return out

    def create_policy(
        self,
        account_id: str,
        name: str,
        document: str,
        path: str = "/",
        description: str | None = None,
        tags: Iterable[Mapping[str, str]] = (),
    ) -> dict[str, Any]:
        tag_list = check_new_tags(tags)
        self._check_quota(quotas.MANAGED_POLICY, quotas.policy_size(document))
        validate_policy(document, PolicyKind.IDENTITY, name)
        arn = policy_arn(account_id, path or "/", name)
        with self.write() as conn:
            self._require_account(conn, account_id)
            if not self._quotas_suspended:
                check_count(conn, quotas.POLICIES_PER_ACCOUNT,
                            "SELECT COUNT(*) FROM managed_policies WHERE account_id = ?", (account_id,))
            if conn.execute(
                "SELECT 1 FROM managed_policies WHERE account_id = ? AND name_lower = ?",
                (account_id, name.lower()),
            ).fetchone():
                raise EntityAlreadyExists(
                    f"A policy called {name} already exists. Duplicate names are not allowed."
                )
            pid = self.ids.unique_id(ids.POLICY)
            now = self.now()
            conn.execute(
                "INSERT INTO managed_policies(policy_id, account_id, arn, name, name_lower, path,"
                " description, default_version, next_version, create_date, update_date, tags)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (pid, account_id, arn, name, name.lower(), path or "/", description, "v1", 2, now,
                 now, dump(tag_list)),
            )
            conn.execute(
                "INSERT INTO policy_versions(policy_id, version_id, document, create_date)"
                " VALUES (?,?,?,?)",
                (pid, "v1", document, now),
            )
            return self._policy_out(conn, self._policy_row(conn, arn))

    def get_policy(self, arn: str) -> dict[str, Any]:
        with self.read() as conn:
            if arn in AWS_MANAGED:
                return self._aws_policy_out(conn, AWS_MANAGED[arn])
            return self._policy_out(conn, self._policy_row(conn, arn))

    def list_policies(
        self,
        account_id: str,
        scope: str = "All",
        only_attached: bool = False,
        path_prefix: str = "/",
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        with self.read() as conn:
            if scope in ("All", "AWS"):
                for p in sorted(AWS_MANAGED.values(), key=lambda p: p.name.lower()):
                    if p.path.startswith(path_prefix):
                        out.append(self._aws_policy_out(conn, p, full=False))
            if scope in ("All", "Local"):
                rows = conn.execute(
                    "SELECT * FROM managed_policies WHERE account_id = ? AND substr(path, 1, ?) = ?"
                    " ORDER BY name_lower",
                    (account_id, len(path_prefix), path_prefix),
                ).fetchall()
                out += [self._policy_out(conn, r, full=False) for r in rows]
        if only_attached:
            out = [p for p in out if p["AttachmentCount"] > 0]
        return out

    def delete_policy(self, arn: str) -> None:
        if arn in AWS_MANAGED:
            raise AccessDenied(f"{arn} is an AWS managed policy and cannot be deleted.")
        with self.write() as conn:
            row = self._policy_row(conn, arn)
            attached, boundary = self._usage(conn, arn)
            if attached or boundary:
                raise DeleteConflict("Cannot delete a policy attached to entities.")
            versions = conn.execute(
                "SELECT COUNT(*) FROM policy_versions WHERE policy_id = ?", (row["policy_id"],)
            ).fetchone()[0]
            if versions > 1:
                raise DeleteConflict(
                    "This policy has more than one version. Before you delete a policy, you must "
                    "delete the policy's versions. The default version is deleted with the policy."
                )
            conn.execute("DELETE FROM policy_versions WHERE policy_id = ?", (row["policy_id"],))
            conn.execute("DELETE FROM managed_policies WHERE policy_id = ?", (row["policy_id"],))

    # --- versions ------------------------------------------------------------------------

    @staticmethod
    def _version_out(row: sqlite3.Row | Mapping[str, Any], default: str, with_doc: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "VersionId": row["version_id"],
            "IsDefaultVersion": row["version_id"] == default,
            "CreateDate": from_iso(row["create_date"]),
        }
        if with_doc:
            out["Document"] = row["document"]
        return out

    def create_policy_version(self, arn: str, document: str, set_as_default: bool = False) -> dict[str, Any]:
        if arn in AWS_MANAGED:
            raise AccessDenied(f"{arn} is an AWS managed policy and cannot be modified.")
        self._check_quota(quotas.MANAGED_POLICY, quotas.policy_size(document))
        validate_policy(document, PolicyKind.IDENTITY, arn)
        with self.write() as conn:
            row = self._policy_row(conn, arn)
            count = conn.execute(
                "SELECT COUNT(*) FROM policy_versions WHERE policy_id = ?", (row["policy_id"],)
            ).fetchone()[0]
            if count >= MAX_POLICY_VERSIONS:
                raise LimitExceeded(
                    f"A managed policy can have up to {MAX_POLICY_VERSIONS} versions. Before you "
                    "create a new version, you must delete an existing version."
                )
            vid = f"v{row['next_version']}"
            now = self.now()
            conn.execute(
                "INSERT INTO policy_versions(policy_id, version_id, document, create_date)"
                " VALUES (?,?,?,?)",
                (row["policy_id"], vid, document, now),
            )
            default = vid if set_as_default else row["default_version"]
            conn.execute(
                "UPDATE managed_policies SET next_version = next_version + 1, default_version = ?,"
                " update_date = ? WHERE policy_id = ?",
                (default, now, row["policy_id"]),
            )
            return {"VersionId": vid, "IsDefaultVersion": vid == default,
                    "CreateDate": from_iso(now)}

    def _versions(self, conn: sqlite3.Connection, arn: str) -> tuple[str, list[dict[str, Any]]]:
        """(default version id, versions newest first) of any managed policy."""
        if arn in AWS_MANAGED:
            p = AWS_MANAGED[arn]
            return p.version_id, [{"version_id": p.version_id, "document": p.text,
                                   "create_date": "2015-02-06T18:39:46+00:00"}]
        row = self._policy_row(conn, arn)
        versions = conn.execute(
            "SELECT version_id, document, create_date FROM policy_versions WHERE policy_id = ?"
            " ORDER BY CAST(substr(version_id, 2) AS INTEGER) DESC",
            (row["policy_id"],),
        ).fetchall()
        return row["default_version"], [dict(v) for v in versions]

    def get_policy_version(self, arn: str, version_id: str) -> dict[str, Any]:
        with self.read() as conn:
            default, versions = self._versions(conn, arn)
            for v in versions:
                if v["version_id"] == version_id:
                    return self._version_out(v, default, True)
            raise NoSuchEntity(f"Policy {arn} version {version_id} does not exist or is not attachable.")

    def list_policy_versions(self, arn: str) -> list[dict[str, Any]]:
        with self.read() as conn:
            default, versions = self._versions(conn, arn)
            return [self._version_out(v, default, False) for v in versions]

    def delete_policy_version(self, arn: str, version_id: str) -> None:
        if arn in AWS_MANAGED:
            raise AccessDenied(f"{arn} is an AWS managed policy and cannot be modified.")
        with self.write() as conn:
            row = self._policy_row(conn, arn)
            if version_id == row["default_version"]:
                raise DeleteConflict("Cannot delete the default version of a policy.")
            cur = conn.execute(
                "DELETE FROM policy_versions WHERE policy_id = ? AND version_id = ?",
                (row["policy_id"], version_id),
            )
            if cur.rowcount == 0:
                raise NoSuchEntity(f"Policy {arn} version {version_id} does not exist or is not attachable.")

    def set_default_policy_version(self, arn: str, version_id: str) -> None:
        if arn in AWS_MANAGED:
            raise AccessDenied(f"{arn} is an AWS managed policy and cannot be modified.")
        with self.write() as conn:
            row = self._policy_row(conn, arn)
            if conn.execute(
                "SELECT 1 FROM policy_versions WHERE policy_id = ? AND version_id = ?",
                (row["policy_id"], version_id),
            ).fetchone() is None:
                raise NoSuchEntity(f"Policy {arn} version {version_id} does not exist or is not attachable.")
            conn.execute(
                "UPDATE managed_policies SET default_version = ?, update_date = ? WHERE policy_id = ?",
                (version_id, self.now(), row["policy_id"]),
            )

    def managed_policy_text(self, arn: str) -> str | None:
        """The default version's text of any managed policy, or None."""
        with self.read() as conn:
            try:
                default, versions = self._versions(conn, arn)
            except NoSuchEntity:
                return None
            return next((v["document"] for v in versions if v["version_id"] == default), None)

    # --- attachments ---------------------------------------------------------------------

    def attach_policy(self, account_id: str, kind: str, owner: str, arn: str) -> None:
        k = KINDS[kind]
        with self.write() as conn:
            row = find_entity(conn, account_id, k, owner)
            self._require_policy(conn, account_id, arn)
            if not self._quotas_suspended and conn.execute(
                "SELECT 1 FROM attachments WHERE owner_id = ? AND policy_arn = ?", (row[k.id_column], arn)
            ).fetchone() is None:
                check_count(conn, quotas.ATTACHED_QUOTAS[kind],
                            "SELECT COUNT(*) FROM attachments WHERE owner_id = ?", (row[k.id_column],))
            seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM attachments").fetchone()[0]
            conn.execute(
                "INSERT OR IGNORE INTO attachments(owner_id, policy_arn, seq) VALUES (?, ?, ?)",
                (row[k.id_column], arn, seq),
            )

    def detach_policy(self, account_id: str, kind: str, owner: str, arn: str) -> None:
        k = KINDS[kind]
        with self.write() as conn:
            row = find_entity(conn, account_id, k, owner)
            cur = conn.execute(
                "DELETE FROM attachments WHERE owner_id = ? AND policy_arn = ?",
                (row[k.id_column], arn),
            )
            if cur.rowcount == 0:
                raise NoSuchEntity(f"Policy {arn} was not found.")

    def list_attached_policies(
        self, account_id: str, kind: str, owner: str, path_prefix: str = "/"
    ) -> list[dict[str, str]]:
        k = KINDS[kind]
        with self.read() as conn:
            row = find_entity(conn, account_id, k, owner)
            return self._attached(conn, row[k.id_column], path_prefix)

    def _attached(self, conn: sqlite3.Connection, owner_id: str, path_prefix: str = "/") -> list[dict[str, str]]:
        out = []
        for (arn,) in conn.execute(
            "SELECT policy_arn FROM attachments WHERE owner_id = ? ORDER BY seq", (owner_id,)
        ):
            resource = arn.split(":", 5)[5]  # policy/path/name
            path = resource[len("policy"):].rsplit("/", 1)[0] + "/"
            if path.startswith(path_prefix):
                out.append({"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn})
        return out

    # --- permissions boundaries ----------------------------------------------------------------

    def put_boundary(self, account_id: str, kind: str, owner: str, arn: str) -> None:
        k = KINDS[kind]
        with self.write() as conn:
            row = find_entity(conn, account_id, k, owner)
            self._require_policy(conn, account_id, arn)
            conn.execute(
                f"UPDATE {k.table} SET boundary_arn = ? WHERE {k.id_column} = ?",
                (arn, row[k.id_column]),
            )

    def delete_boundary(self, account_id: str, kind: str, owner: str) -> None:
        k = KINDS[kind]
        with self.write() as conn:
            row = find_entity(conn, account_id, k, owner)
            conn.execute(
                f"UPDATE {k.table} SET boundary_arn = NULL WHERE {k.id_column} = ?",
                (row[k.id_column],),
            )
