"""The condition keys a verified OIDC token puts in the request context (spec §3.4).

One pure function, :func:`web_identity_keys`: claims in, ``<provider>:<claim>``
keys out, where ``<provider>`` is the provider id (its URL without
``https://``, e.g. ``token.actions.githubusercontent.com``).

* ``:aud`` carries ``azp`` when the token has one, else ``aud`` (AWS documents
  this for Google; we apply it to every provider: spec §3.4);
* ``:oaud`` always carries ``aud``; ``:sub`` the subject; ``:amr`` the
  ``amr`` claim (multivalued);
* provider-specific claims in :data:`PROVIDER_CLAIMS` (GitHub's
  ``repository``, ``job_workflow_ref``, …) — UNCONFIRMED, see
  ``docs/decisions/sts-web-identity-keys.md``;
* ``aws:FederatedProvider``: the provider's ARN (spec §3.2 marks the form for
  IAM OIDC providers UNCONFIRMED).

Only string claims (or lists of strings) become keys: a claim that is an
object or a number is not a key AWS exposes and is left out.
"""

from __future__ import annotations

from typing import Any, Mapping

GITHUB = "token.actions.githubusercontent.com"

#: Claims besides aud/oaud/sub/amr exposed as ``<provider>:<claim>``, per provider id.
#: UNCONFIRMED: AWS documents aud/sub for GitHub; GitHub's docs say AWS does not support
#: *custom* claims. We expose these standard GitHub claims so trust policies written with
#: them are decided as written; one line to change if AWS is shown to drop them.
PROVIDER_CLAIMS: Mapping[str, tuple[str, ...]] = {
    GITHUB: (
        "actor", "actor_id", "base_ref", "environment", "event_name", "head_ref", "job_workflow_ref",
        "job_workflow_sha", "ref", "ref_type", "repository", "repository_id", "repository_owner",
        "repository_owner_id", "repository_visibility", "runner_environment", "workflow", "workflow_ref",
        "workflow_sha", "enterprise", "enterprise_id",
    ),
}

#: keys that are multivalued whatever the token holds
MULTIVALUED = ("amr",)


def _text(v: Any) -> str | None:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return None


def _texts(v: Any) -> list[str]:
    if isinstance(v, list):
        return [t for t in (_text(x) for x in v) if t is not None]
    t = _text(v)
    return [] if t is None else [t]


def audience_value(claims: Mapping[str, Any], matched: str | None = None) -> str | None:
    """What ``<provider>:aud`` holds: ``azp`` when present, else the ``aud`` value that matched
    a client id of the provider (``matched``), else the first ``aud``."""
    azp = _text(claims.get("azp"))
    if azp is not None:
        return azp
    auds = _texts(claims.get("aud"))
    if matched is not None and matched in auds:
        return matched
    return auds[0] if auds else None


def web_identity_keys(provider: str, claims: Mapping[str, Any], provider_arn: str | None = None,
                      matched_audience: str | None = None) -> dict[str, Any]:
    """The ``<provider>:*`` keys (and ``aws:FederatedProvider``) of one verified token (spec §3.4).

    ``matched_audience``: the client id the token was accepted for (when ``aud`` is a list).
    """
    out: dict[str, Any] = {}
    aud = audience_value(claims, matched_audience)
    if aud is not None:
        out[f"{provider}:aud"] = aud
    oaud = _texts(claims.get("aud"))
    if oaud:
        out[f"{provider}:oaud"] = oaud[0] if len(oaud) == 1 else oaud
    sub = _text(claims.get("sub"))
    if sub is not None:
        out[f"{provider}:sub"] = sub
    amr = _texts(claims.get("amr"))
    if amr:
        out[f"{provider}:amr"] = amr
    for name in PROVIDER_CLAIMS.get(provider, ()):
        value = _text(claims.get(name))
        if value is not None:
            out[f"{provider}:{name}"] = value
    if provider_arn is not None:
        out["aws:FederatedProvider"] = provider_arn
    return out
