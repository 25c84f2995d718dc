"""transact_write: a transaction that collided with another is sent again; nothing else is."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox_common.errors import Conflict
from sandbox_common.storage.dynamo import TRANSACTION_ATTEMPTS, transact_write, translated_errors


def cancelled(*codes: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": code} for code in codes],
        },
        "TransactWriteItems",
    )


class FakeDynamo:
    """Applies a transaction unless a scripted failure is due (like DynamoDB: all or nothing)."""

    def __init__(self, failures: list[ClientError]) -> None:
        self.failures = failures
        self.applied: list[list[dict[str, Any]]] = []

    def transact_write_items(self, *, TransactItems: list[dict[str, Any]]) -> None:  # noqa: N803
        if self.failures:
            raise self.failures.pop(0)
        self.applied.append(TransactItems)


ITEMS = [{"Put": {"TableName": "t", "Item": {"pk": "a"}}}]


def test_a_transaction_conflict_is_retried_until_it_applies_once() -> None:
    dynamo = FakeDynamo([cancelled("None", "TransactionConflict")] * 2)
    pauses: list[float] = []

    transact_write(dynamo, ITEMS, sleep=pauses.append)

    assert dynamo.applied == [ITEMS]
    assert len(pauses) == 2 and all(0 <= pause <= 0.2 for pause in pauses)


def test_a_failed_condition_is_not_retried() -> None:
    dynamo = FakeDynamo([cancelled("ConditionalCheckFailed", "TransactionConflict")])

    with pytest.raises(Conflict, match="taken"), translated_errors("taken"):
        transact_write(dynamo, ITEMS, sleep=lambda _: None)
    assert dynamo.applied == []


def test_a_conflict_that_outlasts_the_retries_is_a_409_and_writes_nothing() -> None:
    dynamo = FakeDynamo([cancelled("TransactionConflict")] * TRANSACTION_ATTEMPTS)

    with pytest.raises(Conflict, match="try again"), translated_errors():
        transact_write(dynamo, ITEMS, sleep=lambda _: None)
    assert dynamo.applied == []
