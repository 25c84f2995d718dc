"""The sandbox clock through the environment handler on moto: moves, refusals, and every
time-dependent answer of the sandbox reading sandbox time."""

from __future__ import annotations

import asyncio
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local_runtime import moto_tuning
from sandbox_common import providers
from sandbox_common.clock import FixedClock, isoformat
from sandbox_common.errors import Conflict
from sandbox_common.sandboxes.sandbox_clock import SandboxClock
from tests.integration.environment.clock_driver import Handlers

WALL = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
YEAR_SECONDS = 365 * 24 * 3600


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def wall(stack) -> FixedClock:
    """Wall time, held still: only the test moves it."""
    clock = FixedClock(WALL)
    providers.override_clock(clock)
    return clock


@pytest.fixture
def sandbox(wall, make_key, as_developer, lambda_function, lambda_context):
    """Handlers acting for a developer key of a new sandbox."""

    def create(sandbox_id: str, **key_fields: Any) -> Handlers:
        caller = as_developer(make_key(sandbox_id=sandbox_id, **key_fields))
        return Handlers(lambda_function, lambda_context, caller)

    return create


def test_new_sandbox_clock_runs_with_wall_time(sandbox, wall):
    api = sandbox("sb-clock-new")
    assert api.clock() == {
        "sandbox_id": "sb-clock-new",
        "now": isoformat(WALL),
        "frozen": False,
        "frozen_at": None,
        "offset_seconds": 0.0,
        "wall_now": isoformat(WALL),
    }
    wall.advance(90)
    assert api.clock()["now"] == isoformat(WALL + timedelta(seconds=90))


def test_frozen_clock_stands_still_while_wall_time_passes(sandbox, wall):
    api = sandbox("sb-clock-freeze")
    status, frozen = api.freeze()
    assert status == 200, frozen
    assert frozen["frozen"] is True and frozen["frozen_at"] == isoformat(WALL)
    wall.advance(3600)
    shown = api.clock()
    assert shown["now"] == isoformat(WALL)
    assert shown["wall_now"] == isoformat(WALL + timedelta(hours=1))
    assert shown["offset_seconds"] == -3600


def test_freeze_at_a_later_instant_jumps_there(sandbox):
    api = sandbox("sb-clock-freeze-at")
    target = WALL + timedelta(days=3, hours=2)
    status, body = api.freeze(at="2026-03-05T14:00:00+02:00")
    assert status == 200, body
    assert api.clock()["now"] == isoformat(target) == body["frozen_at"]


def test_advance_moves_a_frozen_clock_and_says_how_many_messages_it_delivered(sandbox, wall):
    api = sandbox("sb-clock-advance")
    api.freeze()
    status, body = api.advance(90.5)
    assert status == 200, body
    assert body["now"] == isoformat(WALL + timedelta(seconds=90.5))
    assert body["frozen"] is True
    assert body["delivered"] == 0  # nothing was scheduled in this sandbox
    wall.advance(600)
    assert api.clock()["now"] == isoformat(WALL + timedelta(seconds=90.5))


def test_advance_shifts_a_running_clock_ahead_of_wall_time(sandbox, wall):
    api = sandbox("sb-clock-run")
    status, body = api.advance(86_400)
    assert status == 200, body
    assert body["frozen"] is False and body["offset_seconds"] == 86_400
    wall.advance(60)
    assert api.clock()["now"] == isoformat(WALL + timedelta(days=1, seconds=60))


def test_every_time_dependent_answer_reads_the_frozen_sandbox_time(sandbox, wall):
    api = sandbox("sb-clock-everything")
    frozen = WALL + timedelta(days=2, hours=5, minutes=30)
    assert api.freeze(at=isoformat(frozen))[0] == 200
    wall.advance(7200)  # wall time moves on; the sandbox must not notice

    status, initialized = api.call(
        "environment", "POST", "/api/v1/sandbox/initialize", body={"accounts": 5, "seed": 7}
    )
    assert status == 200, initialized
    assert at(initialized["anchor"]) == frozen
    assert at(initialized["initialized_at"]) == frozen

    _, accounts = api.call("ledger", "GET", "/api/v1/sandbox/accounts")
    source, target = accounts[0], accounts[1]
    status, transfer = api.call(
        "ledger",
        "POST",
        "/api/v1/sandbox/transfers",
        body={
            "from_account_id": source["id"],
            "to_account_id": target["id"],
            "amount": "1",
            "currency": "USDC",
        },
    )
    assert status == 201, transfer
    assert at(transfer["created_at"]) == frozen

    status, dashboard = api.call(
        "ledger", "GET", "/api/v1/sandbox/analytics/dashboard", query="time_period=7d"
    )
    assert status == 200, dashboard
    assert at(dashboard["generated_at"]) == frozen
    assert at(dashboard["period_start"]) == datetime(2026, 2, 25, 15, tzinfo=UTC)

    _, status_body = api.call("environment", "GET", "/api/v1/sandbox/status")
    assert at(status_body["clock"]["now"]) == frozen
    assert status_body["clock"]["frozen"] is True
    assert at(status_body["data"]["initialized_at"]) == frozen


def test_one_sandbox_clock_never_leaks_into_another_request(sandbox, wall):
    ahead, plain = sandbox("sb-clock-ahead"), sandbox("sb-clock-plain")
    ahead.freeze(at=isoformat(WALL + timedelta(days=30)))
    _, status_body = ahead.call("environment", "GET", "/api/v1/sandbox/status")
    assert at(status_body["clock"]["now"]) == WALL + timedelta(days=30)

    _, status_body = plain.call("environment", "GET", "/api/v1/sandbox/status")
    assert at(status_body["clock"]["now"]) == WALL
    assert plain.clock()["now"] == isoformat(WALL)


@pytest.mark.parametrize(
    ("route", "raw_body"),
    [
        ("/freeze", '{"at": "2026-03-02T09:59:59Z"}'),  # earlier than the sandbox's now
        ("/freeze", '{"at": "2027-03-03T10:00:00Z"}'),  # more than a year at once
        ("/freeze", '{"at": 1772445600}'),  # a number, not ISO-8601 text
        ("/freeze", '{"at": "2026-03-03T10:00:00"}'),  # no timezone
        ("/freeze", '{"at": "next tuesday"}'),
        ("/freeze", '{"when": "2026-03-03T10:00:00Z"}'),  # unknown field
        ("/freeze", "[]"),
        ("/freeze", "not json"),
        ("/advance", '{"seconds": 0}'),
        ("/advance", '{"seconds": -60}'),
        ("/advance", f'{{"seconds": {YEAR_SECONDS + 1}}}'),
        ("/advance", '{"seconds": "60"}'),
        ("/advance", '{"seconds": true}'),
        ("/advance", '{"seconds": null}'),
        ("/advance", "{}"),
        ("/advance", ""),
        ("/advance", '{"seconds": 60, "unit": "s"}'),
        ("/advance", '{"seconds": 1e999}'),
    ],
)
def test_bad_clock_moves_are_400_in_the_envelope_and_change_nothing(sandbox, route, raw_body):
    api = sandbox("sb-clock-refusals")
    api.advance(30)  # a clock that is already off wall time
    before = api.clock()

    status, body = api.call(
        "environment", "POST", "/api/v1/sandbox/clock" + route, raw_body=raw_body
    )

    assert status == 400, body
    assert body["success"] is False and body["code"] == "validation_error"
    assert body["error"] and body["requestId"]
    assert api.clock() == before


def test_reset_of_a_clock_ahead_of_wall_time_is_409_clock_ahead(sandbox):
    api = sandbox("sb-clock-reset-ahead")
    api.advance(3600)
    before = api.clock()
    status, body = api.reset_clock()
    assert status == 409 and body["code"] == "clock_ahead"
    assert "data reset" in body["error"]
    assert api.clock() == before


def test_reset_releases_a_clock_that_wall_time_caught_up_with(sandbox, wall):
    api = sandbox("sb-clock-reset")
    api.freeze()
    wall.advance(3600)
    status, body = api.reset_clock()
    assert status == 200, body
    assert body["frozen"] is False and body["offset_seconds"] == 0
    assert body["now"] == isoformat(WALL + timedelta(hours=1))


def test_data_reset_returns_the_clock_to_wall_time(sandbox, wall):
    api = sandbox("sb-clock-data-reset")
    api.advance(10 * 86_400)
    api.freeze()
    status, body = api.call("environment", "POST", "/api/v1/sandbox/reset", body={})
    assert status == 200, body
    assert at(body["reset_at"]) == WALL
    assert api.clock()["now"] == isoformat(WALL) and api.clock()["frozen"] is False


def test_reading_the_clock_needs_read_and_moving_it_needs_write(sandbox):
    reader = sandbox("sb-clock-perms", permissions=["read"])
    assert reader.clock()["sandbox_id"] == "sb-clock-perms"
    for status, body in (reader.freeze(), reader.advance(60), reader.reset_clock()):
        assert status == 403 and body["code"] == "forbidden"
    assert reader.clock()["now"] == isoformat(WALL)

    writer = sandbox("sb-clock-perms", permissions=["write"])
    status, body = writer.call("environment", "GET", "/api/v1/sandbox/clock")
    assert status == 403 and body["code"] == "forbidden"


def test_moving_one_sandbox_clock_leaves_the_others_alone(sandbox):
    mine, theirs = sandbox("sb-clock-mine"), sandbox("sb-clock-theirs")
    mine.freeze(at=isoformat(WALL + timedelta(days=1)))
    mine.advance(60)
    assert theirs.clock()["now"] == isoformat(WALL) and theirs.clock()["frozen"] is False


def test_a_move_from_a_stale_clock_is_refused_by_the_store(sandbox):
    sandbox("sb-clock-stale")
    sandboxes = providers.sandboxes_repository()
    read = sandboxes.get("sb-clock-stale")
    assert read is not None
    sandboxes.set_clock(read, read.clock.advance(60, WALL))
    with pytest.raises(Conflict):
        sandboxes.set_clock(read, read.clock.advance(120, WALL))
    stored = sandboxes.get("sb-clock-stale")
    assert stored is not None and stored.clock == SandboxClock(offset_seconds=60)


def test_concurrent_advances_all_count_or_are_refused_never_lost(sandbox):
    moto_tuning.apply()  # moto's tables are not thread-safe without the runtime's guard
    api = sandbox("sb-clock-race")
    api.freeze()

    def advance(_: int) -> int:
        return api.advance(60)[0]

    with ThreadPoolExecutor(
        max_workers=6, initializer=lambda: asyncio.set_event_loop(asyncio.new_event_loop())
    ) as pool:
        statuses = Counter(pool.map(advance, range(6)))
    assert set(statuses) <= {200, 409}
    assert api.clock()["now"] == isoformat(WALL + timedelta(seconds=60 * statuses[200]))


def test_an_advance_that_lost_a_race_is_applied_to_the_clock_that_won(sandbox, monkeypatch):
    api = sandbox("sb-clock-lost-race")
    api.freeze()
    store = providers.sandboxes_repository()
    real_set_clock = store.set_clock
    raced: list[bool] = []

    def set_clock_after_a_rival(read, clock):
        if not raced:  # another request moves the clock between this one's read and write
            raced.append(True)
            real_set_clock(read, read.clock.advance(3600, WALL))
        return real_set_clock(read, clock)

    monkeypatch.setattr(store, "set_clock", set_clock_after_a_rival)
    status, body = api.advance(60)

    assert status == 200, body
    assert body["now"] == isoformat(WALL + timedelta(seconds=3660))
    assert api.clock()["now"] == isoformat(WALL + timedelta(seconds=3660))
