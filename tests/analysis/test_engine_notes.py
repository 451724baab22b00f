"""Engine behaviour the analysis noticed, pinned now that the engine follows it.

``evaluation.world.policies_for`` attaches a role's trust policy as the
resource policy for *every* action on the role ARN. AWS uses the trust policy
only for the STS actions that assume or tag a session (``TRUST_ACTIONS``): an
IAM role has no resource-based policy for IAM actions such as
``iam:DeleteRole`` or ``iam:AttachRolePolicy``. The analysis itself passes the
trust only for ``sts:AssumeRole`` (``WorldIndex.ask``), so it is not affected.
"""

from __future__ import annotations

from iamwarden.evaluation import decide

from .builders import Builder, arn, doc, world


def test_trust_policy_does_not_grant_iam_actions_on_the_role() -> None:
    b = Builder()
    b.user("alice")
    b.role("r", doc({"Effect": "Allow", "Principal": {"AWS": arn("user", "alice")}, "Action": "*"}))
    d = decide(world(b), arn("user", "alice"), "iam:DeleteRole", arn("role", "r"))
    assert not d.allowed
