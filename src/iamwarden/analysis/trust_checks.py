"""Trust statements that let strangers in: federated, service and cross-account (IW003, IW008–IW018).

One role trust policy is read statement by statement. Each Allow statement is
asked, **with the engine's condition evaluation** (``Condition.evaluate``, spec
§2.5–§2.7), whether a request from an outsider would pass it: a stranger's CI
subject, any service account of the cluster, another account's identity pool or
resource, a caller without ExternalId. "Binds nothing" is decided the same way:
the condition is evaluated with its key absent, and a condition that then holds
(``…IfExists``, ``ForAllValues:``, a negated operator, spec §2.5/§2.7) pins no
request that leaves the key out. No string heuristics decide a finding; strings
only build the probes (``oidc_providers.stranger_probes``) and the fixes.

Pure: no world is needed, so ``validate --type trust`` runs the same checks on a
lone document (``TrustContext`` says what is known: is the role powerful, which
accounts are loaded or known).

Rules (each names the statement, who gets in, and the corrected statement):

- IW003 ``third-party-trust-without-external-id`` (kept from ``findings``);
- IW008 ``ci-oidc-trust-without-sub``, IW009 ``ci-oidc-sub-wildcard-owner``,
  IW010 ``oidc-sub-binds-nothing``, IW011 ``ci-oidc-trust-without-aud``;
- IW012 ``eks-irsa-any-service-account``, IW013 ``eks-pod-identity-without-session-tags``;
- IW014 ``cognito-trust-without-aud``, IW015 ``cognito-unauthenticated-to-powerful-role``;
- IW016 ``service-trust-without-source`` (confused deputy, spec §1.9);
- IW017 ``condition-binds-nothing``;
- IW018 ``unknown-account-trust-with-external-id``;
- IW020 ``builtin-idp-trust-without-app`` (Google, Facebook, Login with Amazon without the app key).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..evaluation.context import RequestContext
from ..i18n import N_, Text
from ..model.arn import Arn
from ..policy.conditions import Condition, ConditionError
from ..policy.document import Effect, Policy, Statement
from .oidc_providers import STRANGER, OidcProfile, profile_for, provider_host, stranger_probes

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
ASSUME_ROLE = "sts:AssumeRole"
COGNITO = "cognito-identity.amazonaws.com"
POD_IDENTITY = "pods.eks.amazonaws.com"
#: a stranger's account (AWS reserves no such id; none is loaded in any example)
STRANGER_ACCOUNT = "000000000000"

#: Service principals whose roles are used only by principals of the role's own account that
#: hold iam:PassRole (an instance profile, a function's execution role): the confused-deputy
#: guard there is PassRole, not aws:SourceAccount, so IW016 leaves them out. UNCONFIRMED which
#: services honour source keys in role trust (docs/decisions/analysis-confused-deputy.md).
PASSROLE_GUARDED_SERVICES = frozenset({"ec2.amazonaws.com", "lambda.amazonaws.com", "edgelambda.amazonaws.com"})

#: condition keys whose only job in a trust is to keep callers out: a condition on them
#: that holds when the key is absent is reported (IW017)
GUARD_KEYS = frozenset({
    "sts:externalid", "aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths",
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalarn", "aws:principalaccount",
    "aws:multifactorauthpresent",
})
SOURCE_KEYS = ("aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID")
#: the session tags EKS Pod Identity sets (EKS user guide, "Enable or disable session tags")
POD_TAGS = ("eks-cluster-arn", "eks-cluster-name", "kubernetes-namespace", "kubernetes-service-account",
            "kubernetes-pod-name", "kubernetes-pod-uid")


@dataclass(frozen=True, slots=True)
class TrustContext:
    """What is known around one trust policy."""

    role: str = ""  # the role's ARN ("" for a lone document)
    powerful: bool = False  # admin, or can escalate to admin
    loaded: frozenset[str] = frozenset()  # account ids loaded
    known: frozenset[str] | None = None  # --known-accounts; None: no list given
    check_accounts: bool = True  # validate checks accounts only with --known-accounts

    @property
    def account(self) -> str:
        a = Arn.parse(self.role) if self.role else None
        return a.account if a else ""


@dataclass(frozen=True, slots=True)
class TrustIssue:
    """One finding about one trust statement."""

    id: str
    rule: str
    severity: str
    index: int  # statement index in the policy
    sid: str | None
    path: str  # JSON path of what is wrong, e.g. $.Statement[0].Condition
    outsider: str  # the outside identity: provider ARN, account id, service principal, "*"
    who: str | Text  # who can actually get in, in words (Text: marked for translation)
    message: str | Text
    fix: str | Text
    corrected: Mapping[str, Any] | None = None  # the corrected statement
    claims: Mapping[str, Any] = field(default_factory=dict)  # the request that got in (probe)

    def statement_ref(self, policy: str) -> dict[str, Any]:
        return {"policy": policy, "statement": self.index, "sid": self.sid, "path": self.path}


def raw_statement(policy: Policy, index: int) -> dict[str, Any]:
    """The statement as written in the document (a copy), for showing and fixing."""
    doc = policy.document
    st = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(st, dict):
        st = [st]
    if isinstance(st, list) and 0 <= index < len(st) and isinstance(st[index], dict):
        return json_copy(st[index])
    return {}


def json_copy(value: Any) -> Any:
    """``copy.deepcopy`` for JSON values (dicts, lists, strings, numbers, booleans, null),
    several times faster: there is no sharing to remember in a parsed document. Anything
    else is left to ``deepcopy``."""
    t = type(value)
    if t is dict:
        return {k: json_copy(v) for k, v in value.items()}
    if t is list:
        return [json_copy(v) for v in value]
    if t is str or t is int or t is float or t is bool or value is None:
        return value
    return copy.deepcopy(value)


def holds(conditions: Iterable[Condition], values: Mapping[str, Any]) -> bool:
    """Do all ``conditions`` hold for a request carrying ``values``? An evaluation error is a
    deny (fail closed: the probe is not let in)."""
    ctx = RequestContext(values)
    try:
        return all(c.evaluate(ctx) for c in conditions)
    except ConditionError:
        return False


def binds_nothing(c: Condition) -> bool:
    """The condition holds for a request without its key (spec §2.5, §2.7)."""
    return holds((c,), {})


def check_trust(trust: Policy, tc: TrustContext) -> list[TrustIssue]:
    out: list[TrustIssue] = []
    for st in trust.statements:
        if st.effect is not Effect.ALLOW or st.principal is None or st.not_principal:
            continue
        done: set[int] = set()  # ids of conditions already reported by a specific rule
        for ptype, values in st.principal.entries:
            for v in values:
                if ptype == "Federated" and st.matches_action(WEB_IDENTITY):
                    out += _federated(trust, st, v, tc, done)
                elif ptype == "Service" and st.matches_action(ASSUME_ROLE):
                    out += _service(trust, st, v, tc, done)
        if tc.check_accounts and st.matches_action(ASSUME_ROLE):
            out += _accounts(trust, st, tc, done)
        out += _vacuous(trust, st, tc, done)
    return out


# --- helpers ---------------------------------------------------------------

def _where(st: Statement) -> Text:
    if st.sid:
        return N_("statement {index} ({sid})", index=st.index, sid=st.sid)
    return N_("statement {index}", index=st.index)


def _cond_path(st: Statement, c: Condition | None = None) -> str:
    base = f"$.Statement[{st.index}]"
    if c is None:
        return f"{base}.Condition" if st.conditions else f"{base}.Principal"
    return f"{base}.Condition.{c.operator.text}.{c.key}"


def _on(st: Statement, key: str) -> list[Condition]:
    k = key.lower()
    return [c for c in st.conditions if c.key_lower == k]


def _fixed(raw: Mapping[str, Any], add: Mapping[str, Mapping[str, Any]],
           drop: Iterable[Condition] = ()) -> dict[str, Any]:
    """``raw`` with the conditions in ``drop`` removed and ``add`` ({op: {key: value}}) merged in."""
    out = json_copy(dict(raw))
    cond = out.get("Condition")
    cond = json_copy(cond) if isinstance(cond, dict) else {}
    for c in drop:
        block = cond.get(c.operator.text)
        if isinstance(block, dict):
            block.pop(c.key, None)
            if not block:
                cond.pop(c.operator.text, None)
    for op, keys in add.items():
        block = cond.setdefault(op, {})
        if isinstance(block, dict):
            block.update(keys)
    out["Condition"] = cond
    return out


def _role_name(tc: TrustContext) -> Text:
    return N_("role {name}", name=tc.role.rsplit("/", 1)[-1]) if tc.role else N_("the role")


def _lead(tc: TrustContext) -> Text | str:
    """``role NAME: `` before a message about one of its statements; nothing for a lone document."""
    return N_("{role}: ", role=_role_name(tc)) if tc.role else ""


def _aud_value(st: Statement, key: str, default: str) -> str:
    for c in _on(st, key):
        if not c.operator.negated and not c.operator.is_null and c.values:
            return c.values[0].replace("*", "x").replace("?", "x")
    return default


# --- federated (OIDC) ------------------------------------------------------

def _federated(trust: Policy, st: Statement, value: str, tc: TrustContext, done: set[int]) -> list[TrustIssue]:
    host = provider_host(value)
    if host is None:
        return []
    if host.lower() == COGNITO:
        return _cognito(trust, st, value, tc, done)
    if host.lower() in BUILTIN_APP_KEYS:
        return _builtin(trust, st, value, host.lower(), tc, done)
    profile = profile_for(host)
    if profile is None:
        return []
    return _oidc(trust, st, value, host, profile, tc, done)


def _oidc(trust: Policy, st: Statement, provider: str, host: str, profile: OidcProfile,
          tc: TrustContext, done: set[int]) -> list[TrustIssue]:
    sub_key, aud_key = f"{host}:sub", f"{host}:aud"
    subs = _on(st, sub_key)
    auds = _on(st, aud_key)
    raw = raw_statement(trust, st.index)
    aud = _aud_value(st, aud_key, profile.audience)
    patterns = tuple(v for c in subs for v in c.values)
    probes = stranger_probes(profile, patterns)
    inside = profile.kind == "eks" or not profile.shared
    getting_in = next((p for p in probes if holds(st.conditions, {sub_key: p, aud_key: aud})), None)
    pin = {"StringEquals": {aud_key: profile.audience}, "StringLike": {sub_key: profile.pinned_sub}}
    fixed_owner = next((o for o in (_literal_owner(profile, p) for p in patterns) if o), None)
    if fixed_owner:
        pin["StringLike"] = {sub_key: _pinned_for(profile, fixed_owner)}
    sev_leak = ("critical" if tc.powerful else "high") if not inside else ("high" if tc.powerful else "medium")
    out: list[TrustIssue] = []
    who_all = (N_("any service account in any namespace of the cluster") if profile.kind == "eks"
               else N_("any pipeline of any {provider} customer", provider=profile.name) if profile.shared
               else N_("any pipeline of the {owner}'s tenant {host}", owner=Text(profile.owner_word), host=host))
    vac = [c for c in subs if binds_nothing(c)]
    for c in subs:
        done.add(id(c))
    for c in auds:
        done.add(id(c))
    if profile.kind == "eks":
        if getting_in is not None or vac:
            rid = ("IW012", "eks-irsa-any-service-account")
            how = (N_("has no condition on its :sub key") if not subs else
                   N_("conditions on {key} that admit a service account of another namespace", key=sub_key)
                   if getting_in is not None else
                   N_("a {key} condition ({operator}) that binds nothing when the key is absent",
                      key=sub_key, operator=vac[0].operator.text))
            out.append(TrustIssue(
                *rid, sev_leak, st.index, st.sid, _cond_path(st, (vac or subs)[0] if (vac or subs) else None), provider,
                N_("{who} (e.g. {example})", who=who_all, example=getting_in) if getting_in else who_all,
                N_("{lead}trust {where} trusts an EKS cluster's OIDC provider and {how}: {who} can assume it",
                   lead=_lead(tc), where=_where(st), how=how, who=who_all),
                N_("Pin the service account with StringEquals on {key} (\"{sub}\") "
                   "and on its :aud (\"sts.amazonaws.com\"), as in AWS's IRSA guide.",
                   key=sub_key, sub=profile.pinned_sub),
                _fixed(raw, {"StringEquals": {sub_key: profile.pinned_sub, aud_key: "sts.amazonaws.com"}}, subs),
                {sub_key: getting_in or "(absent)", aud_key: aud}))
        return out
    if not subs and getting_in is not None:
        out.append(TrustIssue(
            "IW008", "ci-oidc-trust-without-sub", sev_leak, st.index, st.sid, _cond_path(st), provider, who_all,
            N_("{lead}trust {where} trusts the {provider} OIDC provider {host} without a condition on {key}: "
               "{who} can assume it{note}", lead=_lead(tc), where=_where(st), provider=profile.name, host=host,
               key=sub_key, who=who_all,
               note=N_(" (the audience is chosen by the pipeline, so an aud condition does not tell yours from "
                       "theirs)") if profile.shared and auds else ""),
            N_("Add StringLike {{\"{key}\": \"{sub}\"}} naming your {owner} and repository/project, and keep "
               "{aud_key} pinned.", key=sub_key, sub=pin['StringLike'][sub_key], owner=Text(profile.owner_word),
               aud_key=aud_key),
            _fixed(raw, pin), {sub_key: getting_in, aud_key: aud}))
    elif vac:
        c = vac[0]
        leak = getting_in is not None
        out.append(TrustIssue(
            "IW010", "oidc-sub-binds-nothing", sev_leak if leak else "medium", st.index, st.sid, _cond_path(st, c),
            provider, (N_("{who} (e.g. {example})", who=who_all, example=getting_in) if leak
                       else N_("any {provider} token without a sub claim", provider=profile.name)),
            N_("{lead}trust {where} tests {key} with {operator}, which holds when the key is absent (IfExists, "
               "ForAllValues: over no values, or a negated operator){result}", lead=_lead(tc), where=_where(st),
               key=sub_key, operator=c.operator.text,
               result=N_(": a stranger's subject {subject} gets in", subject=getting_in) if leak
               else N_(": it pins only tokens that carry a sub")),
            N_("Use StringEquals or StringLike (no IfExists, no ForAllValues:, not negated) on {key}: \"{sub}\".",
               key=sub_key, sub=pin['StringLike'][sub_key]),
            _fixed(raw, {"StringLike": pin["StringLike"]}, vac), {sub_key: getting_in or "(absent)", aud_key: aud}))
    elif getting_in is not None:
        bad = next((p for p in patterns if (_owner_has_wildcard(profile, p))), patterns[0] if patterns else "")
        out.append(TrustIssue(
            "IW009", "ci-oidc-sub-wildcard-owner", sev_leak, st.index, st.sid, _cond_path(st, subs[0]), provider,
            N_("any {owner} matching {pattern!r}, e.g. {example}", owner=Text(profile.owner_word), pattern=bad,
               example=getting_in),
            N_("{lead}trust {where} lets {key} match {pattern!r}, a wildcard over the {owner}: a stranger's "
               "subject {subject} gets in", lead=_lead(tc), where=_where(st), key=sub_key, pattern=bad,
               owner=Text(profile.owner_word), subject=getting_in),
            N_("Spell the {owner} out and put wildcards only after it: \"{sub}\".", owner=Text(profile.owner_word),
               sub=pin['StringLike'][sub_key]),
            _fixed(raw, {"StringLike": pin["StringLike"]}, subs), {sub_key: getting_in, aud_key: aud}))
    if not auds:
        out.append(TrustIssue(
            "IW011", "ci-oidc-trust-without-aud", "low", st.index, st.sid, _cond_path(st), provider,
            N_("tokens issued for any audience registered as a client id of the provider"),
            N_("{lead}trust {where} trusts the {provider} OIDC provider {host} without a condition on {key}",
               lead=_lead(tc), where=_where(st), provider=profile.name, host=host, key=aud_key),
            N_("Add StringEquals {{\"{key}\": \"{audience}\"}} (the audience your pipeline requests).",
               key=aud_key, audience=profile.audience),
            _fixed(raw, {"StringEquals": {aud_key: profile.audience}})))
    return out


def _owner_has_wildcard(profile: OidcProfile, pattern: str) -> bool:
    from .oidc_providers import owner_segment

    owner = owner_segment(profile, pattern)
    return owner is None or any(ch in owner for ch in "*?")


def _literal_owner(profile: OidcProfile, pattern: str) -> str | None:
    """The owner a pattern was meant for: its literal text before the first wildcard."""
    from .oidc_providers import owner_segment

    owner = owner_segment(profile, pattern)
    if owner is None:
        return None
    cut = min([i for i in (owner.find("*"), owner.find("?")) if i >= 0] or [len(owner)])
    lit = owner[:cut].rstrip("-_.")
    return lit or None


def _pinned_for(profile: OidcProfile, owner: str) -> str:
    if profile.sub_prefix and profile.pinned_sub.startswith(profile.sub_prefix):
        rest = profile.pinned_sub[len(profile.sub_prefix):]
        end = rest.find(profile.owner_end)
        if end > 0:
            return profile.sub_prefix + owner + rest[end:]
    return profile.pinned_sub


# --- built-in web identity providers (Google, Facebook, Login with Amazon) ----------

#: the key naming *your* application, per built-in provider (spec §3.4): without a binding
#: condition on it, every user of the provider (any Google account, …) gets in
BUILTIN_APP_KEYS = {
    "accounts.google.com": ("accounts.google.com:aud", "accounts.google.com:oaud"),
    "graph.facebook.com": ("graph.facebook.com:app_id",),
    "www.amazon.com": ("www.amazon.com:app_id",),
}


def _builtin(trust: Policy, st: Statement, provider: str, host: str, tc: TrustContext,
             done: set[int]) -> list[TrustIssue]:
    keys = BUILTIN_APP_KEYS[host]
    conds = [c for k in keys for c in _on(st, k)]
    for c in conds:
        if not binds_nothing(c):
            done.add(id(c))
    probe = {k: f"{STRANGER}-app" for k in keys}
    if not holds(st.conditions, probe):
        return []
    raw = raw_statement(trust, st.index)
    return [TrustIssue(
        "IW020", "builtin-idp-trust-without-app", "critical" if tc.powerful else "high", st.index, st.sid,
        _cond_path(st, conds[0] if conds else None), provider,
        N_("any user of {host}, signed in to any application", host=host),
        N_("{lead}trust {where} trusts the built-in provider {host} without a binding condition on {key}: a token "
           "issued to someone else's application gets in", lead=_lead(tc), where=_where(st), host=host, key=keys[0]),
        N_("Add StringEquals {{\"{key}\": \"YOUR_APP_ID\"}}.", key=keys[0]),
        _fixed(raw, {"StringEquals": {keys[0]: "YOUR_APP_ID"}}, [c for c in conds if binds_nothing(c)]), probe)]


# --- Cognito identity pools -------------------------------------------------

def _cognito(trust: Policy, st: Statement, provider: str, tc: TrustContext, done: set[int]) -> list[TrustIssue]:
    aud_key, amr_key = f"{COGNITO}:aud", f"{COGNITO}:amr"
    auds = _on(st, aud_key)
    for c in auds + _on(st, amr_key):
        done.add(id(c))
    raw = raw_statement(trust, st.index)
    stranger_pool = f"us-east-1:{STRANGER}-0000-0000-0000-000000000000"
    out: list[TrustIssue] = []
    probe = {aud_key: stranger_pool, amr_key: ["authenticated", "cognito-idp.amazonaws.com"]}
    pool = _aud_value(st, aud_key, "REGION:IDENTITY_POOL_ID")
    if holds(st.conditions, probe) or holds(st.conditions, {**probe, amr_key: ["unauthenticated"]}):
        out.append(TrustIssue(
            "IW014", "cognito-trust-without-aud", "critical" if tc.powerful else "high", st.index, st.sid,
            _cond_path(st, auds[0] if auds else None), provider,
            N_("users of any Cognito identity pool, in any account"),
            N_("{lead}trust {where} trusts {service} without a binding condition on {key}: an identity from another "
               "pool (e.g. {pool}) can assume it", lead=_lead(tc), where=_where(st), service=COGNITO, key=aud_key,
               pool=stranger_pool),
            N_("Add StringEquals {{\"{key}\": \"REGION:IDENTITY_POOL_ID\"}} and a ForAnyValue:StringLike "
               "condition on {amr_key} (\"authenticated\").", key=aud_key, amr_key=amr_key),
            _fixed(raw, {"StringEquals": {aud_key: "REGION:IDENTITY_POOL_ID"},
                         "ForAnyValue:StringLike": {amr_key: "authenticated"}},
                   [c for c in auds if binds_nothing(c)]),
            probe))
    guest = {aud_key: pool, amr_key: ["unauthenticated"]}
    if tc.powerful and holds(st.conditions, guest):
        amr = _on(st, amr_key)
        out.append(TrustIssue(
            "IW015", "cognito-unauthenticated-to-powerful-role", "critical", st.index, st.sid,
            _cond_path(st, amr[0] if amr else None), provider,
            N_("unauthenticated (guest) identities of the pool {pool}: anyone who runs the app", pool=pool),
            N_("{role} is admin or can escalate, and trust {where} admits unauthenticated Cognito identities "
               "({key} \"unauthenticated\")", role=_role_name(tc), where=_where(st), key=amr_key),
            N_("Admit only authenticated identities: ForAnyValue:StringLike {{\"{key}\": \"authenticated\"}}, "
               "and give guests a separate role with least privilege.", key=amr_key),
            _fixed(raw, {"ForAnyValue:StringLike": {amr_key: "authenticated"}}, amr),
            guest))
    return out


# --- service principals ------------------------------------------------------

def _service(trust: Policy, st: Statement, service: str, tc: TrustContext, done: set[int]) -> list[TrustIssue]:
    # the statement is copied (``raw_statement``) only for an issue: most service trusts have none
    s = service.lower()
    acct = tc.account or STRANGER_ACCOUNT
    probe: dict[str, Any]
    if s == POD_IDENTITY:
        probe = {f"aws:RequestTag/{t}": v for t, v in (
            ("eks-cluster-arn", f"arn:aws:eks:us-east-1:{acct}:cluster/{STRANGER}"),
            ("eks-cluster-name", STRANGER), ("kubernetes-namespace", STRANGER),
            ("kubernetes-service-account", STRANGER), ("kubernetes-pod-name", STRANGER),
            ("kubernetes-pod-uid", STRANGER))}
        probe.update({"aws:SourceAccount": acct, "aws:SourceArn": f"arn:aws:eks:us-east-1:{acct}:cluster/{STRANGER}"})
        for c in st.conditions:
            if c.key_lower.startswith("aws:requesttag/") or c.key_lower in ("aws:sourceaccount", "aws:sourcearn"):
                done.add(id(c))
        if not holds(st.conditions, probe):
            return []
        return [TrustIssue(
            "IW013", "eks-pod-identity-without-session-tags", "high" if tc.powerful else "medium", st.index, st.sid,
            _cond_path(st), service,
            N_("any Pod Identity association in the account: any namespace, service account and cluster"),
            N_("{lead}trust {where} trusts {service} without binding conditions on the session tags EKS Pod "
               "Identity sets (aws:RequestTag/eks-cluster-arn, …/kubernetes-namespace, "
               "…/kubernetes-service-account): any pod given this role by an association can assume it",
               lead=_lead(tc), where=_where(st), service=POD_IDENTITY),
            N_("Add StringEquals on aws:RequestTag/eks-cluster-arn, aws:RequestTag/kubernetes-namespace and "
               "aws:RequestTag/kubernetes-service-account (the example of AWS's Pod Identity role page)."),
            _fixed(raw_statement(trust, st.index), {"StringEquals": {
                "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:REGION:ACCOUNT:cluster/CLUSTER",
                "aws:RequestTag/kubernetes-namespace": "NAMESPACE",
                "aws:RequestTag/kubernetes-service-account": "SERVICE_ACCOUNT"}}),
            probe)]
    if s in PASSROLE_GUARDED_SERVICES:
        return []
    if tc.role and not tc.powerful:
        # in an audit, a service role that can neither act as admin nor escalate is left out:
        # most services only take roles passed by the account's own principals (iam:PassRole),
        # so the deputy is worth tricking only for a powerful role (docs/decisions/analysis-confused-deputy.md)
        return []
    probe = {"aws:SourceAccount": STRANGER_ACCOUNT, "aws:SourceArn": f"arn:aws:{s.split('.')[0]}:us-east-1:"
             f"{STRANGER_ACCOUNT}:{STRANGER}", "aws:SourceOrgID": f"o-{STRANGER}",
             "aws:SourceOrgPaths": [f"o-{STRANGER}/r-0000/"]}
    for c in st.conditions:
        # a source condition that holds without its key is left to IW017, which names that form
        if c.key_lower in ("aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths") \
                and not binds_nothing(c):
            done.add(id(c))
    if not holds(st.conditions, probe):
        return []
    return [TrustIssue(
        "IW016", "service-trust-without-source", "high" if tc.powerful else "low", st.index, st.sid,
        _cond_path(st), service,
        N_("{service} acting for a resource in any account (confused deputy)", service=service),
        N_("{lead}trust {where} trusts the service {service} without a binding aws:SourceAccount, aws:SourceArn "
           "or aws:SourceOrgID condition: the service can be made to use the role on behalf of another account's "
           "resource", lead=_lead(tc), where=_where(st), service=service),
        N_("Add StringEquals {\"aws:SourceAccount\": \"ACCOUNT\"} (and ArnLike aws:SourceArn for the resource) "
           "to the trust statement."),
        _fixed(raw_statement(trust, st.index), {"StringEquals": {"aws:SourceAccount": tc.account or "ACCOUNT"}}),
        probe)]


# --- accounts ------------------------------------------------------------------

def _accounts(trust: Policy, st: Statement, tc: TrustContext, done: set[int]) -> list[TrustIssue]:
    assert st.principal is not None
    third: set[str] = set()
    for v in st.principal.values("AWS"):
        parsed = Arn.parse(v)
        acct = v if v.isdigit() else (parsed.account if parsed else "")
        if acct and acct not in tc.loaded and (tc.known is None or acct not in tc.known):
            third.add(acct)
    if not third:
        return []
    ext = _on(st, "sts:ExternalId")
    binding = [c for c in ext if not binds_nothing(c)]
    for c in ext:
        done.add(id(c))
    accts = ", ".join(sorted(third))
    where = (N_("which are not among the loaded accounts") if tc.known is None
             else N_("which are neither loaded nor listed as known"))
    role = N_("role {name}", name=tc.role.rsplit("/", 1)[-1]) if tc.role else N_("the role")
    if not binding:
        raw = raw_statement(trust, st.index)  # copied for IW003's fix only
        suffix = (N_("; its {operator} sts:ExternalId condition holds when the key is absent",
                     operator=ext[0].operator.text) if ext else "")
        return [TrustIssue(
            "IW003", "third-party-trust-without-external-id", "high" if tc.powerful else "medium", st.index,
            st.sid, _cond_path(st), accts,
            N_("any principal of account(s) {accounts} allowed sts:AssumeRole by its account", accounts=accts),
            N_("{role} trusts account(s) {accounts}, {where}, without an sts:ExternalId condition "
               "(confused deputy){suffix}", role=role, accounts=accts, where=where, suffix=suffix),
            N_("Add Condition {\"StringEquals\": {\"sts:ExternalId\": \"<secret agreed with the third party>\"}} "
               "to the trust statement."),
            _fixed(raw, {"StringEquals": {"sts:ExternalId": "<secret agreed with the third party>"}}, ext))]
    return [TrustIssue(
        "IW018", "unknown-account-trust-with-external-id", "medium" if tc.powerful else "low", st.index, st.sid,
        _cond_path(st), accts, N_("principals of account(s) {accounts} that present the ExternalId", accounts=accts),
        N_("{role} trusts account(s) {accounts}, {where}; an sts:ExternalId condition guards it",
           role=role, accounts=accts, where=where),
        N_("Confirm the account belongs to the vendor you meant (add it to --known-accounts), or remove the "
           "statement."), None)]


def _vacuous(trust: Policy, st: Statement, tc: TrustContext, done: set[int]) -> list[TrustIssue]:
    out: list[TrustIssue] = []
    raw: dict[str, Any] | None = None  # copied once there is an issue to fix (most statements have none)
    for c in st.conditions:
        if id(c) in done or c.key_lower not in GUARD_KEYS or not binds_nothing(c):
            continue
        if c.operator.is_null:
            continue  # Null "true" says "must be absent": meant, not a guard that leaks
        if raw is None:
            raw = raw_statement(trust, st.index)
        base = c.operator.base
        fixed_op = base.replace("Not", "", 1) if c.operator.negated else base
        if c.operator.set_op == "ForAllValues":
            fixed_op = "ForAnyValue:" + fixed_op  # a multivalued key: at least one value must match
        out.append(TrustIssue(
            "IW017", "condition-binds-nothing", "high" if tc.powerful else "medium", st.index, st.sid,
            _cond_path(st, c), ", ".join(v for _, vs in (st.principal.entries if st.principal else ()) for v in vs),
            N_("any caller the principal admits whose request carries no {key}", key=c.key),
            N_("{lead}trust {where} tests {key} with {operator}, which holds when the key is absent: a request "
               "without it passes", lead=_lead(tc), where=_where(st), key=c.key, operator=c.operator.text),
            N_("Use {operator} (no IfExists, no ForAllValues:, not negated) on {key}.", operator=fixed_op, key=c.key),
            _fixed(raw, {fixed_op: {c.key: list(c.values) if len(c.values) > 1 else c.values[0]}}, [c])))
    return out
