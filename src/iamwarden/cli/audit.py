"""``iamwarden audit``, ``who-can``, ``path`` and ``collect``: the escalation analysis from the shell.

Thin: load accounts (files, folders, or a GetAccountAuthorizationDetails
endpoint through boto3), call ``iamwarden.analysis``, render with
``iamwarden.report.*``. boto3 is only needed for ``--endpoint`` and
``collect`` (the ``aws`` extra) and is imported lazily.

Exit status (docs/exit-codes.md): ``audit`` 0, or 1 with ``--fail-on`` when a
finding of that severity or worse exists; ``who-can`` 1 when nobody can;
``path`` 1 when there is no path; 2 for unusable input everywhere.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable

from ..analysis import find_path, index_world, who_can
from ..analysis.findings import SEVERITIES
from ..analysis.result import RELATED_SAMPLE
from ..i18n import N_, gettext_noop, translator
from ..loaders.authz_details import LoadError, account_from_details, load_world
from ..loaders.json_files import read_file_bytes
from ..model.account import World
from ..scale import PARALLEL_MIN_PRINCIPALS, EngineUnavailable, WorldSource, audit_world
from ..scale.driver import ENGINES
from . import UsageError, message_of
from .argparse_text import help_text
from .known_accounts import read_known_accounts
from .language import add_lang_argument, lang_of, translator_of

FORMATS = ("text", "json", "sarif", "html", "dot", "svg")
#: renderers written elsewhere: format -> (module, function names tried in order)
RENDERERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "text": ("text", ("render",)),
    "json": ("json_report", ("render",)),
    "sarif": ("sarif", ("render",)),
    "html": ("html", ("render",)),
    "dot": ("graph_dot", ("render",)),
    "svg": ("graph_dot", ("render_svg",)),
}
PROGRESS_MIN_PRINCIPALS = 500
#: what to do when boto3 is missing (the ``aws`` extra of pyproject.toml)
INSTALL_AWS = "install iamwarden[aws] (pip install 'iamwarden[aws]', or pip install -e '.[aws]' in a clone)"


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="who is admin, who can become admin and how, what to fix",
                       description="Audit get-account-authorization-details output (files or folders of "
                                   "them, one account per file) or a running endpoint.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="GAAD JSON file, or a folder of them")
    _endpoint_args(p)
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    p.add_argument("--no-statements", action="store_true", help="text: leave out the deciding statements")
    p.add_argument("--max-principals", type=int, default=None, metavar="N",
                   help="text: list at most N escalating principals")
    p.add_argument("--fail-on", choices=SEVERITIES, default=None, metavar="SEVERITY",
                   help="exit 1 when a finding of SEVERITY or worse exists (%(choices)s, "
                        "worst first); the report is written either way")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help=help_text("worker processes (default: every core; 1: in this process). Inputs under "
                                  "{n:,} principals always run in this process with --engine local",
                                  n=PARALLEL_MIN_PRINCIPALS))
    p.add_argument("--engine", choices=ENGINES, default="local",
                   help="local: processes on this machine; ray: a Ray cluster (pip install 'iamwarden[ray]')")
    p.add_argument("--address", metavar="ADDR", default=None,
                   help="--engine ray: the cluster to join (ray://HOST:10001 or auto); default: a local Ray")
    p.add_argument("--full-lists", action="store_true",
                   help=help_text("list everyone who can assume an open admin role (IW001) in full: in JSON/SARIF "
                                  "'related' (default: the first {n} and 'related_count') and in the text report",
                                  n=RELATED_SAMPLE))
    p.add_argument("--known-accounts", metavar="FILE", default=None,
                   help="account ids that are not loaded but known (JSON list or one per line): "
                        "trusts of other unloaded accounts are third-party findings")
    add_lang_argument(p)
    p.set_defaults(func=run_audit)

    w = sub.add_parser("who-can", help="which principals can do an action, directly or through a path",
                       description="Which principals can do an action, directly or through an escalation "
                                   "path. Exit status: 0 when at least one can, 1 when nobody can, 2 for "
                                   "unusable input.")
    w.add_argument("--account", metavar="PATH", action="append", default=[], help="GAAD file or folder (repeat)")
    _endpoint_args(w)
    w.add_argument("--action", required=True)
    w.add_argument("--resource", default="*")
    w.add_argument("--uncertain", action="store_true", help="also follow uncertain steps")
    w.add_argument("--format", choices=("text", "json"), default="text")
    add_lang_argument(w)
    w.set_defaults(func=run_who_can)

    pa = sub.add_parser("path", help="how one principal can gain another's powers",
                        description="How one principal can gain another's powers. Exit status: 0 when a "
                                    "path exists, 1 when there is none, 2 for unusable input.")
    pa.add_argument("source", metavar="FROM", help="user or role ARN")
    pa.add_argument("target", metavar="TO", help="user or role ARN")
    pa.add_argument("--account", metavar="PATH", action="append", default=[], help="GAAD file or folder (repeat)")
    _endpoint_args(pa)
    pa.add_argument("--uncertain", action="store_true", help="also follow uncertain steps")
    pa.add_argument("--format", choices=("text", "json"), default="text")
    add_lang_argument(pa)
    pa.set_defaults(func=run_path)

    c = sub.add_parser("collect", help="write get-account-authorization-details JSON from an account (boto3)")
    c.add_argument("--profile", help="AWS profile (default: boto3's usual credential chain)")
    c.add_argument("--region", default=None)
    c.add_argument("--endpoint", metavar="URL", help="IAM endpoint URL (e.g. a local iamwarden server)")
    c.add_argument("--output", "-o", metavar="FILE", help="default: stdout")
    what = c.add_mutually_exclusive_group()
    what.add_argument("--org", action="store_true",
                      help="write the organization file instead (Organizations read calls; run in the management "
                           "account or a delegated administrator; docs/organization.md)")
    what.add_argument("--resources", action="store_true",
                      help="write the account's resources file instead (S3, KMS, Lambda, SQS, SNS, Secrets Manager, "
                           "ECR resource policies, in --region)")
    c.set_defaults(func=run_collect)


def org_arg(p: argparse.ArgumentParser) -> None:
    """``--org FILE``: cap the loaded accounts by the organization's SCPs and RCPs (docs/organization.md)."""
    p.add_argument("--org", metavar="FILE", default=None,
                   help="organization file (iamwarden collect --org): apply its SCPs and RCPs (spec §1.8)")
    p.add_argument("--resources", metavar="PATH", action="append", default=[],
                   help="resources file of an account, or a folder of them (repeat): S3, KMS, Lambda, SQS, "
                        "SNS, Secrets Manager and ECR resource policies")


def apply_org(world: World, path: str | None, resources: list[str] | None = None) -> World:
    """The world capped by the organization in ``path`` and holding the resources files;
    unchanged without ``--org`` / ``--resources``."""
    from ..loaders.organization import load_organization, with_organization  # noqa: PLC0415
    from ..loaders.resources import load_resources, with_resources  # noqa: PLC0415

    if resources:
        try:
            world = with_resources(world, load_resources(resources))
        except LoadError as e:
            raise UsageError(N_("--resources {error}", error=message_of(e))) from None
    if not path:
        return world
    try:
        return with_organization(world, load_organization(path))
    except LoadError as e:
        raise UsageError(N_("--org {error}", error=message_of(e))) from None


def _endpoint_args(p: argparse.ArgumentParser) -> None:
    org_arg(p)
    p.add_argument("--endpoint", metavar="URL", help="read GetAccountAuthorizationDetails from this endpoint")
    p.add_argument("--profile", help="AWS profile for --endpoint")
    p.add_argument("--region", default=None, help="region for --endpoint (default us-east-1)")


# -- loading -----------------------------------------------------------------------------------


def _boto3() -> Any:
    try:
        import boto3  # noqa: PLC0415 (optional dependency)
    except ModuleNotFoundError:
        raise UsageError(N_("this command needs boto3, which is not installed: {install}",
                            install=INSTALL_AWS)) from None
    return boto3


def fetch_details(endpoint: str | None = None, profile: str | None = None, region: str | None = None) -> dict[str, Any]:
    """All pages of GetAccountAuthorizationDetails, merged (boto3's paginator)."""
    boto3 = _boto3()
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    try:
        session = boto3.Session(profile_name=profile) if profile else boto3.Session()
        client = session.client("iam", endpoint_url=endpoint, region_name=region or session.region_name or "us-east-1")
        merged: dict[str, list[Any]] = {k: [] for k in ("UserDetailList", "GroupDetailList", "RoleDetailList",
                                                          "Policies")}
        for page in client.get_paginator("get_account_authorization_details").paginate():
            for k in merged:
                merged[k] += page.get(k) or []
        merged["SAMLProviderList"] = saml_provider_list(client)
    except (BotoCoreError, ClientError) as e:
        raise UsageError(N_("GetAccountAuthorizationDetails at {endpoint} failed: {error}", endpoint=endpoint,
                            error=str(e))
                         if endpoint else N_("GetAccountAuthorizationDetails failed: {error}", error=str(e))) from None
    providers = fetch_oidc_providers(client)
    if providers:
        merged["OpenIDConnectProviderList"] = providers
    return merged


def saml_provider_list(client: Any) -> list[dict[str, Any]]:
    """``SAMLProviderList`` (docs/account-files.md): list-saml-providers, then get-saml-provider for each."""
    out = []
    for item in client.list_saml_providers().get("SAMLProviderList") or []:
        got = client.get_saml_provider(SAMLProviderArn=item["Arn"])
        entry: dict[str, Any] = {"Arn": item["Arn"], "SAMLMetadataDocument": got["SAMLMetadataDocument"]}
        for key in ("CreateDate", "ValidUntil", "Tags"):
            if got.get(key):
                entry[key] = got[key]
        out.append(entry)
    return out


def fetch_oidc_providers(client: Any) -> list[dict[str, Any]]:
    """``list-open-id-connect-providers`` + ``get-open-id-connect-provider`` each, as the account file holds them.

    A caller that may not list providers still gets the rest of the account: the
    refusal is said on stderr and the list left out (docs/account-files.md).
    """
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    out: list[dict[str, Any]] = []
    try:
        for item in client.list_open_id_connect_providers().get("OpenIDConnectProviderList") or []:
            got = client.get_open_id_connect_provider(OpenIDConnectProviderArn=item["Arn"])
            got.pop("ResponseMetadata", None)
            out.append({"Arn": item["Arn"], **got})
    except (BotoCoreError, ClientError) as e:
        _ = translator_of()
        print(_("iamwarden: OIDC providers not collected: {error}", error=e), file=sys.stderr)
        return []
    return out


def _json_default(o: Any) -> Any:
    if hasattr(o, "isoformat"):
        return o.isoformat()
    raise TypeError(f"cannot write {type(o).__name__} as JSON")


def load_inputs(paths: list[str], endpoint: str | None, profile: str | None, region: str | None) -> World:
    if not paths and not endpoint:
        raise UsageError(N_("give at least one PATH (a GAAD file or folder) or --endpoint URL"))
    try:
        world = load_world(paths) if paths else None
        if endpoint:
            data = json.loads(json.dumps(fetch_details(endpoint, profile, region), default=_json_default))
            acct = account_from_details(data, endpoint)
            accounts = dict(world.accounts) if world else {}
            if acct.account_id in accounts:
                raise UsageError(N_("{endpoint}: account {account} is already loaded from a file", endpoint=endpoint,
                                    account=acct.account_id))
            accounts[acct.account_id] = acct
            world = World(accounts)
    except (LoadError, OSError) as e:
        raise UsageError(message_of(e)) from None
    assert world is not None
    return world


# -- rendering ---------------------------------------------------------------------------------


def render(fmt: str, result_json: dict[str, Any], **options: Any) -> str | bytes:
    """Render with ``iamwarden.report.<module>``; a missing renderer is a usage error."""
    module, names = RENDERERS[fmt]
    try:
        mod = importlib.import_module(f"iamwarden.report.{module}")
    except ModuleNotFoundError:
        raise UsageError(N_("--format {format}: the {module} report is not available in this installation",
                            format=fmt, module=module)) from None
    for name in names:
        fn = getattr(mod, name, None)
        if fn is not None:
            return fn(result_json, **options) if options else fn(result_json)
    raise UsageError(N_("--format {format}: iamwarden.report.{module} has no {name}()", format=fmt, module=module,
                        name=names[0]))


def _write(out: str | bytes, path: str | None) -> None:
    if path:
        try:
            with open(path, "wb") as fh:
                fh.write(out.encode("utf-8") if isinstance(out, str) else out)
        except OSError as e:
            raise UsageError(N_("--output {path}: {error}", path=path, error=e.strerror)) from None
        return
    if isinstance(out, bytes):
        sys.stdout.buffer.write(out)
    else:
        sys.stdout.write(out)


def progress_bar(stream: Any = None) -> Callable[[str, int, int], None] | None:
    """A one-line progress bar on stderr, only when stderr is a terminal (quiet when piped)."""
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        return None
    last = [0.0]

    def show(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.1:
            return
        last[0] = now
        frac = min(1.0, done / total) if total else 1.0
        bar = "#" * int(frac * 30)
        stream.write(f"\r{stage:>16} [{bar:<30}] {done}/{total}")
        stream.flush()

    return show


def audit_source(paths: list[str], endpoint: str | None, profile: str | None, region: str | None,
                 org: str | None = None) -> WorldSource:
    """The accounts to audit as documents (files, folders, an endpoint's GAAD), for any engine;
    ``org``: the organization file, whose SCPs and RCPs every worker applies too."""
    if not paths and not endpoint:
        raise UsageError(N_("give at least one PATH (a GAAD file or folder) or --endpoint URL"))
    extra = []
    if endpoint:
        data = fetch_details(endpoint, profile, region)
        extra.append((endpoint, json.dumps(data, default=_json_default).encode()))
    try:
        source = WorldSource.from_paths(paths, _now(), extra)
    except (LoadError, OSError) as e:
        raise UsageError(message_of(e)) from None
    if not org:
        return source
    try:
        raw = read_file_bytes(org, gettext_noop("an organization file"))
        with_org = WorldSource.of(source.accounts, source.now, (str(Path(org)), raw))
        with_org.parsed_organization()  # its errors, named as --org's, before any account is parsed
    except LoadError as e:
        raise UsageError(N_("--org {error}", error=message_of(e))) from None
    return with_org


#: formats whose renderer takes ``lang`` (JSON carries the translated findings; SARIF stays English)
LANG_FORMATS = ("text", "html", "dot", "svg")


def run_audit(args: argparse.Namespace) -> int:
    known = read_known_accounts(args.known_accounts)
    lang = lang_of(args)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(N_("--jobs {jobs}: expected a number of processes, at least 1", jobs=args.jobs))
    if args.address and args.engine != "ray":
        raise UsageError(N_("--address is for --engine ray"))
    source = audit_source(args.paths, args.endpoint, args.profile, args.region, args.org)
    try:
        world = source.world()  # with the organization's SCPs and RCPs when --org is given
    except LoadError as e:
        raise UsageError(message_of(e)) from None
    jobs = args.jobs
    if args.resources:
        # the workers read the account and organization files only: with resources files the
        # audit runs in this process for now (docs/scale.md)
        if args.engine != "local":
            raise UsageError(N_("--resources runs with --engine local for now"))
        world = apply_org(world, None, args.resources)
        jobs = 1
    n = sum(len(a.users) + len(a.roles) for a in world.accounts.values())
    bar = progress_bar() if n >= PROGRESS_MIN_PRINCIPALS else None
    try:
        result = audit_world(source, jobs=jobs, engine=args.engine, address=args.address, progress=bar,
                             world=world, known_accounts=known)
    except EngineUnavailable as e:
        raise UsageError(message_of(e)) from None
    if bar is not None:
        sys.stderr.write("\r" + " " * 60 + "\r")
    data = result.to_json(full_lists=args.full_lists,
                          translate=translator(lang) if lang != "en" and args.format != "sarif" else None)
    options: dict[str, Any] = {"lang": lang} if lang != "en" and args.format in LANG_FORMATS else {}
    if args.format == "text":
        out = render("text", data, statements=not args.no_statements, max_principals=args.max_principals,
                     full_lists=args.full_lists, **options)
    else:
        out = render(args.format, data, **options)
    _write(out, args.output)
    return audit_status(data, args.fail_on)


def audit_status(result_json: dict[str, Any], fail_on: str | None) -> int:
    """1 when a finding at or above ``fail_on`` exists (severities as the findings define them)."""
    if fail_on is None:
        return 0
    worst_allowed = SEVERITIES.index(fail_on)
    sevs = {f.get("severity") for f in result_json.get("findings") or []}
    return 1 if any(s in SEVERITIES and SEVERITIES.index(s) <= worst_allowed for s in sevs) else 0


def _now() -> datetime:
    """The moment of the audit: conditions on aws:CurrentTime / aws:TokenIssueTime are decided
    for a request made now (``analysis.session``; the core reads no clock)."""
    return datetime.now(UTC)


def _world_for(args: argparse.Namespace) -> World:
    return apply_org(load_inputs(args.account, args.endpoint, args.profile, args.region), args.org, args.resources)


def _arn_known(world: World, arn: str, flag: str) -> None:
    if world.entity(arn) is None:
        raise UsageError(N_("{flag} {arn}: no such user or role in the loaded accounts ({accounts})", flag=flag,
                            arn=arn, accounts=", ".join(sorted(world.accounts))))


def run_who_can(args: argparse.Namespace) -> int:
    if ":" not in args.action:
        raise UsageError(N_("--action {action!r}: expected service:Action, e.g. s3:GetObject", action=args.action))
    ix = index_world(_world_for(args), _now())
    reach = who_can(ix, args.action, args.resource, include_uncertain=args.uncertain)
    if args.format == "json":
        json.dump({"action": args.action, "resource": args.resource,
                   "principals": [r.to_json() for r in reach]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0 if reach else 1
    from ..report.queries import who_can_text  # noqa: PLC0415

    sys.stdout.write(who_can_text(args.action, args.resource, reach, lang_of(args)))
    return 0 if reach else 1


def run_path(args: argparse.Namespace) -> int:
    world = _world_for(args)
    _arn_known(world, args.source, "FROM")
    _arn_known(world, args.target, "TO")
    steps = find_path(index_world(world, _now()), args.source, args.target, include_uncertain=args.uncertain)
    if args.format == "json":
        json.dump({"from": args.source, "to": args.target, "found": steps is not None,
                   "steps": [e.to_json() for e in steps or []]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0 if steps is not None else 1
    from ..report.queries import path_text  # noqa: PLC0415

    sys.stdout.write(path_text(args.source, args.target, steps, lang_of(args)))
    return 0 if steps is not None else 1


def run_collect_other(args: argparse.Namespace) -> int:
    """``collect --org`` / ``collect --resources`` (``loaders.collect``)."""
    boto3 = _boto3()
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    from ..loaders.collect import CollectError, as_json, collect_organization, collect_resources  # noqa: PLC0415

    try:
        session = boto3.Session(profile_name=args.profile) if args.profile else boto3.Session()
        region = args.region or session.region_name or "us-east-1"
        if args.org:
            data = collect_organization(boto3.Session(profile_name=args.profile, region_name=region)
                                        if args.profile else boto3.Session(region_name=region), args.endpoint)
        else:
            data = collect_resources(session, args.endpoint, region)
    except (BotoCoreError, ClientError, CollectError) as e:
        raise UsageError(N_("collect --{what} failed: {error}", what="org" if args.org else "resources",
                            error=str(e))) from None
    _write(as_json(data), args.output)
    if args.output:
        _ = translator_of(args)
        if args.org:
            n = sum(len(c["Accounts"]) for c in data["Children"])
            print(_("wrote {path}: organization file, {n} accounts, {policies} SCPs/RCPs", path=args.output, n=n,
                    policies=len(data["Policies"])), file=sys.stderr)
        else:
            n = sum(len(v) for sec in data.values() if isinstance(sec, dict) for v in sec.values()
                    if isinstance(v, list))
            print(_("wrote {path}: resources file, {n} resources of account {account}", path=args.output, n=n,
                    account=data["AccountId"]), file=sys.stderr)
    return 0


def run_collect(args: argparse.Namespace) -> int:
    if getattr(args, "org", False) or getattr(args, "resources", False):
        return run_collect_other(args)
    data = fetch_details(args.endpoint, args.profile, args.region)
    out = json.dumps(data, indent=2, default=_json_default) + "\n"
    _write(out, args.output)
    if args.output:
        _ = translator_of(args)
        print(_("wrote {path}: {users}, {roles}, {groups}, {policies}", path=args.output,
                users=_.ngettext("{n} user", "{n} users", len(data["UserDetailList"])),
                roles=_.ngettext("{n} role", "{n} roles", len(data["RoleDetailList"])),
                groups=_.ngettext("{n} group", "{n} groups", len(data["GroupDetailList"])),
                policies=_.ngettext("{n} policy", "{n} policies", len(data["Policies"]))), file=sys.stderr)
    return 0
