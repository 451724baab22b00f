"""Existing compute and resources (catalog E01-E17): take over something already running as a role.

The resources (functions, stacks, instances, notebooks...) are not in IAM
data, so every edge here is **uncertain** (catalog rule 9): it says the source
may do the takeover actions and the role trusts the service (and, for EC2,
sits in an instance profile), not that such a resource exists. The graph
keeps these edges apart: a principal that escalates only through them is
reported with ``uncertain`` paths and ``can_escalate`` false.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ...model.account import Role
from ..edges import Edge, reasons_of
from . import Want
from ._service import EC2, ServiceTechnique, capable_list, capable_map, trusts_service

if TYPE_CHECKING:
    from ..index import WorldIndex
    from ..subject import Subject

T = ServiceTechnique
R = "needs an existing {} running with this role (not in IAM data)"
TECHNIQUES: tuple[ServiceTechnique, ...] = (
    T("E01", "lambda.amazonaws.com", (("lambda:UpdateFunctionCode",),), uncertain=R.format("Lambda function")),
    T("E02", "lambda.amazonaws.com", (("lambda:UpdateFunctionConfiguration",),), uncertain=R.format("Lambda function")),
    T("E03", "glue.amazonaws.com", (("glue:UpdateDevEndpoint",),), uncertain=R.format("Glue dev endpoint")),
    T("E04", "cloudformation.amazonaws.com", (("cloudformation:UpdateStack",),),
      uncertain=R.format("CloudFormation stack")),
    T("E05", "cloudformation.amazonaws.com", (("cloudformation:CreateChangeSet",),
                                               ("cloudformation:ExecuteChangeSet",)),
      uncertain=R.format("CloudFormation stack")),
    T("E06", "codebuild.amazonaws.com", (("codebuild:StartBuild", "codebuild:StartBuildBatch"),),
      uncertain=R.format("CodeBuild project")),
    T("E07", "sagemaker.amazonaws.com", (("sagemaker:CreatePresignedNotebookInstanceUrl",),),
      uncertain=R.format("SageMaker notebook")),
    T("E08", "sagemaker.amazonaws.com", (("sagemaker:CreateNotebookInstanceLifecycleConfig",),
                                         ("sagemaker:StopNotebookInstance",), ("sagemaker:UpdateNotebookInstance",),
                                         ("sagemaker:StartNotebookInstance",)),
      uncertain=R.format("SageMaker notebook")),
    T("E09", EC2, (("ssm:SendCommand",),), profile=True, uncertain=R.format("SSM-managed EC2 instance")),
    T("E10", EC2, (("ssm:StartSession",),), profile=True, uncertain=R.format("SSM-managed EC2 instance")),
    T("E11", EC2, (("ec2-instance-connect:SendSSHPublicKey", "ec2-instance-connect:SendSerialConsoleSSHPublicKey"),),
      profile=True, uncertain=R.format("reachable EC2 instance")),
    T("E12", EC2, (("ec2:ModifyInstanceAttribute",), ("ec2:StopInstances",), ("ec2:StartInstances",)),
      profile=True, uncertain=R.format("EC2 instance")),
    T("E13", EC2, (("ec2:CreateLaunchTemplateVersion",), ("ec2:ModifyLaunchTemplate",)),
      profile=True, uncertain=R.format("launch template in use")),
    T("E14", "ecs-tasks.amazonaws.com", (("ecs:ExecuteCommand",), ("ecs:DescribeTasks",)),
      uncertain=R.format("ECS task with exec enabled")),
    T("E15", "tasks.apprunner.amazonaws.com", (("apprunner:UpdateService",),),
      uncertain=R.format("App Runner service")),
    T("E16", "bedrock-agentcore.amazonaws.com", (("bedrock-agentcore:StartCodeInterpreterSession",),
                                                 ("bedrock-agentcore:InvokeCodeInterpreter",)),
      uncertain=R.format("AgentCore code interpreter")),
    T("E17", "codestar.amazonaws.com", (("codestar:CreateProjectFromTemplate", "codestar:AssociateTeamMember"),),
      uncertain="needs a CodeStar project (service discontinued in 2024)"),
)


class ExistingComputeChecker:
    family = "existing"
    actions = frozenset(a for t in TECHNIQUES for a in t.all_actions)

    def self_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]:
        return ()

    def granting_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]:
        return ()

    def edges_into(self, target: Subject, ix: WorldIndex, want: Want) -> Iterable[Edge]:
        role = target.entity
        if not isinstance(role, Role):
            return
        trusted = ix.trust[role.arn].service_keys
        if not trusted:
            return
        done: set[str] = set()
        keeps = getattr(want, "keeps_uncertain", None)  # see graph.Wanted
        for t in TECHNIQUES:
            if t.profile and not role.instance_profiles:
                continue
            if t.service not in trusted:
                continue  # ``trusts_service`` would say None: no sources list is built for the row
            srcs = capable_list(ix, t.actions, target.account_id)
            if not srcs:
                continue
            svc = trusts_service(ix, role, t.service)
            if svc is None:
                continue
            caps = capable_map(ix, t.actions, target.account_id)
            why: str | None = None  # the edges' reason, the same for every source of the row
            for src in ix.live(want, ("E", t.id, target.account_id), srcs, True):
                if src in done or src == target.arn:
                    continue
                done.add(src)
                if t.uncertain is not None and keeps is not None and not keeps(src):
                    continue  # an edge the search would file away unused (still one per source)
                ds = caps[src]  # every source of capable_list has its decisions there
                if why is None:
                    why = (f"can take over an existing {t.service.removesuffix('.amazonaws.com')} resource running as "
                           f"{role.name} ({', '.join(g[0] for g in t.actions)})")
                yield Edge(src, target.arn, t.id, why, reasons_of(svc, *ds), uncertain=t.uncertain)
