"""A SAML identity provider for tests: key, certificate, metadata and signed responses.

``SamlIdentityProvider`` makes what a real IdP (Okta, Entra ID, AD FS…) would
hand AWS: a signing key and self-signed certificate, the SAML 2.0 metadata
document to register as an IAM SAML provider, and base64 SAML responses with
the attributes you choose, signed with **signxml** -- so a test can check a
role's SAML trust end to end::

    idp = SamlIdentityProvider(account="123456789012", name="Corp")
    iam.create_saml_provider(Name=idp.name, SAMLMetadataDocument=idp.metadata_xml())
    sts.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=idp.provider_arn,
                              SAMLAssertion=idp.response(role_arn, session_name="alice"))

Everything is generated in memory; nothing is written to disk.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Callable, Iterable, Mapping

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

from .model.saml_provider import saml_provider_arn
from .sts.saml import (
    NAMEID_FORMAT_PREFIX,
    PRINCIPAL_TAG_PREFIX,
    ROLE_ATTRIBUTE,
    ROLE_SESSION_NAME_ATTRIBUTE,
    SESSION_DURATION_ATTRIBUTE,
    SOURCE_IDENTITY_ATTRIBUTE,
    TRANSITIVE_TAG_KEYS_ATTRIBUTE,
)
from .sts.saml_xml import NS_ASSERTION, NS_DSIG, NS_METADATA, NS_PROTOCOL

AWS_SIGNIN = "https://signin.aws.amazon.com/saml"
AWS_AUDIENCE = "urn:amazon:webservices"
_NSMAP = {"samlp": NS_PROTOCOL, "saml": NS_ASSERTION}


def _utc(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SamlIdentityProvider:
    """An in-memory SAML 2.0 IdP (see the module docstring)."""

    def __init__(
        self,
        entity_id: str = "https://idp.example.com/saml",
        name: str = "ExampleIdP",
        account: str = "123456789012",
        key_type: str = "rsa",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.entity_id = entity_id
        self.name = name
        self.account = account
        self.clock = clock or (lambda: datetime.now(UTC))
        if key_type == "rsa":
            self._key: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.signature_method = SignatureMethod.RSA_SHA256
        elif key_type == "ec":
            self._key = ec.generate_private_key(ec.SECP256R1())
            self.signature_method = SignatureMethod.ECDSA_SHA256
        else:
            raise ValueError("key_type must be 'rsa' or 'ec'")
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "iamwarden test IdP")])
        now = datetime.now(UTC)
        self._cert = (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .sign(self._key, hashes.SHA256())
        )

    # -- what AWS is given -------------------------------------------------------------

    @property
    def provider_arn(self) -> str:
        return saml_provider_arn(self.account, self.name)

    @property
    def certificate_pem(self) -> str:
        return self._cert.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def private_key_pem(self) -> str:
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    def metadata_xml(self) -> str:
        """The IdP's SAML 2.0 metadata (``md:EntityDescriptor``), for ``CreateSAMLProvider``."""
        der = self._cert.public_bytes(serialization.Encoding.DER)
        b64 = base64.b64encode(der).decode()
        lines = "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64))
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="{NS_METADATA}" xmlns:ds="{NS_DSIG}" entityID="{self.entity_id}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo>
        <ds:X509Data>
          <ds:X509Certificate>
{lines}
          </ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
                            Location="{self.entity_id}/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""

    def register(self, iam: Any) -> str:
        """Create this provider with a boto3 IAM client (e.g. the endpoint's); returns its ARN."""
        out = iam.create_saml_provider(Name=self.name, SAMLMetadataDocument=self.metadata_xml())
        return str(out["SAMLProviderArn"])

    # -- responses ---------------------------------------------------------------------

    def response_xml(
        self,
        role_arn: str | Iterable[str] | None = None,
        session_name: str | None = "alice",
        *,
        subject: str = "alice@example.com",
        subject_format: str | None = NAMEID_FORMAT_PREFIX + "persistent",
        tags: Mapping[str, str] | None = None,
        transitive_tag_keys: Iterable[str] = (),
        source_identity: str | None = None,
        session_duration: int | None = None,
        attributes: Mapping[str, str | Iterable[str]] | None = None,
        role_values: Iterable[str] | None = None,
        issuer: str | None = None,
        recipient: str = AWS_SIGNIN,
        destination: str | None = AWS_SIGNIN,
        audience: str | None = AWS_AUDIENCE,
        now: datetime | None = None,
        not_before: datetime | None = None,
        not_on_or_after: datetime | None = None,
        lifetime: timedelta = timedelta(minutes=5),
        session_not_on_or_after: datetime | None = None,
        status: str = "urn:oasis:names:tc:SAML:2.0:status:Success",
        sign: str | None = "assertion",
    ) -> bytes:
        """The response as XML bytes. ``sign``: ``"assertion"``, ``"response"``, ``"both"`` or None.

        ``role_arn`` (one or several) makes the Role attribute ``ROLE,PROVIDER``;
        ``role_values`` gives its raw values instead. ``attributes`` adds any
        other attribute (name -> value or values).
        """
        t = (now or self.clock()).astimezone(UTC)
        nb = not_before or (t - timedelta(seconds=30))
        noa = not_on_or_after or (t + lifetime)
        response_id, assertion_id = f"_r{uuid.uuid4().hex}", f"_a{uuid.uuid4().hex}"
        resp = etree.Element(f"{{{NS_PROTOCOL}}}Response", nsmap=_NSMAP)
        resp.set("ID", response_id)
        resp.set("Version", "2.0")
        resp.set("IssueInstant", _utc(t))
        if destination is not None:
            resp.set("Destination", destination)
        etree.SubElement(resp, f"{{{NS_ASSERTION}}}Issuer").text = issuer or self.entity_id
        if sign in ("response", "both"):
            etree.SubElement(resp, f"{{{NS_DSIG}}}Signature", nsmap={"ds": NS_DSIG}).set("Id", "placeholder")
        st = etree.SubElement(resp, f"{{{NS_PROTOCOL}}}Status")
        etree.SubElement(st, f"{{{NS_PROTOCOL}}}StatusCode").set("Value", status)

        a = etree.SubElement(resp, f"{{{NS_ASSERTION}}}Assertion")
        a.set("ID", assertion_id)
        a.set("Version", "2.0")
        a.set("IssueInstant", _utc(t))
        etree.SubElement(a, f"{{{NS_ASSERTION}}}Issuer").text = issuer or self.entity_id
        if sign in ("assertion", "both"):
            etree.SubElement(a, f"{{{NS_DSIG}}}Signature", nsmap={"ds": NS_DSIG}).set("Id", "placeholder")
        subj = etree.SubElement(a, f"{{{NS_ASSERTION}}}Subject")
        nid = etree.SubElement(subj, f"{{{NS_ASSERTION}}}NameID")
        nid.text = subject
        if subject_format is not None:
            nid.set("Format", subject_format)
        sc = etree.SubElement(subj, f"{{{NS_ASSERTION}}}SubjectConfirmation")
        sc.set("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
        scd = etree.SubElement(sc, f"{{{NS_ASSERTION}}}SubjectConfirmationData")
        scd.set("NotOnOrAfter", _utc(noa))
        scd.set("Recipient", recipient)
        cond = etree.SubElement(a, f"{{{NS_ASSERTION}}}Conditions")
        cond.set("NotBefore", _utc(nb))
        cond.set("NotOnOrAfter", _utc(noa))
        if audience is not None:
            ar = etree.SubElement(cond, f"{{{NS_ASSERTION}}}AudienceRestriction")
            etree.SubElement(ar, f"{{{NS_ASSERTION}}}Audience").text = audience
        authn = etree.SubElement(a, f"{{{NS_ASSERTION}}}AuthnStatement")
        authn.set("AuthnInstant", _utc(t))
        if session_not_on_or_after is not None:
            authn.set("SessionNotOnOrAfter", _utc(session_not_on_or_after))
        ctx = etree.SubElement(authn, f"{{{NS_ASSERTION}}}AuthnContext")
        etree.SubElement(ctx, f"{{{NS_ASSERTION}}}AuthnContextClassRef").text = (
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")

        attrs: list[tuple[str, list[str]]] = []
        if role_values is not None:
            attrs.append((ROLE_ATTRIBUTE, list(role_values)))
        elif role_arn is not None:
            roles = [role_arn] if isinstance(role_arn, str) else list(role_arn)
            attrs.append((ROLE_ATTRIBUTE, [f"{r},{self.provider_arn}" for r in roles]))
        if session_name is not None:
            attrs.append((ROLE_SESSION_NAME_ATTRIBUTE, [session_name]))
        if session_duration is not None:
            attrs.append((SESSION_DURATION_ATTRIBUTE, [str(session_duration)]))
        for k, v in (tags or {}).items():
            attrs.append((PRINCIPAL_TAG_PREFIX + k, [v]))
        keys = list(transitive_tag_keys)
        if keys:
            attrs.append((TRANSITIVE_TAG_KEYS_ATTRIBUTE, keys))
        if source_identity is not None:
            attrs.append((SOURCE_IDENTITY_ATTRIBUTE, [source_identity]))
        for name, value in (attributes or {}).items():
            attrs.append((name, [value] if isinstance(value, str) else list(value)))
        if attrs:
            stmt = etree.SubElement(a, f"{{{NS_ASSERTION}}}AttributeStatement")
            for name, values in attrs:
                el = etree.SubElement(stmt, f"{{{NS_ASSERTION}}}Attribute")
                el.set("Name", name)
                for v in values:
                    etree.SubElement(el, f"{{{NS_ASSERTION}}}AttributeValue").text = v

        if sign in ("assertion", "both"):
            resp = self._sign(resp, assertion_id, inner=True)
        if sign in ("response", "both"):
            resp = self._sign(resp, response_id, inner=False)
        if sign not in (None, "assertion", "response", "both"):
            raise ValueError("sign must be 'assertion', 'response', 'both' or None")
        return etree.tostring(resp, xml_declaration=True, encoding="UTF-8")

    def response(self, role_arn: str | Iterable[str] | None = None, session_name: str | None = "alice",
                 **kwargs: Any) -> str:
        """The base64 ``SAMLAssertion`` to pass to ``assume_role_with_saml`` (see :meth:`response_xml`)."""
        return base64.b64encode(self.response_xml(role_arn, session_name, **kwargs)).decode()

    def _sign(self, root: etree._Element, reference_id: str, inner: bool) -> etree._Element:
        signer = XMLSigner(
            signature_algorithm=self.signature_method,
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
        )
        if inner:
            # only the assertion's placeholder may be present while it is signed
            outer = root.find(f"{{{NS_DSIG}}}Signature")
            if outer is not None:
                root.remove(outer)
            signed = signer.sign(root, key=self.private_key_pem, cert=self.certificate_pem,
                                 reference_uri=f"#{reference_id}")
            if outer is not None:
                signed.insert(1, etree.fromstring(
                    f'<ds:Signature xmlns:ds="{NS_DSIG}" Id="placeholder"/>'))
            return signed
        return signer.sign(root, key=self.private_key_pem, cert=self.certificate_pem,
                           reference_uri=f"#{reference_id}")


__all__ = ["AWS_AUDIENCE", "AWS_SIGNIN", "SamlIdentityProvider"]
