"""Persistence switches under moto: the flag and its queued change are one write, and the
sweeper gives the live items the TTL the flag calls for, a bounded amount per run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox_common import providers
from sandbox_common.config import get_settings
from sandbox_common.errors import NotFound
from sandbox_common.sandboxes.data import InitializeRequest, _initialize
from sandbox_common.sandboxes.models import Sandbox
from sandbox_common.storage.sandbox_items import KEPT_EXPIRY

SMALL = {"accounts": 5, "transactions": 10, "compliance_records": 2}


def _sandbox(sandbox_id: str) -> Sandbox:
    sandbox = providers.sandboxes_repository().get(sandbox_id)
    assert sandbox is not None
    return sandbox


def _switch(sandbox_id: str, keep: bool, *, ago: timedelta = timedelta(0)) -> bool:
    return providers.retention_changes().switch(_sandbox(sandbox_id), keep, datetime.now(UTC) - ago)


def _days_left(item: dict) -> float:
    return (int(item["expires_at"]) - datetime.now(UTC).timestamp()) / 86400


def test_switching_persistence_on_keeps_every_live_item_once_swept(
    initialized_sandbox, sweep, ledger
):
    initialized_sandbox("sb-keep", **SMALL)
    initialized_sandbox("sb-keep-other", **SMALL)
    others_before = {
        (i["pk"], i["sk"]): i["expires_at"] for i in ledger.live_items("sb-keep-other")
    }
    items = ledger.live_items("sb-keep")

    assert _switch("sb-keep", True) is True
    assert _sandbox("sb-keep").persistent is True
    assert [change["keep"] for change in ledger.retention_queued()] == [True]
    report = sweep()

    assert {item["expires_at"] for item in ledger.live_items("sb-keep")} == {KEPT_EXPIRY}
    assert report["items_restamped"] == len(items) > 0
    assert report["retention_changes_done"] == 1
    assert ledger.retention_queued() == []
    others_after = {(i["pk"], i["sk"]): i["expires_at"] for i in ledger.live_items("sb-keep-other")}
    assert others_after == others_before


def test_switching_persistence_off_releases_items_to_the_retention_period(
    initialized_sandbox, sweep, ledger
):
    initialized_sandbox("sb-release", **SMALL)
    _switch("sb-release", True, ago=timedelta(minutes=1))
    sweep()

    assert _switch("sb-release", False) is True
    report = sweep()

    retention = providers.settings().data_retention_days
    items = ledger.live_items("sb-release")
    assert report["items_restamped"] == len(items) > 0
    # The sweep ran "two minutes from now": every item expires a retention period after it.
    assert all(_days_left(item) == pytest.approx(retention, abs=0.01) for item in items)
    assert _sandbox("sb-release").persistent is False


def test_a_switch_to_the_value_the_flag_has_queues_nothing(initialized_sandbox, ledger):
    initialized_sandbox("sb-same", **SMALL)

    assert _switch("sb-same", False) is False
    assert ledger.retention_queued() == []
    assert _switch("sb-same", True, ago=timedelta(seconds=1)) is True
    assert _switch("sb-same", True) is False  # a wake-up re-asserting the flag
    assert len(ledger.retention_queued()) == 1
    assert _sandbox("sb-same").persistent is True


def test_a_switch_of_a_sandbox_that_does_not_exist_is_not_found(stack, ledger):
    ghost = Sandbox(sandbox_id="sb-ghost", created_at=datetime.now(UTC))

    with pytest.raises(NotFound):
        providers.retention_changes().switch(ghost, True, datetime.now(UTC))

    assert ledger.retention_queued() == []
    assert providers.sandboxes_repository().get("sb-ghost") is None


def test_a_budget_smaller_than_the_items_is_finished_over_several_runs(
    initialized_sandbox, sweep, ledger, monkeypatch
):
    initialized_sandbox("sb-keep-budget", **SMALL)
    items = len(ledger.live_items("sb-keep-budget"))
    monkeypatch.setenv("SWEEP_ITEM_BUDGET", "10")  # retention may spend half: 5 a run
    get_settings.cache_clear()
    _switch("sb-keep-budget", True)

    runs = [sweep()]
    assert runs[0]["items_restamped"] == 5
    assert runs[0]["retention_changes_left"] == 1
    (queued,) = ledger.retention_queued()
    assert queued["position"]["kind"]  # where the next run continues
    while ledger.retention_queued() and len(runs) < 30:
        runs.append(sweep())

    assert ledger.retention_queued() == []
    assert all(run["items_restamped"] <= 5 for run in runs)
    assert sum(run["items_restamped"] for run in runs) == items
    assert {item["expires_at"] for item in ledger.live_items("sb-keep-budget")} == {KEPT_EXPIRY}


def test_a_change_switched_back_before_the_sweep_is_dropped(initialized_sandbox, sweep, ledger):
    initialized_sandbox("sb-flip", **SMALL)
    _switch("sb-flip", True, ago=timedelta(seconds=2))
    _switch("sb-flip", False, ago=timedelta(seconds=1))

    report = sweep()

    assert report["retention_changes_dropped"] == 1
    assert report["retention_changes_done"] == 1
    assert ledger.retention_queued() == []
    assert all(item["expires_at"] < KEPT_EXPIRY for item in ledger.live_items("sb-flip"))


def test_a_change_of_a_deleted_sandbox_is_dropped(initialized_sandbox, sweep, ledger):
    initialized_sandbox("sb-gone", **SMALL)
    _switch("sb-gone", True)
    providers.sandboxes_repository().delete("sb-gone")

    report = sweep()

    assert report["retention_changes_dropped"] == 1
    assert report["items_restamped"] == 0
    assert ledger.retention_queued() == []


def test_new_writes_in_a_persistent_sandbox_never_expire(invoke, initialized_sandbox, ledger):
    persistent = initialized_sandbox("sb-kept-writes", **SMALL)
    ordinary = initialized_sandbox("sb-plain-writes", **SMALL)
    _switch("sb-kept-writes", True)

    for caller in (persistent, ordinary):
        status, created, _ = invoke("ledger", "ledger/create_account.json", caller=caller)
        assert status == 201, created

    def account_item(sandbox_id: str, account_id: str) -> dict:
        (item,) = [
            item
            for item in ledger.live_items(sandbox_id)
            if item["pk"].endswith("#account") and account_id in item["doc"]
        ]
        return item

    created_ids = {}
    for sandbox_id, caller in (("sb-kept-writes", persistent), ("sb-plain-writes", ordinary)):
        _, listing, _ = invoke(
            "ledger", "ledger/list_accounts.json", caller=caller, query={"limit": "100"}
        )
        created_ids[sandbox_id] = listing[-1]["id"]  # created accounts list last
    assert account_item("sb-kept-writes", created_ids["sb-kept-writes"])["expires_at"] == (
        KEPT_EXPIRY
    )
    plain = account_item("sb-plain-writes", created_ids["sb-plain-writes"])
    assert _days_left(plain) == pytest.approx(providers.settings().data_retention_days, abs=0.01)


def test_a_switch_racing_a_reset_is_queued_on_the_new_generation(
    invoke, initialized_sandbox, ledger
):
    caller = initialized_sandbox("sb-switch-race", **SMALL)
    stale = _sandbox("sb-switch-race")
    status, answer, _ = invoke("environment", "environment/reset.json", caller=caller, body={})
    assert status == 200, answer
    live = ledger.live_generation("sb-switch-race")
    assert live != stale.data_generation

    assert providers.retention_changes().switch(stale, True, datetime.now(UTC)) is True

    (queued,) = ledger.retention_queued()
    assert queued["generation"] == live


def test_an_initialize_that_read_the_flag_before_the_switch_is_restamped_too(
    initialized_sandbox, sweep, ledger
):
    initialized_sandbox("sb-init-race", **SMALL)
    before_switch = _sandbox("sb-init-race")
    _switch("sb-init-race", True)
    # An initialize that loaded the sandbox before the switch writes its generation with the
    # ordinary TTL, then goes live (its condition is on the generation, not the flag).
    _initialize(before_switch, InitializeRequest(seed=7, **SMALL), datetime.now(UTC))
    fresh = ledger.live_items("sb-init-race")
    assert fresh and all(item["expires_at"] < KEPT_EXPIRY for item in fresh)

    report = sweep()

    assert report["retention_changes_done"] == 1
    assert {item["expires_at"] for item in ledger.live_items("sb-init-race")} == {KEPT_EXPIRY}


def test_a_newer_change_waits_while_an_older_one_of_the_sandbox_is_held(
    initialized_sandbox, sweep, ledger
):
    initialized_sandbox("sb-held", **SMALL)
    _switch("sb-held", True, ago=timedelta(seconds=2))
    _switch("sb-held", False, ago=timedelta(seconds=1))
    queue = providers.retention_changes()
    now = datetime.now(UTC) + timedelta(minutes=2)
    older, newer = queue.pending(now, limit=10)
    assert (older.keep, newer.keep) == (True, False)
    assert queue.claim(older, owner="other-run", until=now + timedelta(minutes=5), now=now)

    overlapping = sweep(run_id="this-run")

    assert overlapping["retention_changes_busy"] == 2
    assert overlapping["items_restamped"] == 0
    assert len(ledger.retention_queued()) == 2
    # The other run died: once its lease ends, the next run applies both in order.
    later = sweep(after=timedelta(minutes=8), run_id="next-run")
    assert later["retention_changes_dropped"] == 1
    assert later["retention_changes_done"] == 1
    assert ledger.retention_queued() == []
