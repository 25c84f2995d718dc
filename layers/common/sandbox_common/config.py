"""Typed configuration read from the environment once per process."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the layer reads from the environment (template.yaml Globals)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    keys_table: str = "sandbox-keys"
    sandboxes_table: str = "sandbox-sandboxes"
    usage_table: str = "sandbox-usage"
    data_table: str = "sandbox-data"
    # Customers' credits of the bundled payment server (balances, ledger, idempotency keys).
    credits_table: str = "sandbox-credits"
    persistent_configs_table: str = "sandbox-persistent-configs"
    # The persistence job's charge history (per sandbox) and its lease and last run.
    charges_table: str = "sandbox-charges"
    job_runs_table: str = "sandbox-job-runs"
    # JSON object tier -> API Gateway usage plan id, e.g. {"free": "abc123", "pro": "def456"}.
    usage_plan_ids: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    admin_key_parameter: str = "/sandbox-platform/bootstrap-admin-key"
    app_version: str = "1.0.0"
    key_lifetime_days: int = Field(default=90, ge=1, le=3650)
    default_tier: str = "free"
    # Cap on request bodies the functions accept; API Gateway's own cap is 10 MB.
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # How long a usage plan's limits and the bootstrap admin key are cached in memory.
    cache_seconds: int = Field(default=300, ge=0)
    usage_retention_days: int = Field(default=400, ge=1)
    # Ledger items expire (DynamoDB TTL) this long after they are written; a reset leaves the
    # old generation's items to this clean-up instead of deleting them in the request.
    data_retention_days: int = Field(default=30, ge=1)
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    # The sweeper (a scheduled function) deletes retired generations' items: at most this many
    # per run, and only once a generation has been retired this long (requests that read the
    # sandbox before the switch may still be writing into it; API Gateway stops them at 29 s).
    sweep_item_budget: int = Field(default=5000, ge=1)
    sweep_grace_seconds: int = Field(default=30, ge=0)
    # The deliver-message state machine that waits for a scheduled or delayed message's due
    # time (template DeliverMessageStateMachine). Empty: no execution is started, and due
    # messages are delivered by a clock advance only.
    delivery_state_machine_arn: str = ""
    # The Sandbox Manager. The payment server the hourly job charges credits at (template
    # parameter PaymentServerUrl; by default this API's own stage, the bundled server), the
    # SSM parameter holding the key it is called with (empty: no key is sent, for an external
    # server), and how long one call may take and how often a failed one is retried.
    payment_server_url: str = ""
    payment_server_key_parameter: str = ""
    payment_server_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    payment_server_retries: int = Field(default=2, ge=0, le=10)
    # Credits charged per hour a sandbox is kept persistent (exact decimal, 4 places).
    credit_rate_per_hour: Decimal = Field(default=Decimal("0.2"), ge=0, max_digits=12)
    # A persistent sandbox is woken when its last wake-up is this old.
    wake_up_after_hours: int = Field(default=22, ge=1)
    # A sandbox without a request for this long is hibernating; the next request wakes it.
    sandbox_idle_minutes: int = Field(default=60, ge=1)
    # The function that runs the persistence job (POST /admin/execute-job invokes it by name).
    persistence_job_function: str = ""
    # Its schedule (template parameter PersistenceJobSchedule), as job-status shows it.
    persistence_job_schedule: str = "rate(1 hour)"
    # How long a job run's lease lasts before another run may take over (a run renews it
    # while it works, so only a crashed run's lease ever runs out).
    job_lease_seconds: int = Field(default=120, ge=10)
    # Configs the job works on at once (each waits on the payment server).
    job_workers: int = Field(default=8, ge=1, le=64)

    @field_validator("usage_plan_ids", mode="before")
    @classmethod
    def _parse_plan_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @property
    def tiers(self) -> tuple[str, ...]:
        """The tiers a key may be placed in, one per usage plan."""
        return tuple(self.usage_plan_ids)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing env."""
    return Settings()
