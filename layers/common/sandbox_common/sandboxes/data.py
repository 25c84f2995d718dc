"""Initialize and reset: the sandbox's mock data set, swapped in or out in one write.

Both build a fresh data generation and then switch the sandbox to it with one conditional
write, so readers never see a half-written data set and a wipe costs the same whatever the
sandbox holds. The same write queues the superseded generation for the sweeper, which
deletes its items out of band (sandbox_common.sweeper).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from sandbox_common import business_events, providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.clock import isoformat
from sandbox_common.errors import Conflict
from sandbox_common.inputs import Anchor
from sandbox_common.ledger.types import CountryCode, Environment
from sandbox_common.platform_usage.counters import BusinessEvent
from sandbox_common.sandboxes.config import (
    AccountCount,
    ComplianceCount,
    LocaleName,
    Seed,
    TransactionCount,
    validate_countries,
    validate_locale,
)
from sandbox_common.sandboxes.current import caller_sandbox
from sandbox_common.sandboxes.data_scope import data_expiry
from sandbox_common.sandboxes.models import Sandbox, new_generation
from sandbox_common.sandboxes.sandbox_clock import SandboxClock
from sandbox_common.storage.sandbox_items import DataScope, Kind
from sandbox_common.sweeper.models import RetiredGeneration

_log = logging.getLogger(__name__)


class InitializeRequest(BaseModel):
    """``POST /api/v1/sandbox/initialize``: what to generate (unset fields use the config)."""

    model_config = ConfigDict(extra="forbid")

    environment: Environment = Environment.SANDBOX
    seed: Seed | None = None
    accounts: AccountCount | None = None
    transactions: TransactionCount | None = None
    compliance_records: ComplianceCount | None = None
    countries: Annotated[list[CountryCode], Field(min_length=1, max_length=10)] | None = None
    locale: LocaleName | None = None
    # Timestamps are relative to this moment (default: now on the sandbox clock); giving it
    # makes two initializes with the same seed identical, timestamps included.
    anchor: Anchor | None = None

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else list(validate_countries(tuple(value)))

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str | None) -> str | None:
        return validate_locale(value)


class MockDataCounts(BaseModel):
    """How many records of each kind the data set holds."""

    accounts: int
    transactions: int
    compliance_records: int


class InitializeResponse(BaseModel):
    """The initialize answer (what was generated), plus what is needed to reproduce it."""

    environment: Environment
    status: Literal["initialized"] = "initialized"
    mock_data: MockDataCounts
    test_scenarios: int
    analytics_initialized: bool
    initialized_at: datetime
    sandbox_id: str
    seed: int
    anchor: datetime


class ResetRequest(BaseModel):
    """``POST /api/v1/sandbox/reset``: wipe, and optionally initialize again."""

    model_config = ConfigDict(extra="forbid")

    # JSON true or false only: lax bool would take 0 and 1, which the schema says it refuses.
    reinitialize: StrictBool = False
    seed: Seed | None = None
    environment: Environment | None = None


class ResetResponse(BaseModel):
    """What the reset did."""

    status: Literal["reset"] = "reset"
    sandbox_id: str
    reset_at: datetime
    reinitialized: InitializeResponse | None = None


def initialize_sandbox(caller: AuthContext, request: InitializeRequest) -> InitializeResponse:
    """Replace the sandbox's data with a freshly generated, reproducible data set."""
    caller.require(Permission.WRITE)
    return _initialize(caller_sandbox(caller), request, providers.clock().now())


def reset_sandbox(caller: AuthContext, request: ResetRequest) -> ResetResponse:
    """Wipe the caller's sandbox (one write, whatever its size); re-initialize if asked.

    The same write returns the sandbox clock to wall time: with the data gone, nothing is
    left stamped later than the clock, so this is the way back from a clock moved ahead.
    """
    caller.require(Permission.WRITE)
    sandbox = caller_sandbox(caller)
    # The switch below stores a fresh clock, so the rest of this request reads wall time.
    providers.use_sandbox_clock(SandboxClock())
    now = providers.clock().now()
    if request.reinitialize or request.seed is not None:
        initialized = _initialize(
            sandbox,
            InitializeRequest(
                seed=request.seed,
                environment=request.environment or sandbox.environment or Environment.SANDBOX,
            ),
            now,
            reset=True,
        )
        business_events.record(BusinessEvent.SANDBOXES_RESET, identity=sandbox.sandbox_id)
        return ResetResponse(sandbox_id=sandbox.sandbox_id, reset_at=now, reinitialized=initialized)
    providers.sandboxes_repository().switch_generation(
        sandbox,
        {
            "data_generation": new_generation(),
            "record_counts": {},
            "data_seed": None,
            "data_anchor": None,
            "reset_at": now,
            "clock": SandboxClock(),
        },
        retired_at=providers.wall_clock().now(),
        expires_at=data_expiry(),
    )
    _log.info("sandbox reset", extra={"sandbox_id": sandbox.sandbox_id})
    business_events.record(BusinessEvent.SANDBOXES_RESET, identity=sandbox.sandbox_id)
    return ResetResponse(sandbox_id=sandbox.sandbox_id, reset_at=now)


def _initialize(
    sandbox: Sandbox, request: InitializeRequest, now: datetime, *, reset: bool = False
) -> InitializeResponse:
    from sandbox_common.mockdata.generator import GenerationRequest, generate
    from sandbox_common.scenarios.catalog import list_scenarios

    config = sandbox.settings
    seed = _first(request.seed, config.default_seed, secrets.randbelow(2**63))
    # Milliseconds are what the API shows, so the anchor keeps no finer precision.
    anchor = datetime.fromisoformat(isoformat(request.anchor or now))
    data = generate(
        GenerationRequest(
            seed=seed,
            anchor=anchor,
            accounts=_first(request.accounts, config.default_accounts),
            transactions=_first(request.transactions, config.default_transactions),
            compliance_records=_first(
                request.compliance_records, config.default_compliance_records
            ),
            countries=tuple(request.countries or config.default_countries),
            environment=request.environment,
            locale=request.locale or config.faker_locale,
            aml_threshold=config.aml_threshold,
        )
    )
    generation = new_generation()
    expires_at = data_expiry()
    # The sweep's grace period runs in real time, whatever the sandbox clock shows.
    retired_at = providers.wall_clock().now()
    providers.ledger_data().load(
        DataScope(sandbox.sandbox_id, generation), data, expires_at=expires_at
    )
    counts = MockDataCounts(
        accounts=len(data.accounts),
        transactions=len(data.transactions),
        compliance_records=len(data.compliance_flags),
    )
    changes: dict[str, Any] = {
        "data_generation": generation,
        "environment": request.environment.value,
        "data_seed": seed,
        "data_anchor": anchor,
        "record_counts": {
            Kind.ACCOUNT.value: counts.accounts,
            Kind.TRANSACTION.value: counts.transactions,
            Kind.FLAG.value: counts.compliance_records,
        },
        "initialized_at": now,
    }
    if reset:
        changes["reset_at"] = now
        changes["clock"] = SandboxClock()
    try:
        providers.sandboxes_repository().switch_generation(
            sandbox, changes, retired_at=retired_at, expires_at=expires_at
        )
    except Conflict:
        # A concurrent initialize or reset won: the data just loaded never goes live.
        providers.retired_generations().add(
            RetiredGeneration(
                sandbox_id=sandbox.sandbox_id, generation=generation, retired_at=retired_at
            ),
            expires_at=expires_at,
        )
        raise
    _log.info(
        "sandbox initialized",
        extra={"sandbox_id": sandbox.sandbox_id, "seed": seed, "records": data.record_count},
    )
    # A reset that re-initializes counts as both: it generated a data set, too.
    business_events.record(BusinessEvent.SANDBOXES_INITIALIZED, identity=sandbox.sandbox_id)
    return InitializeResponse(
        environment=request.environment,
        mock_data=counts,
        test_scenarios=len(list_scenarios()),
        analytics_initialized=True,
        initialized_at=now,
        sandbox_id=sandbox.sandbox_id,
        seed=seed,
        anchor=anchor,
    )


def _first[T](*values: T | None) -> T:
    for value in values:
        if value is not None:
            return value
    raise ValueError("no value")  # pragma: no cover - the last candidate is never None
