"""Read a CloudFormation template's ``AWS::IAM::*`` resources into a change set.

The template is the stack as it will be: each IAM resource is a put (create or
update) of what it describes. Resources a deployed stack has and the template no
longer lists are not seen (a template has no "before"; give the current account
with ``--account`` so the rest of the account is analysed too).

Read: ``AWS::IAM::Role``, ``User``, ``Group``, ``Policy``, ``ManagedPolicy``,
``RolePolicy``/``UserPolicy``/``GroupPolicy``, ``UserToGroupAddition``,
``InstanceProfile``, ``OIDCProvider``. Intrinsic functions that can be decided
offline are resolved (CloudFormation User Guide, "Intrinsic function reference"):
``Ref`` (parameters: the ``--parameter`` value, else the ``Default``; pseudo
parameters ``AWS::AccountId``/``AWS::Partition``/``AWS::Region``/``AWS::URLSuffix``
from flags or defaults; resources of the template: the name or ARN each type's
``Ref`` returns), ``Fn::GetAtt`` (``Arn`` of the template's IAM resources),
``Fn::Sub`` (both forms, ``${!Literal}``), ``Fn::Join``, ``Fn::Select``,
``Fn::Split``, ``Fn::FindInMap``, ``Fn::Base64``, ``Fn::If``/``Fn::Equals``/
``Fn::Not``/``Fn::And``/``Fn::Or`` with the template's ``Conditions``, and
``AWS::NoValue``. Anything else (``Fn::ImportValue``, ``Fn::GetAZs``, ``AWS::StackName``,
a resource outside IAM, a parameter with no value) is *unknown*: the value that
needs it is left out and reported as an ``Unknown`` with its template line.

YAML templates are read with pyyaml (the ``cfn`` extra) and a loader that
understands the short tags (``!Ref``, ``!Sub``, ``!GetAtt A.B``, …). YAML anchors
and aliases are refused, as CloudFormation refuses them (that also keeps an alias
bomb from multiplying the work). Nesting is capped (``MAX_DEPTH``).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from ..i18n import N_, Text
from ..policy.document import strict_json
from ..policy.errors import PolicySyntaxError
from .changes import (
    Addition,
    AddMember,
    Attach,
    ChangeSet,
    Origin,
    PutEntity,
    PutInline,
    PutInstanceProfile,
    PutManagedPolicy,
    PutOidcProvider,
    ResourceChange,
    Unknown,
    entity_arn,
    policy_arn,
)
from .terraform import DEFAULT_ACCOUNT_ID

#: nesting depth of a template value that is resolved (deeper is refused, not recursed into)
MAX_DEPTH = 64
#: the largest template read: CloudFormation's own limit for a template in S3 is 1 MB
MAX_TEMPLATE_BYTES = 1024 * 1024
#: what ``AWS::URLSuffix`` resolves to per partition
URL_SUFFIX = {"aws": "amazonaws.com", "aws-cn": "amazonaws.com.cn"}
#: the resource kinds as a sentence names them ("the {kind}'s name"), in the reader's language
KIND_WORDS = {"user": N_("user"), "group": N_("group"), "role": N_("role"), "policy": N_("policy"),
              "instance profile": N_("instance profile")}
#: what a policy's ``Roles``/``Users``/``Groups`` are when unknown
APPLIES_TO = {"Roles": N_("the roles it applies to"), "Users": N_("the users it applies to"),
              "Groups": N_("the groups it applies to")}
LEFT_OUT_POLICY = N_("the policy is left out: cannot decide what it grants")
INSTALL_CFN = "install iamwarden[cfn] (pip install 'iamwarden[cfn]') to read YAML templates"

SHORT_TAGS = ("Ref", "Condition", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::FindInMap", "Fn::Base64",
              "Fn::If", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::GetAZs", "Fn::ImportValue", "Fn::Cidr",
              "Fn::Transform", "Fn::Length", "Fn::ToJsonString", "Fn::GetAtt")


class TemplateError(ValueError):
    """A template that cannot be read (syntax, shape, an alias): names the line or the resource."""


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A value CloudFormation decides only when the stack is deployed."""

    #: marked (``N_``): shown in the reader's language inside the unknown's ``what``
    reason: Text


def _yaml_loader() -> Any:
    try:
        import yaml  # type: ignore[import-untyped]  # noqa: PLC0415 (optional dependency: the cfn extra)
    except ModuleNotFoundError:
        raise TemplateError(N_("this template is YAML: {install}", install=INSTALL_CFN)) from None

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                ev = self.peek_event()
                raise TemplateError(N_("line {line}: YAML aliases are not allowed in CloudFormation templates",
                                       line=ev.start_mark.line + 1))
            return super().compose_node(parent, index)

    def short(fn: str) -> Any:
        def construct(loader: Any, node: Any) -> Any:
            if isinstance(node, yaml.ScalarNode):
                value: Any = loader.construct_scalar(node)
                if fn == "Fn::GetAtt":
                    value = value.split(".", 1)
            elif isinstance(node, yaml.SequenceNode):
                value = loader.construct_sequence(node, deep=True)
            else:
                value = loader.construct_mapping(node, deep=True)
            return {fn: value}
        return construct

    for fn in SHORT_TAGS:
        Loader.add_constructor("!" + fn.removeprefix("Fn::"), short(fn))
    return Loader, yaml


def load_template(text: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The template as data, and the 1-based line of each logical id under ``Resources``."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data = strict_json(text, "template")
        except PolicySyntaxError as e:
            raise TemplateError(e.problems[0].message) from None
        lines = _json_lines(text, data)
    else:
        loader_cls, yaml = _yaml_loader()
        loader = loader_cls(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise TemplateError(N_("the template is empty"))
            data = loader.construct_document(node)
        except yaml.YAMLError as e:
            raise TemplateError(N_("not YAML: {error}", error=str(e))) from None
        except RecursionError:  # pyyaml composes nested nodes recursively
            raise TemplateError(N_("a value nests deeper than {n} levels", n=MAX_DEPTH)) from None
        finally:
            loader.dispose()
        lines = {}
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == "Resources" and isinstance(v, yaml.MappingNode):
                    for rk, _ in v.value:
                        lines[str(rk.value)] = rk.start_mark.line + 1
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise TemplateError(N_("not a CloudFormation template: no Resources object"))
    return data, lines


def _json_lines(text: str, data: Any) -> dict[str, int]:
    """Line of each logical id: the first ``"ID"`` key after the ``"Resources"`` key (text search,
    bounded by the number of resources)."""
    out: dict[str, int] = {}
    start = text.find('"Resources"')
    if start < 0 or not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        return out
    pos = start
    for lid in data["Resources"]:
        hit = text.find(json.dumps(lid), pos)
        if hit < 0:
            continue
        out[str(lid)] = text.count("\n", 0, hit) + 1
        pos = hit
    return out


class _Resolver:
    def __init__(self, data: dict[str, Any], params: dict[str, str], account_id: str, region: str,
                 partition: str) -> None:
        self.data = data
        self.resources: dict[str, Any] = data["Resources"]
        self.mappings: dict[str, Any] = data["Mappings"] if isinstance(data.get("Mappings"), dict) else {}
        self.conditions: dict[str, Any] = data["Conditions"] if isinstance(data.get("Conditions"), dict) else {}
        self.params: dict[str, Any] = {}
        for name, spec in (data.get("Parameters") or {}).items():
            if name in params:
                self.params[name] = params[name]
            elif isinstance(spec, dict) and "Default" in spec:
                self.params[name] = spec["Default"]
            else:
                self.params[name] = Unresolved(N_("parameter {name} has no value (--parameter {name}=VALUE)",
                                                  name=name))
            if isinstance(spec, dict) and str(spec.get("Type", "")).startswith("CommaDelimitedList") \
                    and isinstance(self.params[name], str):
                self.params[name] = [s.strip() for s in self.params[name].split(",")]
        self.pseudo: dict[str, Any] = {
            "AWS::AccountId": account_id, "AWS::Partition": partition, "AWS::Region": region,
            "AWS::URLSuffix": URL_SUFFIX.get(partition, "amazonaws.com"),
            "AWS::StackName": Unresolved(N_("{name} is known only when the stack is deployed", name="AWS::StackName")),
            "AWS::StackId": Unresolved(N_("{name} is known only when the stack is deployed", name="AWS::StackId")),
            "AWS::NotificationARNs": Unresolved(N_("{name} is known only when the stack is deployed",
                                                   name="AWS::NotificationARNs")),
        }
        self.account_id = account_id
        self.partition = partition
        self._cond_cache: dict[str, Any] = {}

    # names and ARNs of the template's own resources -----------------------------------------

    def name_of(self, lid: str) -> Any:
        """The physical name of an IAM resource: its name property, else the logical id (a
        CloudFormation-generated name is known only after deploy; see the module notes)."""
        r = self.resources.get(lid)
        typ = r.get("Type") if isinstance(r, dict) else None
        prop = {"AWS::IAM::Role": "RoleName", "AWS::IAM::User": "UserName", "AWS::IAM::Group": "GroupName",
                "AWS::IAM::ManagedPolicy": "ManagedPolicyName", "AWS::IAM::Policy": "PolicyName",
                "AWS::IAM::InstanceProfile": "InstanceProfileName"}.get(str(typ))
        if prop is None:
            return Unresolved(N_("{id} ({type}) is not an IAM resource of this template: its value is known only "
                                 "after deploy", id=lid, type=typ))
        props = r["Properties"] if isinstance(r, dict) and isinstance(r.get("Properties"), dict) else {}
        if prop in props:
            return self.value(props[prop], 0)
        return lid

    def path_of(self, lid: str) -> Any:
        props = (self.resources.get(lid) or {}).get("Properties") or {}
        return self.value(props.get("Path", "/"), 0) if isinstance(props, dict) else "/"

    def arn_of(self, lid: str) -> Any:
        r = self.resources.get(lid)
        typ = str(r.get("Type")) if isinstance(r, dict) else ""
        kind = {"AWS::IAM::Role": "role", "AWS::IAM::User": "user", "AWS::IAM::Group": "group",
                "AWS::IAM::InstanceProfile": "instance-profile"}.get(typ)
        if typ == "AWS::IAM::OIDCProvider" and isinstance(r, dict):
            props = r.get("Properties") or {}
            url = self.value(props.get("Url"), 0)
            if isinstance(url, str):
                return f"arn:{self.partition}:iam::{self.account_id}:oidc-provider/{url.removeprefix('https://')}"
            return url if isinstance(url, Unresolved) else Unresolved(N_("{id}: Url is missing", id=lid))
        if kind is None and typ != "AWS::IAM::ManagedPolicy":
            return Unresolved(N_("{id} ({type}): its ARN is known only after deploy", id=lid,
                                 type=typ or N_("unknown type")))
        name, path = self.name_of(lid), self.path_of(lid)
        for v in (name, path):
            if isinstance(v, Unresolved):
                return v
        if kind:
            return f"arn:{self.partition}:iam::{self.account_id}:{kind}{path}{name}"
        if typ == "AWS::IAM::ManagedPolicy":
            return f"arn:{self.partition}:iam::{self.account_id}:policy{path}{name}"
        return Unresolved(N_("{id} ({type}): its ARN is known only after deploy", id=lid,
                                 type=typ or N_("unknown type")))

    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return Unresolved(N_("Ref of {name!r}", name=name))
        if name in self.params:
            return self.params[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.resources:
            typ = str((self.resources[name] or {}).get("Type"))
            if typ in ("AWS::IAM::ManagedPolicy", "AWS::IAM::OIDCProvider"):
                return self.arn_of(name)  # Ref of these returns the ARN
            return self.name_of(name)
        return Unresolved(N_("Ref {name}: no such parameter or resource", name=name))

    def getatt(self, args: Any) -> Any:
        if isinstance(args, str):
            args = args.split(".", 1)
        if not (isinstance(args, list) and len(args) == 2 and all(isinstance(a, str) for a in args)):
            return Unresolved(N_("Fn::GetAtt {args!r}", args=args))
        lid, attr = args
        if lid in self.resources and attr in ("Arn", "PolicyArn"):
            return self.arn_of(lid)
        return Unresolved(N_("Fn::GetAtt {id}.{attr} is known only after deploy", id=lid, attr=attr))

    # conditions ------------------------------------------------------------------------------

    def condition(self, name: Any, depth: int) -> Any:
        if not isinstance(name, str) or name not in self.conditions:
            return Unresolved(N_("condition {name!r} is not defined", name=name))
        if name not in self._cond_cache:
            self._cond_cache[name] = Unresolved(N_("condition {name} refers to itself", name=name))
            self._cond_cache[name] = self.value(self.conditions[name], depth + 1)
        return self._cond_cache[name]

    # values ----------------------------------------------------------------------------------

    def value(self, v: Any, depth: int) -> Any:
        """``v`` with every intrinsic resolved; an ``Unresolved`` when one of them cannot be;
        ``_NO_VALUE`` for ``Ref AWS::NoValue`` (the key or element is dropped)."""
        if depth > MAX_DEPTH:
            raise TemplateError(N_("a value nests deeper than {n} levels", n=MAX_DEPTH))
        if isinstance(v, list):
            out = []
            for x in v:
                r = self.value(x, depth + 1)
                if isinstance(r, Unresolved):
                    return r
                if r is not _NO_VALUE:
                    out.append(r)
            return out
        if not isinstance(v, dict):
            return v
        if len(v) == 1:
            (k, arg), = v.items()
            if k == "Ref":
                return _NO_VALUE if arg == "AWS::NoValue" else self.ref(arg)
            if k == "Condition":
                return self.condition(arg, depth)
            if isinstance(k, str) and k.startswith("Fn::"):
                return self.function(k, arg, depth)
        out_d = {}
        for k, x in v.items():
            r = self.value(x, depth + 1)
            if isinstance(r, Unresolved):
                return r
            if r is not _NO_VALUE:
                out_d[k] = r
        return out_d

    def function(self, fn: str, arg: Any, depth: int) -> Any:
        if fn == "Fn::GetAtt":
            return self.getatt(arg)
        if fn == "Fn::Sub":
            return self.sub(arg, depth)
        if fn == "Fn::If":
            if not (isinstance(arg, list) and len(arg) == 3):
                return Unresolved(N_("Fn::If takes [condition, then, else]"))
            c = self.condition(arg[0], depth)
            if isinstance(c, Unresolved):
                return c
            return self.value(arg[1] if c is True else arg[2], depth + 1)
        a = self.value(arg, depth + 1)
        if isinstance(a, Unresolved):
            return a
        if fn == "Fn::Join" and isinstance(a, list) and len(a) == 2 and isinstance(a[1], list):
            if all(isinstance(x, str) for x in a[1]) and isinstance(a[0], str):
                return a[0].join(a[1])
        elif fn == "Fn::Select" and isinstance(a, list) and len(a) == 2 and isinstance(a[1], list):
            try:
                return a[1][int(a[0])]
            except (ValueError, IndexError):
                return Unresolved(N_("Fn::Select index {index!r} out of range", index=a[0]))
        elif fn == "Fn::Split" and isinstance(a, list) and len(a) == 2 and all(isinstance(x, str) for x in a):
            return a[1].split(a[0])
        elif fn == "Fn::FindInMap" and isinstance(a, list) and len(a) == 3:
            try:
                return self.mappings[a[0]][a[1]][a[2]]
            except (KeyError, TypeError):
                return Unresolved(N_("Fn::FindInMap {args!r}: no such entry", args=a))
        elif fn == "Fn::Base64" and isinstance(a, str):
            return base64.b64encode(a.encode()).decode()
        elif fn == "Fn::Equals" and isinstance(a, list) and len(a) == 2:
            return a[0] == a[1]
        elif fn == "Fn::Not" and isinstance(a, list) and len(a) == 1 and isinstance(a[0], bool):
            return not a[0]
        elif fn in ("Fn::And", "Fn::Or") and isinstance(a, list) and all(isinstance(x, bool) for x in a):
            return all(a) if fn == "Fn::And" else any(a)
        return Unresolved(N_("{function} cannot be resolved before deploy", function=fn))

    def sub(self, arg: Any, depth: int) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            text = arg[0]
            for k, x in arg[1].items():
                variables[k] = self.value(x, depth + 1)
        else:
            text = arg
        if not isinstance(text, str):
            return Unresolved(N_("Fn::Sub takes a string"))
        out: list[str] = []
        i = 0
        while i < len(text):
            j = text.find("${", i)
            if j < 0:
                out.append(text[i:])
                break
            out.append(text[i:j])
            end = text.find("}", j)
            if end < 0:
                out.append(text[j:])
                break
            name = text[j + 2:end]
            if name.startswith("!"):
                out.append("${" + name[1:] + "}")
            else:
                if name in variables:
                    v = variables[name]
                elif "." in name and name.split(".", 1)[0] in self.resources:
                    v = self.getatt(name.split(".", 1))
                else:
                    v = self.ref(name)
                if isinstance(v, Unresolved):
                    return v
                if not isinstance(v, (str, int)):
                    return Unresolved(N_("Fn::Sub ${{{name}}} is not a string", name=name))
                out.append(str(v))
            i = end + 1
        return "".join(out)


_NO_VALUE: Any = object()


class _Reader:
    def __init__(self, res: _Resolver, lines: dict[str, int], source: str | None) -> None:
        self.res = res
        self.lines = lines
        self.source = source
        self.additions: list[Addition] = []
        self.unknowns: list[Unknown] = []
        self.resources: list[ResourceChange] = []
        self.notes: list[Text] = []

    def origin(self, lid: str) -> Origin:
        return Origin(lid, self.source, self.lines.get(lid))

    def get(self, lid: str, props: dict[str, Any], key: str, what: Text, effect: Text, default: Any = None,
            arn: str | None = None, raw: Any = None) -> Any:
        if raw is None:
            if key not in props:
                return default
            raw = props[key]
        v = self.res.value(raw, 0)
        if isinstance(v, Unresolved):
            self.unknowns.append(Unknown(self.origin(lid), key, N_("{what} ({reason})", what=what, reason=v.reason),
                                         effect, arn))
            return None
        return default if v is _NO_VALUE else v

    def read(self) -> None:
        for lid, r in self.res.resources.items():
            if not isinstance(r, dict) or not isinstance(r.get("Type"), str):
                raise TemplateError(N_("Resources.{id}: expected an object with a Type", id=lid))
            typ = r["Type"]
            if not typ.startswith("AWS::IAM::"):
                continue
            props = r.get("Properties") or {}
            if not isinstance(props, dict):
                raise TemplateError(N_("Resources.{id}.Properties: expected an object", id=lid))
            if "Condition" in r:
                c = self.res.condition(r["Condition"], 0)
                if isinstance(c, Unresolved):
                    self.unknowns.append(Unknown(self.origin(lid), "Condition",
                                                 N_("whether {id} is created ({reason})", id=lid, reason=c.reason),
                                                 N_("analysed as created")))
                elif c is not True:
                    continue
            handler = _HANDLERS.get(typ)
            if handler is None:
                self.notes.append(N_("{id} ({type}) not analysed (no effect on who can do what in the model)",
                                     id=lid, type=typ))
                continue
            self.resources.append(ResourceChange(self.origin(lid), typ, "create"))
            handler(self, lid, props)

    def name(self, lid: str, props: dict[str, Any], key: str, kind: str) -> Any:
        if key not in props:
            self.notes.append(N_("{id}: no {key}; CloudFormation generates the {kind}'s name at deploy, "
                                 "analysed as {id}", id=lid, key=key, kind=KIND_WORDS[kind]))
            return lid
        return self.get(lid, props, key, N_("the {kind}'s name", kind=KIND_WORDS[kind]),
                        N_("this resource is left out"))

    def policies(self, lid: str, props: dict[str, Any], kind: str, owner: str) -> None:
        raw = props.get("Policies") or []
        if not isinstance(raw, list):
            raise TemplateError(N_("Resources.{id}.Properties.Policies: expected a list", id=lid))
        for i, item in enumerate(raw):
            p = self.get(lid, props, f"Policies[{i}]", N_("an inline policy"),
                         N_("left out: cannot decide what it grants"), raw=item)
            if p is None:
                continue
            if not isinstance(p, dict):
                raise TemplateError(N_("Resources.{id}.Properties.Policies[{i}]: expected an object", id=lid, i=i))
            self.additions.append(PutInline(kind, owner, str(p.get("PolicyName", f"#{i}")),
                                            p.get("PolicyDocument"), self.origin(lid)))
        for arn in self.get(lid, props, "ManagedPolicyArns", N_("the managed policy ARNs"),
                            N_("left out: cannot decide what they grant"), []) or []:
            self.additions.append(Attach(kind, owner, str(arn), self.origin(lid)))

    def entity(self, lid: str, props: dict[str, Any], kind: str) -> None:
        key = {"role": "RoleName", "user": "UserName", "group": "GroupName"}[kind]
        name = self.name(lid, props, key, kind)
        if name is None:
            return
        path = self.get(lid, props, "Path", N_("the path"), N_("path / assumed"), "/") or "/"
        boundary = self.get(lid, props, "PermissionsBoundary", N_("the permissions boundary"),
                            N_("analysed without a boundary")) if kind != "group" else None
        trust = None
        if kind == "role":
            trust = self.get(lid, props, "AssumeRolePolicyDocument", N_("the trust policy"),
                             N_("the role is analysed as trusting nobody"))
        tags = {str(t.get("Key")): str(t.get("Value", "")) for t in self.get(lid, props, "Tags", N_("the tags"),
                                                                                N_("analysed without tags"), []) or []
                if isinstance(t, dict)}
        max_s = self.get(lid, props, "MaxSessionDuration", N_("the maximum session duration"),
                         N_("3600 assumed"), 3600)
        self.additions.append(PutEntity(kind, str(name), self.origin(lid), str(path), trust, boundary, tags,
                                        int(max_s or 3600)))
        self.policies(lid, props, kind, str(name))
        if kind == "user":
            for g in self.get(lid, props, "Groups", N_("the user's groups"), N_("left out"), []) or []:
                self.additions.append(AddMember(str(name), str(g), self.origin(lid)))

    def attached_to(self, lid: str, props: dict[str, Any]) -> list[tuple[str, str]]:
        out = []
        for kind, key in (("role", "Roles"), ("user", "Users"), ("group", "Groups")):
            for n in self.get(lid, props, key, APPLIES_TO[key], N_("left out"), []) or []:
                out.append((kind, str(n)))
        return out

    def inline(self, lid: str, props: dict[str, Any]) -> None:
        name = self.get(lid, props, "PolicyName", N_("the policy name"), N_("left out"))
        doc = self.get(lid, props, "PolicyDocument", N_("the policy document"), LEFT_OUT_POLICY)
        if name is None or doc is None:
            return
        for kind, owner in self.attached_to(lid, props):
            self.additions.append(PutInline(kind, owner, str(name), doc, self.origin(lid)))

    def owned_inline(self, lid: str, props: dict[str, Any], kind: str, key: str) -> None:
        owner = self.get(lid, props, key, N_("the {kind}", kind=KIND_WORDS[kind]), N_("left out"))
        name = self.get(lid, props, "PolicyName", N_("the policy name"), N_("left out"))
        doc = self.get(lid, props, "PolicyDocument", N_("the policy document"), LEFT_OUT_POLICY)
        if owner and name and doc is not None:
            self.additions.append(PutInline(kind, str(owner), str(name), doc, self.origin(lid)))

    def managed(self, lid: str, props: dict[str, Any]) -> None:
        name = self.name(lid, props, "ManagedPolicyName", "policy")
        path = self.get(lid, props, "Path", N_("the path"), N_("path / assumed"), "/") or "/"
        if name is None:
            return
        arn = policy_arn(self.res.account_id, str(name), str(path))
        doc = self.get(lid, props, "PolicyDocument", N_("the policy document"), LEFT_OUT_POLICY, arn=arn)
        if doc is None:
            return
        self.additions.append(PutManagedPolicy(str(name), doc, self.origin(lid), str(path)))
        for kind, owner in self.attached_to(lid, props):
            self.additions.append(Attach(kind, owner, arn, self.origin(lid)))

    def membership(self, lid: str, props: dict[str, Any]) -> None:
        group = self.get(lid, props, "GroupName", N_("the group"), N_("left out"))
        for u in self.get(lid, props, "Users", N_("the users"), N_("left out"), []) or []:
            if group:
                self.additions.append(AddMember(str(u), str(group), self.origin(lid)))

    def profile(self, lid: str, props: dict[str, Any]) -> None:
        name = self.name(lid, props, "InstanceProfileName", "instance profile")
        roles = self.get(lid, props, "Roles", N_("the roles"), N_("analysed without roles"), []) or []
        if name is not None:
            path = self.get(lid, props, "Path", N_("the path"), N_("path / assumed"), "/") or "/"
            self.additions.append(PutInstanceProfile(str(name), tuple(map(str, roles)), self.origin(lid), str(path)))

    def oidc(self, lid: str, props: dict[str, Any]) -> None:
        url = self.get(lid, props, "Url", N_("the provider URL"), N_("left out"))
        ids = self.get(lid, props, "ClientIdList", N_("the client ids"), N_("left out"), []) or []
        if url:
            self.additions.append(PutOidcProvider(str(url), tuple(map(str, ids)), self.origin(lid)))


_HANDLERS: dict[str, Any] = {
    "AWS::IAM::Role": lambda r, lid, p: r.entity(lid, p, "role"),
    "AWS::IAM::User": lambda r, lid, p: r.entity(lid, p, "user"),
    "AWS::IAM::Group": lambda r, lid, p: r.entity(lid, p, "group"),
    "AWS::IAM::Policy": _Reader.inline,
    "AWS::IAM::RolePolicy": lambda r, lid, p: r.owned_inline(lid, p, "role", "RoleName"),
    "AWS::IAM::UserPolicy": lambda r, lid, p: r.owned_inline(lid, p, "user", "UserName"),
    "AWS::IAM::GroupPolicy": lambda r, lid, p: r.owned_inline(lid, p, "group", "GroupName"),
    "AWS::IAM::ManagedPolicy": _Reader.managed,
    "AWS::IAM::UserToGroupAddition": _Reader.membership,
    "AWS::IAM::InstanceProfile": _Reader.profile,
    "AWS::IAM::OIDCProvider": _Reader.oidc,
}


def read_template(text: str, source: str | None = None, account_id: str | None = None, region: str = "us-east-1",
                  partition: str = "aws", parameters: dict[str, str] | None = None) -> ChangeSet:
    """The change set a template's IAM resources make (a put of each); see the module docstring."""
    if len(text) > MAX_TEMPLATE_BYTES:
        raise TemplateError(N_("the template is larger than {n} bytes (CloudFormation's limit)",
                               n=MAX_TEMPLATE_BYTES))
    data, lines = load_template(text)
    notes: list[Text] = []
    if account_id is None:
        account_id = DEFAULT_ACCOUNT_ID
        notes.append(N_("account id not given: AWS::AccountId is {account} (use --account-id)",
                        account=DEFAULT_ACCOUNT_ID))
    r = _Reader(_Resolver(data, dict(parameters or {}), account_id, region, partition), lines, source)
    r.read()
    return ChangeSet(account_id, (), tuple(r.additions), tuple(r.unknowns), tuple(r.resources),
                     tuple(notes + r.notes), source)


__all__ = ["TemplateError", "entity_arn", "load_template", "read_template"]
