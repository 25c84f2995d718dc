"""Signals and deliveries are counted in the project's counters once each: a retried signal,
a duplicate or late delivery execution, or a clock advance racing one counts nothing more."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from local_runtime import moto_tuning
from sandbox_common.auth import AuthContext
from sandbox_common.messaging.delivery import deliver_due
from sandbox_common.platform_usage.counters import BusinessEvent, DeliveryKind
from sandbox_common.sandboxes import clock_service
from sandbox_common.sandboxes.clock_service import AdvanceRequest
from tests.integration.messaging import drivers
from tests.integration.messaging.message_drivers import (
    call,
    caller_context,
    delivery_machine,  # noqa: F401 - fixture
    message_body,
    new_sandbox_id,
    run_deliver_task,
    set_wall_clock,
    stored_sandbox,
)
from tests.integration.project_counters import counted

NOON = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)
ONE_PM = datetime(2026, 1, 30, 13, 0, tzinfo=UTC)
EIGHT_PM = datetime(2026, 1, 30, 20, 0, tzinfo=UTC)
HOUR = 3600.0


def deliveries(kind: DeliveryKind):
    return counted(BusinessEvent.DELIVERIES, kind)


@pytest.fixture(autouse=True)
def _thread_safe_moto() -> None:
    moto_tuning.apply()


@pytest.fixture
def caller(stack, delivery_machine):  # noqa: F811
    set_wall_clock(NOON)
    return caller_context(new_sandbox_id())


# ---------------------------------------------------------------- signals


def test_each_signal_recorded_counts_once_and_its_retries_count_nothing(caller):
    login = {"userId": "user_us", "type": "user_login"}

    def keyed(key, body=login):
        return drivers.call(
            caller, "POST", "/api/sandbox/signals", body=body, headers={"Idempotency-Key": key}
        )

    first, retried = keyed("login-1"), keyed("login-1")
    other = keyed("login-1", {"userId": "user_uk", "type": "user_login"})
    unkeyed = drivers.signal(caller, "user_uk", "user_login")

    assert (first.status, retried.status, other.status) == (201, 200, 409)
    assert unkeyed["signal"]["signalId"] != first.body["signal"]["signalId"]
    assert counted(BusinessEvent.SIGNALS) == 2


def test_a_signal_refused_counts_nothing(caller):
    unknown_user = drivers.call(
        caller, "POST", "/api/sandbox/signals", body={"userId": "nobody", "type": "user_login"}
    )
    unknown_type = drivers.call(
        caller, "POST", "/api/sandbox/signals", body={"userId": "user_us", "type": "teleport"}
    )

    assert (unknown_user.status, unknown_type.status) == (404, 400)
    assert counted(BusinessEvent.SIGNALS) == 0


# ---------------------------------------------------------------- deliveries


def deliver(caller):
    body = message_body()
    body["messageContent"] = body.pop("content")
    answer = call(caller, "POST", "/api/sandbox/messages/deliver", body=body)
    assert answer.status == 201, answer.body
    return answer.body


def schedule(caller, at: str) -> str:
    answer = call(caller, "POST", "/api/sandbox/schedule", body=message_body(scheduledFor=at))
    assert answer.status == 201, answer.body
    return answer.body["messageId"]


def test_a_message_delivered_inside_active_hours_counts_on_time(caller):
    assert deliver(caller)["status"] == "delivered"
    assert call(caller, "POST", "/api/sandbox/send-message", body=message_body()).status == 201

    assert deliveries(DeliveryKind.ON_TIME) == 1
    assert deliveries(DeliveryKind.DELAYED) == 0


def test_a_message_outside_active_hours_counts_delayed_once_delivered(
    caller,
    delivery_machine,  # noqa: F811
):
    set_wall_clock(EIGHT_PM)
    message = deliver(caller)
    assert message["status"] == "delayed"
    assert (deliveries(DeliveryKind.ON_TIME), deliveries(DeliveryKind.DELAYED)) == (0, 0)

    set_wall_clock(datetime(2026, 1, 31, 9, 0, tzinfo=UTC))
    execution = delivery_machine.input_of(message["messageId"])
    answers = [run_deliver_task({**execution, "dueAt": message["deliverAt"]}) for _ in range(3)]

    assert [a["status"] for a in answers] == ["delivered"] * 3
    assert deliveries(DeliveryKind.DELAYED) == 1
    assert deliveries(DeliveryKind.ON_TIME) == 0


def test_a_clock_advance_counts_each_message_it_delivers_once(caller):
    identity = AuthContext.from_authorizer_context(caller)
    for _ in range(3):
        schedule(caller, "2026-01-30T20:00:00Z")

    first = clock_service.advance_clock(identity, AdvanceRequest(seconds=24 * HOUR))
    again = clock_service.advance_clock(identity, AdvanceRequest(seconds=HOUR))

    assert (first.delivered, again.delivered) == (3, 0)
    assert deliveries(DeliveryKind.DELAYED) == 3


def test_executions_racing_a_clock_advance_count_the_delivery_once(
    caller,
    delivery_machine,  # noqa: F811
):
    message_id = schedule(caller, "2026-01-30T13:00:00Z")
    execution = delivery_machine.input_of(message_id)
    set_wall_clock(ONE_PM)
    sandbox = stored_sandbox(caller["sandbox_id"])

    def race(index: int):
        if index % 3 == 0:
            return deliver_due(sandbox, ONE_PM)
        return run_deliver_task(execution)

    with ThreadPoolExecutor(
        max_workers=6, initializer=lambda: asyncio.set_event_loop(asyncio.new_event_loop())
    ) as pool:
        list(pool.map(race, range(9)))

    assert deliveries(DeliveryKind.DELAYED) == 1


def test_a_failed_delivery_counts_once_however_often_it_is_recorded(
    caller,
    delivery_machine,  # noqa: F811
):
    message_id = schedule(caller, "2026-01-30T20:00:00Z")
    state = {
        **delivery_machine.input_of(message_id),
        "action": "record_failure",
        "error": {"Error": "States.TaskFailed", "Cause": "deliver function timed out"},
    }

    answers = [run_deliver_task(state) for _ in range(2)]

    assert [a["status"] for a in answers] == ["failed", "failed"]
    assert deliveries(DeliveryKind.FAILED) == 1
    assert deliveries(DeliveryKind.DELAYED) == 0
