"""iamwarden: AWS IAM and STS, checkable offline — exact decisions, explained.

The library in four lines::

    import iamwarden
    world = iamwarden.load_world(["account.json"])       # get-account-authorization-details output
    d = iamwarden.decide(world, "arn:aws:iam::111122223333:user/alice",
                         "sts:AssumeRole", "arn:aws:iam::111122223333:role/AdminRole")
    print(d.decision, [r.message for r in d.reasons])

Or with policies in hand: ``iamwarden.authorize(Request.build(...), PolicySet.from_documents(...))``.
"""

from .evaluation import (
    Decision,
    PolicySet,
    Reason,
    Request,
    Verdict,
    authorize,
    decide,
)
from .loaders.authz_details import LoadError, load_account, load_world
from .policy import Policy, PolicyKind, PolicySyntaxError, parse_policy

__version__ = "0.1.0"

__all__ = [
    "Decision",
    "LoadError",
    "Policy",
    "PolicyKind",
    "PolicySet",
    "PolicySyntaxError",
    "Reason",
    "Request",
    "Verdict",
    "authorize",
    "decide",
    "load_account",
    "load_world",
    "parse_policy",
]
