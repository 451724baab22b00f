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
        if type(principal) is str and type(context) is dict and derive_keys:
            if resource_account is None:
                resource_account = _resource_account(resource)  # None: the caller's account (below)
            # the account as given or read from the ARN decides the one used (None: the caller's)
            key = (principal, principal_entity, resource_account, *context)
            template = _CONTEXTS.get(key)
            if template is not None:
                vals, names, caller, resource_account = template
                vals = vals.copy()
                i = 0
                for v in context.values():  # the key holds every name, in this order
                    if type(v) is not str:
                        break
                    vals[names[i]] = v
                    i += 1
                else:  # every value a string: the template's keys, this request's values
                    ctx = _new_context(RequestContext)
                    ctx._values = vals
                    ctx._multi = set()
                    if cls is not Request:
                        return cls(caller, action, resource, resource_account, ctx)
                    # ``__init__``'s stores, without its call (one Request per decision)
                    req = _new_request(cls)
                    _set_caller(req, caller)
                    _set_action(req, action)
                    _set_resource(req, resource)
                    _set_resource_account(req, resource_account)
                    _set_context(req, ctx)
                    return req
            if principal_entity is None:
                caller, defaults = _caller_and_keys_of(principal)
            else:
                caller, defaults = _caller_and_keys(principal, principal_entity)
            if resource_account is None:
                resource_account = caller.account
            ctx = _context(context, defaults, resource_account)
            if template is None:
                _remember_context(key, context, ctx, caller, resource_account)
            return cls(caller, action, resource, resource_account, ctx)
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


def _context(context: Mapping[str, Any], derived: dict[str, str], resource_account: str | None) -> RequestContext:
    """The context ``Request.build`` fills from a mapping: the derived keys, the supplied ones over
    them (supplied values win), then ``aws:ResourceAccount`` unless supplied (spec §3.1, §8)."""
    ctx = RequestContext(context, derived)
    values = ctx._values
    if resource_account and resource_account != "*" and "aws:resourceaccount" not in values:
        values["aws:resourceaccount"] = resource_account
    return ctx


#: (principal, principal entity, resource account as given or read from the ARN (None: the
#: caller's), *supplied key names) -> (template, lowered names, caller, resource account).
#: A caller sends the same principals with the same few key names again and again; the
#: template is the dict ``_context`` fills for them, in its order, with ``""`` where a
#: supplied value goes, so a request with string values copies it (sized, no re-hashing)
#: and writes its values in under the lowered names: no lowering, no growing, no
#: multivalued check per request. The context is the one ``_context`` would fill, key for
#: key and in the same order (``tests/evaluation/test_request_templates.py``). Kept only for
#: all-string, single-valued contexts of at most ``_CONTEXTS_KEYS`` names of up to
#: ``_CONTEXTS_KEY_LENGTH`` characters, and principals and accounts of bounded length; one
#: dict, cleared when full, so no stream of requests can grow it (about 20 MB at the most).
_CONTEXTS: dict[tuple[str | None, ...],
                tuple[dict[str, str | tuple[str, ...]], tuple[str, ...], Caller, str | None]] = {}
_CONTEXTS_SIZE = 1024
_CONTEXTS_KEYS = 32
_CONTEXTS_KEY_LENGTH = 128
_CONTEXTS_NAME_LENGTH = 4096
_new_context = RequestContext.__new__


def _remember_context(key: tuple[str | None, ...], context: dict[str, Any], ctx: RequestContext,
                      caller: Caller, resource_account: str | None) -> None:
    """Keep the template of ``ctx``, filled by ``_context`` from ``context``, when it may be kept,
    with the ``caller`` and ``resource_account`` the key stands for (so a hit needs no other look-up)."""
    if ctx._multi or len(context) > _CONTEXTS_KEYS:
        return
    principal, entity, account = key[0], key[1], key[2]
    if len(principal or "") + len(entity or "") + len(account or "") > _CONTEXTS_NAME_LENGTH:
        return
    for k, v in context.items():
        if type(v) is not str or len(k) > _CONTEXTS_KEY_LENGTH:
            return
    values = ctx._values
    supplied = {k.lower() for k in context}
    template = {k: ("" if k in supplied else v) for k, v in values.items()}
    names = {k: k for k in template}  # the template's own key objects: lookups by identity
    lowered = tuple(names[k.lower()] for k in context)
    if len(_CONTEXTS) >= _CONTEXTS_SIZE:
        _CONTEXTS.clear()
    _CONTEXTS[key] = (template, lowered, caller, resource_account)


# the slot descriptors of the final (slotted) class, used by ``Request.__init__``
_set_caller = Request.__dict__["caller"].__set__
_set_action = Request.__dict__["action"].__set__
_set_resource = Request.__dict__["resource"].__set__
_set_resource_account = Request.__dict__["resource_account"].__set__
_set_context = Request.__dict__["context"].__set__
_new_request = Request.__new__
