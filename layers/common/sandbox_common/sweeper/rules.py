"""Pure rules of the sweep: which markers a run may take, the live-generation guard, budget."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox_common.sweeper.models import RetiredGeneration

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
