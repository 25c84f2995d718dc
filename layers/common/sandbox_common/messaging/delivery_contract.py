"""What the deliver-message state machine and its task exchange (cheap to import: the
deliver function parses every event with these before it loads anything else).

An execution starts with ``{"sandboxId", "messageId", "dueAt"}`` (``dueAt`` a wall-clock
instant, UTC with ``Z``), waits until ``dueAt``, then runs the task with its state. The task
answers ``{"done", "status", "waitUntil"}``: done when the message is delivered (now or
before), failed, or gone with its sandbox's data; otherwise the state machine copies
``waitUntil`` into ``dueAt`` and waits again. A task state marked ``"action":
"record_failure"`` (the state machine's Catch) records that delivery gave up.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sandbox_common.messaging.message_states import MessageStatus
from sandbox_common.messaging.timestamps import Timestamp


class DeliveryExecutionInput(BaseModel):
    """What a deliver-message execution starts with."""

    model_config = ConfigDict(extra="ignore")

    sandboxId: str = Field(min_length=1, max_length=128)
    messageId: str = Field(min_length=1, max_length=128)
    dueAt: str | None = None


class DeliveryTask(DeliveryExecutionInput):
    """A deliver-message execution's state as its task receives it."""

    action: Literal["deliver", "record_failure"] = "deliver"
    # What the state machine's Catch adds (``Error``/``Cause``) when it records a failure.
    error: dict[str, Any] | None = None


class DeliveryOutcome(BaseModel):
    """The task's answer: ``done``, or the wall-clock time to check again (``waitUntil``)."""

    done: bool
    status: MessageStatus | None
    waitUntil: Timestamp | None = None
