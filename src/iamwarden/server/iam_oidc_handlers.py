"""IAM OIDC identity provider operations on the local endpoint (issue 11 item 2).

Create/Get/List/Delete, client ids, thumbprints and tags, declared with
:func:`~.iam_operations.iam_operation` like every IAM operation, so the engine
decides each call (``iam:<Operation>`` on the provider ARN) before it runs.
Shapes are botocore's. Nothing is fetched from the provider: its signing keys
are given to the endpoint separately (``docs/decisions/sts-oidc-keys.md``).
Importing this module declares the operations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model.oidc_provider import provider_arn
from ..store import Store
from ..store.errors import NoSuchEntity
from .iam_operations import IamApi, iam_operation, paginate
from .request import RequestContext


def _arn(p: Mapping[str, Any], account_id: str, store: Store | None) -> str:
    return str(p.get("OpenIDConnectProviderArn") or "*")


def _new(p: Mapping[str, Any], account_id: str, store: Store | None) -> str:
    return provider_arn(account_id, str(p.get("Url") or ""))


def _all(p: Mapping[str, Any], account_id: str, store: Store | None) -> str:
    return f"arn:aws:iam::{account_id}:oidc-provider/*"


def _owned(api: IamApi, ctx: RequestContext, p: Mapping[str, Any]) -> str:
    """The provider ARN, refused as missing unless it is in the caller's account."""
    arn = str(p["OpenIDConnectProviderArn"])
    parts = arn.split(":")
    if len(parts) < 6 or parts[4] != api.account(ctx) or not parts[5].startswith("oidc-provider/"):
        raise NoSuchEntity(f"OpenIDConnect Provider not found for arn {arn}")
    return arn


@iam_operation("CreateOpenIDConnectProvider", _new)
def create(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    rec = api.store.create_oidc_provider(api.account(ctx), p["Url"], p.get("ClientIDList") or (),
                                         p.get("ThumbprintList") or (), p.get("Tags") or ())
    out: dict[str, Any] = {"OpenIDConnectProviderArn": rec.arn}
    if rec.tags:
        out["Tags"] = [dict(t) for t in rec.tags]
    return out


@iam_operation("GetOpenIDConnectProvider", _arn)
def get(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return api.store.get_oidc_provider(_owned(api, ctx, p)).to_api()


@iam_operation("ListOpenIDConnectProviders", _all)
def list_(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"OpenIDConnectProviderList": [{"Arn": r.arn} for r in api.store.list_oidc_providers(api.account(ctx))]}


@iam_operation("DeleteOpenIDConnectProvider", _arn)
def delete(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.delete_oidc_provider(_owned(api, ctx, p))


@iam_operation("AddClientIDToOpenIDConnectProvider", _arn)
def add_client_id(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.add_oidc_client_id(_owned(api, ctx, p), p["ClientID"])


@iam_operation("RemoveClientIDFromOpenIDConnectProvider", _arn)
def remove_client_id(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.remove_oidc_client_id(_owned(api, ctx, p), p["ClientID"])


@iam_operation("UpdateOpenIDConnectProviderThumbprint", _arn)
def update_thumbprint(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.update_oidc_thumbprints(_owned(api, ctx, p), p["ThumbprintList"])


@iam_operation("TagOpenIDConnectProvider", _arn)
def tag(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.tag_oidc_provider(_owned(api, ctx, p), p["Tags"])


@iam_operation("UntagOpenIDConnectProvider", _arn)
def untag(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> None:
    api.store.untag_oidc_provider(_owned(api, ctx, p), p["TagKeys"])


@iam_operation("ListOpenIDConnectProviderTags", _arn)
def list_tags(api: IamApi, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    rec = api.store.get_oidc_provider(_owned(api, ctx, p))
    return paginate([dict(t) for t in rec.tags], p, "Tags")
