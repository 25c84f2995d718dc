"""The sweeper's domain: a retired data generation (a queue marker) and what a run did."""

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
