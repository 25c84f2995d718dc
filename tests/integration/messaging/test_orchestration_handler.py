"""Orchestration: pending decisions become actions, each exactly once, run now or scheduled."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from local_runtime import moto_tuning
from tests.integration.messaging.drivers import (
    audit_of,
    call,
    new_caller,
    ok,
    set_wall_clock,
    signal,
)

NY_MIDDAY = datetime(2026, 1, 30, 16, 55, tzinfo=UTC)  # 11:55 in New York
NY_NIGHT = datetime(2026, 1, 30, 3, 0, tzinfo=UTC)  # 22:00 in New York


@pytest.fixture(autouse=True)
def _stack(stack):
    set_wall_clock(NY_MIDDAY)


def orchestrate(caller, user_id="user_us"):
    return ok(call(caller, "POST", f"/api/sandbox/orchestrate/{user_id}"))


def test_orchestrate_executes_pending_decisions_in_the_documented_shape():
    caller = new_caller()
    signal(caller, "user_us", "user_login")

    answer = orchestrate(caller)

    assert answer["userId"] == "user_us"
    assert answer["executed"] == 2
    assert answer["message"] == "Executed 2 decision(s)"
    assert answer["remaining"] == 0
    message, notification = answer["actions"]
    assert message["type"] == "send_message"
    assert message["reason"] == "User login detected"
    assert message["executedAt"] == "2026-01-30T16:55:00.000Z"
    assert message["decisionId"].startswith("decision_")
    # Inside active hours and no delay: run now; the notification waits its 5 minutes.
    assert message["actionStatus"] == "executed"
    assert notification["actionStatus"] == "pending"
    assert notification["scheduledAt"] == "2026-01-30T17:00:00.000Z"


def test_executed_decisions_leave_the_pending_listing_and_show_as_executed():
    caller = new_caller()
    signal(caller, "user_us", "user_login")
    orchestrate(caller)

    pending = ok(call(caller, "GET", "/api/sandbox/decisions/user_us"))
    executed = ok(
        call(caller, "GET", "/api/sandbox/decisions/user_us", query={"status": "executed"})
    )

    assert pending["decisions"] == []
    assert [d["status"] for d in executed["decisions"]] == ["executed", "executed"]
    assert all(d["actionId"].startswith("act_") for d in executed["decisions"])


def test_orchestrate_with_nothing_pending_executes_nothing():
    answer = orchestrate(new_caller())

    assert answer == {
        "userId": "user_us",
        "executed": 0,
        "actions": [],
        "remaining": 0,
        "message": "Executed 0 decision(s)",
    }


def test_a_decision_is_executed_once_even_when_orchestrated_twice_at_the_same_time():
    caller = new_caller()
    for _ in range(3):
        signal(caller, "user_us", "user_login")

    # moto is made thread-safe as `make run` does; Mangum needs an event loop per thread.
    moto_tuning.apply()
    with ThreadPoolExecutor(
        max_workers=4, initializer=lambda: asyncio.set_event_loop(asyncio.new_event_loop())
    ) as pool:
        answers = list(pool.map(lambda _: orchestrate(caller), range(4)))

    executed_ids = [a["decisionId"] for answer in answers for a in answer["actions"]]
    assert len(executed_ids) == 6
    assert len(set(executed_ids)) == 6
    audit = audit_of(caller, "user_us", type="decision_executed")
    assert sorted(e["details"]["decisionId"] for e in audit) == sorted(executed_ids)


def test_a_message_outside_active_hours_waits_for_the_next_allowed_time_and_says_why():
    set_wall_clock(NY_NIGHT)
    caller = new_caller()
    signal(caller, "user_us", "user_login")

    message = orchestrate(caller)["actions"][0]

    assert message["actionStatus"] == "pending"
    # 09:00 the next morning in New York (EST, UTC-5).
    assert message["scheduledAt"] == "2026-01-30T14:00:00.000Z"
    delayed = audit_of(caller, "user_us", type="action_delayed")
    why = next(e for e in delayed if e["details"]["actionType"] == "send_message")["details"]
    assert why["window"] == "09:00 - 17:00"
    assert why["timezone"] == "America/New_York"
    assert why["localTime"] == "22:00"
    assert why["nextAllowedUtc"] == "2026-01-30T14:00:00.000Z"


def test_orchestrate_executes_at_most_100_decisions_a_call_and_says_how_many_remain():
    caller = new_caller()
    for _ in range(51):  # two decisions each
        signal(caller, "user_us", "user_login")

    first = orchestrate(caller)
    second = orchestrate(caller)

    assert (first["executed"], first["remaining"]) == (100, 2)
    assert "2 still pending" in first["message"]
    assert (second["executed"], second["remaining"]) == (2, 0)


def test_orchestrate_for_an_unknown_user_is_404_and_another_sandboxs_decisions_are_untouched():
    mine, theirs = new_caller(), new_caller()
    signal(theirs, "user_us", "user_login")

    assert call(mine, "POST", "/api/sandbox/orchestrate/nobody").status == 404
    assert orchestrate(mine)["executed"] == 0
    assert len(ok(call(theirs, "GET", "/api/sandbox/decisions/user_us"))["decisions"]) == 2


def test_a_read_only_key_cannot_orchestrate():
    caller = new_caller(permissions="read")

    assert call(caller, "POST", "/api/sandbox/orchestrate/user_us").status == 403
