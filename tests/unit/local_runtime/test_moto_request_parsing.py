"""DynamoDB requests parse to the same parameters with the runtime's compiled shapes as with moto.

Each request body is parsed by moto's own ``JSONParser`` (``moto_tuning.untuned()``) and by
the tuned one, and the outcomes must be identical: the same values of the same types, the
same key order at every level, or the same error.
"""

from __future__ import annotations

import base64
import json
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto.core.parse import JSONParser
from moto.core.utils import get_service_model

from local_runtime import moto_request_parsing, moto_tuning

# These tests switch the tuning on and off; the process-wide state is put back after each.
pytestmark = pytest.mark.usefixtures("moto_tuning_restored")


def parse(operation: str, body: bytes) -> Any:
    """The parameters moto's handler would get for ``body``, or the error it would raise."""
    model = get_service_model("dynamodb").operation_model(operation)
    parser = JSONParser(model, map_type=dict)  # as moto's BaseResponse.parse_parameters
    try:
        return typed(parser.parse({"body": body}))  # type: ignore[typeddict-item]
    except Exception as exc:  # the error is part of the outcome compared
        return ("error", type(exc).__name__, str(exc))


def typed(value: Any) -> Any:
    """``value`` with every type and every key order made part of what ``==`` compares."""
    if isinstance(value, dict):
        return (type(value).__name__, [(key, typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    return (type(value).__name__, repr(value))


def compiled(operation: str, request: Any) -> Any:
    """``request`` converted by the compiled shapes alone (no fallback to moto's parser)."""
    service = get_service_model("dynamodb")
    shape = service.operation_model(operation).input_shape
    convert = moto_request_parsing.compiled_parser(
        (service.service_name, service.api_version), shape
    )
    assert convert is not None
    return convert(request, 0)


def both_ways(operation: str, request: Any) -> tuple[Any, Any]:
    body = request if isinstance(request, bytes) else json.dumps(request).encode()
    moto_tuning.apply()
    tuned = parse(operation, body)
    with moto_tuning.untuned():
        untuned = parse(operation, body)
    return tuned, untuned


# ---------------------------------------------------------------- requests


names = st.text(string.ascii_letters + "#:_", min_size=1, max_size=6)
blobs = st.binary(max_size=12).map(lambda raw: base64.b64encode(raw).decode())
numbers = st.integers(-(10**12), 10**12).map(str)
# JSON a client may send where a member of another type is expected.
odd_json = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False),
    st.text(max_size=4),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(0, 3), max_size=2),
)
well_formed_values = st.one_of(
    st.builds(lambda v: {"S": v}, st.text(max_size=8)),
    st.builds(lambda v: {"N": v}, numbers),
    st.builds(lambda v: {"B": v}, blobs),
    st.builds(lambda v: {"SS": v}, st.lists(st.text(max_size=4), max_size=3)),
    st.builds(lambda v: {"NS": v}, st.lists(numbers, max_size=3)),
    st.builds(lambda v: {"BS": v}, st.lists(blobs, max_size=3)),
    st.just({"NULL": True}),
    st.builds(lambda v: {"BOOL": v}, st.booleans()),
    # What moto drops or reorders: unknown and null members, several members.
    st.builds(lambda name, v: {name: v}, st.sampled_from(["X", "s", "Ss"]), odd_json),
    st.builds(lambda v: {"X": 1, "N": v, "S": None}, numbers),
    st.builds(lambda v, s: {"BS": v, "S": s}, st.lists(blobs, max_size=2), st.text(max_size=2)),
)
# What moto refuses or turns into something odd: a member of the wrong JSON type (a string
# where a list is expected is walked character by character), a blob that is not base64.
malformed_values = st.one_of(
    st.dictionaries(
        st.sampled_from(["S", "N", "B", "SS", "BS", "M", "L", "NULL", "BOOL", "X"]),
        odd_json,
        max_size=3,
    ),
    st.builds(lambda v: {"B": v}, st.sampled_from(["abc", "!!", "", "QQ=="])),
    st.builds(lambda v: {"BS": v}, st.sampled_from(["QQ==", "", "!"])),
    odd_json,
)


def attribute_values(scalars: Any) -> Any:
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.builds(lambda v: {"M": v}, st.dictionaries(names, inner, max_size=3)),
            st.builds(lambda v: {"L": v}, st.lists(inner, max_size=3)),
            st.builds(
                lambda m, s: {"M": m, "S": s}, st.dictionaries(names, inner, max_size=2), names
            ),
        ),
        max_leaves=12,
    )


def put(table: str, item: Any, values: Any) -> dict[str, Any]:
    return {
        "TableName": table,
        "Item": item,
        "ConditionExpression": "attribute_not_exists(pk)",
        "ExpressionAttributeValues": values,
    }


def requests(values: Any, *, malformed: bool) -> dict[str, Any]:
    """Strategies of request bodies per operation, their attribute values drawn from ``values``.

    ``malformed``: other members may hold JSON of any type too (a string for a limit, a
    number for a write request).
    """
    maybe = st.one_of(st.none(), odd_json) if malformed else st.none()
    limits = st.sampled_from(["5", "x", None]) if malformed else st.sampled_from(["5", None])
    items = st.dictionaries(names, values, max_size=5)
    value_maps = st.dictionaries(names.map(lambda n: ":" + n), values, max_size=3)
    put_items = st.builds(put, names, items, value_maps).map(
        lambda r: {**r, "ReturnValues": "NONE"}
    )
    batch_writes = st.builds(
        lambda tables, extra: {"RequestItems": tables, "ReturnConsumedCapacity": "TOTAL", **extra},
        st.dictionaries(
            names,
            st.lists(
                st.one_of(
                    st.builds(lambda i: {"PutRequest": {"Item": i}}, items),
                    st.builds(lambda k: {"DeleteRequest": {"Key": k}}, items),
                    st.builds(lambda i: {"PutRequest": {"Item": i, "Other": 1}}, items),
                    st.builds(lambda v: {"PutRequest": v}, maybe),
                ),
                max_size=4,
            ),
            max_size=2,
        ),
        st.dictionaries(st.sampled_from(["Unknown", "ReturnItemCollectionMetrics"]), maybe),
    )
    transact_writes = st.builds(
        lambda operations, token: {"TransactItems": operations, "ClientRequestToken": token},
        st.lists(
            st.one_of(
                st.builds(lambda t, i, v: {"Put": put(t, i, v)}, names, items, value_maps),
                st.builds(
                    lambda t, k, v: {
                        "Update": {
                            "TableName": t,
                            "Key": k,
                            "UpdateExpression": "SET #a = :v",
                            "ExpressionAttributeNames": {"#a": "a"},
                            "ExpressionAttributeValues": v,
                        }
                    },
                    names,
                    items,
                    value_maps,
                ),
                st.builds(lambda t, k: {"Delete": {"TableName": t, "Key": k}}, names, items),
                st.builds(
                    lambda t, k, v: {
                        "ConditionCheck": {
                            "TableName": t,
                            "Key": k,
                            "ConditionExpression": "x = :v",
                            "ExpressionAttributeValues": v,
                        }
                    },
                    names,
                    items,
                    value_maps,
                ),
            ),
            max_size=4,
        ),
        st.one_of(st.none(), names),
    )
    queries = st.builds(
        lambda table, start, values, limit, forward: {
            "TableName": table,
            "IndexName": "by_time",
            "KeyConditionExpression": "pk = :pk",
            "ExclusiveStartKey": start,
            "ExpressionAttributeValues": values,
            "Limit": limit,
            "ScanIndexForward": forward,
            "ConsistentRead": None,
        },
        names,
        st.one_of(items, st.none()),
        value_maps,
        st.one_of(st.integers(1, 100), limits),
        st.one_of(st.booleans(), st.none(), st.text(max_size=2)),
    )
    updates = st.builds(
        lambda table, key, values: {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "SET a = :a REMOVE b",
            "ExpressionAttributeNames": {"#n": "n"},
            "ExpressionAttributeValues": values,
            "ReturnValues": "ALL_NEW",
        },
        names,
        items,
        value_maps,
    )
    return {
        "PutItem": put_items,
        "BatchWriteItem": batch_writes,
        "TransactWriteItems": transact_writes,
        "Query": queries,
        "UpdateItem": updates,
    }


WELL_FORMED = requests(attribute_values(well_formed_values), malformed=False)
MALFORMED = requests(
    attribute_values(st.one_of(well_formed_values, malformed_values)), malformed=True
)


# ---------------------------------------------------------------- properties


@pytest.mark.parametrize("operation", sorted(WELL_FORMED))
def test_requests_parse_as_moto_parses_them(operation: str) -> None:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(WELL_FORMED[operation])
    def check(request: Any) -> None:
        tuned, untuned = both_ways(operation, request)
        assert tuned == untuned
        # Well-formed: the compiled shapes themselves gave it, not moto's parser as fallback.
        assert typed(compiled(operation, request)) == untuned

    check()


@pytest.mark.parametrize("operation", sorted(MALFORMED))
def test_malformed_requests_parse_or_fail_as_moto_does(operation: str) -> None:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(MALFORMED[operation])
    def check(request: Any) -> None:
        tuned, untuned = both_ways(operation, request)
        assert tuned == untuned

    check()


def test_typical_item_parses_to_decoded_blobs_in_shape_order() -> None:
    item = {
        "pk": {"S": "SANDBOX#1"},
        "blob": {"B": base64.b64encode(b"\x00\xff").decode()},
        "tags": {"BS": [base64.b64encode(b"a").decode()]},
        "amount": {"N": "12.5"},
        "nested": {"M": {"list": {"L": [{"NULL": True}, {"BOOL": False}, {"SS": ["x"]}]}}},
        "both": {"N": "1", "S": "s"},  # parsed in the shape's order: S before N
    }
    tuned, untuned = both_ways("PutItem", {"Item": item, "TableName": "ledger"})

    assert tuned == untuned
    members = dict(tuned[1])
    assert list(members) == ["TableName", "Item"]  # the input shape's order, not the body's
    attributes = dict(members["Item"][1])
    assert attributes["blob"] == ("dict", [("B", ("bytes", repr(b"\x00\xff")))])
    assert attributes["both"] == ("dict", [("S", ("str", "'s'")), ("N", ("str", "'1'"))])


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b'"text"', b"null", b'{"Item": []}', b'{"Item": {"a": "S"}}'],
)
def test_unusual_bodies_parse_or_fail_as_moto_does(body: bytes) -> None:
    tuned, untuned = both_ways("PutItem", body)

    assert tuned == untuned


@pytest.mark.parametrize("stamp", [1_700_000_000, "2024-01-02T03:04:05Z", "1700000000.5", "x"])
def test_timestamps_parse_as_moto_parses_them(stamp: Any) -> None:
    request = {"TableArn": "arn:aws:dynamodb:us-east-1:1:table/t", "ExportTime": stamp}

    tuned, untuned = both_ways("ExportTableToPointInTime", request)

    assert tuned == untuned
    assert tuned[0] == "error" or tuned[1][1][1][0] == "datetime"


@pytest.mark.parametrize("depth", [10, 80, 300])
def test_deep_nesting_parses_or_fails_as_moto_does(depth: int) -> None:
    value: dict[str, Any] = {"S": "leaf"}
    for _ in range(depth):
        value = {"M": {"a": value}}

    tuned, untuned = both_ways("PutItem", {"TableName": "t", "Item": {"pk": value}})

    assert tuned == untuned


def test_each_input_shape_is_compiled_once() -> None:
    service = get_service_model("dynamodb")
    shape = service.operation_model("BatchWriteItem").input_shape
    again = get_service_model("dynamodb").operation_model("BatchWriteItem").input_shape

    key = (service.service_name, service.api_version)
    first = moto_request_parsing.compiled_parser(key, shape)

    assert first is not None
    assert moto_request_parsing.compiled_parser(key, again) is first
