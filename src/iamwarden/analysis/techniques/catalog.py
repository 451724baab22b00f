"""Technique IDs and names from ``docs/privesc-catalog.md`` (D01-D24, P01-P27, E01-E17).

Kept as data so reports can name a technique and its family without the
checker that found it; the checkers cite these IDs in their docstrings.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...i18n import gettext_noop


@dataclass(frozen=True, slots=True)
class TechniqueInfo:
    id: str
    family: str  # "direct" | "passrole" | "existing"
    title: str  # English, marked for translation (reports show it in the reader's language)


_D = {
    "D01": gettext_noop("Create a new default version of an attached policy"),
    "D02": gettext_noop("Roll back to an older, more privileged policy version"),
    "D03": gettext_noop("Create an access key for another user"),
    "D04": gettext_noop("Delete then create an access key for another user"),
    "D05": gettext_noop("Create a console password for another user"),
    "D06": gettext_noop("Reset another user's console password"),
    "D07": gettext_noop("Attach a managed policy to oneself (user)"),
    "D08": gettext_noop("Attach a managed policy to one's group"),
    "D09": gettext_noop("Attach a managed policy to oneself (role)"),
    "D10": gettext_noop("Write an inline policy on oneself (user)"),
    "D11": gettext_noop("Write an inline policy on one's group"),
    "D12": gettext_noop("Write an inline policy on oneself (role)"),
    "D13": gettext_noop("Join a privileged group"),
    "D14": gettext_noop("Rewrite a role's trust policy, then assume it"),
    "D15": gettext_noop("Assume a role"),
    "D16": gettext_noop("Attach a policy to an assumable role, then assume it"),
    "D17": gettext_noop("Write an inline policy on an assumable role, then assume it"),
    "D18": gettext_noop("Rewrite the policy of an assumable role, then assume it"),
    "D19": gettext_noop("Attach a policy to another user, then create its key"),
    "D20": gettext_noop("Inline policy on another user, then create its key"),
    "D21": gettext_noop("Attach a policy to a role and rewrite its trust"),
    "D22": gettext_noop("Rewrite a role's policy version and its trust"),
    "D23": gettext_noop("Inline policy on a role and rewrite its trust"),
    "D24": gettext_noop("Create a new role and make it admin"),
}
_P = {
    "P01": gettext_noop("New EC2 instance with an existing instance profile"),
    "P02": gettext_noop("EC2 Spot request with an instance profile"),
    "P03": gettext_noop("Put a privileged role into an instance profile"),
    "P04": gettext_noop("New Lambda function, invoked directly"),
    "P05": gettext_noop("New Lambda function triggered by an event source"),
    "P06": gettext_noop("New Lambda function invoked through a resource policy"),
    "P07": gettext_noop("Swap the role of an existing function"),
    "P08": gettext_noop("Glue development endpoint"),
    "P09": gettext_noop("New Glue job"),
    "P10": gettext_noop("Repoint an existing Glue job"),
    "P11": gettext_noop("Glue interactive session"),
    "P12": gettext_noop("New CloudFormation stack with a service role"),
    "P13": gettext_noop("Pass a new service role to an existing stack"),
    "P14": gettext_noop("CloudFormation StackSets"),
    "P15": gettext_noop("AWS Data Pipeline"),
    "P16": gettext_noop("New CodeBuild project"),
    "P17": gettext_noop("Repoint an existing CodeBuild project"),
    "P18": gettext_noop("SageMaker notebook instance"),
    "P19": gettext_noop("SageMaker training job"),
    "P20": gettext_noop("SageMaker processing job"),
    "P21": gettext_noop("ECS RunTask with a chosen task role"),
    "P22": gettext_noop("ECS service with a chosen task role"),
    "P23": gettext_noop("ECS StartTask on container instances"),
    "P24": gettext_noop("App Runner service"),
    "P25": gettext_noop("Bedrock AgentCore code interpreter"),
    "P26": gettext_noop("EC2 Auto Scaling launch configuration"),
    "P27": gettext_noop("CodeStar project with a passed role"),
}
_E = {
    "E01": gettext_noop("Replace the code of an existing Lambda function"),
    "E02": gettext_noop("Attach a malicious layer / settings to an existing function"),
    "E03": gettext_noop("Replace the SSH key of a Glue dev endpoint"),
    "E04": gettext_noop("Update an existing CloudFormation stack"),
    "E05": gettext_noop("Change set on an existing stack"),
    "E06": gettext_noop("Start a build of an existing project with an overridden buildspec"),
    "E07": gettext_noop("Open an existing SageMaker notebook"),
    "E08": gettext_noop("Lifecycle-config injection into a notebook"),
    "E09": gettext_noop("Run commands through SSM"),
    "E10": gettext_noop("Interactive SSM session"),
    "E11": gettext_noop("EC2 Instance Connect key push"),
    "E12": gettext_noop("Change instance user data and restart"),
    "E13": gettext_noop("New default launch-template version"),
    "E14": gettext_noop("Exec into a running ECS task"),
    "E15": gettext_noop("Redeploy an App Runner service"),
    "E16": gettext_noop("Use an existing AgentCore code interpreter"),
    "E17": gettext_noop("CodeStar project membership / templates"),
}

TECHNIQUES: dict[str, TechniqueInfo] = {
    **{k: TechniqueInfo(k, "direct", v) for k, v in _D.items()},
    **{k: TechniqueInfo(k, "passrole", v) for k, v in _P.items()},
    **{k: TechniqueInfo(k, "existing", v) for k, v in _E.items()},
    # not in the catalog: steps through a loaded resource's policy (analysis.techniques.resource_policies)
    "R01": TechniqueInfo("R01", "resource",
                         gettext_noop("Replace the code of a loaded Lambda function its policy lets you update")),
    "R02": TechniqueInfo("R02", "resource",
                         gettext_noop("Reconfigure a loaded Lambda function its policy lets you update")),
    # not in the catalog either: docs/decisions/analysis-boundary-removal.md
    "B01": TechniqueInfo("B01", "direct",
                         gettext_noop("Delete or replace one's own permissions boundary")),
    "B02": TechniqueInfo("B02", "direct",
                         gettext_noop("Tag oneself with the principal tags one's policies reward")),
    "B03": TechniqueInfo("B03", "direct",
                         gettext_noop("Tag a role so that one may assume it")),
}


def family(technique_id: str) -> str:
    """``direct`` / ``passrole`` / ``existing`` (the catalog's three categories), or ``resource``."""
    return TECHNIQUES[technique_id].family
