"""``iamwarden check``: decide requests from a case file or from account data.

Exit status (docs/exit-codes.md): 0 when every decision is Allow, 1 when any is
a deny (implicit or explicit), 2 for unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Sequence

from ..analysis.regions import KEY as REGION_KEY
from ..analysis.regions import default_region
from ..evaluation import Decision, authorize, decide
from ..evaluation.world import UnknownPrincipal
from ..i18n import N_, Translator, translator
from ..loaders.authz_details import LoadError, load_world
from ..loaders.cases import CaseError, load_cases
from ..model.principal import PrincipalError
from ..report.decision_text import decision_message, verdict_word
from . import UsageError, message_of
from .audit import apply_org, org_arg
from .language import add_lang_argument, lang_of


def register(sub: Any) -> None:
    p = sub.add_parser(
        "check",
        help="decide a request (from a case file, or from account data)",
        description=(
            "Decide requests exactly as AWS would. Either --case FILE (one case or a list, in the "
            "shape of conformance/decisions.json) or --account FILE... with --principal, --action "
            "and --resource. Exit status: 0 when every decision is Allow, 1 when any is a deny, "
            "2 for unusable input."
        ),
    )
    p.add_argument("--case", metavar="FILE", help="file holding one case or a list of cases")
    p.add_argument("--account", metavar="FILE", action="append", default=[],
                   help="get-account-authorization-details output (repeat per account)")
    org_arg(p)
    p.add_argument("--principal", metavar="ARN")
    p.add_argument("--action", metavar="ACTION")
    p.add_argument("--resource", metavar="ARN", default=None)
    p.add_argument("--context", metavar="KEY=VALUE", action="append", default=[],
                   help="a condition key; repeat a key for a multivalued key")
    p.add_argument("--region", metavar="REGION", default=None,
                   help="--account form: the region the request is made in (aws:RequestedRegion; "
                        "default: the resource ARN's region, else us-east-1, where IAM and the STS "
                        "global endpoint are); a --context aws:RequestedRegion=... wins")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_lang_argument(p)
    p.set_defaults(func=run)


def parse_context(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise UsageError(N_("--context {item!r}: expected KEY=VALUE", item=item))
        k, v = item.split("=", 1)
        if k in out:
            prev = out[k]
            out[k] = (prev if isinstance(prev, list) else [prev]) + [v]
        else:
            out[k] = v
    return out


def run(args: argparse.Namespace) -> int:
    if (args.org or args.resources) and not args.account:
        raise UsageError(N_("--org and --resources apply to --account data (a --case file carries its own scp/rcp "
                            "levels)"))
    _ = translator(lang_of(args))
    if args.case and args.account:
        raise UsageError(N_("use either --case or --account, not both"))
    if args.case:
        try:
            cases, is_list = load_cases(args.case)
        except CaseError as e:
            raise UsageError(message_of(e)) from None
        if not is_list and isinstance(cases[0], CaseError):
            raise UsageError(message_of(cases[0]))
        # one bad case never stops the others: it gets its own error object (spec §1.4)
        decisions = [c if isinstance(c, CaseError) else authorize(c.request, c.policies) for c in cases]
        labels = [c.case_id or f"case[{i}]" if isinstance(c, CaseError) else c.id for i, c in enumerate(cases)]
    elif args.account:
        missing = [f"--{n}" for n in ("principal", "action", "resource") if not getattr(args, n)]
        if missing:
            raise UsageError(N_("--account needs {flags}", flags=", ".join(missing)))
        try:
            world = apply_org(load_world(args.account), args.org, args.resources)
            context = parse_context(args.context)
            if not any(k.lower() == REGION_KEY.lower() for k in context):
                # AWS puts the key on every request (spec §3.2): a request without it is one AWS never sees
                context[REGION_KEY] = args.region or default_region(args.resource)
            d = decide(world, args.principal, args.action, args.resource, context)
        except (LoadError, UnknownPrincipal, PrincipalError) as e:
            raise UsageError(message_of(e)) from None
        decisions, labels, is_list = [d], [f"{args.principal} {args.action} {args.resource}"], False
    else:
        raise UsageError(N_("give --case FILE, or --account FILE with --principal/--action/--resource"))
    emit(decisions, labels, is_list, args.format, _)
    status = exit_status(decisions)
    if status == 2:
        bad = sum(1 for d in decisions if not isinstance(d, Decision))
        print(_("iamwarden: error: {message}", message=_("{bad} of {n} cases could not be decided (their error "
                                                        "objects say why)", bad=bad, n=len(decisions))),
              file=sys.stderr)
    return status


def exit_status(decisions: Sequence[object]) -> int:
    """docs/exit-codes.md: 0 only when every decision allows; any deny (implicit, explicit, or an
    error while evaluating, which is a deny) is 1; a case that could not be decided at all (its own
    error object in a list of cases) is 2, since "denied" would be an answer never given."""
    if not decisions or any(not isinstance(d, Decision) for d in decisions):
        return 2
    return 0 if all(d.allowed for d in decisions if isinstance(d, Decision)) else 1


def _to_json(d: Decision | CaseError, label: str) -> dict[str, Any]:
    if isinstance(d, CaseError):
        return {"id": label, "error": str(d)}
    return d.to_json()


def emit(decisions: list[Decision | CaseError], labels: list[str], is_list: bool, fmt: str,
         _: Translator | None = None) -> None:
    """Print the decisions; text in ``_``'s language (JSON keeps the engine's English sentences)."""
    _ = _ or translator()
    if fmt == "json":
        payload: Any = ([_to_json(d, lb) for d, lb in zip(decisions, labels, strict=True)] if is_list
                        else _to_json(decisions[0], labels[0]))
        json.dump(payload, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    for label, d in zip(labels, decisions, strict=True):
        if isinstance(d, CaseError):
            print(_("{label}: error: {error}", label=label, error=_.text(message_of(d))))
            continue
        print(f"{label}: {verdict_word(d.decision, _)}")
        if d.rule:
            print(_("  rule: {rule}", rule=decision_message(d.rule, _)))
        for r in d.reasons:
            where = ""
            if r.policy is not None:
                where = f" [{r.policy_type} {r.policy}"
                if r.statement is not None:
                    where += _(" statement {statement}", statement=r.statement)
                if r.sid:
                    where += f" ({r.sid})"
                where += "]"
            print(f"  - {decision_message(r.message, _)}{where}")
        for e in d.errors:
            print(_("  ! error: {error}", error=e))
