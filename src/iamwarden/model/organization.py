"""An AWS Organization: root → OUs → accounts, and the SCPs and RCPs attached along the way.

Only what the engine needs to cap requests (spec §1.2, §1.8): the tree, which
account is the management account, and the policies attached to each node.
``scp_levels`` / ``rcp_levels`` turn that into the ordered levels the
authorizer reads (``PolicySet(scp=..., rcp=...)``): one level per node on the
path from the root to the account, policies within a level OR-ed, levels AND-ed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from ..policy.document import Policy

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"

#: Services whose resources RCPs cap (spec §1.2/§1.8: "supported services only — S3, STS
#: (role trust), KMS customer-managed keys, SQS, Secrets Manager and a growing list").
#: Source: the spec's list, from AWS Organizations User Guide, "Resource control policies
#: (RCPs)" → "List of AWS services that support RCPs" [DOC]. AWS has since added services
#: the spec does not list yet; they stay out until the spec confirms them
#: (docs/decisions/org-rcp-services.md). Keys are IAM action prefixes.
RCP_SERVICES: frozenset[str] = frozenset({"s3", "sts", "kms", "sqs", "secretsmanager"})

#: the AWS-managed RCP attached at every level, which cannot be detached (spec §1.8)
RCP_FULL_ACCESS_ID = "p-RCPFullAWSAccess"
RCP_FULL_ACCESS_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}


@dataclass(frozen=True, slots=True)
class OrgNode:
    """The root, an OU or an account: its id, name and parent (None for the root)."""

    id: str
    name: str
    kind: str  # "ROOT" | "ORGANIZATIONAL_UNIT" | "ACCOUNT"
    parent: str | None


@dataclass(frozen=True, slots=True)
class OrgPolicy:
    """One SCP or RCP and the nodes (root, OU or account ids) it is attached to."""

    id: str
    name: str
    type: str  # SCP | RCP
    policy: Policy
    targets: tuple[str, ...]
    aws_managed: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class Organization:
    """The organization as read from an organization file (``loaders.organization``).

    ``enabled``: the policy types enabled at the root; a type that is not
    enabled caps nothing, whatever is attached (spec §1.8).
    """

    id: str
    management_account: str
    root: str
    nodes: Mapping[str, OrgNode]
    policies: tuple[OrgPolicy, ...]
    enabled: frozenset[str] = frozenset({SCP, RCP})
    source: str = ""
    _attached: dict[tuple[str, str], tuple[Policy, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        by: dict[tuple[str, str], list[Policy]] = {}
        for p in self.policies:
            for t in p.targets:
                by.setdefault((t, p.type), []).append(p.policy)
        self._attached.update({k: tuple(v) for k, v in by.items()})

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(n.id for n in self.nodes.values() if n.kind == "ACCOUNT")

    def is_member(self, account_id: str) -> bool:
        n = self.nodes.get(account_id)
        return n is not None and n.kind == "ACCOUNT"

    def path(self, account_id: str) -> tuple[str, ...]:
        """Node ids from the root down to the account (bounded by the number of nodes)."""
        out: list[str] = []
        node = self.nodes.get(account_id)
        while node is not None and len(out) <= len(self.nodes):
            out.append(node.id)
            node = self.nodes.get(node.parent) if node.parent else None
        return tuple(reversed(out))

    def ou_path(self, account_id: str) -> tuple[str, ...]:
        """Names of the root and OUs above the account (for reports)."""
        return tuple(self.nodes[n].name for n in self.path(account_id)[:-1])

    def principal_keys(self, account_id: str) -> dict[str, object]:
        """``aws:PrincipalOrgID`` and ``aws:PrincipalOrgPaths`` of a principal in ``account_id``
        (spec §3.1: only when the account is in the organization, the management account included)."""
        if not self.is_member(account_id):
            return {}
        return {"aws:PrincipalOrgID": self.id, "aws:PrincipalOrgPaths": [self._org_path(account_id)]}

    def resource_keys(self, account_id: str) -> dict[str, object]:
        """``aws:ResourceOrgID`` and ``aws:ResourceOrgPaths`` of a resource owned by ``account_id``:
        only when that account is in the organization (the IAM User Guide's global condition keys;
        docs/decisions/engine-resource-org-keys.md)."""
        if not self.is_member(account_id):
            return {}
        return {"aws:ResourceOrgID": self.id, "aws:ResourceOrgPaths": [self._org_path(account_id)]}

    def _org_path(self, account_id: str) -> str:
        """``o-id/r-root/ou-.../``: the organization path of a member account."""
        return f"{self.id}/{'/'.join(self.path(account_id)[:-1])}/"

    def attached(self, node_id: str, policy_type: str) -> tuple[Policy, ...]:
        return self._attached.get((node_id, policy_type), ())

    def _levels(self, account_id: str, policy_type: str) -> tuple[tuple[Policy, ...], ...]:
        # spec §1.2/§1.8: nothing in the management account is capped; accounts outside
        # the organization are not capped by it either
        if policy_type not in self.enabled or account_id == self.management_account or not self.is_member(account_id):
            return ()
        return tuple(self.attached(n, policy_type) for n in self.path(account_id))

    def scp_levels(self, account_id: str) -> tuple[tuple[Policy, ...], ...]:
        """SCP levels for principals of ``account_id``, root first (spec §1.8).

        A level with nothing attached denies everything (AWS never lets the last
        SCP of a node be detached, so an empty level means the file says so).
        """
        return self._levels(account_id, SCP)

    def rcp_levels(self, account_id: str) -> tuple[tuple[Policy, ...], ...]:
        """RCP levels for resources of ``account_id``, root first (spec §1.8)."""
        return self._levels(account_id, RCP)

    def to_json(self) -> dict[str, object]:
        """The tree for reports: accounts with their OU path, the management account marked."""
        return {
            "id": self.id, "management_account": self.management_account,
            "accounts": [{"id": a, "name": self.nodes[a].name, "ou_path": list(self.ou_path(a)),
                          "management": a == self.management_account} for a in sorted(self.accounts)],
            "policies": [{"id": p.id, "name": p.name, "type": p.type, "targets": list(p.targets)}
                         for p in self.policies],
        }

    def scps(self) -> dict[str, tuple[tuple[Policy, ...], ...]]:
        """``World.scps``: levels per member account (the management account has none)."""
        return {a: lv for a in self.accounts if (lv := self.scp_levels(a))}

    def rcps(self) -> dict[str, tuple[tuple[Policy, ...], ...]]:
        """``World.rcps``: levels per member account (the management account has none)."""
        return {a: lv for a in self.accounts if (lv := self.rcp_levels(a))}


def rcp_applies(action: str) -> bool:
    """Whether RCPs cap ``action`` at all: only for the services in ``RCP_SERVICES`` (spec §1.8)."""
    service = action.split(":", 1)[0].lower()
    return service in RCP_SERVICES
