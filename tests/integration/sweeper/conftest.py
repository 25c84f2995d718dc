"""Drivers of the sweeper's integration tests: run the sweeper, look into the ledger table."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import boto3
import pytest

from sandbox_common import providers
from sandbox_common.clock import FixedClock
from sandbox_common.storage.retention_changes_repository import (
    QUEUE_PARTITION as RETENTION_PARTITION,
)
from sandbox_common.storage.retired_generations_repository import QUEUE_PARTITION


class SweeperContext:
    """A Lambda context whose request id (the sweep's lease owner) the test chooses."""

    function_name = "sweeper"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:sweeper"

    def __init__(self, request_id: str) -> None:
        self.aws_request_id = request_id

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


Sweep = Callable[..., dict[str, Any]]


@pytest.fixture
def sweep(
    stack: Any,
    lambda_function: Callable[[str], ModuleType],
    sample_event: Callable[[str], dict[str, Any]],
) -> Sweep:
    """Invoke the sweeper with the sample scheduled event, as if ``after`` from now."""

    def run(*, after: timedelta = timedelta(minutes=2), run_id: str = "sweep-run") -> Any:
        providers.override_clock(FixedClock(datetime.now(UTC) + after))
        try:
            return lambda_function("sweeper").handler(
                sample_event("sweeper/scheduled.json"), SweeperContext(run_id)
            )
        finally:
            providers.override_clock(None)

    return run


class Ledger:
    """What the ledger table holds (test-sized: read by scans)."""

    def items(self) -> list[dict[str, Any]]:
        table = boto3.resource("dynamodb").Table(os.environ["DATA_TABLE"])
        page: dict[str, Any] = table.scan(ConsistentRead=True)
        items = list(page["Items"])
        while "LastEvaluatedKey" in page:
            page = table.scan(ConsistentRead=True, ExclusiveStartKey=page["LastEvaluatedKey"])
            items.extend(page["Items"])
        return items

    def generations(self, sandbox_id: str) -> set[str]:
        """The generations of ``sandbox_id`` that still have items."""
        return {
            item["pk"].split("#")[1]
            for item in self.items()
            if item["pk"].startswith(f"{sandbox_id}#")
        }

    def count(self, sandbox_id: str, generation: str | None = None) -> int:
        """How many items ``sandbox_id`` has (in ``generation``, if given)."""
        prefix = f"{sandbox_id}#{generation}#" if generation else f"{sandbox_id}#"
        return sum(1 for item in self.items() if item["pk"].startswith(prefix))

    def queued(self) -> list[dict[str, Any]]:
        """The markers waiting in the sweep's queue."""
        return [item for item in self.items() if item["pk"] == QUEUE_PARTITION]

    def retention_queued(self) -> list[dict[str, Any]]:
        """The retention changes waiting in the sweep's queue."""
        return [item for item in self.items() if item["pk"] == RETENTION_PARTITION]

    def live_items(self, sandbox_id: str, *, but: tuple[str, ...] = ("idem",)) -> list[Any]:
        """The items of the sandbox's live generation (idempotency records left out)."""
        prefix = f"{sandbox_id}#{self.live_generation(sandbox_id)}#"
        return [
            item
            for item in self.items()
            if item["pk"].startswith(prefix) and item["pk"].rsplit("#", 1)[1] not in but
        ]

    def live_generation(self, sandbox_id: str) -> str:
        """The sandbox's current data generation."""
        sandbox = providers.sandboxes_repository().get(sandbox_id)
        assert sandbox is not None
        return sandbox.data_generation


@pytest.fixture
def ledger(stack: Any) -> Ledger:
    """The ledger table of the test's stack."""
    return Ledger()
