"""Who is calling: the request principal as the authorizer sees it (spec §1.1, §3.1)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .arn import Arn, root_arn


class PrincipalType(Enum):
    """Values are what ``aws:PrincipalType`` carries (spec §3.1)."""

    ROOT = "Account"
    USER = "User"
    ROLE_SESSION = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    SERVICE = "Service"
    ANONYMOUS = "Anonymous"


class PrincipalError(ValueError):
    """A principal string that is not an ARN or service name we can act as."""


@dataclass(frozen=True, slots=True)
class Caller:
    """A request principal.

    ``arn`` is the caller's own ARN (the session ARN for a role session);
    ``entity_arn`` is the IAM entity whose policies apply (the role for a
    session, the user for a user or for a federated user it created).
    """

    type: PrincipalType
    arn: str
    account: str | None
    entity_arn: str | None = None
    name: str | None = None
    session_name: str | None = None
    unique_id: str | None = None
    partition: str = "aws"

    @property
    def principal_arn(self) -> str | None:
        """``aws:PrincipalArn``: the role ARN for sessions (not the session ARN)."""
        if self.type is PrincipalType.ROLE_SESSION:
            return self.entity_arn
        if self.type in (PrincipalType.SERVICE, PrincipalType.ANONYMOUS):
            return None
        return self.arn

    @property
    def is_session(self) -> bool:
        return self.type in (PrincipalType.ROLE_SESSION, PrincipalType.FEDERATED_USER)

    @property
    def userid(self) -> str | None:
        """``aws:userid`` (spec §3.1); needs the entity's unique ID for users and roles."""
        t = self.type
        if t is PrincipalType.ROOT:
            return self.account
        if t is PrincipalType.USER:
            return self.unique_id
        if t is PrincipalType.ROLE_SESSION:
            return f"{self.unique_id}:{self.session_name}" if self.unique_id else None
        if t is PrincipalType.FEDERATED_USER:
            return f"{self.account}:{self.name}"
        if t is PrincipalType.ANONYMOUS:
            return "anonymous"
        return None

    @classmethod
    def from_arn(
        cls,
        principal: str,
        entity_arn: str | None = None,
        unique_id: str | None = None,
    ) -> Caller:
        """Read a caller from its ARN (or a service principal name, or ``*`` for anonymous).

        A role ARN is read as a session of that role (session name
        ``iamwarden``), which is how analysis asks "what can this role do".
        """
        if principal in ("*", "anonymous"):
            return cls(PrincipalType.ANONYMOUS, "anonymous", None)
        if not principal.startswith("arn:"):
            if principal.endswith(".amazonaws.com") or principal.endswith(".amazonaws.com.cn"):
                return cls(PrincipalType.SERVICE, principal, None, name=principal)
            raise PrincipalError(
                f"{principal!r} is not a principal ARN; accepted: arn:aws:iam::ACCOUNT:root, "
                "…:user/NAME, …:role/NAME, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, "
                "…:federated-user/NAME, or a service principal such as ec2.amazonaws.com"
            )
        a = Arn.parse(principal)
        if a is None or not a.account:
            raise PrincipalError(f"{principal!r} is not a valid principal ARN")
        if a.service == "iam":
            if a.resource == "root":
                return cls(PrincipalType.ROOT, principal, a.account, principal, partition=a.partition)
            if a.resource.startswith("user/"):
                return cls(
                    PrincipalType.USER, principal, a.account, principal, a.name,
                    unique_id=unique_id, partition=a.partition,
                )
            if a.resource.startswith("role/"):
                session = "iamwarden"
                return cls(
                    PrincipalType.ROLE_SESSION,
                    f"arn:{a.partition}:sts::{a.account}:assumed-role/{a.name}/{session}",
                    a.account, principal, a.name, session, unique_id, a.partition,
                )
        if a.service == "sts":
            kind, _, rest = a.resource.partition("/")
            if kind == "assumed-role" and "/" in rest:
                role, session = rest.split("/", 1)
                entity = entity_arn or f"arn:{a.partition}:iam::{a.account}:role/{role}"
                return cls(
                    PrincipalType.ROLE_SESSION, principal, a.account, entity, role, session,
                    unique_id, a.partition,
                )
            if kind == "federated-user" and rest:
                return cls(
                    PrincipalType.FEDERATED_USER, principal, a.account, entity_arn, rest,
                    partition=a.partition,
                )
        raise PrincipalError(f"{principal!r} is not a user, role, session, root or federated-user ARN")


def root_caller(account: str, partition: str = "aws") -> Caller:
    arn = root_arn(account, partition)
    return Caller(PrincipalType.ROOT, arn, account, arn, partition=partition)
