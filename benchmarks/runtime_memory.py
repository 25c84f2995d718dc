"""Runtime memory across initialize-and-reset cycles of the default data set.

Bar: the runtime's resident memory (RSS) after 100 cycles of `POST /initialize` (the
default set: 100 accounts, 500 transactions, 50 compliance records) and `POST /reset` stays
within 1.5 x of its RSS after the first cycle: the local store does not keep what a reset
retired.

A `LocalRuntime` runs in this process (its schedules off); requests go through its gateway
in-process with a pro-tier key. Every initialize and every reset retires a data generation;
the sweeper deletes retired generations' items on its schedule (every 5 minutes, each
generation after a grace period), which this benchmark fires after each cycle, as a running
`make run` would over time (unless ``--no-sweep``): the layer's clock
(``providers.override_clock``) moves on 5 minutes per cycle, so a cycle stands for one
schedule period. RSS is read from /proc after a full garbage collection; moto's item count
is shown beside it.

Usage: python benchmarks/runtime_memory.py [--cycles 100] [--no-sweep] [--results FILE]
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from results import Result, add_results_option, record
from runtime_harness import handler_output_to, in_process_pro_key, invoke_json

from local_runtime import LocalRuntime
from local_runtime.aws import moto_backend
from sandbox_common import providers
from sandbox_common.clock import FixedClock

ROOT = Path(__file__).resolve().parent.parent
BAR_RATIO = 1.5
SCHEDULE_PERIOD_SECONDS = 300  # the sweeper's rate(5 minutes)


def rss_mb() -> float:
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS in /proc/self/status (Linux only)")


def stored_items() -> int:
    tables = moto_backend("dynamodb").tables.values()
    return sum(len(table.all_items()) for table in tables)


def sweep(runtime: LocalRuntime) -> bool:
    """Fire every scheduled sweep now; False when the template schedules none."""
    scheduler = getattr(runtime, "scheduler", None)
    targets = [t for t in getattr(scheduler, "targets", []) if "Sweep" in t.function_id]
    for target in targets:
        scheduler.fire(target.function_id, target.event_name)  # type: ignore[union-attr]
    return bool(targets)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--no-sweep", action="store_true", help="never fire the sweeper")
    add_results_option(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with (
        tempfile.TemporaryDirectory() as tmp,
        handler_output_to(Path(tmp) / "handlers.log") as out,
        LocalRuntime(ROOT / "template.yaml", port=0, project_root=tmp, schedule_speed=0) as runtime,
    ):
        key = in_process_pro_key(runtime)
        swept = False
        rows = []
        clock = FixedClock(datetime.now(UTC))
        providers.override_clock(clock)
        for cycle in range(1, args.cycles + 1):
            invoke_json(
                runtime, "POST", "/api/v1/sandbox/initialize", key, {"environment": "sandbox"}
            )
            invoke_json(runtime, "POST", "/api/v1/sandbox/reset", key)
            clock.advance(SCHEDULE_PERIOD_SECONDS)
            if not args.no_sweep:
                swept = sweep(runtime)
            if cycle in (1, 10, 25, 50) or cycle == args.cycles:
                rows.append((cycle, rss_mb(), stored_items()))
        print(
            f"Runtime memory over {args.cycles} initialize-and-reset cycles "
            f"(default set; sweeper {'fired after each cycle' if swept else 'not run'})",
            file=out,
        )
        print(f"{'cycle':>6} {'RSS MB':>8} {'items in moto':>14}", file=out)
        for cycle, rss, items in rows:
            print(f"{cycle:>6} {rss:>8.1f} {items:>14,}", file=out)
        ratio = rows[-1][1] / rows[0][1]
        verdict = "PASS" if ratio <= BAR_RATIO else "FAIL"
        print(
            f"RSS after {args.cycles} / after 1: {ratio:.2f} (bar <= {BAR_RATIO}): {verdict}",
            file=out,
        )
        record(
            args.results,
            Result(
                benchmark="runtime_memory",
                what=f"runtime RSS after {args.cycles} initialize-and-reset cycles vs after 1"
                + ("" if swept else " (sweeper not run)"),
                figure=f"RSS {rows[-1][1]:.0f} / {rows[0][1]:.0f} MB",
                value=ratio,
                unit="x",
                bar=f"<= {BAR_RATIO} x",
                holds=ratio <= BAR_RATIO,
            ),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
