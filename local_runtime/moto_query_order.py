"""The items of one partition that moto's Query reaches, found on strings, in moto's order.

moto's Query compares DynamoType objects, a Python call per comparison: sorting a
20,000-item partition took about a second, on every Query of it. When the sort keys are
strings (every key of the ledger), the same order and the same key condition are worked
out on the strings themselves, and moto's Query then runs unchanged on what it would reach:

- the items the key condition accepts (they form one run of the index's order, since the
  condition tests the first sort key only), cut to the Limit + 1 that a first page reaches;
- and, when it can change the answer, the one item past that run: moto looks at the next
  item before it tests the condition, and reports a LastEvaluatedKey if Limit (or the
  1 MB page size) is reached there.

Used by ``moto_tuning`` (the Query of one partition); the tuned-versus-moto comparison in
tests/unit/local_runtime/test_moto_tuning.py holds it to moto's answers.
"""

from __future__ import annotations

from bisect import bisect_left
from operator import itemgetter
from typing import Any

QUERY_PARAMETERS = (
    "hash_key",
    "range_comparison",
    "range_objs",
    "limit",
    "exclusive_start_key",
    "scan_index_forward",
    "projection_expressions",
    "index_name",
    "consistent_read",
    "filter_expression",
)
_RESULT_SIZE_LIMIT = 1_000_000  # moto's page size (table.RESULT_SIZE_LIMIT)
_MAX_ITEM_SIZE = 405_000  # moto's item size limit


def in_index_order(
    table: Any, items: list[Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> list[Any] | None:
    """What moto's ``Table.query(*args, **kwargs)`` reaches of one partition's ``items``,
    in ascending index order; None to leave the query to moto (any key not a string)."""
    from moto.dynamodb.comparisons import get_comparison_func

    given = dict(zip(QUERY_PARAMETERS, args, strict=False))
    given.update((name, kwargs[name]) for name in QUERY_PARAMETERS if name in kwargs)
    if set(kwargs) - {*QUERY_PARAMETERS, "hash_key_conditions", "range_key_conditions"}:
        return None  # legacy KeyConditions filters
    order = _sort_attributes(table, given.get("index_name"))
    if order is None:
        return None
    first = order[0]
    test, bounds = None, []
    if given.get("range_comparison"):
        conditions = kwargs.get("range_key_conditions") or []
        compared = conditions[-1][0] if conditions else first
        range_objs = given.get("range_objs") or []
        if compared != first or any(bound.type != "S" for bound in range_objs):
            return None
        test = get_comparison_func(given["range_comparison"])
        bounds = [bound.value for bound in range_objs]

    # One pass over the whole partition, kept tight and allocating no tuples: a Query must
    # not feed the garbage collector, whose full passes over moto's items take ~0.3 s.
    inside, outside = [], []
    for item in items:
        value = item.attrs.get(first)
        if not value:
            continue  # an item without the index's key is not in the index
        if value.type != "S":
            return None
        if test is None or test(value.value, *bounds):
            inside.append(item)
        else:
            outside.append(item)

    def first_key(item: Any) -> str:
        return item.attrs[first].value  # type: ignore[no-any-return]

    inside.sort(key=first_key)
    run = _Run.of(inside, [first_key(item) for item in inside], order)
    if run is None:
        return None

    forward = given.get("scan_index_forward", True) is not False
    limit = given.get("limit")
    low, high = 0, len(run.items)
    start = given.get("exclusive_start_key")
    if start is not None:
        position = _start_position(start, order)
        if position is None:
            return None
        # moto skips what comes before the start key, or at it, in the direction read.
        if forward:
            low = run.after(position)
        else:
            high = run.before(position)
    remaining = max(0, high - low)
    reached = run.items[low:high]
    if limit:
        reached = reached[: limit + 1] if forward else reached[-(limit + 1) :]
    if run.items and outside and _neighbour_counts(reached, remaining, limit, forward):
        edge = run.items[-1] if forward else run.items[0]
        neighbour = _neighbour(outside, order, edge.attrs[first].value, forward)
        if neighbour is False:
            return None
        if neighbour is not None:
            reached = [*reached, neighbour] if forward else [neighbour, *reached]
    return reached


class _Run:
    """The items the key condition accepts, in index order, and their sort keys."""

    def __init__(self, items: list[Any], keys: list[Any], order: tuple[str, ...]) -> None:
        self.items = items
        self._keys = keys  # first sort key only while no two items share it; else full keys
        self._order = order

    @classmethod
    def of(cls, inside: list[Any], texts: list[str], order: tuple[str, ...]) -> _Run | None:
        """``inside`` sorted by first sort key (``texts``), fully ordered."""
        if all(map(str.__ne__, texts, texts[1:])):
            return cls(inside, texts, order)
        keyed = _keyed(inside, order)  # ties on the first key: the table's key decides
        if keyed is None:
            return None
        keyed.sort(key=itemgetter(0))
        return cls([item for _, item in keyed], [key for key, _ in keyed], order)

    def _key(self, index: int) -> tuple[str, ...]:
        if self._keys and isinstance(self._keys[0], tuple):
            return self._keys[index]  # type: ignore[no-any-return]
        item = self.items[index]
        return tuple(item.attrs[name].value for name in self._order)

    def after(self, position: tuple[str, ...]) -> int:
        """The index of the first item past ``position``."""
        index = self._search(position)
        while index < len(self.items) and self._key(index) <= position:
            index += 1
        return index

    def before(self, position: tuple[str, ...]) -> int:
        """One past the index of the last item before ``position``."""
        index = self._search(position)
        while index > 0 and self._key(index - 1) >= position:
            index -= 1
        while index < len(self.items) and self._key(index) < position:
            index += 1
        return index

    def _search(self, position: tuple[str, ...]) -> int:
        if self._keys and isinstance(self._keys[0], tuple):
            return bisect_left(self._keys, position)
        return bisect_left(self._keys, position[0])


def _sort_attributes(table: Any, index_name: str | None) -> tuple[str, ...] | None:
    # moto sorts an index by (index range key, table range key); the partition is one hash key.
    if not index_name:
        return (table.range_key_attr,)
    index = next(i for i in table.indexes if i.name == index_name)
    ranges = [key["AttributeName"] for key in index.schema if key["KeyType"] == "RANGE"]
    return (ranges[0], table.range_key_attr) if len(ranges) == 1 else None


def _keyed(items: list[Any], order: tuple[str, ...]) -> list[tuple[Any, Any]] | None:
    """(sort key, item) pairs on the attributes' strings; None if one is not a string."""
    keyed = []
    for item in items:
        key = []
        for name in order:
            value = item.attrs[name]
            if value.type != "S":
                return None
            key.append(value.value)
        keyed.append((tuple(key), item))
    return keyed


def _start_position(start: dict[str, Any], order: tuple[str, ...]) -> tuple[str, ...] | None:
    position = []
    for name in order:
        value = start.get(name)
        if not isinstance(value, dict) or set(value) != {"S"}:
            return None
        position.append(value["S"])
    return tuple(position)


def _neighbour_counts(reached: list[Any], remaining: int, limit: int | None, forward: bool) -> bool:
    """Whether moto's look at the item past the run can change the answer: when the run
    ends exactly at Limit, or when what it returns nears the 1 MB page size."""
    if not limit:
        return True
    if remaining > limit:
        return False  # moto stops inside the run
    if remaining == limit:
        return True
    if not reached:
        return False
    size = sum(item.size() for item in reached)
    return size + _MAX_ITEM_SIZE > _RESULT_SIZE_LIMIT


def _neighbour(outside: list[Any], order: tuple[str, ...], edge: str, forward: bool) -> Any:
    """The item next past first sort key ``edge`` among ``outside`` (None if none; False if
    a key is not a string)."""
    first = order[0]
    best = None
    for item in outside:
        value = item.attrs[first].value
        if ((value > edge) if forward else (value < edge)) and (
            best is None or ((value < best) if forward else (value > best))
        ):
            best = value
    if best is None:
        return None
    tied = _keyed([item for item in outside if item.attrs[first].value == best], order)
    if tied is None:
        return False
    pair = min(tied, key=itemgetter(0)) if forward else max(tied, key=itemgetter(0))
    return pair[1]
