"""Request parameters a caller chooses, read by a service's own condition keys.

Whoever launches an instance picks its instance type and whether it requires IMDSv2, whoever
creates a Lambda function picks its VPC and layers, whoever creates a stack picks its template:
the request carries them as the service's condition keys (``ec2:InstanceType``,
``ec2:MetadataHttpTokens``, ``lambda:VpcIds``, ``cloudformation:TemplateUrl``). AWS's
recommended guardrails test them: the SCP "deny ``ec2:RunInstances`` unless
``ec2:MetadataHttpTokens`` is ``required``" is in most organizations. Asked with those keys
absent, a negated condition always matched, so under that SCP nobody could launch an
instance and P01 (pass a role to EC2) was missed for every principal.

So these keys are the caller's choice like its region and address (``origins``): a key is a
parameter when it has a service's prefix, the Service Authorization Reference lists it for the
action (on the action or one of its resource types), and it is not one of:

- the IAM and STS keys, which the analysis sets itself (``iam:PassedToService``,
  ``iam:PolicyARN``, ``sts:ExternalId`` ...);
- a service's alias of a resource's tags (``ec2:ResourceTag/...``): the resource's state;
- ``NAMES_THE_PASSED_ROLE``: the role or profile a request passes is the technique's target,
  not a free choice (``cloudformation:RoleArn``, ``ec2:InstanceProfile``).

Values are one per class the conditions tell apart, and "not passed", asked first.
docs/decisions/analysis-request-parameters.md records the choice.
"""

from __future__ import annotations

from functools import lru_cache

from ..policy.catalog import catalog

#: keys naming the role (or instance profile) the request passes: never a free choice
NAMES_THE_PASSED_ROLE = frozenset({
    "cloudformation:rolearn", "ec2:instanceprofile", "codebuild:buildbatchconfig.servicerole",
})
#: prefixes of keys the analysis sets itself or that are not a request's parameters
_NOT_PARAMETERS = ("aws:", "iam:", "sts:")


def is_parameter_key(key_lower: str) -> bool:
    """Could ``key_lower`` be a request parameter of some action (see the module docstring)?"""
    return (":" in key_lower and not key_lower.startswith(_NOT_PARAMETERS)
            and "resourcetag/" not in key_lower and key_lower not in NAMES_THE_PASSED_ROLE)


@lru_cache(maxsize=4096)
def applicable(action: str) -> frozenset[str]:
    """The parameter keys (lower-cased) a request for ``action`` may carry: those the
    catalogue lists for the action or its resource types."""
    return frozenset(k for k in catalog().all_condition_keys(action) or () if is_parameter_key(k))
