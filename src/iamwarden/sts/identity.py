"""GetCallerIdentity (spec §4.6): who the credentials belong to. Needs no permission."""

from __future__ import annotations

from dataclasses import dataclass

from ..model.account import World
from ..model.principal import Caller, PrincipalType
from .caller import CallerLike, resolve_caller
from .directory import Directory, as_directory
from .errors import StsError
from .federated_user import FederatedUserSession
from .session import Session, UserSession
from .session_binding import require_bound


@dataclass(frozen=True, slots=True)
class CallerIdentity:
    user_id: str
    account: str
    arn: str

    def to_api(self) -> dict[str, str]:
        return {"UserId": self.user_id, "Account": self.account, "Arn": self.arn}


def get_caller_identity(who: CallerLike | FederatedUserSession,
                        source: World | Directory | None = None) -> CallerIdentity:
    """``UserId``/``Account``/``Arn`` of the table in spec §4.6.

    Sessions answer from themselves; an ARN or :class:`Caller` of a user needs
    the directory for the user's unique id. Given the directory, a session
    whose identity is gone is refused (:mod:`.session_binding`).
    """
    if isinstance(who, FederatedUserSession):
        if source is not None:
            require_bound(as_directory(source), who, "sts:GetCallerIdentity", "*")
        return CallerIdentity(who.federated_user_id, who.account, who.arn)
    if isinstance(who, (Session, UserSession)) and source is not None:
        require_bound(as_directory(source), who, "sts:GetCallerIdentity", "*")
    if isinstance(who, Session):
        return CallerIdentity(who.assumed_role_id, who.account, who.arn)
    if isinstance(who, UserSession):
        return CallerIdentity(who.unique_id, who.account, who.principal_arn)
    caller = who
    if source is not None:
        caller = resolve_caller(as_directory(source), who).caller
    elif not isinstance(who, Caller):
        caller = Caller.from_arn(who)
    assert isinstance(caller, Caller)
    t = caller.type
    if t is PrincipalType.ROOT and caller.account:
        return CallerIdentity(caller.account, caller.account, caller.arn)
    uid = caller.userid
    if uid is None or caller.account is None:
        raise StsError("InvalidClientTokenId", "The security token included in the request is invalid", 403)
    return CallerIdentity(uid, caller.account, caller.arn)
