"""Verifying an OIDC ID token for AssumeRoleWithWebIdentity (spec §4.5, §4.6).

A JWT is accepted only when, in this order (each step bounded; nothing before
the signature check trusts the token):

1. it is at most :data:`MAX_TOKEN_CHARS` characters (the STS model's bound) and
   has the three dot-separated parts of a JWS;
2. its header's ``alg`` is in :data:`ALLOWED_ALGORITHMS` (RS256/384/512,
   ES256/384/512, as AWS accepts): ``none`` and HMAC algorithms are refused;
3. its ``iss`` names an OIDC provider registered in the role's account;
4. its signature verifies (PyJWT + cryptography) under one of that provider's
   keys — the key named by ``kid`` or, without ``kid``, any key of the family;
5. ``exp`` is in the future and ``nbf``/``iat`` not too far ahead, against the
   clock passed in, with :data:`CLOCK_SKEW_SECONDS` of tolerance;
6. its ``aud`` (any value) or ``azp`` is one of the provider's client ids.

Refusals are :class:`StsError` with AWS's codes: ``InvalidIdentityToken`` (400)
for everything but expiry, which is ``ExpiredTokenException`` (400).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

import jwt
from jwt.exceptions import InvalidKeyError, PyJWKError, PyJWTError

from ..model.oidc_provider import OidcProvider, ProviderDirectory
from .clock import utc
from .errors import StsError

MAX_TOKEN_CHARS = 20000  # WebIdentityToken: min 4, max 20000 (STS model)
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
#: Tolerance on exp / nbf / iat. AWS does not document it; UNCONFIRMED
#: (docs/decisions/sts-web-identity-token.md). 0 would refuse a token a few seconds
#: after its exp; we accept none past exp and allow 5 minutes of issuer clock drift ahead.
EXPIRY_SKEW_SECONDS = 0
CLOCK_SKEW_SECONDS = 300

NOT_A_JWT = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
ALG_REFUSED = "The ID Token is signed with an algorithm AWS does not accept ({alg}); accepted: " + ", ".join(
    ALLOWED_ALGORITHMS)
NO_PROVIDER = "No OpenIDConnect provider found in your account for {iss}"
NO_KEY = "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements"  # noqa: E501
BAD_SIGNATURE = "The signature of the ID Token could not be verified with the provider's keys."
EXPIRED = "Token expired: current date/time {now} must be before the expiration date/time {exp}"
NOT_YET_VALID = "Token is not yet valid: current date/time {now} is before the not-before date/time {nbf}"
WRONG_AUDIENCE = "Incorrect token audience"
MISSING_CLAIM = "The ID Token is missing the required claim {claim!r}"


def invalid(message: str) -> StsError:
    return StsError("InvalidIdentityToken", message, 400)


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A token that passed every check: its provider, claims and the audience that matched."""

    provider: OidcProvider
    claims: Mapping[str, Any]
    audience: str
    algorithm: str

    @property
    def subject(self) -> str:
        return str(self.claims.get("sub", ""))

    @property
    def issuer(self) -> str:
        return str(self.claims.get("iss", ""))


def _unverified(token: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise invalid(NOT_A_JWT)
    if token.count(".") != 2:
        raise invalid(NOT_A_JWT)
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except (PyJWTError, ValueError, TypeError, json.JSONDecodeError):
        raise invalid(NOT_A_JWT) from None
    if not isinstance(header, Mapping) or not isinstance(claims, Mapping):
        raise invalid(NOT_A_JWT)
    return header, claims


def _family(alg: str) -> str:
    return "RSA" if alg.startswith("RS") else "EC"


def _candidate_keys(provider: OidcProvider, header: Mapping[str, Any], alg: str) -> list[Any]:
    kid = header.get("kid")
    out = []
    for k in provider.jwks:
        if k.get("kty") != _family(alg):
            continue
        if kid is not None and k.get("kid") != kid:
            continue
        if k.get("alg") not in (None, alg):
            continue
        try:
            out.append(jwt.PyJWK(dict(k), alg).key)
        except (PyJWKError, InvalidKeyError, ValueError, TypeError):
            continue  # an unusable key in the JWKS verifies nothing
    return out


def _epoch(v: Any, name: str) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise invalid(f"The ID Token claim {name!r} is not a number of seconds")
    return int(v)


def check_times(claims: Mapping[str, Any], now: datetime) -> None:
    """``exp`` required and in the future; ``nbf``/``iat`` not ahead of ``now`` + skew."""
    t = int(utc(now).timestamp())
    exp = _epoch(claims.get("exp"), "exp")
    if exp is None:
        raise invalid(MISSING_CLAIM.format(claim="exp"))
    if t >= exp + EXPIRY_SKEW_SECONDS:
        raise StsError("ExpiredTokenException", EXPIRED.format(now=t, exp=exp), 400)
    for name in ("nbf", "iat"):
        value = _epoch(claims.get(name), name)
        if value is not None and value > t + CLOCK_SKEW_SECONDS:
            raise invalid(NOT_YET_VALID.format(now=t, nbf=value))


def matched_audience(provider: OidcProvider, claims: Mapping[str, Any]) -> str:
    """The client id the token is for: an ``aud`` value or ``azp`` among the provider's client ids."""
    aud = claims.get("aud")
    values = [aud] if isinstance(aud, str) else [a for a in aud if isinstance(a, str)] if isinstance(aud, list) else []
    azp = claims.get("azp")
    if isinstance(azp, str):
        values.append(azp)
    for v in values:
        if v in provider.client_ids:
            return v
    raise invalid(WRONG_AUDIENCE)


def verify_web_identity_token(token: str, providers: ProviderDirectory, account: str,
                              now: datetime) -> VerifiedToken:
    """Verify ``token`` for a role in ``account`` at ``now`` (module doc), or raise :class:`StsError`."""
    header, unverified = _unverified(token)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALLOWED_ALGORITHMS:
        raise invalid(ALG_REFUSED.format(alg=alg))
    iss = unverified.get("iss")
    if not isinstance(iss, str) or not iss:
        raise invalid(MISSING_CLAIM.format(claim="iss"))
    provider = providers.find(account, iss)
    if provider is None:
        raise invalid(NO_PROVIDER.format(iss=iss))
    keys = _candidate_keys(provider, header, alg)
    if not keys:
        raise invalid(NO_KEY)
    claims: Mapping[str, Any] | None = None
    for key in keys:
        try:
            claims = jwt.decode(
                token, key, algorithms=[alg],
                # times and audience are checked below with the injected clock and IAM's client ids
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False,
                         "verify_iss": False},
            )
            break
        except PyJWTError:
            continue
    if claims is None:
        raise invalid(BAD_SIGNATURE)
    check_times(claims, now)
    if not isinstance(claims.get("sub"), str) or not claims.get("sub"):
        raise invalid(MISSING_CLAIM.format(claim="sub"))
    audience = matched_audience(provider, claims)
    return VerifiedToken(provider, claims, audience, alg)
