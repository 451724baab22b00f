"""GetSessionToken (spec §4.6): temporary credentials for a long-term user or root."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..model.account import World
from ..model.principal import PrincipalType
from . import rules
from .assume_role import MfaVerifier
from .caller import CallerLike, resolve_caller
from .clock import Clock, RandomSource, SecretsRandom, utc
from .credentials import Credentials
from .directory import Directory, as_directory
from .errors import access_denied
from .params import GetSessionTokenParams, validate_get_session_token
from .session import Session, UserSession
from .session_binding import require_bound
from .session_claims import seal_session
from .tokens import Keyring


@dataclass(frozen=True, slots=True)
class GetSessionTokenResult:
    credentials: Credentials
    session: UserSession

    def to_api(self) -> dict[str, Any]:
        return {"Credentials": self.credentials.to_api()}


def session_token_duration(requested: int | None, root: bool) -> int:
    """Default 43200; root capped at 3600 by clamping, not an error (spec §4.6)."""
    d = requested if requested is not None else rules.SESSION_TOKEN_DEFAULT_DURATION
    return min(d, rules.ROOT_SESSION_TOKEN_DURATION_MAX) if root else d


def get_session_token(
    source: World | Directory,
    caller: CallerLike,
    params: GetSessionTokenParams | dict[str, Any],
    clock: Clock,
    keyring: Keyring,
    rnd: RandomSource | None = None,
    mfa_verifier: MfaVerifier | None = None,
) -> GetSessionTokenResult:
    """Long-term credentials only: session credentials ⇒ ``AccessDenied`` (spec §4.6)."""
    directory = as_directory(source)
    p = params if isinstance(params, GetSessionTokenParams) else GetSessionTokenParams.from_api(params)
    validate_get_session_token(p)
    if isinstance(caller, (Session, UserSession)):
        require_bound(directory, caller, "sts:GetSessionToken", "*")
    now = utc(clock())
    info = resolve_caller(directory, caller, now)
    if info.temporary:
        raise access_denied(rules.SESSION_TOKEN_WITH_SESSION)
    t = info.caller.type
    if t not in (PrincipalType.USER, PrincipalType.ROOT):
        raise access_denied(rules.SESSION_TOKEN_WITH_SESSION)
    if p.with_mfa and mfa_verifier is not None and not mfa_verifier(p.serial_number or "", p.token_code or ""):
        raise access_denied(rules.MFA_FAILED)
    root = t is PrincipalType.ROOT
    expires = now + timedelta(seconds=session_token_duration(p.duration_seconds, root))
    session = UserSession(
        principal_arn=info.caller.arn,
        unique_id=(info.caller.account or "") if root else (info.caller.unique_id or ""),
        account=info.caller.account or "",
        issued=now,
        expires=expires,
        mfa=p.with_mfa,
        mfa_time=now if p.with_mfa else None,
        user_tags=dict(info.tags),
    )
    credentials, sealed = seal_session(keyring, session, rnd or SecretsRandom())
    assert isinstance(sealed, UserSession)
    return GetSessionTokenResult(credentials, sealed)
