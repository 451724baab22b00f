"""An IAM SAML provider: the IdP an account trusts for AssumeRoleWithSAML (spec §1.4, §3.4, §4.6).

The provider is named ``arn:aws:iam::ACCOUNT:saml-provider/NAME``; trust
policies name it as ``{"Federated": ARN}``. What STS needs of it is read from
its metadata document once, when the provider is created or loaded
(:func:`iamwarden.sts.saml_metadata.read_metadata`): the IdP's entity id (the
``Issuer`` its assertions must carry) and its signing certificates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from .arn import Arn


@dataclass(frozen=True, slots=True)
class SamlProvider:
    arn: str
    metadata_document: str
    entity_id: str
    certificates: tuple[str, ...]  # PEM, the IdP's signing certificates from the metadata
    valid_until: datetime | None = None
    create_date: datetime | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def account(self) -> str:
        a = Arn.parse(self.arn)
        return a.account if a else ""

    @property
    def name(self) -> str:
        """The friendly name: the part after ``saml-provider/``."""
        return self.arn.split(":saml-provider/", 1)[-1]


def saml_provider_arn(account: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:saml-provider/{name}"
