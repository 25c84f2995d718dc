"""A signal retried with its Idempotency-Key is recorded once, however it is retried."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from local_runtime import moto_tuning
from tests.integration.messaging.drivers import audit_of, call, new_caller, ok, set_wall_clock

LOGIN = {"userId": "user_us", "type": "user_login"}


@pytest.fixture(autouse=True)
def _stack(stack):
    set_wall_clock(datetime(2026, 1, 30, 16, 55, tzinfo=UTC))


def keyed(caller, body, key, path="/api/sandbox/signals"):
    return call(caller, "POST", path, body=body, headers={"Idempotency-Key": key})


def test_a_retry_with_the_same_key_answers_the_first_signal_and_records_nothing_new():
    caller = new_caller()

    first = keyed(caller, LOGIN, "login-1")
    again = keyed(caller, LOGIN, "login-1")

    assert first.status == 201 and "idempotent-replayed" not in first.headers
    assert again.status == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.body["signal"] == first.body["signal"]
    assert again.body["decisionIds"] == first.body["decisionIds"]
    pending = ok(call(caller, "GET", "/api/sandbox/decisions/user_us"))["decisions"]
    assert len(pending) == 2
    assert len(audit_of(caller, "user_us")) == 3


def test_the_same_key_with_another_request_is_409_and_records_nothing():
    caller = new_caller()
    keyed(caller, LOGIN, "login-1")

    answer = keyed(caller, {"userId": "user_uk", "type": "user_login"}, "login-1")
    other_route = keyed(
        caller, {"userId": "user_us", "eventType": "user_login"}, "login-1", "/api/sandbox/events"
    )

    assert answer.status == 409
    assert other_route.status == 409
    assert audit_of(caller, "user_uk") == []


def test_a_process_event_retry_answers_the_same_event():
    caller = new_caller()
    body = {"type": "user_login", "userId": "user_us", "timestamp": "2026-01-30T16:00:00Z"}

    first = ok(keyed(caller, body, "evt-1", "/api/sandbox/events/process"), 201)
    again = ok(keyed(caller, body, "evt-1", "/api/sandbox/events/process"), 200)

    assert again == first


def test_concurrent_requests_with_one_key_record_one_signal():
    caller = new_caller()
    moto_tuning.apply()
    with ThreadPoolExecutor(
        max_workers=4, initializer=lambda: asyncio.set_event_loop(asyncio.new_event_loop())
    ) as pool:
        answers = list(pool.map(lambda _: keyed(caller, LOGIN, "race"), range(4)))

    assert sorted(a.status for a in answers) == [200, 200, 200, 201]
    assert len({a.body["signal"]["signalId"] for a in answers}) == 1
    assert len(ok(call(caller, "GET", "/api/sandbox/decisions/user_us"))["decisions"]) == 2


def test_a_malformed_key_is_400():
    answer = keyed(new_caller(), LOGIN, "has spaces")

    assert answer.status == 400


def test_concurrent_signals_never_exceed_a_rules_frequency_cap():
    caller = new_caller()
    # rule_3 (user_logout -> send_email) decides at most once a day per user.
    logout = {"userId": "user_us", "type": "user_logout"}
    moto_tuning.apply()
    with ThreadPoolExecutor(
        max_workers=4, initializer=lambda: asyncio.set_event_loop(asyncio.new_event_loop())
    ) as pool:
        answers = list(
            pool.map(lambda _: call(caller, "POST", "/api/sandbox/signals", body=logout), range(6))
        )

    assert [a.status for a in answers] == [201] * 6
    assert sum(a.body["decisionsCreated"] for a in answers) == 1
    decisions = ok(call(caller, "GET", "/api/sandbox/decisions/user_us"))["decisions"]
    assert [d["ruleId"] for d in decisions] == ["rule_3"]
