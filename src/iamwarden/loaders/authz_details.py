"""Read ``aws iam get-account-authorization-details`` output into ``Account`` values.

Accepts the CLI's JSON (one file per account), the same split over several
pages (a JSON list of page objects), or a folder of such files. The shape is
the shipped JSON Schema (``account_schema``, docs/account-files.md), checked
before anything is built, so every error names the file and the JSON path,
e.g. ``dev.json: $.RoleDetailList[3]: missing AssumeRolePolicyDocument`` or,
inside a policy, ``dev.json: $.RoleDetailList[3].AssumeRolePolicyDocument.Statement[0].Effect``.
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Collection, Iterable

from .._gc import gc_paused
from ..i18n import N_, Text
from ..model.account import Account, Group, InlinePolicy, ManagedPolicy, Role, User, World
from ..model.arn import Arn
from ..model.oidc_provider import JwksError, OidcProvider, provider_id, read_jwks
from ..model.saml_provider import SamlProvider
from ..policy.document import Policy, PolicyKind, parse_policy, strict_json
from ..policy.errors import PolicySyntaxError
from .account_schema import MAX_PROBLEMS, ShapeProblem, check_shape


class LoadError(ValueError):
    """Unusable input: names the file and where in it."""


def _doc(raw: Any) -> Any:
    """Policy documents may arrive URL-encoded JSON text (the raw API) or as objects (the CLI)."""
    if isinstance(raw, str):
        text = raw
        if text.lstrip().startswith("%7B") or "%22" in text:
            text = urllib.parse.unquote(text)
        return text  # parse_policy reads it strictly and reports problems with a path
    return raw


def _parse(raw: Any, kind: PolicyKind, name: str, where: str, source: str) -> Policy:
    try:
        return parse_policy(_doc(raw), kind, name)
    except PolicySyntaxError as e:
        details = "; ".join(f"{where}{p.path[1:]}: {p.message}" for p in e.problems)
        raise LoadError(f"{source}: {details}") from None


def _tags(raw: Any) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in raw or [] if isinstance(t, dict) and "Key" in t}


def _inline(items: Any, owner: str, key: str, where: str, source: str) -> tuple[InlinePolicy, ...]:
    out = []
    for i, p in enumerate(items or []):
        name = p.get("PolicyName", f"#{i}")
        out.append(
            InlinePolicy(
                name,
                _parse(p.get("PolicyDocument"), PolicyKind.IDENTITY, f"{owner}:{name}",
                       f"{where}.{key}[{i}].PolicyDocument", source),
            )
        )
    return tuple(out)


def _attached(items: Any) -> tuple[str, ...]:
    return tuple(p["PolicyArn"] for p in items or [] if isinstance(p, dict) and "PolicyArn" in p)


def _boundary(raw: Any) -> str | None:
    if isinstance(raw, dict):
        return raw.get("PermissionsBoundaryArn")
    return None


def _require(d: Any, keys: Iterable[str], where: str, source: str) -> None:
    if not isinstance(d, dict):
        raise LoadError(f"{source}: {where}: expected an object")
    for k in keys:
        if k not in d:
            raise LoadError(f"{source}: {where}: missing {k}")


#: shape problems shown in one error message (the rest are counted)
SHOWN_PROBLEMS = 5


def _shape_error(source: str, problems: list[ShapeProblem]) -> LoadError:
    shown = "; ".join(str(p) for p in problems[:SHOWN_PROBLEMS])
    more: Text | str = ""
    if len(problems) >= MAX_PROBLEMS:  # the check stopped counting
        more = N_(" (and more)")
    elif len(problems) > SHOWN_PROBLEMS:
        more = N_(" (and {n} more)", n=len(problems) - SHOWN_PROBLEMS)
    return LoadError(N_("{source}: not get-account-authorization-details output: {problems}{more}", source=source,
                        problems=shown, more=more))


def account_from_details(data: Any, source: str = "<data>") -> Account:
    """Build one account from parsed GetAccountAuthorizationDetails output (one page object)."""
    problems = check_shape(data, "page")
    if problems:
        raise _shape_error(source, problems)
    return _build(data, source)


def _build(data: dict[str, Any], source: str) -> Account:
    accounts: set[str] = set()

    def note(arn: str) -> None:
        a = Arn.parse(arn)
        if a and a.account and a.account != "aws":
            accounts.add(a.account)

    policies: dict[str, ManagedPolicy] = {}
    for i, p in enumerate(data.get("Policies") or []):
        where = f"$.Policies[{i}]"
        # PolicyName is derivable from the ARN; some emulators (moto) leave it out
        _require(p, ("Arn",), where, source)
        note(p["Arn"])
        versions = {}
        default = p.get("DefaultVersionId")
        for j, v in enumerate(p.get("PolicyVersionList") or []):
            vid = v.get("VersionId", f"v{j + 1}")
            versions[vid] = _parse(v.get("Document"), PolicyKind.IDENTITY, p["Arn"],
                                   f"{where}.PolicyVersionList[{j}].Document", source)
            if v.get("IsDefaultVersion") and not default:
                default = vid
        if not versions:
            raise LoadError(f"{source}: {where}: PolicyVersionList is empty")
        if default not in versions:
            default = next(iter(versions))
        policies[p["Arn"]] = ManagedPolicy(
            p["Arn"], p.get("PolicyName") or p["Arn"].rsplit("/", 1)[-1], p.get("Path", "/"),
            p.get("PolicyId", ""), default, versions,
            int(p.get("AttachmentCount", 0) or 0),
        )
    groups: dict[str, Group] = {}
    for i, g in enumerate(data.get("GroupDetailList") or []):
        where = f"$.GroupDetailList[{i}]"
        _require(g, ("GroupName", "Arn"), where, source)
        note(g["Arn"])
        owner = f"group/{g['GroupName']}"
        groups[g["GroupName"]] = Group(
            g["Arn"], g["GroupName"], g.get("Path", "/"), g.get("GroupId", ""),
            _inline(g.get("GroupPolicyList"), owner, "GroupPolicyList", where, source),
            _attached(g.get("AttachedManagedPolicies")),
        )
    users: dict[str, User] = {}
    for i, u in enumerate(data.get("UserDetailList") or []):
        where = f"$.UserDetailList[{i}]"
        _require(u, ("UserName", "Arn"), where, source)
        note(u["Arn"])
        owner = f"user/{u['UserName']}"
        users[u["UserName"]] = User(
            u["Arn"], u["UserName"], u.get("Path", "/"), u.get("UserId", ""),
            _inline(u.get("UserPolicyList"), owner, "UserPolicyList", where, source),
            _attached(u.get("AttachedManagedPolicies")),
            tuple(u.get("GroupList") or []),
            _boundary(u.get("PermissionsBoundary")),
            _tags(u.get("Tags")),
        )
    roles: dict[str, Role] = {}
    for i, r in enumerate(data.get("RoleDetailList") or []):
        where = f"$.RoleDetailList[{i}]"
        _require(r, ("RoleName", "Arn", "AssumeRolePolicyDocument"), where, source)
        note(r["Arn"])
        owner = f"role/{r['RoleName']}"
        roles[r["RoleName"]] = Role(
            r["Arn"], r["RoleName"], r.get("Path", "/"), r.get("RoleId", ""),
            _parse(r["AssumeRolePolicyDocument"], PolicyKind.TRUST, f"{owner}:trust",
                   f"{where}.AssumeRolePolicyDocument", source),
            _inline(r.get("RolePolicyList"), owner, "RolePolicyList", where, source),
            _attached(r.get("AttachedManagedPolicies")),
            _boundary(r.get("PermissionsBoundary")),
            _tags(r.get("Tags")),
            tuple(ip.get("Arn", "") for ip in r.get("InstanceProfileList") or []),
            int(r.get("MaxSessionDuration", 3600) or 3600),
        )
    saml_providers = _saml_providers(data.get("SAMLProviderList"), note, source)
    providers = _oidc_providers(data.get(OIDC_PROVIDERS_KEY), source, note)
    if len(accounts) != 1:
        if not accounts:
            raise LoadError(N_("{source}: no account ID found in any ARN", source=source))
        raise LoadError(N_("{source}: ARNs name several accounts ({accounts}); one file per account", source=source,
                           accounts=", ".join(sorted(accounts))))
    return Account(accounts.pop(), users, groups, roles, policies, source, oidc_providers=providers,
                   saml_providers=saml_providers)


def _saml_providers(items: Any, note: Any, source: str) -> dict[str, SamlProvider]:
    """``SAMLProviderList`` (iamwarden's addition): each metadata document read as IAM would (spec §4.6)."""
    out: dict[str, SamlProvider] = {}
    if not items:
        return out
    # imported here: reading metadata needs the STS package (cryptography, XML), which an
    # account file without SAML providers, and so most audits, never use (import time)
    from ..sts.saml_metadata import SamlMetadataError, saml_provider

    for i, sp in enumerate(items):
        where = f"$.SAMLProviderList[{i}]"
        _require(sp, ("Arn", "SAMLMetadataDocument"), where, source)
        a = Arn.parse(sp["Arn"])
        if a is None or a.service != "iam" or not a.resource.startswith("saml-provider/"):
            raise LoadError(f"{source}: {where}.Arn: not a SAML provider ARN (arn:aws:iam::ACCOUNT:saml-provider/NAME)")
        note(sp["Arn"])
        try:
            out[sp["Arn"]] = saml_provider(sp["Arn"], sp["SAMLMetadataDocument"], tags=_tags(sp.get("Tags")))
        except SamlMetadataError as e:
            raise LoadError(f"{source}: {where}.SAMLMetadataDocument: {e}") from None
    return out


#: where an account file holds its OIDC providers (docs/account-files.md)
OIDC_PROVIDERS_KEY = "OpenIDConnectProviderList"


def _oidc_providers(items: Any, source: str, note: Callable[[str], None]) -> tuple[OidcProvider, ...]:
    """``list-open-id-connect-providers`` + ``get-open-id-connect-provider`` per provider, merged.

    Each entry: ``Arn`` and the GetOpenIDConnectProvider fields (``Url``,
    ``ClientIDList``, ``ThumbprintList``, ``Tags``, ``CreateDate``), plus the
    iamwarden extension ``Jwks``: the issuer's public keys, for the endpoint
    (docs/decisions/sts-oidc-keys.md).
    """
    out = []
    for i, p in enumerate(items or []):
        where = f"$.{OIDC_PROVIDERS_KEY}[{i}]"
        _require(p, ("Arn",), where, source)
        arn = str(p["Arn"])
        if ":oidc-provider/" not in arn:
            raise LoadError(f"{source}: {where}.Arn: {arn!r} is not an oidc-provider ARN")
        note(arn)
        url = str(p.get("Url") or arn.split(":oidc-provider/", 1)[1])
        try:
            jwks = read_jwks(p["Jwks"]) if p.get("Jwks") is not None else ()
        except JwksError as e:
            raise LoadError(f"{source}: {where}.Jwks: {e}") from None
        out.append(OidcProvider(
            arn, provider_id(url), tuple(str(c) for c in p.get("ClientIDList") or ()),
            tuple(str(t) for t in p.get("ThumbprintList") or ()), _tags(p.get("Tags")), jwks,
            str(p["CreateDate"]) if p.get("CreateDate") else None))
    return tuple(out)


def _merge_pages(pages: list[Any]) -> dict[str, Any]:
    merged: dict[str, list[Any]] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
                                    "SAMLProviderList": [], OIDC_PROVIDERS_KEY: []}
    for p in pages:
        for k in merged:
            merged[k] += p.get(k) or []
    return merged


def load_account(path: str | Path) -> Account:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise LoadError(N_("{path}: cannot read: {error}", path=p, error=e.strerror)) from None
    return account_from_bytes(raw, str(p))


def account_from_bytes(raw: bytes, source: str) -> Account:
    """One account from the bytes of a GAAD file (``source`` names it in errors and reports)."""
    p = source
    try:
        # strict: no NaN/Infinity, no overflowing numbers, bounded nesting (issue 8)
        data = strict_json(raw, str(p))
    except PolicySyntaxError as e:
        raise LoadError(f"{p}: {e.problems[0].message}") from None
    problems = check_shape(data)
    if problems:
        raise _shape_error(str(p), problems)
    if isinstance(data, list):
        data = _merge_pages(data)
    return _build(data, str(p))


def details_subset(raw: bytes, arns: Collection[str]) -> bytes:
    """The same GAAD document (already read without error) with only the users and roles whose
    ARN is in ``arns``, in their order; groups, policies and providers are kept whole, so the
    account read from it gives those principals the same policies (``scale``'s workers read
    the other accounts' principals this way: ``analysis.partition``)."""
    data = json.loads(raw)  # a document read before: strict_json found no duplicate keys
    for page in data if isinstance(data, list) else [data]:
        for key in ("UserDetailList", "RoleDetailList"):
            items = page.get(key) if isinstance(page, dict) else None
            if items:
                page[key] = [e for e in items if isinstance(e, dict) and e.get("Arn") in arns]
    return json.dumps(data).encode()


def account_files(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            out += sorted(f for f in p.glob("*.json") if not f.name.endswith(".expected.json"))
        else:
            out.append(p)
    return out


def load_world(paths: Iterable[str | Path]) -> World:
    """Load several account files (or folders of them) into one world."""
    return world_of((f, load_account(f)) for f in account_files(paths))


def world_of(loaded: Iterable[tuple[str | Path, Account]]) -> World:
    """One world of ``(where it came from, account)`` pairs, read in order.

    An account loaded twice is refused, naming both places, and so is no
    account at all: the rule for files on disk and for documents sent to
    workers (``scale.source``) alike.
    """
    accounts: dict[str, Account] = {}
    with gc_paused():  # ``loaded`` parses as it goes: millions of acyclic objects (``_gc``)
        for where, acct in loaded:
            if acct.account_id in accounts:
                raise LoadError(N_("{path}: account {account} is already loaded from {source}", path=where,
                                   account=acct.account_id, source=accounts[acct.account_id].source))
            accounts[acct.account_id] = acct
    if not accounts:
        raise LoadError(N_("no account files given"))
    return World(accounts)
