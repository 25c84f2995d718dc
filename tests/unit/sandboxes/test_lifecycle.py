"""The lifecycle rules: shut down when stored so, hibernating once idle, when to touch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sandbox_common.sandboxes.lifecycle import (
    MAX_TOUCH_INTERVAL,
    lifecycle_view,
    needs_touch,
    touch_interval,
)
from sandbox_common.sandboxes.models import LifecycleState, Sandbox

CREATED = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def make_sandbox(**fields: Any) -> Sandbox:
    return Sandbox(sandbox_id="sb-life", created_at=CREATED, **fields)


def test_an_item_stored_before_the_lifecycle_loads_with_its_defaults():
    sandbox = Sandbox.model_validate({"sandbox_id": "sb-old", "created_at": CREATED.isoformat()})
    assert sandbox.lifecycle_state is LifecycleState.ACTIVE
    assert sandbox.lifecycle_reason is None and sandbox.last_active_at is None
    assert sandbox.last_wake_up_at is None and sandbox.persistent is False


def test_a_fresh_sandbox_is_active_since_its_creation():
    view = lifecycle_view(make_sandbox(), CREATED + timedelta(minutes=5), HOUR)
    assert view.state is LifecycleState.ACTIVE
    assert view.reason == "active" and view.since == CREATED


def test_a_sandbox_without_requests_for_the_idle_time_hibernates_since_then():
    last = CREATED + timedelta(minutes=10)
    view = lifecycle_view(make_sandbox(last_active_at=last), last + HOUR, HOUR)
    assert view.state is LifecycleState.HIBERNATING
    assert view.since == last + HOUR
    assert view.reason == (
        "no request since 2026-05-01T12:10:00.000Z (hibernates after 60 minutes idle)"
    )


def test_a_sandbox_never_requested_hibernates_counting_from_its_creation():
    view = lifecycle_view(make_sandbox(), CREATED + HOUR, HOUR)
    assert view.state is LifecycleState.HIBERNATING and view.since == CREATED + HOUR


def test_a_request_just_before_the_idle_time_keeps_it_active_with_its_stored_reason():
    woken = CREATED + timedelta(hours=3)
    sandbox = make_sandbox(
        last_active_at=woken, lifecycle_reason="woken by a request", lifecycle_changed_at=woken
    )
    view = lifecycle_view(sandbox, woken + HOUR - timedelta(seconds=1), HOUR)
    assert view.state is LifecycleState.ACTIVE
    assert view.reason == "woken by a request" and view.since == woken


def test_a_shut_down_sandbox_stays_shut_down_with_its_reason_however_long_idle():
    at = CREATED + timedelta(days=2)
    sandbox = make_sandbox(
        lifecycle_state=LifecycleState.SHUT_DOWN,
        lifecycle_reason="credits exhausted: 0.1 left, 0.2 needed",
        lifecycle_changed_at=at,
    )
    view = lifecycle_view(sandbox, at + timedelta(days=30), HOUR)
    assert view.state is LifecycleState.SHUT_DOWN
    assert view.reason == "credits exhausted: 0.1 left, 0.2 needed" and view.since == at


def test_the_touch_interval_is_a_quarter_of_the_idle_time_capped_at_five_minutes():
    assert touch_interval(HOUR) == MAX_TOUCH_INTERVAL == timedelta(minutes=5)
    assert touch_interval(timedelta(minutes=8)) == timedelta(minutes=2)


def test_a_sandbox_whose_activity_was_never_recorded_needs_a_touch():
    assert needs_touch(make_sandbox(), CREATED, HOUR)


def test_a_recent_touch_needs_no_other_until_the_interval_has_passed():
    sandbox = make_sandbox(last_active_at=CREATED)
    assert not needs_touch(sandbox, CREATED + timedelta(minutes=4, seconds=59), HOUR)
    assert needs_touch(sandbox, CREATED + timedelta(minutes=5), HOUR)


def test_a_hibernating_sandbox_needs_a_touch_to_wake():
    sandbox = make_sandbox(last_active_at=CREATED)
    assert needs_touch(sandbox, CREATED + timedelta(days=3), HOUR)


def test_a_shut_down_sandbox_is_never_touched():
    sandbox = make_sandbox(lifecycle_state=LifecycleState.SHUT_DOWN)
    assert not needs_touch(sandbox, CREATED + timedelta(days=3), HOUR)


@given(
    idle_minutes=st.integers(min_value=1, max_value=7 * 24 * 60),
    since_last=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)),
)
def test_a_sandbox_hibernating_or_untouched_for_the_interval_always_needs_a_touch(
    idle_minutes, since_last
):
    idle = timedelta(minutes=idle_minutes)
    sandbox = make_sandbox(last_active_at=CREATED)
    now = CREATED + since_last
    state = lifecycle_view(sandbox, now, idle).state
    assert state in (LifecycleState.ACTIVE, LifecycleState.HIBERNATING)
    assert (state is LifecycleState.HIBERNATING) == (since_last >= idle)
    # A touch is due before the sandbox can fall asleep, so a busy sandbox never hibernates.
    assert needs_touch(sandbox, now, idle) == (since_last >= touch_interval(idle))
