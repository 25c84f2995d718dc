"""Sweeper: deletes the items of retired data generations, on an EventBridge schedule.

Initialize and reset queue the generation they replace; each run works through that queue
within a budget of items (see sandbox_common.sweeper.service).
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
    from sandbox_common.sweeper.service import sweep_retired_generations

    settings = providers.settings()
    return sweep_retired_generations(
        queue=providers.retired_generations(),
        sandboxes=providers.sandboxes_repository(),
        now=providers.clock().now(),
        budget=settings.sweep_item_budget,
        grace=timedelta(seconds=settings.sweep_grace_seconds),
        # The lease owner: unique per invocation, so two overlapping runs never share one.
        sweeper_id=context.aws_request_id,
    )


def _metrics(report: SweepReport) -> dict[str, float]:
    return {
        "ItemsDeleted": report.items_deleted,
        "GenerationsSwept": report.generations_swept,
        "GenerationsLeft": report.generations_left,
    }


handler = make_task_handler("sweeper", sweep, event_model=ScheduledEvent, metrics=_metrics)
