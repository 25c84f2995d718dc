"""Persistence job: charges, expires, disables and wakes the persistent sandboxes.

EventBridge runs it every hour (template: `Schedule: rate(1 hour)`); the manager's
`POST /admin/execute-job` invokes it by name for a manual run, with `{"trigger": "manual",
"dryRun": ..., "budgetSeconds": ...}`. Both are the same run (sandbox_common.manager.
persistence_job); a run that meets another holding the job does nothing and answers
JobNotRun, which the manager turns into 409 job_running.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sandbox_common.manager.job_models import JobNotRun, JobRunning, JobRunSummary, JobTrigger
from sandbox_common.tasks import make_task_handler

# A run stops taking new pages this long before the function's timeout, so it always ends
# cleanly: lease released, summary saved.
SAFETY_MARGIN_SECONDS = 30


class JobEvent(BaseModel):
    """The scheduled event (its `id`) or a manual run's payload."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    id: str = ""
    trigger: JobTrigger = JobTrigger.SCHEDULE
    dry_run: bool = Field(default=False, alias="dryRun")
    budget_seconds: float | None = Field(default=None, alias="budgetSeconds", gt=0)


def run(event: JobEvent, context: Any) -> JobRunSummary | JobNotRun:
    """One run of the job, within the invocation's time (and the caller's budget)."""
    from sandbox_common.manager.job_wiring import job_context
    from sandbox_common.manager.persistence_job import run_job

    budget = context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_SECONDS
    if event.budget_seconds is not None:
        budget = min(budget, event.budget_seconds)
    deadline = time.monotonic() + max(budget, 1.0)
    try:
        return run_job(job_context(deadline=deadline), trigger=event.trigger, dry_run=event.dry_run)
    except JobRunning as running:
        return JobNotRun(message=running.message)


def _metrics(summary: JobRunSummary | JobNotRun) -> dict[str, float]:
    if isinstance(summary, JobNotRun):
        return {"RunsNotRun": 1}
    if summary.dry_run:
        return {"DryRuns": 1}
    # The credits themselves are the business metric ``CreditsCharged``, published per charge
    # (sandbox_common.business_events): a run total under the same name would count twice.
    return {
        "ConfigsSeen": summary.configs_seen,
        "Charged": summary.charged,
        "Woken": summary.woken,
        "Expired": summary.expired,
        "Disabled": summary.disabled,
        "ConfigFailures": summary.failures,
    }


handler = make_task_handler("persistence-job", run, event_model=JobEvent, metrics=_metrics)
