"""The runtime's moto tuning gives the same answers as moto's own code, only faster.

Each scenario runs twice in a fresh moto account, once with moto's own code
(``moto_tuning.untuned()``) and once tuned, and the responses (errors and cancellation
reasons included) and the stored state afterwards (a scan, in moto's order) must be equal.
"""

from __future__ import annotations

import base64
import json
import string
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from local_runtime import moto_tuning

Calls = Callable[[Any], list[Any]]


# These tests switch the tuning on and off; the process-wide state is put back after each.
pytestmark = pytest.mark.usefixtures("moto_tuning_restored")


def create_tables(client: Any) -> None:
    # The ledger's shape: partition + sort key and a local secondary index on a time key.
    client.create_table(
        TableName="ledger",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "ts", "AttributeType": "S"},
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by_time",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "ts", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    # A numeric sort key: moto's own ordering of the partition's items (no string shortcut).
    client.create_table(
        TableName="events",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "seq", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "seq", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.create_table(
        TableName="counters",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def outcome(call: Callable[[], Any]) -> Any:
    """A response without its metadata, or the error as the client sees it."""
    try:
        response = call()
    except ClientError as exc:
        error = exc.response
        return {
            "error": error["Error"],
            "reasons": error.get("CancellationReasons"),
        }
    except AttributeError as exc:
        # moto's serializer writes a map's "" key over the map itself (the value is then
        # no item botocore can parse); the tuned serializer must do exactly the same.
        return {"unparseable": str(exc)}
    response.pop("ResponseMetadata", None)
    return response


def state(client: Any) -> dict[str, Any]:
    """Every item of every table, in the order moto returns them."""
    return {
        name: outcome(lambda name=name: client.scan(TableName=name)).get("Items")
        for name in client.list_tables()["TableNames"]
    }


def run(calls: Calls, *, tuned: bool) -> list[Any]:
    if tuned:
        moto_tuning.apply()
    else:
        moto_tuning.revert()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_tables(client)
        results = calls(client)
        results.append(state(client))
        return results


def assert_same_with_and_without_tuning(calls: Calls) -> list[Any]:
    untuned = run(calls, tuned=False)
    tuned = run(calls, tuned=True)
    assert tuned == untuned
    return tuned


# ---------------------------------------------------------------- items and queries


def item(pk: str, sk: str, ts: str, **extra: Any) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, "ts": {"S": ts}, **extra}


def filled(client: Any) -> None:
    # Three partitions, written interleaved and out of order, plus items without `ts`
    # (absent from the index).
    for number in range(30):
        pk = f"p{number % 3}"
        ts = f"2026-11-{(number * 7) % 28 + 1:02d}#{number:03d}"
        extra = {"n": {"N": str(number)}, "flag": {"BOOL": number % 2 == 0}}
        if number % 5 == 0:
            client.put_item(TableName="ledger", Item={"pk": {"S": pk}, "sk": {"S": f"x{number}"}})
        client.put_item(TableName="ledger", Item=item(pk, f"s{29 - number:03d}", ts, **extra))
        seq = {"N": str((number * 37) % 101 - 50)}
        client.put_item(TableName="events", Item={"pk": {"S": pk}, "seq": seq, **extra})


def pages(client: Any, **request: Any) -> list[Any]:
    """Every page of a query, following LastEvaluatedKey."""
    results = []
    while True:
        response = outcome(lambda: client.query(**{"TableName": "ledger", **request}))
        results.append(response)
        start = response.get("LastEvaluatedKey")
        if not start:
            return results
        request["ExclusiveStartKey"] = start


QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "pk = :p", "Limit": 4},
    {"KeyConditionExpression": "pk = :p", "Limit": 3, "ScanIndexForward": False},
    {"IndexName": "by_time", "KeyConditionExpression": "pk = :p", "Limit": 4},
    {
        "IndexName": "by_time",
        "KeyConditionExpression": "pk = :p",
        "Limit": 2,
        "ScanIndexForward": False,
    },
    {
        "IndexName": "by_time",
        "KeyConditionExpression": "pk = :p AND ts BETWEEN :lo AND :hi",
        "Limit": 3,
    },
    {"IndexName": "by_time", "KeyConditionExpression": "pk = :p AND ts >= :lo"},
    {"KeyConditionExpression": "pk = :p AND begins_with(sk, :s)", "Limit": 2},
    {
        "IndexName": "by_time",
        "KeyConditionExpression": "pk = :p",
        "FilterExpression": "flag = :t",
        "Limit": 5,
    },
    {
        "IndexName": "by_time",
        "KeyConditionExpression": "pk = :p",
        "ProjectionExpression": "sk, n",
        "Limit": 4,
    },
    {"IndexName": "by_time", "KeyConditionExpression": "pk = :p", "Select": "COUNT"},
    {"KeyConditionExpression": "pk = :nobody"},
    {"TableName": "events", "KeyConditionExpression": "pk = :p", "Limit": 4},
    {
        "TableName": "events",
        "KeyConditionExpression": "pk = :p AND seq > :zero",
        "Limit": 3,
        "ScanIndexForward": False,
    },
]
VALUES = {
    ":p": {"S": "p1"},
    ":lo": {"S": "2026-11-05"},
    ":hi": {"S": "2026-11-20"},
    ":s": {"S": "s01"},
    ":t": {"BOOL": True},
    ":nobody": {"S": "p9"},
    ":zero": {"N": "0"},
}


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: json.dumps(q, sort_keys=True))
def test_queries_page_through_one_partition_as_moto_does(query):
    def calls(client: Any) -> list[Any]:
        filled(client)
        names = {k for k in VALUES if k in json.dumps(query)}
        values = {k: v for k, v in VALUES.items() if k in names}
        return pages(client, ExpressionAttributeValues=values, **query)

    results = assert_same_with_and_without_tuning(calls)
    assert any(page.get("Items") or page.get("Count") for page in results[:-1]) or (
        "nobody" in json.dumps(query)
    )


def test_query_of_an_unknown_index_fails_the_same_way():
    def calls(client: Any) -> list[Any]:
        filled(client)
        return [
            outcome(
                lambda: client.query(
                    TableName="ledger",
                    IndexName="nope",
                    KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "p1"}},
                )
            )
        ]

    (failure, _) = assert_same_with_and_without_tuning(calls)
    assert failure["error"]["Code"] in ("ValidationException", "ResourceNotFoundException")


# ---------------------------------------------------------------- responses of any item


def attribute_values(depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    text = st.text(alphabet=string.printable + "éß€😀", max_size=12)
    numbers = st.decimals(
        allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9
    ).map(lambda d: str(d.normalize()) if d == d.to_integral() else str(d))
    blobs = st.binary(max_size=12)
    scalars = st.one_of(
        text.map(lambda v: {"S": v}),
        numbers.map(lambda v: {"N": v}),
        blobs.map(lambda v: {"B": v}),
        st.booleans().map(lambda v: {"BOOL": v}),
        st.just({"NULL": True}),
        st.sets(text, min_size=1, max_size=3).map(lambda v: {"SS": sorted(v)}),
        st.sets(numbers, min_size=1, max_size=3).map(lambda v: {"NS": sorted(v)}),
        st.sets(blobs, min_size=1, max_size=3).map(lambda v: {"BS": sorted(v)}),
    )
    if depth == 0:
        return scalars
    inner = attribute_values(depth - 1)
    return st.one_of(
        scalars,
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(text, inner, max_size=3).map(lambda v: {"M": v}),
    )


items_of_any_shape = st.dictionaries(
    st.text(alphabet=string.ascii_letters, min_size=1, max_size=8).filter(
        lambda name: name not in ("pk", "sk", "ts")
    ),
    attribute_values(),
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attributes=items_of_any_shape)
def test_items_of_any_shape_come_back_the_same(attributes):
    def calls(client: Any) -> list[Any]:
        stored = item("p", "s", "t", **attributes)
        client.put_item(TableName="ledger", Item=stored)
        return [
            outcome(
                lambda: client.get_item(
                    TableName="ledger", Key={"pk": {"S": "p"}, "sk": {"S": "s"}}
                )
            ),
            outcome(
                lambda: client.query(
                    TableName="ledger",
                    IndexName="by_time",
                    KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "p"}},
                )
            ),
            outcome(
                lambda: client.put_item(TableName="ledger", Item=stored, ReturnValues="ALL_OLD")
            ),
        ]

    got, queried, _, _ = assert_same_with_and_without_tuning(calls)
    if "unparseable" not in got:
        assert got["Item"].keys() == {"pk", "sk", "ts", *attributes}
        assert queried["Count"] == 1


def test_serialized_bodies_are_byte_for_byte_moto_s():
    """The bytes on the wire, not only what botocore parses out of them."""
    from moto.core.responses import ActionContext
    from moto.core.serialize import JSONSerializer
    from moto.core.utils import get_service_model
    from moto.dynamodb.responses import DynamoHandler, DynamoResult

    model = get_service_model("dynamodb")
    result = {
        "Items": [
            {
                "pk": {"S": "p"},
                "n": {"N": "1.50"},
                "b": {"B": b"\x00\xff"},
                "bs": {"BS": [b"a", b"b"]},
                "l": {"L": [{"NULL": True}, {"BOOL": False}, {"M": {"k": {"SS": ["x"]}}}]},
            }
        ],
        "Count": 1,
        "ScannedCount": 1,
        "LastEvaluatedKey": {"pk": {"S": "p"}},
        "ConsumedCapacity": {"TableName": "ledger", "CapacityUnits": 0.5},
    }

    def body() -> bytes:
        context = ActionContext(
            model, model.operation_model("Query"), JSONSerializer, DynamoHandler()
        )
        return json.dumps(DynamoResult(result).execute_result(context)).encode()

    moto_tuning.revert()
    untuned = body()
    moto_tuning.apply()
    assert body() == untuned
    assert base64.b64encode(b"\x00\xff").decode() in untuned.decode()


# ---------------------------------------------------------------- transactions


def put(pk: str, sk: str, condition: str | None = None, **extra: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {"TableName": "ledger", "Item": item(pk, sk, "t", **extra)}
    if condition:
        operation["ConditionExpression"] = condition
    return {"Put": operation}


def update(pk: str, sk: str, expression: str, condition: str | None = None, **values: Any):
    operation: dict[str, Any] = {
        "TableName": "ledger",
        "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
        "UpdateExpression": expression,
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    if values:
        operation["ExpressionAttributeValues"] = values
    if condition:
        operation["ConditionExpression"] = condition
    return {"Update": operation}


def counter(name: str, condition: str | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "TableName": "counters",
        "Key": {"id": {"S": name}},
        "UpdateExpression": "ADD hits :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }
    if condition:
        operation["ConditionExpression"] = condition
    return {"Update": operation}


TRANSACTIONS: dict[str, list[list[dict[str, Any]]]] = {
    "all succeed": [
        [put("a", "1", balance={"N": "10"}), put("a", "2", balance={"N": "5"})],
        [
            update("a", "1", "SET balance = balance - :x", "balance >= :x", **{":x": {"N": "3"}}),
            update("a", "2", "SET balance = balance + :x", **{":x": {"N": "3"}}),
            counter("transfers"),
        ],
    ],
    "a failed condition cancels everything, with the old item": [
        [put("a", "1", balance={"N": "10"}), put("a", "2", balance={"N": "5"})],
        [
            update("a", "2", "SET balance = balance + :x", **{":x": {"N": "30"}}),
            put("new", "1"),
            counter("transfers"),
            update("a", "1", "SET balance = balance - :x", "balance >= :x", **{":x": {"N": "30"}}),
        ],
        [put("a", "3"), put("b", "1", "attribute_not_exists(pk)")],
    ],
    "a delete and a put in new partitions roll back": [
        [put("a", "1"), put("a", "2"), put("a", "3")],
        [
            {"Delete": {"TableName": "ledger", "Key": {"pk": {"S": "a"}, "sk": {"S": "2"}}}},
            put("fresh", "1"),
            put("a", "4"),
            {
                "ConditionCheck": {
                    "TableName": "ledger",
                    "Key": {"pk": {"S": "a"}, "sk": {"S": "9"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ],
        [put("a", "5"), put("a", "1", "attribute_not_exists(pk)")],
    ],
    "two operations on one item are refused whole": [
        [put("a", "1")],
        [put("a", "2"), update("a", "1", "SET x = :v", **{":v": {"S": "y"}}), put("a", "1")],
    ],
    "an invalid update expression is refused whole": [
        [put("a", "1", x={"S": "text"})],
        [put("a", "2"), update("a", "1", "SET x = x + :v", **{":v": {"N": "1"}})],
    ],
    "an item over the size limit cancels the transaction": [
        [put("a", "1")],
        [put("a", "2"), put("a", "3", big={"S": "x" * 410_000})],
    ],
    "a table without a sort key: new and changed items roll back": [
        [counter("a"), counter("b")],
        [counter("b"), counter("c"), counter("a", "hits > :one")],
        [counter("d"), counter("a", "attribute_not_exists(id)")],
    ],
    "a delete in a table without a sort key": [
        [counter("a"), counter("b"), counter("c")],
        [
            {"Delete": {"TableName": "counters", "Key": {"id": {"S": "a"}}}},
            counter("c", "attribute_not_exists(id)"),
        ],
        [{"Delete": {"TableName": "counters", "Key": {"id": {"S": "b"}}}}, counter("e")],
    ],
    "a missing table and a key without its sort key": [
        [put("a", "1")],
        [put("a", "2"), {"Put": {"TableName": "missing", "Item": {"pk": {"S": "a"}}}}],
        [put("a", "4"), {"Put": {"TableName": "ledger", "Item": {"pk": {"S": "a"}}}}],
    ],
}


@pytest.mark.parametrize("name", TRANSACTIONS)
def test_transactions_answer_and_roll_back_as_moto_does(name):
    def calls(client: Any) -> list[Any]:
        results = []
        for transaction in TRANSACTIONS[name]:
            results.append(
                outcome(lambda t=transaction: client.transact_write_items(TransactItems=t))
            )
            results.append(state(client))
        return results

    results = assert_same_with_and_without_tuning(calls)
    if name != "all succeed":
        assert any("error" in result for result in results[::2])


# ---------------------------------------------------------------- item size


@pytest.fixture
def table():
    moto_tuning.apply()
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="us-east-1")
        yield resource.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )


def test_items_under_the_limit_are_stored_whole(table):
    item = {"pk": "a", "nested": {"list": [1, 2, {"x": "y"}]}, "text": "z" * 1000}
    table.put_item(Item=item)
    assert table.get_item(Key={"pk": "a"})["Item"] == item


def test_items_over_the_limit_are_still_refused(table):
    with pytest.raises(ClientError, match="Item size has exceeded"):
        table.put_item(Item={"pk": "b", **{f"a{i}": "x" * 50_000 for i in range(9)}})
    assert "Item" not in table.get_item(Key={"pk": "b"})


def test_applying_twice_is_harmless(table):
    moto_tuning.apply()
    table.put_item(Item={"pk": "c"})
    assert table.get_item(Key={"pk": "c"})["Item"] == {"pk": "c"}


def test_revert_puts_moto_s_own_code_back():
    from moto.core.serialize import JSONSerializer
    from moto.dynamodb.models.table import Table

    moto_tuning.revert()
    own = (Table.query, JSONSerializer._serialize_type_structure)
    moto_tuning.apply()
    assert (Table.query, JSONSerializer._serialize_type_structure) != own
    moto_tuning.revert()
    assert (Table.query, JSONSerializer._serialize_type_structure) == own
    assert "_serialize_type_structure" not in vars(JSONSerializer)
