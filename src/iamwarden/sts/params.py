"""AssumeRole and GetSessionToken parameters and their model constraints (spec §4.1, §4.6).

The rules are those of the STS service model (lengths, patterns, ranges), with
AWS's ``ValidationError`` wording (spec §4.2 step 2): every violation is listed,
length before pattern, member paths camelCase, list items as
``tags.1.member.key``. The server validates the wire request with botocore's
model too; the library checks again so that a direct library caller gets the
same answer (fail closed: nothing unchecked reaches the authorizer).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping

from ..policy.echo import echo
from ..policy.quotas import policy_size
from . import rules
from .errors import StsError, validation_error

ROLE_SESSION_NAME = re.compile(r"[\w+=,.@-]*", re.ASCII)
EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]*", re.ASCII)
SERIAL_NUMBER = re.compile(r"[\w+=/:,.@-]*", re.ASCII)
TOKEN_CODE = re.compile(r"[0-9]*")
SOURCE_IDENTITY = ROLE_SESSION_NAME
#: Java's pattern texts, as AWS prints them in messages
P_SESSION_NAME = r"[\w+=,.@-]*"
P_EXTERNAL_ID = r"[\w+=,.@:\/-]*"
P_SERIAL = r"[\w+=/:,.@-]*"
P_TOKEN_CODE = r"[\d]*"
P_TAG_KEY = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"
P_TAG_VALUE = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*"
P_POLICY = r"[\u0009\u000A\u000D\u0020-\u00FF]+"
P_ARN = r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+"
_TAG_PUNCT = set("_.:/=+-@")


def _tag_text_ok(text: str) -> bool:
    """``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]``: letters, separators (spaces), numbers, and ``_.:/=+-@``."""
    return all(c in _TAG_PUNCT or unicodedata.category(c)[0] in "LZN" for c in text)


def _policy_text_ok(text: str) -> bool:
    return all(c in "\t\n\r" or 0x20 <= ord(c) <= 0xFF for c in text)


#: characters allowed in ARN parameters: tab, LF, CR, printable ASCII, U+0085, U+00A0-U+D7FF,
#: U+E000-U+FFFD and U+10000 up
_ARN_TEXT = re.compile("[\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


def _arn_text_ok(text: str) -> bool:
    return _ARN_TEXT.fullmatch(text) is not None


_INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,19}")  # a Java long at most; ranges are checked later


def _duration(value: Any) -> int | None:
    """``DurationSeconds`` as an int, or ``ValidationError``: never ``int()`` of unbounded text."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
        return int(value)
    raise validation_error([f"Value '{echo(str(value))}' at 'durationSeconds' failed to satisfy constraint: "
                            "Member must be an integer"])


@dataclass(frozen=True, slots=True)
class Tag:
    """A session tag (spec §4.1): key 1–128, value 0–256; keys compare case-insensitively."""

    key: str
    value: str

    def __str__(self) -> str:  # Java's toString, as AWS echoes list members
        return f"{{Key={self.key}, Value={self.value}}}"


@dataclass(frozen=True, slots=True)
class AssumeRoleParams:
    """The AssumeRole request (spec §4.1). ``from_api`` reads boto3's parameter names."""

    role_arn: str | None
    role_session_name: str | None
    duration_seconds: int | None = None
    policy: str | None = None
    policy_arns: tuple[str, ...] = ()
    tags: tuple[Tag, ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    external_id: str | None = None
    serial_number: str | None = None
    token_code: str | None = None
    source_identity: str | None = None

    @classmethod
    def from_api(cls, p: Mapping[str, Any]) -> AssumeRoleParams:
        """From boto3-style names: ``RoleArn``, ``PolicyArns=[{"arn": …}]``, ``Tags=[{"Key", "Value"}]``."""
        return cls(
            role_arn=p.get("RoleArn"),
            role_session_name=p.get("RoleSessionName"),
            duration_seconds=_duration(p.get("DurationSeconds")),
            policy=p.get("Policy"),
            policy_arns=tuple(
                (a.get("arn") or a.get("Arn") or "") if isinstance(a, Mapping) else str(a)
                for a in p.get("PolicyArns") or ()
            ),
            tags=tuple(Tag(str(t.get("Key", "")), str(t.get("Value", ""))) for t in p.get("Tags") or ()),
            transitive_tag_keys=tuple(p.get("TransitiveTagKeys") or ()),
            external_id=p.get("ExternalId"),
            serial_number=p.get("SerialNumber"),
            token_code=p.get("TokenCode"),
            source_identity=p.get("SourceIdentity"),
        )

    @property
    def passes_tags(self) -> bool:
        """Tags or TransitiveTagKeys in the request: ``sts:TagSession`` is needed (spec §3.3)."""
        return bool(self.tags or self.transitive_tag_keys)

    @property
    def with_mfa(self) -> bool:
        return bool(self.serial_number and self.token_code)


@dataclass(frozen=True, slots=True)
class GetSessionTokenParams:
    """The GetSessionToken request (spec §4.6)."""

    duration_seconds: int | None = None
    serial_number: str | None = None
    token_code: str | None = None

    @classmethod
    def from_api(cls, p: Mapping[str, Any]) -> GetSessionTokenParams:
        return cls(_duration(p.get("DurationSeconds")), p.get("SerialNumber"), p.get("TokenCode"))

    @property
    def with_mfa(self) -> bool:
        return bool(self.serial_number and self.token_code)


# -- checking ---------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, value: Any, path: str, constraint: str) -> None:
        shown = "null" if value is None else f"'{echo(_render(value))}'"  # a short prefix only
        self.items.append(f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}")

    def required(self, value: Any, path: str) -> bool:
        if value is None:
            self.add(None, path, "Member must not be null")
            return False
        return True

    def length(self, value: Any, path: str, lo: int | None, hi: int | None) -> None:
        n = len(value)
        if lo is not None and n < lo:
            self.add(value, path, f"Member must have length greater than or equal to {lo}")
        if hi is not None and n > hi:
            self.add(value, path, f"Member must have length less than or equal to {hi}")

    def string(self, value: str | None, path: str, lo: int | None, hi: int | None,
               ok: Any, pattern_text: str | None) -> None:
        if value is None:
            return
        self.length(value, path, lo, hi)
        if pattern_text is not None and not ok(value):
            self.add(value, path, f"Member must satisfy regular expression pattern: {pattern_text}")

    def integer(self, value: int | None, path: str, lo: int, hi: int) -> None:
        if value is None:
            return
        if value < lo:
            self.add(value, path, f"Member must have value greater than or equal to {lo}")
        if value > hi:
            self.add(value, path, f"Member must have value less than or equal to {hi}")

    def raise_if_any(self) -> None:
        if self.items:
            raise validation_error(self.items)


def _render(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _full(rx: re.Pattern[str]) -> Any:
    return lambda v: rx.fullmatch(v) is not None


def validate_assume_role(p: AssumeRoleParams) -> None:
    """Model constraints of AssumeRole, in model member order (spec §4.1, §4.2 step 2).

    Raises ``StsError('ValidationError', …)`` listing every violation; then the
    tag rules that are not length/pattern (duplicates, reserved prefix,
    transitive keys not among the tags).
    """
    v = _Problems()
    if v.required(p.role_arn, "roleArn"):
        v.string(p.role_arn, "roleArn", 20, 2048, _arn_text_ok, P_ARN)
    if v.required(p.role_session_name, "roleSessionName"):
        v.string(p.role_session_name, "roleSessionName", 2, 64, _full(ROLE_SESSION_NAME), P_SESSION_NAME)
    if p.policy_arns:
        v.length(p.policy_arns, "policyArns", None, rules.MAX_POLICY_ARNS)
        for i, arn in enumerate(p.policy_arns, 1):
            v.string(arn, f"policyArns.{i}.member.arn", 20, 2048, _arn_text_ok, P_ARN)
    if p.policy is not None:
        v.string(p.policy, "policy", 1, None, _policy_text_ok, P_POLICY)
        # the session-policy quota counts characters as IAM does: white space not
        # counted (policy.quotas); checked here, before the policy is parsed
        if rules.INLINE_POLICY_MAX_LENGTH is not None and policy_size(p.policy) > rules.INLINE_POLICY_MAX_LENGTH:
            v.add(p.policy, "policy", f"Member must have length less than or equal to {rules.INLINE_POLICY_MAX_LENGTH}")
    v.integer(p.duration_seconds, "durationSeconds", rules.DURATION_MIN, rules.ASSUME_ROLE_DURATION_MAX)
    _check_tags(v, p.tags, p.transitive_tag_keys)
    v.string(p.external_id, "externalId", 2, 1224, _full(EXTERNAL_ID), P_EXTERNAL_ID)
    v.string(p.serial_number, "serialNumber", 9, 256, _full(SERIAL_NUMBER), P_SERIAL)
    v.string(p.token_code, "tokenCode", 6, 6, _full(TOKEN_CODE), P_TOKEN_CODE)
    v.string(p.source_identity, "sourceIdentity", 2, 256, _full(SOURCE_IDENTITY), P_SESSION_NAME)
    v.raise_if_any()
    _check_tag_semantics(p.tags, p.transitive_tag_keys)


def _check_tags(v: _Problems, tags: tuple[Tag, ...], transitive: tuple[str, ...]) -> None:
    if tags:
        v.length(tags, "tags", None, rules.MAX_TAGS)
        for i, t in enumerate(tags, 1):
            v.string(t.key, f"tags.{i}.member.key", 1, 128, _tag_text_ok, P_TAG_KEY)
            v.string(t.value, f"tags.{i}.member.value", 0, 256, _tag_text_ok, P_TAG_VALUE)
    if transitive:
        v.length(transitive, "transitiveTagKeys", None, rules.MAX_TRANSITIVE_TAG_KEYS)
        for i, k in enumerate(transitive, 1):
            v.string(k, f"transitiveTagKeys.{i}.member", 1, 128, _tag_text_ok, P_TAG_KEY)


def _check_tag_semantics(tags: tuple[Tag, ...], transitive: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for t in tags:
        k = t.key.lower()
        if k in seen:
            raise StsError("ValidationError", rules.DUPLICATE_TAG_KEYS, 400)
        seen.add(k)
        if k.startswith("aws:"):
            raise StsError(rules.RESERVED_TAG_PREFIX_CODE, rules.RESERVED_TAG_PREFIX.format(key=t.key), 400)
    for key in transitive:
        if key.lower() not in seen:
            raise StsError(
                rules.TRANSITIVE_KEY_NOT_IN_TAGS_CODE, rules.TRANSITIVE_KEY_NOT_IN_TAGS.format(key=key), 400
            )


def validate_get_session_token(p: GetSessionTokenParams) -> None:
    """Model constraints of GetSessionToken (spec §4.6)."""
    v = _Problems()
    v.integer(p.duration_seconds, "durationSeconds", rules.DURATION_MIN, rules.SESSION_TOKEN_DURATION_MAX)
    v.string(p.serial_number, "serialNumber", 9, 256, _full(SERIAL_NUMBER), P_SERIAL)
    v.string(p.token_code, "tokenCode", 6, 6, _full(TOKEN_CODE), P_TOKEN_CODE)
    v.raise_if_any()


# The session name a tool picks when its user gave none (explain, the playground).
FALLBACK_SESSION_NAME = "iamwarden"


def default_session_name(principal: str) -> str:
    """The caller's own name (the ARN's last part) when it is a valid RoleSessionName, else a fixed one.

    A user ``alice`` assumes as ``alice``; a session ``assumed-role/R/build-7``
    re-assumes as ``build-7``; a name STS would reject (one character, a
    space, more than 64 characters) falls back to ``FALLBACK_SESSION_NAME``.
    """
    tail = principal.rsplit("/", 1)[-1]
    ok = 2 <= len(tail) <= 64 and ROLE_SESSION_NAME.fullmatch(tail) is not None  # STS's own rule (spec §4.1)
    return tail if ok else FALLBACK_SESSION_NAME
