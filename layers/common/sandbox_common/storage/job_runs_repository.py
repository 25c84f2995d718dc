"""The persistence job's lease and its last run, in a small table keyed by ``pk``.

The lease is what makes "one run at a time" hold across a scheduled and a manual run, and
across concurrent invocations: taking it is a conditional write, it names its owner, and it
runs out on its own, so a run that crashed never leaves the job marked running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox_common.clock import isoformat
from sandbox_common.errors import Conflict
from sandbox_common.manager.job_models import JobRunSummary
from sandbox_common.storage.dynamo import translated_errors

_LEASE = {"pk": "lease"}
_LAST_RUN = {"pk": "last-run"}


@dataclass(frozen=True)
class JobLease:
    """Who holds the job, since when, and until when unless renewed."""

    owner: str
    since: datetime
    until: datetime


class JobRunsRepository:
    """The job's lease and last run summary."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def acquire(self, owner: str, *, now: datetime, until: datetime) -> bool:
        """Take the lease for ``owner`` unless a live lease is held; True if taken."""
        try:
            with translated_errors():
                self._table.put_item(
                    Item={
                        **_LEASE,
                        "owner": owner,
                        "since": isoformat(now),
                        "until": isoformat(until),
                    },
                    ConditionExpression="attribute_not_exists(pk) OR #until <= :now",
                    ExpressionAttributeNames={"#until": "until"},
                    ExpressionAttributeValues={":now": isoformat(now)},
                )
        except Conflict:
            return False
        return True

    def renew(self, owner: str, *, until: datetime) -> bool:
        """Extend ``owner``'s lease; False if it is no longer ``owner``'s."""
        try:
            with translated_errors():
                self._table.update_item(
                    Key=_LEASE,
                    UpdateExpression="SET #until = :until",
                    ConditionExpression="#owner = :owner",
                    ExpressionAttributeNames={"#until": "until", "#owner": "owner"},
                    ExpressionAttributeValues={":until": isoformat(until), ":owner": owner},
                )
        except Conflict:
            return False
        return True

    def release(self, owner: str) -> None:
        """Give the lease up (no-op if it is not ``owner``'s any more)."""
        try:
            with translated_errors():
                self._table.delete_item(
                    Key=_LEASE,
                    ConditionExpression="#owner = :owner",
                    ExpressionAttributeNames={"#owner": "owner"},
                    ExpressionAttributeValues={":owner": owner},
                )
        except Conflict:
            pass

    def lease(self) -> JobLease | None:
        """The lease as stored (it may have run out: compare ``until`` with now)."""
        with translated_errors():
            item = self._table.get_item(Key=_LEASE, ConsistentRead=True).get("Item")
        if not item:
            return None
        return JobLease(
            owner=item["owner"],
            since=datetime.fromisoformat(item["since"]),
            until=datetime.fromisoformat(item["until"]),
        )

    def save_last_run(self, summary: JobRunSummary) -> None:
        """Keep ``summary`` as the last run."""
        with translated_errors():
            self._table.put_item(Item={**_LAST_RUN, "summary": summary.model_dump(mode="json")})

    def last_run(self) -> JobRunSummary | None:
        """The last finished run's summary, if any."""
        with translated_errors():
            item = self._table.get_item(Key=_LAST_RUN, ConsistentRead=True).get("Item")
        return JobRunSummary.model_validate(item["summary"]) if item else None
