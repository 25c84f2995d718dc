"""Delayed delivery told by the sandbox clock, through the runtime: a message scheduled for
20:00 in London waits, outside the receiver's 09:00-17:00, until 09:00 the next morning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.http.drivers import new_developer_key

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def headers(client, admin_key):
    return {"x-api-key": new_developer_key(client, admin_key)}


def _london(day: datetime, hour: int) -> datetime:
    return day.astimezone(LONDON).replace(hour=hour, minute=0, second=0, microsecond=0)


def _advance_to(client, headers, moment: datetime) -> dict:
    now = datetime.fromisoformat(client.get("/api/v1/sandbox/clock", headers=headers).json()["now"])
    response = client.post(
        "/api/v1/sandbox/clock/advance",
        headers=headers,
        json={"seconds": (moment - now).total_seconds()},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_message_for_20h_london_waits_until_9h_the_next_morning(client, headers):
    day = datetime.now(UTC) + timedelta(days=2)
    evening, next_morning = _london(day, 20), _london(day + timedelta(days=1), 9)
    frozen = client.post(
        "/api/v1/sandbox/clock/freeze",
        headers=headers,
        json={"at": _london(day, 19).astimezone(UTC).isoformat()},
    )
    assert frozen.status_code == 200, frozen.text

    scheduled = client.post(
        "/api/sandbox/schedule",
        headers=headers,
        json={
            "senderId": "user_us",
            "receiverId": "user_uk",
            "senderTimezone": "America/New_York",
            "receiverTimezone": "Europe/London",
            "content": "See you tomorrow",
            "scheduledFor": evening.isoformat(),
        },
    )
    assert scheduled.status_code in (200, 201), scheduled.text
    message_id = scheduled.json()["messageId"]
    assert scheduled.json()["status"] == "scheduled"

    def state() -> dict:
        return client.get(f"/api/sandbox/message-state/{message_id}", headers=headers).json()

    # 20:00 in London: due, but outside the receiver's active hours -> delayed, not delivered.
    assert _advance_to(client, headers, evening)["delivered"] == 0
    assert state()["status"] == "delayed"

    # 08:59 the next morning: still waiting.
    assert _advance_to(client, headers, next_morning - timedelta(minutes=1))["delivered"] == 0
    assert state()["status"] == "delayed"

    # 09:00: delivered, once.
    assert _advance_to(client, headers, next_morning)["delivered"] == 1
    delivered = state()
    assert delivered["status"] == "delivered"
    assert datetime.fromisoformat(delivered["deliveredAt"]) == next_morning

    audit = client.get("/api/sandbox/audit/user_uk", headers=headers).json()
    story = [entry for entry in audit if entry.get("messageId") == message_id]
    assert [entry["type"] for entry in story] == [
        "message_scheduled",
        "message_delayed",
        "message_delivered",
    ]
    delay = story[1]
    # The delay says why: the window, the zone, the local time and the next allowed time.
    assert delay["details"]["timezone"] == "Europe/London"
    assert delay["details"]["activeWindow"] == "09:00 - 17:00"
    assert delay["details"]["localTime"] == "20:00"
    assert datetime.fromisoformat(delay["details"]["nextAllowedUtc"]) == next_morning
