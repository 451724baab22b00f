"""AssumeRole as a pure library operation (spec §1.6, §4.1–§4.4).

``assume_role`` runs the steps of spec §4.2 in the order fixed by
``rules.CHECK_ORDER`` (validation → root → session policies → authorization →
duration → tags → source identity → packed size) and returns the credentials
and the :class:`Session` they stand for. Every refusal is an
:class:`StsError` with AWS's code, message and status. Time, randomness and
token keys come from the caller; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from ..model.account import World
from ..model.principal import PrincipalType
from ..policy.document import Policy, PolicyKind, parse_policy
from ..policy.errors import PolicySyntaxError, iam_message
from . import rules
from .authorization import authorize_actions, find_role
from .caller import CallerInfo, CallerLike, resolve_caller
from .clock import Clock, RandomSource, SecretsRandom, utc
from .credentials import Credentials
from .directory import Directory, as_directory
from .errors import StsError, access_denied
from .packing import check_packed_size, packed_size
from .params import AssumeRoleParams, validate_assume_role
from .session import Session, SessionTag, UserSession
from .session_binding import require_bound
from .session_claims import seal_session
from .tokens import Keyring

#: ``(serial_number, token_code) -> bool``; None accepts any well-formed code (offline).
MfaVerifier = Callable[[str, str], bool]


@dataclass(frozen=True, slots=True)
class AssumeRoleResult:
    """The AssumeRole response (spec §4.3) and the session behind it."""

    credentials: Credentials
    session: Session
    packed_policy_size: int | None = None

    @property
    def source_identity(self) -> str | None:
        return self.session.source_identity

    @property
    def assumed_role_user(self) -> dict[str, str]:
        return {"Arn": self.session.arn, "AssumedRoleId": self.session.assumed_role_id}

    def to_api(self) -> dict[str, Any]:
        """boto3's ``assume_role`` response shape (without ResponseMetadata)."""
        out: dict[str, Any] = {
            "Credentials": self.credentials.to_api(),
            "AssumedRoleUser": self.assumed_role_user,
        }
        if self.packed_policy_size is not None:
            out["PackedPolicySize"] = self.packed_policy_size
        if self.session.source_identity is not None:
            out["SourceIdentity"] = self.session.source_identity
        return out


def _params(p: AssumeRoleParams | dict[str, Any]) -> AssumeRoleParams:
    return p if isinstance(p, AssumeRoleParams) else AssumeRoleParams.from_api(p)


def check_caller_may_assume(caller: CallerInfo, role_arn: str) -> None:
    """Spec §4.2 steps 3–4: root and federated users never assume roles."""
    if caller.is_root:
        raise access_denied(rules.ROOT_MAY_NOT_ASSUME)
    if caller.caller.type is not PrincipalType.USER and caller.caller.type is not PrincipalType.ROLE_SESSION:
        raise access_denied(rules.not_authorized(caller.arn, "sts:AssumeRole", role_arn))


def resolve_session_policies(directory: Directory, params: AssumeRoleParams) -> tuple[Policy, ...]:
    """Spec §4.2 step 5: parse ``Policy``, resolve ``PolicyArns`` (snapshot of the documents)."""
    out: list[Policy] = []
    if params.policy is not None:
        try:
            out.append(parse_policy(params.policy, PolicyKind.SESSION, "session policy"))
        except PolicySyntaxError as e:
            detail = "; ".join(str(p) for p in e.problems)
            raise StsError("MalformedPolicyDocument", iam_message(e), 400, detail=detail) from None
    for arn in params.policy_arns:
        p = directory.managed_policy(arn)
        if p is None:
            raise StsError(rules.UNKNOWN_POLICY_ARN_CODE, rules.UNKNOWN_POLICY_ARN.format(arn=arn), 400)
        out.append(Policy(arn, PolicyKind.SESSION, p.version, p.id, p.statements, p.document))
    return tuple(out)


def check_duration(params: AssumeRoleParams, caller: CallerInfo, max_session_duration: int) -> int:
    """Spec §4.4: chained ≤ 3600 (an error, not a clamp); otherwise ≤ MaxSessionDuration."""
    requested = params.duration_seconds
    if caller.temporary:
        if requested is not None and requested > rules.CHAINED_DURATION_MAX:
            raise StsError("ValidationError", rules.DURATION_OVER_CHAINED_LIMIT, 400)
    if requested is not None and requested > max_session_duration:
        raise StsError("ValidationError", rules.DURATION_OVER_MAX_SESSION, 400)
    return requested if requested is not None else rules.ASSUME_ROLE_DEFAULT_DURATION


def session_tags(params: AssumeRoleParams, caller: CallerInfo) -> tuple[SessionTag, ...]:
    """Spec §4.2 step 8: new tags may not reuse the key of an inherited transitive tag."""
    inherited = {t.key.lower() for t in caller.transitive_tags}
    transitive = {k.lower() for k in params.transitive_tag_keys}
    out = []
    for t in params.tags:
        if t.key.lower() in inherited:
            raise StsError(rules.TRANSITIVE_TAG_CONFLICT_CODE, rules.TRANSITIVE_TAG_CONFLICT.format(key=t.key), 400)
        out.append(SessionTag(t.key, t.value, t.key.lower() in transitive))
    return tuple(out)


def source_identity(params: AssumeRoleParams, caller: CallerInfo) -> str | None:
    """Spec §4.4: once set, a source identity persists and cannot change along the chain."""
    old = caller.source_identity
    if old is not None and params.source_identity is not None and params.source_identity != old:
        raise StsError(rules.SOURCE_IDENTITY_CHANGE_CODE, rules.SOURCE_IDENTITY_CHANGE.format(old=old), 400)
    return old if old is not None else params.source_identity


def assume_role(
    source: World | Directory,
    caller: CallerLike,
    params: AssumeRoleParams | dict[str, Any],
    clock: Clock,
    keyring: Keyring,
    rnd: RandomSource | None = None,
    mfa_verifier: MfaVerifier | None = None,
) -> AssumeRoleResult:
    """Assume a role as AWS STS would (spec §4.2), or raise :class:`StsError`.

    ``caller`` is a user or root ARN / :class:`Caller` (long-term keys), a
    role :class:`Session` (role chaining) or a GetSessionToken
    :class:`UserSession` (also chaining, spec §4.4).
    """
    directory = as_directory(source)
    r = rnd or SecretsRandom()
    now = utc(clock())
    p = _params(params)

    validate_assume_role(p)
    if isinstance(caller, (Session, UserSession)):
        # bound by unique id: a session of a deleted or re-created identity assumes nothing
        require_bound(directory, caller, "sts:AssumeRole", p.role_arn or "")
    info = resolve_caller(directory, caller, now)
    check_caller_may_assume(info, p.role_arn or "")
    if p.with_mfa and mfa_verifier is not None and not mfa_verifier(p.serial_number or "", p.token_code or ""):
        raise access_denied(rules.MFA_FAILED)
    policies = resolve_session_policies(directory, p)

    role = find_role(directory, p.role_arn)
    for decided in authorize_actions(directory, info, p, role, now):
        if not decided.decision.allowed:
            message = rules.not_authorized(info.arn, decided.action, p.role_arn or "")
            if rules.APPEND_DENY_REASON and decided.decision.reasons:
                message += " because " + decided.decision.reasons[0].message
            error = access_denied(message)
            error.decision = (decided.action, p.role_arn or "", decided.decision)
            raise error
    assert role is not None  # authorization never allows a missing role

    duration = check_duration(p, info, role.max_session_duration)
    tags = session_tags(p, info)
    source_id = source_identity(p, info)
    passed_something = bool(policies or p.tags or p.transitive_tag_keys)
    size = packed_size([x.document for x in policies], info.transitive_tags + tags)
    check_packed_size(size)

    expires = now + timedelta(seconds=duration)
    parent = info.session
    if rules.CHAINED_EXPIRY_CAPPED_BY_PARENT and parent is not None:
        expires = min(expires, utc(parent.expires))
    session = Session(
        role_arn=role.arn,
        role_id=role.role_id,
        account=role.arn.split(":")[4],
        session_name=p.role_session_name or "",
        issued=now,
        expires=expires,
        session_policies=policies,
        tags=tags,
        inherited_tags=info.transitive_tags,
        source_identity=source_id,
        mfa=p.with_mfa or info.mfa,
        mfa_time=now if p.with_mfa else info.mfa_time,
        chained=info.temporary,
        role_tags=dict(role.tags),
        caller_arn=info.arn,
        packed_policy_size=size.percent if passed_something else None,
    )
    credentials, sealed = seal_session(keyring, session, r)
    assert isinstance(sealed, Session)
    return AssumeRoleResult(credentials, sealed, sealed.packed_policy_size)


