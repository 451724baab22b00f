"""Outside entry points: identities outside the loaded accounts that can get into a role (IW019).

The escalation graph (``graph``) runs between loaded users and roles. Roles are
also entered from outside: a federated provider's tokens (``Federated``, spec
§1.4, §3.4; with the claims its trust demands), principals of an account that is
not loaded (``AWS`` naming that account or something in it, §1.6), or anyone
(``"*"``). Each such trust statement becomes an entry node ``outsider → role``;
when the role is admin, or has a certain path to admin, the entry's path is that
first step followed by the role's shortest path, and the report says *which
outside identity can become admin, and how*.

Claims: the conditions of the statement, as ``operator key values`` lines (what
the outsider's request must carry), and, when a trust finding (``trust_checks``)
showed that a stranger gets in, the stranger's request that passed. Kept apart
from ``graph``/``admin``: it only reads their results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..i18n import N_, Text
from ..model.account import Role
from ..model.arn import Arn
from ..policy.document import Effect, Statement
from .edges import Edge
from .findings import Finding
from .graph import Escalation
from .hop_text import hop_text
from .index import WorldIndex
from .oidc_providers import STRANGER
from .trust_checks import ASSUME_ROLE, STRANGER_ACCOUNT, WEB_IDENTITY, TrustIssue, holds

SAML = "sts:AssumeRoleWithSAML"


@dataclass(frozen=True, slots=True)
class ExternalEntry:
    """An outside identity that can assume a role by one trust statement."""

    identity: str  # provider ARN/name, account id, principal ARN, or "*"
    kind: str  # "federated" | "account" | "public"
    role: str
    policy: str  # the trust policy's name, e.g. role/NAME:trust
    action: str  # the STS action it uses
    statement: int
    sid: str | None
    claims: tuple[str, ...]  # the conditions its request must satisfy
    stranger: dict[str, Any] | None = None  # a stranger's request that got in (trust finding)
    open_to_strangers: bool = False
    admin: bool = False  # the role is admin
    path: tuple[Edge, ...] = field(default=())  # entry step + role's path to admin; () if none

    @property
    def can_become_admin(self) -> bool:
        return bool(self.path)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "identity": self.identity, "kind": self.kind, "role": self.role, "policy": self.policy,
            "action": self.action,
            "statement": self.statement, "sid": self.sid, "claims": list(self.claims),
            "open_to_strangers": self.open_to_strangers, "can_become_admin": self.can_become_admin,
            "path": {"steps": [e.to_json() for e in self.path],
                     "techniques": [e.technique for e in self.path]} if self.path else None,
        }
        if self.stranger is not None:
            out["stranger_request"] = self.stranger
        return out


def claims_of(st: Statement) -> tuple[str, ...]:
    return tuple(f"{c.operator.text} {c.key} {' | '.join(c.values)}" for c in st.conditions)


def entries(ix: WorldIndex, esc: Escalation, issues: dict[str, list[TrustIssue]]) -> list[ExternalEntry]:
    """Every outside entry point, those that reach admin first. ``issues``: trust findings per role."""
    loaded = set(ix.world.accounts)
    admins = set(esc.admins)
    out: list[ExternalEntry] = []
    for arn, s in ix.subjects.items():
        role = s.entity
        if not isinstance(role, Role):
            continue
        tail: list[Edge] | None = None
        if arn in admins:
            tail = []
        elif arn in esc.certain.dist:
            paths = esc.certain.paths(arn, 1)
            tail = paths[0] if paths else None
        role_issues = issues.get(arn, [])
        for st in role.trust.statements:
            if st.effect is not Effect.ALLOW or st.principal is None or st.not_principal:
                continue
            for identity, kind, action in _outsiders(st, loaded):
                hit = next((i for i in role_issues if i.index == st.index and identity in i.outsider.split(", ")),
                           None)
                opened = (hit is not None and bool(hit.claims)) or (kind == "public" and _stranger_passes(st))
                path: tuple[Edge, ...] = ()
                if tail is not None:
                    first = Edge(identity, arn, "D15",
                                 f"can assume {role.name} with {action} (trust statement {st.sid or st.index})")
                    path = (first, *tail)
                out.append(ExternalEntry(identity, kind, arn, role.trust.name, action, st.index, st.sid, claims_of(st),
                                         dict(hit.claims) if hit is not None and hit.claims else None,
                                         opened, arn in admins, path))
    out.sort(key=lambda e: (not e.can_become_admin, not e.open_to_strangers, e.role, e.identity))
    return out


#: a caller from nowhere in particular, for a ``"*"`` trust: the engine decides whether its
#: conditions (aws:PrincipalOrgID, aws:PrincipalAccount, …) keep it out
_STRANGER_CALLER = {"aws:PrincipalAccount": STRANGER_ACCOUNT, "aws:PrincipalOrgID": f"o-{STRANGER}",
                    "aws:PrincipalArn": f"arn:aws:iam::{STRANGER_ACCOUNT}:role/{STRANGER}",
                    "aws:PrincipalOrgPaths": [f"o-{STRANGER}/r-0000/"]}


def _stranger_passes(st: Statement) -> bool:
    return holds(st.conditions, _STRANGER_CALLER)


def _outsiders(st: Statement, loaded: set[str]) -> list[tuple[str, str, str]]:
    assert st.principal is not None
    out = []
    for ptype, values in st.principal.entries:
        for v in values:
            if ptype == "Federated":
                action = SAML if ":saml-provider/" in v else WEB_IDENTITY
                if st.matches_action(action):
                    out.append((v, "federated", action))
            elif ptype == "AWS" and st.matches_action(ASSUME_ROLE):
                if v == "*":
                    out.append(("*", "public", ASSUME_ROLE))
                    continue
                a = Arn.parse(v)
                acct = v if v.isdigit() else (a.account if a else "")
                if acct and acct not in loaded:
                    out.append((v, "account", ASSUME_ROLE))
    return out


def entry_findings(found: list[ExternalEntry]) -> list[Finding]:
    """IW019 ``outside-identity-can-become-admin``: one per entry with a path to admin that is open to
    strangers (critical) or comes from an account not loaded or ``*`` (high)."""

    out = []
    for e in found:
        # a provider pinned to the claims it needs (a deploy pipeline) is listed in the report's
        # entries, not a finding: the role's own findings (IW006) already say it escalates
        if not e.can_become_admin or (e.kind == "federated" and not e.open_to_strangers):
            continue
        name = e.role.rsplit("/", 1)[-1]
        how = " → ".join(x.technique for x in e.path)
        claims = "; ".join(e.claims)
        who: Text = ((N_("anyone (Principal \"*\")") if e.open_to_strangers else
                      N_("callers that match {claims}", claims=claims)) if e.kind == "public" else
                     N_("{identity} (for example a request with {request})", identity=e.identity,
                        request=_request(e.stranger)) if e.open_to_strangers and e.stranger
                     else N_("{identity} with {claims}", identity=e.identity, claims=claims) if e.claims
                     else Text(e.identity))
        message = N_("outside identity {identity} can become admin through role {name} in {n} step(s): "
                     "{how}{open}{why}", identity=e.identity, name=name, n=len(e.path), how=how,
                     open=N_(" — open to strangers") if e.open_to_strangers else "",
                     why="" if e.admin else N_(" ({reason})", reason=hop_text(e.path[1].reason))
                     if len(e.path) > 1 else "")
        fix = N_("Pin the trust statement to the identities that need the role (see the trust findings for this "
                 "statement), and keep admin rights off roles that outsiders enter.")
        out.append(Finding(
            "IW019", "outside-identity-can-become-admin",
            "critical" if e.open_to_strangers else "high", e.role, str(message), str(fix),
            tuple(x.target for x in e.path),
            statement={"policy": e.policy, "statement": e.statement, "sid": e.sid},
            who=str(who), outsider=e.identity, text=message, fix_text=fix,
            who_text=who if who.params else None))
    return out


def _request(claims: dict[str, Any] | None) -> str:
    return ", ".join(f"{k}={'[' + ', '.join(map(str, v)) + ']' if isinstance(v, list) else v}"
                     for k, v in (claims or {}).items())
