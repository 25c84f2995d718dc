"""DynamoDB access shared by the repositories: lazy clients and one error translation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import Any

from sandbox_common.errors import Conflict, UpstreamError


@lru_cache(maxsize=1)
def dynamodb_resource() -> Any:
    """The process-wide DynamoDB resource, created on first use (never at import).

    Repositories only call item operations on it, which are stateless client calls, so one
    resource serves the local runtime's concurrent requests as safely as Lambda's single one.
    """
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=2,
        read_timeout=5,
        retries={"max_attempts": 4, "mode": "standard"},
        max_pool_connections=64,
        # DynamoDB validates every request itself; botocore's client-side walk over each
        # attribute of each item doubled the CPU cost of a bulk write (benchmarks/).
        parameter_validation=False,
    )
    return boto3.resource("dynamodb", config=config)


@cache
def table(name: str) -> Any:
    """A DynamoDB Table handle by name (cached)."""
    return dynamodb_resource().Table(name)


@contextmanager
def translated_errors(
    conflict_message: str = "The resource changed concurrently",
) -> Iterator[None]:
    """Turn DynamoDB's failed conditions into Conflict and other failures into UpstreamError."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        reasons = {reason.get("Code") for reason in exc.response.get("CancellationReasons", [])}
        if code == "ConditionalCheckFailedException" or "ConditionalCheckFailed" in reasons:
            raise Conflict(conflict_message) from exc
        raise UpstreamError(f"DynamoDB failed: {code or exc}") from exc
    except BotoCoreError as exc:
        raise UpstreamError(f"DynamoDB unreachable: {exc}") from exc
