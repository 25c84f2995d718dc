"""Persistence job: one hourly run over N enabled persistent configs, charged at the bundled
payment server through the local runtime.

Bar: 10,000 enabled configs, each due one hour of credits, are charged by one run in < 60 s
(167 configs/s). 1,000 configs are reported without a bar (a run that grows faster than the
number of configs shows between the two).

How: a ``LocalRuntime`` runs in this process (schedules off; handlers, moto and the HTTP
server in-process). Setup, not timed: ``--configs / 10`` customers are granted credits through
``POST /admin/credits`` (enough for many hours); N sandboxes and N enabled ``forever`` configs
are written straight into the SandboxesTable and PersistentConfigsTable with batch writes, in
the repositories' own item format, each config billed up to one hour back and woken one hour
ago (so a run charges every config and wakes none: the hourly steady state). The job's wall
clock is pinned to one instant for both runs (``providers.override_clock``), so each config
owes exactly one hour and a repeat at that instant owes nothing.

Timed: the template's Hourly schedule fired once (``runtime.scheduler.fire``), i.e. the
PersistenceJobFunction handler with a scheduled event and its own 900 s budget: it pages the
enabled-config index and, per config, reads the customer's credits (GET /get-credits), records
the charge's intent, consumes it (POST /consume-credits with its Idempotency-Key) and moves the
config with the charge record in one transaction; both payment calls go over HTTP to the
runtime's own server (the bundled payment server), as in AWS.

Checked after the run: failures 0, every config charged; the credits consumed (granted minus
each customer's balance, GET /get-credits) == the summary's total == the sum of the charge
history's amounts == N x rate; each sandbox has exactly one charge; every config is billed up
to the run's instant with no pending charge. Then the job is fired again at once: it sees the
N configs and charges nothing. ``--workers`` runs the whole thing once per JOB_WORKERS value.

Usage: python benchmarks/persistence_job.py [--configs 1000 10000] [--workers 8]
       [--configs-per-customer 10] [--check] [--results FILE]
Exits 0 (it is a report); with --check, exits 1 when the bar fails or a check does not hold.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import boto3
from results import Result as BenchmarkResult
from results import add_results_option, record
from runtime_harness import handler_output_to

from local_runtime import LocalRuntime
from local_runtime.runtime import generate_admin_key
from sandbox_common import providers
from sandbox_common.clock import FixedClock
from sandbox_common.config import get_settings
from sandbox_common.manager.billing import epoch_ms
from sandbox_common.manager.models import PersistenceMode, PersistentConfig, StoredConfig
from sandbox_common.sandboxes.models import Sandbox
from sandbox_common.storage.persistent_configs_repository import _item as config_item
from sandbox_common.storage.sandboxes_repository import clock_attribute

ROOT = Path(__file__).resolve().parent.parent
BAR_CONFIGS = 10_000
BAR_SECONDS = 60.0
JOB_FUNCTION = "PersistenceJobFunction"
JOB_SCHEDULE = "Hourly"
# Hours of charges each customer's grant covers for all of its configs.
GRANTED_HOURS = 50


class CheckFailed(Exception):
    """The run did not charge as the benchmark requires."""


@dataclass(frozen=True)
class Result:
    configs: int
    workers: int
    seconds: float
    summary: dict[str, Any]
    repeat_seconds: float
    repeat: dict[str, Any]


def admin_call(runtime: LocalRuntime, method: str, path: str, body: Any = None) -> Any:
    """One in-process admin request that must answer 200: its ``data``."""
    status, _, raw = runtime.invoke(
        method, path, {"Authorization": f"Bearer {runtime.admin_key}"}, body
    )
    if status != 200:
        raise CheckFailed(f"{method} {path}: {status} {raw[:300]!r}")
    return json.loads(raw)["data"]


def customers_for(configs: int, per_customer: int) -> list[str]:
    return [f"cust_bench_{n:05d}" for n in range((configs + per_customer - 1) // per_customer)]


def set_up(
    runtime: LocalRuntime, configs: int, per_customer: int, now: datetime, rate: Decimal
) -> dict[str, Decimal]:
    """Customers with credits, N sandboxes with enabled configs billed up to an hour back;
    what each customer was granted."""
    customers = customers_for(configs, per_customer)
    granted: dict[str, Decimal] = {}
    for customer in customers:
        amount = rate * per_customer * GRANTED_HOURS
        admin_call(
            runtime, "POST", "/admin/credits", {"customerId": customer, "amount": str(amount)}
        )
        granted[customer] = amount
    settings = get_settings()
    dynamodb = boto3.resource("dynamodb")
    an_hour_ago = now - timedelta(hours=1)
    with (
        dynamodb.Table(settings.sandboxes_table).batch_writer() as sandboxes,
        dynamodb.Table(settings.persistent_configs_table).batch_writer() as stored_configs,
    ):
        for n in range(configs):
            sandbox_id = f"sb_bench_{n:06d}"
            email = f"owner{n}@example.com"
            sandbox = Sandbox(
                sandbox_id=sandbox_id,
                created_at=now - timedelta(days=1),
                last_active_at=an_hour_ago,
                persistent=True,
                owner_email=email,
            )
            # As SandboxesRepository.add stores it.
            item = sandbox.model_dump(mode="json", exclude_none=True)
            item["clock"] = clock_attribute(sandbox.clock)
            sandboxes.put_item(Item=item)
            stored_configs.put_item(
                Item=config_item(
                    StoredConfig(
                        sandbox_id=sandbox_id,
                        customer_id=customers[n // per_customer],
                        user_email=email,
                        config=PersistentConfig(
                            enabled=True,
                            mode=PersistenceMode.FOREVER,
                            last_wake_up_timestamp=epoch_ms(an_hour_ago),
                        ),
                        version=1,
                        updated_at=an_hour_ago,
                        enabled_at_ms=epoch_ms(an_hour_ago),
                        billed_until_ms=epoch_ms(an_hour_ago),
                    )
                )
            )
    return granted


def fire(runtime: LocalRuntime) -> tuple[float, dict[str, Any]]:
    """The job as its schedule runs it: seconds and the run's summary."""
    assert runtime.scheduler is not None
    started = time.perf_counter()
    firing = runtime.scheduler.fire(JOB_FUNCTION, JOB_SCHEDULE)
    elapsed = time.perf_counter() - started
    if firing.error is not None:
        raise CheckFailed(f"the job failed: {firing.error!r}")
    summary: dict[str, Any] = firing.result
    return elapsed, summary


def scan(table_name: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(table_name)
    items: list[dict[str, Any]] = []
    arguments: dict[str, Any] = {"ConsistentRead": True}
    while True:
        page = table.scan(**arguments)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def verify(
    runtime: LocalRuntime,
    configs: int,
    granted: dict[str, Decimal],
    summary: dict[str, Any],
    now: datetime,
    rate: Decimal,
) -> None:
    """Every config charged exactly once, and every figure agrees."""
    if summary["failures"] or summary["configs_seen"] != configs or summary["charged"] != configs:
        raise CheckFailed(f"the run did not charge every config: {summary}")
    consumed = sum(
        (
            amount
            - Decimal(admin_call(runtime, "GET", f"/get-credits?customerId={customer}")["credits"])
            for customer, amount in granted.items()
        ),
        Decimal(0),
    )
    settings = get_settings()
    charges = scan(settings.charges_table)
    per_sandbox = Counter(str(charge["sandboxId"]) for charge in charges)
    charged_total = sum((Decimal(str(charge["amount"])) for charge in charges), Decimal(0))
    figures = {
        "credits consumed": consumed,
        "summary total": Decimal(str(summary["total_charged"])),
        "charge history": charged_total,
        "N x rate": rate * configs,
    }
    if len(set(figures.values())) != 1:
        raise CheckFailed(f"the figures disagree: {figures}")
    twice = [sandbox for sandbox, count in per_sandbox.items() if count != 1]
    if len(per_sandbox) != configs or twice:
        raise CheckFailed(
            f"{len(per_sandbox)} sandboxes charged of {configs}; "
            f"charged more than once: {twice[:5]}"
        )
    moved = scan(settings.persistent_configs_table)
    behind = [
        item["sandboxId"]
        for item in moved
        if int(item.get("billedUntilMs", 0)) != epoch_ms(now) or "pendingCharge" in item
    ]
    if behind:
        raise CheckFailed(f"{len(behind)} configs not billed up to the run: {behind[:5]}")


def measure(
    configs: int, workers: int, per_customer: int, admin_key: str, terminal: TextIO
) -> Result:
    """One fresh runtime: set up, fire the job, verify, fire it again."""
    os.environ["JOB_WORKERS"] = str(workers)
    get_settings.cache_clear()
    # Both runs happen at this instant (billing and wake-ups read the wall clock).
    now = datetime.fromtimestamp(round(time.time(), 3), UTC)
    providers.override_clock(FixedClock(now))
    try:
        with LocalRuntime(
            ROOT / "template.yaml", admin_key=admin_key, schedule_speed=0, create_demo_key=False
        ) as runtime:
            rate = get_settings().credit_rate_per_hour
            started = time.perf_counter()
            granted = set_up(runtime, configs, per_customer, now, rate)
            # The job's handler imported before the clock starts (a warm function).
            runtime.functions[JOB_FUNCTION].handler  # noqa: B018 - the property imports it
            print(
                f"  set up {configs} configs, {len(granted)} customers in "
                f"{time.perf_counter() - started:.1f} s",
                file=terminal,
            )
            seconds, summary = fire(runtime)
            print(
                f"  run: {seconds:.1f} s, {configs / seconds:.0f} configs/s, charged "
                f"{summary['charged']} ({summary['total_charged']}), "
                f"failures {summary['failures']}",
                file=terminal,
            )
            verify(runtime, configs, granted, summary, now, rate)
            repeat_seconds, repeat = fire(runtime)
            if repeat["charged"] or repeat["failures"] or repeat["configs_seen"] != configs:
                raise CheckFailed(f"the repeat did something: {repeat}")
            print(f"  repeat: {repeat_seconds:.1f} s, charged 0: checked", file=terminal)
    finally:
        providers.override_clock(None)
        os.environ.pop("JOB_WORKERS", None)
        get_settings.cache_clear()
    return Result(configs, workers, seconds, summary, repeat_seconds, repeat)


def report(args: argparse.Namespace, out: TextIO) -> bool:
    logging.basicConfig(level=logging.WARNING)
    results: list[Result] = []
    # One admin key for every runtime of the process: the authorizer caches the key it read.
    admin_key = generate_admin_key()
    with (
        tempfile.TemporaryDirectory() as scratch,
        handler_output_to(Path(scratch) / "handlers.log") as terminal,
    ):
        for configs in args.configs:
            for workers in args.workers:
                print(f"{configs} configs, JOB_WORKERS={workers}:", file=terminal)
                results.append(
                    measure(configs, workers, args.configs_per_customer, admin_key, terminal)
                )
    print(
        "\nconfigs  workers  run (s)  configs/s  charged  total  failures  repeat (s)",
        file=out,
    )
    for r in results:
        print(
            f"{r.configs:7d}  {r.workers:7d}  {r.seconds:7.1f}  {r.configs / r.seconds:9.0f}  "
            f"{r.summary['charged']:7d}  {r.summary['total_charged']:>5}  "
            f"{r.summary['failures']:8d}  {r.repeat_seconds:10.1f}",
            file=out,
        )
    print(
        "checked: credits consumed == summary total == charge history == N x rate; one "
        "charge per sandbox; a repeat at once charges 0",
        file=out,
    )
    passed = True
    for r in results:
        judged = r.configs >= BAR_CONFIGS
        within = r.seconds * BAR_CONFIGS / r.configs < BAR_SECONDS
        record(
            args.results,
            BenchmarkResult(
                benchmark="persistence_job",
                what=f"persistence job, one run over {r.configs:,} configs "
                f"(JOB_WORKERS={r.workers}; checked: each charged once)",
                figure=f"one run ({r.configs / r.seconds:.0f} configs/s)",
                value=r.seconds,
                unit="s",
                bar=f"{BAR_CONFIGS:,} configs in < {BAR_SECONDS:.0f} s" if judged else None,
                holds=within if judged else None,
            ),
        )
        if judged:
            passed = passed and within
            print(
                f"bar: {BAR_CONFIGS} configs in < {BAR_SECONDS:.0f} s with {r.workers} workers: "
                f"{r.seconds:.1f} s ({'PASS' if within else 'FAIL'})",
                file=out,
            )
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", type=int, nargs="+", default=[1000, BAR_CONFIGS])
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[get_settings().job_workers],
        help="JOB_WORKERS values to run with, one full run each (default: the setting's)",
    )
    parser.add_argument("--configs-per-customer", type=int, default=10)
    parser.add_argument("--check", action="store_true", help="exit 1 when the bar fails")
    add_results_option(parser)
    args = parser.parse_args()
    try:
        passed = report(args, sys.stdout)
    except CheckFailed as exc:
        print(f"check failed: {exc}", file=sys.stderr)
        return 1
    return 0 if passed or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
