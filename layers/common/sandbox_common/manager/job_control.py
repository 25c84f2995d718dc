"""Use cases of the job's admin routes: run it now (``POST /admin/execute-job``) and say
whether it is running and what its last run did (``GET /admin/job-status``)."""

from __future__ import annotations

from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.clock import isoformat
from sandbox_common.errors import SandboxError, UpstreamError
from sandbox_common.manager.job_models import (
    JobNotRun,
    JobRunning,
    JobRunSummary,
    JobStatus,
    JobTrigger,
)

# A manual run answers within API Gateway's 29 s: it stops taking new configs after this
# long, and the summary says whether it finished (``complete``); the next run does the rest.
MANUAL_RUN_BUDGET_SECONDS = 20


class JobFailed(SandboxError):
    """The run itself failed (not one config: those are counted in its summary)."""

    status_code = 500
    code = "job_failed"


def execute_job(caller: AuthContext, *, dry_run: bool) -> JobRunSummary:
    """Run the persistence job now, in its own function, and answer its summary."""
    from sandbox_common.aws.lambda_invoke import FunctionFailed

    caller.require_admin()
    function = providers.settings().persistence_job_function
    if not function:
        raise UpstreamError("No persistence job function is configured (PERSISTENCE_JOB_FUNCTION)")
    payload = {
        "id": caller.key_id,
        "trigger": JobTrigger.MANUAL.value,
        "dryRun": dry_run,
        "budgetSeconds": MANUAL_RUN_BUDGET_SECONDS,
    }
    try:
        answer = providers.function_invoker().invoke(function, payload)
    except FunctionFailed as exc:
        raise JobFailed("Job execution failed") from exc
    # The function answers its model's fields by name (``not_run``), like every task.
    if "not_run" in answer:
        raise JobRunning(JobNotRun.model_validate(answer).message)
    return JobRunSummary.model_validate(answer)


def job_status(caller: AuthContext) -> JobStatus:
    """Whether a run holds the lease now (a crashed run's lease has run out), and the last
    run's summary."""
    caller.require_admin()
    runs = providers.job_runs_repository()
    lease = runs.lease()
    running = lease is not None and lease.until > providers.wall_clock().now()
    return JobStatus(
        running=running,
        running_since=isoformat(lease.since) if lease is not None and running else None,
        schedule=providers.settings().persistence_job_schedule,
        last_run=runs.last_run(),
    )
