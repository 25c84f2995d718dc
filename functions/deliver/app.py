"""Deliver: the deliver-message state machine's task.

Each run checks one waiting message: delivered when due (or delayed to its receiver's active
hours), or, on the state machine's Catch, recorded as failed. The answer tells the state
machine whether it is done or when to look again (see messaging.delivery_contract).
"""

from __future__ import annotations

from typing import Any

from sandbox_common.messaging.delivery_contract import DeliveryOutcome, DeliveryTask
from sandbox_common.tasks import make_task_handler


def deliver(task: DeliveryTask, context: Any) -> DeliveryOutcome:
    """One check of one message."""
    from sandbox_common import providers
    from sandbox_common.messaging.delivery import run_delivery_task

    return run_delivery_task(task, wall_now=providers.wall_clock().now())


def _metrics(outcome: DeliveryOutcome) -> dict[str, float]:
    return {"MessagesDone": 1 if outcome.done else 0}


handler = make_task_handler(
    "deliver", deliver, event_model=DeliveryTask, correlation_id_path="messageId", metrics=_metrics
)
