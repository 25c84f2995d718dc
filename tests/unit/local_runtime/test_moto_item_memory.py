"""moto keeps no deleted DynamoDB item alive once the runtime's tuning is applied."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.dynamo_type import Item

from local_runtime import moto_tuning


@pytest.fixture
def table() -> Iterator[object]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="items",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield boto3.resource("dynamodb", region_name="us-east-1").Table("items")


def items_in_memory(partition: str) -> int:
    gc.collect()
    return sum(
        1
        for obj in gc.get_objects()
        if isinstance(obj, Item) and getattr(obj.hash_key, "value", None) == partition
    )


def write_query_and_delete(table, partition: str) -> None:
    with table.batch_writer() as batch:
        for n in range(50):
            batch.put_item(Item={"pk": partition, "sk": f"{n:03d}", "doc": "x" * 100})
    table.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": partition})
    with table.batch_writer() as batch:
        for n in range(50):
            batch.delete_item(Key={"pk": partition, "sk": f"{n:03d}"})


def test_deleted_items_are_freed_with_the_tuning(table) -> None:
    with moto_tuning.tuned():
        write_query_and_delete(table, "tuned")
        assert items_in_memory("tuned") == 0


def test_without_the_tuning_moto_keeps_every_item_it_made(table) -> None:
    with moto_tuning.untuned():
        write_query_and_delete(table, "stock")
        assert items_in_memory("stock") >= 50
