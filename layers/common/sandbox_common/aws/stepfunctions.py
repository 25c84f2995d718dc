"""Starting the deliver-message state machine: one execution per waiting message.

The execution is named by the message id, so starting it again (a retried request, a
second delay of the same message) finds the first one: Step Functions answers
``ExecutionAlreadyExists`` and the message is already on its way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox_common.clock import isoformat
from sandbox_common.errors import UpstreamError
from sandbox_common.messaging.delivery_contract import DeliveryExecutionInput


class DeliveryStarter:
    """Starts deliver-message executions of one state machine."""

    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self._client = client
        self._state_machine_arn = state_machine_arn

    def start_delivery(self, sandbox_id: str, message_id: str, due_at: datetime) -> bool:
        """Start the execution that delivers ``message_id`` once the wall clock reaches
        ``due_at``. True when it runs from this start (or the identical start repeated);
        False when an execution of that name was started before with another input."""
        from botocore.exceptions import BotoCoreError, ClientError

        execution = DeliveryExecutionInput(
            sandboxId=sandbox_id, messageId=message_id, dueAt=isoformat(due_at)
        )
        try:
            self._client.start_execution(
                stateMachineArn=self._state_machine_arn,
                name=message_id,
                input=execution.model_dump_json(),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return False
            raise UpstreamError(f"Step Functions refused the delivery: {exc}") from exc
        except BotoCoreError as exc:
            raise UpstreamError(f"Step Functions unreachable: {exc}") from exc
        return True
