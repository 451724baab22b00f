"""Fixtures for the wire-layer tests: one started server per module."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from iamwarden.server.dispatch import QueryDispatcher
from iamwarden.server.http import QueryServer
from tests.server.fakes import FakeResolver, Harness, Recorder, SettableClock, build_registry


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    clock = SettableClock()
    recorder = Recorder()
    dispatcher = QueryDispatcher(build_registry(recorder), FakeResolver(clock), clock=clock)
    server = QueryServer(dispatcher, port=0, max_body_bytes=64 * 1024).start()
    try:
        yield Harness(server, clock, recorder)
    finally:
        server.stop()


@pytest.fixture
def skewed(harness: Harness) -> Iterator[SettableClock]:
    """The harness clock, reset after the test."""
    try:
        yield harness.clock
    finally:
        harness.clock.offset = timedelta()
