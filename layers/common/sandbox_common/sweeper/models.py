"""The sweeper's domain: its queue markers (a retired data generation, a retention change)
and what a run did."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class RetiredGeneration(BaseModel):
    """A data generation its sandbox switched away from; its items await the sweep."""

    model_config = ConfigDict(frozen=True)

    sandbox_id: str
    generation: str
    retired_at: datetime
    # A sweep run holds the marker until this instant (None: nobody does).
    leased_until: datetime | None = None


class RetentionPosition(BaseModel):
    """Where a retention change's walk stopped: the kind of record, and the key of the last
    item done in its partition (None: at the partition's start)."""

    model_config = ConfigDict(frozen=True)

    kind: str
    after: dict[str, str] | None = None


class RetentionChange(BaseModel):
    """A sandbox's persistence switched: its live items' TTL awaits the sweep (``keep``: set
    them to never expire; else back to the retention period from now)."""

    model_config = ConfigDict(frozen=True)

    sandbox_id: str
    # The generation the walk is on (the sandbox's live one when the change was queued).
    generation: str
    keep: bool
    queued_at: datetime
    position: RetentionPosition | None = None
    # A sweep run holds the marker until this instant (None: nobody does).
    leased_until: datetime | None = None


class SweepReport(BaseModel):
    """What one sweep run did (also the function's answer and its metrics)."""

    items_deleted: int = 0
    # Every item gone and the marker removed.
    generations_swept: int = 0
    # Started but not finished within the run's budget: still queued for the next run.
    generations_left: int = 0
    # Leased by another run that is still within its lease.
    generations_busy: int = 0
    # Markers that named the sandbox's live generation: removed, nothing deleted.
    live_markers_dropped: int = 0
    # Items whose TTL a retention change set (kept for ever, or released to expire).
    items_restamped: int = 0
    # Retention changes finished (every live item restamped) and removed from the queue.
    retention_changes_done: int = 0
    # Started but not finished within the run's budget: still queued, position saved.
    retention_changes_left: int = 0
    # Leased by another run, or waiting behind an older change of the same sandbox.
    retention_changes_busy: int = 0
    # Superseded (the sandbox's flag changed again, or the sandbox is gone): removed.
    retention_changes_dropped: int = 0
