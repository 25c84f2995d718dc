"""The hourly persistence job: charge, expire, disable and wake the persistent sandboxes.

One run at a time holds the job's lease (a scheduled and a manual run never overlap; a
crashed run's lease runs out). A run pages through the enabled configs (the sparse index,
not a scan) and works on several at once, each on its own: a config that fails is counted,
left exactly as it was and retried by the next run, and never stops the batch.

Charging a period never happens twice and is never lost (``manager.billing`` names each
period; the steps below keep that promise through crashes):

1. the period is written on the config as its pending charge (conditional on the version
   read), so its identity outlives the run;
2. the payment server is asked to consume it under that identity as Idempotency-Key (a
   repeat answers the first result and charges nothing);
3. one transaction moves the config past the period (conditional on the version) and
   records the charge in the sandbox's history.

A run that dies between 2 and 3 leaves the pending charge; the next run settles it with the
same key before it looks at anything else. A payment-server timeout or 5xx leaves the config
as step 1 left it. Two runs working on one config (a lease that ran out under a slow run)
collide on the version and one of them backs off.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import Context, copy_context
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import repeat
from typing import Any

from sandbox_common import business_events
from sandbox_common.clock import isoformat
from sandbox_common.manager.job_context import Configs, JobContext
from sandbox_common.manager.job_models import (
    MAX_LISTED_FAILURES,
    MAX_LISTED_PLANS,
    ConfigFailure,
    JobRunning,
    JobRunSummary,
    JobTrigger,
    PlannedConfig,
)
from sandbox_common.manager.job_worker import ConfigOutcome, ConfigWorker, KnownCredits
from sandbox_common.manager.models import StoredConfig
from sandbox_common.platform_usage.counters import BusinessEvent
from sandbox_common.storage.persistent_configs_repository import UnreadableConfig

_log = logging.getLogger(__name__)

PAGE_SIZE = 100
# The lease is renewed every third of its length, and never more often than this.
MIN_RENEW_INTERVAL_SECONDS = 1.0


@dataclass
class _Tally:
    summary: JobRunSummary
    seen: int = 0
    outcomes: list[ConfigOutcome] = field(default_factory=list)
    failures: list[ConfigFailure] = field(default_factory=list)


def run_job(context: JobContext, *, trigger: JobTrigger, dry_run: bool = False) -> JobRunSummary:
    """One run over every enabled config (or until the deadline); its summary.

    JobRunning if another run holds the lease (a dry run needs none: it writes nothing).
    """
    run_id = str(uuid.uuid4())
    started = context.now()
    if not dry_run and not context.runs.acquire(run_id, now=started, until=started + context.lease):
        raise JobRunning("The persistence job is already running; try again when it finishes")
    tally = _Tally(
        JobRunSummary(
            run_id=run_id, trigger=trigger, dry_run=dry_run, started_at=isoformat(started)
        )
    )
    try:
        if dry_run:
            complete = _run_pages(context, run_id, tally, dry_run=True)
        else:
            with _lease_kept(context, run_id):
                complete = _run_pages(context, run_id, tally, dry_run=False)
    finally:
        if not dry_run:
            context.runs.release(run_id)
    summary = _summarize(tally, complete=complete, finished=context.now(), dry_run=dry_run)
    if not dry_run:
        context.runs.save_last_run(summary)
        if summary.failures:
            business_events.record(
                BusinessEvent.JOB_FAILURES, identity=run_id, amount=summary.failures
            )
    _log.info("persistence job run finished", extra={"summary": summary.model_dump(mode="json")})
    return summary


@contextmanager
def _lease_kept(context: JobContext, run_id: str) -> Iterator[None]:
    """Renew the run's lease in the background while the run works, so a page that takes
    longer than the lease (a payment server timing out on every call) never lets a second
    run start beside this one; a crashed run stops renewing and its lease runs out."""
    stopped = threading.Event()
    interval = max(context.lease.total_seconds() / 3, MIN_RENEW_INTERVAL_SECONDS)

    def renew() -> None:
        while not stopped.wait(interval):
            try:
                context.runs.renew(run_id, until=context.now() + context.lease)
            except Exception:  # the next renewal, or the page's, tries again
                _log.warning("persistence job: lease renewal failed", exc_info=True)

    keeper = threading.Thread(target=renew, name="persistence-job-lease", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stopped.set()
        keeper.join()


def _run_pages(context: JobContext, run_id: str, tally: _Tally, *, dry_run: bool) -> bool:
    """Work through the pages; False if the run stopped early (budget or lost lease)."""
    credits = KnownCredits()
    with ThreadPoolExecutor(
        max_workers=context.workers, thread_name_prefix="persistence-job"
    ) as pool:
        for page in _pages(context.configs):
            if context.deadline is not None and time.monotonic() >= context.deadline:
                return False
            if not dry_run and not context.runs.renew(run_id, until=context.now() + context.lease):
                _log.warning("persistence job lost its lease; stopping", extra={"run_id": run_id})
                return False
            worker = ConfigWorker(context, run_id, credits, dry_run=dry_run)
            # Each config runs in a copy of the invocation's context (pool threads start
            # with none), so its log lines and metrics carry the invocation's keys.
            copies = [copy_context() for _ in page]
            for result in pool.map(Context.run, copies, repeat(worker.guarded), page):
                tally.seen += 1
                if isinstance(result, ConfigFailure):
                    tally.failures.append(result)
                else:
                    tally.outcomes.append(result)
    return True


def _pages(configs: Configs) -> Iterator[list[StoredConfig | UnreadableConfig]]:
    start_key: dict[str, Any] | None = None
    while True:
        page, start_key = configs.enabled_page(limit=PAGE_SIZE, start_key=start_key)
        if page:
            yield page
        if not start_key:
            return


def _summarize(
    tally: _Tally, *, complete: bool, finished: datetime, dry_run: bool
) -> JobRunSummary:
    outcomes = tally.outcomes
    planned = [o.planned for o in outcomes if o.planned is not None and _does_something(o.planned)]
    return tally.summary.model_copy(
        update={
            "finished_at": isoformat(finished),
            "complete": complete,
            "configs_seen": tally.seen,
            "charged": sum(o.charges for o in outcomes),
            "total_charged": sum((o.charged for o in outcomes), Decimal(0)),
            "woken": sum(o.woken for o in outcomes),
            "expired": sum(o.expired for o in outcomes),
            "disabled": sum(o.disabled for o in outcomes),
            "failures": len(tally.failures),
            "failed": tally.failures[:MAX_LISTED_FAILURES],
            "planned": planned[:MAX_LISTED_PLANS] if dry_run else None,
        }
    )


def _does_something(plan: PlannedConfig) -> bool:
    return bool(plan.settle or plan.charge or plan.disable or plan.expire or plan.wake)
