"""The dashboard's figures in the ledger table: the writes that keep them, and their read.

The figures (``analytics.aggregates``) live in the scope's data generation like every
record, so initialize and reset switch them with the data and the sweep removes them with
it: partitions ``<sandbox>#<generation>#agg_hour`` and ``…#agg_day`` hold one item per
bucket (sort key ``2026-11-30T01`` or ``2026-11-30``), ``…#agg_summary`` the items
``accounts`` and ``flags``. A write adds to top-level number attributes (``v#USDC``), one
``ADD`` per figure, which creates the item or the attribute when missing. A generated data
set's figures are put once as one JSON document (``doc``) instead: the item's figures are
that document plus its attributes. Few attributes keep the bulk write and the read fast
(moto pays per attribute, and a day of the largest data set has ~250 figures).

The builders below return DynamoDB transaction items: the repositories add them to the
transaction that writes the records, so the figures can never disagree with the ledger.
Figures are integers (amounts in units of 10^-7), which DynamoDB and moto add alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from sandbox_common.analytics.aggregates import (
    BucketKey,
    Figures,
    Granularity,
    KeyRange,
    StoredFigures,
    Summary,
    account_summary,
    account_summary_figures,
    bucket_deltas,
    bucket_keys,
    flag_status_change_figures,
    flag_summary,
    status_change_deltas,
    transaction_figures,
    verification_figures,
)
from sandbox_common.ledger.models import (
    Account,
    ComplianceFlag,
    FlagStatus,
    Transaction,
    TransactionStatus,
)
from sandbox_common.storage.dynamo import translated_errors
from sandbox_common.storage.sandbox_items import DOCUMENT, DataScope, Kind

BUCKET_KINDS = {Granularity.HOUR: Kind.HOURLY_FIGURES, Granularity.DAY: Kind.DAILY_FIGURES}
# DynamoDB's cap on the writes of one transaction.
MAX_TRANSACTION_WRITES = 100
# DynamoDB caps an expression at 4 KB; "#f123 :f123, " is 13 characters, so 200 figures in
# one update stay well inside it. A single record moves at most 8.
MAX_FIGURES_PER_UPDATE = 200
_NOT_FIGURES = frozenset({"pk", "sk", "ts", "expires_at", DOCUMENT})


class AggregatesRepository:
    """Reads the figures a dashboard window needs: a few queries, O(days) items."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def read(self, scope: DataScope, ranges: Iterable[KeyRange]) -> StoredFigures:
        """The buckets in ``ranges`` (keyed by bucket key) and the two summaries."""
        from boto3.dynamodb.conditions import Key

        hours: dict[str, Figures] = {}
        days: dict[str, Figures] = {}
        for key_range in ranges:
            found = hours if key_range.granularity is Granularity.HOUR else days
            condition = Key("pk").eq(scope.pk(BUCKET_KINDS[key_range.granularity])) & Key(
                "sk"
            ).between(key_range.first, key_range.last)
            for item in self._query(condition):
                found[str(item["sk"])] = _figures(item)
        summaries = {
            str(item["sk"]): _figures(item)
            for item in self._query(Key("pk").eq(scope.pk(Kind.SUMMARY_FIGURES)))
        }
        return StoredFigures(
            hours=hours,
            days=days,
            accounts=summaries.get(Summary.ACCOUNTS.value, {}),
            flags=summaries.get(Summary.FLAGS.value, {}),
        )

    def _query(self, condition: Any) -> Iterator[dict[str, Any]]:
        # Consistent: a dashboard read right after a write includes it.
        request: dict[str, Any] = {"KeyConditionExpression": condition, "ConsistentRead": True}
        while True:
            with translated_errors():
                response = self._table.query(**request)
            yield from response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


# ------------------------------------------------------------------ whole data sets


def figure_items(
    scope: DataScope,
    transactions: Iterable[Transaction],
    flags: list[ComplianceFlag],
    accounts: Iterable[Account],
    *,
    expires_at: int,
) -> Iterator[dict[str, Any]]:
    """The figure items of a whole generated data set, to put with its records."""
    for (granularity, key), figures in bucket_deltas(transactions, flags).items():
        yield _item(scope.pk(BUCKET_KINDS[granularity]), key, figures, expires_at)
    summary_pk = scope.pk(Kind.SUMMARY_FIGURES)
    yield _item(summary_pk, Summary.ACCOUNTS.value, account_summary(accounts), expires_at)
    yield _item(summary_pk, Summary.FLAGS.value, flag_summary(flags), expires_at)


# ------------------------------------------------------------------ transaction items


def new_records_updates(
    table: str,
    scope: DataScope,
    transactions: Iterable[Transaction],
    flags: list[ComplianceFlag],
    *,
    expires_at: int,
) -> list[dict[str, Any]]:
    """What storing new ``transactions`` and ``flags`` adds: bucket and summary updates."""
    updates = bucket_updates(table, scope, bucket_deltas(transactions, flags), expires_at)
    if flags:
        updates.append(
            _update(
                table,
                scope.pk(Kind.SUMMARY_FIGURES),
                Summary.FLAGS.value,
                flag_summary(flags),
                expires_at,
            )
        )
    return updates


def status_change_updates(
    table: str, scope: DataScope, transaction: Transaction, status: TransactionStatus
) -> list[dict[str, Any]]:
    """What moving ``transaction`` to ``status`` changes in the buckets of its creation."""
    return bucket_updates(table, scope, status_change_deltas(transaction, status), None)


def new_account_update(
    table: str, scope: DataScope, account: Account, *, expires_at: int
) -> dict[str, Any]:
    """What a new account adds to the accounts summary."""
    pk = scope.pk(Kind.SUMMARY_FIGURES)
    figures = account_summary_figures(account)
    return _update(table, pk, Summary.ACCOUNTS.value, figures, expires_at)


def verification_update(table: str, scope: DataScope) -> dict[str, Any]:
    """What an account becoming verified adds to the accounts summary."""
    pk = scope.pk(Kind.SUMMARY_FIGURES)
    return _update(table, pk, Summary.ACCOUNTS.value, verification_figures(), None)


def flag_change_updates(
    table: str, scope: DataScope, before: FlagStatus, after: FlagStatus
) -> list[dict[str, Any]]:
    """What a flag moving from ``before`` to ``after`` changes in the flags summary."""
    figures = flag_status_change_figures(before, after)
    if not figures:
        return []
    pk = scope.pk(Kind.SUMMARY_FIGURES)
    return [_update(table, pk, Summary.FLAGS.value, figures, None)]


def transaction_batches(
    transactions: Iterable[Transaction], *, other_writes: int
) -> Iterator[list[Transaction]]:
    """``transactions`` in creation order, cut so that each batch's puts, its bucket
    updates and ``other_writes`` fit one transaction, and no update outgrows its
    expression."""
    batch: list[Transaction] = []
    names: dict[BucketKey, set[str]] = {}
    for transaction in sorted(transactions, key=lambda t: (t.created_at, t.id)):
        figures = transaction_figures(transaction).keys()
        keys = bucket_keys(transaction.created_at)
        buckets = len(names) + sum(key not in names for key in keys)
        too_many = len(batch) + 1 + buckets + other_writes > MAX_TRANSACTION_WRITES
        too_wide = any(
            len(names.get(key, set()) | figures) > MAX_FIGURES_PER_UPDATE for key in keys
        )
        if batch and (too_many or too_wide):
            yield batch
            batch, names = [], {}
        batch.append(transaction)
        for key in keys:
            names.setdefault(key, set()).update(figures)
    if batch:
        yield batch


def bucket_updates(
    table: str,
    scope: DataScope,
    deltas: Mapping[BucketKey, Figures],
    expires_at: int | None,
) -> list[dict[str, Any]]:
    """One ``ADD`` update per bucket of ``deltas``."""
    return [
        _update(table, scope.pk(BUCKET_KINDS[granularity]), key, figures, expires_at)
        for (granularity, key), figures in sorted(deltas.items())
        if figures
    ]


def _update(
    table: str, pk: str, sk: str, figures: Figures, expires_at: int | None
) -> dict[str, Any]:
    if len(figures) > MAX_FIGURES_PER_UPDATE:
        raise ValueError(f"{len(figures)} figures in one update; split the write")
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    for index, (name, value) in enumerate(sorted(figures.items())):
        names[f"#f{index}"] = name
        values[f":f{index}"] = value
    expression = "ADD " + ", ".join(f"#f{i} :f{i}" for i in range(len(names)))
    if expires_at is not None:
        # A record's figures live at least as long as the record (written with the same TTL).
        expression = "SET expires_at = :expires_at " + expression
        values[":expires_at"] = expires_at
    return {
        "Update": {
            "TableName": table,
            "Key": {"pk": pk, "sk": sk},
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def _item(pk: str, sk: str, figures: Figures, expires_at: int) -> dict[str, Any]:
    document = json.dumps(figures, separators=(",", ":"), sort_keys=True)
    return {"pk": pk, "sk": sk, "expires_at": expires_at, DOCUMENT: document}


def _figures(item: Mapping[str, Any]) -> Figures:
    """The item's figures: its document (if any) plus its number attributes."""
    figures: Figures = json.loads(item[DOCUMENT]) if DOCUMENT in item else {}
    for name, value in item.items():
        # Whole numbers (amounts in units of 10^-7), which boto3 reads as Decimal.
        if name not in _NOT_FIGURES and isinstance(value, Decimal):
            figures[name] = figures.get(name, 0) + int(value)
    return figures
