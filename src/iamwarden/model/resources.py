"""Resources of other services that carry their own policy: S3 buckets, KMS keys, Lambda
functions and aliases, SQS queues, SNS topics, Secrets Manager secrets, ECR repositories.

A resource policy grants across accounts without any IAM policy in the resource's
account (spec §1.2, §1.5); the engine already decides with one
(``PolicySet(resource=...)``). This module holds what was read (``loaders.resources``)
and answers "which policy governs this ARN, in which account" — an S3 object ARN
is governed by its bucket's policy, a Lambda alias ARN by the alias policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Mapping

from ..policy.document import Policy

#: the four S3 Block Public Access settings (s3control/s3api get-public-access-block)
BPA_FIELDS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


@dataclass(frozen=True, slots=True)
class BlockPublicAccess:
    """S3 Block Public Access, the account's and the bucket's settings OR-ed (either one on is on)."""

    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False

    def union(self, other: BlockPublicAccess | None) -> BlockPublicAccess:
        if other is None:
            return self
        return BlockPublicAccess(*(a or b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[bool, bool, bool, bool]:
        return (self.block_public_acls, self.ignore_public_acls, self.block_public_policy,
                self.restrict_public_buckets)


@dataclass(frozen=True, slots=True)
class HeldResource:
    """One resource with a policy: its ARN, owning account, service and policy.

    ``kind``: ``s3-bucket``, ``kms-key``, ``lambda-function``, ``lambda-alias``,
    ``sqs-queue``, ``sns-topic``, ``secret``, ``ecr-repository``.
    ``managed``: an AWS-managed KMS key (RCPs do not apply to it, spec §1.2).
    ``public_access_block``: S3 only, account and bucket settings combined.
    ``role``: a Lambda function's execution role ARN.
    """

    arn: str
    account: str
    kind: str
    policy: Policy | None
    name: str = ""
    managed: bool = False
    public_access_block: BlockPublicAccess | None = None
    role: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class ResourceInventory:
    """All resources loaded, looked up by the ARN a request names."""

    resources: Mapping[str, HeldResource]
    _buckets: dict[str, HeldResource] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._buckets.update({r.name: r for r in self.resources.values() if r.kind == "s3-bucket"})

    def __iter__(self) -> Iterator[HeldResource]:
        return iter(self.resources.values())

    def __len__(self) -> int:
        return len(self.resources)

    def find(self, arn: str) -> HeldResource | None:
        """The resource whose policy governs a request on ``arn`` (None when not loaded).

        ``arn:aws:s3:::bucket/key`` → the bucket; a Lambda ARN with a version
        qualifier that is no loaded alias → the function.
        """
        hit = self.resources.get(arn)
        if hit is not None:
            return hit
        if arn.startswith("arn:aws:s3:::"):
            return self._buckets.get(arn[len("arn:aws:s3:::"):].split("/", 1)[0])
        if ":lambda:" in arn and ":function:" in arn:
            head, _, tail = arn.partition(":function:")
            return self.resources.get(f"{head}:function:{tail.split(':', 1)[0]}")
        return None


EMPTY = ResourceInventory({})
