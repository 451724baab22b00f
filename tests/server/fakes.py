"""Test doubles for the wire layer: a fake credential store, a settable clock,
dummy handlers, and a harness holding a started server with boto3 clients."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config

from iamwarden.server.dispatch import HandlerRegistry
from iamwarden.server.errors import AccessDenied, InvalidClientTokenId
from iamwarden.server.http import QueryServer
from iamwarden.server.request import RequestContext
from iamwarden.server.sigv4 import ResolvedCredential

USER_KEY = "AKIAIOSFODNN7EXAMPLE"
USER_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_KEY = "ASIAIOSFODNN7EXAMPLE"
SESSION_SECRET = "sessionSecretKeyEXAMPLE0000000000000000"
SESSION_TOKEN = "TOKEN123"
EXPIRED_KEY = "ASIAEXPIREDEXAMPLE00"
EXPIRED_TOKEN = "EXPIREDTOKEN"
ACCOUNT = "123456789012"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"


@dataclass(frozen=True)
class FakePrincipal:
    """What the real store would return; opaque to the wire layer."""

    arn: str
    user_id: str


class FakeResolver:
    """A test-only credential store: one user key, one live and one expired session."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock

    def resolve(self, access_key_id: str, session_token: str | None) -> ResolvedCredential:
        now = self._clock()
        if access_key_id == USER_KEY and session_token is None:
            return ResolvedCredential(USER_SECRET, FakePrincipal(USER_ARN, "AIDAEXAMPLE"))
        if access_key_id == SESSION_KEY and session_token == SESSION_TOKEN:
            return ResolvedCredential(
                SESSION_SECRET,
                FakePrincipal(f"arn:aws:sts::{ACCOUNT}:assumed-role/demo/s1", "AROAEXAMPLE:s1"),
                expiration=now + timedelta(hours=1),
            )
        if access_key_id == EXPIRED_KEY and session_token == EXPIRED_TOKEN:
            return ResolvedCredential(
                SESSION_SECRET, FakePrincipal("expired", "x"), expiration=now - timedelta(seconds=1)
            )
        raise InvalidClientTokenId()


@dataclass
class SettableClock:
    """Real time plus an adjustable offset (to simulate server clock skew)."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Recorder:
    """Dummy handlers: fixed GetCallerIdentity, parameter echo, failures on demand."""

    calls: list[tuple[RequestContext, dict[str, Any]]] = field(default_factory=list)

    def caller_identity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((ctx, params))
        principal = ctx.principal
        assert isinstance(principal, FakePrincipal)
        return {"UserId": principal.user_id, "Account": ACCOUNT, "Arn": principal.arn}

    def record(
        self, output: dict[str, Any] | None
    ) -> Callable[[RequestContext, dict[str, Any]], Any]:
        def handler(ctx: RequestContext, params: dict[str, Any]) -> Any:
            self.calls.append((ctx, params))
            return output

        return handler

    @property
    def last(self) -> tuple[RequestContext, dict[str, Any]]:
        return self.calls[-1]


ASSUME_ROLE_OUTPUT = {
    "Credentials": {
        "AccessKeyId": "ASIAIOSFODNN7EXAMPLE",
        "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
        "SessionToken": "AQoDYXdzEPT//////////wEXAMPLEtc764",
        "Expiration": datetime(2019, 11, 9, 13, 34, 41, tzinfo=UTC),
    },
    "AssumedRoleUser": {
        "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/demo/TestAR",
        "AssumedRoleId": "AROA3XFRBF535PLBIFPI4:TestAR",
    },
    "PackedPolicySize": 6,
    "SourceIdentity": 'Alice <&> "quoted"',
}

SIMULATE_OUTPUT = {
    "EvaluationResults": [
        {
            "EvalActionName": "s3:GetObject",
            "EvalResourceName": "*",
            "EvalDecision": "allowed",
            "MatchedStatements": [
                {
                    "SourcePolicyId": "PolicyInputList.1",
                    "SourcePolicyType": "none",
                    "StartPosition": {"Line": 1, "Column": 2},
                    "EndPosition": {"Line": 3, "Column": 4},
                }
            ],
            "MissingContextValues": [],
            "EvalDecisionDetails": {"IAM Policy": "allowed"},
            "PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": True},
        }
    ],
    "IsTruncated": False,
}


def build_registry(recorder: Recorder) -> HandlerRegistry:
    registry = HandlerRegistry()
    registry.register("sts", "GetCallerIdentity", recorder.caller_identity)
    registry.register("sts", "AssumeRole", recorder.record(ASSUME_ROLE_OUTPUT))
    registry.register("sts", "AssumeRoleWithWebIdentity", recorder.record({}))
    registry.register("iam", "SimulateCustomPolicy", recorder.record(SIMULATE_OUTPUT))
    registry.register("iam", "DeleteRole", recorder.record(None))

    def deny(ctx: RequestContext, params: dict[str, Any]) -> Any:
        raise AccessDenied(f"User: {USER_ARN} is not authorized to perform: iam:CreateRole")

    def crash(ctx: RequestContext, params: dict[str, Any]) -> Any:
        raise RuntimeError("handler bug")

    def bad_output(ctx: RequestContext, params: dict[str, Any]) -> Any:
        return {"NotAMember": 1}

    registry.register("iam", "CreateRole", deny)
    registry.register("iam", "DeleteUser", crash)
    registry.register("iam", "GetUser", bad_output)
    return registry


@dataclass
class Harness:
    server: QueryServer
    clock: SettableClock
    recorder: Recorder

    @property
    def endpoint_url(self) -> str:
        return self.server.endpoint_url

    def client(
        self,
        service: str = "sts",
        key: str = USER_KEY,
        secret: str = USER_SECRET,
        token: str | None = None,
        validate: bool = True,
    ) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            aws_session_token=token,
            config=Config(
                parameter_validation=validate,
                retries={"max_attempts": 1, "mode": "standard"},
            ),
        )
