"""STS federation over the wire: AssumeRoleWithWebIdentity and GetFederationToken (issue 11).

AssumeRoleWithWebIdentity is unsigned (the botocore model says so and the
dispatcher runs it with no principal): the token is the credential. The
providers and their keys come from the store on every call (a provider created
a moment ago is honoured at once). GetFederationToken needs long-term
credentials; the library refuses session credentials with AWS's message.
Nothing is stored per session: the session travels in its token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping

from ..evaluation.decision import Decision, Verdict
from ..model.account import World
from ..model.oidc_provider import ProviderDirectory
from ..store import Store
from ..sts import Keyring, RandomSource
from ..sts.federation_token import get_federation_token
from ..sts.web_identity import assume_role_with_web_identity
from .access_log import note_decision
from .dispatch import HandlerRegistry
from .request import RequestContext
from .sessions import SessionVault
from .sts_handlers import SERVICE, _caller, _sts

_ALLOWED_WEB = Decision(Verdict.ALLOW, rule="the token verified and the role's trust policy allows it")
_ALLOWED_FED = Decision(Verdict.ALLOW, rule="the caller's policies allow sts:GetFederationToken")


def register_federation_handlers(
    registry: HandlerRegistry,
    store: Store,
    world: Callable[[], World],
    vault: SessionVault,
    clock: Callable[[], datetime],
    rnd: RandomSource | None = None,
) -> None:
    keyring: Callable[[], Keyring] = lambda: vault.keyring  # noqa: E731

    def web_identity(ctx: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
        providers = ProviderDirectory(store.oidc_providers())
        result = _sts(lambda: assume_role_with_web_identity(world(), providers, params, clock, keyring(), rnd))
        note_decision("sts:AssumeRoleWithWebIdentity", params.get("RoleArn", ""), _ALLOWED_WEB)
        return result.to_api()

    def federation_token(ctx: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
        result = _sts(lambda: get_federation_token(world(), _caller(ctx), params, clock, keyring(), rnd))
        note_decision("sts:GetFederationToken", result.session.arn, _ALLOWED_FED)
        return result.to_api()

    registry.register(SERVICE, "AssumeRoleWithWebIdentity", web_identity)
    registry.register(SERVICE, "GetFederationToken", federation_token)
