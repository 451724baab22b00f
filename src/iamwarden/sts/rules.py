"""STS limits and every UNCONFIRMED choice, in one place (spec §4, §9).

Documented limits come from the STS service model (spec §4.1). Choices the
spec marks UNCONFIRMED are module constants here, each with a test in
``tests/sts/test_rules_unconfirmed.py`` and a note in ``docs/decisions/sts-*.md``,
so that a later finding about real AWS changes one line.
"""

from __future__ import annotations

from ..policy import quotas as _quotas

# -- documented limits (spec §4.1, §4.4, §4.6) ------------------------------------

DURATION_MIN = 900
ASSUME_ROLE_DURATION_MAX = 43200  # model limit; the role's MaxSessionDuration caps further
ASSUME_ROLE_DEFAULT_DURATION = 3600
CHAINED_DURATION_MAX = 3600  # role chaining: an error above this, not a clamp (§4.4)
MAX_SESSION_DURATION_RANGE = (3600, 43200)

SESSION_TOKEN_DURATION_MAX = 129600
SESSION_TOKEN_DEFAULT_DURATION = 43200
ROOT_SESSION_TOKEN_DURATION_MAX = 3600  # root: clamped, not an error (§4.6)

MAX_POLICY_ARNS = 10
MAX_TAGS = 50
MAX_TRANSITIVE_TAG_KEYS = 50

# -- messages with AWS's wording [OBS] ----------------------------------------------

ROOT_MAY_NOT_ASSUME = "Roles may not be assumed by root accounts."
DURATION_OVER_MAX_SESSION = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
DURATION_OVER_CHAINED_LIMIT = (
    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
)
SESSION_TOKEN_WITH_SESSION = "Cannot call GetSessionToken with session credentials"


def not_authorized(caller_arn: str, action: str, resource: str) -> str:
    """The classic STS AccessDenied text (spec §4.2 step 6)."""
    return f"User: {caller_arn} is not authorized to perform: {action} on resource: {resource}"


# -- UNCONFIRMED choices (spec §9) ---------------------------------------------------

#: §9.15 Check ordering. Parameter validation first, then the root-caller
#: rule, session-policy parsing, authorization, and only then the duration
#: and tag checks — so an unauthorized caller learns nothing about the role's
#: MaxSessionDuration. See docs/decisions/sts-check-order.md.
CHECK_ORDER: tuple[str, ...] = (
    "validate-parameters",
    "root-caller",
    "session-policies",
    "authorize",
    "duration",
    "tags",
    "source-identity",
    "packed-size",
)

#: §9.12 PackedPolicySize: AWS compresses session policies and tags into a
#: binary form whose size is secret. Ours: minified JSON of every session policy
#: (inline + managed documents) counted against ``SESSION_POLICY_BUDGET``, and
#: Σ(len(key)+len(value)) of session tags (inherited transitive tags included)
#: against ``SESSION_TAG_BUDGET``; the reported percentage is the larger of the
#: two, rounded up. See docs/decisions/sts-packed-policy-size.md.
SESSION_POLICY_BUDGET = 2048
SESSION_TAG_BUDGET = 2048
#: §4.1: the inline ``Policy`` plaintext alone is also held to 2048 characters
#: (older models had it as the member's max), white space not counted as for
#: every IAM/STS policy quota (the one table: ``policy.quotas.SESSION_POLICY``);
#: ``None`` turns the check off. See docs/decisions/policy-size-quotas.md.
INLINE_POLICY_MAX_LENGTH: int | None = _quotas.SESSION_POLICY.limit
PACKED_TOO_LARGE_TAGS = "Packed size of session tags consumes {pct}% of allotted space."
#: AWS's text for policies, as its knowledge-center article on PackedPolicyTooLarge quotes it.
PACKED_TOO_LARGE_POLICY = "Packed policy consumes {pct}% of allotted space, please use smaller policy."

#: §4.2 step 8: a new session tag that has the key of an inherited transitive
#: tag (case-insensitive). Code and text UNCONFIRMED.
#: See docs/decisions/sts-transitive-tag-conflict.md.
TRANSITIVE_TAG_CONFLICT_CODE = "InvalidParameterValue"
TRANSITIVE_TAG_CONFLICT = "Cannot override transitive session tag key: {key}"

#: §4.1: a TransitiveTagKeys entry that is not a key of Tags. Text UNCONFIRMED.
TRANSITIVE_KEY_NOT_IN_TAGS_CODE = "InvalidParameterValue"
TRANSITIVE_KEY_NOT_IN_TAGS = "Transitive tag key {key} is not among the session tags passed in Tags."

#: §4.1: two tags whose keys differ only by case. Text recalled from AWS output, UNCONFIRMED.
DUPLICATE_TAG_KEYS = "Duplicate tag keys found. Please note that Tag keys are case insensitive."

#: §4.1: tag keys starting with ``aws:`` are reserved. Code and text UNCONFIRMED.
RESERVED_TAG_PREFIX_CODE = "InvalidParameterValue"
RESERVED_TAG_PREFIX = "Tag keys cannot start with the reserved prefix 'aws:': {key}"

#: §4.4: a chained AssumeRole passing a SourceIdentity different from the
#: caller's. AWS refuses; code and text UNCONFIRMED. Passing the same value is
#: accepted (and still needs sts:SetSourceIdentity, per the docs).
#: See docs/decisions/sts-source-identity-change.md.
SOURCE_IDENTITY_CHANGE_CODE = "InvalidParameterValue"
SOURCE_IDENTITY_CHANGE = "The source identity of a role chain cannot be changed (it is {old!r})."

#: §3.3: inherited transitive tags do not by themselves require sts:TagSession
#: (only Tags / TransitiveTagKeys in the request do). UNCONFIRMED.
INHERITED_TRANSITIVE_TAGS_NEED_TAG_SESSION = False

#: §9.16: a chained session's expiration is not capped by its parent's.
CHAINED_EXPIRY_CAPPED_BY_PARENT = False

#: §9.10: append AWS's newer "because …" suffix to AccessDenied messages.
APPEND_DENY_REASON = False

#: §4.1: the RoleArn must be the role's exact ARN (path included); a path
#: mismatch is treated like a missing role: AccessDenied, existence not revealed.
ROLE_ARN_MUST_MATCH_PATH = True

#: §4.2 step 5: a PolicyArns entry that names no policy in the role's account.
#: Code and text UNCONFIRMED.
UNKNOWN_POLICY_ARN_CODE = "InvalidParameterValue"
UNKNOWN_POLICY_ARN = "Policy {arn} does not exist or is not attachable."

#: §4.2 step 5: a session policy that does not parse is ``MalformedPolicyDocument`` with
#: IAM's text for its first problem (``policy.iam_texts``, §5.4; STS's own wording UNCONFIRMED).

#: §3.2: MFA. Without a verifier the library accepts any well-formed TokenCode
#: (the offline emulator has no device); a verifier can be passed in to refuse.
MFA_FAILED = "MultiFactorAuthentication failed with invalid MFA one time pass code."

# -- GetFederationToken (spec §4.6) ---------------------------------------------------

FEDERATION_TOKEN_DURATION_MAX = 129600
FEDERATION_TOKEN_DEFAULT_DURATION = 43200
ROOT_FEDERATION_TOKEN_DURATION_MAX = 3600
FEDERATION_TOKEN_WITH_SESSION = "Cannot call GetFederationToken with session credentials"
#: §4.6: root's GetFederationToken is held to one hour. AWS documents the maximum, not
#: whether a longer request is clamped or refused; like GetSessionToken (documented as a
#: clamp) we clamp. UNCONFIRMED; see docs/decisions/sts-federation-token.md.
ROOT_FEDERATION_TOKEN_CLAMPS = True
ROOT_FEDERATION_TOKEN_TOO_LONG = (
    "The requested DurationSeconds exceeds the 1 hour session limit for the root user."
)
