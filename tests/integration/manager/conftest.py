"""Fixtures of the persistence job's tests: wall time held still, the bundled payment server
wired into every run, and moto guarded for a run's concurrent configs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from local_runtime import moto_tuning
from sandbox_common import providers
from sandbox_common.clock import FixedClock
from sandbox_common.manager import job_wiring
from tests.integration.manager.job_drivers import BundledPaymentServer


@pytest.fixture
def thread_safe_moto() -> Iterator[None]:
    # A run works on several configs at once; moto's DynamoDB needs the runtime's guard.
    with moto_tuning.tuned():
        yield


@pytest.fixture
def wall(stack: Any) -> Iterator[FixedClock]:
    """Wall time, held still on the hour; only the test moves it."""
    clock = FixedClock(datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
    providers.override_clock(clock)
    yield clock
    providers.override_clock(None)


@pytest.fixture
def server(stack: Any, monkeypatch: pytest.MonkeyPatch) -> BundledPaymentServer:
    """The payment server every run of the test is wired to."""
    bundled = BundledPaymentServer()
    monkeypatch.setattr(job_wiring, "payment_server", lambda: bundled)
    return bundled
