"""Pure rules of the sweep: which markers a run may take, the live-generation guard, what a
retention change restamps, the budget."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox_common.storage.sandbox_items import KEPT_EXPIRY, Kind
from sandbox_common.sweeper.models import RetentionChange, RetentionPosition, RetiredGeneration

# A run holds a marker this long. Far above the function's timeout, so a lease only expires
# when its run died; then the next run takes the generation over where it stopped.
LEASE = timedelta(minutes=5)
# Markers one run reads from the queue (the budget usually ends the run first).
MARKERS_PER_RUN = 50
# Keys deleted per query-and-delete round (a DynamoDB Query page of keys only).
PAGE_SIZE = 500


@dataclass(frozen=True)
class SweepPlan:
    """The markers a run takes, in order, and those another run holds."""

    take: list[RetiredGeneration]
    busy: list[RetiredGeneration]


def plan_sweep(
    markers: Iterable[RetiredGeneration], *, now: datetime, grace: timedelta
) -> SweepPlan:
    """Which markers a run may take at ``now``, oldest first.

    A generation is left alone for ``grace`` after its retirement: a request that read the
    sandbox just before the switch may still be writing into it, and sweeping first would let
    that write survive the sweep. A marker another run holds is busy until its lease ends.
    """
    cutoff = now - grace
    due = sorted(
        (marker for marker in markers if marker.retired_at <= cutoff),
        key=lambda marker: (marker.retired_at, marker.sandbox_id, marker.generation),
    )
    busy = [m for m in due if m.leased_until is not None and m.leased_until > now]
    return SweepPlan(take=[m for m in due if m not in busy], busy=busy)


def is_live(marker: RetiredGeneration, current_generation: str | None) -> bool:
    """True if the marker names the sandbox's current generation (which must never be swept).

    Generation ids are random and never reused, so a retired generation cannot become live
    again; this guards against a marker written by mistake. A sandbox that no longer exists
    has no live generation.
    """
    return current_generation == marker.generation


# The kinds a retention change restamps: all but idempotency records, whose TTL is the
# idempotency window (a key may be used again once it passes), not the data's retention.
RESTAMPED_KINDS: tuple[Kind, ...] = tuple(kind for kind in Kind if kind is not Kind.IDEMPOTENCY)


@dataclass(frozen=True)
class RetentionPlan:
    """The retention changes a run takes, oldest first, and those another run holds."""

    take: list[RetentionChange]
    busy: list[RetentionChange]


def plan_retention(
    changes: Iterable[RetentionChange], *, now: datetime, grace: timedelta
) -> RetentionPlan:
    """Which retention changes a run may take at ``now``, oldest first.

    A change waits ``grace`` after its switch, as a retired generation does: a request that
    read the sandbox just before may still be writing with the old TTL, and the walk must
    come after it.
    """
    cutoff = now - grace
    due = sorted(
        (change for change in changes if change.queued_at <= cutoff),
        key=lambda change: (change.queued_at, change.sandbox_id),
    )
    busy = [c for c in due if c.leased_until is not None and c.leased_until > now]
    return RetentionPlan(take=[c for c in due if c not in busy], busy=busy)


def is_superseded(change: RetentionChange, persistent: bool | None) -> bool:
    """True if ``change`` no longer applies: the sandbox is gone (``persistent`` None) or its
    flag was switched back since (that later switch queued its own change)."""
    return persistent is None or persistent != change.keep


def walk_start(change: RetentionChange, live_generation: str) -> RetentionPosition | None:
    """Where the walk of ``change`` resumes on ``live_generation`` (None: from the start).

    A saved position holds on the generation it was saved on. If the sandbox has moved to
    another generation since, the walk starts over on the live one: an initialize or reset
    that raced the switch may have written it with the old TTL (and a later reset's fresh
    items already have the right one, which the walk then leaves alone).
    """
    return change.position if change.generation == live_generation else None


def kinds_left(position: RetentionPosition | None) -> list[Kind]:
    """The kinds still to walk from ``position`` on, its own kind first."""
    if position is None:
        return list(RESTAMPED_KINDS)
    values = [kind.value for kind in RESTAMPED_KINDS]
    if position.kind not in values:
        return list(RESTAMPED_KINDS)
    return list(RESTAMPED_KINDS[values.index(position.kind) :])


def restamp_expiry(keep: bool, *, now: datetime, retention: timedelta) -> int:
    """The TTL a retention change gives the items: never (kept) or ``retention`` from now."""
    return KEPT_EXPIRY if keep else int((now + retention).timestamp())


def retention_share(budget: int) -> int:
    """The part of a run's budget retention changes may spend (the rest, and whatever they
    leave, goes to retired generations): half, rounded up, so neither queue starves."""
    return budget - budget // 2


@dataclass
class Budget:
    """How many more items a run may delete (bounded work per run)."""

    remaining: int

    @property
    def exhausted(self) -> bool:
        """True once the run has spent its budget."""
        return self.remaining <= 0

    def page(self) -> int:
        """How many keys the next round may take."""
        return max(0, min(self.remaining, PAGE_SIZE))

    def spend(self, items: int) -> None:
        """Account for ``items`` deleted."""
        self.remaining -= items
