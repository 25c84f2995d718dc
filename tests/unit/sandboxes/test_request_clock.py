"""``providers.clock()``: the caller's sandbox clock inside a request, wall time elsewhere."""

from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from sandbox_common import providers
from sandbox_common.clock import FixedClock
from sandbox_common.sandboxes.sandbox_clock import SandboxClock

WALL = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def wall():
    clock = FixedClock(WALL)
    providers.override_clock(clock)
    yield clock
    providers.override_clock(None)
    providers.use_sandbox_clock(None)


def test_outside_a_request_the_clock_is_wall_time():
    assert providers.clock().now() == WALL == providers.wall_clock().now()


def test_a_running_sandbox_clock_follows_the_overridden_wall_clock(wall):
    providers.use_sandbox_clock(SandboxClock().advance(30, WALL))
    wall.advance(10)
    assert providers.clock().now() == WALL + timedelta(seconds=40)
    assert providers.wall_clock().now() == WALL + timedelta(seconds=10)


def test_a_sandbox_clock_set_in_one_request_context_stays_there():
    frozen = WALL + timedelta(days=9)

    def request() -> datetime:
        providers.use_sandbox_clock(SandboxClock(frozen_at=frozen))
        return providers.clock().now()

    assert contextvars.copy_context().run(request) == frozen
    assert providers.clock().now() == WALL


def test_concurrent_requests_each_read_their_own_sandbox_clock():
    def request(days: int) -> datetime:
        def body() -> datetime:
            providers.use_sandbox_clock(SandboxClock(frozen_at=WALL + timedelta(days=days)))
            return providers.clock().now()

        return contextvars.copy_context().run(body)

    with ThreadPoolExecutor(max_workers=4) as pool:
        seen = list(pool.map(request, range(20)))
    assert seen == [WALL + timedelta(days=days) for days in range(20)]
    assert providers.clock().now() == WALL
