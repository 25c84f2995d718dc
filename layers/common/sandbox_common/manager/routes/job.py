"""Routes of the persistence job (admin): ``POST /admin/execute-job``, ``GET /admin/job-status``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from sandbox_common.http.auth import Admin
from sandbox_common.http.envelope import DataEnvelope, MessageEnvelope
from sandbox_common.http.openapi import also_answers
from sandbox_common.manager import job_control
from sandbox_common.manager.job_models import JobRunSummary, JobStatus

router = APIRouter()


class ExecuteJob(BaseModel):
    """``POST /admin/execute-job``'s optional body."""

    model_config = ConfigDict(extra="forbid")

    # Say what a run would do now (it reads the payment server's credits) and change nothing.
    dry_run: StrictBool = Field(default=False, alias="dryRun")


@router.post(
    "/admin/execute-job",
    response_model=MessageEnvelope[JobRunSummary],
    response_model_exclude_none=True,
    response_model_by_alias=True,
    openapi_extra=also_answers(409),  # another run holds the job
)
def execute_job(
    caller: Admin, body: Annotated[ExecuteJob | None, Body()] = None
) -> MessageEnvelope[JobRunSummary]:
    """Run the persistent-sandbox job now (admin) and answer what it did."""
    dry_run = body.dry_run if body else False
    summary = job_control.execute_job(caller, dry_run=dry_run)
    message = "Dry run: nothing was changed" if dry_run else "Job executed successfully"
    return MessageEnvelope(message=message, data=summary)


@router.get(
    "/admin/job-status", response_model=DataEnvelope[JobStatus], response_model_exclude_none=True
)
def job_status(caller: Admin) -> DataEnvelope[JobStatus]:
    """Whether a run is going on now, the schedule, and the last run's summary (admin)."""
    return DataEnvelope(data=job_control.job_status(caller))
