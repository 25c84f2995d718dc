"""The sweep: delete the items of retired data generations, a bounded amount per run.

Initialize and reset switch a sandbox to a fresh generation and queue the old one in the same
transaction. Where DynamoDB honours TTL the old items would expire within the retention
period anyway; the sweep removes them within minutes, and is the only clean-up where TTL is
never applied (moto, behind `make run`). Each run:

1. reads the oldest markers past the grace period;
2. leases one (a conditional write: two overlapping runs never work on the same generation);
3. checks the sandbox has moved on from it (the live generation is never touched);
4. deletes its items partition by partition, one partition per kind of record, until the
   budget is spent;
5. removes the marker once every partition is empty (the last step: a run that dies earlier
   leaves the marker, and the next run finishes the job), or gives the lease back.

A run also works through the queue of retention changes (``sweeper.retention``) first, with
up to half its budget; ``run_sweep`` does both.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from sandbox_common.errors import Conflict
from sandbox_common.sandboxes.models import Sandbox
from sandbox_common.storage.sandbox_items import DataScope, Kind
from sandbox_common.sweeper.models import RetiredGeneration, SweepReport
from sandbox_common.sweeper.retention import RetentionChanges, apply_retention_changes
from sandbox_common.sweeper.rules import (
    LEASE,
    MARKERS_PER_RUN,
    Budget,
    is_live,
    plan_sweep,
    retention_share,
)

_log = logging.getLogger(__name__)


class RetiredGenerations(Protocol):
    """The queue of retired generations and their items (RetiredGenerationsRepository)."""

    def retired_before(self, cutoff: datetime, *, limit: int) -> list[RetiredGeneration]: ...

    def claim(
        self, retired: RetiredGeneration, *, owner: str, until: datetime, now: datetime
    ) -> bool: ...

    def release(self, retired: RetiredGeneration, *, owner: str) -> None: ...

    def remove(self, retired: RetiredGeneration, *, owner: str) -> None: ...

    def purge(self, scope: DataScope, kind: Kind, *, limit: int) -> tuple[int, bool]: ...


class Sandboxes(Protocol):
    """Where the sweep reads a sandbox's live generation (SandboxesRepository)."""

    def get(self, sandbox_id: str) -> Sandbox | None: ...


def run_sweep(
    *,
    retired: RetiredGenerations,
    retention: RetentionChanges,
    sandboxes: Sandboxes,
    now: datetime,
    budget: int,
    grace: timedelta,
    retention_period: timedelta,
    sweeper_id: str,
) -> SweepReport:
    """One run: restamp items of retention changes with up to half of ``budget`` items, then
    delete items of retired generations with the rest; unfinished work stays queued."""
    report = SweepReport()
    share = Budget(retention_share(budget))
    apply_retention_changes(
        queue=retention,
        sandboxes=sandboxes,
        now=now,
        work=share,
        grace=grace,
        retention=retention_period,
        sweeper_id=sweeper_id,
        report=report,
    )
    spent = retention_share(budget) - share.remaining
    _sweep_retired(retired, sandboxes, now, Budget(budget - spent), grace, sweeper_id, report)
    return report


def _sweep_retired(
    queue: RetiredGenerations,
    sandboxes: Sandboxes,
    now: datetime,
    work: Budget,
    grace: timedelta,
    sweeper_id: str,
    report: SweepReport,
) -> None:
    plan = plan_sweep(
        queue.retired_before(now - grace, limit=MARKERS_PER_RUN), now=now, grace=grace
    )
    report.generations_busy += len(plan.busy)
    for marker in plan.take:
        if work.exhausted:
            break
        if not queue.claim(marker, owner=sweeper_id, until=now + LEASE, now=now):
            report.generations_busy += 1
            continue
        sandbox = sandboxes.get(marker.sandbox_id)
        if is_live(marker, sandbox.data_generation if sandbox else None):
            _log.warning(
                "retired-generation marker names the live generation; dropped",
                extra={"sandbox_id": marker.sandbox_id, "generation": marker.generation},
            )
            _remove(queue, marker, sweeper_id, report)
            report.live_markers_dropped += 1
            continue
        if _purge(queue, marker, work, report):
            if _remove(queue, marker, sweeper_id, report):
                report.generations_swept += 1
        else:
            queue.release(marker, owner=sweeper_id)
            report.generations_left += 1


def _purge(
    queue: RetiredGenerations, marker: RetiredGeneration, work: Budget, report: SweepReport
) -> bool:
    """Delete the generation's items within the budget; True once every partition is empty."""
    scope = DataScope(marker.sandbox_id, marker.generation)
    # Every kind the ledger knows, so a kind added later is swept without touching this.
    for kind in Kind:
        more = True
        while more:
            if work.exhausted:
                return False
            deleted, more = queue.purge(scope, kind, limit=work.page())
            work.spend(deleted)
            report.items_deleted += deleted
    return True


def _remove(
    queue: RetiredGenerations, marker: RetiredGeneration, owner: str, report: SweepReport
) -> bool:
    try:
        queue.remove(marker, owner=owner)
    except Conflict:
        # Our lease ran out and another run took the generation over; it removes the marker.
        report.generations_busy += 1
        return False
    return True
