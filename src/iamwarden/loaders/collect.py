"""Collect an organization file and a resources file with boto3 (``iamwarden collect --org / --resources``).

Every list call goes through boto3's paginator, so an organization of thousands of
accounts or an account of thousands of functions comes back whole. What is written
is the read calls' output side by side, in the shapes ``loaders.organization`` and
``loaders.resources`` read (schemas in ``schema/``, docs/organization.md).

Bounded: at most ``MAX_ORG_NODES`` OUs and accounts are walked (breadth first, no
recursion), at most ``MAX_RESOURCES`` resources per service are read.
"""

from __future__ import annotations

import json
from collections import deque
from functools import partial
from typing import Any, Callable

#: the most OUs and accounts walked in one organization (AWS's default quota is 10 accounts,
#: raised on request to thousands; OUs nest at most five deep)
MAX_ORG_NODES = 50_000
#: the most resources of one service read in one account
MAX_RESOURCES = 20_000
SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"

Progress = Callable[[str], None]


class CollectError(RuntimeError):
    """A read call failed in a way that leaves the file incomplete."""


def _pages(client: Any, op: str, key: str, **kwargs: Any) -> list[Any]:
    out: list[Any] = []
    for page in client.get_paginator(op).paginate(**kwargs):
        out += page.get(key) or []
        if len(out) > MAX_RESOURCES:
            raise CollectError(f"{op}: more than {MAX_RESOURCES} items; narrow the collection")
    return out


def _code(e: Exception) -> str:
    return str(getattr(e, "response", {}).get("Error", {}).get("Code", ""))


def collect_organization(session: Any, endpoint: str | None = None, note: Progress | None = None) -> dict[str, Any]:
    """The organization file: describe-organization, list-roots, the tree, and every SCP and RCP."""
    from botocore.exceptions import ClientError  # noqa: PLC0415 (optional dependency)

    org = session.client("organizations", endpoint_url=endpoint)
    organization = org.describe_organization()["Organization"]
    roots = _pages(org, "list_roots", "Roots")
    children: list[dict[str, Any]] = []
    queue = deque(r["Id"] for r in roots)
    walked = 0
    while queue:
        parent = queue.popleft()
        ous = _pages(org, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent)
        accounts = _pages(org, "list_accounts_for_parent", "Accounts", ParentId=parent)
        walked += len(ous) + len(accounts)
        if walked > MAX_ORG_NODES:
            raise CollectError(f"the organization has more than {MAX_ORG_NODES} OUs and accounts")
        children.append({"ParentId": parent, "OrganizationalUnits": ous, "Accounts": accounts})
        queue.extend(o["Id"] for o in ous)
        if note:
            note(f"{walked} OUs and accounts")
    policies: list[dict[str, Any]] = []
    for ptype in (SCP, RCP):
        try:
            summaries = _pages(org, "list_policies", "Policies", Filter=ptype)
        except ClientError as e:
            # an organization (or an emulator) without RCPs: the file then holds SCPs only
            if ptype == RCP and _code(e) in ("PolicyTypeNotEnabledException", "InvalidInputException",
                                             "UnsupportedAPIEndpointException"):
                continue
            raise
        for s in summaries:
            policy = org.describe_policy(PolicyId=s["Id"])["Policy"]
            targets = _pages(org, "list_targets_for_policy", "Targets", PolicyId=s["Id"])
            policies.append({"PolicySummary": policy["PolicySummary"], "Content": policy["Content"],
                             "Targets": targets})
    return {"Organization": organization, "Roots": roots, "Children": children, "Policies": policies}


def _optional(call: Callable[[], Any], *missing: str) -> Any:
    """A read whose "there is none" error (NoSuchBucketPolicy, ResourceNotFoundException…) means None."""
    from botocore.exceptions import ClientError  # noqa: PLC0415

    try:
        return call()
    except ClientError as e:
        if _code(e) in missing:
            return None
        raise


def collect_resources(session: Any, endpoint: str | None = None, region: str | None = None) -> dict[str, Any]:
    """The resources file of the account the session is in (one region)."""
    def client(name: str) -> Any:
        return session.client(name, endpoint_url=endpoint, region_name=region)

    account = client("sts").get_caller_identity()["Account"]
    s3, s3control = client("s3"), client("s3control")
    no_bpa = ("NoSuchPublicAccessBlockConfiguration",)
    account_bpa = _optional(partial(s3control.get_public_access_block, AccountId=account), *no_bpa)
    buckets = []
    for b in s3.list_buckets().get("Buckets") or []:
        name = b["Name"]
        pol = _optional(partial(s3.get_bucket_policy, Bucket=name), "NoSuchBucketPolicy")
        bpa = _optional(partial(s3.get_public_access_block, Bucket=name), *no_bpa)
        buckets.append({"Name": name, "Policy": pol["Policy"] if pol else None,
                        "PublicAccessBlock": bpa["PublicAccessBlockConfiguration"] if bpa else None})
    kms = client("kms")
    keys = []
    for k in _pages(kms, "list_keys", "Keys"):
        meta = kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]
        policy = kms.get_key_policy(KeyId=k["KeyId"], PolicyName="default")["Policy"]
        grants = _pages(kms, "list_grants", "Grants", KeyId=k["KeyId"])
        keys.append({"Arn": meta["Arn"], "KeyManager": meta.get("KeyManager", "CUSTOMER"), "Policy": policy,
                     "Grants": grants})
    lam = client("lambda")
    functions = []
    for f in _pages(lam, "list_functions", "Functions"):
        name = f["FunctionName"]
        pol = _optional(partial(lam.get_policy, FunctionName=name), "ResourceNotFoundException")
        aliases = []
        for al in _pages(lam, "list_aliases", "Aliases", FunctionName=name):
            apol = _optional(partial(lam.get_policy, FunctionName=name, Qualifier=al["Name"]),
                             "ResourceNotFoundException")
            aliases.append({"AliasArn": al["AliasArn"], "Name": al["Name"], "Policy": apol["Policy"] if apol else None})
        functions.append({"FunctionArn": f["FunctionArn"], "FunctionName": name, "Role": f.get("Role", ""),
                          "Policy": pol["Policy"] if pol else None, "Aliases": aliases})
    sqs = client("sqs")
    queues = []
    for url in _pages(sqs, "list_queues", "QueueUrls"):
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "Policy"])["Attributes"]
        queues.append({"QueueUrl": url, "QueueArn": attrs["QueueArn"], "Policy": attrs.get("Policy")})
    sns = client("sns")
    topics = []
    for t in _pages(sns, "list_topics", "Topics"):
        attrs = sns.get_topic_attributes(TopicArn=t["TopicArn"])["Attributes"]
        topics.append({"TopicArn": t["TopicArn"], "Policy": attrs.get("Policy")})
    sm = client("secretsmanager")
    secrets = []
    for s in _pages(sm, "list_secrets", "SecretList"):
        pol = _optional(partial(sm.get_resource_policy, SecretId=s["ARN"]), "ResourceNotFoundException")
        secrets.append({"ARN": s["ARN"], "Name": s.get("Name", ""),
                        "ResourcePolicy": (pol or {}).get("ResourcePolicy")})
    ecr = client("ecr")
    repos = []
    for r in _pages(ecr, "describe_repositories", "repositories"):
        pol = _optional(partial(ecr.get_repository_policy, repositoryName=r["repositoryName"]),
                        "RepositoryPolicyNotFoundException")
        repos.append({"repositoryArn": r["repositoryArn"], "repositoryName": r["repositoryName"],
                      "policyText": pol["policyText"] if pol else None})
    return {"AccountId": account,
            "S3": {"AccountPublicAccessBlock": account_bpa["PublicAccessBlockConfiguration"] if account_bpa else None,
                   "Buckets": buckets},
            "KMS": {"Keys": keys}, "Lambda": {"Functions": functions}, "SQS": {"Queues": queues},
            "SNS": {"Topics": topics}, "SecretsManager": {"Secrets": secrets}, "ECR": {"Repositories": repos}}


def as_json(data: dict[str, Any]) -> str:
    """The file's text (datetimes as ISO strings, as the AWS CLI writes them)."""
    return json.dumps(data, indent=2, default=lambda o: o.isoformat() if hasattr(o, "isoformat") else str(o)) + "\n"
