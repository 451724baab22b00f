"""A SAML provider's metadata document: the IdP's entity id and signing certificates (spec §4.6).

IAM's ``CreateSAMLProvider`` takes the IdP's SAML 2.0 metadata
(``md:EntityDescriptor``, 1000-10000000 characters in IAM's model). STS
trusts an assertion only when its signature verifies against a certificate
of that metadata, and only from the entity the metadata describes. We read
exactly those two things: the ``entityID`` and the X.509 certificates of the
``IDPSSODescriptor``'s ``KeyDescriptor`` elements meant for signing (``use``
absent or ``"signing"``), each checked to be a certificate
(``cryptography`` loads it). The document goes through the hardened parser
(:mod:`.saml_xml`).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from ..model.saml_provider import SamlProvider
from .saml_xml import (
    NS_DSIG,
    NS_METADATA,
    SAML_METADATA_MAX_CHARS,
    SAML_METADATA_MIN_CHARS,
    UnsafeXml,
    parse_untrusted,
    qname,
)

#: IAM's text when the document cannot be used (troubleshooting page: "Could not parse metadata.")
COULD_NOT_PARSE = "Could not parse metadata"
#: at most this many signing certificates are read (IAM keeps a few for rotation)
MAX_CERTIFICATES = 10


class SamlMetadataError(ValueError):
    """The metadata cannot be used; the message says why (IAM answers ``InvalidInput``)."""


@dataclass(frozen=True, slots=True)
class SamlMetadata:
    entity_id: str
    certificates: tuple[str, ...]  # PEM
    valid_until: datetime | None


def _pem(b64: str) -> str:
    try:
        der = base64.b64decode("".join(b64.split()), validate=True)
        cert = x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError) as e:
        raise SamlMetadataError(f"{COULD_NOT_PARSE}: an X509Certificate is not a certificate ({e})") from None
    return cert.public_bytes(Encoding.PEM).decode()


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SamlMetadataError(f"{COULD_NOT_PARSE}: validUntil {text[:40]!r} is not a date-time") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def read_metadata(document: str) -> SamlMetadata:
    """Entity id, signing certificates and validUntil of an IdP metadata document, or SamlMetadataError."""
    if not isinstance(document, str):
        raise SamlMetadataError(f"{COULD_NOT_PARSE}: the document must be text")
    if not SAML_METADATA_MIN_CHARS <= len(document) <= SAML_METADATA_MAX_CHARS:
        raise SamlMetadataError(
            f"{COULD_NOT_PARSE}: the document must be {SAML_METADATA_MIN_CHARS}-{SAML_METADATA_MAX_CHARS} "
            f"characters, got {len(document)}"
        )
    try:
        root = parse_untrusted(document.encode("utf-8"), "SAMLMetadataDocument")
    except UnsafeXml as e:
        raise SamlMetadataError(f"{COULD_NOT_PARSE}: {e}") from None
    if root.tag == qname(NS_METADATA, "EntitiesDescriptor"):
        found = root.findall(qname(NS_METADATA, "EntityDescriptor"))
        if len(found) != 1:
            raise SamlMetadataError(f"{COULD_NOT_PARSE}: expected one EntityDescriptor, found {len(found)}")
        entity = found[0]
    elif root.tag == qname(NS_METADATA, "EntityDescriptor"):
        entity = root
    else:
        raise SamlMetadataError(f"{COULD_NOT_PARSE}: the root element must be md:EntityDescriptor")
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        raise SamlMetadataError(f"{COULD_NOT_PARSE}: EntityDescriptor has no entityID")
    idp = entity.find(qname(NS_METADATA, "IDPSSODescriptor"))
    if idp is None:
        raise SamlMetadataError(f"{COULD_NOT_PARSE}: no IDPSSODescriptor (not an identity provider)")
    certs: list[str] = []
    for kd in idp.findall(qname(NS_METADATA, "KeyDescriptor")):
        if kd.get("use") not in (None, "signing"):
            continue
        for c in kd.iterfind(f".//{qname(NS_DSIG, 'X509Certificate')}"):
            if len(certs) >= MAX_CERTIFICATES:
                raise SamlMetadataError(f"{COULD_NOT_PARSE}: more than {MAX_CERTIFICATES} signing certificates")
            certs.append(_pem(c.text or ""))
    if not certs:
        raise SamlMetadataError(f"{COULD_NOT_PARSE}: the IDPSSODescriptor has no signing certificate")
    valid_until = _time(entity.get("validUntil") or root.get("validUntil"))
    return SamlMetadata(entity_id, tuple(certs), valid_until)


def saml_provider(arn: str, document: str, create_date: datetime | None = None,
                  tags: dict[str, str] | None = None) -> SamlProvider:
    """A :class:`SamlProvider` from its metadata document (raises SamlMetadataError)."""
    md = read_metadata(document)
    return SamlProvider(arn, document, md.entity_id, md.certificates, md.valid_until, create_date, dict(tags or {}))
