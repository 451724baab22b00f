"""An authorization request: who, what action, on which resource, with which context (spec §1.1)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from ..model.principal import Caller
from .context import RequestContext, _principal_values

#: Actions whose resource policy, on a role, is the role's trust policy (spec §1.6).
TRUST_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
    }
)


@lru_cache(maxsize=8192)
def _resource_kind(resource: str) -> str | None:
    """"role" for an IAM role ARN, "kms-key" for a KMS key ARN (memoised: asked on every decision)."""
    parts = resource.split(":", 5)  # ``Arn.parse`` without building the Arn
    if len(parts) != 6 or parts[0] != "arn":
        return None
    service, rest = parts[2], parts[5]
    if service == "iam" and rest.startswith("role/"):
        return "role"
    if service == "kms" and rest.startswith("key/"):
        return "kms-key"
    return None


@lru_cache(maxsize=4096)
def _caller(principal: str, principal_entity: str | None) -> Caller:
    """Callers are frozen values; the same few principals are asked about again and again."""
    return Caller.from_arn(principal, entity_arn=principal_entity)


@lru_cache(maxsize=4096)
def _caller_and_keys(principal: str, principal_entity: str | None) -> tuple[Caller, dict[str, str]]:
    """``_caller`` with its derived keys, keyed by the strings: hashing a ``Caller``
    (a frozen dataclass of eight fields) costs more than the rest of the look-up.

    The keys as a dict, which ``RequestContext`` copies in one call (never changed)."""
    caller = _caller(principal, principal_entity)
    return caller, dict(_principal_values(caller))


@lru_cache(maxsize=4096)
def _caller_and_keys_of(principal: str) -> tuple[Caller, dict[str, str]]:
    """``_caller_and_keys(principal, None)``: a cache keyed by one string skips building a key tuple."""
    return _caller_and_keys(principal, None)


@lru_cache(maxsize=8192)
def _resource_account(resource: str) -> str | None:
    parts = resource.split(":", 5)  # ``Arn.parse(resource).account`` without building the Arn
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts[4] or None


@dataclass(frozen=True, slots=True)
class Request:
    caller: Caller
    action: str
    resource: str
    resource_account: str | None
    context: RequestContext

    def __init__(
        self, caller: Caller, action: str, resource: str, resource_account: str | None, context: RequestContext
    ) -> None:
        # Written out (``dataclass`` keeps a class's own ``__init__``): one Request per
        # decision, and the generated frozen one calls ``object.__setattr__`` per field.
        _set_caller(self, caller)
        _set_action(self, action)
        _set_resource(self, resource)
        _set_resource_account(self, resource_account)
        _set_context(self, context)

    @property
    def action_key(self) -> str:
        """Actions compare case-insensitively (spec §2.3)."""
        return self.action.lower()

    @property
    def same_account(self) -> bool:
        return self.caller.account is not None and self.caller.account == self.resource_account

    @property
    def on_trust_policy(self) -> bool:
        """The resource policy is a role trust policy: identity allow alone never suffices (§1.5)."""
        if self.action.lower() not in TRUST_ACTIONS:
            return False
        return _resource_kind(self.resource) == "role"

    @property
    def on_key_policy(self) -> bool:
        """The resource is a KMS key: its key policy must allow, like a trust policy (§1.3 notes)."""
        return _resource_kind(self.resource) == "kms-key"

    @classmethod
    def build(
        cls,
        principal: str | Caller,
        action: str,
        resource: str = "*",
        context: Mapping[str, Any] | RequestContext | None = None,
        resource_account: str | None = None,
        principal_entity: str | None = None,
        derive_keys: bool = True,
    ) -> Request:
        """Build a request; principal-derived keys (§3.1) are added unless supplied.

        ``resource_account`` defaults to the account in the resource ARN, else
        the caller's account (spec §8).
        """
        if isinstance(principal, Caller):
            caller = principal
            derived = dict(_principal_values(caller)) if derive_keys else None
        elif principal_entity is None:
            caller, derived = _caller_and_keys_of(principal)
        else:
            caller, derived = _caller_and_keys(principal, principal_entity)
        if not derive_keys:
            derived = None
        if isinstance(context, RequestContext):
            ctx = context.copy()
            values = ctx._values  # derived keys are single-valued: add them to the dict directly
            if derived:
                for k, v in derived.items():
                    if k not in values:
                        values[k] = v
        else:
            # the derived keys go in first and the supplied ones over them: supplied values win
            ctx = RequestContext(context, derived)
            values = ctx._values
        if resource_account is None:
            resource_account = _resource_account(resource) or caller.account
        if resource_account and resource_account != "*" and "aws:resourceaccount" not in values:
            values["aws:resourceaccount"] = resource_account
        return cls(caller, action, resource, resource_account, ctx)


# the slot descriptors of the final (slotted) class, used by ``Request.__init__``
_set_caller = Request.__dict__["caller"].__set__
_set_action = Request.__dict__["action"].__set__
_set_resource = Request.__dict__["resource"].__set__
_set_resource_account = Request.__dict__["resource_account"].__set__
_set_context = Request.__dict__["context"].__set__
