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


class RequestContext:
    """Condition keys of one request; implements ``policy.conditions.ContextView``."""

    __slots__ = ("_values", "_multi")

    def __init__(self, values: Mapping[str, Any] | None = None):
        vals: dict[str, tuple[str, ...]] = {}
        self._values = vals
        self._multi: set[str] = set()
        if values:
            for k, v in values.items():  # the common case: every value a string
                if type(v) is not str:
                    break
                vals[k.lower()] = (v,)
            else:
                # a string value is multivalued exactly when its key is a known multivalued one
                if not KNOWN_MULTIVALUED.isdisjoint(vals):
                    self._multi = set(KNOWN_MULTIVALUED.intersection(vals))
                return
            vals.clear()
            for k, v in values.items():
                self.set(k, v)

    def set(self, key: str, value: Any) -> None:
        k = key.lower()
        if type(value) is str:  # the common case, kept short: built for every request
            self._values[k] = (value,)
            if k in KNOWN_MULTIVALUED:
                self._multi.add(k)
            elif self._multi:
                self._multi.discard(k)
            return
        if isinstance(value, (list, tuple, set, frozenset)):
            vals = tuple(_text(x) for x in value)
            multi = k in KNOWN_MULTIVALUED or not (
                len(vals) == 1 and k.startswith(KNOWN_SINGLE_PREFIXES)
            )
            if multi:
                self._multi.add(k)
            else:
                self._multi.discard(k)
            self._values[k] = vals
        else:
            self._values[k] = (_text(value),)
            if k in KNOWN_MULTIVALUED:
                self._multi.add(k)
            else:
                self._multi.discard(k)

    def setdefault(self, key: str, value: Any) -> None:
        k = key.lower()
        if k not in self._values:
            self.set(k, value)

    def values(self, key: str) -> tuple[str, ...] | None:
        return self._values.get(key)

    def multivalued(self, key: str) -> bool:
        return key in self._multi

    def single(self, key: str) -> str | None:
        """Value of a single-valued key, for policy variables (multivalued keys can't be variables)."""
        v = self._values.get(key)
        if v is None or len(v) != 1 or key in self._multi:
            return None
        return v[0]

    def keys(self) -> Iterable[str]:
        return self._values.keys()

    def as_dict(self) -> dict[str, Any]:
        return {k: (list(v) if k in self._multi else v[0]) for k, v in self._values.items()}

    def copy(self) -> RequestContext:
        c = RequestContext()
        c._values = dict(self._values)
        c._multi = set(self._multi)
        return c


def principal_keys(caller: Caller) -> dict[str, str]:
    """Keys the engine derives from the caller (spec §3.1); supplied values override them."""
    return dict(_principal_keys(caller))


@lru_cache(maxsize=4096)
def _principal_keys(caller: Caller) -> tuple[tuple[str, str], ...]:
    """Memoised per caller (a frozen value): a server or an analysis asks for the same callers often."""
    return tuple(_derive_principal_keys(caller).items())


@lru_cache(maxsize=4096)
def _principal_values(caller: Caller) -> tuple[tuple[str, tuple[str]], ...]:
    """``_principal_keys`` as ``RequestContext`` stores them: lower-cased key, 1-tuple value.

    None of these keys is multivalued, so ``Request.build`` can add them to the
    context's dict directly instead of going through ``RequestContext.set``.
    """
    out = tuple((k.lower(), (v,)) for k, v in _principal_keys(caller))
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
