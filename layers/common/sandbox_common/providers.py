"""The process's repositories and adapters, each created once, on first use, then reused.

Nothing here runs at import time (cold start); tests reset them with ``reset()`` after
pointing the environment at moto.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox_common.clock import Clock, SystemClock
from sandbox_common.lazy import built_once

# Imported on first use, not at cold start: a handler module pays only for what it calls.
if TYPE_CHECKING:
    from sandbox_common.aws.api_gateway import ApiGatewayKeys, PlanCatalog
    from sandbox_common.config import Settings
    from sandbox_common.storage.accounts_repository import AccountsRepository
    from sandbox_common.storage.flags_repository import FlagsRepository
    from sandbox_common.storage.keys_repository import KeysRepository
    from sandbox_common.storage.ledger_aggregates import AggregatesRepository
    from sandbox_common.storage.ledger_data import LedgerData
    from sandbox_common.storage.retired_generations_repository import (
        RetiredGenerationsRepository,
    )
    from sandbox_common.storage.sandboxes_repository import SandboxesRepository
    from sandbox_common.storage.scenario_runs_repository import ScenarioRunsRepository
    from sandbox_common.storage.transactions_repository import TransactionsRepository
    from sandbox_common.storage.usage_repository import UsageRepository


def settings() -> Settings:
    """The process's settings (pydantic-settings is imported here, on first use)."""
    from sandbox_common.config import get_settings

    return get_settings()


_SYSTEM_CLOCK = SystemClock()
_clock_override: Clock | None = None


def clock() -> Clock:
    """The clock the layer reads: wall time unless overridden (the sandbox clock plugs in here)."""
    return _clock_override or _SYSTEM_CLOCK


def override_clock(replacement: Clock | None) -> None:
    """Make every time-dependent rule read ``replacement`` (None restores wall time)."""
    global _clock_override
    _clock_override = replacement


@built_once
def keys_repository() -> KeysRepository:
    """Sandbox keys, by hash."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.dynamo import table
    from sandbox_common.storage.keys_repository import KeysRepository

    return KeysRepository(table(get_settings().keys_table))


@built_once
def sandboxes_repository() -> SandboxesRepository:
    """Sandboxes (tenants)."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.dynamo import table
    from sandbox_common.storage.sandboxes_repository import SandboxesRepository

    settings = get_settings()
    return SandboxesRepository(table(settings.sandboxes_table), data_table=settings.data_table)


@built_once
def usage_repository() -> UsageRepository:
    """Per-key daily request counters."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.dynamo import table
    from sandbox_common.storage.usage_repository import UsageRepository

    settings = get_settings()
    return UsageRepository(
        table(settings.usage_table), retention_days=settings.usage_retention_days
    )


def _ledger_table() -> Any:
    from sandbox_common.config import get_settings
    from sandbox_common.storage.dynamo import table

    return table(get_settings().data_table)


@built_once
def accounts_repository() -> AccountsRepository:
    """Ledger accounts."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.accounts_repository import AccountsRepository

    return AccountsRepository(_ledger_table(), get_settings().sandboxes_table)


@built_once
def transactions_repository() -> TransactionsRepository:
    """Ledger transactions and transfers."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.transactions_repository import TransactionsRepository

    return TransactionsRepository(_ledger_table(), get_settings().sandboxes_table)


@built_once
def flags_repository() -> FlagsRepository:
    """Compliance flags."""
    from sandbox_common.storage.flags_repository import FlagsRepository

    return FlagsRepository(_ledger_table())


@built_once
def aggregates_repository() -> AggregatesRepository:
    """The dashboard's figures kept at write time."""
    from sandbox_common.storage.ledger_aggregates import AggregatesRepository

    return AggregatesRepository(_ledger_table())


@built_once
def scenario_runs_repository() -> ScenarioRunsRepository:
    """Stored scenario runs."""
    from sandbox_common.storage.scenario_runs_repository import ScenarioRunsRepository

    return ScenarioRunsRepository(_ledger_table())


@built_once
def retired_generations() -> RetiredGenerationsRepository:
    """Retired data generations: the sweep's queue and the deletion of their items."""
    from sandbox_common.storage.retired_generations_repository import (
        RetiredGenerationsRepository,
    )

    return RetiredGenerationsRepository(_ledger_table())


@built_once
def ledger_data() -> LedgerData:
    """Whole ledger generations: bulk loads and counts."""
    from sandbox_common.storage.ledger_data import LedgerData

    return LedgerData(_ledger_table())


@built_once
def _apigateway_client() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "apigateway", config=Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard"})
    )


@built_once
def api_gateway_keys() -> ApiGatewayKeys:
    """API Gateway keys and usage-plan membership."""
    from sandbox_common.aws.api_gateway import ApiGatewayKeys

    return ApiGatewayKeys(_apigateway_client())


@built_once
def plan_catalog() -> PlanCatalog:
    """Tiers, their usage plan ids and limits."""
    from sandbox_common.aws.api_gateway import PlanCatalog
    from sandbox_common.config import get_settings

    settings = get_settings()
    return PlanCatalog(
        api_gateway_keys(), settings.usage_plan_ids, ttl_seconds=settings.cache_seconds
    )


def reset() -> None:
    """Forget every cached client, repository and setting (tests change env between cases)."""
    from aws_lambda_powertools.utilities.parameters import clear_caches

    from sandbox_common.config import get_settings
    from sandbox_common.storage.dynamo import dynamodb_resource, table

    clear_caches()  # type: ignore[no-untyped-call]
    override_clock(None)
    for cached in (
        keys_repository,
        sandboxes_repository,
        usage_repository,
        accounts_repository,
        transactions_repository,
        flags_repository,
        aggregates_repository,
        scenario_runs_repository,
        ledger_data,
        retired_generations,
        _apigateway_client,
        api_gateway_keys,
        plan_catalog,
        get_settings,
        table,
        dynamodb_resource,
    ):
        cached.cache_clear()
