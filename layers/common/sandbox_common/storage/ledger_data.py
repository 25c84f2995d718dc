"""A ledger generation as a whole: bulk writes of a generated data set."""

from __future__ import annotations

from typing import Any

from sandbox_common.mockdata.generator import MockDataSet
from sandbox_common.storage.accounts_repository import account_item, address_item
from sandbox_common.storage.dynamo import translated_errors
from sandbox_common.storage.flags_repository import flag_item
from sandbox_common.storage.ledger_aggregates import figure_items
from sandbox_common.storage.sandbox_items import DataScope, ordinal_ts
from sandbox_common.storage.transactions_repository import transaction_item


class LedgerData:
    """Whole data sets: written with BatchWriteItem (25 items a call, unprocessed retried)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def load(self, scope: DataScope, data: MockDataSet, *, expires_at: int) -> int:
        """Write every record of ``data`` into ``scope``, with the dashboard's figures of the
        whole data set; returns the number of items written."""
        written = 0
        with translated_errors(), self._table.batch_writer() as batch:
            for ordinal, account in enumerate(data.accounts, start=1):
                ts = ordinal_ts(ordinal)
                batch.put_item(Item=account_item(scope, account, ts, expires_at))
                batch.put_item(Item=address_item(scope, account, ts, expires_at))
                written += 2
            for transaction in data.transactions:
                batch.put_item(Item=transaction_item(scope, transaction, expires_at))
                written += 1
            for flag in data.compliance_flags:
                batch.put_item(Item=flag_item(scope, flag, expires_at))
                written += 1
            for item in figure_items(
                scope,
                data.transactions,
                data.compliance_flags,
                data.accounts,
                expires_at=expires_at,
            ):
                batch.put_item(Item=item)
                written += 1
        return written
