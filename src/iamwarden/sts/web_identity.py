"""AssumeRoleWithWebIdentity as a pure library operation (spec §1.4, §1.6, §3.4, §4.5, §4.6).

The caller is not an AWS principal: it is whoever holds an OIDC ID token.
Steps, in order:

1. parameters against the STS model (``RoleArn``, ``RoleSessionName``,
   ``WebIdentityToken`` 4–20000, ``Policy``, ``PolicyArns``, ``DurationSeconds``);
2. the token is verified (:mod:`.web_identity_token`): size, ``alg`` allow
   list, issuer registered as an OIDC provider of the role's account,
   signature under that provider's keys, ``exp``/``nbf``, audience;
3. the AWS claims are read: session tags from ``https://aws.amazon.com/tags``
   and the source identity from ``https://aws.amazon.com/source_identity``
   (a malformed claim is ``IDPRejectedClaim``);
4. session policies are parsed / resolved;
5. the role's trust policy decides, by the engine, with the web-identity
   keys of :func:`.web_identity_keys.web_identity_keys`: the principal is the
   provider (``{"Federated": provider ARN}`` matches it, spec §1.4), the action
   ``sts:AssumeRoleWithWebIdentity``, plus ``sts:TagSession`` when the token
   carries tags and ``sts:SetSourceIdentity`` when it carries a source
   identity (spec §3.3). Anything but Allow is ``AccessDenied``;
6. ``DurationSeconds`` against the role's MaxSessionDuration (default 3600);
7. packed size of session policies and tags.

The result is an ordinary role :class:`~.session.Session` (``assumed-role``),
evaluated later like any AssumeRole session; it remembers its provider
(``aws:FederatedProvider``). Time, randomness and keys are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Mapping

from ..evaluation.authorizer import authorize
from ..evaluation.context import entity_tag_keys
from ..evaluation.decision import Decision, Reason, Verdict
from ..evaluation.request import Request
from ..model.account import AccountError, Role, World
from ..model.arn import Arn
from ..model.oidc_provider import OidcProvider, ProviderDirectory
from ..model.principal import Caller, PrincipalType
from ..policy.quotas import policy_size
from . import rules
from .assume_role import resolve_session_policies
from .authorization import find_role
from .clock import Clock, RandomSource, SecretsRandom, iso8601, utc
from .credentials import Credentials
from .directory import Directory, as_directory
from .errors import StsError
from .packing import check_packed_size, packed_size
from .params import (
    P_ARN,
    P_POLICY,
    P_SESSION_NAME,
    ROLE_SESSION_NAME,
    SOURCE_IDENTITY,
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
from .session import Session, SessionTag
from .session_claims import seal_session
from .tokens import Keyring
from .web_identity_keys import web_identity_keys
from .web_identity_token import MAX_TOKEN_CHARS, VerifiedToken, verify_web_identity_token

ASSUME_ROLE_WITH_WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
TAG_SESSION = "sts:TagSession"
SET_SOURCE_IDENTITY = "sts:SetSourceIdentity"
TAGS_CLAIM = "https://aws.amazon.com/tags"
SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity"
#: AWS's AccessDenied text for a trust policy that does not allow the token [OBS, spec §4.6]
NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
#: The principal type the trust policy is evaluated for. A web identity is no IAM principal:
#: it has no account and no identity policies, so only the trust policy can allow it (like
#: an anonymous caller, spec §1.9), and ``{"Federated": ARN}`` matches it by the provider's
#: ARN. What AWS puts in ``aws:PrincipalType`` here is UNCONFIRMED
#: (docs/decisions/sts-web-identity-keys.md).
WEB_IDENTITY_PRINCIPAL_TYPE = PrincipalType.ANONYMOUS


@dataclass(frozen=True, slots=True)
class AssumeRoleWithWebIdentityParams:
    """The request (spec §4.6); ``from_api`` reads boto3's names."""

    role_arn: str | None
    role_session_name: str | None
    web_identity_token: str | None
    provider_id: str | None = None
    policy: str | None = None
    policy_arns: tuple[str, ...] = ()
    duration_seconds: int | None = None

    @classmethod
    def from_api(cls, p: Mapping[str, Any]) -> AssumeRoleWithWebIdentityParams:
        return cls(
            role_arn=p.get("RoleArn"),
            role_session_name=p.get("RoleSessionName"),
            web_identity_token=p.get("WebIdentityToken"),
            provider_id=p.get("ProviderId"),
            policy=p.get("Policy"),
            policy_arns=tuple(
                (a.get("arn") or a.get("Arn") or "") if isinstance(a, Mapping) else str(a)
                for a in p.get("PolicyArns") or ()
            ),
            duration_seconds=_duration(p.get("DurationSeconds")),
        )


def validate_web_identity(p: AssumeRoleWithWebIdentityParams) -> None:
    """Model constraints, in model member order; the token is never echoed (it is sensitive)."""
    v = _Problems()
    if v.required(p.role_arn, "roleArn"):
        v.string(p.role_arn, "roleArn", 20, 2048, _arn_text_ok, P_ARN)
    if v.required(p.role_session_name, "roleSessionName"):
        v.string(p.role_session_name, "roleSessionName", 2, 64, _full(ROLE_SESSION_NAME), P_SESSION_NAME)
    if v.required(p.web_identity_token, "webIdentityToken"):
        n = len(p.web_identity_token or "")
        if n < 4:
            v.items.append("Value '***' at 'webIdentityToken' failed to satisfy constraint: "
                           "Member must have length greater than or equal to 4")
        if n > MAX_TOKEN_CHARS:
            v.items.append("Value '***' at 'webIdentityToken' failed to satisfy constraint: "
                           f"Member must have length less than or equal to {MAX_TOKEN_CHARS}")
    if p.provider_id is not None:
        v.string(p.provider_id, "providerId", 4, 2048, None, None)
    if p.policy_arns:
        v.length(p.policy_arns, "policyArns", None, rules.MAX_POLICY_ARNS)
        for i, arn in enumerate(p.policy_arns, 1):
            v.string(arn, f"policyArns.{i}.member.arn", 20, 2048, _arn_text_ok, P_ARN)
    if p.policy is not None:
        v.string(p.policy, "policy", 1, None, _policy_text_ok, P_POLICY)
        if rules.INLINE_POLICY_MAX_LENGTH is not None and policy_size(p.policy) > rules.INLINE_POLICY_MAX_LENGTH:
            v.add(p.policy, "policy", f"Member must have length less than or equal to {rules.INLINE_POLICY_MAX_LENGTH}")
    v.integer(p.duration_seconds, "durationSeconds", rules.DURATION_MIN, rules.ASSUME_ROLE_DURATION_MAX)
    v.raise_if_any()


def rejected(message: str) -> StsError:
    return StsError("IDPRejectedClaim", message, 403)


def token_session_tags(claims: Mapping[str, Any]) -> tuple[SessionTag, ...]:
    """Session tags from the ``https://aws.amazon.com/tags`` claim (IAM docs "Passing session tags").

    ``{"principal_tags": {"Key": ["value"]}, "transitive_tag_keys": ["Key"]}``: each value
    a one-element list (a plain string is accepted too). Held to the same limits as
    AssumeRole's ``Tags``; a claim that breaks them is ``IDPRejectedClaim``.
    """
    raw = claims.get(TAGS_CLAIM)
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise rejected(f"The {TAGS_CLAIM} claim must be an object with principal_tags")
    ptags = raw.get("principal_tags", {})
    trans = raw.get("transitive_tag_keys", [])
    if not isinstance(ptags, Mapping) or not isinstance(trans, list) or not all(isinstance(k, str) for k in trans):
        raise rejected(f"The {TAGS_CLAIM} claim is malformed: principal_tags must be an object, "
                       "transitive_tag_keys a list of keys")
    tags: list[Tag] = []
    for i, (k, value) in enumerate(ptags.items()):
        if i >= rules.MAX_TAGS + 1:
            break  # more than the limit: reported below, never read further
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            value = value[0]
        if not isinstance(value, str):
            raise rejected(f"The {TAGS_CLAIM} claim is malformed: the value of {k!r} must be one string")
        tags.append(Tag(str(k), value))
    v = _Problems()
    _check_tags(v, tuple(tags), tuple(trans[: rules.MAX_TRANSITIVE_TAG_KEYS + 1]))
    try:
        v.raise_if_any()
        _check_tag_semantics(tuple(tags), tuple(trans))
    except StsError as e:
        raise rejected(f"The {TAGS_CLAIM} claim was rejected: {e.message}") from None
    transitive = {k.lower() for k in trans}
    return tuple(SessionTag(t.key, t.value, t.key.lower() in transitive) for t in tags)


def token_source_identity(claims: Mapping[str, Any]) -> str | None:
    raw = claims.get(SOURCE_IDENTITY_CLAIM)
    if raw is None:
        return None
    if not isinstance(raw, str) or not 2 <= len(raw) <= 256 or SOURCE_IDENTITY.fullmatch(raw) is None:
        raise rejected(f"The {SOURCE_IDENTITY_CLAIM} claim must be 2-256 characters of [\\w+=,.@-]")
    return raw


def web_identity_caller(provider: OidcProvider) -> Caller:
    """The principal the trust policy is asked about: the provider itself (module doc, step 5)."""
    a = Arn.parse(provider.arn)
    return Caller(WEB_IDENTITY_PRINCIPAL_TYPE, provider.arn, None, None, provider.id,
                  partition=a.partition if a is not None else "aws")


def trust_context(token: VerifiedToken, role: Role | None, session_name: str,
                  tags: tuple[SessionTag, ...], source_identity: str | None, now: datetime) -> dict[str, Any]:
    """The condition keys of the request (spec §3.2–§3.4)."""
    t = utc(now)
    ctx: dict[str, Any] = {"aws:CurrentTime": iso8601(t), "aws:EpochTime": str(int(t.timestamp()))}
    ctx.update(web_identity_keys(token.provider.id, token.claims, token.provider.arn, token.audience))
    ctx["sts:RoleSessionName"] = session_name
    if source_identity is not None:
        ctx["sts:SourceIdentity"] = source_identity
        ctx["aws:SourceIdentity"] = source_identity
    if tags:
        for tag in tags:
            ctx[f"aws:RequestTag/{tag.key}"] = tag.value
        ctx["aws:TagKeys"] = [tag.key for tag in tags]
        transitive = [tag.key for tag in tags if tag.transitive]
        if transitive:
            ctx["sts:TransitiveTagKeys"] = transitive
    if role is not None:
        ctx.update(entity_tag_keys(role.tags))
    return ctx


@dataclass(frozen=True, slots=True)
class TrustDecision:
    action: str
    request: Request
    decision: Decision


def decide_trust(directory: Directory, token: VerifiedToken, role_arn: str, role: Role | None,
                 context: Mapping[str, Any], actions: tuple[str, ...]) -> list[TrustDecision]:
    """One engine decision per needed action, stopping at the first that does not allow."""
    caller = web_identity_caller(token.provider)
    out: list[TrustDecision] = []
    for action in actions:
        req = Request.build(caller, action, role_arn, dict(context))
        if role is None:
            d = Decision(Verdict.IMPLICIT_DENY, (Reason("rule", "no such role"),), rule="no such role")
        else:
            try:
                ps = directory.policies_for(caller, role_arn, action)
                if ps.resource is not role.trust:
                    ps = ps.replace(resource=role.trust)
                d = authorize(req, ps)
            except AccountError as e:  # fail closed
                d = Decision(Verdict.IMPLICIT_DENY, (Reason("error", "account data incomplete; denied"),),
                             (str(e),), "error")
        out.append(TrustDecision(action, req, d))
        if not d.allowed:
            break
    return out


@dataclass(frozen=True, slots=True)
class WebIdentityResult:
    """The AssumeRoleWithWebIdentity response (botocore's output shape) and its session."""

    credentials: Credentials
    session: Session
    token: VerifiedToken

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Credentials": self.credentials.to_api(),
            "SubjectFromWebIdentityToken": self.token.subject,
            "AssumedRoleUser": {"Arn": self.session.arn, "AssumedRoleId": self.session.assumed_role_id},
            "Provider": self.token.issuer,
            "Audience": self.token.audience,
        }
        if self.session.packed_policy_size is not None:
            out["PackedPolicySize"] = self.session.packed_policy_size
        if self.session.source_identity is not None:
            out["SourceIdentity"] = self.session.source_identity
        return out


def role_account(role_arn: str) -> str:
    a = Arn.parse(role_arn)
    return a.account if a is not None and a.account else ""


def assume_role_with_web_identity(
    source: World | Directory,
    providers: ProviderDirectory,
    params: AssumeRoleWithWebIdentityParams | dict[str, Any],
    clock: Clock,
    keyring: Keyring,
    rnd: RandomSource | None = None,
) -> WebIdentityResult:
    """Assume a role with an OIDC token as AWS STS would (module doc), or raise :class:`StsError`."""
    directory = as_directory(source)
    p = params if isinstance(params, AssumeRoleWithWebIdentityParams) else \
        AssumeRoleWithWebIdentityParams.from_api(params)
    validate_web_identity(p)
    now = utc(clock())
    role_arn = p.role_arn or ""
    token = verify_web_identity_token(p.web_identity_token or "", providers, role_account(role_arn), now)
    tags = token_session_tags(token.claims)
    source_id = token_source_identity(token.claims)
    policies = resolve_session_policies(
        directory, AssumeRoleParams(None, None, policy=p.policy, policy_arns=p.policy_arns))

    role = find_role(directory, role_arn)
    actions = [ASSUME_ROLE_WITH_WEB_IDENTITY]
    if tags:
        actions.append(TAG_SESSION)
    if source_id is not None:
        actions.append(SET_SOURCE_IDENTITY)
    ctx = trust_context(token, role, p.role_session_name or "", tags, source_id, now)
    for decided in decide_trust(directory, token, role_arn, role, ctx, tuple(actions)):
        if not decided.decision.allowed:
            error = StsError("AccessDenied", NOT_AUTHORIZED, 403)
            error.decision = (decided.action, role_arn, decided.decision)
            raise error
    assert role is not None

    duration = p.duration_seconds
    if duration is not None and duration > role.max_session_duration:
        raise StsError("ValidationError", rules.DURATION_OVER_MAX_SESSION, 400)
    duration = duration if duration is not None else rules.ASSUME_ROLE_DEFAULT_DURATION
    size = packed_size([x.document for x in policies], tags)
    check_packed_size(size)

    session = Session(
        role_arn=role.arn,
        role_id=role.role_id,
        account=role.arn.split(":")[4],
        session_name=p.role_session_name or "",
        issued=now,
        expires=now + timedelta(seconds=duration),
        session_policies=policies,
        tags=tags,
        source_identity=source_id,
        role_tags=dict(role.tags),
        caller_arn=token.provider.arn,
        packed_policy_size=size.percent if (policies or tags) else None,
        federated_provider=token.provider.arn,
    )
    credentials, sealed = seal_session(keyring, session, rnd or SecretsRandom())
    assert isinstance(sealed, Session)
    return WebIdentityResult(credentials, replace(sealed), token)
