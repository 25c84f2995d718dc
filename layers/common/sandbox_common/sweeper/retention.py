"""Retention changes: give a sandbox's live items the TTL its persistence now calls for.

Switching a sandbox's persistence queues a retention change with the flag
(``storage.retention_changes_repository``); items written before kept their old TTL. Each
sweep run:

1. reads the oldest changes past the grace period;
2. leases one (two overlapping runs never walk the same change), and takes none of a sandbox
   while an older change of that sandbox is still queued (switches apply in order, so an
   item never ends up with the TTL of a switch that was undone);
3. drops it if it is superseded (the flag was switched back, or the sandbox is gone);
4. walks every kind's partition of the live generation, setting each item's TTL (never, or
   the retention period from now), until the budget is spent; then saves its position;
5. removes the marker once every partition is done (the last step: a run that dies earlier
   leaves the marker and its position, and the next run continues).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from sandbox_common.errors import Conflict
from sandbox_common.sandboxes.models import Sandbox
from sandbox_common.storage.sandbox_items import DataScope, Kind
from sandbox_common.sweeper.models import RetentionChange, RetentionPosition, SweepReport
from sandbox_common.sweeper.rules import (
    LEASE,
    MARKERS_PER_RUN,
    Budget,
    is_superseded,
    kinds_left,
    plan_retention,
    restamp_expiry,
    walk_start,
)


class Restamp(Protocol):
    """One restamp round's outcome (``retention_changes_repository.Restamped``)."""

    @property
    def visited(self) -> int: ...

    @property
    def changed(self) -> int: ...

    @property
    def after(self) -> dict[str, str] | None: ...


class RetentionChanges(Protocol):
    """The queue of retention changes and the restamping of items (RetentionChangesRepository)."""

    def pending(self, before: datetime, *, limit: int) -> list[RetentionChange]: ...

    def claim(
        self, change: RetentionChange, *, owner: str, until: datetime, now: datetime
    ) -> bool: ...

    def save_position(
        self,
        change: RetentionChange,
        *,
        owner: str,
        generation: str,
        position: RetentionPosition,
    ) -> None: ...

    def release(self, change: RetentionChange, *, owner: str) -> None: ...

    def remove(self, change: RetentionChange, *, owner: str) -> None: ...

    def restamp(
        self,
        scope: DataScope,
        kind: Kind,
        expires_at: int,
        *,
        after: dict[str, str] | None,
        limit: int,
    ) -> Restamp: ...


class Sandboxes(Protocol):
    """Where the sweep reads a sandbox's flag and live generation (SandboxesRepository)."""

    def get(self, sandbox_id: str) -> Sandbox | None: ...


def apply_retention_changes(
    *,
    queue: RetentionChanges,
    sandboxes: Sandboxes,
    now: datetime,
    work: Budget,
    grace: timedelta,
    retention: timedelta,
    sweeper_id: str,
    report: SweepReport,
) -> None:
    """Restamp items of queued retention changes within ``work``, adding to ``report``."""
    plan = plan_retention(queue.pending(now - grace, limit=MARKERS_PER_RUN), now=now, grace=grace)
    report.retention_changes_busy += len(plan.busy)
    # Sandboxes with an older change still queued: their newer changes wait for it.
    waiting = {change.sandbox_id for change in plan.busy}
    for change in plan.take:
        if work.exhausted:
            break
        if change.sandbox_id in waiting:
            report.retention_changes_busy += 1
            continue
        if not queue.claim(change, owner=sweeper_id, until=now + LEASE, now=now):
            report.retention_changes_busy += 1
            waiting.add(change.sandbox_id)
            continue
        sandbox = sandboxes.get(change.sandbox_id)
        if sandbox is None or is_superseded(change, sandbox.persistent):
            if _remove(queue, change, sweeper_id, report):
                report.retention_changes_dropped += 1
            continue
        expires_at = restamp_expiry(change.keep, now=now, retention=retention)
        done = _walk(queue, change, sandbox.data_generation, expires_at, work, sweeper_id, report)
        if done:
            if _remove(queue, change, sweeper_id, report):
                report.retention_changes_done += 1
                continue
        else:
            queue.release(change, owner=sweeper_id)
            report.retention_changes_left += 1
        waiting.add(change.sandbox_id)


def _walk(
    queue: RetentionChanges,
    change: RetentionChange,
    generation: str,
    expires_at: int,
    work: Budget,
    owner: str,
    report: SweepReport,
) -> bool:
    """Restamp the generation's items within the budget; True once every partition is done
    (False with the position saved, or if the lease was lost)."""
    scope = DataScope(change.sandbox_id, generation)
    position = walk_start(change, generation)
    for kind in kinds_left(position):
        after = position.after if position is not None and position.kind == kind.value else None
        while True:
            if work.exhausted:
                try:
                    queue.save_position(
                        change,
                        owner=owner,
                        generation=generation,
                        position=RetentionPosition(kind=kind.value, after=after),
                    )
                except Conflict:
                    pass  # another run took the change over; it continues from its own position
                return False
            restamped = queue.restamp(scope, kind, expires_at, after=after, limit=work.page())
            work.spend(restamped.visited)
            report.items_restamped += restamped.changed
            after = restamped.after
            if after is None:
                break
    return True


def _remove(
    queue: RetentionChanges, change: RetentionChange, owner: str, report: SweepReport
) -> bool:
    try:
        queue.remove(change, owner=owner)
    except Conflict:
        # Our lease ran out and another run took the change over; it removes the marker.
        report.retention_changes_busy += 1
        return False
    return True
