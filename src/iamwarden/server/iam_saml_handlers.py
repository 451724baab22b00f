"""IAM SAML provider operations on the local endpoint (spec §4.6; botocore's IAM model).

``CreateSAMLProvider``, ``GetSAMLProvider``, ``ListSAMLProviders``,
``UpdateSAMLProvider``, ``DeleteSAMLProvider`` and the provider tag
operations, declared with :func:`~.iam_operations.iam_operation` like every IAM
handler, so the engine authorizes each (``iam:<Operation>`` on the provider's
ARN) before it runs. The metadata document is validated and its signing
certificate extracted by the store (:mod:`iamwarden.store.saml_providers`);
a document that cannot be used is ``InvalidInput`` and nothing is stored.
Private-key assertion encryption is not supported: asking for it is
``InvalidInput``, said plainly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model.saml_provider import saml_provider_arn
from ..store import Store
from .errors import InvalidInput
from .iam_operations import IamApi, iam_operation, paginate
from .request import RequestContext

_UNSUPPORTED = ("AddPrivateKey", "RemovePrivateKey", "ContextProvider", "IdentityCenterInstanceArn")


def _new(p: Mapping[str, Any], account_id: str, store: Store | None) -> str:
    return saml_provider_arn(account_id, str(p.get("Name") or ""))


def _arn(p: Mapping[str, Any], account_id: str, store: Store | None) -> str:
    return str(p.get("SAMLProviderArn") or "*")


def _refuse_unsupported(p: Mapping[str, Any]) -> None:
    for name in _UNSUPPORTED:
        if p.get(name):
            raise InvalidInput(f"{name} is not supported by this endpoint (SAML assertion encryption and "
                               "Identity Center context providers are not implemented).")
    if p.get("AssertionEncryptionMode") == "Required":
        raise InvalidInput("AssertionEncryptionMode Required is not supported by this endpoint "
                           "(encrypted assertions are not implemented).")


@iam_operation("CreateSAMLProvider", _new)
def create_saml_provider(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    _refuse_unsupported(p)
    tags = list(p.get("Tags") or [])
    arn = api.store.create_saml_provider(api.account(ctx), p["Name"], p["SAMLMetadataDocument"], tags)
    out: dict[str, Any] = {"SAMLProviderArn": arn}
    if tags:
        out["Tags"] = tags
    return out


@iam_operation("GetSAMLProvider", _arn)
def get_saml_provider(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return api.store.get_saml_provider(api.account(ctx), p["SAMLProviderArn"])


@iam_operation("ListSAMLProviders")
def list_saml_providers(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"SAMLProviderList": api.store.list_saml_providers(api.account(ctx))}


@iam_operation("UpdateSAMLProvider", _arn)
def update_saml_provider(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    _refuse_unsupported(p)
    arn = api.store.update_saml_provider(api.account(ctx), p["SAMLProviderArn"], p.get("SAMLMetadataDocument"))
    return {"SAMLProviderArn": arn}


@iam_operation("DeleteSAMLProvider", _arn)
def delete_saml_provider(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.delete_saml_provider(api.account(ctx), p["SAMLProviderArn"])


@iam_operation("TagSAMLProvider", _arn)
def tag_saml_provider(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.tag_saml_provider(api.account(ctx), p["SAMLProviderArn"], p["Tags"])


@iam_operation("UntagSAMLProvider", _arn)
def untag_saml_provider(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.untag_saml_provider(api.account(ctx), p["SAMLProviderArn"], p["TagKeys"])


@iam_operation("ListSAMLProviderTags", _arn)
def list_saml_provider_tags(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    tags = api.store.get_saml_provider(api.account(ctx), p["SAMLProviderArn"])["Tags"]
    return paginate(tags, p, "Tags")
