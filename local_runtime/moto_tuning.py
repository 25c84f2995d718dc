"""Two fixes to moto's DynamoDB for the local runtime, which serves requests on threads.

1. Thread safety. moto's TransactWriteItems deep-copies the table for its rollback while
   other threads may be writing to it ("dictionary changed size during iteration"), so
   concurrent requests could fail with a 500 that AWS would never give. Every DynamoDB call
   into moto is serialised by one lock; moto runs under the interpreter lock anyway, so
   this costs no throughput.
2. Speed. moto checks the 400 KB item limit by re-measuring the whole item each time one
   attribute is set while it builds the item, so storing an item costs O(attributes^2)
   nested size walks. With the ledger's ~20-attribute items that check was most of the cost
   of a bulk write (1,700 items/s before, 2,400 after; benchmarks/ledger_writes.py).
   Building the attributes first and measuring once keeps moto's rule (same sizes, same
   limit, same error) in linear time.

Tests under plain ``mock_aws`` keep moto's own code, except those that exercise concurrency.
"""

from __future__ import annotations

import threading
from typing import Any

_applied = False


def apply() -> None:
    """Serialise moto's DynamoDB calls and size-check a new item once, not per attribute."""
    global _applied
    if _applied:
        return
    _serialise_dynamodb_calls()
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict, bytesize

    limit = _item_size_limit()

    def __init__(  # noqa: N807 - replaces Item.__init__
        self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]
    ) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        converted = {key: DynamoType(value) for key, value in attrs.items()}
        # The same measure LimitedSizeDict.__setitem__ applies, taken once for the item.
        if sum(bytesize(key) + value.size() for key, value in converted.items()) > limit:
            raise ItemSizeTooLarge
        self.attrs = LimitedSizeDict(converted)  # dict.update: no per-key re-measure

    Item.__init__ = __init__  # type: ignore[method-assign]
    dynamo_type.Item = Item
    _applied = True


def _serialise_dynamodb_calls() -> None:
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.RLock()
    call_action = DynamoHandler.call_action

    def serialised(self: DynamoHandler) -> Any:
        with lock:
            return call_action(self)

    DynamoHandler.call_action = serialised  # type: ignore[method-assign]


def _item_size_limit() -> int:
    # moto's own limit (LimitedSizeDict): between AWS's documented and observed limits.
    return 405_000
