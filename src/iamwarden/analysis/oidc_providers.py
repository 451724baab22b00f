"""What the trust of a federated OIDC provider must pin, per provider (spec §3.4).

A role trusting ``{"Federated": "arn:aws:iam::A:oidc-provider/HOST"}`` is assumed
with ``sts:AssumeRoleWithWebIdentity``; the trust sees the token's claims as
``HOST:sub``, ``HOST:aud`` (§3.4). Whether a missing or loose ``sub`` condition
lets strangers in depends on who can obtain a token from that issuer:

- **shared issuers** (GitHub Actions, GitLab.com, Terraform Cloud, Buildkite)
  sign tokens for every customer's pipelines, and the pipeline chooses the
  audience: ``aud`` does not tell your pipelines from anyone's; only ``sub``
  (which names the owner/organisation) does;
- **per-tenant issuers** (CircleCI ``oidc.circleci.com/org/ORG``, Bitbucket
  ``api.bitbucket.org/2.0/workspaces/WS/...``, an EKS cluster's
  ``oidc.eks.REGION.amazonaws.com/id/ID``) sign only for one organisation,
  workspace or cluster: without ``sub`` every project, repository or service
  account *inside* it gets in.

Each profile knows how its ``sub`` is built (so a pattern's owner segment can be
read, and a stranger's subject can be made to probe the trust with the engine)
and what a pinned ``sub`` looks like (for the fix). Sources: GitHub's "Configuring
OpenID Connect in Amazon Web Services" (subject ``repo:OWNER/REPO:…``), GitLab's
``project_path:GROUP/PROJECT:ref_type:…:ref:…``, Terraform Cloud's
``organization:ORG:project:…:workspace:…:run_phase:…``, CircleCI's
``org/ORG/project/PROJECT/user/USER``, Bitbucket's ``{REPO_UUID}:{STEP_UUID}``,
Buildkite's ``organization:ORG:pipeline:…``, and AWS's EKS IRSA page
(``system:serviceaccount:NAMESPACE:NAME``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import gettext_noop

#: the text put where a wildcard lets a stranger choose: an owner no customer is likely to hold
STRANGER = "zz9stranger"


@dataclass(frozen=True, slots=True)
class OidcProfile:
    """How one kind of OIDC issuer names its callers in ``sub``."""

    name: str  # for people: "GitHub Actions"
    kind: str  # "ci" | "eks"
    shared: bool  # one issuer for every customer (see module docstring)
    owner_word: str  # what the owner segment of sub is called (marked: a renderer translates it)
    sub_prefix: str  # text before the owner segment ("repo:")
    owner_end: str  # the character ending the owner segment ("/" or ":")
    stranger_sub: str  # a stranger's subject, "{owner}" marks the owner segment
    pinned_sub: str  # a pinned subject for the fix, with placeholders
    audience: str  # the audience to pin in the fix

    def stranger(self, owner: str = STRANGER) -> str:
        return self.stranger_sub.replace("{owner}", owner)


GITHUB = OidcProfile(
    "GitHub Actions", "ci", True, gettext_noop("repository owner"), "repo:", "/",
    "repo:{owner}/zz9repo:ref:refs/heads/main", "repo:OWNER/REPO:ref:refs/heads/main", "sts.amazonaws.com")
GITLAB = OidcProfile(
    "GitLab", "ci", True, gettext_noop("group"), "project_path:", "/",
    "project_path:{owner}/zz9project:ref_type:branch:ref:main",
    "project_path:GROUP/PROJECT:ref_type:branch:ref:main", "https://gitlab.com")
TERRAFORM = OidcProfile(
    "Terraform Cloud", "ci", True, gettext_noop("organization"), "organization:", ":",
    "organization:{owner}:project:Default Project:workspace:zz9:run_phase:apply",
    "organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:apply", "aws.workload.identity")
BUILDKITE = OidcProfile(
    "Buildkite", "ci", True, gettext_noop("organization"), "organization:", ":",
    "organization:{owner}:pipeline:zz9:ref:refs/heads/main:commit:0:step:deploy",
    "organization:ORG:pipeline:PIPELINE:ref:refs/heads/main:*", "sts.amazonaws.com")
CIRCLECI = OidcProfile(
    "CircleCI", "ci", False, gettext_noop("organization"), "org/", "/",
    "org/{owner}/project/zz9project/user/zz9user", "org/ORG_ID/project/PROJECT_ID/user/*", "ORG_ID")
BITBUCKET = OidcProfile(
    "Bitbucket Pipelines", "ci", False, gettext_noop("repository"), "", ":",
    "{owner}:{zz9step}", "{REPOSITORY_UUID}:*", "ari:cloud:bitbucket::workspace/WORKSPACE_UUID")
EKS = OidcProfile(
    "EKS (IRSA)", "eks", False, gettext_noop("namespace"), "system:serviceaccount:", ":",
    "system:serviceaccount:{owner}:zz9-sa", "system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT", "sts.amazonaws.com")

_EXACT = {
    "token.actions.githubusercontent.com": GITHUB,
    "gitlab.com": GITLAB,
    "app.terraform.io": TERRAFORM,
    "agent.buildkite.com": BUILDKITE,
}

#: most stranger subjects tried per statement: each is one evaluation of the statement's
#: conditions, so a hostile trust with thousands of patterns stays linear in its size
MAX_PROBES = 16

#: longest provider host read (IAM caps an OIDC provider URL at 255 characters)
MAX_HOST = 255


def provider_host(value: str) -> str | None:
    """The issuer host+path of a ``Federated`` principal, or None if it is not an OIDC provider ARN/host.

    ``arn:aws:iam::A:oidc-provider/HOST`` → ``HOST``; a bare ``HOST`` (the built-ins
    such as ``cognito-identity.amazonaws.com``) is returned as is; SAML provider ARNs → None.
    """
    if len(value) > MAX_HOST + 64:
        return None
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        if len(parts) != 6 or not parts[5].startswith("oidc-provider/"):
            return None
        return parts[5][len("oidc-provider/"):]
    return value


def profile_for(host: str) -> OidcProfile | None:
    """The profile of an issuer host (case-insensitive), or None for issuers without one."""
    h = host.lower().rstrip("/")
    if h in _EXACT:
        return _EXACT[h]
    if h.startswith("oidc.circleci.com/org/"):
        return CIRCLECI
    if h.startswith("api.bitbucket.org/2.0/workspaces/"):
        return BITBUCKET
    if h.startswith("oidc.eks.") and "/id/" in h and ".amazonaws.com" in h:
        return EKS
    return None


def owner_segment(profile: OidcProfile, pattern: str) -> str | None:
    """The owner part of a ``sub`` value or pattern (``repo:OWNER/…`` → ``OWNER``); None if unreadable."""
    if not pattern.startswith(profile.sub_prefix):
        return None
    rest = pattern[len(profile.sub_prefix):]
    end = rest.find(profile.owner_end)
    return rest if end < 0 else rest[:end]


def stranger_probes(profile: OidcProfile, patterns: tuple[str, ...]) -> list[str]:
    """Subjects a stranger could present, made to test ``patterns`` with the engine.

    Always the profile's canonical stranger subject (owner ``zz9stranger``); and, per
    pattern whose owner segment holds a wildcard, that pattern with the wildcard in the
    owner replaced by stranger text (one letter for ``?``) and the other wildcards by ``x``: ``repo:org*`` →
    ``repo:orgzz9stranger`` (an owner anyone can register), ``repo:*/infra:*`` →
    ``repo:zz9stranger/infra:x``. The engine then decides whether the trust admits it.
    """
    out = [profile.stranger()]
    for p in patterns:
        if len(out) >= MAX_PROBES:
            break
        owner = owner_segment(profile, p)
        if owner is None or not any(ch in owner for ch in "*?"):
            continue
        start = len(profile.sub_prefix)
        k = start + min(i for i in (owner.find("*"), owner.find("?")) if i >= 0)
        # "?" stands for exactly one character: one stranger letter makes another owner
        probe = p[:k] + (STRANGER if p[k] == "*" else "z") + p[k + 1:]
        out.append(probe.replace("*", "x").replace("?", "x"))
    return out
