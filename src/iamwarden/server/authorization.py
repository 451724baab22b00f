"""Every IAM and STS call is decided by the engine as the calling principal (issue 4).

The principal comes from the credential resolver: a user or root (long-term
keys, ``StorePrincipal``) or a session (``SessionPrincipal``). The request's
HTTP facts become global condition keys (spec §3.2). A denial is AWS's
``AccessDenied`` with AWS's message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Callable, Mapping

from ..evaluation import Decision, Verdict, decide
from ..model.account import World
from ..sts import UserSession, session_decide
from ..sts.federated_user import FederatedUserSession
from .access_log import note_decision
from .errors import AccessDenied, InvalidClientTokenId
from .request import RequestContext
from .sessions import SessionPrincipal

#: GetSessionToken credentials may call only these STS operations (spec §4.6)
SESSION_TOKEN_STS_OPERATIONS = frozenset({"AssumeRole", "GetCallerIdentity"})

_TYPE_WORDS = {
    "identity": "an identity-based policy",
    "resource": "a resource-based policy",
    "trust": "a role trust policy",
    "boundary": "a permissions boundary",
    "session": "a session policy",
    "scp": "a service control policy",
    "rcp": "a resource control policy",
}


def request_keys(ctx: RequestContext) -> dict[str, Any]:
    """Global condition keys from the HTTP request (spec §3.2)."""
    t = ctx.request_time.astimezone(UTC)
    return {
        "aws:CurrentTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(t.timestamp())),
        "aws:SecureTransport": "true" if ctx.secure_transport else "false",
        "aws:SourceIp": ctx.source_ip,
        "aws:UserAgent": ctx.user_agent,
        "aws:RequestedRegion": ctx.region or "us-east-1",
        "aws:ViaAWSService": "false",
    }


def principal_arn(principal: object) -> str:
    if isinstance(principal, SessionPrincipal):
        return principal.session.arn
    return str(getattr(principal, "arn", "") or getattr(principal, "principal_arn", ""))


def access_denied_message(arn: str, action: str, resource: str, d: Decision) -> str:
    """AWS's IAM wording: explicit deny names the policy type; implicit says none allows."""
    head = f"User: {arn} is not authorized to perform: {action} on resource: {resource}"
    if d.verdict is Verdict.EXPLICIT_DENY:
        types = [r.policy_type for r in d.reasons if r.effect == "Deny"]
        word = _TYPE_WORDS.get(types[0] if types else "identity", "a policy")
        return f"{head} with an explicit deny in {word}"
    kinds = [r.policy_type for r in d.reasons]
    if "boundary" in kinds:
        return f"{head} because no permissions boundary allows the {action} action"
    if "session" in kinds:
        return f"{head} because no session policy allows the {action} action"
    if "scp" in kinds:
        return f"{head} with an explicit deny in a service control policy"
    return f"{head} because no identity-based policy allows the {action} action"


class CallAuthorizer:
    """Decides calls with the engine against the store's current world."""

    def __init__(self, world: Callable[[], World], clock: Callable[[], datetime]):
        self.world = world
        self.clock = clock

    def check_credentials_scope(self, ctx: RequestContext) -> None:
        """GetSessionToken credentials: IAM needs MFA; STS only AssumeRole/GetCallerIdentity."""
        p = ctx.principal
        if isinstance(p, SessionPrincipal) and isinstance(p.session, FederatedUserSession):
            # spec §4.6: federated users call no IAM and, of STS, only GetCallerIdentity
            if ctx.service == "iam" or ctx.operation != "GetCallerIdentity":
                raise AccessDenied(f"Cannot call {ctx.operation} with session credentials")
        if isinstance(p, SessionPrincipal) and isinstance(p.session, UserSession):
            if ctx.service == "iam" and not p.session.mfa:
                raise InvalidClientTokenId()
            if ctx.service == "sts" and ctx.operation not in SESSION_TOKEN_STS_OPERATIONS:
                raise AccessDenied(
                    f"Cannot call {ctx.operation} with session credentials"
                )

    def decide(self, ctx: RequestContext, action: str, resource: str,
               extra: Mapping[str, Any] | None = None) -> Decision:
        keys = request_keys(ctx)
        keys.update(extra or {})
        p = ctx.principal
        world = self.world()
        if isinstance(p, SessionPrincipal):
            d = session_decide(world, p.session, action, resource, keys, self.clock())
        else:
            d = decide(world, principal_arn(p), action, resource, keys)
        note_decision(action, resource, d)  # the access log's why (no-op when it is off)
        return d

    def require(self, ctx: RequestContext, action: str, resource: str,
                extra: Mapping[str, Any] | None = None) -> Decision:
        self.check_credentials_scope(ctx)
        d = self.decide(ctx, action, resource, extra)
        if not d.allowed:
            raise AccessDenied(access_denied_message(principal_arn(ctx.principal), action, resource, d))
        return d
