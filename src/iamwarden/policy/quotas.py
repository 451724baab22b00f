"""IAM and STS quotas, in one table: policy sizes (and how AWS counts them), entity counts.

Source: the IAM User Guide page "IAM and AWS STS quotas, name requirements, and
character limits" (spec §2.1, §5 "Size"), and the STS API reference for session
policies (spec §4.1):

* a managed policy (each version) ≤ 6,144 characters;
* the inline policies of one entity, **together**: user ≤ 2,048, group ≤ 5,120,
  role ≤ 10,240 characters;
* a role trust policy ≤ 2,048 characters (the default quota; raisable to 4,096);
* session policies (inline ``Policy`` plus the ``PolicyArns`` documents) ≤ 2,048
  characters of plaintext, besides the packed-size rule of ``sts.packing``.

"IAM doesn't count white space when calculating the size of a policy": sizes are
characters that are not white space (:func:`policy_size`). Which characters
count as white space is UNCONFIRMED (docs/decisions/policy-size-quotas.md); we
take Java's ``\\s`` (space, tab, LF, VT, FF, CR), the class a Java service is
most likely to strip, and count U+0085 and U+00A0 (allowed in documents) as
characters.

Over a quota IAM answers ``LimitExceeded`` (409) with the messages in the
table [OBS, spec §5]. STS answers an inline session ``Policy`` over 2,048
characters with the model-style ``ValidationError`` (as older STS models had
it, ``sts.rules``), and the combined inline + managed plaintext over its budget
with ``PackedPolicyTooLarge`` (``sts.packing``).
The table is what the store (IAM writes) and ``sts.params`` (AssumeRole)
enforce and what ``validate`` reports; ``check`` and ``audit`` analyse
documents AWS already holds and never refuse one for its size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Characters IAM does not count (Java's ``\s``); UNCONFIRMED, see module doc.
WHITESPACE = " \t\n\r\x0b\x0c"


@dataclass(frozen=True, slots=True)
class Quota:
    """One size quota: AWS's name for it, its limit, and what AWS answers above it."""

    key: str
    aws_name: str  # as AWS names it in its messages / GetAccountSummary
    limit: int  # characters, white space not counted
    code: str
    status: int
    message: str  # ``str.format`` template: {limit}, {name}, {pct}

    def exceeded_message(self, name: str = "", size: int = 0) -> str:
        pct = -(-100 * size // self.limit) if self.limit else 0
        return self.message.format(limit=self.limit, name=name, pct=pct)


MANAGED_POLICY = Quota(
    "managed-policy", "PolicySize", 6144, "LimitExceeded", 409,
    "Cannot exceed quota for PolicySize: {limit}",
)
TRUST_POLICY = Quota(
    "trust-policy", "ACLSizePerRole", 2048, "LimitExceeded", 409,
    "Cannot exceed quota for ACLSizePerRole: {limit}",
)
USER_INLINE = Quota(
    "user-inline", "UserPolicySize", 2048, "LimitExceeded", 409,
    "Maximum policy size of {limit} bytes exceeded for user {name}",
)
GROUP_INLINE = Quota(
    "group-inline", "GroupPolicySize", 5120, "LimitExceeded", 409,
    "Maximum policy size of {limit} bytes exceeded for group {name}",
)
ROLE_INLINE = Quota(
    "role-inline", "RolePolicySize", 10240, "LimitExceeded", 409,
    "Maximum policy size of {limit} bytes exceeded for role {name}",
)
SESSION_POLICY = Quota(
    "session-policy", "SessionPolicySize", 2048, "ValidationError", 400,
    "Member must have length less than or equal to {limit}",
)

#: Every quota, by key. Tests in tests/hostile/test_quotas.py check one rule each.
QUOTAS: dict[str, Quota] = {
    q.key: q
    for q in (MANAGED_POLICY, TRUST_POLICY, USER_INLINE, GROUP_INLINE, ROLE_INLINE, SESSION_POLICY)
}

#: The aggregate inline-policy quota of each entity kind.
INLINE_QUOTAS: dict[str, Quota] = {"user": USER_INLINE, "group": GROUP_INLINE, "role": ROLE_INLINE}


# --- entity counts (IAM quotas page, "IAM object quotas"; defaults, raisable) --------------
# Not policy sizes, but the same kind of rule with the same answer, kept in the
# same table so that every quota the store enforces is written once. Messages
# follow the observed form ``Cannot exceed quota for PoliciesPerRole: 10``
# [OBS: PoliciesPerRole, PoliciesPerGroup, InstanceProfilesPerAccount]; the
# other names are AWS's by analogy (UNCONFIRMED).


def _count(key: str, aws_name: str, limit: int) -> Quota:
    return Quota(key, aws_name, limit, "LimitExceeded", 409, f"Cannot exceed quota for {aws_name}: {{limit}}")


USERS_PER_ACCOUNT = _count("users-per-account", "UsersPerAccount", 5000)
GROUPS_PER_ACCOUNT = _count("groups-per-account", "GroupsPerAccount", 300)
ROLES_PER_ACCOUNT = _count("roles-per-account", "RolesPerAccount", 1000)
POLICIES_PER_ACCOUNT = _count("policies-per-account", "PoliciesPerAccount", 1500)
INSTANCE_PROFILES_PER_ACCOUNT = _count("instance-profiles-per-account", "InstanceProfilesPerAccount", 1000)
GROUPS_PER_USER = _count("groups-per-user", "GroupsPerUser", 10)
ATTACHED_QUOTAS: dict[str, Quota] = {
    "user": _count("policies-per-user", "PoliciesPerUser", 10),
    "group": _count("policies-per-group", "PoliciesPerGroup", 10),
    "role": _count("policies-per-role", "PoliciesPerRole", 10),
}

#: Every entity-count quota, by key.
COUNT_QUOTAS: dict[str, Quota] = {
    q.key: q
    for q in (USERS_PER_ACCOUNT, GROUPS_PER_ACCOUNT, ROLES_PER_ACCOUNT, POLICIES_PER_ACCOUNT,
              INSTANCE_PROFILES_PER_ACCOUNT, GROUPS_PER_USER, *ATTACHED_QUOTAS.values())
}


def policy_size(document: Any) -> int:
    """Characters of a policy document, white space not counted (as IAM counts).

    Text is measured as written (linear, at C speed: no parsing, so it can run
    before any other work); a decoded document is measured as its compact JSON
    serialisation (iteratively, so any nesting depth is fine).
    """
    if isinstance(document, bytes):
        document = document.decode("utf-8", "replace")
    if isinstance(document, str):
        return len(document) - sum(document.count(c) for c in WHITESPACE)
    total = 0
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            total += 2 + max(len(node) - 1, 0) + len(node)  # braces, commas, colons
            for k, v in node.items():
                total += _scalar_size(k if isinstance(k, str) else str(k))
                stack.append(v)
        elif isinstance(node, (list, tuple)):
            total += 2 + max(len(node) - 1, 0)
            stack.extend(node)
        else:
            total += _scalar_size(node)
    return total


def _scalar_size(value: Any) -> int:
    import json

    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = str(value)
    return policy_size(text)


def exceeds(quota: Quota, size: int) -> bool:
    return size > quota.limit
