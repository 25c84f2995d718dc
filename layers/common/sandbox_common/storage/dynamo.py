"""DynamoDB access shared by the repositories: lazy clients and one error translation."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sandbox_common.errors import Conflict, UpstreamError
from sandbox_common.lazy import built_once


@built_once
def dynamodb_resource() -> Any:
    """The process-wide DynamoDB resource, created on first use (never at import), once.

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


@built_once
def table(name: str) -> Any:
    """A DynamoDB Table handle by name (cached)."""
    return dynamodb_resource().Table(name)


# A transaction cancelled because another one held an item it touches applied nothing, so
# it is safe to send again; hot items (a sandbox's counts, the dashboard's hour bucket) make
# such collisions routine under concurrent writes in AWS.
TRANSACTION_ATTEMPTS = 4


def transact_write(
    client: Any,
    items: list[dict[str, Any]],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """``TransactWriteItems``, sent again (with jittered back-off) while it collides with a
    concurrent transaction; a failed condition or any other error is raised at once."""
    from botocore.exceptions import ClientError

    for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
        try:
            client.transact_write_items(TransactItems=items)
            return
        except ClientError as exc:
            if attempt == TRANSACTION_ATTEMPTS or not _collided(exc):
                raise
        sleep(random.uniform(0, 0.025 * 2**attempt))


def _collided(exc: Any) -> bool:
    reasons = [reason.get("Code") for reason in exc.response.get("CancellationReasons", [])]
    return "TransactionConflict" in reasons and "ConditionalCheckFailed" not in reasons


@contextmanager
def translated_errors(
    conflict_message: str = "The resource changed concurrently",
) -> Iterator[None]:
    """Turn DynamoDB's failed conditions into Conflict and other failures into UpstreamError.

    A transaction that still collided with concurrent ones after its retries is a Conflict
    too: the client may try again, and nothing was written.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        reasons = {reason.get("Code") for reason in exc.response.get("CancellationReasons", [])}
        if code == "ConditionalCheckFailedException" or "ConditionalCheckFailed" in reasons:
            raise Conflict(conflict_message) from exc
        if "TransactionConflict" in reasons:
            raise Conflict("A concurrent change got there first; try again") from exc
        raise UpstreamError(f"DynamoDB failed: {code or exc}") from exc
    except BotoCoreError as exc:
        raise UpstreamError(f"DynamoDB unreachable: {exc}") from exc
