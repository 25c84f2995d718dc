"""The persistence job's records: a charge it made, and the summary of a run."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, PlainSerializer

from sandbox_common.errors import Conflict
from sandbox_common.payments.models import credits_text
from sandbox_common.wire import CamelModel

# Amounts are exact decimals inside and decimal strings on the wire (as the payment server's).
Money = Annotated[Decimal, PlainSerializer(credits_text, return_type=str, when_used="json")]
# Failures listed in a run's summary (the count covers all of them).
MAX_LISTED_FAILURES = 20
# Configs a dry run lists with what it would do (the counts cover all of them).
MAX_LISTED_PLANS = 100


class JobRunning(Conflict):
    """Another run holds the job's lease (a scheduled run, or another manual one)."""

    code = "job_running"


class JobNotRun(CamelModel):
    """The job function's answer when another run held the lease: nothing was done.

    An answer, not a failed invocation: meeting a run in progress is normal (a manual run
    during the hourly one), and a failure would be retried by EventBridge into the
    dead-letter queue and count against the function's error alarm.
    """

    not_run: str = JobRunning.code
    message: str


class ChargeRecord(CamelModel):
    """One period a persistent sandbox was charged for (its history lists these)."""

    sandbox_id: str
    customer_id: str
    # ``<sandboxId>:<periodStart ms>``: the payment server's Idempotency-Key.
    charge_id: str
    period_start: str
    period_end: str
    hours: Money
    rate_per_hour: Money
    amount: Money
    charged_at: str
    run_id: str


class JobTrigger(StrEnum):
    """What started a run."""

    SCHEDULE = "schedule"
    MANUAL = "manual"


class ConfigFailure(CamelModel):
    """A config a run could not finish; it is left as it was for the next run."""

    sandbox_id: str
    error: str


class PlannedConfig(CamelModel):
    """What a dry run would do to one config."""

    sandbox_id: str
    settle: Money | None = None
    charge: Money | None = None
    credits: Money | None = None
    disable: bool = False
    expire: bool = False
    wake: bool = False


class JobRunSummary(CamelModel):
    """What one run did (``GET /admin/job-status`` shows the last one)."""

    run_id: str
    trigger: JobTrigger
    dry_run: bool = False
    started_at: str
    finished_at: str | None = None
    # False when the run stopped at its time budget; the next run goes on from the rest.
    complete: bool = True
    configs_seen: int = 0
    charged: int = 0
    total_charged: Money = Decimal(0)
    woken: int = 0
    expired: int = 0
    # Configs disabled (and sandboxes shut down) because the credits did not cover a charge.
    disabled: int = 0
    failures: int = 0
    failed: list[ConfigFailure] = Field(default_factory=list)
    # Dry runs only: what the run would do, config by config (the first ones).
    planned: list[PlannedConfig] | None = None


class JobStatus(CamelModel):
    """``GET /admin/job-status``: whether a run holds the lease now, and the last run."""

    running: bool
    running_since: str | None = None
    schedule: str
    last_run: JobRunSummary | None = None
