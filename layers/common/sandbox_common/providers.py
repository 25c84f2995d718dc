"""The process's repositories and adapters, each created on first use and then reused.

Nothing here runs at import time (cold start); tests reset them with ``reset()`` after
pointing the environment at moto.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sandbox_common.aws.api_gateway import ApiGatewayKeys, PlanCatalog
from sandbox_common.clock import Clock, SystemClock
from sandbox_common.config import get_settings
from sandbox_common.storage.dynamo import dynamodb_resource, table
from sandbox_common.storage.keys_repository import KeysRepository
from sandbox_common.storage.sandboxes_repository import SandboxesRepository
from sandbox_common.storage.usage_repository import UsageRepository


@lru_cache(maxsize=1)
def clock() -> Clock:
    """The clock the layer reads (the per-sandbox clock will plug in here)."""
    return SystemClock()


@lru_cache(maxsize=1)
def keys_repository() -> KeysRepository:
    """Sandbox keys, by hash."""
    return KeysRepository(table(get_settings().keys_table))


@lru_cache(maxsize=1)
def sandboxes_repository() -> SandboxesRepository:
    """Sandboxes (tenants)."""
    return SandboxesRepository(table(get_settings().sandboxes_table))


@lru_cache(maxsize=1)
def usage_repository() -> UsageRepository:
    """Per-key daily request counters."""
    settings = get_settings()
    return UsageRepository(
        table(settings.usage_table), retention_days=settings.usage_retention_days
    )


@lru_cache(maxsize=1)
def _apigateway_client() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "apigateway", config=Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard"})
    )


@lru_cache(maxsize=1)
def api_gateway_keys() -> ApiGatewayKeys:
    """API Gateway keys and usage-plan membership."""
    return ApiGatewayKeys(_apigateway_client())


@lru_cache(maxsize=1)
def plan_catalog() -> PlanCatalog:
    """Tiers, their usage plan ids and limits."""
    settings = get_settings()
    return PlanCatalog(
        api_gateway_keys(), settings.usage_plan_ids, ttl_seconds=settings.cache_seconds
    )


def reset() -> None:
    """Forget every cached client, repository and setting (tests change env between cases)."""
    for cached in (
        clock,
        keys_repository,
        sandboxes_repository,
        usage_repository,
        _apigateway_client,
        api_gateway_keys,
        plan_catalog,
        get_settings,
        table,
        dynamodb_resource,
    ):
        cached.cache_clear()
