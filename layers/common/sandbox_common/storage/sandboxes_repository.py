"""Sandboxes in DynamoDB, one item per sandbox."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter

from sandbox_common.errors import Conflict
from sandbox_common.sandboxes.config import SandboxConfig
from sandbox_common.sandboxes.models import INITIAL_GENERATION, LifecycleState, Sandbox
from sandbox_common.sandboxes.sandbox_clock import SandboxClock
from sandbox_common.storage.dynamo import transact_write, translated_errors
from sandbox_common.storage.retired_generations_repository import retirement_put
from sandbox_common.sweeper.models import RetiredGeneration


class SandboxesRepository:
    """Sandbox records by id."""

    def __init__(self, table: Any, *, data_table: str) -> None:
        self._table = table
        self._ledger_table = data_table

    def get(self, sandbox_id: str) -> Sandbox | None:
        """The sandbox, or None."""
        with translated_errors():
            item = self._table.get_item(Key={"sandbox_id": sandbox_id}, ConsistentRead=True).get(
                "Item"
            )
        return Sandbox.model_validate(item) if item else None

    def add(self, sandbox: Sandbox) -> None:
        """Store a new sandbox; Conflict if the id is taken."""
        item = sandbox.model_dump(mode="json", exclude_none=True)
        item["clock"] = clock_attribute(sandbox.clock)
        with translated_errors("This sandbox already exists"):
            self._table.put_item(
                Item=item,
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

    def switch_generation(
        self, sandbox: Sandbox, changes: dict[str, Any], *, retired_at: datetime, expires_at: int
    ) -> Sandbox:
        """Apply ``changes`` (a new ``data_generation`` and its facts) if nobody else did first.

        The write is conditional on the generation ``sandbox`` was read with, so of two
        concurrent initializes or resets exactly one wins; the other gets Conflict. The same
        transaction queues the generation left behind for the sweep (its marker expires at
        ``expires_at``), so a switch that fails queues nothing.
        """
        updated = sandbox.model_copy(update=changes)
        stored = updated.model_dump(mode="json", include=set(changes))
        if "clock" in stored:
            stored["clock"] = clock_attribute(updated.clock)
        names = {f"#{name}": name for name in stored}
        values = {f":{name}": value for name, value in stored.items()}
        values[":expected"] = sandbox.data_generation
        condition = "data_generation = :expected"
        if sandbox.data_generation == INITIAL_GENERATION:
            condition = "attribute_not_exists(data_generation) OR " + condition
        retired = RetiredGeneration(
            sandbox_id=sandbox.sandbox_id, generation=sandbox.data_generation, retired_at=retired_at
        )
        switch = {
            "Update": {
                "TableName": self._table.name,
                "Key": {"sandbox_id": sandbox.sandbox_id},
                "UpdateExpression": "SET " + ", ".join(f"#{n} = :{n}" for n in stored),
                "ConditionExpression": f"attribute_exists(sandbox_id) AND ({condition})",
                "ExpressionAttributeNames": {**names, "#data_generation": "data_generation"},
                "ExpressionAttributeValues": values,
            }
        }
        with translated_errors("The sandbox's data changed concurrently; try again"):
            transact_write(
                self._table.meta.client,
                [
                    switch,
                    retirement_put(self._ledger_table, retired, expires_at=expires_at),
                ],
            )
        return updated

    def set_clock(self, sandbox: Sandbox, clock: SandboxClock) -> Sandbox:
        """Replace the sandbox's clock if it is still the one ``sandbox`` was read with.

        One conditional write: of two concurrent moves read from the same clock, one wins
        and the other gets Conflict (and may re-read and try again), so no move is lost.
        """
        names = {"#clock": "clock", "#frozen": "frozen_at", "#offset": "offset_seconds"}
        read = clock_attribute(sandbox.clock)
        values: dict[str, Any] = {
            ":clock": clock_attribute(clock),
            ":offset": read["offset_seconds"],
        }
        matches = "#clock.#offset = :offset AND "
        if "frozen_at" in read:
            values[":frozen"] = read["frozen_at"]
            matches += "#clock.#frozen = :frozen"
        else:
            matches += "attribute_not_exists(#clock.#frozen)"
        if sandbox.clock == SandboxClock():
            # Sandboxes stored before the clock existed have no clock attribute at all.
            matches = f"attribute_not_exists(#clock) OR ({matches})"
        with translated_errors("The sandbox clock changed concurrently; try again"):
            self._table.update_item(
                Key={"sandbox_id": sandbox.sandbox_id},
                UpdateExpression="SET #clock = :clock",
                ConditionExpression=f"attribute_exists(sandbox_id) AND ({matches})",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        return sandbox.model_copy(update={"clock": clock})

    def set_config(self, sandbox_id: str, config: SandboxConfig) -> None:
        """Replace the sandbox's configuration."""
        with translated_errors("The sandbox does not exist"):
            self._table.update_item(
                Key={"sandbox_id": sandbox_id},
                UpdateExpression="SET config = :config",
                ConditionExpression="attribute_exists(sandbox_id)",
                ExpressionAttributeValues={":config": config.model_dump(mode="json")},
            )

    def touch(self, sandbox: Sandbox, now: datetime, *, woke: bool) -> Sandbox:
        """Record a request at ``now`` (and, if it ``woke`` a hibernating sandbox, the wake-up).

        Conditional on ``last_active_at`` being what ``sandbox`` was read with and on the
        sandbox not being shut down. Losing a race is fine (a concurrent request recorded
        itself, a transaction held the item, or the sandbox was shut down meanwhile): the
        sandbox is returned as read, and a later request records itself.
        """
        changes: dict[str, Any] = {"last_active_at": now}
        if woke:
            changes.update(
                last_wake_up_at=now,
                lifecycle_reason=WOKEN_BY_A_REQUEST,
                lifecycle_changed_at=now,
            )
        stored = {
            name: _stamp(value) if isinstance(value, datetime) else value
            for name, value in changes.items()
        }
        values: dict[str, Any] = {f":{name}": value for name, value in stored.items()}
        values[":shut_down"] = LifecycleState.SHUT_DOWN.value
        if sandbox.last_active_at is None:
            unchanged = "attribute_not_exists(last_active_at)"
        else:
            values[":read"] = _stamp(sandbox.last_active_at)
            unchanged = "last_active_at = :read"
        recorded = _updated_unless_raced(
            self._table,
            Key={"sandbox_id": sandbox.sandbox_id},
            UpdateExpression="SET " + ", ".join(f"{n} = :{n}" for n in stored),
            ConditionExpression=(
                f"attribute_exists(sandbox_id) AND {unchanged} AND {_NOT_SHUT_DOWN}"
            ),
            ExpressionAttributeValues=values,
        )
        return sandbox.model_copy(update=changes) if recorded else sandbox

    def shut_down(self, sandbox_id: str, *, reason: str, at: datetime) -> None:
        """Shut the sandbox down: its developer keys are refused until it is re-enabled."""
        with translated_errors("The sandbox does not exist"):
            self._table.update_item(
                Key={"sandbox_id": sandbox_id},
                UpdateExpression=(
                    "SET lifecycle_state = :state, lifecycle_reason = :reason, "
                    "lifecycle_changed_at = :at"
                ),
                ConditionExpression="attribute_exists(sandbox_id)",
                ExpressionAttributeValues={
                    ":state": LifecycleState.SHUT_DOWN.value,
                    ":reason": reason,
                    ":at": _stamp(at),
                },
            )

    def reopen(self, sandbox_id: str, *, reason: str, at: datetime) -> None:
        """Bring a shut-down sandbox back (active from ``at``); a sandbox that is not shut
        down is left as it is."""
        try:
            with translated_errors():
                self._table.update_item(
                    Key={"sandbox_id": sandbox_id},
                    UpdateExpression=(
                        "SET lifecycle_state = :active, lifecycle_reason = :reason, "
                        "lifecycle_changed_at = :at, last_active_at = :at"
                    ),
                    ConditionExpression="lifecycle_state = :shut_down",
                    ExpressionAttributeValues={
                        ":active": LifecycleState.ACTIVE.value,
                        ":shut_down": LifecycleState.SHUT_DOWN.value,
                        ":reason": reason,
                        ":at": _stamp(at),
                    },
                )
        except Conflict:
            return

    def delete(self, sandbox_id: str) -> None:
        """Remove a sandbox record (used only to undo a half-made key creation)."""
        with translated_errors():
            self._table.delete_item(Key={"sandbox_id": sandbox_id})


# The sandbox is not shut down (items stored before the lifecycle have no state at all).
_NOT_SHUT_DOWN = "(attribute_not_exists(lifecycle_state) OR lifecycle_state <> :shut_down)"
WOKEN_BY_A_REQUEST = "woken by a request"


def _updated_unless_raced(table: Any, **request: Any) -> bool:
    """Send an UpdateItem; False, having written nothing, if its condition failed or a
    concurrent transaction held the item (DynamoDB refuses a plain write to an item that a
    transaction, such as a ledger write updating the counts, is writing)."""
    from botocore.exceptions import ClientError

    try:
        with translated_errors():
            try:
                table.update_item(**request)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "TransactionConflictException":
                    raise
                return False
    except Conflict:
        return False
    return True


def _stamp(moment: datetime) -> str:
    """``moment`` as sandbox items store datetimes (pydantic's JSON form, as ``add`` writes
    them), so a condition on a stored stamp compares equal strings."""
    stamp: str = TypeAdapter(datetime).dump_python(moment, mode="json")
    return stamp


def clock_attribute(clock: SandboxClock) -> dict[str, Any]:
    """The clock as stored: a map without nulls, its offset a Decimal (boto3 takes no floats)."""
    attribute: dict[str, Any] = {"offset_seconds": Decimal(repr(clock.offset_seconds))}
    if clock.frozen_at is not None:
        attribute["frozen_at"] = clock.model_dump(mode="json")["frozen_at"]
    return attribute


def count_update(
    table_name: str, sandbox_id: str, generation: str, deltas: Mapping[str, int]
) -> dict[str, Any]:
    """A transaction item adding ``deltas`` (kind -> change, e.g. ``{Kind.ACCOUNT: 1}``) to
    a sandbox's record counts.

    It is conditional on ``generation`` still being the sandbox's, so records written by a
    request that raced a reset or an initialize are refused together with their count.
    """
    condition = "data_generation = :generation"
    if generation == INITIAL_GENERATION:
        condition = "attribute_not_exists(data_generation) OR " + condition
    # ADD cannot reach inside a map; SET with if_not_exists can (the map itself always exists).
    names = {f"#k{i}": str(kind) for i, kind in enumerate(deltas)}
    values: dict[str, Any] = {f":d{i}": delta for i, delta in enumerate(deltas.values())}
    sets = [
        f"record_counts.#k{i} = if_not_exists(record_counts.#k{i}, :zero) + :d{i}"
        for i in range(len(deltas))
    ]
    return {
        "Update": {
            "TableName": table_name,
            "Key": {"sandbox_id": sandbox_id},
            "UpdateExpression": "SET " + ", ".join(sets),
            "ConditionExpression": f"attribute_exists(sandbox_id) AND ({condition})",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {**values, ":zero": 0, ":generation": generation},
        }
    }


def lifecycle_update(
    table_name: str,
    sandbox: Sandbox,
    *,
    state: LifecycleState,
    reason: str,
    at: datetime,
    persistent: bool,
    woke: bool = False,
) -> dict[str, Any]:
    """A transaction item moving ``sandbox`` to ``state`` (with why, at wall time ``at``) and
    its ``persistent`` flag, for a write that changes its persistent config in the same
    transaction (the hourly job's shut-downs and wake-ups).

    Conditional on the flag and the data generation being those ``sandbox`` was read with:
    whoever queues the retention change of a flag switch decided it from that read.
    """
    values: dict[str, Any] = {
        ":state": state.value,
        ":reason": reason,
        ":at": _stamp(at),
        ":persistent": persistent,
        ":was": sandbox.persistent,
        ":generation": sandbox.data_generation,
    }
    sets = [
        "lifecycle_state = :state",
        "lifecycle_reason = :reason",
        "lifecycle_changed_at = :at",
        "persistent = :persistent",
    ]
    if woke:
        sets += ["last_wake_up_at = :at", "last_active_at = :at"]
    flag = "persistent = :was"
    if not sandbox.persistent:
        flag = "(attribute_not_exists(persistent) OR persistent = :was)"
    live = "data_generation = :generation"
    if sandbox.data_generation == INITIAL_GENERATION:
        live = f"(attribute_not_exists(data_generation) OR {live})"
    return {
        "Update": {
            "TableName": table_name,
            "Key": {"sandbox_id": sandbox.sandbox_id},
            "UpdateExpression": "SET " + ", ".join(sets),
            "ConditionExpression": f"attribute_exists(sandbox_id) AND {flag} AND {live}",
            "ExpressionAttributeValues": values,
        }
    }
