"""The behavioral messaging sandbox's documented calls, sent verbatim through the runtime.

Every request below is the documented one (path under ``/api/sandbox``, body as written);
each answer is checked field by field against the documented response. The key is a
developer key on the pro plan (the demo key's free plan would throttle this many calls),
sent as ``Authorization: Bearer`` as documented.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.http.drivers import new_developer_key

BASE = "/api/sandbox"


@pytest.fixture(scope="module")
def headers(client, admin_key):
    return {"Authorization": f"Bearer {new_developer_key(client, admin_key)}"}


@pytest.fixture(scope="module")
def london_afternoon(client, headers):
    """Freeze the sandbox clock at the next 14:30 in London, inside everyone's default hours
    there, so the answers that depend on the time of day are deterministic."""
    now = datetime.now(UTC) + timedelta(days=1)
    local = now.astimezone(ZoneInfo("Europe/London")).replace(
        hour=14, minute=30, second=0, microsecond=0
    )
    at = local.astimezone(UTC)
    response = client.post(
        "/api/v1/sandbox/clock/freeze", headers=headers, json={"at": at.isoformat()}
    )
    assert response.status_code == 200, response.text
    return at


def _post(client, headers, path, body=None):
    response = client.post(BASE + path, headers=headers, json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _get(client, headers, path):
    response = client.get(BASE + path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_quick_start_signal_decisions_orchestrate_audit(client, headers, london_afternoon):
    # Step 1: trigger a user login signal.
    recorded = _post(client, headers, "/signals", {"userId": "user_us", "type": "user_login"})
    assert recorded["status"] == "ok"
    assert recorded["message"] == "Signal recorded and decisions created"
    assert recorded["signal"]["userId"] == "user_us"
    assert {"type", "timestamp"} <= set(recorded["signal"])
    assert recorded["decisionsCreated"] >= 1

    # Step 2: the decisions it created, pending.
    decisions = _get(client, headers, "/decisions/user_us")
    assert decisions["userId"] == "user_us"
    assert len(decisions["decisions"]) >= recorded["decisionsCreated"]
    for decision in decisions["decisions"]:
        assert {"type", "channel", "reason", "confidence", "createdAt", "status"} <= set(decision)
        assert decision["status"] == "pending"
        assert 0 <= decision["confidence"] <= 1

    # Step 3: orchestrate executes them.
    orchestrated = _post(client, headers, "/orchestrate/user_us")
    assert orchestrated["userId"] == "user_us"
    assert orchestrated["executed"] == len(orchestrated["actions"]) >= 1
    assert orchestrated["message"] == f"Executed {orchestrated['executed']} decision(s)"
    for action in orchestrated["actions"]:
        assert {"decisionId", "type", "reason", "executedAt"} <= set(action)
    assert _get(client, headers, "/decisions/user_us")["decisions"] == []

    # Step 4: the audit tells the whole story, in order, in UTC.
    audit = _get(client, headers, "/audit/user_us")
    assert isinstance(audit, list)
    types = [entry["type"] for entry in audit]
    assert types.index("signal_processed") < types.index("decision_created")
    assert types.index("decision_created") < types.index("decision_executed")
    for entry in audit:
        assert {"id", "type", "userId", "timestampUtc"} <= set(entry)
        assert entry["userId"] == "user_us"
        assert entry["timestampUtc"].endswith("Z")
    stamps = [entry["timestampUtc"] for entry in audit]
    assert stamps == sorted(stamps)


def test_orchestrate_with_no_decisions_executes_nothing(client, headers, london_afternoon):
    _post(client, headers, "/orchestrate/user_uk")
    again = _post(client, headers, "/orchestrate/user_uk")
    assert again["executed"] == 0
    assert again["actions"] == []


def test_get_all_users_lists_their_timezones(client, headers):
    users = _get(client, headers, "/users")
    assert isinstance(users, list)
    by_id = {user["id"]: user for user in users}
    assert by_id["user_us"]["timezone"] == "America/New_York"
    assert by_id["user_uk"]["timezone"] == "Europe/London"
    assert all(user["internalId"] for user in users)


def test_signal_catalog(client, headers):
    catalog = _get(client, headers, "/signals/catalog")
    signals = {signal["type"]: signal for signal in catalog["signals"]}
    login = signals["user_login"]
    assert login["eventTypes"] == ["USER_LOGIN"]
    assert login["description"]
    for action in login["demoActions"]:
        assert {"type", "reason", "channel"} <= set(action)
    assert all(kind == kind.lower() for kind in signals)  # snake_case


def test_record_a_signal_with_metadata(client, headers, london_afternoon):
    body = {"userId": "user_us", "type": "user_login", "metadata": {}}
    recorded = _post(client, headers, "/signals", body)
    assert recorded["status"] == "ok"
    assert recorded["decisionsCreated"] >= 1


def test_send_a_message_immediately(client, headers, london_afternoon):
    body = {
        "senderId": "user_sender",
        "receiverId": "user_receiver",
        "senderTimezone": "America/New_York",
        "receiverTimezone": "Europe/London",
        "content": "Hello! This is a test message.",
    }
    sent = _post(client, headers, "/send-message", body)
    assert sent["messageId"].startswith("msg_")
    assert sent["status"] == "sent"
    assert sent["sandbox"] is True
    assert (sent["senderId"], sent["receiverId"]) == ("user_sender", "user_receiver")
    assert sent["content"] == body["content"]
    assert sent["createdAt"].endswith("Z")

    listed = _get(client, headers, "/messages/sent/user_sender")
    assert sent["messageId"] in [message["messageId"] for message in listed]
    for message in listed:
        assert {"messageId", "senderId", "receiverId", "content", "createdAt"} <= set(message)
    received = _get(client, headers, "/messages/received/user_receiver")
    assert sent["messageId"] in [message["messageId"] for message in received]


def test_schedule_a_message(client, headers, london_afternoon):
    body = {
        "senderId": "user_sender",
        "receiverId": "user_receiver",
        "senderTimezone": "America/New_York",
        "receiverTimezone": "Europe/London",
        "content": "Hello! Scheduled message.",
        "scheduledFor": "2026-01-31T10:00:00Z",
    }
    # The documented instant has passed by this sandbox's clock: refused, and said why.
    refused = client.post(BASE + "/schedule", headers=headers, json=body)
    assert refused.status_code == 400
    assert refused.json()["success"] is False
    # The same request for a moment still ahead is accepted as documented.
    ahead = (london_afternoon + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    scheduled = _post(client, headers, "/schedule", {**body, "scheduledFor": ahead})
    assert scheduled["messageId"].startswith("msg_")
    assert scheduled["status"] == "scheduled"
    assert scheduled["sandbox"] is True
    assert scheduled["scheduledFor"] == ahead


def test_deliver_via_the_delivery_service_and_track_its_state(client, headers, london_afternoon):
    body = {
        "senderId": "user_sender",
        "receiverId": "user_receiver",
        "senderTimezone": "America/New_York",
        "receiverTimezone": "Europe/London",
        "messageContent": "Test message content",
    }
    delivered = _post(client, headers, "/messages/deliver", body)
    assert delivered["messageId"].startswith("msg_")
    assert delivered["status"] == "delivered"  # 14:30 in London: inside 09:00-17:00
    assert delivered["dualTime"] == {
        "senderLocal": london_afternoon.astimezone(ZoneInfo("America/New_York")).strftime(
            "%Y-%m-%d %H:%M:%S"
        ),
        "receiverLocal": london_afternoon.astimezone(ZoneInfo("Europe/London")).strftime(
            "%Y-%m-%d %H:%M:%S"
        ),
    }
    message_id = delivered["messageId"]

    state = _get(client, headers, f"/message-state/{message_id}")
    assert state["messageId"] == message_id
    assert state["status"] == "delivered"
    assert state["deliveredAt"].endswith("Z")

    read = _post(client, headers, f"/message/{message_id}/mark-read")
    assert read == {**read, "messageId": message_id, "status": "read"}
    assert read["readAt"].endswith("Z")
    replied = _post(client, headers, f"/message/{message_id}/mark-replied")
    assert replied == {**replied, "messageId": message_id, "status": "replied"}
    assert replied["repliedAt"].endswith("Z")
    state = _get(client, headers, f"/message-state/{message_id}")
    assert {"deliveredAt", "readAt", "status"} <= set(state)
    assert state["status"] == "replied"


def test_mark_a_sent_message_delivered(client, headers, london_afternoon):
    body = {
        "senderId": "user_us",
        "receiverId": "user_uk",
        "senderTimezone": "America/New_York",
        "receiverTimezone": "Europe/London",
        "content": "Hello!",
    }
    message_id = _post(client, headers, "/send-message", body)["messageId"]
    marked = _post(client, headers, f"/message/{message_id}/mark-delivered")
    assert marked == {**marked, "messageId": message_id, "status": "delivered"}
    assert marked["deliveredAt"].endswith("Z")
    # Replying to a message nobody has read is not a state a message can reach.
    refused = client.post(BASE + f"/message/{message_id}/mark-replied", headers=headers)
    assert refused.status_code == 409
    assert _get(client, headers, f"/message-state/{message_id}")["status"] == "delivered"


def test_get_all_rules(client, headers):
    rules = _get(client, headers, "/rules")
    assert rules["totalRules"] == len(rules["rules"]) >= 1
    for rule in rules["rules"]:
        assert {"id", "name", "trigger", "priority", "delayMs"} <= set(rule)
    assert "user_login" in {rule["trigger"] for rule in rules["rules"]}


def test_process_an_event(client, headers, london_afternoon):
    body = {
        "type": "user_login",
        "userId": "user_us",
        "timestamp": "2026-01-30T16:55:00.000Z",
        "timezone": "America/New_York",
    }
    processed = _post(client, headers, "/events/process", body)
    assert processed["eventId"].startswith("evt_")
    assert processed["eventType"] == "user_login"
    assert processed["userId"] == "user_us"
    assert processed["rulesTriggered"]
    for rule in processed["rulesTriggered"]:
        assert {"ruleId", "ruleName", "action"} <= set(rule)


def test_trigger_an_event(client, headers, london_afternoon):
    body = {"userId": "user_us", "eventType": "user_login", "metadata": {}}
    triggered = _post(client, headers, "/events", body)
    assert triggered["status"] == "ok"
    assert triggered["eventId"].startswith("evt_")
    assert (triggered["eventType"], triggered["userId"]) == ("user_login", "user_us")
    assert triggered["rulesTriggered"] >= 1
    assert triggered["decisionsCreated"] >= 1
    assert triggered["message"] == (
        f"Event triggered, {triggered['rulesTriggered']} rule(s) triggered, "
        f"{triggered['decisionsCreated']} decision(s) created"
    )


def test_evaluate_rules_for_a_message(client, headers, london_afternoon):
    body = {
        "senderId": "user_us",
        "receiverId": "user_uk",
        "senderTimezone": "America/New_York",
        "receiverTimezone": "Europe/London",
        "content": "Hello!",
    }
    message_id = _post(client, headers, "/send-message", body)["messageId"]
    evaluated = _post(client, headers, f"/evaluate-rules/{message_id}")
    assert evaluated["messageId"] == message_id
    assert evaluated["applicableRules"]
    for rule in evaluated["applicableRules"]:
        assert {"ruleId", "name", "applies"} <= set(rule)
        assert isinstance(rule["applies"], bool)


def test_all_audit_logs(client, headers, london_afternoon):
    _post(client, headers, "/signals", {"userId": "user_uk", "type": "user_login"})
    audit = _get(client, headers, "/audit")
    assert isinstance(audit, list)
    assert {"user_us", "user_uk"} <= {entry["userId"] for entry in audit}
    for entry in audit:
        assert {"id", "type", "userId", "timestampUtc"} <= set(entry)


def test_active_hours_can_deliver_and_next_allowed_delivery(client, headers, london_afternoon):
    hours = _get(client, headers, "/active-hours/user_us")
    new_york = london_afternoon.astimezone(ZoneInfo("America/New_York"))
    assert hours == {
        **hours,
        "sandbox": True,
        "userId": "user_us",
        "timezone": "America/New_York",
        "activeWindow": "09:00 - 17:00",
        "nowLocalTime": new_york.strftime("%H:%M"),
    }
    check = _get(client, headers, "/can-deliver/user_us")
    assert check == {**check, "sandbox": True, "userId": "user_us"}
    inside = 9 <= new_york.hour < 17
    assert check["canDeliver"] is inside
    assert check["reason"] == (None if inside else "Outside active hours")

    upcoming = _get(client, headers, "/next-allowed-delivery/user_us")
    assert upcoming["userId"] == "user_us"
    assert upcoming["isDelayed"] is not inside
    assert upcoming["nextDeliveryUtc"].endswith("Z")
    assert upcoming["localTime"] == (new_york.strftime("%H:%M") if inside else "09:00")


def test_pending_actions_and_their_execution(client, headers, london_afternoon):
    actions = _get(client, headers, "/users/user_us/actions")
    assert actions["userId"] == "user_us"
    assert actions["actionCount"] == len(actions["actions"])
    assert actions["message"] == f"{actions['actionCount']} pending actions"
    for action in actions["actions"]:
        assert {"actionId", "actionType", "status", "scheduledAt"} <= set(action)
        assert action["status"] == "pending"

    executed = _post(client, headers, "/users/user_us/execute")
    assert executed["userId"] == "user_us"
    assert executed["executed"] == len(executed["actions"]["executed"])
    assert executed["delayed"] == len(executed["actions"]["delayed"])
    assert executed["message"] == (
        f"Executed {executed['executed']} actions, {executed['delayed']} delayed"
    )
    for action in executed["actions"]["executed"]:
        assert {"actionId", "actionType", "executedAt", "status"} <= set(action)
        assert action["status"] == "executed"
    for action in executed["actions"]["delayed"]:
        assert {"actionId", "actionType", "scheduledAt", "waitTime"} <= set(action)
        assert action["waitTime"] > 0
