"""Signals and events: recorded, normalized, rules evaluated, decisions created, all audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.integration.messaging.drivers import (
    audit_of,
    call,
    new_caller,
    ok,
    set_wall_clock,
    signal,
)

# 11:55 in New York (EST), a Friday.
NY_MIDDAY = datetime(2026, 1, 30, 16, 55, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(stack):
    set_wall_clock(NY_MIDDAY)


def test_login_signal_creates_the_login_rules_decisions_in_the_documented_shape():
    caller = new_caller()

    answer = signal(caller, "user_us", "user_login")

    assert answer["status"] == "ok"
    assert answer["message"] == "Signal recorded and decisions created"
    assert answer["signal"]["userId"] == "user_us"
    assert answer["signal"]["type"] == "user_login"
    assert answer["signal"]["timestamp"] == "2026-01-30T16:55:00.000Z"
    assert answer["decisionsCreated"] == 2
    decisions = ok(call(caller, "GET", "/api/sandbox/decisions/user_us"))
    assert decisions["userId"] == "user_us"
    assert [(d["type"], d["ruleId"], d["status"]) for d in decisions["decisions"]] == [
        ("send_message", "rule_1", "pending"),
        ("send_notification", "rule_2", "pending"),
    ]
    first = decisions["decisions"][0]
    assert first["channel"] == "sandbox"
    assert first["reason"] == "User login detected"
    assert first["confidence"] == 0.85
    assert first["createdAt"] == "2026-01-30T16:55:00.000Z"
    assert first["decisionId"].startswith("decision_")


def test_a_signal_is_audited_with_its_decisions_rule_ids_and_confidence():
    caller = new_caller()
    signal(caller, "user_us", "user_login")

    entries = audit_of(caller, "user_us")

    assert [e["type"] for e in entries] == [
        "signal_processed",
        "decision_created",
        "decision_created",
    ]
    processed = entries[0]
    assert processed["details"]["eventType"] == "USER_LOGIN"
    assert processed["details"]["localTime"] == "11:55"
    assert processed["timestampUtc"] == "2026-01-30T16:55:00.000Z"
    created = [(e["details"]["ruleId"], e["details"]["confidence"]) for e in entries[1:]]
    assert created == [("rule_1", 0.85), ("rule_2", 0.7)]


def test_an_unknown_signal_type_is_refused_and_writes_nothing():
    caller = new_caller()

    answer = call(
        caller, "POST", "/api/sandbox/signals", body={"userId": "user_us", "type": "telepathy"}
    )

    assert answer.status == 400
    assert answer.body["success"] is False
    assert "user_login" in answer.body["error"]
    assert audit_of(caller, "user_us") == []
    assert ok(call(caller, "GET", "/api/sandbox/decisions/user_us"))["decisions"] == []


def test_a_signal_for_an_unknown_user_is_404():
    answer = call(
        new_caller(),
        "POST",
        "/api/sandbox/signals",
        body={"userId": "nobody", "type": "user_login"},
    )

    assert answer.status == 404
    assert answer.body["code"] == "not_found"


def test_process_event_evaluates_rules_at_the_events_moment_in_the_given_zone():
    caller = new_caller()
    # 07:30 in London: outside the cart rule's 08:00-21:00 window, so only the email applies.
    body = {
        "type": "cart_abandoned",
        "userId": "user_us",
        "timestamp": "2026-01-30T07:30:00Z",
        "timezone": "Europe/London",
    }

    answer = ok(call(caller, "POST", "/api/sandbox/events/process", body=body), 201)

    assert answer["eventId"].startswith("evt_")
    assert answer["eventType"] == "cart_abandoned"
    assert answer["normalizedEventType"] == "CART_ABANDONED"
    assert answer["userId"] == "user_us"
    assert answer["localTime"] == "07:30"
    assert [(r["ruleId"], r["action"]) for r in answer["rulesTriggered"]] == [
        ("rule_9", "send_email")
    ]
    assert answer["rulesTriggered"][0]["ruleName"] == "Cart Reminder Email"


def test_process_event_refuses_a_moment_later_than_the_sandbox_clock_and_a_bad_zone():
    caller = new_caller()
    future = {"type": "user_login", "userId": "user_us", "timestamp": "2026-01-31T00:00:00Z"}
    bad_zone = {"type": "user_login", "userId": "user_us", "timezone": "Mars/Olympus"}

    assert call(caller, "POST", "/api/sandbox/events/process", body=future).status == 400
    assert call(caller, "POST", "/api/sandbox/events/process", body=bad_zone).status == 400
    assert audit_of(caller, "user_us") == []


def test_trigger_event_answers_counts_and_a_message():
    caller = new_caller()

    answer = ok(
        call(
            caller,
            "POST",
            "/api/sandbox/events",
            body={"userId": "user_us", "eventType": "user_login", "metadata": {}},
        ),
        201,
    )

    assert answer["status"] == "ok"
    assert answer["eventType"] == "user_login"
    assert answer["rulesTriggered"] == 2
    assert answer["decisionsCreated"] == 2
    assert answer["message"] == "Event triggered, 2 rule(s) triggered, 2 decision(s) created"


def test_trigger_event_with_an_unknown_type_names_the_eventtype_field():
    answer = call(
        new_caller(),
        "POST",
        "/api/sandbox/events",
        body={"userId": "user_us", "eventType": "nope"},
    )

    assert answer.status == 400
    assert answer.body["details"][0]["loc"] == ["body", "eventType"]


def test_a_frequency_capped_rule_stops_deciding_once_its_cap_is_reached():
    caller = new_caller()

    first = signal(caller, "user_us", "user_logout")
    second = signal(caller, "user_us", "user_logout")

    assert first["decisionsCreated"] == 1
    assert second["decisionsCreated"] == 0
    processed = audit_of(caller, "user_us", type="signal_processed")
    assert "frequency cap" in processed[-1]["details"]["rulesNotTriggered"]["rule_3"]


def test_metadata_conditions_decide_with_the_signals_metadata():
    caller = new_caller()

    pricing = signal(caller, "user_us", "page_view", page="pricing")
    home = signal(caller, "user_us", "page_view", page="home")

    assert pricing["decisionsCreated"] == 2
    assert home["decisionsCreated"] == 1


def test_another_sandboxs_signals_and_decisions_are_invisible():
    mine, theirs = new_caller(), new_caller()
    signal(theirs, "user_us", "user_login")

    assert ok(call(mine, "GET", "/api/sandbox/decisions/user_us"))["decisions"] == []
    assert audit_of(mine, "user_us") == []


def test_the_sam_local_sample_event_records_a_login_signal(invoke):
    status, answer, _ = invoke("behavior", "behavior/record_signal.json")

    assert status == 201, answer
    assert answer["signal"]["type"] == "user_login"
    assert answer["decisionsCreated"] == 2
