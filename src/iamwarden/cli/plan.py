"""``iamwarden plan``: what a Terraform plan or a CloudFormation template does to who can become admin.

Thin: read the plan (``terraform show -json`` output) or the template, the current
account data (``--account``, else an empty account), call ``iamwarden.plan``,
render with ``iamwarden.report.plan``.

Exit status (docs/exit-codes.md): 0 no new finding at or above ``--fail-on``; 1 a
new finding at or above it; 2 unusable input, or an undecided answer (values that
shape IAM are unknown until apply and nothing at or above ``--fail-on`` was found
without them): a check that could not decide must not pass CI.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..analysis.findings import SEVERITIES
from ..i18n import N_, Text, gettext_noop, translator
from ..loaders.authz_details import LoadError, load_world
from ..model.account import World
from ..plan import NEW_RISK, UNKNOWN, ChangeError, ChangeSet, evaluate
from ..plan.locate import terraform_locations
from ..plan.terraform import PlanError, read_plan
from ..policy.document import strict_json
from ..policy.errors import PolicySyntaxError
from . import UsageError, message_of
from .audit import apply_org, org_arg
from .language import add_lang_argument, lang_of

FORMATS = ("text", "json", "sarif", "markdown")
#: caps on what is read (bounded input): the plan or template, and the .tf files searched for lines
MAX_INPUT_BYTES = 64 * 1024 * 1024
MAX_TF_FILES = 2000
MAX_TF_BYTES = 4 * 1024 * 1024
#: the exit status of an undecided answer (docs/decisions/plan-unknown-values.md)
UNKNOWN_STATUS = 2


def register(sub: Any) -> None:
    p = sub.add_parser(
        "plan", help="does a Terraform plan or CloudFormation template create a new way to become admin?",
        description="Apply a Terraform plan (terraform show -json PLANFILE) or a CloudFormation template "
                    "(--cfn) to the current account data (--account, else an empty account) and report "
                    "new and removed admins, escalation paths and findings. Exit status: 0 no new risk, 1 a "
                    "new finding at or above --fail-on, 2 unusable input or values unknown until apply.")
    p.add_argument("plan", nargs="?", metavar="PLAN.json", help="terraform show -json output")
    p.add_argument("--cfn", metavar="TEMPLATE", help="a CloudFormation template (JSON or YAML)")
    org_arg(p)  # --org, --resources: before and after are capped and hold them alike
    p.add_argument("--account", metavar="PATH", action="append", default=[],
                   help="current account data (GAAD file or folder; repeat)")
    p.add_argument("--account-id", metavar="ID", help="the account the change deploys to (default: the one "
                   "loaded with --account, else the one the plan's ARNs name)")
    p.add_argument("--region", default="us-east-1", help="CloudFormation AWS::Region (default us-east-1)")
    p.add_argument("--partition", default="aws", help="CloudFormation AWS::Partition (default aws)")
    p.add_argument("--parameter", metavar="KEY=VALUE", action="append", default=[],
                   help="CloudFormation parameter value (repeat); parameters without one use their Default")
    p.add_argument("--source-dir", metavar="DIR", help="Terraform configuration directory, to locate each "
                   "resource's .tf file and line (SARIF, markdown)")
    p.add_argument("--fail-on", choices=SEVERITIES, default="low", metavar="SEVERITY",
                   help="exit 1 when a new finding of SEVERITY or worse exists (%(choices)s; "
                        "default low: any new finding)")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    add_lang_argument(p)  # text and markdown in the reader's language, JSON's sentences too; SARIF stays English
    p.set_defaults(func=run)


def _read(path: str, what: str) -> bytes:
    try:
        size = os.path.getsize(path)
        if size > MAX_INPUT_BYTES:
            raise UsageError(N_("{path}: {what} is {size} bytes, more than the {n} read", path=path, what=Text(what),
                                size=size, n=MAX_INPUT_BYTES))
        return Path(path).read_bytes()
    except OSError as e:
        raise UsageError(N_("{path}: cannot read: {error}", path=path, error=e.strerror)) from None


def _tf_files(source_dir: str) -> dict[str, str]:
    root = Path(source_dir)
    if not root.is_dir():
        raise UsageError(N_("--source-dir {path}: not a directory", path=source_dir))
    files: dict[str, str] = {}
    for f in sorted(root.rglob("*.tf")):
        if ".terraform" in f.relative_to(root).parts:
            continue  # downloaded modules and providers
        if len(files) >= MAX_TF_FILES:
            raise UsageError(N_("--source-dir {path}: more than {n} .tf files", path=source_dir, n=MAX_TF_FILES))
        if f.stat().st_size > MAX_TF_BYTES:
            continue
        files[f.relative_to(root).as_posix()] = f.read_text(encoding="utf-8", errors="replace")
    return files


def _prefix(source_dir: str) -> str:
    p = Path(source_dir)
    rel = os.path.relpath(p.resolve(), Path.cwd().resolve()) if not p.is_absolute() else str(p)
    return "" if rel == "." else rel.rstrip("/") + "/"


def _world(paths: list[str]) -> World | None:
    if not paths:
        return None
    try:
        return load_world(paths)
    except (LoadError, OSError) as e:
        raise UsageError(message_of(e)) from None


def _account_id(args: argparse.Namespace, world: World | None) -> str | None:
    if args.account_id:
        if not (args.account_id.isdigit() and len(args.account_id) == 12):
            raise UsageError(N_("--account-id {account!r}: expected 12 digits", account=args.account_id))
        return str(args.account_id)
    if world is not None and len(world.accounts) == 1:
        return next(iter(world.accounts))
    if world is not None:
        raise UsageError(N_("several accounts are loaded: say which one the change deploys to with --account-id"))
    return None


def changes_for(args: argparse.Namespace, world: World | None) -> ChangeSet:
    account_id = _account_id(args, world)
    if args.cfn:
        if args.plan:
            raise UsageError(N_("give a PLAN.json or --cfn TEMPLATE, not both"))
        from ..plan.cloudformation import TemplateError, read_template  # noqa: PLC0415

        params = {}
        for kv in args.parameter:
            k, sep, v = kv.partition("=")
            if not sep or not k:
                raise UsageError(N_("--parameter {item!r}: expected KEY=VALUE", item=kv))
            params[k] = v
        try:
            text = _read(args.cfn, gettext_noop("the template")).decode("utf-8", errors="replace")
            return read_template(text, args.cfn,
                                 account_id=account_id, region=args.region, partition=args.partition,
                                 parameters=params)
        except TemplateError as e:
            raise UsageError(N_("{path}: {error}", path=args.cfn, error=message_of(e))) from None
    if not args.plan:
        raise UsageError(N_("give a PLAN.json (terraform show -json output) or --cfn TEMPLATE"))
    try:
        data = strict_json(_read(args.plan, gettext_noop("the plan")), args.plan)
    except PolicySyntaxError as e:
        raise UsageError(N_("{path}: not JSON: {error}", path=args.plan, error=e.problems[0].message)) from None
    if not isinstance(data, dict):
        raise UsageError(N_("{path}: not terraform show -json output (expected an object)", path=args.plan))
    locations = terraform_locations(data, _tf_files(args.source_dir), _prefix(args.source_dir)) \
        if args.source_dir else None
    try:
        return read_plan(data, account_id, args.plan, locations)
    except PlanError as e:
        raise UsageError(N_("{path}: {error}", path=args.plan, error=message_of(e))) from None


#: formats whose renderer takes ``lang`` (JSON carries the translated sentences; SARIF stays English)
LANG_FORMATS = ("text", "markdown")


def run(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    world = _world(args.account)
    if args.org or args.resources:

        world = apply_org(world if world is not None else World({}), args.org, args.resources)
    changes = changes_for(args, world)
    try:
        report = evaluate(world, changes, args.fail_on, datetime.now(UTC),
                          translate=translator(lang) if lang != "en" and args.format != "sarif" else None)
    except ChangeError as e:
        raise UsageError(message_of(e)) from None
    from ..report.plan import RENDERERS  # noqa: PLC0415

    out = RENDERERS[args.format](report.to_json(), **({"lang": lang} if args.format in LANG_FORMATS else {}))
    if args.output:
        try:
            Path(args.output).write_text(out, encoding="utf-8")
        except OSError as e:
            raise UsageError(N_("--output {path}: {error}", path=args.output, error=e.strerror)) from None
    else:
        sys.stdout.write(out)
    if report.verdict == NEW_RISK:
        return 1
    if report.verdict == UNKNOWN:
        n = len(report.data["unknowns"])
        sys.stdout.flush()  # the report first, then the reason
        _ = translator(lang)
        print(_("iamwarden: cannot decide: {n} value(s) that shape IAM are unknown until apply "
                "(listed in the report)", n=n), file=sys.stderr)
        return UNKNOWN_STATUS
    return 0
