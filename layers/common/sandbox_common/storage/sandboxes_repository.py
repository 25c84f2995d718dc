"""Sandboxes in DynamoDB, one item per sandbox."""

from __future__ import annotations

from typing import Any

from sandbox_common.errors import Conflict
from sandbox_common.sandboxes.models import Sandbox
from sandbox_common.storage.dynamo import translated_errors


class SandboxesRepository:
    """Sandbox records by id."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, sandbox_id: str) -> Sandbox | None:
        """The sandbox, or None."""
        with translated_errors():
            item = self._table.get_item(Key={"sandbox_id": sandbox_id}, ConsistentRead=True).get(
                "Item"
            )
        return Sandbox.model_validate(item) if item else None

    def add(self, sandbox: Sandbox) -> None:
        """Store a new sandbox; Conflict if the id is taken."""
        with translated_errors("This sandbox already exists"):
            self._table.put_item(
                Item=sandbox.model_dump(mode="json", exclude_none=True),
                ConditionExpression="attribute_not_exists(sandbox_id)",
            )

    def get_or_add(self, sandbox: Sandbox) -> tuple[Sandbox, bool]:
        """The stored sandbox with this id, adding ``sandbox`` if absent; True if it was added.

        Safe under races: of two concurrent adds one wins and the other reads the winner.
        """
        existing = self.get(sandbox.sandbox_id)
        if existing:
            return existing, False
        try:
            self.add(sandbox)
        except Conflict:
            winner = self.get(sandbox.sandbox_id)
            if winner is None:  # pragma: no cover - deleted between the two calls
                raise
            return winner, False
        return sandbox, True

    def delete(self, sandbox_id: str) -> None:
        """Remove a sandbox record (used only to undo a half-made key creation)."""
        with translated_errors():
            self._table.delete_item(Key={"sandbox_id": sandbox_id})
