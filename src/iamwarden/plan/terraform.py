"""Read ``terraform show -json PLANFILE`` output into a change set.

The JSON output format (Terraform docs, "JSON Output Format", ``format_version``
1.x): ``resource_changes[]`` has ``address``, ``module_address``, ``mode``,
``type``, ``name``, ``index`` and ``change`` with ``actions`` (``["create"]``,
``["update"]``, ``["delete"]``, ``["delete","create"]`` or ``["create","delete"]``
for a replacement, ``["no-op"]``, ``["read"]``), ``before``, ``after`` and
``after_unknown`` (the same shape as ``after`` with ``true`` where the value is
known only after apply). ``configuration`` holds the resources as written:
``root_module.resources[]`` with ``address``, ``type``, ``name`` and
``expressions`` (``{"references": [...]}`` or ``{"constant_value": ...}``), and
``module_calls`` (``source``, ``module``) for child modules.

Every ``aws_iam_*`` type that shapes who can do what is read (users, groups,
roles, managed and inline policies, every attachment and membership resource,
boundaries, instance profiles, OIDC providers). A value unknown until apply is
resolved only when it is a plain reference to an attribute this plan determines
(``aws_iam_policy.x.arn`` of a policy whose name and path are known: its ARN is
``arn:aws:iam::ACCOUNT:policy{path}{name}``); otherwise it becomes an ``Unknown``
naming the address and field (docs/decisions/plan-unknown-values.md).
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

from ..i18n import N_, Text
from .changes import (
    Addition,
    AddMember,
    Attach,
    ChangeSet,
    Detach,
    Origin,
    PutEntity,
    PutInline,
    PutInstanceProfile,
    PutManagedPolicy,
    PutOidcProvider,
    Removal,
    RemoveEntity,
    RemoveInline,
    RemoveInstanceProfile,
    RemoveManagedPolicy,
    RemoveMember,
    RemoveOidcProvider,
    ResourceChange,
    Unknown,
    entity_arn,
    policy_arn,
)

#: the account id used when neither the flags, the account data nor the plan's ARNs name one
#: (the documentation account id AWS uses in its examples)
DEFAULT_ACCOUNT_ID = "123456789012"

ENTITY_TYPES = {"aws_iam_user": "user", "aws_iam_group": "group", "aws_iam_role": "role"}
INLINE_TYPES = {"aws_iam_user_policy": "user", "aws_iam_group_policy": "group", "aws_iam_role_policy": "role"}
ATTACH_TYPES = {"aws_iam_user_policy_attachment": "user", "aws_iam_group_policy_attachment": "group",
                "aws_iam_role_policy_attachment": "role"}
OTHER_TYPES = ("aws_iam_policy", "aws_iam_policy_attachment", "aws_iam_group_membership",
               "aws_iam_user_group_membership", "aws_iam_instance_profile", "aws_iam_openid_connect_provider")
#: every resource type read (the others are listed in the change set's notes)
#: the entity kinds as a sentence names them ("the {kind}'s name"), in the reader's language
KIND_WORDS = {"user": N_("user"), "group": N_("group"), "role": N_("role")}
#: what an unknown value's change becomes
LEFT_OUT = N_("left out of the after state")
LEFT_OUT_POLICY = N_("the policy is left out: cannot decide what it grants")
READ_TYPES = frozenset(ENTITY_TYPES) | frozenset(INLINE_TYPES) | frozenset(ATTACH_TYPES) | frozenset(OTHER_TYPES)

_INDEX = re.compile(r"\[[^\]]*\]$")
_ACCOUNT_IN_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):")


class PlanError(ValueError):
    """Not ``terraform show -json`` output, or a resource of an unexpected shape (names where)."""


def _action(actions: Any) -> str:
    acts = list(actions or [])
    if acts in (["delete", "create"], ["create", "delete"]):
        return "replace"
    if len(acts) == 1 and acts[0] in ("create", "update", "delete", "no-op", "read"):
        return str(acts[0])
    raise PlanError(N_("unexpected change.actions {actions!r}", actions=acts))


def config_address(address: str) -> str:
    """``module.m["a"].aws_iam_user.u[0]`` → ``module.m.aws_iam_user.u`` (instance keys dropped)."""
    parts = []
    for part in _split_address(address):
        parts.append(_INDEX.sub("", part))
    return ".".join(parts)


def _split_address(address: str) -> list[str]:
    """Split on dots outside brackets (for_each keys may hold dots)."""
    out: list[str] = []
    buf: list[str] = []
    depth = 0
    for ch in address:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "." and depth == 0:
            out.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    out.append("".join(buf))
    return out


def configuration_resources(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Config address → its configuration block (with ``_module`` = module prefix, ``_sources`` =
    the chain of module ``source`` strings), for the root module and every child module."""
    out: dict[str, dict[str, Any]] = {}
    conf = plan.get("configuration")
    if not isinstance(conf, dict):
        return out
    stack: list[tuple[str, tuple[str, ...], Any]] = [("", (), conf.get("root_module"))]
    seen = 0
    while stack:
        prefix, sources, mod = stack.pop()
        seen += 1
        if not isinstance(mod, dict) or seen > 10_000:
            continue
        for r in mod.get("resources") or []:
            if isinstance(r, dict) and isinstance(r.get("address"), str):
                out[prefix + r["address"]] = {**r, "_module": prefix, "_sources": sources}
        for name, call in (mod.get("module_calls") or {}).items():
            if isinstance(call, dict):
                stack.append((f"{prefix}module.{name}.", sources + (str(call.get("source", "")),), call.get("module")))
    return out


def infer_account_id(plan: dict[str, Any]) -> str | None:
    """The account the plan deploys to, from the ARNs of its IAM resources (known ``arn`` values
    first, then any IAM ARN in their values); ``None`` when there is none or more than one."""
    own: set[str] = set()
    mentioned: set[str] = set()
    for rc in plan.get("resource_changes") or []:
        if not isinstance(rc, dict) or rc.get("type") not in READ_TYPES:
            continue
        for side in ("before", "after"):
            v = (rc.get("change") or {}).get(side)
            if isinstance(v, dict):
                if isinstance(v.get("arn"), str):
                    own.update(_ACCOUNT_IN_ARN.findall(v["arn"]))
                mentioned.update(_ACCOUNT_IN_ARN.findall(json.dumps(v)))
    for found in (own, mentioned):
        if len(found) == 1:
            return next(iter(found))
    return None


class _Reader:
    def __init__(self, plan: dict[str, Any], account_id: str, source: str | None,
                 locations: dict[str, tuple[str, int]] | None) -> None:
        self.plan = plan
        self.account_id = account_id
        self.source = source
        self.config = configuration_resources(plan)
        self.locations = locations or {}
        self.removals: list[Removal] = []
        self.additions: list[Addition] = []
        self.unknowns: list[Unknown] = []
        self.resources: list[ResourceChange] = []
        self.notes: list[Text] = []
        self.planned: dict[str, dict[str, Any]] = {}  # config address → after (known part)
        for rc in plan.get("resource_changes") or []:
            if isinstance(rc, dict) and isinstance((rc.get("change") or {}).get("after"), dict):
                self.planned.setdefault(config_address(str(rc.get("address", ""))), {
                    "type": rc.get("type"), "after": rc["change"]["after"],
                    "unknown": rc["change"].get("after_unknown") or {}})

    def origin(self, address: str) -> Origin:
        loc = self.locations.get(config_address(address))
        return Origin(address, loc[0], loc[1]) if loc else Origin(address, self.source)

    # -- values --------------------------------------------------------------------------

    def value(self, rc: dict[str, Any], key: str) -> tuple[Any, bool]:
        """(value, unknown?) of ``after[key]``, resolving a plain reference to a planned attribute."""
        ch = rc["change"]
        after = ch.get("after") or {}
        unk = (ch.get("after_unknown") or {}).get(key)
        if unk is True:
            resolved = self.resolve(rc, key)
            return (resolved, False) if resolved is not None else (None, True)
        return after.get(key), _has_true(unk)

    def resolve(self, rc: dict[str, Any], key: str) -> str | None:
        conf = self.config.get(config_address(str(rc.get("address", ""))))
        if not conf:
            return None
        expr = (conf.get("expressions") or {}).get(key)
        refs = expr.get("references") if isinstance(expr, dict) else None
        if not refs or not isinstance(expr, dict) or "constant_value" in expr:
            return None
        ref = str(refs[0])
        parts = ref.rsplit(".", 1)
        if len(parts) != 2 or any(r != ref and not ref.startswith(str(r)) for r in refs[1:]):
            return None
        target = self.planned.get(conf["_module"] + parts[0])
        if not target:
            return None
        return _attribute(target, parts[1], self.account_id)

    def configured(self, rc: dict[str, Any], key: str) -> bool:
        conf = self.config.get(config_address(str(rc.get("address", ""))))
        return bool(conf and key in (conf.get("expressions") or {}))

    def unknown(self, rc: dict[str, Any], key: str, what: Text, effect: Text, arn: str | None = None) -> None:
        self.unknowns.append(Unknown(self.origin(str(rc["address"])), key, what, effect, arn))

    # -- resources -------------------------------------------------------------------------

    def read(self) -> None:
        rcs = self.plan.get("resource_changes")
        if rcs is None:
            rcs = []
        if not isinstance(rcs, list):
            raise PlanError(N_("$.resource_changes: expected a list"))
        skipped: dict[str, int] = {}
        for i, rc in enumerate(rcs):
            if not isinstance(rc, dict) or not isinstance(rc.get("change"), dict) or "address" not in rc:
                raise PlanError(N_("$.resource_changes[{i}]: expected an object with address and change", i=i))
            typ = str(rc.get("type", ""))
            if rc.get("mode", "managed") != "managed":
                continue
            try:
                action = _action(rc["change"].get("actions"))
            except PlanError as e:
                raise PlanError(N_("$.resource_changes[{i}] ({address}): {error}", i=i, address=rc["address"],
                                   error=e.args[0])) from None  # _action's marked message
            if typ not in READ_TYPES:
                if typ.startswith("aws_iam_") and action not in ("no-op", "read"):
                    skipped[typ] = skipped.get(typ, 0) + 1
                continue
            if action in ("no-op", "read"):
                continue
            self.resources.append(ResourceChange(self.origin(str(rc["address"])), typ, action))
            before = rc["change"].get("before")
            after = rc["change"].get("after")
            try:
                if action in ("delete", "update", "replace") and isinstance(before, dict):
                    self.remove(rc, typ, before, after if action != "delete" else None)
                if action in ("create", "update", "replace") and isinstance(after, dict):
                    self.add(rc, typ)
            except (TypeError, AttributeError, KeyError) as e:
                raise PlanError(N_("$.resource_changes[{i}] ({address}): unexpected value shape ({error})", i=i,
                                   address=rc["address"], error=str(e))) from None
        for typ, n in sorted(skipped.items()):
            self.notes.append(N_("{n} change(s) of {type} not analysed (no effect on who can do what in the model)",
                                 n=n, type=typ))

    def remove(self, rc: dict[str, Any], typ: str, before: dict[str, Any], after: dict[str, Any] | None) -> None:
        o = self.origin(str(rc["address"]))
        if typ in ENTITY_TYPES:
            # an in-place update or a same-name replacement keeps the entity's other resources
            if after is None or after.get("name") != before.get("name"):
                self.removals.append(RemoveEntity(ENTITY_TYPES[typ], before["name"], o))
            if typ == "aws_iam_role":
                if self.configured(rc, "inline_policy"):
                    for b in before.get("inline_policy") or []:
                        if b.get("name"):
                            self.removals.append(RemoveInline("role", before["name"], b["name"], o))
                if self.configured(rc, "managed_policy_arns"):
                    for arn in before.get("managed_policy_arns") or []:
                        self.removals.append(Detach("role", before["name"], arn, o))
        elif typ in INLINE_TYPES:
            kind = INLINE_TYPES[typ]
            self.removals.append(RemoveInline(kind, before[kind], before["name"], o))
        elif typ in ATTACH_TYPES:
            kind = ATTACH_TYPES[typ]
            self.removals.append(Detach(kind, before[kind], before["policy_arn"], o))
        elif typ == "aws_iam_policy":
            self.removals.append(RemoveManagedPolicy(
                before.get("arn") or policy_arn(self.account_id, before["name"], before.get("path") or "/"), o))
        elif typ == "aws_iam_policy_attachment":
            for kind in ("user", "group", "role"):
                for n in before.get(kind + "s") or []:
                    self.removals.append(Detach(kind, n, before["policy_arn"], o))
        elif typ == "aws_iam_group_membership":
            for u in before.get("users") or []:
                self.removals.append(RemoveMember(u, before["group"], o))
        elif typ == "aws_iam_user_group_membership":
            for g in before.get("groups") or []:
                self.removals.append(RemoveMember(before["user"], g, o))
        elif typ == "aws_iam_instance_profile":
            self.removals.append(RemoveInstanceProfile(before["name"], o))
        elif typ == "aws_iam_openid_connect_provider":
            self.removals.append(RemoveOidcProvider(before.get("url", ""), o))

    def known(self, rc: dict[str, Any], key: str, what: Text, effect: Text) -> Any:
        v, unk = self.value(rc, key)
        if unk:
            self.unknown(rc, key, what, effect)
            return None
        return v

    def add(self, rc: dict[str, Any], typ: str) -> None:
        addr = str(rc["address"])
        o = self.origin(addr)
        skip = N_("this change is left out of the after state")
        if typ in ENTITY_TYPES:
            kind = ENTITY_TYPES[typ]
            name = self.known(rc, "name", N_("the {kind}'s name", kind=KIND_WORDS[kind]), skip)
            if name is None:
                return
            path = self.known(rc, "path", N_("the {kind}'s path", kind=KIND_WORDS[kind]), N_("path / assumed")) or "/"
            boundary = self.known(rc, "permissions_boundary", N_("the permissions boundary"),
                                  N_("the entity is analysed without a boundary")) if kind != "group" else None
            trust = None
            if kind == "role":
                trust = self.known(rc, "assume_role_policy", N_("the trust policy (assume_role_policy)"),
                                   N_("the role is analysed as trusting nobody"))
            tags = self.value(rc, "tags")[0] or {}
            max_s = self.value(rc, "max_session_duration")[0] or 3600
            self.additions.append(PutEntity(kind, name, o, path, trust, boundary or None, dict(tags), int(max_s)))
            if kind == "role":
                self.role_blocks(rc, name, o)
        elif typ in INLINE_TYPES:
            kind = INLINE_TYPES[typ]
            owner = self.known(rc, kind, N_("the {kind} the policy belongs to", kind=KIND_WORDS[kind]), skip)
            name = self.known(rc, "name", N_("the policy name"), skip)
            doc = self.known(rc, "policy", N_("the policy document"), LEFT_OUT_POLICY)
            if owner and name and doc is not None:
                self.additions.append(PutInline(kind, owner, name, doc, o))
        elif typ in ATTACH_TYPES:
            kind = ATTACH_TYPES[typ]
            owner = self.known(rc, kind, N_("the {kind} to attach to", kind=KIND_WORDS[kind]), skip)
            arn = self.known(rc, "policy_arn", N_("the attached policy's ARN"),
                             N_("the attachment is left out: cannot decide what it grants"))
            if owner and arn:
                self.additions.append(Attach(kind, owner, arn, o))
        elif typ == "aws_iam_policy":
            name = self.known(rc, "name", N_("the policy name"), skip)
            path = self.known(rc, "path", N_("the policy path"), N_("path / assumed")) or "/"
            doc, unk = self.value(rc, "policy")
            if unk:
                self.unknown(rc, "policy", N_("the policy document"), LEFT_OUT_POLICY,
                             policy_arn(self.account_id, name, path) if name else None)
            elif name and doc is not None:
                self.additions.append(PutManagedPolicy(name, doc, o, path))
        elif typ == "aws_iam_policy_attachment":
            arn = self.known(rc, "policy_arn", N_("the attached policy's ARN"), skip)
            for kind in ("user", "group", "role"):
                for n in self.known_items(rc, kind + "s", N_("a {kind} to attach to", kind=KIND_WORDS[kind]),
                                             N_("every {kind} to attach to", kind=KIND_WORDS[kind])):
                    if arn:
                        self.additions.append(Attach(kind, n, arn, o))
        elif typ == "aws_iam_group_membership":
            group = self.known(rc, "group", N_("the group"), skip)
            for u in self.known_items(rc, "users", N_("a member"), N_("every member")):
                if group:
                    self.additions.append(AddMember(u, group, o))
        elif typ == "aws_iam_user_group_membership":
            user = self.known(rc, "user", N_("the user"), skip)
            for g in self.known_items(rc, "groups", N_("a group"), N_("every group")):
                if user:
                    self.additions.append(AddMember(user, g, o))
        elif typ == "aws_iam_instance_profile":
            name = self.known(rc, "name", N_("the instance profile's name"), skip)
            role = self.known(rc, "role", N_("the instance profile's role"),
                              N_("the profile is analysed without a role"))
            if name:
                self.additions.append(PutInstanceProfile(name, (role,) if role else (), o,
                                                         self.value(rc, "path")[0] or "/"))
        elif typ == "aws_iam_openid_connect_provider":
            url = self.known(rc, "url", N_("the provider URL"), skip)
            if url:
                ids = tuple(self.known_items(rc, "client_id_list", N_("a client id"), N_("every client id")))
                self.additions.append(PutOidcProvider(url, ids, o))

    def known_items(self, rc: dict[str, Any], key: str, what: Text, every: Text) -> list[str]:
        """The known elements of a list or set attribute; each unknown element is an ``Unknown``
        (``what``), and so is a list unknown as a whole (``every``)."""
        v, unk = self.value(rc, key)
        if v is None:
            if unk:
                self.unknown(rc, key, every, LEFT_OUT)
            return []
        flags = (rc["change"].get("after_unknown") or {}).get(key)
        out = []
        for i, item in enumerate(v):
            if isinstance(flags, list) and i < len(flags) and flags[i] is True:
                self.unknown(rc, f"{key}[{i}]", what, LEFT_OUT)
            elif isinstance(item, str):
                out.append(item)
        return out

    def role_blocks(self, rc: dict[str, Any], role: str, o: Origin) -> None:
        """``aws_iam_role``'s ``inline_policy`` and ``managed_policy_arns`` arguments (exclusive
        when configured: the role ends with exactly these)."""
        if self.configured(rc, "inline_policy"):
            v, unk = self.value(rc, "inline_policy")
            if unk:
                self.unknown(rc, "inline_policy", N_("the role's inline policies"),
                             N_("left out: cannot decide what they grant"))
            for i, b in enumerate(v or []):
                flags = (rc["change"].get("after_unknown") or {}).get("inline_policy")
                fb = flags[i] if isinstance(flags, list) and i < len(flags) else {}
                if _has_true(fb):
                    self.unknown(rc, f"inline_policy[{i}]", N_("an inline policy"),
                                 N_("left out: cannot decide what it grants"))
                elif isinstance(b, dict) and b.get("name") and b.get("policy"):
                    self.additions.append(PutInline("role", role, b["name"], b["policy"], o))
        if self.configured(rc, "managed_policy_arns"):
            for arn in self.known_items(rc, "managed_policy_arns", N_("a managed policy ARN"),
                                       N_("every managed policy ARN")):
                self.additions.append(Attach("role", role, arn, o))


def _has_true(flags: Any) -> bool:
    if flags is True:
        return True
    if isinstance(flags, list):
        return any(_has_true(f) for f in flags)
    if isinstance(flags, dict):
        return any(_has_true(f) for f in flags.values())
    return False


def _attribute(target: dict[str, Any], attr: str, account_id: str) -> str | None:
    """An attribute of a planned IAM resource that its known arguments determine."""
    after, unknown = target["after"], target["unknown"]
    name = after.get("name") if unknown.get("name") is not True else None
    path = after.get("path") or "/"
    if name is None or unknown.get("path") is True:
        return None
    typ = target["type"]
    if typ == "aws_iam_policy":
        if attr in ("arn", "id"):
            return policy_arn(account_id, name, path)
        return name if attr == "name" else None
    if typ in ENTITY_TYPES:
        if attr in ("name", "id"):
            return str(name)
        if attr == "arn":
            return entity_arn(account_id, ENTITY_TYPES[typ], name, path)
    return None


def read_plan(plan: Any, account_id: str | None = None, source: str | None = None,
              locations: dict[str, tuple[str, int]] | None = None) -> ChangeSet:
    """The change set of a parsed ``terraform show -json`` document.

    ``account_id``: the account the plan deploys to (else inferred from its ARNs, else
    ``DEFAULT_ACCOUNT_ID``, said in the notes). ``locations``: config address → (file, line)
    of its ``resource`` block (``plan.locate.terraform_locations``).
    """
    if not isinstance(plan, dict) or ("resource_changes" not in plan and "format_version" not in plan):
        raise PlanError(N_("not terraform show -json output (no resource_changes or format_version)"))
    notes: list[Text] = []
    if account_id is None:
        account_id = infer_account_id(plan)
        if account_id is None:
            account_id = DEFAULT_ACCOUNT_ID
            notes.append(N_("account id not given and not found in the plan: {account} assumed (use --account-id)",
                            account=DEFAULT_ACCOUNT_ID))
    r = _Reader(plan, account_id, source, locations)
    r.read()
    return ChangeSet(account_id, tuple(r.removals), tuple(r.additions), tuple(r.unknowns), tuple(r.resources),
                     tuple(notes + r.notes), source)


def addresses(changes: ChangeSet) -> Iterable[str]:
    return (rc.origin.address for rc in changes.resources)
