"""Counter updates applied directly give moto's answers and moto's stored items.

Each sequence of UpdateItem calls runs in a fresh moto account with moto's own code
(``moto_tuning.untuned()``) and tuned, and every response (or error) and the stored items
afterwards (a scan of each table, in moto's order) must be equal. The generated requests mix
the counter shape (taken directly) with what must fall back to moto: conditions, sets,
non-numbers, keys, unused or missing placeholders, ``if_not_exists`` of another attribute.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from local_runtime import moto_tuning

# These tests switch the tuning on and off; the process-wide state is put back after each.
pytestmark = pytest.mark.usefixtures("moto_tuning_restored")

Calls = Callable[[Any], list[Any]]


def create_tables(client: Any) -> None:
    client.create_table(  # the counters' shape, with an index key among the attributes
        TableName="usage",
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
    client.create_table(  # a numeric hash key and no sort key
        TableName="tally",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.create_table(  # a stream: moto's path records the change
        TableName="streamed",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        BillingMode="PAY_PER_REQUEST",
    )


def outcome(call: Callable[[], Any]) -> Any:
    try:
        response = call()
    except ClientError as exc:
        return {"error": exc.response["Error"]}
    except Exception as exc:  # moto's own crash (an ADD of "1e3"): the same one, tuned
        return {"raised": (type(exc).__name__, str(exc))}
    response.pop("ResponseMetadata", None)
    return response


def state(client: Any) -> dict[str, Any]:
    return {
        name: client.scan(TableName=name)["Items"] for name in client.list_tables()["TableNames"]
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
    # As text: the attributes' order in answers and in stored items is compared too.
    assert json.dumps(tuned) == json.dumps(untuned)
    return tuned


# ---------------------------------------------------------------- generated updates

KEYS = {
    "usage": [
        {"pk": {"S": "KEY#a"}, "sk": {"S": "DAY#1"}},
        {"sk": {"S": "D"}, "pk": {"S": "KEY#b"}},  # a new item keeps moto's order of keys
    ],
    "tally": [{"id": {"N": "1"}}, {"id": {"N": "2.50"}}],
    "streamed": [{"id": {"N": "1"}}],
}
# Attribute names: plain ones, ones only a placeholder can name, keys, a reserved word.
ATTRIBUTES = ["requests", "errors", "ep#/x", "expires_at", "tags", "label", "ts", "pk", "count"]
VALUES = [
    {"N": "1"},
    {"N": "0"},
    {"N": "-3"},
    {"N": "1.50"},
    {"N": "12345678901234567890"},
    {"N": "1e3"},
    {"S": "sbx-1"},
    {"S": ""},
    {"SS": ["x", "y"]},
    {"NS": ["1"]},
    {"BOOL": True},
]
EXISTING = {
    "requests": {"N": "41"},
    "errors": {"N": "0.5"},
    "tags": {"SS": ["x"]},
    "label": {"S": "old"},
    "expires_at": {"N": "1700000000"},
}

NUMBERS = [0, 1, 2, 3, 4]  # the indexes of VALUES an ADD of the counter shape may use
SCALARS = [*NUMBERS, 6, 7]  # and a SET
COUNTERS = ["requests", "errors", "ep#/x", "expires_at", "label", "sandbox_id"]


def clauses(counter_shape: bool) -> st.SearchStrategy[list[tuple[str, str, int, bool]]]:
    """(kind, attribute, index of the value, by placeholder) per clause; the counter shape
    only: distinct attributes that are no key, and values each kind takes."""
    if not counter_shape:
        clause = st.tuples(
            st.sampled_from(["ADD", "SET", "SET_IF_ABSENT", "SET_IF_ABSENT_OTHER"]),
            st.sampled_from(ATTRIBUTES),
            st.sampled_from(range(len(VALUES))),
            st.booleans(),
        )
        return st.lists(clause, max_size=5)
    clause = st.one_of(
        st.tuples(
            st.just("ADD"), st.sampled_from(COUNTERS), st.sampled_from(NUMBERS), st.booleans()
        ),
        st.tuples(
            st.sampled_from(["SET", "SET_IF_ABSENT"]),
            st.sampled_from(COUNTERS),
            st.sampled_from(SCALARS),
            st.booleans(),
        ),
    )
    return st.lists(clause, min_size=1, max_size=5, unique_by=lambda c: c[1])


def _name(attribute: str, by_placeholder: bool, names: dict[str, str]) -> str:
    if by_placeholder or not attribute.isidentifier():
        placeholder = f"#n{len(names)}"
        names[placeholder] = attribute
        return placeholder
    return attribute


@st.composite
def update_requests(draw: st.DrawFn) -> dict[str, Any]:
    counter_shape = draw(st.booleans())  # or anything else, most of which moto refuses
    table = draw(st.sampled_from(["usage", "tally"] if counter_shape else sorted(KEYS)))
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    sections: dict[str, list[str]] = {"ADD": [], "SET": []}
    for kind, attribute, value_index, by_placeholder in draw(clauses(counter_shape)):
        name = _name(attribute, by_placeholder, names)
        value = f":v{value_index}"
        values[value] = VALUES[value_index]
        if kind == "ADD":
            sections["ADD"].append(f"{name} {value}")
        elif kind == "SET":
            sections["SET"].append(f"{name} = {value}")
        else:
            other = name if kind == "SET_IF_ABSENT" else _name("label", True, names)
            sections["SET"].append(f"{name} = if_not_exists({other}, {value})")
    order = ["SET", "ADD"] if draw(st.booleans()) else ["ADD", "SET"]
    expression = " ".join(f"{s} {', '.join(sections[s])}" for s in order if sections[s])
    request: dict[str, Any] = {
        "TableName": table,
        "Key": draw(st.sampled_from(KEYS[table])),
        "UpdateExpression": draw(st.sampled_from(["", "  "])) + expression,
    }
    if not counter_shape and draw(st.booleans()):
        values[":unused"] = {"N": "1"}  # an unused placeholder: moto's error
    if names:
        request["ExpressionAttributeNames"] = names
    if values:
        request["ExpressionAttributeValues"] = values
    returns = ["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", None]
    return_values = draw(st.sampled_from(returns if counter_shape else [*returns, "BAD"]))
    if return_values is not None:
        request["ReturnValues"] = return_values
    condition = draw(st.sampled_from([None, "attribute_exists(sk)", "attribute_not_exists(id)"]))
    if condition is not None and not counter_shape:
        request["ConditionExpression"] = condition
    return request


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    requests=st.lists(update_requests(), min_size=1, max_size=4),
    existing=st.sampled_from(["none", "usage", "tally"]),
)
def test_updates_answer_and_store_as_moto_does(requests, existing):
    def calls(client: Any) -> list[Any]:
        if existing != "none":
            item = {**KEYS[existing][0], **EXISTING}
            client.put_item(TableName=existing, Item=item)
        return [outcome(lambda r=request: client.update_item(**r)) for request in requests]

    assert_same_with_and_without_tuning(calls)


# ---------------------------------------------------------------- the requests' own shapes


def usage_update(endpoint: str, is_error: int) -> dict[str, Any]:
    """The request ``UsageRepository.record`` sends (as the client sends it)."""
    return {
        "TableName": "usage",
        "Key": {"pk": {"S": "KEY#k1"}, "sk": {"S": "DAY#2026-11-30"}},
        "UpdateExpression": (
            "ADD requests :one, errors :err, #ep :one, #epe :err, #lat :one "
            "SET sandbox_id = :sandbox, expires_at = if_not_exists(expires_at, :ttl)"
        ),
        "ExpressionAttributeNames": {
            "#ep": f"ep#{endpoint}",
            "#epe": f"epe#{endpoint}",
            "#lat": "lat#3",
        },
        "ExpressionAttributeValues": {
            ":one": {"N": "1"},
            ":err": {"N": str(is_error)},
            ":sandbox": {"S": "sbx-1"},
            ":ttl": {"N": "1799999999"},
        },
        "ReturnValues": "UPDATED_NEW",
    }


def test_usage_counters_count_as_moto_counts():
    def calls(client: Any) -> list[Any]:
        requests = [usage_update("GET /a", 0), usage_update("GET /b", 1), usage_update("GET /a", 1)]
        return [outcome(lambda r=request: client.update_item(**r)) for request in requests]

    results = assert_same_with_and_without_tuning(calls)
    assert results[2]["Attributes"]["requests"] == {"N": "3"}
    assert results[-1]["usage"][0]["epe#GET /a"] == {"N": "1"}


def test_counter_updates_do_not_run_moto_s_expression_parser(monkeypatch):
    from moto.dynamodb.parsing import expressions

    parsed: list[str] = []
    make = expressions.UpdateExpressionParser.make

    def counting(expression: str) -> Any:
        parsed.append(expression)
        return make(expression)

    monkeypatch.setattr(expressions.UpdateExpressionParser, "make", staticmethod(counting))
    moto_tuning.apply()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_tables(client)
        client.update_item(**usage_update("GET /a", 0))
        assert parsed == []
        client.update_item(**usage_update("GET /a", 0), ConditionExpression="attribute_exists(pk)")
        assert len(parsed) == 2  # moto's path: the handler's parse and the backend's


def test_an_item_near_the_size_limit_fails_as_moto_does():
    def calls(client: Any) -> list[Any]:
        key = {"pk": {"S": "KEY#big"}, "sk": {"S": "D"}}
        client.put_item(TableName="usage", Item={**key, "blob": {"S": "x" * 404_000}})
        requests = [
            {
                "TableName": "usage",
                "Key": key,
                "UpdateExpression": "ADD requests :one SET label = :label",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":label": {"S": "y" * size}},
            }
            for size in (10, 2_000)
        ]
        return [outcome(lambda r=request: client.update_item(**r)) for request in requests]

    results = assert_same_with_and_without_tuning(calls)
    assert "error" in results[1]
