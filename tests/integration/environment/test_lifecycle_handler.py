"""The sandbox lifecycle on moto: the repository's lifecycle writes, and every handler
refusing a shut-down sandbox, waking a hibernating one and recording activity sparingly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox_common import providers
from sandbox_common.clock import FixedClock, isoformat
from sandbox_common.errors import Conflict
from sandbox_common.sandboxes.models import LifecycleState, Sandbox
from tests.integration.environment.clock_driver import Handlers
from tests.integration.manager.drivers import config_body, update_config

WALL = datetime(2026, 4, 6, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=60)  # the default sandbox_idle_minutes
REASON = "credits exhausted: 0.1 left, 0.2 needed"


@pytest.fixture
def wall(stack) -> FixedClock:
    """Wall time, held still: only the test moves it."""
    clock = FixedClock(WALL)
    providers.override_clock(clock)
    return clock


@pytest.fixture
def developer(wall, make_key, as_developer):
    """The authorizer context of a developer key in a sandbox of its own."""

    def create(sandbox_id: str) -> dict[str, str]:
        return as_developer(make_key(sandbox_id=sandbox_id))

    return create


def stored(sandbox_id: str) -> Sandbox:
    sandbox = providers.sandboxes_repository().get(sandbox_id)
    assert sandbox is not None
    return sandbox


def add_sandbox(sandbox_id: str, **fields) -> Sandbox:
    sandbox = Sandbox(sandbox_id=sandbox_id, created_at=WALL, **fields)
    providers.sandboxes_repository().add(sandbox)
    return sandbox


# The repository's lifecycle writes.


def test_a_touch_records_the_request_and_a_waking_touch_records_the_wake_up(wall):
    sandboxes = providers.sandboxes_repository()
    read = add_sandbox("sb-touch")

    touched = sandboxes.touch(read, WALL, woke=False)
    assert stored("sb-touch") == touched
    assert touched.last_active_at == WALL and touched.last_wake_up_at is None

    later = WALL + timedelta(hours=2)
    woken = sandboxes.touch(touched, later, woke=True)
    assert stored("sb-touch") == woken
    assert woken.last_active_at == woken.last_wake_up_at == woken.lifecycle_changed_at == later
    assert woken.lifecycle_reason == "woken by a request"


def test_a_touch_that_lost_the_race_changes_nothing_and_returns_the_sandbox_as_read(wall):
    sandboxes = providers.sandboxes_repository()
    read = add_sandbox("sb-touch-race")
    winner = sandboxes.touch(read, WALL + timedelta(minutes=1), woke=False)

    loser = sandboxes.touch(read, WALL + timedelta(minutes=2), woke=True)

    assert loser == read
    assert stored("sb-touch-race") == winner


def test_a_touch_never_reopens_a_sandbox_shut_down_after_it_was_read(wall):
    sandboxes = providers.sandboxes_repository()
    read = add_sandbox("sb-touch-shut", last_active_at=WALL)
    sandboxes.shut_down("sb-touch-shut", reason=REASON, at=WALL + timedelta(minutes=1))

    assert sandboxes.touch(read, WALL + timedelta(hours=3), woke=True) == read

    after = stored("sb-touch-shut")
    assert after.lifecycle_state is LifecycleState.SHUT_DOWN and after.last_active_at == WALL


def test_shut_down_stores_the_state_its_reason_and_when(wall):
    add_sandbox("sb-shut")
    providers.sandboxes_repository().shut_down("sb-shut", reason=REASON, at=WALL)
    after = stored("sb-shut")
    assert after.lifecycle_state is LifecycleState.SHUT_DOWN
    assert after.lifecycle_reason == REASON and after.lifecycle_changed_at == WALL


def test_shutting_down_a_sandbox_that_does_not_exist_is_a_conflict_and_creates_nothing(wall):
    with pytest.raises(Conflict):
        providers.sandboxes_repository().shut_down("sb-ghost", reason=REASON, at=WALL)
    assert providers.sandboxes_repository().get("sb-ghost") is None


def test_reopen_brings_a_shut_down_sandbox_back_active_from_then(wall):
    sandboxes = providers.sandboxes_repository()
    add_sandbox("sb-reopen")
    sandboxes.shut_down("sb-reopen", reason=REASON, at=WALL)
    back = WALL + timedelta(days=1)

    sandboxes.reopen("sb-reopen", reason="re-enabled by a@b.c", at=back)

    after = stored("sb-reopen")
    assert after.lifecycle_state is LifecycleState.ACTIVE
    assert after.lifecycle_reason == "re-enabled by a@b.c"
    assert after.lifecycle_changed_at == after.last_active_at == back


def test_reopen_leaves_a_sandbox_that_is_not_shut_down_as_it_is(wall):
    read = add_sandbox("sb-reopen-active", last_active_at=WALL)
    providers.sandboxes_repository().reopen("sb-reopen-active", reason="re-enabled", at=WALL)
    providers.sandboxes_repository().reopen("sb-ghost", reason="re-enabled", at=WALL)
    assert stored("sb-reopen-active") == read
    assert providers.sandboxes_repository().get("sb-ghost") is None


def test_a_shut_down_sandbox_refuses_its_developer_keys_with_the_reason(invoke, developer):
    caller = developer("sb-refused")
    providers.sandboxes_repository().shut_down("sb-refused", reason=REASON, at=WALL)

    for function, event in (
        ("ledger", "ledger/list_accounts.json"),
        ("environment", "environment/initialize.json"),
    ):
        status, body, _ = invoke(function, event, caller=caller, query={}, body={})
        assert status == 403, body
        assert body["code"] == "sandbox_shut_down" and body["success"] is False
        assert REASON in body["error"] and "/update-sandbox-config" in body["error"]
    assert stored("sb-refused").data_generation == "g0"  # the initialize changed nothing


def test_a_shut_down_sandbox_still_answers_its_status_and_configs(invoke, developer):
    caller = developer("sb-shut-served")
    providers.sandboxes_repository().shut_down("sb-shut-served", reason=REASON, at=WALL)

    status, body, _ = invoke("environment", "environment/status.json", caller=caller)
    assert status == 200, body
    assert body["lifecycle_state"] == "shut_down"
    assert body["lifecycle"]["state"] == "shut_down"
    assert body["lifecycle"]["reason"] == REASON
    assert body["lifecycle"]["since"] == isoformat(WALL)

    status, body, _ = invoke("environment", "environment/get_config.json", caller=caller)
    assert status == 200, body
    disabled = config_body("sb-shut-served", persistantConfig={"enabled": False, "mode": "forever"})
    status, body = update_config(invoke, caller, disabled)
    assert status == 200, body
    assert stored("sb-shut-served").lifecycle_state is LifecycleState.SHUT_DOWN


def test_enabling_the_config_re_opens_a_shut_down_sandbox(invoke, developer):
    caller = developer("sb-shut-reopened")
    providers.sandboxes_repository().shut_down("sb-shut-reopened", reason=REASON, at=WALL)

    status, body = update_config(invoke, caller, config_body("sb-shut-reopened"))

    assert status == 200, body
    sandbox = stored("sb-shut-reopened")
    assert sandbox.lifecycle_state is LifecycleState.ACTIVE
    assert sandbox.lifecycle_reason == "re-enabled by owner@example.com"
    assert sandbox.persistent is True
    status, body, _ = invoke("ledger", "ledger/list_accounts.json", caller=caller, query={})
    assert status == 200, body


def test_an_admin_key_is_served_in_a_shut_down_sandbox(invoke, admin, wall):
    invoke("environment", "environment/status.json", caller=admin)  # the operator sandbox
    providers.sandboxes_repository().shut_down("operator", reason=REASON, at=WALL)

    status, body, _ = invoke("ledger", "ledger/list_accounts.json", caller=admin, query={})
    assert status == 200, body


def test_a_request_after_the_idle_time_wakes_the_sandbox(invoke, developer, wall):
    caller = developer("sb-sleepy")
    invoke("ledger", "ledger/list_accounts.json", caller=caller, query={})
    assert stored("sb-sleepy").last_active_at == WALL

    wall.advance((IDLE + timedelta(minutes=1)).total_seconds())
    _, body, _ = invoke("environment", "environment/status.json", caller=caller)

    woke_at = WALL + IDLE + timedelta(minutes=1)
    assert body["lifecycle_state"] == "active"
    assert body["lifecycle"] == {
        "state": "active",
        "reason": "woken by a request",
        "since": isoformat(woke_at),
        "last_active_at": isoformat(woke_at),
        "last_wake_up_at": isoformat(woke_at),
        "persistent": False,
        "hibernates_after_minutes": 60,
    }
    assert stored("sb-sleepy").last_wake_up_at == woke_at


def test_activity_is_recorded_at_most_every_five_minutes(invoke, developer, wall):
    caller = developer("sb-busy")
    invoke("ledger", "ledger/list_accounts.json", caller=caller, query={})
    first = stored("sb-busy")

    wall.advance(4 * 60)
    invoke("ledger", "ledger/list_accounts.json", caller=caller, query={})
    assert stored("sb-busy") == first  # no write

    wall.advance(60)
    invoke("ledger", "ledger/list_accounts.json", caller=caller, query={})
    after = stored("sb-busy")
    assert after.last_active_at == WALL + timedelta(minutes=5)
    assert after.last_wake_up_at is None  # recorded, not woken


def test_a_sandbox_clock_moved_ahead_neither_hibernates_nor_wakes_the_sandbox(
    invoke, developer, lambda_function, lambda_context
):
    caller = developer("sb-time-travel")
    api = Handlers(lambda_function, lambda_context, caller)
    status, body = api.advance(30 * 24 * 3600)
    assert status == 200, body

    _, body, _ = invoke("environment", "environment/status.json", caller=caller)
    assert body["lifecycle"]["state"] == "active"
    assert body["lifecycle"]["last_active_at"] == isoformat(WALL)
    assert body["lifecycle"]["last_wake_up_at"] is None
