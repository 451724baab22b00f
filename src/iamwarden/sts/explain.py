"""An AssumeRole explained for a person who finds IAM hard (spec §1.6).

:func:`explain_assume_role` answers "can this principal assume this role, and
why?" as a plain data structure: the two sides AWS checks — the caller's own
permissions (identity policies, boundary, session policies, SCPs) and the
role's trust policy — each with its verdict, the statements that decided it
and whether it was needed at all; which rule applied, in plain words; and
what would change the answer. The verdict itself is the engine's (the same
decision ``assume_role`` uses); the sides are two extra engine runs that
isolate one side each, so they never disagree with AWS's rules.
Renderers live in ``report/explain.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..evaluation.authorizer import ROLE_ARN_TRUST_SUBSTITUTES_IDENTITY, authorize
from ..evaluation.decision import Decision, Reason, Verdict
from ..evaluation.principals import MatchClass, classify
from ..evaluation.request import Request
from ..i18n import N_, Text, Translator, translator
from ..model.account import Role, World
from ..model.arn import root_arn, session_arn
from ..model.principal import PrincipalType
from ..policy.conditions import ConditionError
from ..policy.document import Effect, Policy, PolicyKind, parse_policy
from . import rules
from .authorization import ASSUME_ROLE, authorize_actions, find_role
from .caller import CallerInfo, CallerLike, resolve_caller
from .directory import Directory, as_directory
from .errors import StsError
from .params import AssumeRoleParams, validate_assume_role

_ALLOW_EVERYTHING = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    PolicyKind.IDENTITY, "(assumed: identity side allows)",
)

#: the caller's kind in words (msgids: translated with the explanation's language)
KIND_WORDS = {
    PrincipalType.USER: N_("IAM user").msgid,
    PrincipalType.ROLE_SESSION: N_("role session").msgid,
    PrincipalType.ROOT: N_("root user").msgid,
    PrincipalType.FEDERATED_USER: N_("federated user").msgid,
}


@dataclass(frozen=True, slots=True)
class StatementRef:
    """A statement that decided a side: where it is, its effect, and its JSON."""

    policy_type: str
    policy: str
    statement: int
    sid: str | None
    effect: str
    message: str
    text: str = ""
    lang: str = "en"

    def label(self) -> str:
        _ = translator(self.lang)
        if self.sid:
            return _("{policy} statement {statement} ({sid})", policy=self.policy, statement=self.statement,
                     sid=self.sid)
        return _("{policy} statement {statement}", policy=self.policy, statement=self.statement)

    def to_json(self) -> dict[str, Any]:
        return {"policy_type": self.policy_type, "policy": self.policy, "statement": self.statement,
                "sid": self.sid, "effect": self.effect, "message": self.message, "text": self.text}


@dataclass(frozen=True, slots=True)
class Side:
    """One of the two checks: ``caller`` (your permissions) or ``trust`` (the role's trust policy)."""

    name: str
    title: str
    allowed: bool
    needed: bool
    explicit_deny: bool
    summary: str
    statements: tuple[StatementRef, ...] = ()
    #: what stopped the caller's side: identity, boundary, session or scp (not shown; picks the advice)
    cause: str = ""

    @property
    def state(self) -> str:
        """``allow``, ``deny`` or ``not-needed`` (allowed or not, the answer did not depend on it)."""
        if self.explicit_deny or (self.needed and not self.allowed):
            return "deny"
        if not self.needed and not self.allowed:
            return "not-needed"
        return "allow"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "state": self.state, "allowed": self.allowed,
                "needed": self.needed, "explicit_deny": self.explicit_deny, "summary": self.summary,
                "statements": [s.to_json() for s in self.statements]}


@dataclass(frozen=True, slots=True)
class AssumeRoleExplanation:
    caller_arn: str
    caller_kind: str
    caller_name: str
    role_arn: str
    role_name: str
    role_exists: bool
    session_name: str
    external_id: str | None
    same_account: bool
    allowed: bool
    rule: str
    caller_side: Side
    trust_side: Side
    changes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    error_code: str | None = None
    error_message: str | None = None
    session_arn: str | None = None
    duration_seconds: int | None = None
    decision: Decision | None = field(default=None, compare=False)
    lang: str = "en"

    @property
    def outcome(self) -> str:
        return "Allowed" if self.allowed else (self.error_code or "AccessDenied")

    def to_json(self) -> dict[str, Any]:
        return {
            "caller": {"arn": self.caller_arn, "kind": self.caller_kind, "name": self.caller_name},
            "role": {"arn": self.role_arn, "name": self.role_name, "exists": self.role_exists},
            "request": {"action": ASSUME_ROLE, "session_name": self.session_name, "external_id": self.external_id},
            "same_account": self.same_account,
            "allowed": self.allowed,
            "outcome": self.outcome,
            "error": None if self.allowed else {"code": self.error_code, "message": self.error_message},
            "rule": self.rule,
            "sides": {"caller": self.caller_side.to_json(), "trust": self.trust_side.to_json()},
            "what_would_change_the_answer": list(self.changes),
            "notes": list(self.notes),
            "credentials": None if not self.allowed else {
                "assumed_role_arn": self.session_arn, "duration_seconds": self.duration_seconds},
            "decision": self.decision.to_json() if self.decision else None,
        }


# -- building -------------------------------------------------------------------------


def _statement_text(policy: Policy | None, index: int | None) -> str:
    if policy is None or index is None or not isinstance(policy.document, dict):
        return ""
    st = policy.document.get("Statement")
    if isinstance(st, dict):
        st = [st]
    if isinstance(st, list) and 0 <= index < len(st):
        return json.dumps(st[index], separators=(", ", ": "))
    return ""


def _refs(reasons: tuple[Reason, ...], types: set[str], by_name: dict[str, Policy],
          lang: str) -> tuple[StatementRef, ...]:
    out = []
    for r in reasons:
        if r.policy_type in types and r.policy is not None and r.statement is not None:
            out.append(StatementRef(r.policy_type, r.policy, r.statement, r.sid, r.effect or "",
                                    r.message, _statement_text(by_name.get(r.policy), r.statement), lang))
    return tuple(out)


def _best_match(trust: Policy, info: CallerInfo) -> MatchClass | None:
    best = None
    for s in trust.statements:
        if s.effect is Effect.ALLOW and s.principal is not None and s.matches_action("sts:assumerole"):
            m = classify(s.principal, info.caller)
            if m is not None and (best is None or m > best):
                best = m
    return best


def _trusted_principals(trust: Policy) -> list[str]:
    out: list[str] = []
    for s in trust.statements:
        if s.effect is Effect.ALLOW and s.principal is not None and s.matches_action("sts:assumerole"):
            for ptype, values in s.principal.entries:
                out += [v if ptype == "AWS" else f"{ptype}: {v}" for v in values]
    return list(dict.fromkeys(out))


def _failed_conditions(trust: Policy, info: CallerInfo, req: Request) -> list[tuple[int, str, str]]:
    """(statement, key, operator) of conditions that kept a trust Allow naming the caller from applying."""
    out = []
    for s in trust.statements:
        if s.effect is not Effect.ALLOW or s.principal is None or not s.matches_action("sts:assumerole"):
            continue
        if classify(s.principal, info.caller) is None:
            continue
        for c in s.conditions:
            try:
                ok = c.evaluate(req.context)
            except ConditionError:
                ok = False
            if not ok:
                out.append((s.index, c.key, c.operator.text))
    return out


def explain_assume_role(
    source: World | Directory,
    caller: CallerLike,
    params: AssumeRoleParams | dict[str, Any],
    now: datetime,
    lang: str = "en",
) -> AssumeRoleExplanation:
    """Explain one AssumeRole. Raises ``StsError`` for invalid parameters, ``UnknownCaller`` for unknown callers.

    ``lang`` (``en``, ``ja``) is the language of every sentence in the answer; the
    verdict, codes and AWS's own error message stay the same in every language.
    """
    _ = translator(lang)
    directory = as_directory(source)
    p = params if isinstance(params, AssumeRoleParams) else AssumeRoleParams.from_api(params)
    validate_assume_role(p)
    info = resolve_caller(directory, caller, now)
    role_arn = p.role_arn or ""
    role = find_role(directory, role_arn)
    role_name = role_arn.rsplit("/", 1)[-1]
    c = info.caller
    kind = _(KIND_WORDS[c.type]) if c.type in KIND_WORDS else c.type.value
    if c.type is PrincipalType.ROLE_SESSION:
        name = f"{c.name}/{c.session_name}"
    else:
        name = c.name or c.arn
    role_account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    same = c.account == role_account
    base: dict[str, Any] = dict(caller_arn=c.arn, caller_kind=kind, caller_name=name or c.arn, role_arn=role_arn,
                role_name=role_name, role_exists=role is not None, session_name=p.role_session_name or "",
                external_id=p.external_id, same_account=same, lang=_.lang)
    denied_msg = rules.not_authorized(c.arn, ASSUME_ROLE, role_arn)

    if info.is_root:
        side_c = Side("caller", _("{name}'s permissions", name=name), False, True, False,
                      _("the root user can never assume a role"))
        side_t = Side("trust", _("{role}'s trust policy", role=role_name), False, False, False, _("not consulted"))
        return AssumeRoleExplanation(
            **base, allowed=False, rule=_("the root user may never assume a role (AWS refuses it outright)"),
            caller_side=side_c, trust_side=side_t,
            changes=(_("call AssumeRole as an IAM user or from a role session, not as the root user"),),
            error_code="AccessDenied", error_message=rules.ROOT_MAY_NOT_ASSUME)

    decided = authorize_actions(directory, info, p, role, now, stop_at_first_deny=False)
    main = decided[0]
    allowed = all(d.decision.allowed for d in decided)
    req = main.request
    real = main.policies
    by_name = {pol.name: pol for _, pol in real.all_policies()}

    # trust side: the caller's own side assumed to allow
    if role is None:
        side_t = Side("trust", _("{role}'s trust policy", role=role_name), False, True, False,
                      _("there is no such role in the loaded accounts, so nothing trusts you"))
        match = None
    else:
        d_t = authorize(req, real.replace(identity=(_ALLOW_EVERYTHING,), boundary=None, session=(), scp=()))
        match = _best_match(role.trust, info)
        t_refs = _refs(d_t.reasons, {"trust", "resource", "rcp"}, by_name, _.lang)
        if d_t.allowed:
            summary = {
                MatchClass.DIRECT: _("the trust policy names you directly"),
                MatchClass.ROLE: _("the trust policy names your role"),
                MatchClass.FEDUSER: _("the trust policy names the user behind your session"),
                MatchClass.ACCOUNT: _("the trust policy trusts your whole account ({account})", account=c.account),
            }.get(match, _("the trust policy allows you")) if match is not None else _("the trust policy allows you")
        elif d_t.verdict is Verdict.EXPLICIT_DENY:
            summary = _("the trust policy explicitly denies you")
        else:
            trusted = _trusted_principals(role.trust)
            summary = (_("no statement of the trust policy lets you in (it trusts: {trusted})",
                         trusted=", ".join(trusted)) if trusted
                       else _("no statement of the trust policy lets you in"))
        side_t = Side("trust", _("{role}'s trust policy", role=role_name), d_t.allowed, True,
                      d_t.verdict is Verdict.EXPLICIT_DENY, summary, t_refs)

    # caller side: the trust side assumed to delegate to the caller's account
    stand_in = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": root_arn(c.account or "")},
                                                 "Action": "*"}]},
        PolicyKind.TRUST, "(assumed: trust policy delegates to your account)")
    d_c = authorize(req, real.replace(resource=stand_in, rcp=()))
    direct = match is MatchClass.DIRECT or (match is MatchClass.ROLE and ROLE_ARN_TRUST_SUBSTITUTES_IDENTITY)
    needed = not (same and direct)
    c_refs = _refs(d_c.reasons, {"identity", "boundary", "session", "scp"}, by_name, _.lang)
    cause = ""
    if d_c.allowed:
        c_summary = _("your identity policies allow sts:AssumeRole on this role")
    elif d_c.verdict is Verdict.EXPLICIT_DENY:
        c_summary = _("a policy on your side explicitly denies it")
    else:
        first = d_c.reasons[0].policy_type if d_c.reasons else "identity"
        cause = first if first in ("boundary", "session", "scp") else "identity"
        c_summary = {
            "boundary": _("your permissions boundary does not allow sts:AssumeRole on this role"),
            "session": _("your session policy does not allow sts:AssumeRole on this role"),
            "scp": _("a service control policy does not allow sts:AssumeRole"),
        }.get(first, _("none of your identity policies allows sts:AssumeRole on this role"))
    if not needed and not d_c.allowed and d_c.verdict is not Verdict.EXPLICIT_DENY:
        c_summary = _("not needed: {summary}", summary=c_summary)
    side_c = Side("caller", _("{name}'s permissions", name=name), d_c.allowed, needed,
                  d_c.verdict is Verdict.EXPLICIT_DENY, c_summary, c_refs, cause)

    rule = _rule(allowed, same, match, side_c, side_t, main.decision, role, _)
    changes = () if allowed else _changes(info, p, role, req, side_c, side_t, same, decided, _)
    notes = _notes(allowed, match, c.account or "", role, _)
    failing = next((d for d in decided if not d.decision.allowed), None)
    return AssumeRoleExplanation(
        **base, allowed=allowed, rule=rule, caller_side=side_c, trust_side=side_t, changes=changes,
        notes=notes,
        error_code=None if allowed else "AccessDenied",
        error_message=None if allowed else (
            rules.not_authorized(c.arn, failing.action, role_arn) if failing else denied_msg),
        session_arn=session_arn(role.arn, p.role_session_name or "") if allowed and role else None,
        duration_seconds=(p.duration_seconds or rules.ASSUME_ROLE_DEFAULT_DURATION) if allowed else None,
        decision=main.decision,
    )


def _rule(allowed: bool, same: bool, match: MatchClass | None, side_c: Side, side_t: Side,
          decision: Decision, role: Role | None, _: Translator) -> str:
    if role is None:
        return _("there is no such role (AWS answers AccessDenied without saying whether the role exists)")
    if side_c.explicit_deny or side_t.explicit_deny:
        if side_t.explicit_deny:
            return _("an explicit Deny in the trust policy wins over every Allow")
        return _("an explicit Deny in a policy on your side wins over every Allow")
    if not side_t.allowed:
        return _("the trust policy must always let you in, even when your own policies allow it "
                 "(a role's trust policy is not either/or), and it does not")
    if not same:
        if allowed:
            return _("different accounts: both your policies and the role's trust policy must allow, and both do")
        return _("different accounts: your own policies must allow sts:AssumeRole on this role too, "
                 "whatever the trust policy says, and they do not")
    if match is MatchClass.DIRECT:
        return _("same account, trust names you directly, so no identity permission was needed")
    if match in (MatchClass.ROLE, MatchClass.FEDUSER) and ROLE_ARN_TRUST_SUBSTITUTES_IDENTITY:
        if allowed:
            return _("same account, trust names your role, so no identity permission was needed "
                     "(your boundary and session policies still apply)")
        return _("same account, trust names your role, but your boundary or session policy does not allow it")
    if allowed:
        return _("same account, trust trusts the account, which hands the decision to your own policies; "
                 "they allow it")
    return _("same account, trust only trusts the account, which delegates to your own policies, "
             "and they do not allow sts:AssumeRole on this role")


def _changes(info: CallerInfo, p: AssumeRoleParams, role: Role | None, req: Request, side_c: Side,
             side_t: Side, same: bool, decided: list[Any], _: Translator) -> tuple[str, ...]:
    c = info.caller
    out: list[str] = []
    if role is None:
        return (_("check the role ARN: {role} is not a role in the loaded accounts "
                  "(load its account with another --account file if it is in another account)", role=p.role_arn),)
    if side_t.explicit_deny:
        for s in side_t.statements:
            if s.effect == "Deny":
                out.append(_("remove or narrow the Deny in the trust policy ({statement})", statement=s.label()))
    elif not side_t.allowed:
        failed = _failed_conditions(role.trust, info, req)
        if failed:
            for idx, key, op in failed:
                k = key.lower()
                if k == "sts:externalid":
                    out.append(_("pass --external-id with the value the trust policy expects") if p.external_id is None
                               else _("the external id you passed is not the one the trust policy expects"))
                elif k == "aws:multifactorauthpresent":
                    out.append(_("sign in with MFA: the trust policy requires aws:MultiFactorAuthPresent"))
                elif k == "sts:rolesessionname":
                    out.append(_("use a --session-name the trust policy accepts "
                                 "(statement {index} has {operator} on sts:RoleSessionName)", index=idx, operator=op))
                else:
                    out.append(_("meet the condition {operator} on {key} in trust policy statement {index}",
                                 operator=op, key=key, index=idx))
        else:
            who = c.principal_arn or c.arn
            acct = root_arn(c.account or "")
            if same:
                out.append(_("the trust policy would need to name you ({who}) — in the same account that alone "
                             "is enough — or your account ({account}), which then also needs an identity permission",
                             who=who, account=acct))
            else:
                out.append(_("the trust policy would need to name you ({who}) or your account ({account})",
                             who=who, account=acct))
    if side_c.needed and not side_c.allowed or side_c.explicit_deny:
        out += _caller_changes(info, p, side_c, same, side_t, _)
    for d in decided[1:]:
        if not d.decision.allowed:
            out.append(_("allow {action} as well (both in the trust policy and, unless it names you directly, "
                         "in your identity policies): this request needs it", action=d.action))
    return tuple(dict.fromkeys(out))


def _caller_changes(info: CallerInfo, p: AssumeRoleParams, side_c: Side, same: bool, side_t: Side,
                    _: Translator) -> list[str]:
    c = info.caller
    out = []
    if side_c.explicit_deny:
        for s in side_c.statements:
            if s.effect == "Deny":
                out.append(_("remove or narrow the Deny in your {policy_type} policy ({statement})",
                             policy_type=s.policy_type, statement=s.label()))
        return out
    if side_c.cause == "boundary":
        out.append(_("the permissions boundary of {name} would need to allow sts:AssumeRole on {role}",
                     name=c.name, role=p.role_arn))
    elif side_c.cause == "session":
        out.append(_("the session policy of this session would need to allow sts:AssumeRole on {role}",
                     role=p.role_arn))
    elif side_c.cause == "scp":
        out.append(_("a service control policy of the organization blocks sts:AssumeRole; it would need to allow it"))
    else:
        if c.type is PrincipalType.ROLE_SESSION:
            out.append(_("add sts:AssumeRole on {role} to an identity policy of the role {name}",
                         role=p.role_arn, name=c.name))
        elif c.type is PrincipalType.USER:
            out.append(_("add sts:AssumeRole on {role} to an identity policy of {name} (or of one of its groups)",
                         role=p.role_arn, name=c.name))
        else:
            out.append(_("add sts:AssumeRole on {role} to an identity policy of {name}", role=p.role_arn, name=c.name))
        if same and side_t.allowed and c.type is PrincipalType.USER:
            out.append(_("or have the trust policy name {arn} directly: in the same account that alone is enough",
                         arn=c.arn))
    return out


def _notes(allowed: bool, match: MatchClass | None, account: str, role: Role | None,
           _: Translator) -> tuple[str, ...]:
    if role is None:
        return ()
    out = []
    if match is MatchClass.ACCOUNT:
        out.append(_("the trust policy trusts the whole account {account}: anyone there whose own policies "
                     "allow sts:AssumeRole on this role can assume it", account=account))
    return tuple(out)


# -- AssumeRoleWithWebIdentity (issue 11 item 4) ---------------------------------------


@dataclass(frozen=True, slots=True)
class FailedCondition:
    """A condition of a trust Allow naming the provider that the token's claims do not meet."""

    statement: int
    key: str
    operator: str
    wanted: tuple[str, ...]
    actual: Any  # what the token gives for ``key`` (None: the key is absent)


@dataclass(frozen=True, slots=True)
class WebIdentityExplanation:
    """Can this OIDC token assume this role, and why (spec §1.4, §1.6, §3.4)."""

    role_arn: str
    provider_arn: str | None
    verified: bool  # the signature, issuer, audience and times were checked (False: --claims what-if)
    token_error: str | None  # why STS would refuse the token itself ("Code: message"), before the trust
    keys: dict[str, Any]  # the condition keys the claims give
    allowed: bool
    decision: Decision | None
    trusted: tuple[str, ...]  # the principals the trust policy names
    failed: tuple[FailedCondition, ...]
    changes: tuple[str | Text, ...]  # marked for translation; JSON keeps the English

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role_arn, "provider": self.provider_arn, "verified": self.verified,
            "token_error": self.token_error, "keys": self.keys, "allowed": self.allowed,
            "rule": self.decision.rule if self.decision else None,
            "reasons": [r.message for r in self.decision.reasons] if self.decision else [],
            "trusted_principals": list(self.trusted),
            "failed_conditions": [{"statement": f.statement, "key": f.key, "operator": f.operator,
                                   "wanted": list(f.wanted), "actual": f.actual} for f in self.failed],
            "what_would_change": [str(c) for c in self.changes],
        }


def _what_if_token(claims: dict[str, Any], providers: Any, account: str) -> Any:
    """A :class:`VerifiedToken` from unverified claims (``--claims``): the provider from ``iss``."""
    from ..model.oidc_provider import OidcProvider, provider_arn, provider_id
    from .web_identity_token import VerifiedToken, matched_audience

    iss = str(claims.get("iss") or "")
    provider = providers.find(account, iss) if iss else None
    if provider is None:
        # not registered in the loaded account: explain the trust anyway, as if it were
        provider = OidcProvider(provider_arn(account, iss or "unknown"), provider_id(iss or "unknown"))
        audience = ""
    else:
        try:
            audience = matched_audience(provider, claims)
        except StsError:
            audience = ""
    return VerifiedToken(provider, claims, audience, "none (what-if)")


def explain_web_identity(
    source: World | Directory,
    role_arn: str,
    now: datetime,
    *,
    token: str | None = None,
    claims: dict[str, Any] | None = None,
    providers: Any = None,
    session_name: str = "web-identity",
) -> WebIdentityExplanation:
    """Explain AssumeRoleWithWebIdentity for a real ``token`` (verified) or bare ``claims`` (what-if).

    The decision is the engine's, made as :func:`~.web_identity.assume_role_with_web_identity`
    makes it (same context keys, same principal); a refused token is reported and, when
    its claims can be read, the trust policy is still explained on them.
    """
    import jwt as _jwt

    from ..model.oidc_provider import ProviderDirectory
    from .web_identity import (
        ASSUME_ROLE_WITH_WEB_IDENTITY,
        SET_SOURCE_IDENTITY,
        TAG_SESSION,
        decide_trust,
        role_account,
        token_session_tags,
        token_source_identity,
        trust_context,
        web_identity_caller,
    )
    from .web_identity_token import verify_web_identity_token

    directory = as_directory(source)
    if providers is None:
        providers = ProviderDirectory(source.oidc_providers() if isinstance(source, World) else ())
    account = role_account(role_arn)
    error: str | None = None
    verified = False
    if token is not None:
        try:
            vt = verify_web_identity_token(token, providers, account, now)
            verified = True
        except StsError as e:
            error = f"{e.code}: {e.message}"
            try:
                claims = _jwt.decode(token, options={"verify_signature": False})
            except _jwt.PyJWTError:
                claims = {}
            vt = _what_if_token(dict(claims or {}), providers, account)
    else:
        vt = _what_if_token(dict(claims or {}), providers, account)
    try:
        tags = token_session_tags(vt.claims)
        source_id = token_source_identity(vt.claims)
    except StsError as e:
        error = error or f"{e.code}: {e.message}"
        tags, source_id = (), None
    role = find_role(directory, role_arn)
    ctx = trust_context(vt, role, session_name, tags, source_id, now)
    actions = [ASSUME_ROLE_WITH_WEB_IDENTITY] + ([TAG_SESSION] if tags else []) + (
        [SET_SOURCE_IDENTITY] if source_id is not None else [])
    decided = decide_trust(directory, vt, role_arn, role, ctx, tuple(actions))
    last = decided[-1] if decided else None
    trust_ok = bool(decided) and all(d.decision.allowed for d in decided)
    failed: list[FailedCondition] = []
    trusted: tuple[str, ...] = ()
    caller = web_identity_caller(vt.provider)
    if role is not None and last is not None:
        trusted = tuple(_trusted_principals_for(role.trust, last.action))
        for s in role.trust.statements:
            if s.effect is not Effect.ALLOW or s.principal is None or not s.matches_action(last.action.lower()):
                continue
            if classify(s.principal, caller) is None:
                continue
            for c in s.conditions:
                try:
                    ok = c.evaluate(last.request.context)
                except ConditionError:
                    ok = False
                if not ok:
                    failed.append(FailedCondition(s.index, c.key, c.operator.text, tuple(c.values),
                                                  ctx.get(c.key, _lookup(ctx, c.key))))
    changes = _web_changes(vt, role, trusted, failed, error, trust_ok, last.action if last else "")
    return WebIdentityExplanation(role_arn, vt.provider.arn, verified, error, ctx, trust_ok and error is None,
                                  last.decision if last else None, trusted, tuple(failed), tuple(changes))


def _lookup(ctx: dict[str, Any], key: str) -> Any:
    for k, v in ctx.items():
        if k.lower() == key.lower():
            return v
    return None


def _trusted_principals_for(trust: Policy, action: str) -> list[str]:
    out: list[str] = []
    for s in trust.statements:
        if s.effect is Effect.ALLOW and s.principal is not None and s.matches_action(action.lower()):
            for ptype, values in s.principal.entries:
                out += [v if ptype == "AWS" else f"{ptype}: {v}" for v in values]
    return list(dict.fromkeys(out))


def _web_changes(vt: Any, role: Role | None, trusted: tuple[str, ...], failed: list[FailedCondition],
                 error: str | None, trust_ok: bool, action: str) -> list[str | Text]:
    out: list[str | Text] = []
    if error is not None:
        out.append(N_("STS refuses the token itself ({error}); fix the token or the provider first", error=error))
    if role is None:
        out.append(N_("the role does not exist in the loaded accounts"))
        return out
    if not trust_ok and not failed:
        if f"Federated: {vt.provider.arn}" not in trusted:
            out.append(N_("the trust policy names no statement for {{\"Federated\": \"{provider}\"}} with {action}; "
                          "it trusts: {trusted}", provider=vt.provider.arn, action=action,
                          trusted=", ".join(trusted) or N_("nobody")))
        else:
            out.append(N_("the trust policy does not allow {action} for this provider", action=action))
    for f in failed:
        have = N_("absent") if f.actual is None else json.dumps(f.actual)
        out.append(N_("statement {index}: {key} must satisfy {operator} {wanted}; the token gives {have}",
                      index=f.statement, key=f.key, operator=f.operator, wanted=list(f.wanted), have=have))
    return out
