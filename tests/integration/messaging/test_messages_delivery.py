"""Delivery against moto: the deliver task as the state machine runs it, clock advances,
and every way a delivery could repeat (duplicate, late, concurrent executions, an advance
racing the state machine) delivering a message exactly once."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from local_runtime import moto_tuning
from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.messaging.delivery import deliver_due
from sandbox_common.sandboxes import clock_service
from sandbox_common.sandboxes.clock_service import AdvanceRequest, FreezeRequest
from sandbox_common.sandboxes.data import ResetRequest, reset_sandbox
from tests.integration.messaging.message_drivers import (
    audit_entries,
    call,
    caller_context,
    delivery_machine,  # noqa: F401 - fixture
    message_body,
    new_sandbox_id,
    run_deliver_task,
    set_wall_clock,
    stored_sandbox,
)

NOON = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)
EIGHT_PM = datetime(2026, 1, 30, 20, 0, tzinfo=UTC)
NINE_AM_NEXT_DAY = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
HOUR = 3600.0


@pytest.fixture(autouse=True)
def _thread_safe_moto() -> None:
    moto_tuning.apply()


@pytest.fixture
def caller(stack, delivery_machine):  # noqa: F811
    set_wall_clock(NOON)
    return caller_context(new_sandbox_id())


def schedule_for_8pm_london(caller) -> str:
    answer = call(
        caller,
        "POST",
        "/api/sandbox/schedule",
        body=message_body(scheduledFor="2026-01-30T20:00:00Z"),
    )
    assert answer.status == 201, answer.body
    return answer.body["messageId"]


def state_of(caller, message_id):
    return call(caller, "GET", f"/api/sandbox/message-state/{message_id}").body


def types_of(caller, message_id):
    return [entry["type"] for entry in audit_entries(caller["sandbox_id"], message_id)]


def test_8pm_london_waits_for_9am_then_is_delivered_by_the_state_machine(
    caller,
    delivery_machine,  # noqa: F811
):
    message_id = schedule_for_8pm_london(caller)
    execution = delivery_machine.input_of(message_id)
    assert execution["dueAt"] == "2026-01-30T20:00:00.000Z"

    set_wall_clock(EIGHT_PM)
    first = run_deliver_task(execution)

    assert first == {"done": False, "status": "delayed", "waitUntil": "2026-01-31T09:00:00.000Z"}
    delayed = state_of(caller, message_id)
    assert delayed["status"] == "delayed"
    assert delayed["deliverAt"] == "2026-01-31T09:00:00.000Z"
    assert "Outside active hours: 20:00 in Europe/London" in delayed["delayReason"]
    entry = audit_entries(caller["sandbox_id"], message_id)[-1]
    assert entry["type"] == "message_delayed"
    assert entry["timestampUtc"] == "2026-01-30T20:00:00.000Z"
    assert entry["details"] == {
        **entry["details"],
        "activeWindow": "09:00 - 17:00",
        "timezone": "Europe/London",
        "localTime": "20:00",
        "nextAllowedUtc": "2026-01-31T09:00:00.000Z",
    }

    # The state machine copies waitUntil into dueAt, waits, and runs the task again.
    set_wall_clock(NINE_AM_NEXT_DAY)
    second = run_deliver_task({**execution, "dueAt": first["waitUntil"]})

    assert second == {"done": True, "status": "delivered", "waitUntil": None}
    assert state_of(caller, message_id)["deliveredAt"] == "2026-01-31T09:00:00.000Z"
    assert types_of(caller, message_id) == [
        "message_scheduled",
        "message_delayed",
        "message_delivered",
    ]


def test_8pm_london_by_the_sandbox_clock_is_delivered_by_advancing_it(
    caller,
    delivery_machine,  # noqa: F811
):
    identity = AuthContext.from_authorizer_context(caller)
    message_id = schedule_for_8pm_london(caller)

    at_8pm = clock_service.advance_clock(identity, AdvanceRequest(seconds=8 * HOUR))

    assert at_8pm.delivered == 0
    assert state_of(caller, message_id)["status"] == "delayed"
    # Meanwhile the execution checks: by the sandbox clock (8 h ahead) 09:00 tomorrow comes
    # at 01:00 wall time.
    waiting = run_deliver_task(delivery_machine.input_of(message_id))
    assert waiting == {"done": False, "status": "delayed", "waitUntil": "2026-01-31T01:00:00.000Z"}

    at_9am = clock_service.advance_clock(identity, AdvanceRequest(seconds=13 * HOUR))

    assert at_9am.delivered == 1
    state = state_of(caller, message_id)
    assert (state["status"], state["deliveredAt"]) == ("delivered", "2026-01-31T09:00:00.000Z")
    # The execution's late check finds it delivered and delivers nothing more.
    assert run_deliver_task(delivery_machine.input_of(message_id))["done"] is True
    assert types_of(caller, message_id).count("message_delivered") == 1


def test_one_long_advance_delays_and_delivers_as_if_the_sandbox_had_lived_through_it(caller):
    identity = AuthContext.from_authorizer_context(caller)
    message_id = schedule_for_8pm_london(caller)

    answer = clock_service.advance_clock(identity, AdvanceRequest(seconds=24 * HOUR))

    assert answer.delivered == 1
    assert state_of(caller, message_id)["deliveredAt"] == "2026-01-31T09:00:00.000Z"
    assert types_of(caller, message_id) == [
        "message_scheduled",
        "message_delayed",
        "message_delivered",
    ]


def test_a_frozen_clock_makes_the_execution_look_again_in_an_hour(
    caller,
    delivery_machine,  # noqa: F811
):
    message_id = schedule_for_8pm_london(caller)
    clock_service.freeze_clock(AuthContext.from_authorizer_context(caller), FreezeRequest())
    set_wall_clock(EIGHT_PM)  # wall time passes; the frozen sandbox stays at noon

    answer = run_deliver_task(delivery_machine.input_of(message_id))

    assert answer == {"done": False, "status": "scheduled", "waitUntil": "2026-01-30T21:00:00.000Z"}
    assert state_of(caller, message_id)["status"] == "scheduled"


def test_schedule_under_a_clock_ahead_starts_the_execution_at_the_wall_time_due(
    caller,
    delivery_machine,  # noqa: F811
):
    clock_service.advance_clock(
        AuthContext.from_authorizer_context(caller), AdvanceRequest(seconds=HOUR)
    )

    message_id = schedule_for_8pm_london(caller)  # sandbox is at 13:00, wall at 12:00

    assert delivery_machine.input_of(message_id)["dueAt"] == "2026-01-30T19:00:00.000Z"


@pytest.mark.parametrize("runs", [2, 5])
def test_duplicate_and_late_executions_deliver_once(
    caller,
    delivery_machine,  # noqa: F811
    runs,
):
    message_id = call(
        caller,
        "POST",
        "/api/sandbox/schedule",
        body=message_body(scheduledFor="2026-01-30T13:00:00Z"),
    ).body["messageId"]
    execution = delivery_machine.input_of(message_id)
    set_wall_clock(datetime(2026, 1, 30, 13, 0, tzinfo=UTC))

    answers = [run_deliver_task(execution) for _ in range(runs)]
    set_wall_clock(datetime(2026, 2, 2, 13, 0, tzinfo=UTC))  # days late
    answers.append(run_deliver_task(execution))

    assert {a["status"] for a in answers} == {"delivered"} and all(a["done"] for a in answers)
    assert state_of(caller, message_id)["deliveredAt"] == "2026-01-30T13:00:00.000Z"
    assert types_of(caller, message_id) == ["message_scheduled", "message_delivered"]


def test_concurrent_executions_and_a_clock_advance_deliver_once(
    caller,
    delivery_machine,  # noqa: F811
):
    message_id = call(
        caller,
        "POST",
        "/api/sandbox/schedule",
        body=message_body(scheduledFor="2026-01-30T13:00:00Z"),
    ).body["messageId"]
    execution = delivery_machine.input_of(message_id)
    set_wall_clock(datetime(2026, 1, 30, 13, 0, tzinfo=UTC))
    sandbox = stored_sandbox(caller["sandbox_id"])

    def race(index: int):
        if index % 3 == 0:
            return deliver_due(sandbox, datetime(2026, 1, 30, 13, 0, tzinfo=UTC))
        return run_deliver_task(execution)

    with ThreadPoolExecutor(
        max_workers=6, initializer=lambda: asyncio.set_event_loop(asyncio.new_event_loop())
    ) as pool:
        results = list(pool.map(race, range(9)))

    delivered_by_advance = sum(r for r in results if isinstance(r, int))
    tasks = [r for r in results if isinstance(r, dict)]
    assert all(t["done"] and t["status"] == "delivered" for t in tasks)
    assert delivered_by_advance <= 1
    assert types_of(caller, message_id).count("message_delivered") == 1
    assert state_of(caller, message_id)["status"] == "delivered"


def test_a_message_marked_delivered_while_waiting_is_not_delivered_again(
    caller,
    delivery_machine,  # noqa: F811
):
    message_id = schedule_for_8pm_london(caller)
    assert call(caller, "POST", f"/api/sandbox/message/{message_id}/mark-delivered").status == 200

    set_wall_clock(NINE_AM_NEXT_DAY)
    answer = run_deliver_task(delivery_machine.input_of(message_id))
    delivered = deliver_due(stored_sandbox(caller["sandbox_id"]), NINE_AM_NEXT_DAY)

    assert answer["done"] is True and delivered == 0
    assert state_of(caller, message_id)["deliveredAt"] == "2026-01-30T12:00:00.000Z"
    assert types_of(caller, message_id).count("message_delivered") == 1


def test_a_failed_delivery_is_recorded_and_ends_the_wait(
    caller,
    delivery_machine,  # noqa: F811
):
    message_id = schedule_for_8pm_london(caller)
    state = {
        **delivery_machine.input_of(message_id),
        "action": "record_failure",
        "error": {"Error": "States.TaskFailed", "Cause": "deliver function timed out"},
    }

    answer = run_deliver_task(state)

    assert answer == {"done": True, "status": "failed", "waitUntil": None}
    failed = state_of(caller, message_id)
    assert failed["status"] == "failed"
    assert failed["failureReason"] == "States.TaskFailed: deliver function timed out"
    assert types_of(caller, message_id)[-1] == "message_failed"
    # Nothing delivers a failed message afterwards.
    set_wall_clock(NINE_AM_NEXT_DAY)
    assert deliver_due(stored_sandbox(caller["sandbox_id"]), NINE_AM_NEXT_DAY) == 0


def test_the_execution_of_a_message_whose_sandbox_was_reset_or_removed_is_done(
    caller,
    delivery_machine,  # noqa: F811
):
    message_id = schedule_for_8pm_london(caller)
    execution = delivery_machine.input_of(message_id)
    reset_sandbox(AuthContext.from_authorizer_context(caller), ResetRequest())
    set_wall_clock(NINE_AM_NEXT_DAY)

    after_reset = run_deliver_task(execution)
    removed = run_deliver_task({**execution, "sandboxId": new_sandbox_id()})

    assert after_reset == removed == {"done": True, "status": None, "waitUntil": None}
    assert call(caller, "GET", f"/api/sandbox/message-state/{message_id}").status == 404


def test_starting_a_messages_execution_again_never_starts_a_second(
    caller,
    delivery_machine,  # noqa: F811
):
    message_id = schedule_for_8pm_london(caller)
    starter = providers.delivery_starter()
    assert starter is not None

    # The same start repeated is the same execution (Step Functions' idempotent start);
    # another start under the name (a later delay) finds the first one running.
    repeated = starter.start_delivery(caller["sandbox_id"], message_id, EIGHT_PM)
    other = starter.start_delivery(caller["sandbox_id"], message_id, NINE_AM_NEXT_DAY)

    assert (repeated, other) == (True, False)
    assert [e["name"] for e in delivery_machine.executions()] == [message_id]


def test_an_advance_delivers_more_messages_than_one_transaction_holds_each_once(caller):
    identity = AuthContext.from_authorizer_context(caller)
    ids = [schedule_for_8pm_london(caller) for _ in range(45)]  # two batches: moves + entries

    answer = clock_service.advance_clock(identity, AdvanceRequest(seconds=24 * HOUR))

    assert answer.delivered == 45
    for message_id in ids:
        assert state_of(caller, message_id)["status"] == "delivered"
        assert types_of(caller, message_id).count("message_delivered") == 1
    assert deliver_due(stored_sandbox(caller["sandbox_id"]), NINE_AM_NEXT_DAY) == 0


def test_freezing_at_a_later_instant_delivers_what_became_due_like_an_advance(caller):
    identity = AuthContext.from_authorizer_context(caller)
    message_id = schedule_for_8pm_london(caller)

    answer = clock_service.freeze_clock(identity, FreezeRequest(at=NINE_AM_NEXT_DAY))

    assert answer.frozen and answer.delivered == 1
    assert state_of(caller, message_id)["deliveredAt"] == "2026-01-31T09:00:00.000Z"
