"""Policy documents: parse IAM policy JSON into compiled, immutable statements.

Grammar per spec §2.1: ``Version``, ``Id``, ``Statement`` (object or list);
each statement has ``Sid``, ``Effect``, ``Principal``/``NotPrincipal``,
``Action``/``NotAction``, ``Resource``/``NotResource`` and ``Condition``.
Scalars are accepted wherever lists are; JSON numbers and booleans are read as
their string form. Every structural problem is collected with its JSON path
and raised together as one ``PolicySyntaxError``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable

from ..i18n import N_, Text
from . import iam_texts
from .conditions import Check, Condition, ContextView, parse_operator
from .echo import echo, echo_repr
from .errors import PolicySyntaxError, Problem
from .patterns import compile_glob_set, compile_pieces, has_wildcard
from .variables import Part, has_variables, resolve_pieces, split_variables

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"
VERSIONS = (VERSION_2012, VERSION_2008)


class PolicyKind(Enum):
    """Where a document is used; decides whether Principal is required or forbidden."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    BOUNDARY = "boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"

    @property
    def needs_principal(self) -> bool:
        return self in (PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP)

    @property
    def needs_resource(self) -> bool:
        return self in (PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION)

    @property
    def label(self) -> str:
        """The kind in messages: "identity policy", "SCP" (the abbreviations already say "policy")."""
        return _KIND_LABELS[self]

    @property
    def noun(self) -> str:
        """The label with its article, by sound: "an identity policy", "a trust policy", "an SCP"."""
        label = self.label
        return f"{'an' if label[0] in 'aeiouAEIOU' or label in ('SCP', 'RCP') else 'a'} {label}"


_KIND_LABELS = {
    PolicyKind.IDENTITY: "identity policy",
    PolicyKind.RESOURCE: "resource policy",
    PolicyKind.TRUST: "trust policy",
    PolicyKind.BOUNDARY: "permissions boundary",
    PolicyKind.SESSION: "session policy",
    PolicyKind.SCP: "SCP",
    PolicyKind.RCP: "RCP",
}


#: ``PolicyKind.noun`` for messages, marked for translation
KIND_NOUNS = {
    PolicyKind.IDENTITY: N_("an identity policy"),
    PolicyKind.RESOURCE: N_("a resource policy"),
    PolicyKind.TRUST: N_("a trust policy"),
    PolicyKind.BOUNDARY: N_("a permissions boundary"),
    PolicyKind.SESSION: N_("a session policy"),
    PolicyKind.SCP: N_("an SCP"),
    PolicyKind.RCP: N_("an RCP"),
}


def _problem(path: str, message: str | Text, iam: str) -> Problem:
    return Problem(path, str(message), iam, text=message if isinstance(message, Text) else None)


class Effect(Enum):
    ALLOW = "Allow"
    DENY = "Deny"


_STATEMENT_KEYS = {
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
}
_TOP_KEYS = {"Version", "Id", "Statement"}
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


def _as_text(value: Any) -> str | None:
    """JSON scalars as IAM reads them: ``true`` → ``"true"``, ``10`` → ``"10"``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """A ``Principal``/``NotPrincipal`` element: principal type → values."""

    entries: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def is_everyone(self) -> bool:
        return any(t == "AWS" and "*" in vs for t, vs in self.entries)

    def values(self, principal_type: str) -> tuple[str, ...]:
        for t, vs in self.entries:
            if t == principal_type:
                return vs
        return ()


@dataclass(frozen=True, slots=True)
class ResourcePattern:
    """One ``Resource`` entry; variables live only in ``2012-10-17`` policies."""

    text: str
    parts: tuple[Part, ...] | None  # None: no variables to resolve


def _always_applies(resource: str, values: Any, ctx: Any) -> bool:
    return True


@dataclass(frozen=True, slots=True, eq=False)
class Statement:
    """One compiled statement. ``index`` is its 0-based position in the policy."""

    index: int
    sid: str | None
    effect: Effect
    principal: PrincipalSpec | None
    not_principal: bool
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[ResourcePattern, ...] | None  # None: no Resource element
    not_resource: bool
    conditions: tuple[Condition, ...]
    _action_cache: dict[str, bool] = field(default_factory=dict, repr=False)
    _static_resources: Any = field(default=None, repr=False)
    # derived in __post_init__ for the authorizer's hot path
    _var_resources: tuple[tuple[Part, ...], ...] = field(default=(), repr=False)
    #: no Principal and no Condition: only the resource decides whether it applies
    _plain: bool = field(default=False, repr=False)
    #: ``Resource`` (not NotResource) lists a bare ``*``, or there is no Resource element
    _any_resource: bool = field(default=False, repr=False)
    #: ``Resource`` of fixed patterns only (no variables, not NotResource): the
    #: compiled set's ``match`` (value -> bool), so the authorizer skips ``matches_resource``
    _resource_match: Any = field(default=None, repr=False)
    #: the compiled Action/NotAction list's ``match`` (value -> bool), case-insensitive
    _actions_match: Any = field(default=None, repr=False)
    #: no Principal: ``applies(resource, values, ctx) -> bool``, the whole
    #: statement test in one call (see ``_compile_applies``); else None
    _applies: Any = field(default=None, repr=False)
    #: ``_applies`` in two halves, for a statement without a Principal whose resource
    #: test needs no request context: ``(resource_test, conditions_test, values_test)``, where
    #: ``resource_test(resource) -> bool`` is None for any resource,
    #: ``conditions_test(resource, values, ctx) -> bool`` is None without conditions, and
    #: ``values_test(values) -> bool`` is the same test when every condition has a ``_check``
    #: (see ``_compile_split``); else None
    _split: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "_plain", self.principal is None and not self.conditions)
        setattr_(self, "_actions_match", compile_glob_set(self.actions, True).match)
        if self.resources is None:
            setattr_(self, "_any_resource", True)
        else:
            static = tuple(r.text for r in self.resources if r.parts is None)
            if static:
                setattr_(self, "_static_resources", compile_glob_set(static, False))
            setattr_(self, "_var_resources", tuple(r.parts for r in self.resources if r.parts is not None))
            setattr_(self, "_any_resource", not self.not_resource and "*" in static)
            if static and len(static) == len(self.resources) and not self.not_resource:
                setattr_(self, "_resource_match", self._static_resources.match)
        setattr_(self, "_applies", self._compile_applies())
        setattr_(self, "_split", self._compile_split())

    def _compile_applies(self) -> Any:
        """The statement's whole test, for a statement without a Principal, in one closure.

        ``applies(resource, values, ctx)``: ``ctx`` a ``RequestContext``,
        ``values`` its ``_values`` dict. The same
        steps as the authorizer's loop, in the same order: the resource (skipped
        for a bare ``*``), then each condition until one is false, each through
        its ``Condition._check`` when it has one, else ``evaluate``. A
        ``ConditionError`` propagates; the authorizer then runs its step-by-step
        path for this statement, which meets the same error and reports it.
        None for a statement with a Principal (the caller must be classified).
        """
        if self.principal is not None:
            return None
        checks: list[Check] = []
        slow = False
        for cond in self.conditions:
            if cond._check is None:
                slow = True
                break
            checks.append(cond._check)
        rm: Any = None
        if self._any_resource:
            pass
        elif self._resource_match is not None:
            rm = self._resource_match
        else:
            slow = True
        if slow:
            return self._stepwise_applies()
        if not checks:
            if rm is None:
                return _always_applies
            return lambda resource, values, ctx: rm(resource)
        if len(checks) == 1:
            (c1,) = checks
            if rm is None:
                return lambda resource, values, ctx: c1(values)
            return lambda resource, values, ctx: rm(resource) and c1(values)
        if len(checks) == 2:
            c1, c2 = checks
            if rm is None:
                return lambda resource, values, ctx: c1(values) and c2(values)
            return lambda resource, values, ctx: rm(resource) and c1(values) and c2(values)
        fixed = tuple(checks)

        def applies(resource: str, values: Any, ctx: Any) -> bool:
            if rm is not None and not rm(resource):
                return False
            for c in fixed:
                if not c(values):
                    return False
            return True

        return applies

    def _stepwise_applies(self) -> Any:
        """``_compile_applies`` for a statement with variables or NotResource: the
        resource through ``matches_resource``, conditions through ``evaluate`` where
        they have no ``_check``."""
        any_resource = self._any_resource
        rm = self._resource_match
        matches_resource = self.matches_resource
        steps = tuple((c._check, c.evaluate) for c in self.conditions)

        def applies(resource: str, values: Any, ctx: Any) -> bool:
            if not any_resource:
                if rm is not None:
                    if not rm(resource):
                        return False
                elif not matches_resource(resource, ctx):
                    return False
            for check, evaluate in steps:
                if check is not None:
                    if not check(values):
                        return False
                elif not evaluate(ctx):
                    return False
            return True

        return applies

    def _compile_split(self) -> Any:
        """``(resource_test, conditions_test, values_test)``: ``_applies`` is
        ``resource_test(resource) and conditions_test(resource, values, ctx)``, each half None
        when it always holds.

        A plan that knows the resource asks the first half once per resource
        (``evaluation.plan``) and only the second per request. The conditions are
        asked in the same order and the same way as in ``_applies``. ``values_test(values)``
        is ``conditions_test`` for conditions that all have a ``_check`` (they read only
        the context's dict), one call fewer per request; else None.
        """
        if self.principal is not None:
            return None
        if self._any_resource:
            resource_test = None
        elif self._resource_match is not None:
            resource_test = self._resource_match
        else:
            return None  # variables or NotResource: the resource test reads the context
        if not self.conditions:
            return resource_test, None, None
        steps = tuple((c._check, c.evaluate) for c in self.conditions)
        checks = tuple(check for check, _ in steps if check is not None)
        values_test: Any = None
        if len(checks) == len(steps):
            if len(checks) == 1:
                values_test = checks[0]
            elif len(checks) == 2:
                v1, v2 = checks
                values_test = lambda values: v1(values) and v2(values)
            else:
                def values_test(values: Any) -> bool:
                    for check in checks:
                        if not check(values):
                            return False
                    return True
        if len(steps) == 1 and steps[0][0] is not None:
            c1 = steps[0][0]
            return resource_test, lambda resource, values, ctx: c1(values), values_test
        if len(steps) == 2 and steps[0][0] is not None and steps[1][0] is not None:
            c1, c2 = steps[0][0], steps[1][0]
            return resource_test, lambda resource, values, ctx: c1(values) and c2(values), values_test

        def conditions_test(resource: str, values: Any, ctx: Any) -> bool:
            for check, evaluate in steps:
                if check is not None:
                    if not check(values):
                        return False
                elif not evaluate(ctx):
                    return False
            return True

        return resource_test, conditions_test, values_test

    def matches_resource(self, resource: str, ctx: ContextView) -> bool:
        """Case-sensitive glob over the whole ARN (spec §2.4); no element = the attached resource.

        A pattern whose variable cannot be resolved matches no resource.
        """
        if self.resources is None:
            return True
        hit = False
        rx = self._static_resources
        if rx is not None and rx.match(resource):
            hit = True
        else:
            for parts in self._var_resources:
                pieces = resolve_pieces(parts, ctx.single)
                if pieces is not None and compile_pieces(pieces).match(resource):
                    hit = True
                    break
        return hit != self.not_resource

    def matches_action(self, action: str) -> bool:
        """Case-insensitive glob over the whole ``service:Action`` (spec §2.3)."""
        hit = self._action_cache.get(action)
        if hit is None:
            hit = self._actions_match(action) != self.not_action
            if len(self._action_cache) < 4096:
                self._action_cache[action] = hit
        return hit

    @property
    def service_prefixes(self) -> frozenset[str] | None:
        """Lower-cased services this statement's Action can match; None = any."""
        if self.not_action:
            return None
        out = set()
        for a in self.actions:
            svc = a.split(":", 1)[0].lower() if ":" in a else a.lower()
            if has_wildcard(svc):
                return None
            out.add(svc)
        return frozenset(out)


@dataclass(frozen=True, slots=True, eq=False)
class Policy:
    """A parsed policy document.

    ``name`` identifies it in decisions (policy name, ARN, or a position such
    as ``identity[0]``); ``document`` keeps the JSON as given so it can be
    shown, stored or re-validated.
    """

    name: str
    kind: PolicyKind
    version: str | None
    id: str | None
    statements: tuple[Statement, ...]
    document: Any = field(repr=False, default=None)
    #: lower-cased action -> this policy's ``(policy, statement)`` pairs whose Action matches it, in
    #: order (``evaluation.policyset._picks``): many policy sets share a managed policy, and each
    #: asks it per action. At most 4,096 actions, like ``Statement._action_cache``.
    _picks: dict[str, tuple[tuple[Policy, Statement], ...]] = field(default_factory=dict, repr=False)

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are interpreted only under ``2012-10-17`` (spec §2.2)."""
        return self.version == VERSION_2012


#: duplicate keys reported per document (a hostile document may repeat a key a million times)
MAX_DUPLICATES_REPORTED = 20
#: what a policy document must be, for the message when it is JSON but not an object
NOT_AN_OBJECT = "the policy document must be a JSON object with Version and Statement"


def json_kind(value: Any) -> str:
    """A decoded JSON value's kind in words, for "got …" in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _paths_of(root: Any, targets: set[int]) -> dict[int, str]:
    """The JSON path of each object in ``targets`` (by identity), found by one walk from ``root``."""
    found: dict[int, str] = {}
    stack: list[tuple[Any, str]] = [(root, "$")]
    while stack and len(found) < len(targets):
        node, path = stack.pop()
        if isinstance(node, dict):
            if id(node) in targets:
                found[id(node)] = path
            stack.extend((v, f"{path}.{k}") for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(node))
    return found


#: Deepest nesting of objects and arrays accepted in JSON text. A policy needs 6
#: (document > Statement > statement > Condition > operator > key > values); an
#: account file from get-account-authorization-details about 13. Every value
#: this module hands out is at most this deep, so no recursive reader after it
#: (the validators, ``json.dumps``) can run out of stack on hostile input;
#: json's own C decoder refuses deeper input with ``RecursionError``, caught.
MAX_JSON_DEPTH = 64

# A JSON string literal (possessive: linear time) or one bracket.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]', re.DOTALL)
# Literals Python's json accepts that JSON (RFC 8259) does not.
_NON_JSON_CONSTANTS = re.compile(r'"(?:[^"\\]++|\\.)*+"|(-?Infinity|NaN)', re.DOTALL)


_TOO_DEEP: Any = object()


class _NotJson(ValueError):
    """Strict-JSON refusal raised from inside the decoder's hooks."""


def _position(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line} column {column} (char {index})"


def _too_deep(text: str, limit: int) -> int | None:
    """Index of the first bracket nested deeper than ``limit``, or None (linear scan).

    Only run to name the position once a document is known to be too deep.
    """
    depth = 0
    for m in _TOKENS.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > limit:
                return m.start()
        elif c in "]}":
            depth -= 1
    return None


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether decoded JSON nests containers more than ``limit`` deep (level by level)."""
    level = [value]
    depth = 1
    while level:
        if depth > limit:
            return True
        below: list[Any] = []
        for node in level:
            below += [c for c in (node.values() if type(node) is dict else node)
                      if type(c) is dict or type(c) is list]
        level = below
        depth += 1
    return False


def _reject_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON value")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        raise _NotJson(f"the number {literal[:32]} is out of range")
    return value


#: Python's own limit for int(str) (sys.int_info.default_max_str_digits).
MAX_INTEGER_DIGITS = 4300


def _bounded_int(literal: str) -> int:
    if len(literal) > MAX_INTEGER_DIGITS:
        raise _NotJson(f"the number {literal[:32]} is out of range")
    return int(literal)


def _not_json(message: str) -> Problem:
    """Text that is not JSON: IAM says "This policy contains invalid Json" (spec §5.4)."""
    return Problem("$", message, iam_texts.INVALID_JSON)


def strict_json(text: str | bytes, source: str | None = None, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON text strictly (RFC 8259), or raise ``PolicySyntaxError`` naming the position.

    Refused: duplicate keys (spec §2.1), ``NaN``/``Infinity``/``-Infinity``
    (Python's ``json`` accepts them), numbers that overflow a double
    (``1e999``), integers over 4,300 digits, nesting deeper than ``max_depth``,
    and text that is not UTF-8.
    """
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
    except UnicodeDecodeError as e:
        raise PolicySyntaxError([_not_json(f"not valid JSON: not UTF-8 at byte {e.start}")], source) from None
    duplicates: list[tuple[dict[str, Any], str]] = []

    def note_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for k, v in pairs:
            if k in obj and len(duplicates) < MAX_DUPLICATES_REPORTED:
                duplicates.append((obj, k))
            obj[k] = v
        return obj

    try:
        value = json.loads(
            text,
            object_pairs_hook=note_duplicates,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except _NotJson as e:
        raise PolicySyntaxError([_not_json(f"not valid JSON: {e} at {_locate_bad_literal(text, str(e))}")],
                                source) from None
    except ValueError as e:
        raise PolicySyntaxError([_not_json(f"not valid JSON: {echo(str(e), 200)}")], source) from None
    except RecursionError:  # json's C decoder checks its depth against the recursion limit
        value = _TOO_DEEP
    # Few brackets cannot nest deeply: the common case costs two counts.
    if value is _TOO_DEEP or (
        text.count("[") + text.count("{") > max_depth and _deeper_than(value, max_depth)
    ):
        at = _too_deep(text, max_depth)
        where = _position(text, at) if at is not None else "an unknown position"
        raise PolicySyntaxError(
            [_not_json(f"not valid JSON: nested too deeply (more than {max_depth} levels) at {where}")], source
        )
    if duplicates:
        # json does not say where an object is while building it: find each repeating object's path after
        paths = _paths_of(value, {id(o) for o, _ in duplicates})
        raise PolicySyntaxError(
            [Problem(paths.get(id(o), "$"), f"duplicate key {k!r}: IAM rejects a key given twice in one object",
                     iam_texts.INVALID_JSON)
             for o, k in duplicates],
            source,
        )
    return value


def _locate_bad_literal(text: str, message: str) -> str:
    """Where the refused literal is: hooks are not told the position, so find it."""
    if message.startswith("the number "):
        literal = message[len("the number "):].split(" ", 1)[0]
        index = -1
        for m in re.finditer(r'"(?:[^"\\]++|\\.)*+"|[-+0-9.eE]+', text):
            if m.group().startswith(literal):
                index = m.start()
                break
    else:
        index = next((m.start(1) for m in _NON_JSON_CONSTANTS.finditer(text) if m.group(1)), -1)
    return _position(text, index) if index >= 0 else "an unknown position"


def load_json(text: str | bytes, source: str | None = None) -> Any:
    """Parse policy JSON text strictly: :func:`strict_json` (spec §2.1)."""
    return strict_json(text, source)


def parse_policy(
    document: Any,
    kind: PolicyKind = PolicyKind.IDENTITY,
    name: str = "policy",
) -> Policy:
    """Parse and check a policy document (a dict, or JSON text).

    Raises ``PolicySyntaxError`` listing every structural problem with its
    JSON path and what is accepted there.
    """
    if isinstance(document, (str, bytes)):
        document = load_json(document, name)
    problems: list[Problem] = []
    policy = _Parser(kind, problems).policy(document, name)
    if problems or policy is None:
        raise PolicySyntaxError(problems, name)
    return policy


@dataclass(frozen=True, slots=True)
class TolerantParse:
    """A document AWS would refuse to store, read the way AWS evaluates what it holds.

    ``policy`` holds the statements that can be evaluated: a principal entry
    with a wildcard inside it is left out of its statement (it matches nothing,
    spec §1.4); a statement with an unknown condition operator is left out
    (its condition is false, spec §2.5); any other statement the parser
    rejects is left out too (it matches nothing). ``problems`` lists what was
    wrong, with JSON paths. ``unreadable_denies``: the paths of left-out
    statements that are, or may be, a ``Deny``: what they would have denied is
    unknown, so the authorizer fails closed on them (see ``PolicySet.problems``).
    """

    policy: Policy
    problems: tuple[Problem, ...]
    unreadable_denies: tuple[str, ...] = ()


def parse_policy_tolerant(
    document: Any,
    kind: PolicyKind = PolicyKind.IDENTITY,
    name: str = "policy",
) -> TolerantParse:
    """Parse a document for evaluation even when IAM would refuse it (spec §1.4, §2.5).

    Raises ``PolicySyntaxError`` only when nothing can be evaluated: the text is
    not JSON, or it is not an object with a ``Statement``.
    """
    if isinstance(document, (str, bytes)):
        document = load_json(document, name)
    problems: list[Problem] = []
    parser = _Parser(kind, problems, lenient=True)
    policy = parser.policy(document, name)
    if policy is None:
        raise PolicySyntaxError(problems + parser.tolerated, name)
    return TolerantParse(policy, tuple(problems + parser.tolerated), tuple(parser.unreadable_denies))


class _Parser:
    def __init__(self, kind: PolicyKind, problems: list[Problem], lenient: bool = False):
        self.kind = kind
        self.problems = problems
        #: lenient (``parse_policy_tolerant``): problems that leave a statement evaluable
        self.lenient = lenient
        self.tolerated: list[Problem] = []
        self.unreadable_denies: list[str] = []
        self._never = False  # lenient: the current statement can never apply (§2.5)

    def bad(self, path: str, message: str | Text, iam: str = iam_texts.SYNTAX) -> None:
        self.problems.append(_problem(path, message, iam))

    def tolerate(self, path: str, message: str | Text, iam: str = iam_texts.SYNTAX) -> None:
        """A problem IAM refuses but evaluation can live with (lenient mode only)."""
        (self.tolerated if self.lenient else self.problems).append(_problem(path, message, iam))

    def policy(self, doc: Any, name: str) -> Policy | None:
        if not isinstance(doc, dict):
            self.bad("$", f"{NOT_AN_OBJECT}, got {json_kind(doc)}")
            return None
        for k in doc:
            if k not in _TOP_KEYS:
                self.bad(f"$.{k}", N_("unknown element; accepted: Version, Id, Statement"))
        version = doc.get("Version")
        if version is not None and version not in VERSIONS:
            self.bad(
                "$.Version",
                N_("must be {new!r} or {old!r}, got {value}", new=VERSION_2012, old=VERSION_2008,
                   value=echo_repr(version)),
                iam_texts.LEGACY_PARSING,
            )
        pid = doc.get("Id")
        if pid is not None and not isinstance(pid, str):
            self.bad("$.Id", N_("must be a string"))
            pid = None
        if "Statement" not in doc:
            self.bad("$", N_("missing required element Statement"))
            return None
        raw = doc["Statement"]
        if isinstance(raw, dict):
            items, paths = [raw], ["$.Statement"]
        elif isinstance(raw, list):
            items, paths = raw, [f"$.Statement[{i}]" for i in range(len(raw))]
            if not raw:
                self.bad("$.Statement", N_("must contain at least one statement"))
        else:
            self.bad("$.Statement", N_("must be a statement object or a list of them"))
            return None
        variables = version == VERSION_2012
        statements = []
        for i, (st, path) in enumerate(zip(items, paths, strict=True)):
            parsed = self.statement(st, path, i, variables)
            if parsed is not None:
                statements.append(parsed)
        return Policy(name, self.kind, version, pid, tuple(statements), doc)

    def strings(self, value: Any, path: str, what: str) -> tuple[str, ...] | None:
        vals = value if isinstance(value, list) else [value]
        out = []
        for j, v in enumerate(vals):
            t = _as_text(v)
            p = f"{path}[{j}]" if isinstance(value, list) else path
            if t is None:
                self.bad(p, N_("{what} must be a string or a list of strings", what=what))
                return None
            out.append(t)
        if not out:
            self.bad(path, N_("{what} must not be empty", what=what))
            return None
        return tuple(out)

    def statement(self, st: Any, path: str, index: int, variables: bool) -> Statement | None:
        if not isinstance(st, dict):
            self.bad(path, N_("a statement must be a JSON object"))
            return None
        before = len(self.problems)
        self._never = False
        for k in st:
            if k not in _STATEMENT_KEYS:
                self.bad(
                    f"{path}.{k}",
                    N_("unknown element; accepted: Sid, Effect, Principal, NotPrincipal, Action, "
                       "NotAction, Resource, NotResource, Condition"),
                )
        sid = st.get("Sid")
        if sid is not None and not isinstance(sid, str):
            self.bad(f"{path}.Sid", N_("must be a string"))
        effect_raw = st.get("Effect")
        effect = None
        if effect_raw is None:
            self.bad(f"{path}.Effect", N_("missing; accepted: \"Allow\" or \"Deny\""))
        elif effect_raw not in ("Allow", "Deny"):
            self.bad(f"{path}.Effect", N_("must be \"Allow\" or \"Deny\" (case-sensitive), got {value}",
                                          value=echo_repr(effect_raw)))
        else:
            effect = Effect(effect_raw)

        principal, not_principal = self.principal(st, path)
        if self.kind is PolicyKind.TRUST:
            for el in ("Resource", "NotResource"):
                if el in st:
                    # IAM refuses it (§5.4); evaluated as held, the role is the resource anyway
                    self.tolerate(
                        f"{path}.{el}",
                        f"a role trust policy must not have {el}: the resource is the role itself",
                        iam_texts.PROHIBITED_RESOURCE,
                    )

        actions, not_action = self.either(st, path, "Action", "NotAction", required=True)
        if actions is not None:
            for a in actions:
                if a != "*" and ":" not in a:
                    self.bad(
                        f"{path}.{'NotAction' if not_action else 'Action'}",
                        N_("{value} is not of the form service:Action (or \"*\")", value=echo_repr(a)),
                    )
        resources_raw, not_resource = self.either(
            st, path, "Resource", "NotResource", required=self.kind.needs_resource
        )
        resources = None
        if resources_raw is not None:
            resources = tuple(
                ResourcePattern(r, split_variables(r) if variables and has_variables(r) else None)
                for r in resources_raw
            )
        conditions = self.conditions(st.get("Condition"), f"{path}.Condition", variables)
        if len(self.problems) > before or effect is None or actions is None:
            if self.lenient and effect_raw != "Allow":
                self.unreadable_denies.append(path)
            return None
        if self._never:
            return None
        return Statement(
            index=index,
            sid=sid if isinstance(sid, str) else None,
            effect=effect,
            principal=principal,
            not_principal=not_principal,
            actions=actions,
            not_action=not_action,
            resources=resources,
            not_resource=not_resource,
            conditions=conditions,
        )

    def either(
        self, st: dict[str, Any], path: str, pos: str, neg: str, required: bool
    ) -> tuple[tuple[str, ...] | None, bool]:
        if pos in st and neg in st:
            self.bad(path, N_("has both {pos} and {neg}; use exactly one", pos=pos, neg=neg))
            return None, False
        if pos in st:
            return self.strings(st[pos], f"{path}.{pos}", pos), False
        if neg in st:
            return self.strings(st[neg], f"{path}.{neg}", neg), True
        if required:
            missing = iam_texts.MISSING_ACTIONS if pos == "Action" else iam_texts.MISSING_RESOURCES
            self.bad(path, N_("missing {pos} (or {neg})", pos=pos, neg=neg), missing)
        return None, False

    def principal(self, st: dict[str, Any], path: str) -> tuple[PrincipalSpec | None, bool]:
        has = "Principal" in st
        has_not = "NotPrincipal" in st
        if has and has_not:
            self.bad(path, N_("has both Principal and NotPrincipal; use exactly one"))
            return None, False
        if not (has or has_not):
            if self.kind.needs_principal:
                self.bad(path, N_("missing Principal: {kind} must name who it applies to", kind=KIND_NOUNS[self.kind]))
            return None, False
        el = "Principal" if has else "NotPrincipal"
        if not self.kind.needs_principal:
            self.bad(
                f"{path}.{el}",
                N_("{kind} must not specify a principal "
                   "(Principal belongs in resource and trust policies)", kind=KIND_NOUNS[self.kind]),
                iam_texts.PRINCIPAL_FORBIDDEN,
            )
            return None, False
        if has_not and self.kind is PolicyKind.TRUST:
            self.bad(f"{path}.NotPrincipal", N_("role trust policies cannot use NotPrincipal"))
            return None, False
        raw = st[el]
        ppath = f"{path}.{el}"
        if raw == "*":
            return PrincipalSpec((("AWS", ("*",)),)), has_not
        if not isinstance(raw, dict) or not raw:
            self.bad(ppath, N_('must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}'))
            return None, False
        entries = []
        for t, vs in raw.items():
            if t not in PRINCIPAL_TYPES:
                self.bad(f"{ppath}.{t}", N_("unknown principal type; accepted: {types}",
                                            types=", ".join(PRINCIPAL_TYPES)))
                continue
            vals = self.strings(vs, f"{ppath}.{t}", f"{el} {t}")
            if vals is None:
                continue
            kept = []
            for v in vals:
                if t == "AWS" and v != "*" and has_wildcard(v):
                    # not a wildcard: IAM refuses it; evaluated, the entry matches nothing (§1.4)
                    self.tolerate(
                        f"{ppath}.{t}",
                        N_("{value}: wildcards are not allowed inside principal ARNs; "
                           'use "*" with an aws:PrincipalArn ArnLike condition', value=echo_repr(v)),
                        iam_texts.invalid_principal(t, v),
                    )
                else:
                    kept.append(v)
            entries.append((t, tuple(kept)))
        return PrincipalSpec(tuple(entries)), has_not

    def conditions(self, raw: Any, path: str, variables: bool) -> tuple[Condition, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, dict):
            self.bad(path, N_('must be an object: {"Operator": {"key": value or [values]}}'))
            return ()
        out = []
        for op_text, block in raw.items():
            try:
                op = parse_operator(op_text)
            except ValueError as e:
                # evaluated, an unknown operator is a false condition (§2.5): the statement never applies
                self.tolerate(f"{path}.{op_text}", str(e))
                self._never = True
                continue
            if not isinstance(block, dict):
                self.bad(f"{path}.{op_text}", N_('must be an object: {"key": value or [values]}'))
                continue
            for key, vals in block.items():
                kp = f"{path}.{op_text}.{key}"
                values = self.strings(vals, kp, "a condition value")
                if values is None:
                    continue
                if op.is_null:
                    for v in values:
                        if v.lower() not in ("true", "false"):
                            # evaluated as held: such a value never matches (§2.5)
                            self.tolerate(kp, N_('Null takes "true" or "false", got {value}', value=echo_repr(v)))
                out.append(Condition.build(op, key, values, variables))
        return tuple(out)


def parse_policies(docs: Iterable[Any], kind: PolicyKind, prefix: str) -> tuple[Policy, ...]:
    """Parse several documents of one kind, named ``prefix[i]``."""
    return tuple(parse_policy(d, kind, f"{prefix}[{i}]") for i, d in enumerate(docs))
