"""What an IAM operation is, and what its handler is given: the declarations every IAM
handler module builds on (``iam_handlers``, ``iam_oidc_handlers``, ``iam_saml_handlers``).

:func:`iam_operation` declares an operation once: its name, the IAM action it needs
(``iam:<Operation>``) and how to build the resource ARN the engine must authorize
(:func:`required_authorization`). The handler modules declare; ``iam_handlers.register_iam_handlers``
imports them all and registers what they declared, so no handler module imports another.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..model.organization import Organization
from ..store import Store
from .errors import AwsError, InvalidInput
from .request import RequestContext

SERVICE = "iam"
DEFAULT_MAX_ITEMS = 100

ResourceFn = Callable[[Mapping[str, Any], str, "Store | None"], str]
HandlerFn = Callable[["IamApi", RequestContext, dict[str, Any]], Mapping[str, Any] | None]


def principal_account(principal: object | None) -> str | None:
    """The account of whatever principal object the resolver returned."""
    for attr in ("account_id", "account"):
        value = getattr(principal, attr, None)
        if isinstance(value, str) and value:
            return value
    arn = getattr(principal, "arn", None)
    if isinstance(arn, str) and arn.count(":") >= 5:
        return arn.split(":")[4] or None
    return None


@dataclass(frozen=True, slots=True)
class IamOperation:
    name: str
    action: str
    resource: ResourceFn
    handler: HandlerFn


OPERATIONS: dict[str, IamOperation] = {}


def iam_operation(name: str, resource: ResourceFn | None = None) -> Callable[[HandlerFn], HandlerFn]:
    """Declare the handler of IAM operation ``name`` and the resource it is authorized on."""

    def register(fn: HandlerFn) -> HandlerFn:
        OPERATIONS[name] = IamOperation(name, f"iam:{name}", resource or (lambda p, a, s: "*"), fn)
        return fn

    return register


def required_authorization(
    operation: str, params: Mapping[str, Any], account_id: str, store: Store | None = None
) -> tuple[str, str]:
    """``(action, resource ARN)`` the engine must allow before ``operation`` runs.

    With ``store`` the ARNs of existing users/groups/roles carry their real path.
    """
    op = OPERATIONS[operation]
    return op.action, op.resource(params, account_id, store)


class IamApi:
    """What handlers need: the store and the account a request acts on."""

    def __init__(
        self, store: Store, default_account_id: str | None = None, organization: Organization | None = None
    ) -> None:
        self.store = store
        self.default_account_id = default_account_id
        self.organization = organization  # ``serve --org``: the simulator includes its SCPs

    def account(self, ctx: RequestContext) -> str:
        account = principal_account(ctx.principal) or self.default_account_id
        if account is None:
            raise InvalidInput("The caller has no account.")
        return account

    @staticmethod
    def caller_user(ctx: RequestContext, params: Mapping[str, Any]) -> str:
        """``UserName`` or, when omitted, the calling user (AWS's rule for self-service calls)."""
        name = params.get("UserName") or getattr(ctx.principal, "user_name", None)
        if not name:
            raise AwsError(
                "ValidationError", "Must specify userName when calling with non-User credentials", 400
            )
        return str(name)


def paginate(items: Sequence[Any], params: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``{key: page, IsTruncated, Marker?}`` from ``MaxItems``/``Marker`` (opaque offset)."""
    start = 0
    marker = params.get("Marker")
    if marker:
        try:
            start = int(base64.urlsafe_b64decode(marker.encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("Invalid Marker.") from None
        if start < 0:
            raise InvalidInput("Invalid Marker.")
    size = params.get("MaxItems") or DEFAULT_MAX_ITEMS
    page = list(items[start : start + size])
    out: dict[str, Any] = {key: page, "IsTruncated": start + size < len(items)}
    if out["IsTruncated"]:
        out["Marker"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return out
