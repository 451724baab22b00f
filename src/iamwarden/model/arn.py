"""ARNs (spec §5.2): parsing and the IAM/STS shapes this project works with."""

from __future__ import annotations

import re
from dataclasses import dataclass

ACCOUNT_ID = re.compile(r"^\d{12}$")


@dataclass(frozen=True, slots=True)
class Arn:
    """``arn:partition:service:region:account:resource`` (resource may hold ``:`` and ``/``)."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __init__(self, partition: str, service: str, region: str, account: str, resource: str) -> None:
        # Written out (``dataclass`` keeps a class's own ``__init__``), with the slots' own setters:
        # ARNs are parsed on nearly every question, and the generated frozen one calls
        # ``object.__setattr__`` per field.
        _set_partition(self, partition)
        _set_service(self, service)
        _set_region(self, region)
        _set_account(self, account)
        _set_resource(self, resource)

    @classmethod
    def parse(cls, text: str) -> Arn | None:
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            return None
        return cls(parts[1], parts[2], parts[3], parts[4], parts[5])

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_type(self) -> str:
        """``user`` for ``user/path/name``; ``root`` for the root ARN."""
        return self.resource.split("/", 1)[0]

    @property
    def name(self) -> str:
        """Last path segment: the entity name for IAM ARNs."""
        return self.resource.rsplit("/", 1)[-1]


# the slot descriptors of the final (slotted) class, used by ``Arn.__init__``
_set_partition, _set_service, _set_region, _set_account, _set_resource = (
    Arn.__dict__[name].__set__ for name in ("partition", "service", "region", "account", "resource"))


def account_of(arn: str) -> str | None:
    a = Arn.parse(arn)
    return a.account or None if a else None


def is_role_arn(arn: str) -> bool:
    a = Arn.parse(arn)
    return a is not None and a.service == "iam" and a.resource.startswith("role/")


def root_arn(account: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:root"


def session_arn(role_arn: str, session_name: str) -> str:
    """Session ARNs drop the role path (spec §5.2)."""
    a = Arn.parse(role_arn)
    assert a is not None
    return f"arn:{a.partition}:sts::{a.account}:assumed-role/{a.name}/{session_name}"
