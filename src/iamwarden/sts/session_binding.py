"""Sessions are bound to the identity that issued them, by unique id (spec §5.3, issue 8 item 3).

A role session is evaluated against the role whose unique id (``AROA…``) it
carries, never "whatever role has that name now": a role deleted and
re-created under the same name is another role (unique ids are never reused),
and the old sessions get nothing from it. GetSessionToken credentials are
bound to the user's unique id (``AIDA…``) the same way; once the user is gone
they grant nothing — not even through a trust policy that named the user.

How such a request is refused is :data:`UNBOUND_SESSION_REFUSAL` (UNCONFIRMED
wire codes; ``docs/decisions/sts-session-binding.md``).
"""

from __future__ import annotations

from typing import Mapping

from . import rules
from .directory import Directory
from .errors import INVALID_TOKEN_MESSAGE, StsError
from .federated_user import FederatedUserSession
from .session import Session, UserSession

#: The answer to a request signed with credentials of a session whose identity is gone
#: (deleted, or replaced by another entity of the same name), by session kind.
#: ``role``: the credentials still authenticate, but the role they are bound to no longer
#: exists, so no policy allows anything: ``AccessDenied`` (403) on every call, AssumeRole
#: chaining and GetCallerIdentity included (fail closed).
#: ``user``: GetSessionToken credentials stand for the user's own credentials, which died
#: with the user like its access keys: ``InvalidClientTokenId`` (403) at authentication.
#: UNCONFIRMED (AWS documents the binding, not the wire answer).
UNBOUND_SESSION_REFUSAL: Mapping[str, str] = {"role": "AccessDenied", "user": "InvalidClientTokenId"}


def session_kind(session: Session | UserSession | FederatedUserSession) -> str:
    """A federated user refuses like a role session: its credentials are its own, not the user's."""
    return "user" if isinstance(session, UserSession) else "role"


def unbound_reason(directory: Directory, session: Session | UserSession | FederatedUserSession) -> str | None:
    """None while the session's identity exists with the unique id it was issued for; else why not."""
    if isinstance(session, FederatedUserSession):
        if session.is_root:
            return None
        fed_user = directory.user(session.user_arn)
        if fed_user is None or fed_user.user_id != session.user_id:
            return (f"the user {session.user_arn} ({session.user_id}) that created this federated user "
                    "no longer exists as it was")
        return None
    if isinstance(session, Session):
        role = directory.role(session.role_arn)
        return _gone("role", session.role_arn, session.role_id, role.role_id if role else None,
                     "this session was issued for", "this session belongs to")
    if session.is_root:
        return None  # root is the account itself: it lives as long as the account does
    user = directory.user(session.principal_arn)
    return _gone("user", session.principal_arn, session.unique_id, user.user_id if user else None,
                 "these credentials belong to", "these credentials belong to")


def _gone(kind: str, arn: str, issued_id: str, current_id: str | None, owner: str, holder: str) -> str | None:
    """One check for roles and users: the entity named ``arn`` must still have the id issued for."""
    if current_id is None:
        return f"the {kind} {arn} ({issued_id}) {owner} no longer exists"
    if current_id != issued_id:
        return (f"the {kind} {arn} was deleted and re-created ({current_id}); "
                f"{holder} the old {kind} ({issued_id})")
    return None


def refusal(session: Session | UserSession | FederatedUserSession, action: str, resource: str) -> StsError:
    """The error :data:`UNBOUND_SESSION_REFUSAL` prescribes, for a call of ``action`` on ``resource``."""
    code = UNBOUND_SESSION_REFUSAL[session_kind(session)]
    if code == "InvalidClientTokenId":
        return StsError(code, INVALID_TOKEN_MESSAGE, 403)
    return StsError(code, rules.not_authorized(session.arn, action, resource), 403)


def require_bound(directory: Directory, session: Session | UserSession | FederatedUserSession,
                  action: str, resource: str) -> None:
    """Raise :func:`refusal` unless the session's identity still exists as issued."""
    if unbound_reason(directory, session) is not None:
        raise refusal(session, action, resource)
