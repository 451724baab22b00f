"""Read an organization file (what ``iamwarden collect --org`` writes) into an ``Organization``.

The file holds the Organizations read calls' outputs side by side (schema
``schema/organization.schema.json``, docs/organization.md): describe-organization,
list-roots, list-organizational-units-for-parent / list-accounts-for-parent per
parent, and per SCP and RCP describe-policy with list-targets-for-policy. Its
shape is checked against the schema before anything is built, so an error
names the file and the JSON path; then the tree is checked (every parent
known, no node under two parents, no cycle) and every policy parsed.

``with_organization(world, org)`` gives a ``World`` whose ``scps``/``rcps`` are
the organization's levels (spec §1.8); without it nothing changes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..i18n import N_, gettext_noop
from ..model.account import World
from ..model.organization import (
    RCP,
    RCP_FULL_ACCESS_DOCUMENT,
    RCP_FULL_ACCESS_ID,
    SCP,
    Organization,
    OrgNode,
    OrgPolicy,
)
from ..policy.document import PolicyKind, parse_policy, strict_json
from ..policy.errors import PolicySyntaxError
from .account_schema import check_shape
from .authz_details import LoadError, _doc
from .json_files import read_json_file

SCHEMA_FILE = "organization.schema.json"
#: the largest organization file read (bytes): 5,000 accounts with many policies fit well below
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_KINDS = {SCP: PolicyKind.SCP, RCP: PolicyKind.RCP}
_PREFIX = {SCP: "scp", RCP: "rcp"}


def load_organization(path: str | Path) -> Organization:
    return organization_from_json(read_json_file(path, gettext_noop("an organization file")), str(Path(path)))


def organization_from_bytes(raw: bytes, source: str) -> Organization:
    """An organization file's bytes (``scale.WorldSource`` sends them to workers), read as
    ``load_organization`` reads the file."""
    try:
        data = strict_json(raw, source)
    except PolicySyntaxError as e:
        raise LoadError(f"{source}: {e.problems[0].message}") from None
    return organization_from_json(data, source)


def organization_from_json(data: Any, source: str = "<organization>") -> Organization:
    """Build an ``Organization`` from the file's JSON (already parsed)."""
    problems = check_shape(data, schema_file=SCHEMA_FILE)
    if problems:
        raise LoadError(f"{source}: " + "; ".join(str(pr) for pr in problems))
    org = data["Organization"]
    mgmt = org.get("ManagementAccountId") or org.get("MasterAccountId") or ""
    if not _ACCOUNT_ID.fullmatch(mgmt):
        raise LoadError(N_("{source}: $.Organization: MasterAccountId (the management account) must be a 12-digit "
                           "account ID, got {value!r}", source=source, value=mgmt))
    if len(data["Roots"]) != 1:
        raise LoadError(N_("{source}: $.Roots: an organization has exactly one root, got {n}", source=source,
                           n=len(data["Roots"])))
    root = data["Roots"][0]
    nodes: dict[str, OrgNode] = {root["Id"]: OrgNode(root["Id"], root.get("Name", "Root"), "ROOT", None)}
    for i, ch in enumerate(data["Children"]):
        parent = ch["ParentId"]
        for key, kind in (("OrganizationalUnits", "ORGANIZATIONAL_UNIT"), ("Accounts", "ACCOUNT")):
            for j, item in enumerate(ch.get(key) or []):
                where = f"$.Children[{i}].{key}[{j}]"
                nid = item["Id"]
                if kind == "ACCOUNT" and not _ACCOUNT_ID.fullmatch(nid):
                    raise LoadError(N_("{source}: {where}.Id: expected a 12-digit account ID, got {value!r}",
                                       source=source, where=where, value=nid))
                if nid in nodes:
                    raise LoadError(N_("{source}: {where}: {id} is already placed under {parent}", source=source,
                                       where=where, id=nid, parent=nodes[nid].parent))
                nodes[nid] = OrgNode(nid, item.get("Name", nid), kind, parent)
    for i, ch in enumerate(data["Children"]):
        parent = ch["ParentId"]
        if parent not in nodes or nodes[parent].kind == "ACCOUNT":
            raise LoadError(N_("{source}: $.Children[{i}].ParentId: {parent!r} is not the root or a listed OU",
                               source=source, i=i, parent=parent))
    _check_acyclic(nodes, source)
    if mgmt not in nodes:
        raise LoadError(N_("{source}: $.Organization: the management account {account} is not in the tree",
                           source=source, account=mgmt))
    enabled = _enabled(root)
    policies: list[OrgPolicy] = []
    for i, item in enumerate(data["Policies"]):
        summary = item["PolicySummary"]
        ptype = summary["Type"]
        where = f"$.Policies[{i}]"
        if ptype not in _KINDS:
            raise LoadError(N_("{source}: {where}.PolicySummary.Type: expected {scp} or {rcp}, got {value!r}",
                               source=source, where=where, scp=SCP, rcp=RCP, value=ptype))
        name = summary.get("Name") or summary["Id"]
        try:
            policy = parse_policy(_doc(item["Content"]), _KINDS[ptype], f"{_PREFIX[ptype]}:{name}")
        except PolicySyntaxError as e:
            details = "; ".join(f"{where}.Content{pr.path[1:]}: {pr.message}" for pr in e.problems)
            raise LoadError(f"{source}: {details}") from None
        targets = []
        for j, t in enumerate(item["Targets"]):
            if t["TargetId"] not in nodes:
                raise LoadError(N_("{source}: {where}.Targets[{j}]: {target!r} is not in the tree", source=source,
                                   where=where, j=j, target=t["TargetId"]))
            targets.append(t["TargetId"])
        policies.append(OrgPolicy(summary["Id"], name, ptype, policy, tuple(targets),
                                  bool(summary.get("AwsManaged", False))))
    if RCP in enabled:
        policies = _with_rcp_full_access(policies, tuple(nodes))
    return Organization(org["Id"], mgmt, root["Id"], nodes, tuple(policies), enabled, source)


def _enabled(root: dict[str, Any]) -> frozenset[str]:
    """Policy types enabled at the root; a root without ``PolicyTypes`` is read as both enabled."""
    types = root.get("PolicyTypes")
    if types is None:
        return frozenset({SCP, RCP})
    return frozenset(t["Type"] for t in types if t.get("Status") == "ENABLED")


def _check_acyclic(nodes: dict[str, OrgNode], source: str) -> None:
    for nid in nodes:
        seen = 0
        node: OrgNode | None = nodes[nid]
        while node is not None and node.parent is not None:
            seen += 1
            if seen > len(nodes):
                raise LoadError(N_("{source}: $.Children: {id} is in a cycle of parents", source=source, id=nid))
            node = nodes.get(node.parent)


def _with_rcp_full_access(policies: list[OrgPolicy], node_ids: tuple[str, ...]) -> list[OrgPolicy]:
    """``RCPFullAWSAccess`` is attached at every node and cannot be detached (spec §1.8):
    a file that leaves it out (or lists it on fewer nodes) still has it everywhere."""
    rest = [p for p in policies if p.id != RCP_FULL_ACCESS_ID]
    full = parse_policy(RCP_FULL_ACCESS_DOCUMENT, PolicyKind.RCP, "rcp:RCPFullAWSAccess")
    return [OrgPolicy(RCP_FULL_ACCESS_ID, "RCPFullAWSAccess", RCP, full, node_ids, True), *rest]


def with_organization(world: World, org: Organization) -> World:
    """The same accounts, capped by the organization's SCPs and RCPs (spec §1.8)."""
    return World(world.accounts, scps=org.scps(), rcps=org.rcps(), organization=org,
                 resources=world.resources)
