"""Listings of decisions, actions and the audit trail: pages, cursors, filters, bounds."""

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

START = datetime(2026, 1, 30, 16, 55, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _stack(stack):
    set_wall_clock(START)


def every_page(caller, path, key=None, limit=3, **query):
    records, cursor, pages = [], None, 0
    while True:
        paging = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        answer = call(caller, "GET", path, query={**query, **paging})
        body = ok(answer)
        page = body[key] if key else body
        assert len(page) <= limit
        records += page
        pages += 1
        cursor = answer.headers.get("x-next-cursor")
        if not cursor:
            return records, pages


def test_decisions_page_through_oldest_first_without_repeats():
    caller = new_caller()
    for minute in range(4):
        set_wall_clock(START + timedelta(minutes=minute))
        signal(caller, "user_us", "user_login")

    decisions, pages = every_page(caller, "/api/sandbox/decisions/user_us", key="decisions")

    assert len(decisions) == 8 and pages == 3
    assert len({d["decisionId"] for d in decisions}) == 8
    times = [d["createdAt"] for d in decisions]
    assert times == sorted(times)


def test_a_decisions_cursor_is_refused_for_another_user_or_status():
    caller = new_caller()
    for _ in range(3):
        signal(caller, "user_us", "user_login")
    answer = call(caller, "GET", "/api/sandbox/decisions/user_us", query={"limit": "2"})
    cursor = answer.headers["x-next-cursor"]

    other_user = call(caller, "GET", "/api/sandbox/decisions/user_uk", query={"cursor": cursor})
    other_status = call(
        caller,
        "GET",
        "/api/sandbox/decisions/user_us",
        query={"cursor": cursor, "status": "executed"},
    )

    assert other_user.status == 400
    assert other_status.status == 400


def test_the_audit_trail_filters_by_type_user_and_time_and_pages_in_order():
    caller = new_caller()
    signal(caller, "user_us", "user_login")
    set_wall_clock(START + timedelta(hours=1))
    signal(caller, "user_uk", "user_login")
    ok(call(caller, "POST", "/api/sandbox/orchestrate/user_uk"))

    everything, _ = every_page(caller, "/api/sandbox/audit", limit=2)
    created, _ = every_page(caller, "/api/sandbox/audit", type="decision_created")
    uk_created, _ = every_page(
        caller, "/api/sandbox/audit", userId="user_uk", type="decision_created"
    )
    later, _ = every_page(caller, "/api/sandbox/audit/user_uk", since="2026-01-30T17:30:00Z")
    earlier, _ = every_page(caller, "/api/sandbox/audit", until="2026-01-30T17:00:00Z")

    stamps = [(e["timestampUtc"], e["id"]) for e in everything]
    assert stamps == sorted(stamps)
    assert len(everything) == 3 + 3 + 4
    assert len(created) == 4 and {e["type"] for e in created} == {"decision_created"}
    assert len(uk_created) == 2 and {e["userId"] for e in uk_created} == {"user_uk"}
    assert len(later) == 7
    assert {e["userId"] for e in earlier} == {"user_us"}


def test_bad_audit_filters_are_400():
    caller = new_caller()

    assert call(caller, "GET", "/api/sandbox/audit", query={"type": "nope"}).status == 400
    assert (
        call(
            caller,
            "GET",
            "/api/sandbox/audit",
            query={"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        ).status
        == 400
    )
    assert call(caller, "GET", "/api/sandbox/audit", query={"limit": "0"}).status == 400


def test_audit_entries_of_another_sandbox_are_not_listed():
    theirs = new_caller()
    signal(theirs, "user_us", "user_login")

    assert audit_of(new_caller(), "user_us") == []
    assert ok(call(new_caller(), "GET", "/api/sandbox/audit")) == []
