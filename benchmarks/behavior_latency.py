"""Behavior latency as a user's history grows: a login signal, orchestration of its two
decisions, and a page of the user's audit trail, on a fresh user vs one with a long history.

Bar: with ``--history`` signals already processed and orchestrated for the user (each leaving
a signal, an event, two decisions, two actions and seven audit entries), every step answers
within 1.5 x its latency on a fresh user: reads are bounded by what a request returns, never
by what the sandbox holds.

A `LocalRuntime` runs in this process; requests go through its gateway in-process
(``runtime.invoke``: authorizer, key and plan checks, the function). Each sample is
``POST /api/sandbox/signals`` (one TransactWriteItems), ``POST /api/sandbox/orchestrate/{u}``
(a page of pending decisions, one transaction per decision) and
``GET /api/sandbox/audit/{u}?limit=50``, timed separately.

Usage: python benchmarks/behavior_latency.py [--history 500] [--samples 30] [--results FILE]
"""

from __future__ import annotations

import argparse
import gc
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

from results import Result, add_results_option, record
from runtime_harness import handler_output_to, in_process_pro_key, invoke_json

from local_runtime import LocalRuntime
from sandbox_common import providers

ROOT = Path(__file__).resolve().parent.parent
BAR_RATIO = 1.5
STEPS = ("signal", "orchestrate", "audit page")


def one_round(runtime: LocalRuntime, key: str, user: str) -> tuple[float, ...]:
    """One login, its orchestration and an audit page: the three latencies (ms)."""
    marks = [time.perf_counter()]
    invoke_json(
        runtime, "POST", "/api/sandbox/signals", key, {"userId": user, "type": "user_login"}
    )
    marks.append(time.perf_counter())
    invoke_json(runtime, "POST", f"/api/sandbox/orchestrate/{user}", key)
    marks.append(time.perf_counter())
    invoke_json(runtime, "GET", f"/api/sandbox/audit/{user}?limit=50", key)
    marks.append(time.perf_counter())
    return tuple((b - a) * 1000 for a, b in zip(marks, marks[1:], strict=False))


def sample(runtime: LocalRuntime, key: str, user: str, count: int) -> list[list[float]]:
    gc.collect()
    rounds = [one_round(runtime, key, user) for _ in range(count)]
    return [[r[i] for r in rounds] for i in range(len(STEPS))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=500)
    parser.add_argument("--samples", type=int, default=30)
    add_results_option(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with (
        tempfile.TemporaryDirectory() as tmp,
        handler_output_to(Path(tmp) / "handlers.log") as out,
        LocalRuntime(ROOT / "template.yaml", port=0, project_root=tmp) as runtime,
    ):
        providers.reset()  # bind the repositories to the runtime's moto
        key = in_process_pro_key(runtime)
        sample(runtime, key, "user_uk", 3)  # warm-up: imports, clients
        fresh = sample(runtime, key, "user_us", args.samples)
        started = time.perf_counter()
        for _ in range(args.history):
            one_round(runtime, key, "user_jp")
        filled = time.perf_counter() - started
        print(f"history: {args.history} rounds for user_jp in {filled:.1f} s", file=out)
        long = sample(runtime, key, "user_jp", args.samples)

        print(
            f"Behavior latency (ms, median of {args.samples}; in-process gateway), "
            f"fresh user vs one with {args.history} signals behind it",
            file=out,
        )
        header = f"{'step':<12} {'fresh':>8} {'history':>8} {'ratio':>7}  verdict"
        print(header, file=out)
        print("-" * len(header), file=out)
        failed = False
        for index, step in enumerate(STEPS):
            low, high = statistics.median(fresh[index]), statistics.median(long[index])
            ratio = high / low
            failed = failed or ratio > BAR_RATIO
            verdict = "PASS" if ratio <= BAR_RATIO else "FAIL"
            record(
                args.results,
                Result(
                    benchmark="behavior_latency",
                    what=f"behavior {step}, user with {args.history} signals vs a fresh user",
                    figure=f"median, {high:.1f} / {low:.1f} ms",
                    value=ratio,
                    unit="x",
                    bar=f"<= {BAR_RATIO} x fresh",
                    holds=ratio <= BAR_RATIO,
                ),
            )
            print(f"{step:<12} {low:>8.1f} {high:>8.1f} {ratio:>7.2f}  {verdict}", file=out)
        print("overall:", "FAIL" if failed else "PASS", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
