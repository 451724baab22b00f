"""Technique IDs and names from ``docs/privesc-catalog.md`` (D01-D24, P01-P27, E01-E17).

Kept as data so reports can name a technique and its family without the
checker that found it; the checkers cite these IDs in their docstrings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TechniqueInfo:
    id: str
    family: str  # "direct" | "passrole" | "existing"
    title: str


_D = {
    "D01": "Create a new default version of an attached policy",
    "D02": "Roll back to an older, more privileged policy version",
    "D03": "Create an access key for another user",
    "D04": "Delete then create an access key for another user",
    "D05": "Create a console password for another user",
    "D06": "Reset another user's console password",
    "D07": "Attach a managed policy to oneself (user)",
    "D08": "Attach a managed policy to one's group",
    "D09": "Attach a managed policy to oneself (role)",
    "D10": "Write an inline policy on oneself (user)",
    "D11": "Write an inline policy on one's group",
    "D12": "Write an inline policy on oneself (role)",
    "D13": "Join a privileged group",
    "D14": "Rewrite a role's trust policy, then assume it",
    "D15": "Assume a role",
    "D16": "Attach a policy to an assumable role, then assume it",
    "D17": "Write an inline policy on an assumable role, then assume it",
    "D18": "Rewrite the policy of an assumable role, then assume it",
    "D19": "Attach a policy to another user, then create its key",
    "D20": "Inline policy on another user, then create its key",
    "D21": "Attach a policy to a role and rewrite its trust",
    "D22": "Rewrite a role's policy version and its trust",
    "D23": "Inline policy on a role and rewrite its trust",
    "D24": "Create a new role and make it admin",
}
_P = {
    "P01": "New EC2 instance with an existing instance profile",
    "P02": "EC2 Spot request with an instance profile",
    "P03": "Put a privileged role into an instance profile",
    "P04": "New Lambda function, invoked directly",
    "P05": "New Lambda function triggered by an event source",
    "P06": "New Lambda function invoked through a resource policy",
    "P07": "Swap the role of an existing function",
    "P08": "Glue development endpoint",
    "P09": "New Glue job",
    "P10": "Repoint an existing Glue job",
    "P11": "Glue interactive session",
    "P12": "New CloudFormation stack with a service role",
    "P13": "Pass a new service role to an existing stack",
    "P14": "CloudFormation StackSets",
    "P15": "AWS Data Pipeline",
    "P16": "New CodeBuild project",
    "P17": "Repoint an existing CodeBuild project",
    "P18": "SageMaker notebook instance",
    "P19": "SageMaker training job",
    "P20": "SageMaker processing job",
    "P21": "ECS RunTask with a chosen task role",
    "P22": "ECS service with a chosen task role",
    "P23": "ECS StartTask on container instances",
    "P24": "App Runner service",
    "P25": "Bedrock AgentCore code interpreter",
    "P26": "EC2 Auto Scaling launch configuration",
    "P27": "CodeStar project with a passed role",
}
_E = {
    "E01": "Replace the code of an existing Lambda function",
    "E02": "Attach a malicious layer / settings to an existing function",
    "E03": "Replace the SSH key of a Glue dev endpoint",
    "E04": "Update an existing CloudFormation stack",
    "E05": "Change set on an existing stack",
    "E06": "Start a build of an existing project with an overridden buildspec",
    "E07": "Open an existing SageMaker notebook",
    "E08": "Lifecycle-config injection into a notebook",
    "E09": "Run commands through SSM",
    "E10": "Interactive SSM session",
    "E11": "EC2 Instance Connect key push",
    "E12": "Change instance user data and restart",
    "E13": "New default launch-template version",
    "E14": "Exec into a running ECS task",
    "E15": "Redeploy an App Runner service",
    "E16": "Use an existing AgentCore code interpreter",
    "E17": "CodeStar project membership / templates",
}

TECHNIQUES: dict[str, TechniqueInfo] = {
    **{k: TechniqueInfo(k, "direct", v) for k, v in _D.items()},
    **{k: TechniqueInfo(k, "passrole", v) for k, v in _P.items()},
    **{k: TechniqueInfo(k, "existing", v) for k, v in _E.items()},
    # not in the catalog: steps through a loaded resource's policy (analysis.techniques.resource_policies)
    "R01": TechniqueInfo("R01", "resource", "Replace the code of a loaded Lambda function its policy lets you update"),
    "R02": TechniqueInfo("R02", "resource",
                         "Reconfigure a loaded Lambda function its policy lets you update"),
}


def family(technique_id: str) -> str:
    """``direct`` / ``passrole`` / ``existing`` (the catalog's three categories), or ``resource``."""
    return TECHNIQUES[technique_id].family
