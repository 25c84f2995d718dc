"""Stored scenario runs of a sandbox."""

from __future__ import annotations

from typing import Any

from sandbox_common.scenarios.models import ScenarioRun
from sandbox_common.storage.dynamo import translated_errors
from sandbox_common.storage.sandbox_items import DataScope, Kind, from_item, time_ts, to_item


class ScenarioRunsRepository:
    """Scenario runs by run id (they live and go with the sandbox's data generation)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def add(self, scope: DataScope, run: ScenarioRun, *, expires_at: int) -> None:
        """Store a finished run."""
        item = to_item(
            run,
            pk=scope.pk(Kind.SCENARIO_RUN),
            sk=run.run_id,
            ts=time_ts(run.execution_time, run.run_id),
            expires_at=expires_at,
        )
        with translated_errors("This run already exists"):
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(sk)")

    def get(self, scope: DataScope, run_id: str) -> ScenarioRun | None:
        """The run, or None."""
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.SCENARIO_RUN), "sk": run_id}, ConsistentRead=True
            ).get("Item")
        return from_item(ScenarioRun, item) if item else None
