"""``iamwarden diff``: does a policy change grant new access? (``CheckNoNewAccess`` / ``CheckAccessNotGranted``).

Exit status: 0 no new access (or access not granted), 1 new access found (or
access granted), 2 unusable input *or* an unknown answer (the solver's budget ran
out, or a construct is not encoded): a check that could not be decided must not pass CI.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..diff import DEFAULT_BUDGET_MS, FAILS, HOLDS, Answer, check_access_not_granted, check_no_new_access
from ..i18n import N_, translator
from ..policy.document import Policy, PolicyKind, parse_policy
from ..policy.errors import PolicySyntaxError
from . import UsageError, message_of
from .language import add_lang_argument, lang_of


def register(sub: Any) -> None:
    p = sub.add_parser(
        "diff",
        help="does NEW allow any request OLD denies? (or: is ACTIONS not granted?)",
        description=(
            "Compare two identity policies exactly (z3 over the policy language, every example "
            "confirmed by the engine): OLD.json NEW.json answers CheckNoNewAccess; "
            "--not-granted ACTIONS POLICY.json answers CheckAccessNotGranted."
        ),
    )
    p.add_argument("policies", nargs="+", metavar="POLICY.json")
    p.add_argument("--not-granted", metavar="ACTIONS", help="comma-separated actions (globs allowed)")
    p.add_argument("--resources", metavar="ARNS", help="comma-separated resources for --not-granted")
    p.add_argument("--budget-ms", type=int, default=DEFAULT_BUDGET_MS, help="solver time budget per query")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                   help="markdown: a pull-request comment")
    add_lang_argument(p)
    p.set_defaults(func=run)


def _load(path: str) -> Policy:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(N_("{path}: cannot read: {error}", path=path, error=e.strerror)) from None
    try:
        return parse_policy(text, PolicyKind.IDENTITY, path)
    except PolicySyntaxError as e:
        raise UsageError(message_of(e)) from None


def run(args: argparse.Namespace) -> int:
    if args.not_granted is not None:
        if len(args.policies) != 1:
            raise UsageError(N_("--not-granted takes one POLICY.json"))
        actions = [a.strip() for a in args.not_granted.split(",") if a.strip()]
        if not actions:
            raise UsageError(N_("--not-granted: give at least one action"))
        resources = [r.strip() for r in (args.resources or "").split(",") if r.strip()]
        answer = check_access_not_granted([_load(args.policies[0])], actions, resources, args.budget_ms)
    else:
        if args.resources:
            raise UsageError(N_("--resources belongs with --not-granted"))
        if len(args.policies) != 2:
            raise UsageError(N_("give OLD.json NEW.json"))
        old, new = (_load(p) for p in args.policies)
        answer = check_no_new_access([old], [new], args.budget_ms)
    emit(answer, args.format, lang_of(args))
    return {HOLDS: 0, FAILS: 1}.get(answer.result, 2)


def emit(answer: Answer, fmt: str, lang: str = "en") -> None:
    data = answer.to_json(translator(lang) if lang != "en" else None)  # JSON's reason follows --lang too
    if fmt == "json":
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    from ..report.diff import render_markdown, render_text  # noqa: PLC0415

    sys.stdout.write((render_markdown if fmt == "markdown" else render_text)(data, lang))
