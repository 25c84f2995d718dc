"""A scheduled message through the local runtime, delivered on time by its state machine.

The one test of the real-time path: the runtime's timer wakes the execution at the due time,
the deliver task runs, and the message state shows it. It waits (real time) at most 2 s.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import boto3

from sandbox_common.clock import isoformat

BASE = "/api/sandbox"
DEADLINE_SECONDS = 2.0


def _open_all_day_zone(now: datetime) -> str:
    # A 00:00-23:59 window is closed for one minute a day: pick a zone not in it.
    return "UTC" if now.hour != 23 else "Asia/Tokyo"


def test_a_message_scheduled_a_second_ahead_is_delivered_within_two_seconds(
    runtime, client, admin_key
) -> None:
    created = client.post(
        "/api/v1/sandbox/keys",
        json={"developer_name": "Postie", "developer_email": "postie@example.com"},
        headers={"Authorization": f"Bearer {admin_key}"},
    ).json()
    headers = {"x-api-key": created["api_key"]}
    zone = _open_all_day_zone(datetime.now(UTC))
    user = client.post(
        BASE + "/users",
        json={
            "id": "user_anytime",
            "timezone": zone,
            "activeHours": {"start": "00:00", "end": "23:59"},
        },
        headers=headers,
    )
    assert user.status_code == 201, user.text

    due = datetime.now(UTC) + timedelta(seconds=1)
    scheduled = client.post(
        BASE + "/schedule",
        json={
            "senderId": "user_us",
            "receiverId": "user_anytime",
            "senderTimezone": "America/New_York",
            "receiverTimezone": zone,
            "content": "See you in a second",
            "scheduledFor": isoformat(due),
        },
        headers=headers,
    )
    assert scheduled.status_code == 201, scheduled.text
    message_id = scheduled.json()["messageId"]
    assert scheduled.json()["status"] == "scheduled"

    status = "scheduled"
    give_up = time.monotonic() + DEADLINE_SECONDS
    while status != "delivered" and time.monotonic() < give_up:
        time.sleep(0.05)
        state = client.get(f"{BASE}/message-state/{message_id}", headers=headers)
        assert state.status_code == 200, state.text
        status = state.json()["status"]

    assert status == "delivered"
    # Its execution ran at the due time, not before.
    machine = runtime.step_functions.machines["DeliverMessageStateMachine"].arn
    execution = boto3.client("stepfunctions").describe_execution(
        executionArn=machine.replace(":stateMachine:", ":execution:") + f":{message_id}"
    )
    assert execution["status"] == "SUCCEEDED"
    assert execution["stopDate"].astimezone(UTC) >= due
