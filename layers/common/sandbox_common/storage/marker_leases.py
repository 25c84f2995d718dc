"""Leases on the sweeper's queue markers (retired generations, retention changes).

A sweep run works on a marker only while it holds its lease: taking it is a conditional
write that fails while another run's lease is live, and it runs out on its own, so a run
that died never blocks the marker for long. Removing the marker (the last step of the work)
is conditional on still holding it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox_common.clock import isoformat
from sandbox_common.errors import Conflict
from sandbox_common.storage.dynamo import translated_errors


def claim(table: Any, key: dict[str, str], *, owner: str, until: datetime, now: datetime) -> bool:
    """Lease the marker at ``key`` to ``owner`` until ``until``; False if another run holds
    it (or it is gone)."""
    try:
        with translated_errors():
            table.update_item(
                Key=key,
                UpdateExpression="SET leased_until = :until, lease_owner = :owner",
                ConditionExpression=(
                    "attribute_exists(pk) AND "
                    "(attribute_not_exists(leased_until) OR leased_until <= :now)"
                ),
                ExpressionAttributeValues={
                    ":until": isoformat(until),
                    ":owner": owner,
                    ":now": isoformat(now),
                },
            )
    except Conflict:
        return False
    return True


def release(table: Any, key: dict[str, str], *, owner: str) -> None:
    """Give the lease back so the next run continues at once (no-op if it is not ours)."""
    try:
        with translated_errors():
            table.update_item(
                Key=key,
                UpdateExpression="REMOVE leased_until, lease_owner",
                ConditionExpression="lease_owner = :owner",
                ExpressionAttributeValues={":owner": owner},
            )
    except Conflict:
        pass


def remove(table: Any, key: dict[str, str], *, owner: str) -> None:
    """Delete the marker; Conflict if ``owner`` no longer holds its lease."""
    with translated_errors("The marker is leased by another sweep"):
        table.delete_item(
            Key=key,
            ConditionExpression="lease_owner = :owner",
            ExpressionAttributeValues={":owner": owner},
        )
