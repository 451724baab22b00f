"""Verify AWS Signature Version 4 on incoming requests (spec §6.3, §6.4).

Both forms are accepted: the ``Authorization`` header and the presigned query
string (``X-Amz-Algorithm``, ``X-Amz-Credential``, ``X-Amz-Date``,
``X-Amz-Expires``, ``X-Amz-SignedHeaders``, ``X-Amz-Signature``, optional
``X-Amz-Security-Token``).

The expected signature is recomputed with **botocore's own signer**
(:class:`botocore.auth.SigV4Auth` / :class:`botocore.auth.SigV4QueryAuth`) on an
:class:`botocore.awsrequest.AWSRequest` rebuilt from the incoming method, path,
query, signed headers and body, with the request's own ``X-Amz-Date`` pinned as
the signing timestamp. Only the signer's read-only steps are called
(canonical request, string to sign, signature) rather than ``add_auth``, which
would read the current time and rewrite the request. The one override makes the
signer use exactly the headers named in ``SignedHeaders`` (botocore would
otherwise pick headers itself and skip e.g. ``user-agent``). Signatures are
compared with :func:`hmac.compare_digest`.

Checks run in this order, and the first failure is the answer:

1. **parse** -- header/query syntax, credential scope shape, ``host`` signed,
   request time present and well-formed: ``IncompleteSignature`` (400);
   nothing at all: ``MissingAuthenticationToken`` (403);
2. **key lookup** through the injected :class:`CredentialResolver`:
   ``InvalidClientTokenId`` (403);
3. **expiry** of temporary credentials (resolver's ``expiration`` vs the
   injected clock, or raised by the resolver): ``ExpiredToken`` (403);
4. **clock skew** beyond 15 minutes: ``SignatureDoesNotMatch`` with AWS's
   ``Signature expired: ...`` / ``Signature not yet current: ...`` texts;
   presigned URLs past ``X-Amz-Date + X-Amz-Expires``: ``RequestExpired`` (400);
5. **signature** -- credential scope date == date of ``X-Amz-Date``, scope
   service == the service answering, payload hash header (if sent) == the body's
   hash, then the signature itself: ``SignatureDoesNotMatch`` (403).

AWS's own order between key lookup and skew is UNCONFIRMED (spec §6.3); this
order never reveals whether a key exists to a caller who cannot sign, beyond
what ``InvalidClientTokenId`` says anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Protocol

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

from iamwarden.policy.echo import echo
from iamwarden.server.errors import (
    ExpiredToken,
    IncompleteSignature,
    MissingAuthenticationToken,
    RequestExpired,
    SignatureDoesNotMatch,
)
from iamwarden.server.request import IncomingRequest

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = timedelta(minutes=15)
MAX_PRESIGN_EXPIRES = 604_800  # one week, in seconds
_MAX_EXPIRES_DIGITS = len(str(MAX_PRESIGN_EXPIRES))
_LATEST = datetime.max.replace(microsecond=0, tzinfo=UTC)
_EARLIEST = datetime.min.replace(tzinfo=UTC)
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_AMZ_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z", re.ASCII)

Clock = Callable[[], datetime]
"""Returns the current time as a timezone-aware datetime."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ResolvedCredential:
    """What the credential store knows about an access key.

    ``principal`` is opaque to the wire layer and handed to handlers unchanged.
    ``expiration`` (aware datetime) is set for temporary credentials; the
    verifier answers ``ExpiredToken`` once the clock passes it.
    """

    secret_access_key: str
    principal: object
    expiration: datetime | None = None


class CredentialResolver(Protocol):
    """Looks up the secret for an access key (the store implements this).

    Raise :class:`~iamwarden.server.errors.InvalidClientTokenId` for an unknown
    or disabled key, a missing/foreign session token, or an ``ASIA`` key without
    a token; raise :class:`~iamwarden.server.errors.ExpiredToken` for expired
    temporary credentials (or return their ``expiration`` and let the verifier
    decide).
    """

    def resolve(self, access_key_id: str, session_token: str | None) -> ResolvedCredential: ...


@dataclass(frozen=True, slots=True)
class SignatureParams:
    """The parsed signature of a request (step 1), before any check against keys."""

    access_key_id: str
    scope_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    request_time: datetime
    session_token: str | None
    presigned: bool
    expires: int | None = None


@dataclass(frozen=True, slots=True)
class Authentication:
    """A request whose signature verified: who signed it, where and when."""

    access_key_id: str
    session_token: str | None
    principal: object
    region: str
    service: str
    signed_at: datetime
    presigned: bool


# --- step 1: parse ----------------------------------------------------------------


def parse_signature(request: IncomingRequest) -> SignatureParams | None:
    """The request's SigV4 parameters, or ``None`` when it carries no signature.

    Raises :class:`IncompleteSignature` for a malformed signature.
    """
    authorization = request.header("authorization")
    query = dict(request.query_params)
    has_query_auth = "X-Amz-Algorithm" in query or "X-Amz-Signature" in query
    if authorization is not None and has_query_auth:
        raise IncompleteSignature(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter "
            "or the Authorization header should be specified"
        )
    if authorization is not None:
        return _parse_authorization_header(request, authorization)
    if has_query_auth:
        return _parse_query_auth(request, query)
    return None


def _parse_authorization_header(request: IncomingRequest, header: str) -> SignatureParams:
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignature(
            f"Unsupported AWS 'algorithm': '{echo(algorithm)}'. Expected '{ALGORITHM}'. "
            f"Authorization={echo(header)}"
        )
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields[name.strip()] = value.strip()
    missing = [f for f in ("Credential", "Signature", "SignedHeaders") if not fields.get(f)]
    amz_date = request.header("x-amz-date")
    date_header = request.header("date")
    problems = [f"Authorization header requires '{f}' parameter." for f in missing]
    if amz_date is None and date_header is None:
        problems.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if problems:
        raise IncompleteSignature(" ".join(problems) + f" Authorization={echo(header)}")
    access_key_id, scope_date, region, service = _parse_credential(fields["Credential"])
    signed_headers = _parse_signed_headers(fields["SignedHeaders"])
    raw_date, request_time = _parse_request_time(amz_date, date_header)
    return SignatureParams(
        access_key_id=access_key_id,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=signed_headers,
        signature=fields["Signature"],
        amz_date=raw_date,
        request_time=request_time,
        session_token=request.header("x-amz-security-token"),
        presigned=False,
    )


_QUERY_AUTH_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
)


def _parse_query_auth(request: IncomingRequest, query: Mapping[str, str]) -> SignatureParams:
    if any(not query.get(name) for name in _QUERY_AUTH_PARAMS):
        raise IncompleteSignature(
            "AWS query-string parameters must include "
            + ", ".join(f"'{name}'" for name in _QUERY_AUTH_PARAMS)
            + ". Re-examine the query-string parameters."
        )
    if query["X-Amz-Algorithm"] != ALGORITHM:
        raise IncompleteSignature(
            f"X-Amz-Algorithm only supports \"{ALGORITHM}\", got '{echo(query['X-Amz-Algorithm'])}'"
        )
    expires: int | None = None
    if "X-Amz-Expires" in query:
        raw_expires = query["X-Amz-Expires"]
        if not (raw_expires.isascii() and raw_expires.isdigit()):
            raise IncompleteSignature(f"X-Amz-Expires should be a number, got '{echo(raw_expires)}'")
        # digits are counted before conversion: int() of 4,301+ digits raises (issue 8)
        digits = raw_expires.lstrip("0")
        expires = int(digits or "0") if len(digits) <= _MAX_EXPIRES_DIGITS else MAX_PRESIGN_EXPIRES + 1
        if expires > MAX_PRESIGN_EXPIRES:
            raise IncompleteSignature(
                f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_PRESIGN_EXPIRES}"
            )
    access_key_id, scope_date, region, service = _parse_credential(query["X-Amz-Credential"])
    signed_headers = _parse_signed_headers(query["X-Amz-SignedHeaders"])
    raw_date, request_time = _parse_request_time(query["X-Amz-Date"], None)
    return SignatureParams(
        access_key_id=access_key_id,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=signed_headers,
        signature=query["X-Amz-Signature"],
        amz_date=raw_date,
        request_time=request_time,
        session_token=query.get("X-Amz-Security-Token"),
        presigned=True,
        expires=expires,
    )


def _parse_credential(credential: str) -> tuple[str, str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5 or not all(parts):
        raise IncompleteSignature(
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{echo(credential)}'"
        )
    access_key_id, scope_date, region, service, terminator = parts
    if terminator != "aws4_request":
        raise IncompleteSignature(
            f"Credential should be scoped with a valid terminator: 'aws4_request', not '{echo(terminator)}'."
        )
    return access_key_id, scope_date, region, service


def _parse_signed_headers(signed: str) -> tuple[str, ...]:
    names = tuple(name.strip().lower() for name in signed.split(";") if name.strip())
    if "host" not in names:
        raise IncompleteSignature(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        )
    return names


def _parse_request_time(amz_date: str | None, date_header: str | None) -> tuple[str, datetime]:
    """``(YYYYMMDD'T'HHMMSS'Z', aware datetime)`` from X-Amz-Date, else Date (§6.4 step 2)."""
    if amz_date is not None:
        match = _AMZ_DATE.fullmatch(amz_date)
        try:
            if match is None:
                raise ValueError(amz_date)
            year, month, day, hour, minute, second = (int(g) for g in match.groups())
            parsed = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            raise IncompleteSignature(
                f"Date must be in ISO-8601 'basic format'. Got '{echo(amz_date)}'. "
                "See http://en.wikipedia.org/wiki/ISO_8601"
            ) from None
        return amz_date, parsed
    assert date_header is not None
    try:
        parsed = parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError, OverflowError):
        raise IncompleteSignature(
            f"Date must be in RFC 1123 format. Got '{echo(date_header)}'."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError:
        # 31 Dec 9999 23:59 -0100 is a valid RFC 1123 date in year 10000 UTC, past
        # what datetime holds: clamp to the last (or first) representable moment,
        # so the skew check answers "not yet current" ("expired"), as AWS would.
        parsed = _LATEST if parsed.year > 1 else _EARLIEST
    return parsed.strftime(AMZ_DATE_FORMAT), parsed


# --- step 5: recompute with botocore ---------------------------------------------


class _SignedHeaderView:
    """The incoming headers restricted to SignedHeaders, in the two ways botocore's
    ``canonical_headers``/``signed_headers`` read them (iteration, ``get_all``)."""

    __slots__ = ("_incoming", "_names")

    def __init__(self, names: Sequence[str], incoming: Mapping[str, tuple[str, ...]]) -> None:
        self._names = names
        self._incoming = incoming

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def get_all(self, name: str) -> list[str]:
        return list(self._incoming.get(name, ()))


class _SignedHeadersOnly:
    """Mixin: canonicalise exactly the headers the client listed in SignedHeaders."""

    _signed: Sequence[str]
    _incoming: Mapping[str, tuple[str, ...]]

    def headers_to_sign(self, request: AWSRequest) -> _SignedHeaderView:
        return _SignedHeaderView(self._signed, self._incoming)


class _HeaderSignatureVerifier(_SignedHeadersOnly, SigV4Auth):
    def __init__(
        self,
        credentials: ReadOnlyCredentials,
        service: str,
        region: str,
        signed: Sequence[str],
        incoming: Mapping[str, tuple[str, ...]],
    ) -> None:
        SigV4Auth.__init__(self, credentials, service, region)
        self._signed = signed
        self._incoming = incoming


class _QuerySignatureVerifier(_SignedHeadersOnly, SigV4QueryAuth):
    def __init__(
        self,
        credentials: ReadOnlyCredentials,
        service: str,
        region: str,
        signed: Sequence[str],
        incoming: Mapping[str, tuple[str, ...]],
    ) -> None:
        SigV4QueryAuth.__init__(self, credentials, service, region)
        self._signed = signed
        self._incoming = incoming


@dataclass(frozen=True, slots=True)
class SigningMaterial:
    """The intermediate SigV4 values for a request (for diagnostics and tests)."""

    canonical_request: str
    string_to_sign: str
    signature: str


def signing_material(
    request: IncomingRequest, params: SignatureParams, secret_access_key: str
) -> SigningMaterial:
    """Recompute the canonical request, string to sign and signature (spec §6.4 3-5)."""
    credentials = ReadOnlyCredentials(params.access_key_id, secret_access_key, params.session_token)
    signer_class = _QuerySignatureVerifier if params.presigned else _HeaderSignatureVerifier
    signer = signer_class(
        credentials, params.service, params.region, params.signed_headers, request.headers
    )
    query_params = [
        (name, value)
        for name, value in request.query_params
        if not (params.presigned and name == "X-Amz-Signature")
    ]
    host = request.header("host") or "localhost"
    scheme = "https" if request.secure_transport else "http"
    # The payload hash is handed to botocore's signer the way it honours a
    # client-sent X-Amz-Content-SHA256 (canonical_request reads that header);
    # for IAM/STS it is always the SHA-256 of the body (checked in verify), and
    # this skips AWSRequest.prepare(), half the cost of a verification.
    payload_hash = (
        request.header("x-amz-content-sha256") or hashlib.sha256(request.body).hexdigest()
    )
    aws_request = AWSRequest(
        method=request.method,
        url=f"{scheme}://{host}{request.path}",
        headers={"X-Amz-Content-SHA256": payload_hash},
        params=query_params,
    )
    aws_request.context["timestamp"] = params.amz_date
    canonical = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical)
    key = signing_key(secret_access_key, params.amz_date[:8], params.region, params.service)
    signature = hmac.digest(key, string_to_sign.encode("utf-8"), "sha256").hex()
    return SigningMaterial(canonical, string_to_sign, signature)


_SIGNING_KEYS: dict[tuple[str, str, str, str], bytes] = {}
_SIGNING_KEYS_MAX = 10_000


def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    """The SigV4 signing key, HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service),
    "aws4_request") -- the same chain as botocore's ``SigV4Auth.signature`` -- cached
    per (secret, date, region, service): it changes once a day per key, while
    the chain costs four HMACs per request."""
    cache_key = (secret_access_key, date, region, service)
    key = _SIGNING_KEYS.get(cache_key)
    if key is None:
        key = f"AWS4{secret_access_key}".encode()
        for part in (date, region, service, "aws4_request"):
            key = hmac.digest(key, part.encode("utf-8"), "sha256")
        if len(_SIGNING_KEYS) >= _SIGNING_KEYS_MAX:
            _SIGNING_KEYS.clear()
        _SIGNING_KEYS[cache_key] = key
    return key


# --- steps 2-5 ---------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(AMZ_DATE_FORMAT)


class SigV4Verifier:
    """Authenticates requests: parse, key lookup, expiry, skew, signature.

    ``resolver`` finds secrets (and principals); ``clock`` is the time source
    (no hidden ``datetime.now``), so expiry and skew are testable.
    """

    def __init__(
        self,
        resolver: CredentialResolver,
        clock: Clock = utc_now,
        max_skew: timedelta = MAX_SKEW,
        regions: frozenset[str] | None = None,
    ) -> None:
        self._resolver = resolver
        self._clock = clock
        self._max_skew = max_skew
        #: the regions this endpoint serves; None: any (docs/endpoint.md "Regions")
        self._regions = regions

    def verify(
        self,
        request: IncomingRequest,
        params: SignatureParams | None = None,
        expected_service: str | None = None,
    ) -> Authentication:
        """Verify the request's signature or raise the AWS error for the first failure.

        ``params`` may be passed when the caller already parsed them (to pick the
        service from the credential scope); ``expected_service`` is the signing
        name of the service answering (``sts``/``iam``).
        """
        if params is None:
            params = parse_signature(request)
        if params is None:
            raise MissingAuthenticationToken()
        # 2. key lookup (raises InvalidClientTokenId / ExpiredToken)
        credential = self._resolver.resolve(params.access_key_id, params.session_token)
        now = self._clock()
        # 3. expiry
        if credential.expiration is not None and now >= credential.expiration:
            raise ExpiredToken()
        # 4. skew
        self._check_time(params, now)
        # 5. signature
        if params.scope_date != params.amz_date[:8]:
            raise SignatureDoesNotMatch(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                f"from HTTP: '{echo(params.scope_date)}' != '{params.amz_date[:8]}', "
                f"from '{params.amz_date}'."
            )
        if expected_service is not None and params.service != expected_service:
            raise SignatureDoesNotMatch(
                f"Credential should be scoped to correct service: '{expected_service}'. "
            )
        if self._regions is not None and params.region not in self._regions:
            # AWS's text, trailing space included (STS raw XML, spec §6.3)
            raise SignatureDoesNotMatch(f"Credential should be scoped to a valid region, not '{echo(params.region)}'. ")
        self._check_payload_hash(request)
        expected = signing_material(request, params, credential.secret_access_key).signature
        if not hmac.compare_digest(expected.encode("ascii"), params.signature.encode("utf-8")):
            raise SignatureDoesNotMatch()
        return Authentication(
            access_key_id=params.access_key_id,
            session_token=params.session_token,
            principal=credential.principal,
            region=params.region,
            service=params.service,
            signed_at=params.request_time,
            presigned=params.presigned,
        )

    def _check_time(self, params: SignatureParams, now: datetime) -> None:
        signed_at = params.request_time
        if signed_at > now + self._max_skew:
            raise SignatureDoesNotMatch(
                f"Signature not yet current: {params.amz_date} is still later than "
                f"{_stamp(now + self._max_skew)} ({_stamp(now)} + {self._minutes()} min.)"
            )
        if params.presigned and params.expires is not None:
            if now - signed_at > timedelta(seconds=params.expires):  # no overflow near year 9999
                raise RequestExpired(
                    f"Request has expired. X-Amz-Date: {params.amz_date}, "
                    f"X-Amz-Expires: {params.expires}, now: {_stamp(now)}."
                )
            return
        if signed_at < now - self._max_skew:
            raise SignatureDoesNotMatch(
                f"Signature expired: {params.amz_date} is now earlier than "
                f"{_stamp(now - self._max_skew)} ({_stamp(now)} - {self._minutes()} min.)"
            )

    def _minutes(self) -> int:
        return int(self._max_skew.total_seconds() // 60)

    @staticmethod
    def _check_payload_hash(request: IncomingRequest) -> None:
        """A sent ``X-Amz-Content-SHA256`` must be the body's hash.

        botocore's signer uses that header verbatim as the payload hash (spec
        §6.4 step 3); without this check a client could sign
        ``UNSIGNED-PAYLOAD`` and have the body altered in transit. IAM and STS
        have no unsigned-payload mode.
        """
        claimed = request.header("x-amz-content-sha256")
        if claimed is not None and claimed != hashlib.sha256(request.body).hexdigest():
            raise SignatureDoesNotMatch(
                "The provided 'x-amz-content-sha256' header does not match what was computed."
            )
