"""A SAML 2.0 Response, verified: only what its XML signature covers is read (spec §3.4, §4.5, §4.6).

``read_assertion`` decodes the base64 ``SAMLAssertion``, parses it with the
hardened parser (:mod:`.saml_xml`), verifies the signature with **signxml**
against the provider's metadata certificates (signxml does the
canonicalisation and the reference checks), and then reads the Assertion
*from what signxml returns as signed* -- never from the document it was given.
That, plus two structural rules, is the defence against XML signature
wrapping:

* the document holds exactly one ``saml:Assertion``, a direct child of the
  ``samlp:Response`` (a second, injected assertion is refused, wherever it is
  hidden);
* the signed element is the Response itself (its ``ds:Signature`` a direct
  child of it) or that one Assertion (its ``ds:Signature`` a direct child of
  the Assertion); any other signed element is refused.

Then the checks AWS documents for the response (IAM User Guide "Configure
SAML assertions for the authentication response", troubleshooting page):
issuer equals the provider's entity id; a bearer ``SubjectConfirmationData``
whose ``Recipient`` is the AWS sign-in endpoint; an ``Audience`` AWS accepts;
``NotBefore``/``NotOnOrAfter`` with :data:`CLOCK_SKEW`. Errors are
:class:`StsError` with AWS's codes: ``InvalidIdentityToken`` (400),
``ExpiredTokenException`` (400), ``IDPRejectedClaim`` (403).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Mapping

from lxml import etree

from .errors import StsError
from .saml_xml import (
    NS_ASSERTION,
    NS_DSIG,
    NS_PROTOCOL,
    SAML_ASSERTION_MAX_CHARS,
    UnsafeXml,
    decode_base64,
    hardened_parser,
    parse_untrusted,
    qname,
)

#: How far the assertion's times may be off the clock (UNCONFIRMED: AWS does not publish its skew;
#: docs/decisions/sts-saml-signatures.md). Applied to NotBefore and to every NotOnOrAfter.
CLOCK_SKEW = timedelta(minutes=5)
#: ``Recipient`` / ``Destination`` AWS accepts: the global sign-in endpoint and its regional forms [DOC]
RECIPIENT = re.compile(r"https://(?:[a-z]{2}(?:-[a-z]+)+-[0-9]\.)?signin\.aws\.amazon\.com/saml")
#: ``Audience`` values AWS accepts [DOC: "urn:amazon:webservices" and the sign-in URL]
AUDIENCE = re.compile(r"urn:amazon:webservices|https://(?:[a-z]{2}(?:-[a-z]+)+-[0-9]\.)?signin\.aws\.amazon\.com/saml")
#: signature algorithms accepted: signxml's algorithms without HMAC (a shared secret is not a
#: certificate) and without SHA-1 (docs/decisions/sts-saml-signatures.md); see :func:`accepted_algorithms`
REFUSED_ALGORITHM_MARKERS = ("HMAC", "SHA1")
#: bounds on what one assertion may carry (the input is already at most 100000 characters)
MAX_ATTRIBUTES = 256
MAX_ATTRIBUTE_VALUES = 256

SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
SIGNATURE_INVALID = "Response signature invalid"
_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})?")


def invalid(message: str) -> StsError:
    return StsError("InvalidIdentityToken", message, 400)


def expired(message: str) -> StsError:
    return StsError("ExpiredTokenException", message, 400)


@dataclass(frozen=True, slots=True)
class SamlAssertion:
    """What the signed assertion says (already checked against the clock and the provider)."""

    issuer: str
    subject: str
    subject_format: str | None
    recipient: str
    audiences: tuple[str, ...]
    not_on_or_after: datetime | None
    session_not_on_or_after: datetime | None
    attributes: Mapping[str, tuple[str, ...]]  # attribute Name -> values, in document order
    signed: str  # "Response" or "Assertion": which element the signature covered

    def values(self, name: str) -> tuple[str, ...]:
        return self.attributes.get(name, ())


def parse_time(text: str | None, where: str) -> datetime | None:
    """xs:dateTime as SAML writes it (UTC ``Z``, optional fraction); an error names the attribute."""
    if text is None:
        return None
    m = _TIME.fullmatch(text.strip())
    if m is None:
        raise invalid(f"{where} is not a valid xs:dateTime: {text[:40]!r}")
    base, frac, zone = m.groups()
    micro = (frac or ".0")[1:7].ljust(6, "0")
    try:
        t = datetime.fromisoformat(f"{base}.{micro}{'+00:00' if zone in (None, 'Z') else zone}")
    except ValueError:
        raise invalid(f"{where} is not a valid xs:dateTime: {text[:40]!r}") from None
    return t.astimezone(UTC)


def _response_root(saml_assertion: str) -> tuple[bytes, etree._Element]:
    if not isinstance(saml_assertion, str) or len(saml_assertion) > SAML_ASSERTION_MAX_CHARS:
        raise invalid(f"SAMLAssertion must be base64 text of at most {SAML_ASSERTION_MAX_CHARS} characters")
    try:
        data = decode_base64(saml_assertion)
        root = parse_untrusted(data, "SAMLAssertion")
    except UnsafeXml as e:
        raise invalid(f"Invalid SAML response: {e}") from None
    if root.tag != qname(NS_PROTOCOL, "Response"):
        raise invalid("Invalid SAML response: the document element must be samlp:Response")
    return data, root


def _check_structure(root: etree._Element) -> etree._Element:
    """Exactly one Assertion, a child of the Response; no encrypted ones (wrapping defence)."""
    if next(root.iter(qname(NS_ASSERTION, "EncryptedAssertion")), None) is not None:
        raise invalid("Invalid SAML response: encrypted assertions are not supported by this endpoint")
    found = list(root.iter(qname(NS_ASSERTION, "Assertion")))
    if len(found) != 1:
        raise invalid(f"Invalid SAML response: expected exactly one Assertion, found {len(found)}")
    if found[0].getparent() is not root:
        raise invalid("Invalid SAML response: the Assertion must be a child of the Response")
    return found[0]


@lru_cache(maxsize=1)
def accepted_algorithms() -> tuple[frozenset[Any], frozenset[Any]]:
    """(signature methods, digest algorithms) signxml may accept; signxml is imported on first use,
    so commands that never verify a response do not pay for loading it."""
    from signxml.algorithms import DigestAlgorithm, SignatureMethod

    methods = frozenset(m for m in SignatureMethod if not any(x in m.name for x in REFUSED_ALGORITHM_MARKERS))
    digests = frozenset(d for d in DigestAlgorithm if not any(x in d.name for x in REFUSED_ALGORITHM_MARKERS))
    return methods, digests


def _signed_element(data: bytes, root: etree._Element, assertion: etree._Element,
                    certificates: tuple[str, ...]) -> tuple[etree._Element, str]:
    """Verify with signxml; return the element it says is signed, and which one it is."""
    from signxml import SignatureConfiguration, XMLVerifier
    from signxml.exceptions import InvalidInput, SignXMLException

    if root.find(qname(NS_DSIG, "Signature")) is not None:
        location, kind = "./", "Response"
    elif assertion.find(qname(NS_DSIG, "Signature")) is not None:
        location, kind = f"./{qname(NS_ASSERTION, 'Assertion')}/", "Assertion"
    else:
        raise invalid(f"{SIGNATURE_INVALID}: the response is not signed")
    config = SignatureConfiguration(
        require_x509=True, location=location, expect_references=1,
        signature_methods=accepted_algorithms()[0], digest_algorithms=accepted_algorithms()[1],
    )
    last = "no certificate"
    for pem in certificates:
        try:
            result = XMLVerifier().verify(
                data, x509_cert=pem, parser=hardened_parser(), expect_config=config,
                ignore_ambiguous_key_info=True,
            )
        except (SignXMLException, InvalidInput, ValueError, etree.LxmlError) as e:
            last = str(e) or type(e).__name__
            continue
        signed = result.signed_xml if not isinstance(result, list) else None
        if signed is None:
            raise invalid(f"{SIGNATURE_INVALID}: expected one signed element")
        want = qname(NS_PROTOCOL, "Response") if kind == "Response" else qname(NS_ASSERTION, "Assertion")
        if signed.tag != want:
            raise invalid(f"{SIGNATURE_INVALID}: the signature covers {etree.QName(signed).localname}, "
                          f"not the {kind}")
        return signed, kind
    raise invalid(f"{SIGNATURE_INVALID} ({last[:200]})")


def _text(el: etree._Element | None) -> str | None:
    return None if el is None else (el.text or "").strip()


def _attributes(assertion: etree._Element) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    count = 0
    for attr in assertion.iter(qname(NS_ASSERTION, "Attribute")):
        count += 1
        if count > MAX_ATTRIBUTES:
            raise invalid(f"Invalid SAML response: more than {MAX_ATTRIBUTES} attributes")
        name = attr.get("Name") or ""
        values = out.setdefault(name, [])
        for v in attr.findall(qname(NS_ASSERTION, "AttributeValue")):
            if len(values) >= MAX_ATTRIBUTE_VALUES:
                raise invalid(f"Invalid SAML response: attribute {name[:80]} has more than "
                              f"{MAX_ATTRIBUTE_VALUES} values")
            values.append((v.text or "").strip())
    return {k: tuple(v) for k, v in out.items()}


def _check_status(root: etree._Element) -> None:
    code = root.find(f"{qname(NS_PROTOCOL, 'Status')}/{qname(NS_PROTOCOL, 'StatusCode')}")
    if code is not None and code.get("Value") != SUCCESS:
        raise StsError("IDPRejectedClaim", f"The identity provider reported status {code.get('Value')}", 403)


def read_assertion(saml_assertion: str, certificates: tuple[str, ...], entity_id: str,
                   now: datetime) -> SamlAssertion:
    """Verify and read a SAML response for AssumeRoleWithSAML, or raise :class:`StsError`."""
    data, root = _response_root(saml_assertion)
    assertion_in_doc = _check_structure(root)
    _check_status(root)
    signed, kind = _signed_element(data, root, assertion_in_doc, certificates)
    if kind == "Response":
        inner = signed.findall(qname(NS_ASSERTION, "Assertion"))
        if len(inner) != 1:
            raise invalid(f"Invalid SAML response: expected exactly one signed Assertion, found {len(inner)}")
        assertion = inner[0]
    else:
        assertion = signed

    destination = root.get("Destination") if kind == "Assertion" else signed.get("Destination")
    if destination is not None and not RECIPIENT.fullmatch(destination):
        raise invalid(f"Invalid SAML response: Destination {destination[:120]} is not the AWS sign-in endpoint")

    issuer = _text(assertion.find(qname(NS_ASSERTION, "Issuer")))
    if not issuer:
        raise invalid("Invalid SAML response: the Assertion has no Issuer")
    if issuer != entity_id:
        raise invalid(f"Issuer not present in specified provider: {issuer[:200]}")

    t = now.astimezone(UTC)
    subject = assertion.find(qname(NS_ASSERTION, "Subject"))
    name_id = subject.find(qname(NS_ASSERTION, "NameID")) if subject is not None else None
    if name_id is None or not _text(name_id):
        raise invalid("Invalid SAML response: the Subject has no NameID")
    recipient: str | None = None
    bearer_expiry: datetime | None = None
    seen_recipients: list[str] = []
    for sc in subject.findall(qname(NS_ASSERTION, "SubjectConfirmation")) if subject is not None else ():
        if sc.get("Method") != BEARER:
            continue
        scd = sc.find(qname(NS_ASSERTION, "SubjectConfirmationData"))
        if scd is None:
            continue
        r = scd.get("Recipient") or ""
        seen_recipients.append(r)
        if RECIPIENT.fullmatch(r):
            recipient = r
            bearer_expiry = parse_time(scd.get("NotOnOrAfter"), "SubjectConfirmationData NotOnOrAfter")
            break
    if recipient is None:
        shown = ", ".join(x[:120] for x in seen_recipients) or "none"
        raise invalid(f"Invalid SAML response: no bearer SubjectConfirmation for the AWS sign-in endpoint "
                      f"(Recipient: {shown})")
    if bearer_expiry is not None and t >= bearer_expiry + CLOCK_SKEW:
        raise expired(f"SAML assertion expired: SubjectConfirmationData NotOnOrAfter was {bearer_expiry.isoformat()}")

    conditions = assertion.find(qname(NS_ASSERTION, "Conditions"))
    not_on_or_after = None
    audiences: list[str] = []
    if conditions is not None:
        not_before = parse_time(conditions.get("NotBefore"), "Conditions NotBefore")
        not_on_or_after = parse_time(conditions.get("NotOnOrAfter"), "Conditions NotOnOrAfter")
        if not_before is not None and t + CLOCK_SKEW < not_before:
            raise invalid(f"SAML assertion is not yet valid: Conditions NotBefore is {not_before.isoformat()}")
        if not_on_or_after is not None and t >= not_on_or_after + CLOCK_SKEW:
            raise expired(f"SAML assertion expired: Conditions NotOnOrAfter was {not_on_or_after.isoformat()}")
        restrictions = conditions.findall(qname(NS_ASSERTION, "AudienceRestriction"))
        # SAML core §2.5.1.4: every AudienceRestriction must name us (any one Audience of each)
        for r in restrictions:
            these = [(el.text or "").strip() for el in r.findall(qname(NS_ASSERTION, "Audience"))]
            audiences += these
            if not any(AUDIENCE.fullmatch(a) for a in these):
                audiences = []
                break
    if not any(AUDIENCE.fullmatch(a) for a in audiences):
        raise invalid("Response does not contain the required audience (urn:amazon:webservices or "
                      "https://signin.aws.amazon.com/saml)")

    authn = assertion.find(qname(NS_ASSERTION, "AuthnStatement"))
    session_end = parse_time(authn.get("SessionNotOnOrAfter"), "AuthnStatement SessionNotOnOrAfter") \
        if authn is not None else None
    if session_end is not None and t >= session_end:
        raise expired(f"SAML assertion expired: SessionNotOnOrAfter was {session_end.isoformat()}")

    return SamlAssertion(
        issuer=issuer,
        subject=_text(name_id) or "",
        subject_format=name_id.get("Format"),
        recipient=recipient,
        audiences=tuple(audiences),
        not_on_or_after=not_on_or_after,
        session_not_on_or_after=session_end,
        attributes=_attributes(assertion),
        signed=kind,
    )
