"""GetFederationToken as a pure library operation (spec §1.4, §1.5, §4.6).

A long-term IAM user (or root) asks for credentials of a *federated user*
``arn:aws:sts::ACCOUNT:federated-user/NAME``. The session's permissions are
the user's identity policies (and boundary) cut by the session policies
passed here: without session policies the federated user can do nothing
(spec §1.2); a resource policy naming the federated-user ARN grants directly,
one naming the user grants through it (spec §1.5). Steps, in order:

1. parameters against the STS model (``Name`` 2–32 ``[\\w+=,.@-]*``,
   ``DurationSeconds`` 900–129600, ``Policy``, ``PolicyArns`` ≤ 10, ``Tags`` ≤ 50);
2. session credentials are refused: ``AccessDenied: Cannot call
   GetFederationToken with session credentials`` (spec §4.5);
3. session policies are parsed / resolved (snapshot);
4. the engine decides ``sts:GetFederationToken`` on the federated-user ARN for
   the calling user, and ``sts:TagSession`` when tags are passed;
5. duration: default 43200; root is held to 3600 (clamped like
   GetSessionToken, :data:`rules.ROOT_FEDERATION_TOKEN_CLAMPS`);
6. packed size of policies + tags (``PackedPolicyTooLarge``).

Time, randomness and token keys come from the caller; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Mapping

from ..evaluation.authorizer import authorize
from ..evaluation.decision import Decision
from ..evaluation.request import Request
from ..model.account import AccountError, World
from ..model.principal import PrincipalType
from ..policy.quotas import policy_size
from . import rules
from .assume_role import resolve_session_policies
from .caller import CallerInfo, CallerLike, resolve_caller
from .clock import Clock, RandomSource, SecretsRandom, iso8601, utc
from .credentials import Credentials
from .directory import Directory, as_directory
from .errors import StsError, access_denied
from .federated_user import FederatedUserSession, federated_user_arn
from .packing import check_packed_size, packed_size
from .params import (
    P_ARN,
    P_POLICY,
    P_SESSION_NAME,
    ROLE_SESSION_NAME,
    AssumeRoleParams,
    Tag,
    _arn_text_ok,
    _check_tag_semantics,
    _check_tags,
    _duration,
    _full,
    _policy_text_ok,
    _Problems,
)
from .session import Session, SessionTag, UserSession
from .session_binding import require_bound
from .session_claims import seal_session
from .tokens import Keyring

GET_FEDERATION_TOKEN = "sts:GetFederationToken"
TAG_SESSION = "sts:TagSession"


@dataclass(frozen=True, slots=True)
class GetFederationTokenParams:
    """The GetFederationToken request (spec §4.6); ``from_api`` reads boto3's names."""

    name: str | None
    duration_seconds: int | None = None
    policy: str | None = None
    policy_arns: tuple[str, ...] = ()
    tags: tuple[Tag, ...] = ()

    @classmethod
    def from_api(cls, p: Mapping[str, Any]) -> GetFederationTokenParams:
        return cls(
            name=p.get("Name"),
            duration_seconds=_duration(p.get("DurationSeconds")),
            policy=p.get("Policy"),
            policy_arns=tuple(
                (a.get("arn") or a.get("Arn") or "") if isinstance(a, Mapping) else str(a)
                for a in p.get("PolicyArns") or ()
            ),
            tags=tuple(Tag(str(t.get("Key", "")), str(t.get("Value", ""))) for t in p.get("Tags") or ()),
        )


def validate_get_federation_token(p: GetFederationTokenParams) -> None:
    """Model constraints of GetFederationToken, in model member order (spec §4.6)."""
    v = _Problems()
    if v.required(p.name, "name"):
        v.string(p.name, "name", 2, 32, _full(ROLE_SESSION_NAME), P_SESSION_NAME)
    if p.policy is not None:
        v.string(p.policy, "policy", 1, None, _policy_text_ok, P_POLICY)
        if rules.INLINE_POLICY_MAX_LENGTH is not None and policy_size(p.policy) > rules.INLINE_POLICY_MAX_LENGTH:
            v.add(p.policy, "policy", f"Member must have length less than or equal to {rules.INLINE_POLICY_MAX_LENGTH}")
    if p.policy_arns:
        v.length(p.policy_arns, "policyArns", None, rules.MAX_POLICY_ARNS)
        for i, arn in enumerate(p.policy_arns, 1):
            v.string(arn, f"policyArns.{i}.member.arn", 20, 2048, _arn_text_ok, P_ARN)
    v.integer(p.duration_seconds, "durationSeconds", rules.DURATION_MIN, rules.FEDERATION_TOKEN_DURATION_MAX)
    _check_tags(v, p.tags, ())
    v.raise_if_any()
    _check_tag_semantics(p.tags, ())


@dataclass(frozen=True, slots=True)
class GetFederationTokenResult:
    """The GetFederationToken response and the session behind it."""

    credentials: Credentials
    session: FederatedUserSession

    @property
    def packed_policy_size(self) -> int | None:
        return self.session.packed_policy_size

    def to_api(self) -> dict[str, Any]:
        """boto3's ``get_federation_token`` response shape (without ResponseMetadata)."""
        out: dict[str, Any] = {
            "Credentials": self.credentials.to_api(),
            "FederatedUser": {"FederatedUserId": self.session.federated_user_id, "Arn": self.session.arn},
        }
        if self.session.packed_policy_size is not None:
            out["PackedPolicySize"] = self.session.packed_policy_size
        return out


def federation_token_duration(requested: int | None, root: bool) -> int:
    """Default 43200; root at most 3600 (spec §4.6), clamped per ``rules.ROOT_FEDERATION_TOKEN_CLAMPS``."""
    d = requested if requested is not None else rules.FEDERATION_TOKEN_DEFAULT_DURATION
    if root and d > rules.ROOT_FEDERATION_TOKEN_DURATION_MAX:
        if not rules.ROOT_FEDERATION_TOKEN_CLAMPS:
            raise StsError("ValidationError", rules.ROOT_FEDERATION_TOKEN_TOO_LONG, 400)
        return rules.ROOT_FEDERATION_TOKEN_DURATION_MAX
    return d


def _decide(directory: Directory, info: CallerInfo, action: str, resource: str,
            ctx: dict[str, Any]) -> Decision:
    req = Request.build(info.caller, action, resource, ctx)
    ps = directory.policies_for(info.caller, resource, action)
    return authorize(req, ps)


def request_context(info: CallerInfo, p: GetFederationTokenParams, now: Any) -> dict[str, Any]:
    """Condition keys of the GetFederationToken request itself (spec §3.2, §3.3)."""
    t = utc(now)
    ctx: dict[str, Any] = {"aws:CurrentTime": iso8601(t), "aws:EpochTime": str(int(t.timestamp()))}
    ctx.update(info.context)
    if p.tags:
        for tag in p.tags:
            ctx[f"aws:RequestTag/{tag.key}"] = tag.value
        ctx["aws:TagKeys"] = [tag.key for tag in p.tags]
    return ctx


def get_federation_token(
    source: World | Directory,
    caller: CallerLike,
    params: GetFederationTokenParams | dict[str, Any],
    clock: Clock,
    keyring: Keyring,
    rnd: RandomSource | None = None,
) -> GetFederationTokenResult:
    """Issue federated-user credentials as AWS STS would (module doc), or raise :class:`StsError`."""
    directory = as_directory(source)
    p = params if isinstance(params, GetFederationTokenParams) else GetFederationTokenParams.from_api(params)
    validate_get_federation_token(p)
    if isinstance(caller, (Session, UserSession, FederatedUserSession)):
        if not isinstance(caller, FederatedUserSession):
            require_bound(directory, caller, GET_FEDERATION_TOKEN, "*")
        raise access_denied(rules.FEDERATION_TOKEN_WITH_SESSION)
    now = utc(clock())
    info = resolve_caller(directory, caller, now)
    t = info.caller.type
    if info.temporary or t not in (PrincipalType.USER, PrincipalType.ROOT):
        raise access_denied(rules.FEDERATION_TOKEN_WITH_SESSION)
    account = info.caller.account or ""
    name = p.name or ""
    resource = federated_user_arn(account, name, info.caller.partition)
    policies = resolve_session_policies(
        directory, AssumeRoleParams(None, None, policy=p.policy, policy_arns=p.policy_arns))

    ctx = request_context(info, p, now)
    actions = (GET_FEDERATION_TOKEN, TAG_SESSION) if p.tags else (GET_FEDERATION_TOKEN,)
    for action in actions:
        try:
            d = _decide(directory, info, action, resource, ctx)
        except AccountError:
            raise access_denied(rules.not_authorized(info.arn, action, resource)) from None
        if not d.allowed:
            error = access_denied(rules.not_authorized(info.arn, action, resource))
            error.decision = (action, resource, d)
            raise error

    root = t is PrincipalType.ROOT
    duration = federation_token_duration(p.duration_seconds, root)
    tags = tuple(SessionTag(x.key, x.value) for x in p.tags)
    size = packed_size([x.document for x in policies], tags)
    check_packed_size(size)
    session = FederatedUserSession(
        user_arn=info.caller.arn,
        user_id=account if root else (info.caller.unique_id or ""),
        account=account,
        name=name,
        issued=now,
        expires=now + timedelta(seconds=duration),
        session_policies=policies,
        tags=tags,
        user_tags=dict(info.tags),
        packed_policy_size=size.percent if (policies or tags) else None,
    )
    credentials, sealed = seal_session(keyring, session, rnd or SecretsRandom())
    assert isinstance(sealed, FederatedUserSession)
    return GetFederationTokenResult(credentials, sealed)
