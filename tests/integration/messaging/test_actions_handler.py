"""Actions: listed while pending, executed once due (and allowed), otherwise reported with
how long they wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.messaging.drivers import (
    audit_of,
    call,
    new_caller,
    ok,
    set_wall_clock,
    signal,
)

NY_MIDDAY = datetime(2026, 1, 30, 16, 55, tzinfo=UTC)  # 11:55 in New York


@pytest.fixture(autouse=True)
def _stack(stack):
    set_wall_clock(NY_MIDDAY)


def pending_actions(caller, user_id="user_us"):
    return ok(call(caller, "GET", f"/api/sandbox/users/{user_id}/actions"))


def execute(caller, user_id="user_us"):
    return ok(call(caller, "POST", f"/api/sandbox/users/{user_id}/execute"))


def logged_in_and_orchestrated():
    caller = new_caller()
    signal(caller, "user_us", "user_login")
    ok(call(caller, "POST", "/api/sandbox/orchestrate/user_us"))
    return caller


def test_pending_actions_are_listed_in_the_documented_shape():
    caller = logged_in_and_orchestrated()

    answer = pending_actions(caller)

    assert answer["userId"] == "user_us"
    assert answer["actionCount"] == 1
    assert answer["message"] == "1 pending actions"
    (action,) = answer["actions"]
    assert action["actionId"].startswith("act_")
    assert action["actionType"] == "send_notification"
    assert action["status"] == "pending"
    assert action["scheduledAt"] == "2026-01-30T17:00:00.000Z"


def test_an_action_not_yet_due_is_reported_delayed_with_its_wait_in_ms():
    caller = logged_in_and_orchestrated()

    answer = execute(caller)

    assert answer["executed"] == 0
    assert answer["delayed"] == 1
    assert answer["message"] == "Executed 0 actions, 1 delayed"
    (delayed,) = answer["actions"]["delayed"]
    assert delayed["actionType"] == "send_notification"
    assert delayed["scheduledAt"] == "2026-01-30T17:00:00.000Z"
    assert delayed["waitTime"] == 300_000
    assert answer["actions"]["executed"] == []


def test_a_due_action_is_executed_once_and_leaves_the_pending_list():
    caller = logged_in_and_orchestrated()
    set_wall_clock(NY_MIDDAY + timedelta(minutes=5))

    first = execute(caller)
    second = execute(caller)

    assert first["executed"] == 1 and first["delayed"] == 0
    (done,) = first["actions"]["executed"]
    assert done["status"] == "executed"
    assert done["executedAt"] == "2026-01-30T17:00:00.000Z"
    assert second["executed"] == 0 and second["delayed"] == 0
    assert pending_actions(caller)["actions"] == []
    executed = audit_of(caller, "user_us", type="action_executed")
    assert done["actionId"] in {e["details"]["actionId"] for e in executed}


def test_a_due_message_outside_the_users_hours_moves_to_the_next_allowed_time():
    caller = new_caller()
    rules = {
        "rules": [
            {
                "id": "later",
                "name": "Message a minute later",
                "trigger": "user_login",
                "action": "send_message",
                "priority": 1,
                "delayMs": 60_000,
                "confidence": 0.9,
                "reason": "Login follow-up",
            }
        ]
    }
    ok(call(caller, "PUT", "/api/sandbox/rules", body=rules))
    signal(caller, "user_us", "user_login")
    ok(call(caller, "POST", "/api/sandbox/orchestrate/user_us"))
    # The user's hours now start at 13:00 local (18:00 UTC) while the message falls due.
    window = {"activeHours": {"start": "13:00", "end": "17:00"}}
    ok(call(caller, "PATCH", "/api/sandbox/users/user_us", body=window))
    set_wall_clock(NY_MIDDAY + timedelta(minutes=2))

    answer = execute(caller)

    assert answer["executed"] == 0
    (delayed,) = answer["actions"]["delayed"]
    assert delayed["scheduledAt"] == "2026-01-30T18:00:00.000Z"
    assert delayed["waitTime"] == int(timedelta(minutes=63).total_seconds() * 1000)
    assert "outside active hours 13:00 - 17:00" in delayed["delayReason"]
    assert pending_actions(caller)["actions"][0]["scheduledAt"] == "2026-01-30T18:00:00.000Z"
    why = audit_of(caller, "user_us", type="action_delayed")[-1]["details"]
    assert why["nextAllowedUtc"] == "2026-01-30T18:00:00.000Z"
    assert why["localTime"] == "11:57"


def test_actions_of_an_unknown_user_are_404():
    caller = new_caller()

    assert call(caller, "GET", "/api/sandbox/users/nobody/actions").status == 404
    assert call(caller, "POST", "/api/sandbox/users/nobody/execute").status == 404


def test_executed_actions_are_listed_on_request():
    caller = logged_in_and_orchestrated()

    answer = ok(
        call(caller, "GET", "/api/sandbox/users/user_us/actions", query={"status": "executed"})
    )

    assert [a["actionType"] for a in answer["actions"]] == ["send_message"]
    assert answer["actions"][0]["status"] == "executed"
