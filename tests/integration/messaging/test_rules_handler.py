"""Rules: the defaults until a sandbox replaces them with a validated set of its own."""

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


@pytest.fixture(autouse=True)
def _stack(stack):
    set_wall_clock(datetime(2026, 1, 30, 16, 55, tzinfo=UTC))


def a_rule(**fields):
    return {
        "id": "r1",
        "name": "Click Thanks",
        "trigger": "user_click",
        "action": "send_message",
        "priority": 1,
        "confidence": 0.5,
        "reason": "Clicked",
        **fields,
    }


def test_the_default_rules_list_in_priority_order_in_the_documented_shape():
    answer = ok(call(new_caller(), "GET", "/api/sandbox/rules"))

    assert answer["totalRules"] == len(answer["rules"]) >= 5
    assert answer["source"] == "default"
    first = answer["rules"][0]
    assert {k: first[k] for k in ("id", "name", "trigger", "priority", "delayMs")} == {
        "id": "rule_1",
        "name": "Login Trigger",
        "trigger": "user_login",
        "priority": 1,
        "delayMs": 0,
    }
    priorities = [rule["priority"] for rule in answer["rules"]]
    assert priorities == sorted(priorities)


def test_replaced_rules_decide_the_sandboxs_next_signals_and_the_change_is_audited():
    caller = new_caller()

    replaced = ok(call(caller, "PUT", "/api/sandbox/rules", body={"rules": [a_rule()]}))

    assert replaced["totalRules"] == 1 and replaced["source"] == "custom"
    assert signal(caller, "user_us", "user_login")["decisionsCreated"] == 0
    assert signal(caller, "user_us", "user_click")["decisionsCreated"] == 1
    (entry,) = audit_of(caller, "*", type="rules_replaced")
    assert entry["details"]["ruleIds"] == ["r1"]
    # Another sandbox still runs the defaults.
    assert ok(call(new_caller(), "GET", "/api/sandbox/rules"))["source"] == "default"


@pytest.mark.parametrize(
    "rules",
    [
        [a_rule(trigger="telepathy")],
        [a_rule(action="send_pigeon")],
        [a_rule(), a_rule()],
        [a_rule(confidence=1.5)],
        [a_rule(conditions=[{"type": "local_time", "start": "25:00", "end": "08:00"}])],
        [a_rule(id=f"r{n}", trigger="user_click") for n in range(41)],
    ],
    ids=["unknown signal", "unknown action", "duplicate ids", "confidence", "window", "crowded"],
)
def test_an_invalid_rule_set_is_refused_and_the_rules_stay(rules):
    caller = new_caller()

    answer = call(caller, "PUT", "/api/sandbox/rules", body={"rules": rules})

    assert answer.status == 400
    assert answer.body["success"] is False
    assert ok(call(caller, "GET", "/api/sandbox/rules"))["source"] == "default"
    assert audit_of(caller, "*") == []


def test_a_read_only_key_cannot_replace_rules():
    caller = new_caller(permissions="read")

    answer = call(caller, "PUT", "/api/sandbox/rules", body={"rules": [a_rule()]})

    assert answer.status == 403
