"""AssumeRoleWithSAML as a pure library operation (spec §1.4, §1.6, §3.3, §3.4, §4.5, §4.6).

The steps, in order:

1. the request's model constraints (botocore's STS model: ``RoleArn`` and
   ``PrincipalArn`` 20-2048, ``SAMLAssertion`` 4-100000, ``Policy`` at most
   2048, ``PolicyArns`` at most 10, ``DurationSeconds`` 900-43200) →
   ``ValidationError``;
2. the SAML provider ``PrincipalArn`` names must exist (:data:`UNKNOWN_PROVIDER_CODE`);
3. the response is verified and read (:mod:`.saml_assertion`: signature,
   wrapping defence, issuer, recipient, audience, times);
4. the ``Role`` attribute must list the requested role *and* this provider
   (either order in each value, as AWS accepts), else ``AccessDenied``;
5. ``RoleSessionName`` (required), ``SessionDuration``, ``PrincipalTag:*``,
   ``TransitiveTagKeys`` and ``SourceIdentity`` attributes, each checked with
   AWS's troubleshooting texts (``InvalidIdentityToken``);
6. session policies (``MalformedPolicyDocument``), then the role's trust
   policy decides ``sts:AssumeRoleWithSAML`` -- plus ``sts:TagSession`` when
   the assertion carries tags and ``sts:SetSourceIdentity`` when it sets a
   source identity -- for the caller ``{"Federated": provider ARN}`` with the
   ``saml:*`` keys of §3.4 (:func:`saml_context`);
7. duration (the role's MaxSessionDuration, then capped by the assertion's
   ``SessionNotOnOrAfter``), packed size, credentials.

The session is an ordinary role :class:`~.session.Session`: the engine
evaluates it later like any AssumeRole session. Nothing here does I/O; the
clock, randomness and token keys come from the caller.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

from ..evaluation.authorizer import authorize
from ..evaluation.context import entity_tag_keys
from ..evaluation.decision import Decision, Reason, Verdict
from ..evaluation.policyset import PolicySet
from ..evaluation.request import Request
from ..model.account import AccountError, Role, World
from ..model.principal import Caller, PrincipalType
from ..model.saml_provider import SamlProvider
from ..policy.document import Policy
from . import rules
from .assume_role import resolve_session_policies
from .authorization import find_role
from .clock import Clock, RandomSource, SecretsRandom, iso8601, utc
from .credentials import Credentials
from .directory import Directory, as_directory
from .errors import StsError, access_denied
from .packing import check_packed_size, packed_size
from .params import (
    P_ARN,
    P_POLICY,
    AssumeRoleParams,
    _arn_text_ok,
    _duration,
    _policy_text_ok,
    _Problems,
    _tag_text_ok,
)
from .saml_assertion import SamlAssertion, invalid, read_assertion
from .saml_xml import SAML_ASSERTION_MAX_CHARS, SAML_ASSERTION_MIN_CHARS
from .session import Session, SessionTag
from .session_claims import seal_session
from .tokens import Keyring

ASSUME_ROLE_WITH_SAML = "sts:AssumeRoleWithSAML"
TAG_SESSION = "sts:TagSession"
SET_SOURCE_IDENTITY = "sts:SetSourceIdentity"

ATTRIBUTES = "https://aws.amazon.com/SAML/Attributes/"
ROLE_ATTRIBUTE = ATTRIBUTES + "Role"
ROLE_SESSION_NAME_ATTRIBUTE = ATTRIBUTES + "RoleSessionName"
SESSION_DURATION_ATTRIBUTE = ATTRIBUTES + "SessionDuration"
PRINCIPAL_TAG_PREFIX = ATTRIBUTES + "PrincipalTag:"
TRANSITIVE_TAG_KEYS_ATTRIBUTE = ATTRIBUTES + "TransitiveTagKeys"
SOURCE_IDENTITY_ATTRIBUTE = ATTRIBUTES + "SourceIdentity"

#: ``SubjectType`` drops this prefix of the NameID Format [DOC: AssumeRoleWithSAML response]
NAMEID_FORMAT_PREFIX = "urn:oasis:names:tc:SAML:2.0:nameid-format:"
#: SAML's default NameID Format, when the NameID has none
UNSPECIFIED_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
#: botocore's model: Policy at most 2048 characters for the AssumeRole* variants (spec §4.1)
POLICY_MAX_CHARS = 2048

#: UNCONFIRMED (docs/decisions/sts-saml-signatures.md): the code for a PrincipalArn that names no
#: SAML provider of the account; the troubleshooting page gives only the text.
UNKNOWN_PROVIDER_CODE = "InvalidIdentityToken"
UNKNOWN_PROVIDER = "Specified provider doesn't exist"
#: UNCONFIRMED: the ``SessionDuration`` attribute sets the console session length [DOC]; the API
#: reference bounds API sessions by DurationSeconds and SessionNotOnOrAfter only. True would make
#: the attribute the default duration when DurationSeconds is omitted.
SESSION_DURATION_ATTRIBUTE_SETS_API_DURATION = False

NOT_AUTHORIZED = "Not authorized to perform {action}"  # [DOC troubleshooting, 403 AccessDenied]
SESSION_NAME_REQUIRED = "RoleSessionName is required in AuthnResponse"  # [DOC]
SESSION_NAME_PATTERN = "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"  # [DOC]
SOURCE_IDENTITY_PATTERN = 'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"'  # [DOC]
_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{2,64}")
_DURATION = re.compile(r"[0-9]{1,6}")
MAX_SESSION_TAGS = 50

#: Condition keys AWS fills from well-known attributes (IAM User Guide, "Available keys for
#: SAML-based AWS STS federation"): key -> attribute Name (the OID form), and whether multivalued.
ATTRIBUTE_KEYS: dict[str, tuple[str, bool]] = {
    "saml:cn": ("urn:oid:2.5.4.3", False),
    "saml:commonName": ("urn:oid:2.5.4.3", False),
    "saml:edupersonaffiliation": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", True),
    "saml:edupersonnickname": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.2", True),
    "saml:edupersonorgdn": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.3", False),
    "saml:edupersonorgunitdn": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.4", True),
    "saml:edupersonprimaryaffiliation": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.5", False),
    "saml:edupersonprincipalname": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.6", False),
    "saml:edupersonentitlement": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.7", True),
    "saml:edupersonprimaryorgunitdn": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.8", False),
    "saml:edupersonscopedaffiliation": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.9", True),
    "saml:edupersontargetedid": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.10", True),
    "saml:edupersonassurance": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.11", True),
    "saml:givenName": ("urn:oid:2.5.4.42", False),
    "saml:mail": ("urn:oid:0.9.2342.19200300.100.1.3", False),
    "saml:name": ("urn:oid:2.5.4.41", False),
    "saml:surname": ("urn:oid:2.5.4.4", False),
    "saml:uid": ("urn:oid:0.9.2342.19200300.100.1.1", False),
    "saml:x500UniqueIdentifier": ("urn:oid:2.5.4.45", False),
}

#: ``provider ARN -> SamlProvider`` (a mapping, or a look-up function)
Providers = Mapping[str, SamlProvider] | Callable[[str], "SamlProvider | None"]


@dataclass(frozen=True, slots=True)
class AssumeRoleWithSamlParams:
    """The AssumeRoleWithSAML request (spec §4.6). ``from_api`` reads boto3's parameter names."""

    role_arn: str | None
    principal_arn: str | None
    saml_assertion: str | None
    policy: str | None = None
    policy_arns: tuple[str, ...] = ()
    duration_seconds: int | None = None

    @classmethod
    def from_api(cls, p: Mapping[str, Any]) -> AssumeRoleWithSamlParams:
        return cls(
            role_arn=p.get("RoleArn"),
            principal_arn=p.get("PrincipalArn"),
            saml_assertion=p.get("SAMLAssertion"),
            policy=p.get("Policy"),
            policy_arns=tuple(
                (a.get("arn") or a.get("Arn") or "") if isinstance(a, Mapping) else str(a)
                for a in p.get("PolicyArns") or ()
            ),
            duration_seconds=_duration(p.get("DurationSeconds")),
        )


def validate_params(p: AssumeRoleWithSamlParams) -> None:
    """Model constraints in model member order, every violation listed (spec §4.2 step 2 wording)."""
    v = _Problems()
    if v.required(p.role_arn, "roleArn"):
        v.string(p.role_arn, "roleArn", 20, 2048, _arn_text_ok, P_ARN)
    if v.required(p.principal_arn, "principalArn"):
        v.string(p.principal_arn, "principalArn", 20, 2048, _arn_text_ok, P_ARN)
    if v.required(p.saml_assertion, "sAMLAssertion"):
        v.string(p.saml_assertion, "sAMLAssertion", SAML_ASSERTION_MIN_CHARS, SAML_ASSERTION_MAX_CHARS, None, None)
    if p.policy_arns:
        v.length(p.policy_arns, "policyArns", None, rules.MAX_POLICY_ARNS)
        for i, arn in enumerate(p.policy_arns, 1):
            v.string(arn, f"policyArns.{i}.member.arn", 20, 2048, _arn_text_ok, P_ARN)
    v.string(p.policy, "policy", 1, POLICY_MAX_CHARS, _policy_text_ok, P_POLICY)
    v.integer(p.duration_seconds, "durationSeconds", rules.DURATION_MIN, rules.ASSUME_ROLE_DURATION_MAX)
    v.raise_if_any()


# -- what the assertion grants ------------------------------------------------------


def role_pairs(assertion: SamlAssertion) -> tuple[tuple[str, str], ...]:
    """``(role ARN, provider ARN)`` pairs of the Role attribute; each value is ``a,b`` in either order."""
    out = []
    for value in assertion.values(ROLE_ATTRIBUTE):
        parts = [x.strip() for x in value.split(",")]
        if len(parts) != 2:
            continue
        a, b = parts
        if ":saml-provider/" in a and ":role/" in b:
            a, b = b, a
        out.append((a, b))
    return tuple(out)


def check_role_pair(assertion: SamlAssertion, role_arn: str, provider_arn: str) -> None:
    """The assertion must map the user to this role *through this provider*, else AccessDenied [DOC]."""
    if (role_arn, provider_arn) not in role_pairs(assertion):
        raise access_denied(NOT_AUTHORIZED.format(action=ASSUME_ROLE_WITH_SAML))


def session_name(assertion: SamlAssertion) -> str:
    values = assertion.values(ROLE_SESSION_NAME_ATTRIBUTE)
    if not values:
        raise invalid(SESSION_NAME_REQUIRED)
    if len(values) != 1 or not _NAME.fullmatch(values[0]):
        raise invalid(SESSION_NAME_PATTERN)
    return values[0]


def session_duration_attribute(assertion: SamlAssertion) -> int | None:
    values = assertion.values(SESSION_DURATION_ATTRIBUTE)
    if not values:
        return None
    if len(values) != 1 or not _DURATION.fullmatch(values[0]) or not (
        rules.DURATION_MIN <= int(values[0]) <= rules.ASSUME_ROLE_DURATION_MAX
    ):
        raise invalid(f"SessionDuration in AuthnResponse must be an integer from {rules.DURATION_MIN} to "
                      f"{rules.ASSUME_ROLE_DURATION_MAX}")
    return int(values[0])


def session_tags(assertion: SamlAssertion) -> tuple[SessionTag, ...]:
    """``PrincipalTag:KEY`` attributes (one value each), marked transitive by ``TransitiveTagKeys``."""
    tags: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, values in assertion.attributes.items():
        if not name.startswith(PRINCIPAL_TAG_PREFIX):
            continue
        key = name[len(PRINCIPAL_TAG_PREFIX):]
        if not 1 <= len(key) <= 128 or not _tag_text_ok(key) or key.lower().startswith("aws:"):
            raise invalid(f"PrincipalTag key {key[:128]!r} in AuthnResponse is not a valid session tag key")
        if len(values) != 1:
            raise invalid(f"PrincipalTag:{key} in AuthnResponse must have exactly one value")
        if len(values[0]) > 256 or not _tag_text_ok(values[0]):
            raise invalid(f"PrincipalTag:{key} in AuthnResponse has a value that is not a valid session tag value")
        if key.lower() in seen:
            raise invalid(f"PrincipalTag:{key} in AuthnResponse is given twice (tag keys are case-insensitive)")
        seen.add(key.lower())
        tags.append((key, values[0]))
    if len(tags) > MAX_SESSION_TAGS:
        raise invalid(f"AuthnResponse carries {len(tags)} session tags; at most {MAX_SESSION_TAGS} are allowed")
    transitive = {k.lower() for k in assertion.values(TRANSITIVE_TAG_KEYS_ATTRIBUTE)}
    unknown = sorted(transitive - seen)
    if unknown:
        raise invalid(f"TransitiveTagKeys in AuthnResponse name keys that are not session tags: {unknown[0][:128]}")
    return tuple(SessionTag(k, v, k.lower() in transitive) for k, v in tags)


def source_identity(assertion: SamlAssertion) -> str | None:
    values = assertion.values(SOURCE_IDENTITY_ATTRIBUTE)
    if not values:
        return None
    if len(values) != 1 or not _NAME.fullmatch(values[0]) or values[0].lower().startswith("aws:"):
        raise invalid(SOURCE_IDENTITY_PATTERN)
    return values[0]


def subject_type(fmt: str | None) -> str:
    """``SubjectType`` (response): the Format with the SAML 2.0 nameid-format prefix removed [DOC]."""
    f = fmt or UNSPECIFIED_FORMAT
    return f[len(NAMEID_FORMAT_PREFIX):] if f.startswith(NAMEID_FORMAT_PREFIX) else f


def sub_type_key(fmt: str | None) -> str:
    """``saml:sub_type``: ``persistent``, ``transient``, or the full Format URI [DOC]."""
    f = fmt or UNSPECIFIED_FORMAT
    if f in (NAMEID_FORMAT_PREFIX + "persistent", NAMEID_FORMAT_PREFIX + "transient"):
        return f[len(NAMEID_FORMAT_PREFIX):]
    return f


def name_qualifier(issuer: str, provider: SamlProvider) -> str:
    """``BASE64(SHA1(issuer + account id + "/" + provider name))`` [DOC: AssumeRoleWithSAML response]."""
    digest = hashlib.sha1(f"{issuer}{provider.account}/{provider.name}".encode()).digest()  # noqa: S324
    return base64.b64encode(digest).decode()


def saml_keys(assertion: SamlAssertion, provider: SamlProvider) -> dict[str, Any]:
    """The ``saml:*`` condition keys of spec §3.4 (AWS spells them case-insensitively)."""
    keys: dict[str, Any] = {
        "saml:aud": assertion.recipient,
        "saml:iss": assertion.issuer,
        "saml:sub": assertion.subject,
        "saml:sub_type": sub_type_key(assertion.subject_format),
        "saml:doc": f"{provider.account}/{provider.name}",
        "saml:namequalifier": name_qualifier(assertion.issuer, provider),
    }
    for key, (attribute, multi) in ATTRIBUTE_KEYS.items():
        values = assertion.values(attribute)
        if values:
            keys[key] = list(values) if multi or len(values) > 1 else values[0]
    return keys


def saml_context(assertion: SamlAssertion, provider: SamlProvider, role: Role | None, name: str,
                 tags: tuple[SessionTag, ...], source_id: str | None, now: datetime) -> dict[str, Any]:
    """Every condition key of the trust-policy evaluation (spec §3.2-§3.4)."""
    t = utc(now)
    ctx: dict[str, Any] = {
        "aws:CurrentTime": iso8601(t),
        "aws:EpochTime": str(int(t.timestamp())),
        "aws:FederatedProvider": provider.arn,
        "sts:RoleSessionName": name,
    }
    ctx.update(saml_keys(assertion, provider))
    if source_id is not None:
        ctx["sts:SourceIdentity"] = source_id
        ctx["aws:SourceIdentity"] = source_id
    transitive = [x.key for x in tags if x.transitive]
    if transitive:
        ctx["sts:TransitiveTagKeys"] = transitive
    if tags:
        for x in tags:
            ctx[f"aws:RequestTag/{x.key}"] = x.value
        ctx["aws:TagKeys"] = [x.key for x in tags]
    if role is not None:
        ctx.update(entity_tag_keys(role.tags))
    return ctx


def federated_caller(provider_arn: str) -> Caller:
    """The request principal: the provider itself, matched by ``{"Federated": ARN}`` (spec §1.4).

    An unsigned request has no AWS identity: the engine treats it as a
    principal only a resource (trust) policy can allow, with no identity,
    boundary or session policies and no SCPs (§1.9).
    """
    return Caller(PrincipalType.ANONYMOUS, provider_arn, None, name=provider_arn)


@dataclass(frozen=True, slots=True)
class SamlDecision:
    action: str
    request: Request
    policies: PolicySet
    decision: Decision


def authorize_saml(directory: Directory, provider_arn: str, role_arn: str, role: Role | None,
                   ctx: Mapping[str, Any], tags: bool, source_id: bool,
                   stop_at_first_deny: bool = True) -> list[SamlDecision]:
    """The trust policy decides each needed action for the federated caller (spec §1.6, §3.3)."""
    caller = federated_caller(provider_arn)
    actions = [ASSUME_ROLE_WITH_SAML] + ([TAG_SESSION] if tags else []) + ([SET_SOURCE_IDENTITY] if source_id else [])
    out: list[SamlDecision] = []
    for action in actions:
        req = Request.build(caller, action, role_arn, dict(ctx), derive_keys=False)
        try:
            ps = directory.policies_for(caller, role_arn, action)
        except AccountError as e:  # account data incomplete: fail closed
            d = Decision(Verdict.IMPLICIT_DENY, (Reason("error", "account data incomplete; denied"),),
                         (str(e),), "error")
            out.append(SamlDecision(action, req, PolicySet(), d))
            break
        ps = ps.replace(resource=role.trust if role is not None else None)
        d = authorize(req, ps)
        out.append(SamlDecision(action, req, ps, d))
        if stop_at_first_deny and not d.allowed:
            break
    return out


# -- the operation ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssumeRoleWithSamlResult:
    """The AssumeRoleWithSAML response (botocore's shape) and the session behind it."""

    credentials: Credentials
    session: Session
    assertion: SamlAssertion
    provider: SamlProvider
    packed_policy_size: int | None = None

    @property
    def name_qualifier(self) -> str:
        return name_qualifier(self.assertion.issuer, self.provider)

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Credentials": self.credentials.to_api(),
            "AssumedRoleUser": {"Arn": self.session.arn, "AssumedRoleId": self.session.assumed_role_id},
            "Subject": self.assertion.subject,
            "SubjectType": subject_type(self.assertion.subject_format),
            "Issuer": self.assertion.issuer,
            "Audience": self.assertion.recipient,
            "NameQualifier": self.name_qualifier,
        }
        if self.packed_policy_size is not None:
            out["PackedPolicySize"] = self.packed_policy_size
        if self.session.source_identity is not None:
            out["SourceIdentity"] = self.session.source_identity
        return out


def _provider(providers: Providers, arn: str) -> SamlProvider | None:
    found = providers(arn) if callable(providers) else providers.get(arn)
    return found if isinstance(found, SamlProvider) else None


def providers_of(world: World) -> dict[str, SamlProvider]:
    """Every SAML provider of a loaded world's accounts, by ARN."""
    out: dict[str, SamlProvider] = {}
    for account in world.accounts.values():
        out.update(account.saml_providers)
    return out


@dataclass(frozen=True, slots=True)
class SamlFacts:
    """Steps 1-5 done: what the verified assertion grants (used by explain too)."""

    params: AssumeRoleWithSamlParams
    provider: SamlProvider
    assertion: SamlAssertion
    session_name: str
    tags: tuple[SessionTag, ...]
    source_identity: str | None
    duration_attribute: int | None


def read_request(params: AssumeRoleWithSamlParams | Mapping[str, Any], providers: Providers,
                 now: datetime, check_pair: bool = True) -> SamlFacts:
    """Steps 1-5: validate, find the provider, verify the assertion, read what it grants."""
    p = params if isinstance(params, AssumeRoleWithSamlParams) else AssumeRoleWithSamlParams.from_api(params)
    validate_params(p)
    assert p.role_arn is not None and p.principal_arn is not None and p.saml_assertion is not None
    provider = _provider(providers, p.principal_arn)
    if provider is None:
        raise StsError(UNKNOWN_PROVIDER_CODE, UNKNOWN_PROVIDER, 400)
    assertion = read_assertion(p.saml_assertion, provider.certificates, provider.entity_id, now)
    if check_pair:
        check_role_pair(assertion, p.role_arn, p.principal_arn)
    return SamlFacts(p, provider, assertion, session_name(assertion), session_tags(assertion),
                     source_identity(assertion), session_duration_attribute(assertion))


def _duration_of(facts: SamlFacts, role: Role, now: datetime) -> datetime:
    requested = facts.params.duration_seconds
    if requested is None and SESSION_DURATION_ATTRIBUTE_SETS_API_DURATION:
        requested = facts.duration_attribute
    if requested is not None and requested > role.max_session_duration:
        raise StsError("ValidationError", rules.DURATION_OVER_MAX_SESSION, 400)
    expires = now + timedelta(seconds=requested if requested is not None else rules.ASSUME_ROLE_DEFAULT_DURATION)
    end = facts.assertion.session_not_on_or_after
    return min(expires, end) if end is not None else expires


def assume_role_with_saml(
    source: World | Directory,
    params: AssumeRoleWithSamlParams | Mapping[str, Any],
    clock: Clock,
    keyring: Keyring,
    providers: Providers | None = None,
    rnd: RandomSource | None = None,
    request_keys: Mapping[str, Any] | None = None,
) -> AssumeRoleWithSamlResult:
    """AssumeRoleWithSAML as AWS STS does it (module docstring), or raise :class:`StsError`.

    ``providers`` defaults to the SAML providers of the loaded world's accounts.
    ``request_keys`` are the global keys of the HTTP request (``aws:SourceIp``,
    ``aws:SecureTransport``…, spec §3.2) when there is one; the assertion's keys
    take precedence over them.
    """
    directory = as_directory(source)
    if providers is None:
        world = source if isinstance(source, World) else getattr(source, "world", None)
        providers = providers_of(world) if isinstance(world, World) else {}
    now = utc(clock())
    facts = read_request(params, providers, now)
    p = facts.params
    role_arn, provider_arn = p.role_arn or "", p.principal_arn or ""
    policies: tuple[Policy, ...] = resolve_session_policies(
        directory, AssumeRoleParams(role_arn, facts.session_name, policy=p.policy, policy_arns=p.policy_arns)
    )
    role = find_role(directory, role_arn)
    ctx = dict(request_keys or {})
    ctx.update(saml_context(facts.assertion, facts.provider, role, facts.session_name, facts.tags,
                            facts.source_identity, now))
    for decided in authorize_saml(directory, provider_arn, role_arn, role, ctx, bool(facts.tags),
                                  facts.source_identity is not None):
        if not decided.decision.allowed:
            error = access_denied(NOT_AUTHORIZED.format(action=decided.action))
            error.decision = (decided.action, role_arn, decided.decision)
            raise error
    assert role is not None  # authorization never allows a missing role

    expires = _duration_of(facts, role, now)
    size = packed_size([x.document for x in policies], facts.tags)
    check_packed_size(size)
    passed_something = bool(policies or facts.tags)
    session = Session(
        role_arn=role.arn,
        role_id=role.role_id,
        account=role.arn.split(":")[4],
        session_name=facts.session_name,
        issued=now,
        expires=expires,
        session_policies=policies,
        tags=facts.tags,
        source_identity=facts.source_identity,
        role_tags=dict(role.tags),
        caller_arn=provider_arn,
        packed_policy_size=size.percent if passed_something else None,
        federated_provider=provider_arn,  # aws:FederatedProvider of the session (spec §3.2, §4.3)
    )
    credentials, sealed = seal_session(keyring, session, rnd or SecretsRandom())
    assert isinstance(sealed, Session)
    return AssumeRoleWithSamlResult(credentials, sealed, facts.assertion, facts.provider, sealed.packed_policy_size)
