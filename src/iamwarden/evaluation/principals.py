"""Matching the request principal against ``Principal`` / ``NotPrincipal`` (spec §1.4).

The *class* of a match matters for the same-account rules (§1.3, §1.5):
naming the caller itself (DIRECT) grants on its own; naming its role (ROLE) or
the user behind a federated session (FEDUSER) stands in for the identity
policy but stays under the boundary and session policies; naming the account
(ACCOUNT) only delegates to the identity policies.

``NotPrincipal`` is not a match class at all: it is an exemption, read on the
caller's whole chain of identities (``exempt``, spec §1.4 corrected 2026-12).
"""

from __future__ import annotations

from enum import IntEnum

from ..model.arn import ACCOUNT_ID, Arn, root_arn
from ..model.principal import Caller, PrincipalType
from ..policy.document import PrincipalSpec


class MatchClass(IntEnum):
    """Ordered so that ``max`` picks the strongest grant."""

    ACCOUNT = 1
    FEDUSER = 2
    ROLE = 3
    DIRECT = 4


def classify(spec: PrincipalSpec, caller: Caller) -> MatchClass | None:
    """The strongest way ``spec`` names ``caller``, or None."""
    best: MatchClass | None = None
    for ptype, values in spec.entries:
        for v in values:
            m = _match_value(ptype, v, caller)
            if m is not None and (best is None or m > best):
                best = m
                if best is MatchClass.DIRECT:
                    return best
    return best


def _match_value(ptype: str, value: str, caller: Caller) -> MatchClass | None:
    t = caller.type
    if ptype == "AWS":
        if value == "*":
            return MatchClass.DIRECT
        if t in (PrincipalType.SERVICE, PrincipalType.ANONYMOUS):
            return None
        if ACCOUNT_ID.match(value):
            return MatchClass.ACCOUNT if value == caller.account else None
        if not value.startswith("arn:"):
            # a unique ID (AIDA…/AROA…) as IAM stores deleted or bound principals (§5.3)
            if caller.unique_id and value == caller.unique_id:
                if t is PrincipalType.USER:
                    return MatchClass.DIRECT
                if t is PrincipalType.ROLE_SESSION:
                    return MatchClass.ROLE
            return None
        a = Arn.parse(value)
        if a is None or a.account != caller.account:
            return None
        if a.service == "iam":
            if a.resource == "root":
                return MatchClass.ACCOUNT
            if a.resource.startswith("user/"):
                if t is PrincipalType.USER and value == caller.arn:
                    return MatchClass.DIRECT
                if t is PrincipalType.FEDERATED_USER and value == caller.entity_arn:
                    return MatchClass.FEDUSER
                return None
            if a.resource.startswith("role/"):
                if t is PrincipalType.ROLE_SESSION and caller.name == a.name:
                    # role names are unique in an account; the session ARN has no path (§5.2)
                    if caller.entity_arn is None or caller.entity_arn == value or _same_role(
                        caller.entity_arn, value
                    ):
                        return MatchClass.ROLE
                return None
            return None
        if a.service == "sts":
            return MatchClass.DIRECT if value == caller.arn else None
        return None
    if ptype == "Service":
        if t is PrincipalType.SERVICE and value.lower() == (caller.name or "").lower():
            return MatchClass.DIRECT
        return None
    if ptype == "Federated":
        # web-identity / SAML sessions name their provider here (out of scope for
        # signed callers); only a caller that *is* that provider matches.
        return MatchClass.DIRECT if caller.arn == value else None
    return None  # CanonicalUser: S3 only


def exempt(spec: PrincipalSpec, caller: Caller) -> bool:
    """Does a ``NotPrincipal`` list exempt ``caller``? (spec §1.4, corrected 2026-12)

    AWS checks the caller's chain of identities one by one: its account, then
    for a role session the role and then the session, for a user the user, for
    a federated user the federated-user ARN. The caller is exempt only when
    *every* element of its chain is listed. A listed entry is an exact
    principal, never a delegation: listing the account exempts the root user
    and nobody else, and ``[user/Bob, account root]`` exempts Bob alone.
    A service principal's chain is the service name; an anonymous caller has
    no identity, so only ``"*"`` exempts it.
    """
    listed = set(spec.values("AWS"))
    if "*" in listed:
        return True
    t = caller.type
    if t is PrincipalType.SERVICE:
        name = (caller.name or "").lower()
        return any(v.lower() == name for v in spec.values("Service"))
    if t is PrincipalType.ANONYMOUS or not caller.account:
        return False
    account = caller.account
    if account not in listed and root_arn(account, caller.partition) not in listed:
        return False
    if t is PrincipalType.ROOT:
        return True
    if t is PrincipalType.USER:
        return caller.arn in listed or (caller.unique_id is not None and caller.unique_id in listed)
    if t is PrincipalType.FEDERATED_USER:
        return caller.arn in listed
    if t is PrincipalType.ROLE_SESSION:
        return caller.arn in listed and _role_listed(listed, caller)
    return False


def _role_listed(listed: set[str], caller: Caller) -> bool:
    """Is the session's role among ``listed`` (by ARN, path included, or by unique ID)?"""
    if caller.unique_id is not None and caller.unique_id in listed:
        return True
    for v in listed:
        a = Arn.parse(v) if v.startswith("arn:") else None
        if a is None or a.service != "iam" or a.account != caller.account or not a.resource.startswith("role/"):
            continue
        if caller.name != a.name:
            continue
        # role names are unique in an account; the session ARN has no path (§5.2)
        if caller.entity_arn is None or caller.entity_arn == v or _same_role(caller.entity_arn, v):
            return True
    return False


def _same_role(a: str, b: str) -> bool:
    pa, pb = Arn.parse(a), Arn.parse(b)
    return pa is not None and pb is not None and pa.account == pb.account and pa.name == pb.name
