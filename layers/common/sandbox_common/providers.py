"""The process's repositories and adapters, each created once, on first use, then reused.

Nothing here runs at import time (cold start); tests reset them with ``reset()`` after
pointing the environment at moto.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from sandbox_common.clock import Clock, SystemClock
from sandbox_common.lazy import built_once

# Imported on first use, not at cold start: a handler module pays only for what it calls.
if TYPE_CHECKING:
    from sandbox_common.aws.api_gateway import ApiGatewayKeys, PlanCatalog
    from sandbox_common.aws.lambda_invoke import FunctionInvoker
    from sandbox_common.aws.stepfunctions import DeliveryStarter
    from sandbox_common.config import Settings
    from sandbox_common.sandboxes.sandbox_clock import SandboxClock
    from sandbox_common.storage.accounts_repository import AccountsRepository
    from sandbox_common.storage.audit_repository import AuditRepository
    from sandbox_common.storage.charges_repository import ChargesRepository
    from sandbox_common.storage.credits_repository import CreditsRepository
    from sandbox_common.storage.decisions_repository import DecisionsRepository
    from sandbox_common.storage.flags_repository import FlagsRepository
    from sandbox_common.storage.job_runs_repository import JobRunsRepository
    from sandbox_common.storage.keys_repository import KeysRepository
    from sandbox_common.storage.ledger_aggregates import AggregatesRepository
    from sandbox_common.storage.ledger_data import LedgerData
    from sandbox_common.storage.messages_repository import MessagesRepository
    from sandbox_common.storage.messaging_users_repository import MessagingUsersRepository
    from sandbox_common.storage.persistent_configs_repository import (
        PersistentConfigsRepository,
    )
    from sandbox_common.storage.project_counters_repository import ProjectCountersRepository
    from sandbox_common.storage.retention_changes_repository import (
        RetentionChangesRepository,
    )
    from sandbox_common.storage.retired_generations_repository import (
        RetiredGenerationsRepository,
    )
    from sandbox_common.storage.rule_sets_repository import RuleSetsRepository
    from sandbox_common.storage.sandboxes_repository import SandboxesRepository
    from sandbox_common.storage.scenario_runs_repository import ScenarioRunsRepository
    from sandbox_common.storage.signals_repository import SignalsRepository
    from sandbox_common.storage.transactions_repository import TransactionsRepository
    from sandbox_common.storage.usage_repository import UsageRepository


def settings() -> Settings:
    """The process's settings (pydantic-settings is imported here, on first use)."""
    from sandbox_common.config import get_settings

    return get_settings()


_SYSTEM_CLOCK = SystemClock()
_clock_override: Clock | None = None
# The caller's sandbox clock, set where a request loads the caller's sandbox. A context
# variable, not a global: the local runtime serves concurrent requests in one process, and
# each request (a task, or a worker thread running a copy of its context) sees only its own.
_request_sandbox_clock: ContextVar[SandboxClock | None] = ContextVar(
    "request_sandbox_clock", default=None
)


def wall_clock() -> Clock:
    """Real time, unless a test overrode it: what TTLs, quotas and key expiry are measured in."""
    return _clock_override or _SYSTEM_CLOCK


def clock() -> Clock:
    """The clock the layer reads: the caller's sandbox clock once the request loaded the
    caller's sandbox (see ``use_sandbox_clock``), wall time before that and outside requests.

    A sandbox clock is computed from ``wall_clock()`` on every read, so a test that
    overrides the clock still controls everything.
    """
    sandbox_clock = _request_sandbox_clock.get()
    if sandbox_clock is None:
        return wall_clock()
    from sandbox_common.sandboxes.sandbox_clock import sandbox_time

    return sandbox_time(sandbox_clock, wall_clock())


def use_sandbox_clock(sandbox_clock: SandboxClock | None) -> None:
    """Make ``clock()`` read ``sandbox_clock`` for the rest of this request (None: wall time).

    Set it where the use case runs (``caller_sandbox`` does): FastAPI runs each sync route
    and each sync dependency in its own copy of the request's context, so a value set in a
    dependency would not reach the route.
    """
    _request_sandbox_clock.set(sandbox_clock)


# Whether the caller's sandbox is persistent (its data is kept, not expired), set beside its
# clock and for the same reason a context variable.
_request_sandbox_kept: ContextVar[bool] = ContextVar("request_sandbox_kept", default=False)


def use_sandbox_retention(persistent: bool) -> None:
    """Make ``sandbox_data_kept()`` answer ``persistent`` for the rest of this request.

    Set where ``use_sandbox_clock`` is (``caller_sandbox``), from the sandbox just loaded.
    """
    _request_sandbox_kept.set(persistent)


def sandbox_data_kept() -> bool:
    """True if the caller's sandbox is persistent: what it writes now is never expired."""
    return _request_sandbox_kept.get()


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
def persistent_configs_repository() -> PersistentConfigsRepository:
    """Sandboxes' persistent configs (the manager)."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.dynamo import table
    from sandbox_common.storage.persistent_configs_repository import (
        PersistentConfigsRepository,
    )

    return PersistentConfigsRepository(table(get_settings().persistent_configs_table))


@built_once
def charges_repository() -> ChargesRepository:
    """The persistence job's charge history, by sandbox."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.charges_repository import ChargesRepository
    from sandbox_common.storage.dynamo import table

    return ChargesRepository(table(get_settings().charges_table))


@built_once
def job_runs_repository() -> JobRunsRepository:
    """The persistence job's lease and last run."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.dynamo import table
    from sandbox_common.storage.job_runs_repository import JobRunsRepository

    return JobRunsRepository(table(get_settings().job_runs_table))


@built_once
def function_invoker() -> FunctionInvoker:
    """Invokes the stack's other functions (a manual run of the persistence job)."""
    import boto3
    from botocore.config import Config

    from sandbox_common.aws.lambda_invoke import FunctionInvoker

    # A manual run answers within ~20 s; never retried (a retry would be a second run).
    client = boto3.client(
        "lambda",
        config=Config(connect_timeout=2, read_timeout=28, retries={"total_max_attempts": 1}),
    )
    return FunctionInvoker(client)


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


@built_once
def project_counters() -> ProjectCountersRepository:
    """The project's daily counters across sandboxes (beside the per-key ones)."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.dynamo import table
    from sandbox_common.storage.project_counters_repository import ProjectCountersRepository

    settings = get_settings()
    return ProjectCountersRepository(
        table(settings.usage_table), retention_days=settings.usage_retention_days
    )


@built_once
def credits_repository() -> CreditsRepository:
    """Customers' credits of the bundled payment server."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.credits_repository import CreditsRepository
    from sandbox_common.storage.dynamo import table

    return CreditsRepository(table(get_settings().credits_table))


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
def retention_changes() -> RetentionChangesRepository:
    """Persistence switches (the flag and the sweep's queue of items to restamp)."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.retention_changes_repository import (
        RetentionChangesRepository,
    )

    return RetentionChangesRepository(_ledger_table(), get_settings().sandboxes_table)


@built_once
def ledger_data() -> LedgerData:
    """Whole ledger generations: bulk loads and counts."""
    from sandbox_common.storage.ledger_data import LedgerData

    return LedgerData(_ledger_table())


@built_once
def messaging_users_repository() -> MessagingUsersRepository:
    """Messaging users a sandbox added or changed."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.messaging_users_repository import MessagingUsersRepository

    return MessagingUsersRepository(_ledger_table(), get_settings().sandboxes_table)


@built_once
def audit_repository() -> AuditRepository:
    """The messaging audit trail."""
    from sandbox_common.storage.audit_repository import AuditRepository

    return AuditRepository(_ledger_table())


@built_once
def rule_sets_repository() -> RuleSetsRepository:
    """A sandbox's own messaging rule set."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.rule_sets_repository import RuleSetsRepository

    return RuleSetsRepository(_ledger_table(), get_settings().sandboxes_table)


@built_once
def signals_repository() -> SignalsRepository:
    """Behavioral signals, the events they become and the decisions rules make of them."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.signals_repository import SignalsRepository

    return SignalsRepository(_ledger_table(), get_settings().sandboxes_table)


@built_once
def decisions_repository() -> DecisionsRepository:
    """Decisions and the actions orchestration makes of them."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.decisions_repository import DecisionsRepository

    return DecisionsRepository(_ledger_table(), get_settings().sandboxes_table)


@built_once
def messages_repository() -> MessagesRepository:
    """Messaging messages."""
    from sandbox_common.config import get_settings
    from sandbox_common.storage.messages_repository import MessagesRepository

    return MessagesRepository(_ledger_table(), get_settings().sandboxes_table)


@built_once
def _stepfunctions_client() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "stepfunctions",
        config=Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard"}),
    )


@built_once
def delivery_starter() -> DeliveryStarter | None:
    """Starts deliver-message executions (None when no state machine is configured)."""
    from sandbox_common.aws.stepfunctions import DeliveryStarter
    from sandbox_common.config import get_settings

    arn = get_settings().delivery_state_machine_arn
    return DeliveryStarter(_stepfunctions_client(), arn) if arn else None


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
    use_sandbox_clock(None)
    use_sandbox_retention(False)
    for cached in (
        keys_repository,
        sandboxes_repository,
        persistent_configs_repository,
        charges_repository,
        job_runs_repository,
        function_invoker,
        usage_repository,
        project_counters,
        credits_repository,
        accounts_repository,
        transactions_repository,
        flags_repository,
        aggregates_repository,
        scenario_runs_repository,
        ledger_data,
        retired_generations,
        retention_changes,
        messaging_users_repository,
        audit_repository,
        rule_sets_repository,
        signals_repository,
        decisions_repository,
        messages_repository,
        _stepfunctions_client,
        delivery_starter,
        _apigateway_client,
        api_gateway_keys,
        plan_catalog,
        get_settings,
        table,
        dynamodb_resource,
    ):
        cached.cache_clear()
