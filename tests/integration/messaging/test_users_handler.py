"""Users: six defaults in every sandbox, added users, zone and active-hours changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.integration.messaging.drivers import audit_of, call, new_caller, ok, set_wall_clock

DEFAULT_IDS = ["user_au", "user_in", "user_jp", "user_np", "user_uk", "user_us"]


@pytest.fixture(autouse=True)
def _stack(stack):
    set_wall_clock(datetime(2026, 1, 30, 16, 55, tzinfo=UTC))


def every_user(caller, limit=100):
    users, cursor = [], None
    while True:
        query = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        answer = call(caller, "GET", "/api/sandbox/users", query=query)
        page = ok(answer)
        assert len(page) <= limit
        users += page
        cursor = answer.headers.get("x-next-cursor")
        if not cursor:
            return users


def test_every_sandbox_has_the_default_users_with_zones_and_stable_internal_ids():
    caller = new_caller()

    first = ok(call(caller, "GET", "/api/sandbox/users"))
    again = ok(call(caller, "GET", "/api/sandbox/users"))
    other = ok(call(new_caller(), "GET", "/api/sandbox/users"))

    assert [u["id"] for u in first] == DEFAULT_IDS
    zones = {u["id"]: u["timezone"] for u in first}
    assert zones["user_us"] == "America/New_York"
    assert zones["user_uk"] == "Europe/London"
    assert zones["user_np"] == "Asia/Kathmandu"
    assert [u["internalId"] for u in first] == [u["internalId"] for u in again]
    assert {u["internalId"] for u in first}.isdisjoint(u["internalId"] for u in other)
    assert first[0]["activeHours"] == {"start": "09:00", "end": "17:00", "days": None}


def test_added_users_list_in_id_order_among_the_defaults_page_by_page():
    caller = new_caller()
    for user_id in ("user_zz", "a_first", "user_mx"):
        body = {"id": user_id, "timezone": "America/Mexico_City"}
        ok(call(caller, "POST", "/api/sandbox/users", body=body), 201)

    ids = [u["id"] for u in every_user(caller, limit=2)]

    assert ids == sorted([*DEFAULT_IDS, "user_zz", "a_first", "user_mx"])


def test_an_added_user_gets_signals_and_its_creation_is_audited():
    caller = new_caller()
    body = {
        "id": "night_owl",
        "timezone": "Asia/Kathmandu",
        "activeHours": {"start": "22:00", "end": "06:00", "days": [5, 6]},
    }

    created = ok(call(caller, "POST", "/api/sandbox/users", body=body), 201)

    assert created["id"] == "night_owl"
    assert created["activeHours"] == {"start": "22:00", "end": "06:00", "days": [5, 6]}
    assert created["createdAt"] == "2026-01-30T16:55:00.000Z"
    assert ok(
        call(
            caller,
            "POST",
            "/api/sandbox/signals",
            body={"userId": "night_owl", "type": "user_login"},
        ),
        201,
    )
    assert audit_of(caller, "night_owl")[0]["type"] == "user_created"


def test_a_taken_id_is_409_even_for_a_default_user():
    caller = new_caller()

    answer = call(
        caller, "POST", "/api/sandbox/users", body={"id": "user_us", "timezone": "Europe/Paris"}
    )

    assert answer.status == 409


@pytest.mark.parametrize(
    "body",
    [
        {"id": "x1", "timezone": "Mars/Olympus"},
        {"id": "x1", "timezone": "America/New_York", "activeHours": {"start": "9", "end": "17:00"}},
        {
            "id": "x1",
            "timezone": "America/New_York",
            "activeHours": {"start": "09:00", "end": "09:00"},
        },
        {
            "id": "x1",
            "timezone": "America/New_York",
            "activeHours": {"start": "09:00", "end": "17:00", "days": [8]},
        },
        {"id": "has space", "timezone": "America/New_York"},
    ],
)
def test_bad_users_are_refused_and_nothing_is_stored(body):
    caller = new_caller()

    answer = call(caller, "POST", "/api/sandbox/users", body=body)

    assert answer.status == 400
    assert answer.body["success"] is False
    assert [u["id"] for u in ok(call(caller, "GET", "/api/sandbox/users"))] == DEFAULT_IDS


def test_changing_a_default_users_zone_and_wrapping_window_sticks_for_this_sandbox_only():
    caller, other = new_caller(), new_caller()
    change = {"timezone": "Asia/Tokyo", "activeHours": {"start": "22:00", "end": "02:00"}}

    updated = ok(call(caller, "PATCH", "/api/sandbox/users/user_us", body=change))

    assert updated["timezone"] == "Asia/Tokyo"
    assert updated["activeHours"] == {"start": "22:00", "end": "02:00", "days": None}
    listed = {u["id"]: u for u in ok(call(caller, "GET", "/api/sandbox/users"))}
    assert listed["user_us"]["timezone"] == "Asia/Tokyo"
    assert listed["user_us"]["internalId"] == updated["internalId"]
    untouched = {u["id"]: u for u in ok(call(other, "GET", "/api/sandbox/users"))}
    assert untouched["user_us"]["timezone"] == "America/New_York"
    (entry,) = audit_of(caller, "user_us", type="user_updated")
    assert entry["details"]["changes"]["timezone"] == {
        "from": "America/New_York",
        "to": "Asia/Tokyo",
    }


def test_a_second_change_builds_on_the_first():
    caller = new_caller()
    ok(call(caller, "PATCH", "/api/sandbox/users/user_uk", body={"timezone": "Europe/Paris"}))

    second = ok(
        call(
            caller,
            "PATCH",
            "/api/sandbox/users/user_uk",
            body={"activeHours": {"start": "08:00", "end": "12:00", "days": [1, 2, 3]}},
        )
    )

    assert second["timezone"] == "Europe/Paris"
    assert second["activeHours"]["days"] == [1, 2, 3]
    assert second["version"] == 2


def test_changing_an_unknown_user_is_404_and_an_empty_change_is_400():
    caller = new_caller()

    assert (
        call(caller, "PATCH", "/api/sandbox/users/nobody", body={"timezone": "UTC"}).status == 404
    )
    assert call(caller, "PATCH", "/api/sandbox/users/user_us", body={}).status == 400
    assert (
        call(
            caller, "PATCH", "/api/sandbox/users/user_us", body={"timezone": "Nowhere/Land"}
        ).status
        == 400
    )


def test_another_sandboxs_added_user_is_404_here():
    theirs = new_caller()
    ok(call(theirs, "POST", "/api/sandbox/users", body={"id": "secret", "timezone": "UTC"}), 201)

    mine = new_caller()

    assert "secret" not in [u["id"] for u in ok(call(mine, "GET", "/api/sandbox/users"))]
    assert call(mine, "PATCH", "/api/sandbox/users/secret", body={"timezone": "UTC"}).status == 404
    assert (
        call(
            mine, "POST", "/api/sandbox/signals", body={"userId": "secret", "type": "user_login"}
        ).status
        == 404
    )
