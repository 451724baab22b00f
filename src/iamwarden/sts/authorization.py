"""The authorization half of AssumeRole (spec §1.6, §3.2, §3.3, §4.2 step 6).

One engine decision per action — ``sts:AssumeRole``, then ``sts:TagSession``
when the request passes tags, then ``sts:SetSourceIdentity`` when it sets a
source identity — each on the role ARN, with the trust policy as the resource
policy and the same request context. All must allow. The engine applies
AWS's same-account and cross-account rules; this module only builds the
request faithfully.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..evaluation.authorizer import authorize
from ..evaluation.context import ENTITY_TAG_PREFIXES
from ..evaluation.decision import Decision, Reason, Verdict
from ..evaluation.policyset import PolicySet
from ..evaluation.request import Request
from ..model.account import AccountError, Role
from . import rules
from .caller import CallerInfo
from .clock import iso8601, utc
from .directory import Directory
from .params import AssumeRoleParams
from .session import SessionTag

ASSUME_ROLE = "sts:AssumeRole"
TAG_SESSION = "sts:TagSession"
SET_SOURCE_IDENTITY = "sts:SetSourceIdentity"


def find_role(directory: Directory, arn: str | None) -> Role | None:
    """The role the request names; a path mismatch counts as no role (rules.ROLE_ARN_MUST_MATCH_PATH)."""
    if not arn:
        return None
    role = directory.role(arn)
    if role is None:
        return None
    if rules.ROLE_ARN_MUST_MATCH_PATH and role.arn != arn:
        return None
    return role


def actions_needed(params: AssumeRoleParams, caller: CallerInfo) -> tuple[str, ...]:
    """sts:AssumeRole, plus sts:TagSession / sts:SetSourceIdentity when the request needs them (§3.3)."""
    out = [ASSUME_ROLE]
    if params.passes_tags or (rules.INHERITED_TRANSITIVE_TAGS_NEED_TAG_SESSION and caller.transitive_tags):
        out.append(TAG_SESSION)
    if params.source_identity is not None:
        out.append(SET_SOURCE_IDENTITY)
    return tuple(out)


def _overlay_keys(base: dict[str, Any], prefix: str, tags: dict[str, str] | tuple[SessionTag, ...]) -> None:
    items = tags.items() if isinstance(tags, dict) else ((t.key, t.value) for t in tags)
    for k, v in items:
        base[f"{prefix}{k}"] = v


def request_context(
    caller: CallerInfo, params: AssumeRoleParams, role: Role | None, now: datetime
) -> dict[str, Any]:
    """The condition keys of one AssumeRole request (spec §3.2, §3.3).

    Later entries override earlier ones; key names are case-insensitive in the
    engine, so a transitive tag replaces a role tag of the same key whatever
    its case (``aws:ResourceTag``, spec §3.2 / §4.4).
    """
    t = utc(now)
    ctx: dict[str, Any] = {
        "aws:CurrentTime": iso8601(t),
        "aws:EpochTime": str(int(t.timestamp())),
    }
    ctx.update(caller.context)
    if params.with_mfa:
        ctx["aws:MultiFactorAuthPresent"] = "true"
        ctx["aws:MultiFactorAuthAge"] = "0"
    if params.role_session_name is not None:
        ctx["sts:RoleSessionName"] = params.role_session_name
    if params.external_id is not None:
        ctx["sts:ExternalId"] = params.external_id
    if params.source_identity is not None:
        ctx["sts:SourceIdentity"] = params.source_identity
    source_identity = params.source_identity or caller.source_identity
    if source_identity is not None:
        ctx["aws:SourceIdentity"] = source_identity
    if params.transitive_tag_keys:
        ctx["sts:TransitiveTagKeys"] = list(params.transitive_tag_keys)
    if params.tags:
        _overlay_keys(ctx, "aws:RequestTag/", tuple(SessionTag(x.key, x.value) for x in params.tags))
        ctx["aws:TagKeys"] = [x.key for x in params.tags]
    for prefix in ENTITY_TAG_PREFIXES:  # the role's tags, a transitive session tag over its own
        if role is not None:
            _overlay_keys(ctx, prefix, dict(role.tags))
        _overlay_keys(ctx, prefix, caller.transitive_tags)
    return ctx


@dataclass(frozen=True, slots=True)
class ActionDecision:
    action: str
    request: Request
    policies: PolicySet
    decision: Decision


def policies(directory: Directory, caller: CallerInfo, role_arn: str, role: Role | None,
             action: str) -> PolicySet:
    """The caller's side and the role's trust policy (or none, when there is no such role)."""
    ps = directory.policies_for(caller.caller, role_arn, action, caller.session_policies)
    if role is None:
        ps = ps.replace(resource=None)
    elif ps.resource is not role.trust:
        ps = ps.replace(resource=role.trust)
    return ps


def authorize_actions(
    directory: Directory,
    caller: CallerInfo,
    params: AssumeRoleParams,
    role: Role | None,
    now: datetime,
    stop_at_first_deny: bool = True,
) -> list[ActionDecision]:
    """Decide each needed action on the role ARN (spec §4.2 step 6)."""
    ctx = request_context(caller, params, role, now)
    role_arn = params.role_arn or ""
    out: list[ActionDecision] = []
    for action in actions_needed(params, caller):
        req = Request.build(caller.caller, action, role_arn, ctx)
        try:
            ps = policies(directory, caller, role_arn, role, action)
        except AccountError as e:  # account data incomplete: fail closed
            d = Decision(Verdict.IMPLICIT_DENY, (Reason("error", "account data incomplete; denied"),),
                         (str(e),), "error")
            out.append(ActionDecision(action, req, PolicySet(), d))
            break
        d = authorize(req, ps)
        out.append(ActionDecision(action, req, ps, d))
        if stop_at_first_deny and not d.allowed:
            break
    return out
