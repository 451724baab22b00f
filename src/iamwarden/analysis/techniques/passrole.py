"""PassRole to a service (catalog P01-P27).

An edge source → role when (catalog rule 6): the engine allows
``iam:PassRole`` on the role with ``iam:PassedToService`` set to the service in
the request context; the role's trust lets that service principal assume it
(asked of the engine with the service as caller); the source may do the
service actions of the row (on a resource it creates, so its own wildcard
patterns are tried); and for EC2 launches the role sits in an instance profile
(else P03: the source must be able to create a profile and put the role in it,
or re-associate an existing profile: remove the role it holds, add this one).
Rows that need an
existing resource (P07, P10, P13, P17, P23) or a discontinued service (P27)
are marked uncertain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from ...evaluation import Decision
from ...model.account import Role
from ..edges import Edge, reasons_of
from . import Want
from ._service import (
    EC2,
    ServiceTechnique,
    allowed_groups,
    candidate_sources,
    short,
    trusts_service,
)

if TYPE_CHECKING:
    from ..index import WorldIndex
    from ..subject import Subject

LAMBDA = "lambda.amazonaws.com"
GLUE = "glue.amazonaws.com"
CFN = "cloudformation.amazonaws.com"
CODEBUILD = "codebuild.amazonaws.com"
SAGEMAKER = "sagemaker.amazonaws.com"
ECS = "ecs-tasks.amazonaws.com"
EXISTING = "needs an existing {} (not in IAM data)"

T = ServiceTechnique
TECHNIQUES: tuple[ServiceTechnique, ...] = (
    T("P01", EC2, (("ec2:RunInstances",),), profile=True),
    T("P02", EC2, (("ec2:RequestSpotInstances",),), profile=True),
    T("P04", LAMBDA, (("lambda:CreateFunction",), ("lambda:InvokeFunction",))),
    T("P05", LAMBDA, (("lambda:CreateFunction",), ("lambda:CreateEventSourceMapping",)),
      uncertain="needs an event source (stream or queue) that receives records"),
    T("P06", LAMBDA, (("lambda:CreateFunction",), ("lambda:AddPermission",))),
    T("P07", LAMBDA, (("lambda:UpdateFunctionConfiguration",), ("lambda:UpdateFunctionCode",)),
      uncertain=EXISTING.format("Lambda function")),
    T("P08", GLUE, (("glue:CreateDevEndpoint",),)),
    T("P09", GLUE, (("glue:CreateJob",), ("glue:StartJobRun", "glue:CreateTrigger"))),
    T("P10", GLUE, (("glue:UpdateJob",), ("glue:StartJobRun", "glue:CreateTrigger")),
      uncertain=EXISTING.format("Glue job")),
    T("P11", GLUE, (("glue:CreateSession",), ("glue:RunStatement",))),
    T("P12", CFN, (("cloudformation:CreateStack",),)),
    T("P13", CFN, (("cloudformation:UpdateStack",),), uncertain=EXISTING.format("CloudFormation stack")),
    T("P14", CFN, (("cloudformation:CreateStackSet",), ("cloudformation:CreateStackInstances",))),
    T("P15", "datapipeline.amazonaws.com",
      (("datapipeline:CreatePipeline",), ("datapipeline:PutPipelineDefinition",))),
    T("P16", CODEBUILD, (("codebuild:CreateProject",), ("codebuild:StartBuild", "codebuild:StartBuildBatch"))),
    T("P17", CODEBUILD, (("codebuild:UpdateProject",), ("codebuild:StartBuild", "codebuild:StartBuildBatch")),
      uncertain=EXISTING.format("CodeBuild project")),
    T("P18", SAGEMAKER, (("sagemaker:CreateNotebookInstance",),)),
    T("P19", SAGEMAKER, (("sagemaker:CreateTrainingJob",),)),
    T("P20", SAGEMAKER, (("sagemaker:CreateProcessingJob",),)),
    T("P21", ECS, (("ecs:RegisterTaskDefinition",), ("ecs:RunTask",))),
    T("P22", ECS, (("ecs:RegisterTaskDefinition",), ("ecs:CreateService",))),
    T("P23", ECS, (("ecs:RegisterTaskDefinition",), ("ecs:StartTask",)),
      uncertain=EXISTING.format("ECS container instance")),
    T("P24", "tasks.apprunner.amazonaws.com", (("apprunner:CreateService",),)),
    T("P25", "bedrock-agentcore.amazonaws.com", (("bedrock-agentcore:CreateCodeInterpreter",),
                                                 ("bedrock-agentcore:StartCodeInterpreterSession",),
                                                 ("bedrock-agentcore:InvokeCodeInterpreter",))),
    T("P26", EC2, (("autoscaling:CreateLaunchConfiguration",), ("autoscaling:CreateAutoScalingGroup",)),
      profile=True),
    T("P27", "codestar.amazonaws.com", (("codestar:CreateProject",),),
      uncertain="CodeStar was discontinued in 2024"),
)
#: P03: put the role into an instance profile, then launch or associate.
P03_LAUNCH = ("ec2:RunInstances", "ec2:AssociateIamInstanceProfile")

PASS = "iam:PassRole"
#: the services of every row (P03 launches EC2, one of them), lower-cased
SERVICES = frozenset(t.service.lower() for t in TECHNIQUES)
#: P03's two ways to a profile holding the role: a new profile, or one re-associated
P03_NEW = (("iam:CreateInstanceProfile",), ("iam:AddRoleToInstanceProfile",), P03_LAUNCH)
P03_SWAP = (("iam:RemoveRoleFromInstanceProfile",), ("iam:AddRoleToInstanceProfile",), P03_LAUNCH)


def _may_use_passing(ix: WorldIndex, account: str) -> frozenset[str]:
    """Principals of ``account`` that hold some Allow for every group of some technique here
    (P01-P27, P03's two ways): the only holders of iam:PassRole on ``*`` an edge can come
    from (cached). The search keeps its shrinking list of those holders (``WorldIndex.live``)
    to these, so holders that pass roles but can launch nothing are not asked ``want`` for
    every role reached."""
    key = ("P-may-use", account)
    hit = ix.cache.get(key)
    if hit is None:
        found: set[str] = set()
        for groups in (*(t.actions for t in TECHNIQUES), P03_NEW, P03_SWAP):
            found |= candidate_sources(ix, groups, account)
        hit = ix.cache[key] = frozenset(found)
    return hit


class PassRoleChecker:
    family = "passrole"
    actions = frozenset(
        {PASS.lower(), "iam:addroletoinstanceprofile", "iam:createinstanceprofile",
         "iam:removerolefrominstanceprofile"}
        | {a.lower() for a in P03_LAUNCH}
        | {a for t in TECHNIQUES for a in t.all_actions}
    )

    def self_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]:
        return ()

    def granting_edges(self, s: Subject, ix: WorldIndex) -> Iterable[Edge]:
        return ()

    def edges_into(self, target: Subject, ix: WorldIndex, want: Want) -> Iterable[Edge]:
        role = target.entity
        if not isinstance(role, Role) or ix.trust[role.arn].service_keys.isdisjoint(SERVICES):
            return  # no row's service may assume it (``trusts_service`` would say None for each)
        h = ix.holders[PASS.lower()]
        acct = target.account_id
        passers = h.specific(role.arn) | ix.live(
            want, ("P-anywhere", acct),
            lambda: sorted(h.anywhere & _may_use_passing(ix, acct))).keys()
        if not passers:
            return
        done: set[str] = set()  # one PassRole edge per source is enough for paths
        trust_cache: dict[str, object] = {}
        passed: dict[tuple[str, str], Any] = {}  # (source, service) -> its PassRole decision on this role
        for t in TECHNIQUES:
            if t.service not in trust_cache:
                trust_cache[t.service] = trusts_service(ix, role, t.service)
            svc = trust_cache[t.service]
            if svc is None:
                continue
            if t.profile and not role.instance_profiles:
                continue
            # only the sources that may pass this role are decided (``allowed_groups``, cached per
            # policy setup as ``capable_map`` would): most holders of a row's actions pass no role
            # at all, and deciding every one of them was most of the engine's questions here
            for src in sorted(passers & candidate_sources(ix, t.actions, target.account_id)):
                if src in done or src == target.arn or not want(src, t.uncertain is not None):
                    continue
                ds = allowed_groups(ix, ix.subjects[src], t.actions)
                if ds is None:
                    continue
                dp = passed.get((src, t.service))
                if dp is None:  # techniques of one service ask the same question
                    dp = passed[(src, t.service)] = ix.ask(ix.subjects[src], PASS, role.arn,
                                                           {"iam:PassedToService": t.service})
                if not dp.allowed:
                    continue
                if t.uncertain is None:
                    done.add(src)
                names = ", ".join(g[0] for g in t.actions)
                yield Edge(src, target.arn, t.id, f"can pass {role.name} to {short(t.service)} ({names})",
                           reasons_of(svc, dp, *ds), uncertain=t.uncertain)  # type: ignore[arg-type]
        yield from self._p03(target, role, ix, want, passers - done)

    def _p03(self, target: Subject, role: Role, ix: WorldIndex, want: Want, passers: set[str]) -> Iterable[Edge]:
        """P03: a role trusting EC2 but in no instance profile: put it in one, then launch.

        Two ways to get a profile holding the role: create one and add the role, or
        re-associate an existing profile (an instance profile holds one role: remove
        the role it holds, add this one). The role need not be in any profile today.
        """
        if role.instance_profiles:
            return
        svc = trusts_service(ix, role, EC2)
        if svc is None:
            return
        srcs = candidate_sources(ix, P03_NEW, target.account_id) | candidate_sources(
            ix, P03_SWAP, target.account_id)
        for src in sorted(passers & srcs):
            if src == target.arn or not want(src):
                continue
            s = ix.subjects[src]
            dp = ix.ask(s, PASS, role.arn, {"iam:PassedToService": EC2})
            if not dp.allowed:
                continue
            ds = allowed_groups(ix, s, (P03_LAUNCH,))
            if not ds:
                continue
            profile = f"arn:aws:iam::{target.account_id}:instance-profile/iamwarden"
            d1 = ix.ask_new(s, "iam:CreateInstanceProfile", profile)
            d2 = ix.ask_new(s, "iam:AddRoleToInstanceProfile", profile)
            if d1.allowed and d2.allowed:
                yield Edge(src, target.arn, "P03",
                           f"can put {role.name} into a new instance profile and launch EC2 with it",
                           reasons_of(svc, dp, d1, d2, *ds))
                continue
            swap = self._reassociate(ix, s, target.account_id, role)
            if swap is not None:
                name, held_by, dr, da = swap
                yield Edge(src, target.arn, "P03",
                           f"can swap {held_by} out of instance profile {name} for {role.name} "
                           "and launch EC2 with it", reasons_of(svc, dp, dr, da, *ds))

    @staticmethod
    def _reassociate(ix: WorldIndex, s: Subject, account: str,
                     role: Role) -> tuple[str, str, Decision, Decision] | None:
        """An existing instance profile ``s`` may re-associate with ``role``: remove the role
        it holds and add ``role`` (both on the profile ARN). Profiles are known from the
        roles that sit in them (``InstanceProfileList``)."""
        if not (ix.holds(s, "iam:RemoveRoleFromInstanceProfile") and ix.holds(s, "iam:AddRoleToInstanceProfile")):
            return None
        for profile, holder in existing_profiles(ix, account):
            if holder == role.name:
                continue
            dr = ix.ask(s, "iam:RemoveRoleFromInstanceProfile", profile)
            if not dr.allowed:
                continue
            da = ix.ask(s, "iam:AddRoleToInstanceProfile", profile)
            if da.allowed:
                return profile.rsplit("/", 1)[-1], holder, dr, da
        return None


def existing_profiles(ix: WorldIndex, account: str) -> tuple[tuple[str, str], ...]:
    """(instance profile ARN, name of the role it holds) for every profile of ``account`` (cached)."""
    key = ("passrole-profiles", account)
    hit = ix.cache.get(key)
    if hit is None:
        acct = ix.world.accounts.get(account)
        found: dict[str, str] = {}
        for r in (acct.roles.values() if acct is not None else ()):
            for p in r.instance_profiles:
                found.setdefault(p, r.name)
        hit = ix.cache[key] = tuple(sorted(found.items()))
    return hit
