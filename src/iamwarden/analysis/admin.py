"""Who is an administrator, precisely (catalog rule 2).

**Admin** means: the engine allows the wildcard action ``*`` on the resource
``*`` (so some Allow statement literally covers every action on every
resource, e.g. AdministratorAccess; ``iam:*`` plus ``s3:*`` does not), *and*
every probe action below is allowed on ``*`` as well, where the probes are a
fixed sample of sensitive actions plus one concrete action for every Deny
statement and every Allow-with-NotAction statement in force, boundaries
and SCPs included (``iam:*`` in a Deny becomes ``iam:IamwardenProbe``).
A Deny, a permissions boundary or an SCP that removes
any action on all resources therefore removes admin status. Denies limited to
particular resources (one bucket, one role) do not: those principals can still
do anything almost everywhere.

When ``*`` is allowed only with ``aws:MultiFactorAuthPresent`` the principal is
admin with ``needs_mfa``: MFA devices are not in the data (catalog rule 5).

Principals that are not admin but can grant themselves anything (catalog D01,
D02, D07-D13, D24 on themselves) are "self-escalating"; the graph reports them
with a one-step path to themselves, never as admins.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..evaluation import Decision
from ..policy.document import Effect, Policy
from .mfa import WITH_MFA, needed_mfa
from .origins import authorize_from_some_origin
from .subject import Subject

#: Sensitive actions every admin must hold on ``*`` (one per important service family).
PROBE_ACTIONS = (
    "iam:CreateUser",
    "iam:AttachUserPolicy",
    "iam:PassRole",
    "sts:AssumeRole",
    "ec2:RunInstances",
    "s3:GetObject",
    "lambda:CreateFunction",
    "kms:Decrypt",
    "secretsmanager:GetSecretValue",
)


@dataclass(frozen=True, slots=True)
class AdminStatus:
    admin: bool
    needs_mfa: bool = False
    #: the decision for ``*`` on ``*`` (its reasons name the granting statements)
    decision: Decision | None = None
    #: when not admin although ``*`` was allowed: the probe action that was refused
    capped_by: str | None = None


def _concrete(action: str) -> str:
    if action == "*":
        return "*"
    return action.replace("*", "IamwardenProbe").replace("?", "x")


def _deny_probes(policies: tuple[Policy, ...]) -> list[str]:
    out: list[str] = []
    for p in policies:
        for s in p.statements:
            # a Deny removes what it lists; an Allow with NotAction grants all but what it lists
            if (s.effect is Effect.DENY) != s.not_action:
                out += [_concrete(a) for a in s.actions]
    return out


def probe_actions(subject: Subject) -> tuple[str, ...]:
    ps = subject.policies
    extra = _deny_probes(ps.identity)
    if ps.boundary is not None:
        extra += _deny_probes((ps.boundary,))
    for level in ps.scp:
        extra += _deny_probes(level)
    seen: dict[str, None] = dict.fromkeys(PROBE_ACTIONS)
    seen.update(dict.fromkeys(extra))
    return tuple(seen)


def admin_status(subject: Subject) -> AdminStatus:
    """Decide admin status with the engine (see the module docstring for the definition)."""
    ps = subject.policies
    tags = {**subject.context, **{f"aws:PrincipalTag/{k}": v for k, v in subject.entity.tags.items()}}

    def allowed(action: str, ctx: dict[str, str]) -> Decision:
        return authorize_from_some_origin(subject.caller, action, "*", {**tags, **ctx}, ps)

    ctx: dict[str, str] = {}
    d = allowed("*", ctx)
    if not d.allowed:
        return AdminStatus(False, decision=d)
    needs_mfa = needed_mfa(d)
    if needs_mfa:  # the probes are asked in the same MFA session
        ctx = dict(WITH_MFA)
    for action in probe_actions(subject):
        if action == "*":
            continue
        if not allowed(action, ctx).allowed:
            return AdminStatus(False, needs_mfa, d, capped_by=action)
    return AdminStatus(True, needs_mfa, d)
