"""Reading untrusted SAML XML safely: one hardened lxml parser, bounded input (spec §4.6, §4.5).

Everything SAML reads -- the base64 ``SAMLAssertion`` of AssumeRoleWithSAML
and the metadata document of a SAML provider -- goes through
:func:`parse_untrusted`: no DTD is loaded, no entity is resolved, nothing is
fetched from the network, libxml2's ``huge_tree`` limits stay on (depth,
text-node size), and a document that declares a DOCTYPE at all is refused
(entity-expansion "bombs" and external entities both need one). Sizes are
checked before parsing, so time and memory are linear in a bounded input.
"""

from __future__ import annotations

import base64
import binascii
import re

from lxml import etree

#: botocore's STS model: ``SAMLAssertion`` is 4-100000 characters (spec §4.6)
SAML_ASSERTION_MIN_CHARS = 4
SAML_ASSERTION_MAX_CHARS = 100_000
#: IAM's model: ``SAMLMetadataDocument`` is 1000-10000000 characters
SAML_METADATA_MIN_CHARS = 1000
SAML_METADATA_MAX_CHARS = 10_000_000

NS_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_METADATA = "urn:oasis:names:tc:SAML:2.0:metadata"
NS_DSIG = "http://www.w3.org/2000/09/xmldsig#"
NS_XENC = "http://www.w3.org/2001/04/xmlenc#"

_B64_TEXT = re.compile(r"[A-Za-z0-9+/=\s]*")


class UnsafeXml(ValueError):
    """The input is not XML we agree to read; the message says what and where."""


def hardened_parser() -> etree.XMLParser:
    """A fresh parser (lxml parsers are not thread-safe) with every dangerous feature off."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def decode_base64(text: str, field: str = "SAMLAssertion") -> bytes:
    """Strict base64 (white space allowed, as IdPs wrap lines); an error names the field."""
    if not _B64_TEXT.fullmatch(text):
        raise UnsafeXml(f"{field} is not base64 text")
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise UnsafeXml(f"{field} is not valid base64") from None


def parse_untrusted(data: bytes, what: str) -> etree._Element:
    """Parse ``data`` with :func:`hardened_parser`; refuse DOCTYPEs; errors name line and column."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise UnsafeXml(f"{what}: a DOCTYPE or ENTITY declaration is not accepted")
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as e:
        line, col = e.position if e.position else (0, 0)
        raise UnsafeXml(f"{what} is not well-formed XML (line {line}, column {col}): {e.msg}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXml(f"{what}: a DOCTYPE is not accepted")
    return root


def qname(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"
