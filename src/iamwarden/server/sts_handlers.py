"""STS operations over the wire: AssumeRole, GetCallerIdentity, GetSessionToken, GetAccessKeyInfo.

Thin: each handler turns the caller into what the STS library expects (a
user/root ARN for long-term keys, the session its token carries for temporary
ones), calls the library and maps ``StsError`` to AWS's error XML. Nothing is
stored: the session travels in its token (:mod:`.sessions`). AssumeRole's own
authorization (trust policy and the caller's side) is inside the library
(spec §4.2).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping

from ..evaluation.decision import Decision, Verdict
from ..model.account import World
from ..store import Store
from ..sts import (
    Keyring,
    RandomSource,
    StsError,
    assume_role,
    get_caller_identity,
    get_session_token,
)
from ..sts.caller import CallerLike
from ..sts.credentials import account_of_access_key_id
from .access_log import note_decision
from .authorization import CallAuthorizer, principal_arn
from .dispatch import HandlerRegistry
from .errors import AwsError, InvalidClientTokenId
from .request import RequestContext
from .sessions import SessionPrincipal, SessionVault
from .sts_saml_handlers import register_saml_handlers

SERVICE = "sts"
#: what the access log records for an AssumeRole the library allowed (each needed action allowed)
_ALLOWED = Decision(Verdict.ALLOW, rule="the caller's policies and the role's trust policy allow it")


def _caller(ctx: RequestContext) -> CallerLike:
    p = ctx.principal
    if isinstance(p, SessionPrincipal):
        return p.session
    arn = principal_arn(p)
    if not arn:
        raise InvalidClientTokenId()
    return arn


def _sts(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except StsError as e:
        if e.decision is not None:
            note_decision(*e.decision)  # why it was denied, for the access log
        raise AwsError(e.code, e.message, e.status, detail=e.detail or None) from None


def register_sts_handlers(
    registry: HandlerRegistry,
    store: Store,
    world: Callable[[], World],
    vault: SessionVault,
    authorizer: CallAuthorizer,
    clock: Callable[[], datetime],
    rnd: RandomSource | None = None,
) -> None:
    keyring: Callable[[], Keyring] = lambda: vault.keyring  # noqa: E731

    def assume(ctx: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
        authorizer.check_credentials_scope(ctx)
        result = _sts(lambda: assume_role(world(), _caller(ctx), params, clock, keyring(), rnd))
        note_decision("sts:AssumeRole", params.get("RoleArn", ""), _ALLOWED)
        return result.to_api()

    def caller_identity(ctx: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
        # no permission needed, never denied (spec §4.6) -- unless the session's identity is gone
        return _sts(lambda: get_caller_identity(_caller(ctx), world())).to_api()

    def session_token(ctx: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
        authorizer.check_credentials_scope(ctx)
        return _sts(lambda: get_session_token(world(), _caller(ctx), params, clock, keyring(), rnd)).to_api()

    def access_key_info(ctx: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
        # spec §9.14 (UNCONFIRMED): we require sts:GetAccessKeyInfo, like other STS actions
        authorizer.require(ctx, "sts:GetAccessKeyInfo", "*")
        key = params["AccessKeyId"]
        record = store.lookup_access_key(key)
        if record is not None:
            return {"Account": record.account_id}
        # a temporary key id carries its account (AWS's layout, sts.credentials)
        account = account_of_access_key_id(key)
        if account is not None and account in store.accounts():
            return {"Account": account}
        raise AwsError("InvalidParameterValue", f"The access key ID {key} does not exist.", 400)

    registry.register(SERVICE, "AssumeRole", assume)
    registry.register(SERVICE, "GetCallerIdentity", caller_identity)
    registry.register(SERVICE, "GetSessionToken", session_token)
    registry.register(SERVICE, "GetAccessKeyInfo", access_key_info)
    register_saml_handlers(registry, store, world, keyring, clock, rnd)
