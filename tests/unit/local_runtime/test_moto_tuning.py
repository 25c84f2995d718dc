"""The runtime's moto item fix keeps moto's 400 KB rule while building items in linear time."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from local_runtime import moto_tuning


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
