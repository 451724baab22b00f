"""Condition keys every request of a principal carries, with the values it will have.

An escalation is a request the principal makes *now*, so keys whose value is
fixed by the kind of credentials and the moment are not unknowns (issue 10,
"conditions every session satisfies"; spec §3.2):

- ``aws:CurrentTime`` / ``aws:EpochTime``: the moment of the audit (``now``);
- ``aws:TokenIssueTime``: a role session the principal starts for the attack is
  issued now; IAM users act with long-term keys, which carry no such key
  (catalog rule 5);
- ``aws:SecureTransport``: SDK and CLI calls use HTTPS, so ``true``;
- ``aws:ViaAWSService``: the principal calls AWS itself, so ``false`` (a service
  forwarding its credentials is not modelled).

Keys the caller picks per request (region, source address or VPC endpoint, user
agent) are filled per question by ``origins``. Keys that depend on state outside
the IAM data (MFA devices) are left out: the techniques treat those as uncertain. The core reads no
clock, so ``now`` is passed in by the adapter (``cli audit``); without it the
time keys are absent, as for a request whose time nobody knows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from ..model.principal import Caller, PrincipalType

#: the keys with a fixed value whatever the moment (lower-cased names as the context stores them)
ALWAYS = {"aws:SecureTransport": "true", "aws:ViaAWSService": "false"}


def iso(t: datetime) -> str:
    """``aws:CurrentTime`` form: ISO 8601 UTC with a ``Z`` (spec §3.2)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def session_keys(caller: Caller, now: datetime | None) -> dict[str, str]:
    """The context keys every request of ``caller`` carries at ``now`` (see the module docstring)."""
    return dict(_keys(caller.type in _TEMPORARY, now))


_TEMPORARY = (PrincipalType.ROLE_SESSION, PrincipalType.FEDERATED_USER)


@lru_cache(maxsize=64)
def _keys(temporary: bool, now: datetime | None) -> tuple[tuple[str, str], ...]:
    """Memoised per (kind of credentials, moment): one audit builds a subject per principal."""
    out = dict(ALWAYS)
    if now is not None:
        out["aws:CurrentTime"] = iso(now)
        out["aws:EpochTime"] = str(int(now.timestamp()))
        if temporary:
            out["aws:TokenIssueTime"] = iso(now)
    return tuple(out.items())
