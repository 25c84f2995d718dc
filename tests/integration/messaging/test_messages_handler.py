"""The messages function against moto: send, schedule, deliver, listings, state and marks,
active hours and rule evaluation, with the documented shapes."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.messaging.catalog import ActionType
from sandbox_common.messaging.rule_sets import replace_rules
from sandbox_common.messaging.rules import DEFAULT_RULES, FrequencyCap, Rule, RuleSet
from sandbox_common.messaging.signals import record_signal
from tests.integration.messaging.message_drivers import (
    audit_entries,
    call,
    caller_context,
    delivery_machine,  # noqa: F401 - fixture
    message_body,
    new_sandbox_id,
    set_wall_clock,
)

# A winter Friday: London is on UTC, New York five hours behind.
NOON = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)
EVENING = datetime(2026, 1, 30, 20, 0, tzinfo=UTC)


@pytest.fixture
def caller(stack, delivery_machine):  # noqa: F811
    set_wall_clock(NOON)
    return caller_context(new_sandbox_id())


def deliver_body(**fields):
    body = message_body(**fields)
    body["messageContent"] = body.pop("content")
    return body


def test_sent_message_has_the_documented_shape_and_is_listed_for_both_sides(caller):
    sent = call(caller, "POST", "/api/sandbox/send-message", body=message_body())

    assert sent.status == 201
    assert sent.body == {
        "messageId": sent.body["messageId"],
        "status": "sent",
        "sandbox": True,
        "senderId": "user_sender",
        "receiverId": "user_receiver",
        "content": "Hello! This is a test message.",
        "createdAt": "2026-01-30T12:00:00.000Z",
    }
    assert sent.body["messageId"].startswith("msg_") and len(sent.body["messageId"]) == 24
    by_sender = call(caller, "GET", "/api/sandbox/messages/sent/user_sender")
    by_receiver = call(caller, "GET", "/api/sandbox/messages/received/user_receiver")
    for listing in (by_sender, by_receiver):
        assert listing.status == 200
        assert [m["messageId"] for m in listing.body] == [sent.body["messageId"]]
        assert {"messageId", "senderId", "receiverId", "content", "createdAt"} <= set(
            listing.body[0]
        )
    assert call(caller, "GET", "/api/sandbox/messages/sent/user_receiver").body == []
    [entry] = audit_entries(caller["sandbox_id"], sent.body["messageId"])
    assert (entry["type"], entry["userId"], entry["status"]) == (
        "message_sent",
        "user_receiver",
        "sent",
    )


def test_scheduled_message_starts_one_execution_due_at_its_wall_clock_time(
    caller,
    delivery_machine,  # noqa: F811
):
    scheduled = call(
        caller,
        "POST",
        "/api/sandbox/schedule",
        body=message_body(scheduledFor="2026-01-30T20:00:00Z"),
    )

    assert scheduled.status == 201
    assert scheduled.body == {
        "messageId": scheduled.body["messageId"],
        "status": "scheduled",
        "sandbox": True,
        "scheduledFor": "2026-01-30T20:00:00Z",
        "deliverAt": "2026-01-30T20:00:00.000Z",
    }
    message_id = scheduled.body["messageId"]
    assert delivery_machine.input_of(message_id) == {
        "sandboxId": caller["sandbox_id"],
        "messageId": message_id,
        "dueAt": "2026-01-30T20:00:00.000Z",
    }
    state = call(caller, "GET", f"/api/sandbox/message-state/{message_id}")
    assert state.body["status"] == "scheduled"
    assert state.body["deliverAt"] == "2026-01-30T20:00:00.000Z"
    [entry] = audit_entries(caller["sandbox_id"], message_id)
    assert entry["type"] == "message_scheduled"


def test_schedule_accepts_any_offset_and_stores_the_instant(caller):
    scheduled = call(
        caller,
        "POST",
        "/api/sandbox/schedule",
        body=message_body(scheduledFor="2026-01-31T10:00:00+05:30"),
    )

    assert scheduled.status == 201
    assert scheduled.body["scheduledFor"] == "2026-01-31T04:30:00Z"


def test_deliver_inside_active_hours_delivers_now_with_both_local_times(caller):
    answer = call(caller, "POST", "/api/sandbox/messages/deliver", body=deliver_body())

    assert answer.status == 201
    assert answer.body["status"] == "delivered"
    assert answer.body["dualTime"] == {
        "senderLocal": "2026-01-30 07:00:00",
        "receiverLocal": "2026-01-30 12:00:00",
    }
    state = call(caller, "GET", f"/api/sandbox/message-state/{answer.body['messageId']}")
    assert state.body["deliveredAt"] == "2026-01-30T12:00:00.000Z"
    [entry] = audit_entries(caller["sandbox_id"], answer.body["messageId"])
    assert entry["type"] == "message_delivered"
    assert entry["id"] == f"audit_{answer.body['messageId']}_delivered"


def test_deliver_outside_active_hours_delays_to_the_next_allowed_time_and_says_why(
    caller,
    delivery_machine,  # noqa: F811
):
    set_wall_clock(EVENING)

    answer = call(caller, "POST", "/api/sandbox/messages/deliver", body=deliver_body())

    assert answer.status == 201
    body = answer.body
    assert body["status"] == "delayed"
    assert body["deliverAt"] == body["nextDeliveryUtc"] == "2026-01-31T09:00:00.000Z"
    assert body["receiverLocalDeliveryTime"] == "2026-01-31 09:00:00"
    assert "Outside active hours" in body["reason"] and "20:00" in body["reason"]
    assert body["dualTime"]["receiverLocal"] == "2026-01-30 20:00:00"
    assert delivery_machine.input_of(body["messageId"])["dueAt"] == "2026-01-31T09:00:00.000Z"
    [entry] = audit_entries(caller["sandbox_id"], body["messageId"])
    assert entry["type"] == "message_delayed"
    assert entry["details"]["activeWindow"] == "09:00 - 17:00"
    assert entry["details"]["timezone"] == "Europe/London"
    assert entry["details"]["localTime"] == "20:00"
    assert entry["details"]["nextAllowedUtc"] == "2026-01-31T09:00:00.000Z"


def test_a_known_receivers_own_zone_and_window_decide(caller):
    # user_jp is a default user (09:00-17:00 Tokyo); noon in London is 21:00 in Tokyo.
    answer = call(
        caller,
        "POST",
        "/api/sandbox/messages/deliver",
        body=deliver_body(receiverId="user_jp", receiverTimezone="Asia/Tokyo"),
    )

    assert answer.body["status"] == "delayed"
    assert answer.body["deliverAt"] == "2026-01-31T00:00:00.000Z"  # 09:00 in Tokyo


def test_marks_walk_the_message_through_its_life_and_the_state_shows_each_time(caller):
    message_id = call(caller, "POST", "/api/sandbox/send-message", body=message_body()).body[
        "messageId"
    ]
    base = f"/api/sandbox/message/{message_id}"

    delivered = call(caller, "POST", f"{base}/mark-delivered")
    set_wall_clock(datetime(2026, 1, 30, 12, 30, tzinfo=UTC))
    read = call(caller, "POST", f"{base}/mark-read")
    set_wall_clock(datetime(2026, 1, 30, 12, 45, tzinfo=UTC))
    replied = call(caller, "POST", f"{base}/mark-replied")

    assert delivered.body == {
        "messageId": message_id,
        "status": "delivered",
        "deliveredAt": "2026-01-30T12:00:00.000Z",
    }
    assert read.body["status"] == "read" and read.body["readAt"] == "2026-01-30T12:30:00.000Z"
    assert replied.body["repliedAt"] == "2026-01-30T12:45:00.000Z"
    state = call(caller, "GET", f"/api/sandbox/message-state/{message_id}").body
    assert (state["status"], state["deliveredAt"], state["readAt"], state["repliedAt"]) == (
        "replied",
        "2026-01-30T12:00:00.000Z",
        "2026-01-30T12:30:00.000Z",
        "2026-01-30T12:45:00.000Z",
    )
    types = [e["type"] for e in audit_entries(caller["sandbox_id"], message_id)]
    assert types == ["message_sent", "message_delivered", "message_read", "message_replied"]
    assert {e["userId"] for e in audit_entries(caller["sandbox_id"], message_id)} == {
        "user_receiver"
    }


@pytest.mark.parametrize(
    ("moves", "refused"),
    [
        ((), "mark-read"),
        ((), "mark-replied"),
        (("mark-delivered",), "mark-delivered"),
        (("mark-delivered",), "mark-replied"),
        (("mark-delivered", "mark-read"), "mark-read"),
        (("mark-delivered", "mark-read", "mark-replied"), "mark-delivered"),
    ],
)
def test_an_invalid_move_is_409_and_changes_nothing(caller, moves, refused):
    message_id = call(caller, "POST", "/api/sandbox/send-message", body=message_body()).body[
        "messageId"
    ]
    for move in moves:
        assert call(caller, "POST", f"/api/sandbox/message/{message_id}/{move}").status == 200
    state_before = call(caller, "GET", f"/api/sandbox/message-state/{message_id}").body
    audit_before = audit_entries(caller["sandbox_id"], message_id)

    answer = call(caller, "POST", f"/api/sandbox/message/{message_id}/{refused}")

    assert answer.status == 409
    assert answer.body["success"] is False
    assert answer.body["code"] == "invalid_state_transition"
    assert call(caller, "GET", f"/api/sandbox/message-state/{message_id}").body == state_before
    assert audit_entries(caller["sandbox_id"], message_id) == audit_before


def test_active_hours_answers_have_the_documented_shapes(caller):
    set_wall_clock(datetime(2026, 1, 30, 19, 30, tzinfo=UTC))  # 14:30 in New York

    hours = call(caller, "GET", "/api/sandbox/active-hours/user_us")
    open_now = call(caller, "GET", "/api/sandbox/can-deliver/user_us")
    closed_now = call(caller, "GET", "/api/sandbox/can-deliver/user_uk")  # 19:30 in London
    next_us = call(caller, "GET", "/api/sandbox/next-allowed-delivery/user_us")
    next_uk = call(caller, "GET", "/api/sandbox/next-allowed-delivery/user_uk")

    assert hours.body == {
        "sandbox": True,
        "userId": "user_us",
        "timezone": "America/New_York",
        "activeWindow": "09:00 - 17:00",
        "nowLocalTime": "14:30",
    }
    assert {k: open_now.body[k] for k in ("sandbox", "userId", "canDeliver", "reason")} == {
        "sandbox": True,
        "userId": "user_us",
        "canDeliver": True,
        "reason": None,
    }
    assert (closed_now.body["canDeliver"], closed_now.body["reason"]) == (
        False,
        "Outside active hours",
    )
    assert {
        k: next_us.body[k] for k in ("userId", "nextDeliveryUtc", "localTime", "isDelayed")
    } == {
        "userId": "user_us",
        "nextDeliveryUtc": "2026-01-30T19:30:00.000Z",
        "localTime": "14:30",
        "isDelayed": False,
    }
    assert {k: next_uk.body[k] for k in ("nextDeliveryUtc", "localTime", "isDelayed")} == {
        "nextDeliveryUtc": "2026-01-31T09:00:00.000Z",
        "localTime": "09:00",
        "isDelayed": True,
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/sandbox/active-hours/nobody",
        "/api/sandbox/can-deliver/nobody",
        "/api/sandbox/next-allowed-delivery/nobody",
    ],
)
def test_active_hours_of_an_unknown_user_is_404(caller, path):
    answer = call(caller, "GET", path)

    assert answer.status == 404
    assert answer.body["code"] == "not_found"


def test_evaluate_rules_lists_every_rule_and_why_the_others_do_not_apply(caller):
    message_id = call(caller, "POST", "/api/sandbox/send-message", body=message_body()).body[
        "messageId"
    ]

    answer = call(caller, "POST", f"/api/sandbox/evaluate-rules/{message_id}")

    assert answer.status == 200
    assert answer.body["messageId"] == message_id
    evaluated = answer.body["applicableRules"]

    assert {r["ruleId"] for r in evaluated} == {rule.id for rule in DEFAULT_RULES}
    assert all(set(r) >= {"ruleId", "name", "applies"} for r in evaluated)
    assert all(r["reason"] for r in evaluated if not r["applies"])
    assert any(r["applies"] for r in evaluated)
    assert audit_entries(caller["sandbox_id"], message_id)[-1]["type"] == "message_sent"


def test_another_sandboxs_message_is_404_everywhere(caller, stack):
    message_id = call(caller, "POST", "/api/sandbox/send-message", body=message_body()).body[
        "messageId"
    ]
    stranger = caller_context(new_sandbox_id())

    answers = [
        call(stranger, "GET", f"/api/sandbox/message-state/{message_id}"),
        call(stranger, "POST", f"/api/sandbox/message/{message_id}/mark-delivered"),
        call(stranger, "POST", f"/api/sandbox/evaluate-rules/{message_id}"),
    ]

    assert [a.status for a in answers] == [404, 404, 404]
    assert call(stranger, "GET", "/api/sandbox/messages/sent/user_sender").body == []
    assert call(caller, "GET", f"/api/sandbox/message-state/{message_id}").body["status"] == "sent"


def test_listings_page_with_a_cursor_bound_to_the_listing(caller):
    ids = [
        call(caller, "POST", "/api/sandbox/send-message", body=message_body(content=f"m{i}")).body[
            "messageId"
        ]
        for i in range(5)
    ]

    seen, cursor = [], None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = call(caller, "GET", "/api/sandbox/messages/sent/user_sender", query=query)
        assert page.status == 200 and len(page.body) <= 2
        seen += [m["messageId"] for m in page.body]
        cursor = page.headers.get("x-next-cursor")
        if not cursor:
            break
        reused = call(
            caller,
            "GET",
            "/api/sandbox/messages/received/user_receiver",
            query={"cursor": cursor},
        )
        assert reused.status == 400  # another listing's cursor

    assert sorted(seen) == sorted(ids) and len(seen) == 5


def test_the_sam_local_sample_events_run(
    invoke, stack, sample_event, lambda_function, lambda_context
):
    status, sent, _ = invoke("messages", "messages/send_message.json")
    answer = lambda_function("deliver").handler(
        sample_event("deliver/deliver.json"), lambda_context
    )

    assert (status, sent["status"]) == (201, "sent")
    assert answer == {"done": True, "status": None, "waitUntil": None}  # no such message


def test_a_send_message_rule_whose_frequency_cap_the_receiver_reached_does_not_apply(caller):
    identity = AuthContext.from_authorizer_context(caller)
    capped = Rule(
        id="rule_capped",
        name="Once a day",
        trigger="user_login",
        conditions=(FrequencyCap(maxDecisions=1, withinHours=24),),
        action=ActionType.SEND_MESSAGE,
        priority=1,
        confidence=0.9,
        reason="At most one a day",
    )
    replace_rules(identity, RuleSet(rules=[capped]))
    body = message_body(receiverId="user_uk")
    message_id = call(caller, "POST", "/api/sandbox/send-message", body=body).body["messageId"]
    before = call(caller, "POST", f"/api/sandbox/evaluate-rules/{message_id}").body

    record_signal(identity, user_id="user_uk", signal_type="user_login")
    after = call(caller, "POST", f"/api/sandbox/evaluate-rules/{message_id}").body

    assert before["applicableRules"] == [
        {"ruleId": "rule_capped", "name": "Once a day", "applies": True, "reason": None}
    ]
    [rule] = after["applicableRules"]
    assert rule["applies"] is False
    assert "frequency cap 1 per 24h reached" in rule["reason"]


def test_a_message_scheduled_far_ahead_outlives_the_retention_period_until_it_is_due(caller):
    days_ahead = 200
    answer = call(
        caller,
        "POST",
        "/api/sandbox/schedule",
        body=message_body(scheduledFor="2026-08-18T12:00:00Z"),  # 200 days after NOON
    )
    sandbox = providers.sandboxes_repository().get(caller["sandbox_id"])
    table = boto3.resource("dynamodb").Table(providers.settings().data_table)
    item = table.get_item(
        Key={
            "pk": f"{caller['sandbox_id']}#{sandbox.data_generation}#msg",
            "sk": answer.body["messageId"],
        }
    )["Item"]

    retention = providers.settings().data_retention_days
    expires_in_days = (int(item["expires_at"]) - datetime.now(UTC).timestamp()) / 86400
    assert expires_in_days > days_ahead + retention - 1
