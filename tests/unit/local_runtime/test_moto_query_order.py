"""Queries of one partition answer exactly as moto's own Query, page after page."""

from __future__ import annotations

from typing import Any

import boto3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from local_runtime import moto_tuning

ALPHABET = "ab#~0"
values = st.text(alphabet=ALPHABET, min_size=1, max_size=4)
conditions = st.one_of(
    st.just(("", [])),
    st.tuples(
        st.sampled_from(["=", "<", "<=", ">", ">="]), st.lists(values, min_size=1, max_size=1)
    ),
    st.lists(values, min_size=2, max_size=2).map(lambda v: ("BETWEEN", sorted(v))),
    st.tuples(st.just("begins_with"), st.lists(values, min_size=1, max_size=1)),
)


def _run(
    items: list[tuple[str, str | None]], condition: tuple[str, list[str]], limit: int, forward: bool
) -> list[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "ix")
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            LocalSecondaryIndexes=[
                {
                    "IndexName": "by_ix",
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "ix", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
        for number, (sk, ix) in enumerate(items):
            for pk in ("p", "q"):  # a second partition the query must not see
                item = {"pk": {"S": pk}, "sk": {"S": sk}, "n": {"N": str(number)}}
                if ix is not None:
                    item["ix"] = {"S": ix}
                client.put_item(TableName="t", Item=item)
        operator, bounds = condition
        names = [f":v{i}" for i in range(len(bounds))]
        expression = "pk = :p"
        if operator == "BETWEEN":
            expression += f" AND ix BETWEEN {names[0]} AND {names[1]}"
        elif operator == "begins_with":
            expression += f" AND begins_with(ix, {names[0]})"
        elif operator:
            expression += f" AND ix {operator} {names[0]}"
        request: dict[str, Any] = {
            "TableName": "t",
            "IndexName": "by_ix",
            "KeyConditionExpression": expression,
            "ExpressionAttributeValues": {
                ":p": {"S": "p"},
                **{name: {"S": value} for name, value in zip(names, bounds, strict=True)},
            },
            "Limit": limit,
            "ScanIndexForward": forward,
        }
        pages = []
        for _ in range(len(items) + 2):
            response = client.query(**request)
            response.pop("ResponseMetadata")
            pages.append(response)
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return pages


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    items=st.lists(
        st.tuples(st.text(alphabet=ALPHABET, min_size=1, max_size=3), st.none() | values),
        max_size=25,
        unique_by=lambda item: item[0],
    ),
    condition=conditions,
    limit=st.integers(min_value=1, max_value=6),
    forward=st.booleans(),
)
def test_every_page_and_last_evaluated_key_is_moto_s(items, condition, limit, forward):
    with moto_tuning.untuned():
        expected = _run(items, condition, limit, forward)
    with moto_tuning.tuned():
        assert _run(items, condition, limit, forward) == expected
