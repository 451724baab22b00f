"""STS as a library: AssumeRole, GetSessionToken, GetCallerIdentity, sessions and tokens (spec §4).

Pure: the clock, randomness, token keys and the account directory are passed
in. Errors are :class:`StsError` (code, message, status) for the server to
render.
"""

from .assume_role import AssumeRoleResult, assume_role
from .caller import CallerInfo, UnknownCaller, resolve_caller
from .clock import Clock, ManualClock, RandomSource, SecretsRandom, SeededRandom
from .credentials import Credentials
from .directory import Directory, WorldDirectory, as_directory
from .errors import (
    StsError,
    TokenError,
    TokenExpired,
    TokenKeyUnknown,
    TokenMalformed,
    TokenMismatch,
    TokenTampered,
    TokenTooLarge,
)
from .evaluate import session_context, session_decide
from .identity import CallerIdentity, get_caller_identity
from .params import AssumeRoleParams, GetSessionTokenParams, Tag
from .saml import AssumeRoleWithSamlParams, AssumeRoleWithSamlResult, assume_role_with_saml
from .session import Session, SessionTag, UserSession
from .session_binding import UNBOUND_SESSION_REFUSAL, unbound_reason
from .session_claims import open_session, seal_session
from .session_token import GetSessionTokenResult, get_session_token
from .tokens import MAX_TOKEN_CHARS, IssuedToken, Keyring, TokenClaims, issue_token, read_token, verify_token

__all__ = [
    "MAX_TOKEN_CHARS",
    "UNBOUND_SESSION_REFUSAL",
    "AssumeRoleParams",
    "AssumeRoleResult",
    "AssumeRoleWithSamlParams",
    "AssumeRoleWithSamlResult",
    "CallerIdentity",
    "CallerInfo",
    "Clock",
    "Credentials",
    "Directory",
    "GetSessionTokenParams",
    "GetSessionTokenResult",
    "IssuedToken",
    "Keyring",
    "ManualClock",
    "RandomSource",
    "SecretsRandom",
    "SeededRandom",
    "Session",
    "SessionTag",
    "StsError",
    "Tag",
    "TokenClaims",
    "TokenError",
    "TokenExpired",
    "TokenKeyUnknown",
    "TokenMalformed",
    "TokenMismatch",
    "TokenTampered",
    "TokenTooLarge",
    "UnknownCaller",
    "UserSession",
    "WorldDirectory",
    "as_directory",
    "assume_role",
    "assume_role_with_saml",
    "get_caller_identity",
    "get_session_token",
    "issue_token",
    "open_session",
    "read_token",
    "resolve_caller",
    "seal_session",
    "session_context",
    "session_decide",
    "unbound_reason",
    "verify_token",
]
