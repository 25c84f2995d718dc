"""Sweeper: deletes the items of retired data generations, and gives a sandbox's items the
TTL its persistence calls for, on an EventBridge schedule.

Initialize and reset queue the generation they replace, a persistence switch queues a
retention change; each run works through both queues within a budget of items (see
sandbox_common.sweeper.service).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandbox_common import providers
from sandbox_common.aws.eventbridge import ScheduledEvent
from sandbox_common.sweeper.models import SweepReport
from sandbox_common.tasks import make_task_handler


def sweep(event: ScheduledEvent, context: Any) -> SweepReport:
    """One scheduled run of the sweep."""
    from sandbox_common.sweeper.service import run_sweep

    settings = providers.settings()
    return run_sweep(
        retired=providers.retired_generations(),
        retention=providers.retention_changes(),
        sandboxes=providers.sandboxes_repository(),
        # TTLs and the grace period are real time (no request, so no sandbox clock here).
        now=providers.wall_clock().now(),
        budget=settings.sweep_item_budget,
        grace=timedelta(seconds=settings.sweep_grace_seconds),
        retention_period=timedelta(days=settings.data_retention_days),
        # The lease owner: unique per invocation, so two overlapping runs never share one.
        sweeper_id=context.aws_request_id,
    )


def _metrics(report: SweepReport) -> dict[str, float]:
    return {
        "ItemsDeleted": report.items_deleted,
        "GenerationsSwept": report.generations_swept,
        "GenerationsLeft": report.generations_left,
        "ItemsRestamped": report.items_restamped,
        "RetentionChangesDone": report.retention_changes_done,
        "RetentionChangesLeft": report.retention_changes_left,
    }


handler = make_task_handler("sweeper", sweep, event_model=ScheduledEvent, metrics=_metrics)
