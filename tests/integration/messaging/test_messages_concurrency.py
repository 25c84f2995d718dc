"""Concurrent marks move a message once; a delivery execution that cannot be started
loses no message (a clock advance still delivers it)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from local_runtime import moto_tuning
from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.sandboxes import clock_service
from sandbox_common.sandboxes.clock_service import AdvanceRequest
from tests.integration.messaging.message_drivers import (
    audit_entries,
    call,
    caller_context,
    delivery_machine,  # noqa: F401 - fixture
    message_body,
    new_sandbox_id,
    set_wall_clock,
)

NOON = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _thread_safe_moto() -> None:
    moto_tuning.apply()


@pytest.fixture
def caller(stack, delivery_machine):  # noqa: F811
    set_wall_clock(NOON)
    return caller_context(new_sandbox_id())


def _threads(count: int) -> ThreadPoolExecutor:
    # Mangum runs each request on the calling thread's event loop, as Lambda's one thread does.
    return ThreadPoolExecutor(
        max_workers=count, initializer=lambda: asyncio.set_event_loop(asyncio.new_event_loop())
    )


@pytest.mark.parametrize("mark", ["mark-delivered", "mark-read"])
def test_concurrent_marks_move_the_message_once(caller, mark):
    message_id = call(caller, "POST", "/api/sandbox/send-message", body=message_body()).body[
        "messageId"
    ]
    if mark == "mark-read":
        call(caller, "POST", f"/api/sandbox/message/{message_id}/mark-delivered")

    with _threads(8) as pool:
        answers = list(
            pool.map(
                lambda _: call(caller, "POST", f"/api/sandbox/message/{message_id}/{mark}"),
                range(8),
            )
        )

    statuses = sorted(answer.status for answer in answers)
    assert statuses == [200] + [409] * 7
    refused = [a.body["code"] for a in answers if a.status == 409]
    assert set(refused) == {"invalid_state_transition"}
    audit_type = {"mark-delivered": "message_delivered", "mark-read": "message_read"}[mark]
    types = [e["type"] for e in audit_entries(caller["sandbox_id"], message_id)]
    assert types.count(audit_type) == 1


def test_a_message_whose_execution_could_not_start_is_still_delivered_by_the_clock(
    caller, monkeypatch
):
    monkeypatch.setenv(
        "DELIVERY_STATE_MACHINE_ARN",
        "arn:aws:states:us-east-1:123456789012:stateMachine:does-not-exist",
    )
    providers.reset()
    set_wall_clock(NOON)

    scheduled = call(
        caller,
        "POST",
        "/api/sandbox/schedule",
        body=message_body(scheduledFor="2026-01-30T13:00:00Z"),
    )
    advanced = clock_service.advance_clock(
        AuthContext.from_authorizer_context(caller), AdvanceRequest(seconds=3600.0)
    )

    assert scheduled.status == 201
    assert advanced.delivered == 1
    state = call(caller, "GET", f"/api/sandbox/message-state/{scheduled.body['messageId']}").body
    assert (state["status"], state["deliveredAt"]) == ("delivered", "2026-01-30T13:00:00.000Z")
