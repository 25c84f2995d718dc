"""The sweeper under moto: retired generations go, the live one stays, work is bounded."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from sandbox_common import providers
from sandbox_common.config import get_settings
from sandbox_common.errors import Conflict
from sandbox_common.sandboxes.data import InitializeRequest, _initialize
from sandbox_common.sweeper.models import RetiredGeneration

SMALL = {"accounts": 5, "transactions": 10, "compliance_records": 2}


def _initialize_again(invoke, caller, times: int) -> None:
    for seed in range(times):
        status, body, _ = invoke(
            "environment",
            "environment/initialize.json",
            caller=caller,
            body={"environment": "sandbox", "seed": seed, **SMALL},
        )
        assert status == 200, body


def test_after_many_initializes_and_a_sweep_only_the_live_generation_remains(
    invoke, initialized_sandbox, sweep, ledger
):
    caller = initialized_sandbox("sb-sweep-many", **SMALL)
    _initialize_again(invoke, caller, 5)
    invoke("environment", "environment/reset.json", caller=caller, body={"seed": 3})
    assert len(ledger.generations("sb-sweep-many")) == 7
    assert len(ledger.queued()) == 7  # the first initialize retired the empty g0
    live = ledger.live_generation("sb-sweep-many")
    retired_items = ledger.count("sb-sweep-many") - ledger.count("sb-sweep-many", live)

    report = sweep()

    assert ledger.generations("sb-sweep-many") == {live}
    assert ledger.queued() == []
    assert report["generations_swept"] == 7
    assert report["items_deleted"] == retired_items > 0
    _, accounts, _ = invoke(
        "ledger", "ledger/list_accounts.json", caller=caller, query={"limit": "100"}
    )
    assert len(accounts) == 100  # the reset re-initialized with the configured defaults


def test_a_reset_without_reinitialize_leaves_no_items_after_the_sweep(
    invoke, initialized_sandbox, sweep, ledger
):
    caller = initialized_sandbox("sb-sweep-wipe", **SMALL)
    invoke("environment", "environment/reset.json", caller=caller, body={})

    sweep()

    assert ledger.generations("sb-sweep-wipe") == set()
    assert ledger.queued() == []


def test_other_sandboxes_data_is_untouched(invoke, initialized_sandbox, sweep, ledger):
    mine = initialized_sandbox("sb-sweep-mine", **SMALL)
    initialized_sandbox("sb-sweep-theirs", **SMALL)
    theirs_before = ledger.count("sb-sweep-theirs")
    _initialize_again(invoke, mine, 1)

    sweep()

    assert ledger.count("sb-sweep-theirs") == theirs_before > 0


def test_a_generation_retired_within_the_grace_period_waits(
    invoke, initialized_sandbox, sweep, ledger
):
    caller = initialized_sandbox("sb-sweep-grace", **SMALL)
    _initialize_again(invoke, caller, 1)

    early = sweep(after=timedelta(seconds=10))

    assert early["items_deleted"] == 0
    assert len(ledger.generations("sb-sweep-grace")) == 2
    assert sweep()["generations_swept"] == 2
    assert len(ledger.generations("sb-sweep-grace")) == 1


def test_a_run_stops_at_its_budget_and_the_next_run_finishes(
    invoke, initialized_sandbox, sweep, ledger, monkeypatch
):
    caller = initialized_sandbox("sb-sweep-budget", **SMALL)
    _initialize_again(invoke, caller, 1)
    live = ledger.live_generation("sb-sweep-budget")
    retired_items = ledger.count("sb-sweep-budget") - ledger.count("sb-sweep-budget", live)
    monkeypatch.setenv("SWEEP_ITEM_BUDGET", "15")
    get_settings.cache_clear()

    first = sweep()

    assert first["items_deleted"] == 15
    assert first["generations_left"] == 1
    assert len(ledger.queued()) == 1  # the unfinished generation stays queued
    runs = [first]
    while ledger.queued() and len(runs) < 20:
        runs.append(sweep())
    assert ledger.queued() == []
    assert all(run["items_deleted"] <= 15 for run in runs)
    assert sum(run["items_deleted"] for run in runs) == retired_items
    assert ledger.generations("sb-sweep-budget") == {live}


def test_a_generation_leased_by_another_run_is_left_to_it(
    invoke, initialized_sandbox, sweep, ledger
):
    caller = initialized_sandbox("sb-sweep-lease", **SMALL)
    _initialize_again(invoke, caller, 1)
    queue = providers.retired_generations()
    now = datetime.now(UTC) + timedelta(minutes=2)
    held = [
        marker
        for marker in queue.retired_before(now, limit=10)
        if marker.sandbox_id == "sb-sweep-lease"
    ]
    for marker in held:
        assert queue.claim(marker, owner="other-run", until=now + timedelta(minutes=5), now=now)

    overlapping = sweep(run_id="this-run")

    assert overlapping["items_deleted"] == 0
    assert overlapping["generations_busy"] == 2
    assert len(ledger.generations("sb-sweep-lease")) == 2
    # The other run died: once its lease ends, the next run takes the generations over.
    later = sweep(after=timedelta(minutes=8), run_id="next-run")
    assert later["generations_swept"] == 2
    assert ledger.generations("sb-sweep-lease") == {ledger.live_generation("sb-sweep-lease")}


def test_a_marker_naming_the_live_generation_is_dropped_without_deleting(
    initialized_sandbox, sweep, ledger
):
    initialized_sandbox("sb-sweep-live", **SMALL)
    live = ledger.live_generation("sb-sweep-live")
    items = ledger.count("sb-sweep-live")
    providers.retired_generations().add(
        RetiredGeneration(
            sandbox_id="sb-sweep-live",
            generation=live,
            retired_at=datetime.now(UTC) - timedelta(hours=1),
        ),
        expires_at=2_000_000_000,
    )

    report = sweep()

    assert report["live_markers_dropped"] == 1
    assert ledger.generations("sb-sweep-live") == {live}
    assert ledger.count("sb-sweep-live", live) == items
    assert ledger.queued() == []


def test_a_switch_that_loses_the_race_queues_only_its_own_unused_generation(
    initialized_sandbox, ledger
):
    initialized_sandbox("sb-sweep-race", **SMALL)
    stale = providers.sandboxes_repository().get("sb-sweep-race")
    winner = providers.sandboxes_repository().switch_generation(
        stale,
        {"data_generation": "gwinner"},
        retired_at=datetime.now(UTC),
        expires_at=2_000_000_000,
    )
    queued_before = {(m["sandbox_id"], m["generation"]) for m in ledger.queued()}
    assert (stale.sandbox_id, stale.data_generation) in queued_before

    with pytest.raises(Conflict):
        _initialize(stale, InitializeRequest(seed=1, **SMALL), datetime.now(UTC))

    queued_after = {(m["sandbox_id"], m["generation"]) for m in ledger.queued()}
    (orphan,) = queued_after - queued_before
    assert orphan[0] == "sb-sweep-race"
    assert orphan[1] not in (stale.data_generation, winner.data_generation)
    assert ledger.live_generation("sb-sweep-race") == "gwinner"


def test_a_failed_switch_writes_no_marker(initialized_sandbox, ledger):
    initialized_sandbox("sb-sweep-stale", **SMALL)
    stale = providers.sandboxes_repository().get("sb-sweep-stale")
    repository = providers.sandboxes_repository()
    repository.switch_generation(
        stale, {"data_generation": "gfirst"}, retired_at=datetime.now(UTC), expires_at=1
    )
    before = ledger.queued()

    with pytest.raises(Conflict):
        repository.switch_generation(
            stale, {"data_generation": "gsecond"}, retired_at=datetime.now(UTC), expires_at=1
        )

    assert ledger.queued() == before
    assert ledger.live_generation("sb-sweep-stale") == "gfirst"


def test_an_event_that_is_not_a_scheduled_event_fails_the_invocation(
    stack, lambda_function, lambda_context
):
    with pytest.raises(ValidationError):
        lambda_function("sweeper").handler({"hello": "world"}, lambda_context)


def test_an_empty_queue_is_a_run_that_does_nothing(stack, sweep):
    assert sweep() == {
        "items_deleted": 0,
        "generations_swept": 0,
        "generations_left": 0,
        "generations_busy": 0,
        "live_markers_dropped": 0,
        "items_restamped": 0,
        "retention_changes_done": 0,
        "retention_changes_left": 0,
        "retention_changes_busy": 0,
        "retention_changes_dropped": 0,
    }


def test_two_overlapping_runs_share_the_work_without_doing_any_twice(
    invoke, initialized_sandbox, sweep, ledger
):
    caller = initialized_sandbox("sb-sweep-overlap", **SMALL)
    _initialize_again(invoke, caller, 4)
    live = ledger.live_generation("sb-sweep-overlap")
    retired_items = ledger.count("sb-sweep-overlap") - ledger.count("sb-sweep-overlap", live)
    reports: list[dict] = []
    start = threading.Barrier(2)

    def run(run_id: str) -> None:
        start.wait()
        reports.append(sweep(run_id=run_id))

    threads = [threading.Thread(target=run, args=(f"run-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert ledger.generations("sb-sweep-overlap") == {live}
    assert ledger.queued() == []
    assert sum(report["generations_swept"] for report in reports) == 5
    assert sum(report["items_deleted"] for report in reports) == retired_items
