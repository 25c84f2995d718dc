"""The behavioral messaging sandbox's documented calls, sent verbatim through the runtime.

Every request below is the documented one (path under ``/api/sandbox``, body as written);
each answer is checked field by field against the documented response. The key is a
developer key on the pro plan (the demo key's free plan would throttle this many calls),
sent as ``Authorization: Bearer`` as documented. Answers that count or time things are
checked exactly in a sandbox of the test's own whose clock is frozen; generated ids are
checked for their documented shape (``msg_*``, ``evt_*``, ``audit_*``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.http.drivers import new_developer_key

BASE = "/api/sandbox"


@pytest.fixture(scope="module")
def headers(client, admin_key):
    return {"Authorization": f"Bearer {new_developer_key(client, admin_key)}"}


def _freeze_at_london_afternoon(client, headers) -> datetime:
    """Freeze the sandbox clock at tomorrow's 14:30 in London, inside the default hours of
    London and New York, so the answers that depend on the time of day are deterministic."""
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


@pytest.fixture(scope="module")
def london_afternoon(client, headers):
    return _freeze_at_london_afternoon(client, headers)


@pytest.fixture
def fresh(client, admin_key):
    """A sandbox of the test's own, its clock frozen at the London afternoon: the documented
    answers that count or time things can then be checked exactly."""
    own = {"Authorization": f"Bearer {new_developer_key(client, admin_key)}"}
    return own, _freeze_at_london_afternoon(client, own)


def _stamp(at: datetime) -> str:
    """An instant as this API writes it: ``2026-01-30T16:55:00.000Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _advance(client, headers, seconds: int) -> None:
    response = client.post(
        "/api/v1/sandbox/clock/advance", headers=headers, json={"seconds": seconds}
    )
    assert response.status_code == 200, response.text


def _post(client, headers, path, body=None):
    response = client.post(BASE + path, headers=headers, json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _get(client, headers, path):
    response = client.get(BASE + path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_quick_start_signal_decisions_orchestrate_audit(client, fresh):
    headers, at = fresh
    # Step 1: trigger a user login signal.
    recorded = _post(client, headers, "/signals", {"userId": "user_us", "type": "user_login"})
    assert recorded["status"] == "ok"
    assert recorded["message"] == "Signal recorded and decisions created"
    # The documented answer shows the type as "login", though its own request and naming
    # rule say "user_login": the API answers the type that was recorded.
    assert recorded["signal"]["userId"] == "user_us"
    assert recorded["signal"]["type"] == "user_login"
    assert recorded["signal"]["timestamp"] == _stamp(at)
    assert recorded["decisionsCreated"] == 2

    # Step 2: the decisions it created, pending; the documented one among them.
    decisions = _get(client, headers, "/decisions/user_us")
    assert decisions["userId"] == "user_us"
    assert len(decisions["decisions"]) == 2
    for decision in decisions["decisions"]:
        assert {"type", "channel", "reason", "confidence", "createdAt", "status"} <= set(decision)
        assert decision["status"] == "pending"
        assert decision["createdAt"] == _stamp(at)
        assert 0 <= decision["confidence"] <= 1
    documented = next(d for d in decisions["decisions"] if d["type"] == "send_message")
    assert documented == {
        **documented,
        "type": "send_message",
        "channel": "sandbox",
        "reason": "User login detected",
        "confidence": 0.85,
    }

    # Step 3: orchestrate executes them.
    orchestrated = _post(client, headers, "/orchestrate/user_us")
    assert orchestrated["userId"] == "user_us"
    assert orchestrated["executed"] == len(orchestrated["actions"]) == 2
    assert orchestrated["message"] == "Executed 2 decision(s)"
    for action in orchestrated["actions"]:
        assert {"decisionId", "type", "reason", "executedAt"} <= set(action)
        assert action["executedAt"] == _stamp(at)
    sent = next(a for a in orchestrated["actions"] if a["decisionId"] == documented["decisionId"])
    assert (sent["type"], sent["reason"]) == ("send_message", "User login detected")
    assert _get(client, headers, "/decisions/user_us")["decisions"] == []

    # Step 4: the audit tells the whole story, in order, in UTC.
    audit = _get(client, headers, "/audit/user_us")
    assert isinstance(audit, list)
    types = [entry["type"] for entry in audit]
    # The documented events, once per signal and per decision; each executed decision's
    # action is logged too (executed now, or delayed by its rule).
    assert sorted(types) == sorted(
        ["signal_processed"]
        + ["decision_created"] * 2
        + ["decision_executed"] * 2
        + ["action_executed", "action_delayed"]
    )
    assert types.index("signal_processed") < types.index("decision_created")
    assert types.index("decision_created") < types.index("decision_executed")
    for entry in audit:
        assert {"id", "type", "userId", "timestampUtc", "messageId", "status"} <= set(entry)
        assert entry["id"].startswith("audit_")
        assert entry["userId"] == "user_us"
        assert entry["timestampUtc"] == _stamp(at)


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
    assert refused.json()["code"] == "validation_error"
    assert [detail["loc"] for detail in refused.json()["details"]] == [["body", "scheduledFor"]]
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


# ------------------------------------------- documented values, each in a sandbox of its own

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_the_documented_users_with_their_timezones_and_internal_ids(client, fresh):
    headers, _ = fresh
    users = {user["id"]: user for user in _get(client, headers, "/users")}

    for user_id, timezone in (("user_us", "America/New_York"), ("user_uk", "Europe/London")):
        assert users[user_id]["timezone"] == timezone
        assert UUID.match(users[user_id]["internalId"])  # documented as "uuid-123"


def test_the_documented_login_signal_in_the_catalog(client, headers):
    catalog = _get(client, headers, "/signals/catalog")

    login = next(signal for signal in catalog["signals"] if signal["type"] == "user_login")
    assert login["description"] == "User authentication/login event"
    assert login["eventTypes"] == ["USER_LOGIN"]
    assert login["demoActions"][0] == {
        "type": "send_message",
        "reason": "User login detected",
        "channel": "sandbox",
    }


def test_the_documented_login_rule(client, headers):
    rules = _get(client, headers, "/rules")

    login = next(rule for rule in rules["rules"] if rule["id"] == "rule_1")
    assert login == {
        **login,
        "id": "rule_1",
        "name": "Login Trigger",
        "trigger": "user_login",
        "priority": 1,
        "delayMs": 0,
    }
    # Documented with 5 rules as an example; the count is the rule set's own.
    assert rules["totalRules"] == len(rules["rules"])


def test_processing_the_documented_event_triggers_the_login_rule(client, fresh):
    headers, _ = fresh
    body = {
        "type": "user_login",
        "userId": "user_us",
        "timestamp": "2026-01-30T16:55:00.000Z",
        "timezone": "America/New_York",
    }

    processed = _post(client, headers, "/events/process", body)

    assert re.fullmatch(r"evt_[A-Za-z0-9_-]+", processed["eventId"])
    assert (processed["eventType"], processed["userId"]) == ("user_login", "user_us")
    triggered = [
        {key: rule[key] for key in ("ruleId", "ruleName", "action")}
        for rule in processed["rulesTriggered"]
    ]
    assert {"ruleId": "rule_1", "ruleName": "Login Trigger", "action": "send_message"} in triggered


def test_triggering_the_documented_event_answers_the_documented_counts(client, fresh):
    headers, _ = fresh
    body = {"userId": "user_us", "eventType": "user_login", "metadata": {}}

    triggered = _post(client, headers, "/events", body)

    assert triggered == {
        **triggered,
        "status": "ok",
        "eventType": "user_login",
        "userId": "user_us",
        "rulesTriggered": 2,
        "decisionsCreated": 2,
        "message": "Event triggered, 2 rule(s) triggered, 2 decision(s) created",
    }
    assert re.fullmatch(r"evt_[A-Za-z0-9_-]+", triggered["eventId"])


def test_pending_actions_execute_one_and_delay_one_as_documented(client, fresh):
    """The documented answer (1 executed, 1 delayed): a login's welcome notification waits
    five minutes (its rule's delay); two logins five minutes apart leave one due, one not."""
    headers, at = fresh
    login = {"userId": "user_us", "type": "user_login"}
    _post(client, headers, "/signals", login)
    _post(client, headers, "/orchestrate/user_us")
    _advance(client, headers, 300)
    _post(client, headers, "/signals", login)
    _post(client, headers, "/orchestrate/user_us")

    pending = _get(client, headers, "/users/user_us/actions")
    assert pending["userId"] == "user_us"
    assert pending["actionCount"] == 2
    assert pending["message"] == "2 pending actions"
    assert [
        (action["actionType"], action["status"], action["scheduledAt"])
        for action in pending["actions"]
    ] == [
        ("send_notification", "pending", _stamp(at + timedelta(minutes=5))),
        ("send_notification", "pending", _stamp(at + timedelta(minutes=10))),
    ]
    due, later = (action["actionId"] for action in pending["actions"])

    executed = _post(client, headers, "/users/user_us/execute")

    assert executed == {
        **executed,
        "userId": "user_us",
        "executed": 1,
        "delayed": 1,
        "message": "Executed 1 actions, 1 delayed",
    }
    assert executed["actions"]["executed"] == [
        {
            "actionId": due,
            "actionType": "send_notification",
            "executedAt": _stamp(at + timedelta(minutes=5)),
            "status": "executed",
        }
    ]
    [delayed] = executed["actions"]["delayed"]
    assert delayed == {
        **delayed,
        "actionId": later,
        "actionType": "send_notification",
        "scheduledAt": _stamp(at + timedelta(minutes=10)),
        "waitTime": 300_000,
    }


def test_sent_and_received_messages_list_the_documented_fields(client, fresh):
    headers, at = fresh
    body = {
        "senderId": "user_us",
        "receiverId": "user_uk",
        "senderTimezone": "America/New_York",
        "receiverTimezone": "Europe/London",
        "content": "Hello!",
    }
    sent = _post(client, headers, "/send-message", body)
    assert sent["createdAt"] == _stamp(at)
    documented = {
        "messageId": sent["messageId"],
        "senderId": "user_us",
        "receiverId": "user_uk",
        "content": "Hello!",
        "createdAt": _stamp(at),
    }

    [outgoing] = _get(client, headers, "/messages/sent/user_us")
    [incoming] = _get(client, headers, "/messages/received/user_uk")

    assert outgoing == {**outgoing, **documented}
    assert incoming == {**incoming, **documented}
    assert _get(client, headers, "/messages/received/user_us") == []


def test_a_delivered_message_is_read_then_replied_with_its_times(client, fresh):
    """The documented state times (read 35 minutes after delivery) on the frozen clock."""
    headers, at = fresh
    body = {
        "senderId": "user_sender",
        "receiverId": "user_receiver",
        "senderTimezone": "America/New_York",
        "receiverTimezone": "Europe/London",
        "messageContent": "Test message content",
    }
    message_id = _post(client, headers, "/messages/deliver", body)["messageId"]
    delivered_at, read_at, replied_at = (
        _stamp(at),
        _stamp(at + timedelta(minutes=35)),
        _stamp(at + timedelta(minutes=50)),
    )

    _advance(client, headers, 35 * 60)
    read = _post(client, headers, f"/message/{message_id}/mark-read")
    assert read == {**read, "messageId": message_id, "status": "read", "readAt": read_at}
    state = _get(client, headers, f"/message-state/{message_id}")
    assert state == {
        **state,
        "messageId": message_id,
        "status": "read",
        "deliveredAt": delivered_at,
        "readAt": read_at,
    }
    _advance(client, headers, 15 * 60)
    replied = _post(client, headers, f"/message/{message_id}/mark-replied")
    assert replied == {
        **replied,
        "messageId": message_id,
        "status": "replied",
        "repliedAt": replied_at,
    }

    # The audit logs each step for the receiver, with the message and its status. The
    # documented type "message_delivery" is this API's "message_delivered" (as the documented
    # list of audit events names it).
    audit = {entry["type"]: entry for entry in _get(client, headers, "/audit/user_receiver")}
    assert audit["message_delivered"] == {
        **audit["message_delivered"],
        "userId": "user_receiver",
        "timestampUtc": delivered_at,
        "messageId": message_id,
        "status": "delivered",
    }
    assert audit["message_read"] == {
        **audit["message_read"],
        "userId": "user_receiver",
        "timestampUtc": read_at,
        "messageId": message_id,
    }
    assert audit["message_replied"]["timestampUtc"] == replied_at
    everyone = _get(client, headers, "/audit")
    assert {entry["id"] for entry in audit.values()} <= {entry["id"] for entry in everyone}


def test_a_message_marked_delivered_answers_its_delivery_time(client, fresh):
    headers, at = fresh
    body = {
        "senderId": "user_us",
        "receiverId": "user_uk",
        "senderTimezone": "America/New_York",
        "receiverTimezone": "Europe/London",
        "content": "Hello!",
    }
    message_id = _post(client, headers, "/send-message", body)["messageId"]

    marked = _post(client, headers, f"/message/{message_id}/mark-delivered")

    assert marked == {
        **marked,
        "messageId": message_id,
        "status": "delivered",
        "deliveredAt": _stamp(at),
    }


def test_outside_active_hours_delivery_waits_for_the_window(client, fresh):
    """At 14:30 in London it is the middle of the night in Tokyo (user_jp): the documented
    "Outside active hours" answers, then the documented delayed -> delivered transition."""
    headers, at = fresh
    tokyo = ZoneInfo("Asia/Tokyo")
    opens = (at.astimezone(tokyo) + timedelta(days=1)).replace(hour=9, minute=0).astimezone(UTC)

    check = _get(client, headers, "/can-deliver/user_jp")
    assert check == {
        **check,
        "sandbox": True,
        "userId": "user_jp",
        "canDeliver": False,
        "reason": "Outside active hours",
    }
    upcoming = _get(client, headers, "/next-allowed-delivery/user_jp")
    assert upcoming == {
        **upcoming,
        "userId": "user_jp",
        "nextDeliveryUtc": _stamp(opens),
        "localTime": "09:00",
        "isDelayed": True,
    }

    body = {
        "senderId": "user_us",
        "receiverId": "user_jp",
        "senderTimezone": "America/New_York",
        "receiverTimezone": "Asia/Tokyo",
        "messageContent": "Test message content",
    }
    delayed = _post(client, headers, "/messages/deliver", body)
    assert delayed["status"] == "delayed"
    _advance(client, headers, int((opens - at).total_seconds()))

    state = _get(client, headers, f"/message-state/{delayed['messageId']}")
    assert (state["status"], state["deliveredAt"]) == ("delivered", _stamp(opens))


# ------------------------------------------------------------ documented error cases


def _refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
    assert body["error"]
    assert body["requestId"]
    return dict(body)


def test_every_endpoint_requires_the_documented_bearer_key(client):
    _refused(client.get(BASE + "/users"), 401, "unauthorized")
    # The documented placeholder, sent as written, is no key this platform issued.
    placeholder = {"Authorization": "Bearer YOUR_API_KEY"}
    _refused(client.get(BASE + "/users", headers=placeholder), 403, "forbidden")


def test_a_timezone_that_is_not_an_iana_name_is_400(client, headers):
    body = {
        "senderId": "user_sender",
        "receiverId": "user_receiver",
        "senderTimezone": "Eastern Time",
        "receiverTimezone": "Europe/London",
        "content": "Hello! This is a test message.",
    }

    refused = _refused(
        client.post(BASE + "/send-message", headers=headers, json=body), 400, "validation_error"
    )

    assert [detail["loc"] for detail in refused["details"]] == [["body", "senderTimezone"]]


def test_a_missing_required_parameter_is_400(client, headers):
    body = {
        "senderId": "user_sender",
        "receiverId": "user_receiver",
        "senderTimezone": "America/New_York",
        "receiverTimezone": "Europe/London",
    }

    refused = _refused(
        client.post(BASE + "/send-message", headers=headers, json=body), 400, "validation_error"
    )

    assert refused["details"] == [
        {"loc": ["body", "content"], "msg": "Field required", "type": "missing"}
    ]


def test_a_signal_type_outside_the_catalog_is_400(client, headers):
    body = {"userId": "user_us", "type": "UserLogin"}

    refused = _refused(
        client.post(BASE + "/signals", headers=headers, json=body), 400, "validation_error"
    )

    assert "user_login" in refused["error"]


def test_user_ids_are_case_sensitive(client, headers):
    assert _get(client, headers, "/active-hours/user_us")["userId"] == "user_us"
    _refused(client.get(BASE + "/active-hours/User_US", headers=headers), 404, "not_found")


def test_an_unknown_message_is_404(client, headers):
    _refused(client.get(BASE + "/message-state/msg_abc123", headers=headers), 404, "not_found")
    _refused(client.post(BASE + "/message/msg_abc123/mark-read", headers=headers), 404, "not_found")
