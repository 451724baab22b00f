"""The server under TLS (``aws:SecureTransport``) and under concurrent clients."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from iamwarden.server.dispatch import QueryDispatcher
from iamwarden.server.http import QueryServer
from tests.server.fakes import (
    ACCOUNT,
    USER_KEY,
    USER_SECRET,
    FakeResolver,
    Harness,
    Recorder,
    SettableClock,
    build_registry,
)

pytestmark = pytest.mark.e2e


def self_signed_context(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context and the certificate (for 127.0.0.1) clients should trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


@pytest.fixture
def tls_harness(tmp_path: Path) -> Iterator[tuple[Harness, Path]]:
    clock = SettableClock()
    recorder = Recorder()
    dispatcher = QueryDispatcher(build_registry(recorder), FakeResolver(clock), clock=clock)
    context, cert_file = self_signed_context(tmp_path)
    server = QueryServer(dispatcher, ssl_context=context).start()
    try:
        yield Harness(server, clock, recorder), cert_file
    finally:
        server.stop()


def test_tls_sets_secure_transport(tls_harness: tuple[Harness, Path]) -> None:
    harness, cert_file = tls_harness
    assert harness.endpoint_url.startswith("https://")
    client = boto3.client(
        "sts",
        endpoint_url=harness.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=USER_KEY,
        aws_secret_access_key=USER_SECRET,
        verify=str(cert_file),
        config=Config(retries={"max_attempts": 1}),
    )
    assert client.get_caller_identity()["Account"] == ACCOUNT
    context, _ = harness.recorder.last
    assert context.secure_transport is True


def test_concurrent_clients(harness: Harness) -> None:
    def calls(_: int) -> set[str]:
        client = harness.client()
        return {client.get_caller_identity()["ResponseMetadata"]["RequestId"] for _ in range(10)}

    with ThreadPoolExecutor(max_workers=8) as pool:
        request_ids = set().union(*pool.map(calls, range(8)))
    assert len(request_ids) == 80
