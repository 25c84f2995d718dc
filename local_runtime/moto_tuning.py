"""Fixes to moto's DynamoDB for the local runtime: thread safety, and speed at the same answers.

1. Thread safety. The runtime serves requests on threads; every DynamoDB call into moto is
   serialised by one lock (moto's transactions are not thread-safe, and moto runs under the
   interpreter lock anyway).
2. Items are size-checked once. moto re-measured the whole item each time it set one
   attribute while building it (O(attributes^2)); the same measure, taken once.
3. Responses pick attributes once per shape. moto's generic serializer asks six alias
   providers, for every member of every structure of every response (the ten members of
   each AttributeValue included), which attribute of the result holds the member. For a
   plain dict, which is all a DynamoDB result holds, the answer depends only on the shape,
   so it is worked out once per shape and reused; the serializer is otherwise moto's own.
4. Query reads one partition. moto's Query sorted and scanned every item of the table (all
   sandboxes, all generations) to keep those of one partition key. On the table and on a
   local secondary index (which shares the table's partition key) the candidates are now
   that partition's items, sorted as moto sorts the table; moto's Query code then runs
   unchanged on them. Global secondary indexes keep moto's path. With string keys (every
   key of the ledger), the order and the key condition are computed on the strings rather
   than moto's DynamoType objects, and moto is handed only the items a page reaches
   (``moto_query_order``): a Query of a 20,000-item partition went from ~1 s to
   ~13 ms.
5. Transactions roll back only what they touched. moto deep-copied every table a
   TransactWriteItems names before running it (45 ms at 750 items, 122 ms at 3,060), and
   each copy stayed in memory (moto tracks every table instance it creates). The copies are
   now of the touched partitions' membership and the touched items (in a table without a
   sort key, of the touched items); a cancelled transaction puts those back, leaving each
   table as moto's full copy would have. A Delete in a table without a sort key keeps moto's
   path: an item put back would move to the end of the table's order.

6. Items are not tracked. moto keeps every model instance it ever creates in a class-level
   list, for its dashboard (`/moto-api/data.json`); a DynamoDB item is one, and so is every
   copy a Query or a transaction makes. Deleted items therefore stayed in memory for the
   life of the process (about 4 MB per initialize-and-reset cycle of the default data set,
   whatever the sweeper deleted). Items are values, not resources: they are no longer
   tracked, so a deleted item's memory is freed (the dashboard still lists the tables).
7. Requests are parsed by compiled shapes. moto's JSON request parser walked every
   attribute of every item along botocore shapes with a dynamic method lookup per value
   (a quarter of a bulk BatchWriteItem load). Each DynamoDB input shape is now compiled
   once into a function giving the same parameters (``moto_request_parsing``); anything
   unusual goes through moto's parser.
8. Counter updates skip the expression machinery. Every answered request writes two counter
   items with ``ADD`` numbers and ``SET`` values (``if_not_exists`` for the expiry); moto
   parsed each expression twice, walked and copied its tree, and deep-copied the item twice.
   That shape of UpdateItem is now applied directly with moto's number arithmetic and
   answered by moto's own response code (``moto_counter_updates``); any other shape, any
   condition, a table with a stream, anything moto would refuse goes through moto's path.

Every change keeps DynamoDB's answers exactly: tests/unit/local_runtime/test_moto_tuning.py
runs the same calls with and without it (``revert()``) and compares the responses and the
stored state. Tests under plain ``mock_aws`` keep moto's own code unless they apply it.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["apply", "applied", "revert", "untuned"]

_lock = threading.Lock()
_patches: list[tuple[Any, str, Any]] = []  # (owner, attribute, moto's original)
_INHERITED = object()  # the owner had no attribute of its own: revert deletes the patch


def applied() -> bool:
    """Whether the tuning is in effect."""
    return bool(_patches)


def apply(*, speedups: bool = True) -> None:
    """Put every fix in place (idempotent); ``speedups=False``: thread safety only.

    Benchmarks compare the two in one run (``LOCAL_RUNTIME_MOTO_SPEEDUPS=0`` for a runtime).
    """
    with _lock:
        if _patches:
            return
        _serialise_dynamodb_calls()
        _untrack_items()
        if speedups:
            _size_check_items_once()
            _memoise_attribute_picking()
            _query_one_partition()
            _journal_transactions()
            _compile_request_parsing()
            _apply_counter_updates_directly()


def revert() -> None:
    """Put moto's own code back."""
    with _lock:
        while _patches:
            owner, name, original = _patches.pop()
            if original is _INHERITED:
                delattr(owner, name)
            else:
                setattr(owner, name, original)


@contextmanager
def tuned() -> Iterator[None]:
    """Run a block with the tuning in effect, reverting it after if it was not before."""
    was_applied = applied()
    apply()
    try:
        yield
    finally:
        if not was_applied:
            revert()


@contextmanager
def untuned() -> Iterator[None]:
    """Run a block with moto's own code, re-applying the tuning after if it was in effect."""
    was_applied = applied()
    revert()
    try:
        yield
    finally:
        if was_applied:
            apply()


def _patch(owner: Any, name: str, replacement: Any) -> None:
    _patches.append((owner, name, vars(owner).get(name, _INHERITED)))
    setattr(owner, name, replacement)


# ---------------------------------------------------------------- 1. one call at a time


def _serialise_dynamodb_calls() -> None:
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.RLock()
    call_action = DynamoHandler.__dict__["call_action"]

    def serialised(self: DynamoHandler) -> Any:
        with lock:
            return call_action(self)

    _patch(DynamoHandler, "call_action", serialised)


# ---------------------------------------------------------------- 2. item size, once


def _size_check_items_once() -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict, bytesize

    limit = 405_000  # moto's own limit (LimitedSizeDict): between AWS's documented and observed

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

    _patch(Item, "__init__", __init__)


# ---------------------------------------------------------------- 3. serializer


def _memoise_attribute_picking() -> None:
    from moto.core.serialize import (
        DEFAULT_ALIAS_PROVIDERS,
        AttributePickerContext,
        JSONSerializer,
        XFormedAttributePicker,
    )
    from moto.core.utils import MISSING, get_value

    structure_of_moto = JSONSerializer._serialize_type_structure  # BaseJSONSerializer's

    def plan(serializer: Any, picker: Any, shape: Any) -> list[tuple[Any, ...]]:
        """Per member: its key, shape, and the attribute names moto would try, in order.

        The alias providers look at the object only for its class and a ``Meta``
        attribute, which every plain dict shares; the rest is the member's shape and its
        parent structure, so the names hold for every dict serialized as this structure.
        """
        members = []
        for member_key, member_shape in shape.members.items():
            member_shape.parent = shape
            context = AttributePickerContext(
                obj={},
                key=member_key,
                shape=member_shape,
                operation_model=serializer.operation_model,
                service_model=serializer.operation_model.service_model,
                key_path="",
            )
            names = tuple(picker.get_possible_keys(context))
            # A dotted name is a path, not a key: such a member is always looked up.
            name_set = None if any("." in name for name in names) else frozenset(names)
            members.append((member_key, member_shape, names, name_set))
        return members

    def structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        picker = self._value_picker
        if (
            type(value) is not dict
            or shape.is_document_type
            or type(picker) is not XFormedAttributePicker
            or picker.alias_providers is not DEFAULT_ALIAS_PROVIDERS
            or picker.response_transformers
        ):
            structure_of_moto(self, serialized, value, shape, key)
            return
        members = shape.__dict__.get("_tuned_members")
        if members is None:
            members = shape.__dict__["_tuned_members"] = plan(self, picker, shape)
        wrapper: Any = self.MAP_TYPE() if key else serialized
        for member_key, member_shape, names, name_set in members:
            if name_set is not None and name_set.isdisjoint(value):
                continue  # no attribute of the dict names this member: moto finds None
            member_shape.parent = shape
            for name in names:
                found = get_value(value, name, MISSING) if "." in name else value.get(name, MISSING)
                if found is not MISSING:
                    if found is not None:
                        self._serialize(wrapper, found, member_shape, member_key)
                    break
        if key:
            self._default_serialize(serialized, wrapper, shape, key)

    _patch(JSONSerializer, "_serialize_type_structure", structure)


# ---------------------------------------------------------------- 4. query one partition


class _OnePartition:
    """A table whose ``all_items`` is one partition's candidates, in moto's order."""

    def __init__(self, table: Any, items: list[Any], *, in_index_order: bool) -> None:
        self._table = table
        self._items = items
        self._in_index_order = in_index_order

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)

    def all_items(self) -> list[Any]:
        if self._in_index_order:
            return self._items
        # moto's Table.all_items order: by (hash key, range key); one hash key here.
        return sorted(self._items, key=lambda item: item.range_key)

    def sorted_items(self, hash_attrs: Any, range_attrs: Any, items: list[Any]) -> list[Any]:
        if self._in_index_order:
            return items  # a subsequence of all_items(), which is in this order already
        return self._table.sorted_items(hash_attrs, range_attrs, items)


def _query_one_partition() -> None:
    from moto.dynamodb.models.table import LocalSecondaryIndex, Table

    query_of_moto: Callable[..., Any] = Table.__dict__["query"]

    def query(self: Table, *args: Any, **kwargs: Any) -> Any:
        partition = _partition_of_query(self, args, kwargs, LocalSecondaryIndex)
        if partition is None:
            return query_of_moto(self, *args, **kwargs)
        items = list(self.items[partition].values()) if partition in self.items else []
        candidates = _in_index_order(self, items, args, kwargs)
        if candidates is None:
            return query_of_moto(_OnePartition(self, items, in_index_order=False), *args, **kwargs)
        return query_of_moto(_OnePartition(self, candidates, in_index_order=True), *args, **kwargs)

    _patch(Table, "query", query)


def _in_index_order(
    table: Any, items: list[Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> list[Any] | None:
    """What moto's Query reaches of one partition, found on strings (``moto_query_order``)."""
    from local_runtime.moto_query_order import in_index_order

    return in_index_order(table, items, args, kwargs)


def _partition_of_query(
    table: Any, args: tuple[Any, ...], kwargs: dict[str, Any], lsi_class: type
) -> Any:
    """The partition key value a query is confined to, or None to keep moto's full walk."""
    if not table.range_key_attr:
        return None  # items stored without a partition level
    hash_key = args[0] if args else kwargs.get("hash_key")
    if hash_key is None:
        return None
    index_name = args[7] if len(args) > 7 else kwargs.get("index_name")
    if index_name is None:
        return hash_key
    index = next((i for i in table.indexes or [] if i.name == index_name), None)
    if not isinstance(index, lsi_class):
        return None  # a GSI (or an unknown index: moto's own error)
    conditions = kwargs.get("hash_key_conditions") or []
    if len(conditions) != 1 or conditions[0][0] != table.hash_key_attr:
        return None
    return conditions[0][1]


# ---------------------------------------------------------------- 5. transactions


class _Journal:
    """What a transaction may change in one table, taken before it runs."""

    def __init__(self, table: Any, keys: list[tuple[Any, Any]]) -> None:
        self.table = table
        self.had_partition: dict[Any, bool] = {}
        self.partitions: dict[Any, dict[Any, Any]] = {}
        self.items: dict[tuple[Any, Any], Any] = {}
        for hash_key, range_key in keys:
            if hash_key not in self.had_partition:
                self.had_partition[hash_key] = hash_key in table.items
                self.partitions[hash_key] = dict(table.items.get(hash_key, {}))
            item = self.partitions[hash_key].get(range_key)
            # Update changes an item in place, so the original is a copy of it.
            self.items[(hash_key, range_key)] = copy.deepcopy(item)

    def restore(self) -> None:
        for hash_key, had in self.had_partition.items():
            if not had:
                self.table.items.pop(hash_key, None)
                continue
            partition = self.table.items[hash_key]
            partition.clear()
            partition.update(self.partitions[hash_key])  # membership and order as before
        for (hash_key, range_key), item in self.items.items():
            if item is not None:
                self.table.items[hash_key][range_key] = item


class _ItemJournal:
    """What a transaction may change in a table without a sort key: the touched items (a copy
    of each, as Update changes an item in place) and whether each existed."""

    def __init__(self, table: Any, keys: list[Any]) -> None:
        self.table = table
        self.items = {key: copy.deepcopy(table.items.get(key)) for key in keys}
        self.existed = {key: key in table.items for key in keys}

    def restore(self) -> None:
        for key, item in self.items.items():
            if self.existed[key]:
                self.table.items[key] = item  # an existing key keeps its place in the order
            else:
                self.table.items.pop(key, None)


def _journal_transactions() -> None:
    from moto.dynamodb import models
    from moto.dynamodb.models import DynamoDBBackend

    transact_of_moto: Callable[..., Any] = DynamoDBBackend.__dict__["transact_write_items"]
    journalled = threading.local()
    real_copy = models.copy

    class _Copy:
        """moto's `copy` module, except that a journalled table is not deep-copied."""

        def __getattr__(self, name: str) -> Any:
            return getattr(real_copy, name)

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            journals = getattr(journalled, "tables", None)
            if journals is not None and id(value) in journals:
                # The "copy" moto keeps for its rollback is the live table: on a rollback it
                # assigns it back (no change), and the journal restores the touched items.
                return value
            return real_copy.deepcopy(value, memo)

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        journals = _journals_for(self, transact_items)
        if journals is None:  # something moto will refuse or a table we cannot journal
            return transact_of_moto(self, transact_items)
        journalled.tables = {id(journal.table): journal for journal in journals}
        try:
            return transact_of_moto(self, transact_items)
        except BaseException:
            for journal in journals:
                journal.restore()
            raise
        finally:
            journalled.tables = None

    _patch(models, "copy", _Copy())
    _patch(DynamoDBBackend, "transact_write_items", transact_write_items)


def _journals_for(
    backend: Any, transact_items: list[dict[str, Any]]
) -> list[_Journal | _ItemJournal] | None:
    """A journal per table the transaction writes; None: moto copies them all."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    keys: dict[str, list[tuple[Any, Any]]] = {}
    item_keys: dict[str, list[Any]] = {}
    if len(transact_items) > 100 or any(len(entry) != 1 for entry in transact_items):
        return None  # moto refuses these part-way, without its rollback: keep its path
    try:
        for entry in transact_items:
            kind, operation = next(iter(entry.items()))
            name = operation.get("TableName")
            if not name or name not in backend.tables:
                continue  # moto copies only tables that exist
            table = backend.tables[name]
            if table.stream_shard is not None:
                continue  # stream records to undo: moto deep-copies this table as before
            key = operation["Item"] if "Item" in operation else operation["Key"]
            hash_key = DynamoType(key[table.hash_key_attr])
            if not table.range_key_attr:
                if kind == "Delete":
                    return None  # see 5. in the module's docstring
                item_keys.setdefault(name, []).append(hash_key)
                continue
            range_key = DynamoType(key[table.range_key_attr])
            keys.setdefault(name, []).append((hash_key, range_key))
    except (KeyError, TypeError, AttributeError, StopIteration, IndexError):
        return None  # a malformed operation: moto's own path gives moto's own error
    journals: list[_Journal | _ItemJournal] = [
        _Journal(backend.tables[name], table_keys) for name, table_keys in keys.items()
    ]
    journals += [_ItemJournal(backend.tables[name], names) for name, names in item_keys.items()]
    return journals


# ---------------------------------------------------------------- 6. items untracked


def _untrack_items() -> None:
    from moto.dynamodb.models.dynamo_type import Item

    def __new__(cls: type[Item], *args: Any, **kwargs: Any) -> Item:  # noqa: N807
        return object.__new__(cls)

    _patch(Item, "__new__", staticmethod(__new__))
    Item.instances_tracked.clear()  # type: ignore[attr-defined]


# ---------------------------------------------------------------- 7. request parsing


def _compile_request_parsing() -> None:
    from moto.core.parse import JSONParser, default_blob_parser, default_timestamp_parser

    from local_runtime.moto_request_parsing import parse_json_body

    parse_of_moto: Callable[..., Any] = JSONParser.__dict__["_parse_json_body"]

    def _parse_json_body(self: JSONParser, raw_body: Any, shape: Any) -> Any:
        if (
            type(self) is not JSONParser
            or self.MAP_TYPE is not dict
            or self._blob_parser is not default_blob_parser
            or self._timestamp_parser is not default_timestamp_parser
            or self.operation_model.service_model.service_name != "dynamodb"
        ):
            return parse_of_moto(self, raw_body, shape)
        return parse_json_body(self, raw_body, shape)

    _patch(JSONParser, "_parse_json_body", _parse_json_body)


# ---------------------------------------------------------------- 8. counter updates


def _apply_counter_updates_directly() -> None:
    from moto.dynamodb.responses import DynamoHandler

    from local_runtime.moto_counter_updates import update_counters

    update_of_moto: Callable[..., Any] = DynamoHandler.__dict__["update_item"]

    def update_item(self: DynamoHandler) -> Any:
        result = update_counters(self)
        return update_of_moto(self) if result is None else result

    _patch(DynamoHandler, "update_item", update_item)
