"""``iamwarden explain``: why a principal can or cannot assume a role (spec §1.6).

Exit status (docs/exit-codes.md): 0 when the role can be assumed, 1 when it
cannot (in every format; a picture is still written), 2 for unusable input,
including a role that is not in the loaded accounts.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..i18n import N_
from ..loaders.authz_details import LoadError, load_world
from ..model.account import Role
from ..report.explain import FORMATS, render
from ..report.explain_federated import saml_text, web_identity_json, web_identity_text
from ..sts.caller import UnknownCaller
from ..sts.errors import StsError
from ..sts.explain import explain_assume_role
from ..sts.params import FALLBACK_SESSION_NAME, default_session_name
from . import UsageError, message_of
from .argparse_text import help_text
from .language import add_lang_argument, lang_of

#: the session name used when the caller's own name cannot be one


def register(sub: Any) -> None:
    p = sub.add_parser(
        "explain",
        help="explain whether a principal can assume a role, and why",
        description=(
            "Follow one sts:AssumeRole from the caller through STS to the role's trust policy: the "
            "verdict of each side with the statements that decided it, the rule that applied, and "
            "what would change the answer. Pictures (svg, png) are drawn with Graphviz. "
            "Exit status: 0 when the role can be assumed, 1 when it cannot, 2 for unusable input."
        ),
    )
    p.add_argument("--account", metavar="FILE", action="append", default=[], required=True,
                   help="get-account-authorization-details output (repeat per account)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--principal", metavar="ARN", default=None,
                     help="the caller: a user, role or session ARN (required unless --web-identity-token, "
                          "--claims or --saml-assertion is given)")
    who.add_argument("--web-identity-token", metavar="FILE",
                     help="AssumeRoleWithWebIdentity: an OIDC ID token (JWT) in FILE, verified against the "
                          "provider's keys in the account file (OpenIDConnectProviderList[].Jwks)")
    who.add_argument("--claims", metavar="JSON",
                     help="AssumeRoleWithWebIdentity what-if: the token's claims as JSON text (or a file), "
                          "not verified: which trust conditions they meet")
    p.add_argument("--role", metavar="ARN", required=True, help="the role to assume")
    p.add_argument("--external-id", metavar="X", default=None)
    p.add_argument("--session-name", metavar="N", default=None,
                   help=help_text("RoleSessionName (default: the last part of the caller's ARN, i.e. the user or "
                                  "role name or the session name of an assumed-role ARN, when it is a valid "
                                  "RoleSessionName; otherwise '{fallback}')", fallback=FALLBACK_SESSION_NAME))
    add_saml_arguments(p)
    p.add_argument("--format", choices=[f for f in FORMATS if f != "dot"] + ["dot"], default="text")
    p.add_argument("--output", metavar="FILE", default=None, help="write here instead of standard output")
    add_lang_argument(p)
    p.set_defaults(func=run)


def require_role(world: Any, role: str) -> None:
    """``--role`` must name a role of the loaded accounts (every kind of explanation asks this first).

    AWS would answer AccessDenied, but offline a role missing from the loaded accounts is a typo
    or a missing --account file: "denied" (1) would let a CI gate pass on a question never asked.
    """
    if not isinstance(world.entity(role), Role):
        loaded = ", ".join(sorted(world.accounts))
        raise UsageError(N_("--role {role}: no such role in the loaded accounts ({accounts}); if it is in another "
                            "account, load that account with another --account FILE", role=role, accounts=loaded))


def run(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    try:
        world = load_world(args.account)
    except LoadError as e:
        raise UsageError(message_of(e)) from None
    if args.saml_assertion is not None:
        if args.principal or args.web_identity_token or args.claims:
            raise UsageError(N_("--saml-assertion explains AssumeRoleWithSAML: leave out --principal, "
                                "--web-identity-token and --claims"))
        return run_saml(args, world)
    if args.web_identity_token is not None or args.claims is not None:
        return run_web_identity(args, world)
    if args.principal is None:
        raise UsageError(N_("give --principal ARN (or --web-identity-token FILE / --claims JSON for a web identity, "
                            "--saml-assertion FILE for a SAML federated role)"))
    name = args.session_name if args.session_name is not None else default_session_name(args.principal)
    params = {"RoleArn": args.role, "RoleSessionName": name}
    if args.external_id is not None:
        params["ExternalId"] = args.external_id
    try:
        explanation = explain_assume_role(world, args.principal, params, datetime.now(UTC), lang=lang)
    except UnknownCaller as e:
        raise UsageError(message_of(e)) from None
    except StsError as e:
        raise UsageError(f"{e.code}: {e.message}") from None
    require_role(world, args.role)
    if args.format == "png" and not args.output and sys.stdout.isatty():
        raise UsageError(N_("--format png writes binary data: give --output FILE"))
    try:
        out = render(explanation, args.format)
    except Exception as e:  # graphviz missing or failing
        if type(e).__name__ in ("ExecutableNotFound", "CalledProcessError"):
            raise UsageError(N_("cannot draw the picture: {error} (install Graphviz: apt-get install graphviz)",
                                  error=str(e))) from None
        raise
    if args.output:
        path = Path(args.output)
        try:
            if isinstance(out, bytes):
                path.write_bytes(out)
            else:
                path.write_text(out, encoding="utf-8")
        except OSError as e:
            raise UsageError(N_("--output {path}: {error}", path=args.output, error=e.strerror or str(e))) from None
    elif isinstance(out, bytes):
        sys.stdout.buffer.write(out)
    else:
        sys.stdout.write(out)
    return 0 if explanation.allowed else 1


# -- AssumeRoleWithSAML (``--saml-assertion``) ---------------------------------------------


def add_saml_arguments(p: Any) -> None:
    p.add_argument("--saml-assertion", metavar="FILE", default=None,
                   help="explain AssumeRoleWithSAML instead: the base64 SAML response (as the IdP posts it)")
    p.add_argument("--saml-provider", metavar="ARN", default=None,
                   help="with --saml-assertion: the SAML provider ARN (PrincipalArn); default: the only one "
                        "in the loaded accounts")
    p.add_argument("--at", metavar="TIME", default=None,
                   help="with --saml-assertion: judge the assertion's times at this ISO 8601 time (default: now)")


def run_saml(args: argparse.Namespace, world: Any) -> int:
    """``--saml-assertion``: which step, attribute or trust condition decides (sts.explain_saml)."""
    from ..sts.explain_saml import explain_saml
    from ..sts.saml import providers_of
    from ..sts.saml_xml import SAML_ASSERTION_MAX_CHARS

    if args.format != "text":
        raise UsageError(N_("--saml-assertion explains in text only (--format text)"))
    path = Path(args.saml_assertion)
    try:
        if path.stat().st_size > 2 * SAML_ASSERTION_MAX_CHARS:
            raise UsageError(N_("--saml-assertion {path}: larger than STS accepts ({n} characters)", path=path,
                                n=SAML_ASSERTION_MAX_CHARS))
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError as e:
        raise UsageError(N_("--saml-assertion {path}: {error}", path=path, error=e.strerror or str(e))) from None
    providers = providers_of(world)
    provider = args.saml_provider
    if provider is None:
        if len(providers) != 1:
            found = ", ".join(sorted(providers)) or "none"
            raise UsageError(N_("give --saml-provider ARN (SAML providers in the loaded accounts: {found})",
                                  found=found))
        provider = next(iter(providers))
    require_role(world, args.role)
    now = datetime.now(UTC)
    if args.at:
        try:
            now = datetime.fromisoformat(args.at.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(N_("--at {at!r}: not an ISO 8601 time (e.g. 2026-12-02T12:00:00Z)", at=args.at)) from None
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
    explanation = explain_saml(world, args.role, provider, text, now, providers)
    out = saml_text(explanation, lang_of(args))
    if args.output:
        try:
            Path(args.output).write_text(out, encoding="utf-8")
        except OSError as e:
            raise UsageError(N_("--output {path}: {error}", path=args.output, error=e.strerror or str(e))) from None
    else:
        sys.stdout.write(out)
    return 0 if explanation.allowed else 1


#: largest --web-identity-token / --claims file read (the STS model's token bound, with room)
MAX_WEB_IDENTITY_INPUT = 64 * 1024


def _read_small(path: str, flag: str) -> str:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_WEB_IDENTITY_INPUT + 1)
    except OSError as e:
        raise UsageError(N_("{flag} {path}: {error}", flag=flag, path=path, error=e.strerror or str(e))) from None
    if len(raw) > MAX_WEB_IDENTITY_INPUT:
        raise UsageError(N_("{flag} {path}: larger than {n} bytes", flag=flag, path=path, n=MAX_WEB_IDENTITY_INPUT))
    return raw.decode("utf-8", "replace").strip()


def run_web_identity(args: argparse.Namespace, world: Any) -> int:
    """``explain --role ARN --web-identity-token FILE | --claims JSON`` (issue 11 item 4)."""
    import json

    from ..sts.explain import explain_web_identity

    if args.format not in ("text", "json"):
        raise UsageError(N_("--format {format}: web-identity explanations are text or json", format=args.format))
    require_role(world, args.role)
    name = args.session_name or "web-identity"
    if args.web_identity_token is not None:
        token = _read_small(args.web_identity_token, "--web-identity-token")
        x = explain_web_identity(world, args.role, datetime.now(UTC), token=token, session_name=name)
    else:
        text = args.claims
        if not text.lstrip().startswith("{"):
            text = _read_small(text, "--claims")
        try:
            claims = json.loads(text)
        except ValueError as e:
            raise UsageError(N_("--claims: not JSON: {error}", error=str(e))) from None
        if not isinstance(claims, dict):
            raise UsageError(N_("--claims: give a JSON object of claims, e.g. {\"iss\": …, \"sub\": …}"))
        x = explain_web_identity(world, args.role, datetime.now(UTC), claims=claims, session_name=name)
    if args.format == "json":
        out = json.dumps(web_identity_json(x, lang_of(args)), indent=2, default=str, ensure_ascii=False) + "\n"
    else:
        out = web_identity_text(x, lang_of(args))
    if args.output:
        try:
            Path(args.output).write_text(out, encoding="utf-8")
        except OSError as e:
            raise UsageError(N_("--output {path}: {error}", path=args.output, error=e.strerror or str(e))) from None
    else:
        sys.stdout.write(out)
    return 0 if x.allowed else 1
