"""Baseline handler: the reference point for the Lambda cold-start bar.

The bar is that importing one of our handler modules in a fresh process costs at most
0.6 x what "a typical FastAPI + Mangum + Powertools (Logger, Metrics, Tracer) + boto3 handler"
costs, measured side by side (benchmarks/cold_start.py). This module is that typical handler,
written the way a competent team usually ships one, neither bloated nor stripped:

- module-level ``Logger()``, ``Metrics()`` and ``Tracer()`` (Powertools defaults; the Tracer is
  enabled as it is in Lambda, so it patches boto3/botocore for X-Ray at init);
- a module-level DynamoDB ``Table`` resource, created once per execution environment;
- a FastAPI app with a small CRUD of items (pydantic request/response models, one ``EmailStr``);
- ``handler = Mangum(app)`` wrapped with ``inject_lambda_context``, ``capture_lambda_handler``
  and ``log_metrics``.

It is never deployed; it exists only to be imported by the benchmark.
"""

import os
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from fastapi import FastAPI, HTTPException, Query
from mangum import Mangum
from pydantic import BaseModel, EmailStr, Field

logger = Logger()
metrics = Metrics()
tracer = Tracer()

table = boto3.resource("dynamodb").Table(os.environ["KEYS_TABLE"])

app = FastAPI(title="Items", version="1.0.0")


class ItemCreate(BaseModel):
    """Body of POST /items."""

    name: str = Field(min_length=1, max_length=100)
    owner_email: EmailStr
    price: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    tags: list[str] = Field(default_factory=list, max_length=10)


class ItemUpdate(BaseModel):
    """Body of PATCH /items/{item_id}: every field optional."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    price: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    tags: list[str] | None = Field(default=None, max_length=10)


class Item(ItemCreate):
    """An item as stored and returned."""

    id: str
    created_at: datetime


class ItemList(BaseModel):
    """A page of items."""

    items: list[Item]
    next_token: str | None = None


@app.post("/items", status_code=201, response_model=Item)
@tracer.capture_method
def create_item(body: ItemCreate) -> Item:
    item = Item(id=str(uuid.uuid4()), created_at=datetime.now(UTC), **body.model_dump())
    table.put_item(Item=item.model_dump(mode="json") | {"price": item.price})
    metrics.add_metric(name="ItemCreated", unit=MetricUnit.Count, value=1)
    logger.info("item created", extra={"item_id": item.id})
    return item


@app.get("/items", response_model=ItemList)
@tracer.capture_method
def list_items(
    limit: int = Query(default=20, ge=1, le=100), next_token: str | None = None
) -> ItemList:
    kwargs: dict[str, Any] = {"Limit": limit}
    if next_token:
        kwargs["ExclusiveStartKey"] = {"id": next_token}
    result = table.scan(FilterExpression=Attr("id").exists(), **kwargs)
    last = result.get("LastEvaluatedKey")
    return ItemList(
        items=[Item.model_validate(row) for row in result.get("Items", [])],
        next_token=last["id"] if last else None,
    )


@app.get("/items/{item_id}", response_model=Item)
@tracer.capture_method
def get_item(item_id: str) -> Item:
    row = table.get_item(Key={"id": item_id}).get("Item")
    if row is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return Item.model_validate(row)


@app.patch("/items/{item_id}", response_model=Item)
@tracer.capture_method
def update_item(item_id: str, body: ItemUpdate) -> Item:
    changes = body.model_dump(exclude_none=True)
    if not changes:
        return get_item(item_id)
    names = {f"#{key}": key for key in changes}
    values = {f":{key}": value for key, value in changes.items()}
    try:
        result = table.update_item(
            Key={"id": item_id},
            UpdateExpression="SET " + ", ".join(f"#{key} = :{key}" for key in changes),
            ConditionExpression=Attr("id").exists(),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Item not found") from exc
        raise
    return Item.model_validate(result["Attributes"])


asgi_handler = Mangum(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response: dict[str, Any] = asgi_handler(event, context)
    return response
