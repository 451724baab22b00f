"""Hostile conditions on where a request comes from stay bounded (analysis/origins.py).

Thousands of CIDRs (the policy size quotas allow a few thousand per principal) and values
on all three VPC keys must not make the classes quadratic or their product explode: at most
``MAX_CANDIDATES`` values per key are told apart and ``MAX_ORIGINS`` origins are asked.
"""

from __future__ import annotations

import pytest

from iamwarden.analysis.origins import MAX_CANDIDATES, MAX_ORIGINS, SOURCE_IP, classes, origins
from iamwarden.evaluation import PolicySet
from iamwarden.policy.document import PolicyKind, parse_policy


def _statements(n: int) -> list[dict]:
    nets = [f"10.{i // 256}.{i % 256}.0/24" for i in range(n)]
    return [{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {
        "NotIpAddress": {"aws:SourceIp": nets[i::4]},
        "StringNotEquals": {"aws:SourceVpc": [f"vpc-{j}" for j in range(i, n, 4)],
                            "aws:SourceVpce": [f"vpce-{j}" for j in range(i, n, 4)],
                            "aws:VpcSourceIp": [f"192.168.{j % 256}.1" for j in range(i, n, 4)]}}}
            for i in range(4)]


@pytest.mark.timeout(30)
def test_thousands_of_ranges_and_endpoints_are_bounded() -> None:
    p = parse_policy({"Version": "2012-10-17", "Statement": _statements(2000)}, PolicyKind.IDENTITY, "hostile")
    got = origins(PolicySet(identity=(p,)).candidates("s3:getobject"))
    assert 1 < len(got) <= MAX_ORIGINS
    conds = [c for st in p.statements for c in st.conditions if c.key_lower == "aws:sourceip"]
    assert len(classes(SOURCE_IP, conds)) <= MAX_CANDIDATES


@pytest.mark.timeout(60)
def test_every_key_and_every_region_tested_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regions × addresses × agents × parameters: at most ``MAX_QUESTIONS`` engine questions."""
    from iamwarden.analysis import origins as o
    from iamwarden.model.principal import Caller

    regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1", "ca-central-1", "eu-north-1"]
    st = [{"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*", "Condition": {
        "StringNotEquals": {"aws:RequestedRegion": regions[i:i + 2], "aws:UserAgent": [f"ua-{i}"],
                            "ec2:InstanceType": [f"t{i}.micro"], "ec2:MetadataHttpTokens": [f"v{i}"]},
        "NotIpAddress": {"aws:SourceIp": [f"10.{i}.0.0/16"]}}} for i in range(6)]
    p = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                                                              *st]}, PolicyKind.IDENTITY, "hostile")
    ps = PolicySet(identity=(p,))
    asked = 0
    real = o.authorize

    def counting(*a, **k):  # noqa: ANN002, ANN003
        nonlocal asked
        asked += 1
        return real(*a, **k)

    monkeypatch.setattr(o, "authorize", counting)
    d = o.authorize_from_some_origin(Caller.from_arn("arn:aws:iam::111122223333:user/x"), "ec2:RunInstances",
                                     "arn:aws:ec2:*:111122223333:instance/*", {}, ps)
    assert not d.errors  # bounded, not failed: past the bounds a choice is not asked (documented)
    assert 1 < asked <= o.MAX_QUESTIONS * 2  # once without MFA; with it only if a policy tests MFA
