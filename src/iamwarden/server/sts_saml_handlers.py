"""AssumeRoleWithSAML over the wire (spec §4.6): unsigned, as in AWS.

The request carries no credentials (botocore's model marks it ``auth: none``;
boto3 sends no ``Authorization`` header). The handler hands the parameters to
:func:`iamwarden.sts.saml.assume_role_with_saml` with the store's SAML
providers as the look-up and maps ``StsError`` to AWS's error XML. Nothing is
stored: the session travels in its token, like every AssumeRole session.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping

from ..evaluation.decision import Decision, Verdict
from ..model.account import World
from ..store import Store
from ..sts import Keyring, RandomSource, StsError
from ..sts.saml import ASSUME_ROLE_WITH_SAML, assume_role_with_saml
from .access_log import note_decision
from .authorization import request_keys
from .dispatch import HandlerRegistry
from .errors import AwsError
from .request import RequestContext

_ALLOWED = Decision(Verdict.ALLOW, rule="the verified SAML assertion and the role's trust policy allow it")


def register_saml_handlers(
    registry: HandlerRegistry,
    store: Store,
    world: Callable[[], World],
    keyring: Callable[[], Keyring],
    clock: Callable[[], datetime],
    rnd: RandomSource | None = None,
) -> None:
    def assume_with_saml(ctx: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
        try:
            keys = request_keys(ctx)
            keys.pop("aws:RequestedRegion", None)  # an unsigned request names no region
            result = assume_role_with_saml(world(), params, clock, keyring(), store.saml_provider, rnd, keys)
        except StsError as e:
            if e.decision is not None:
                note_decision(*e.decision)
            raise AwsError(e.code, e.message, e.status) from None
        note_decision(ASSUME_ROLE_WITH_SAML, params.get("RoleArn", ""), _ALLOWED)
        return result.to_api()

    registry.register("sts", "AssumeRoleWithSAML", assume_with_saml)
