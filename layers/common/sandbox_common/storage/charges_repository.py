"""The persistence job's charges, one item per charged period (partition: the sandbox).

The sort key is the period's start (``periodStart``, fixed-width ISO 8601 UTC, so text order
is time order): a sandbox's history reads in time order, and a period can be recorded once
only (the put is conditional, and it is written in the same transaction as the config's move
past the period).
"""

from __future__ import annotations

from typing import Any

from sandbox_common.manager.job_models import ChargeRecord
from sandbox_common.storage.dynamo import translated_errors


class ChargesRepository:
    """Charge history by sandbox."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def record_put(self, record: ChargeRecord) -> dict[str, Any]:
        """A transaction item recording ``record``, refused if its period already is."""
        return {
            "Put": {
                "TableName": self._table.name,
                "Item": record.model_dump(by_alias=True),
                "ConditionExpression": "attribute_not_exists(sandboxId)",
            }
        }

    def history(
        self, sandbox_id: str, *, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[ChargeRecord], dict[str, Any] | None]:
        """One page of the sandbox's charges, newest first, and where the next page starts."""
        request: dict[str, Any] = {
            "KeyConditionExpression": "sandboxId = :sandbox",
            "ExpressionAttributeValues": {":sandbox": sandbox_id},
            "ScanIndexForward": False,
            "Limit": limit,
            "ConsistentRead": True,
        }
        if start_key:
            request["ExclusiveStartKey"] = start_key
        with translated_errors():
            answer = self._table.query(**request)
        records = [ChargeRecord.model_validate(item) for item in answer.get("Items", [])]
        return records, answer.get("LastEvaluatedKey")
