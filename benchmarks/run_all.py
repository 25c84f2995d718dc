"""Run every benchmark, one after the other, and print one table of their bars.

Each benchmark script runs in its own process with its usual arguments (``make bench``'s
list, below) plus ``--results FILE``; its own report goes to the terminal as it runs. At the
end come the tables: every figure with its bar and whether it holds ("reported" when the
figure has no bar), then each function's cold start side by side with the baseline handler,
then how each script ran. A script that fails (an exit code other than 0, or no figures
written) is a row saying so, and the others still run. The tables are also written to
``benchmarks/latest.md`` after a full run (``--output`` to choose, or to write a partial one).

Usage: python benchmarks/run_all.py [--only NAME ...] [--quick] [--output FILE] [--list]
``--quick`` runs each script with its smallest settings (a smoke run: the figures are not
comparable with the bars). Exits 1 when a script failed; bars not met are reported only.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from results import (
    BARS_HEADER,
    Result,
    bar_row,
    markdown_table,
    read,
    side_by_side_table,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LATEST = HERE / "latest.md"
SIGNAL_BODY = '{"userId": "user_us", "type": "user_login"}'
FAILED = "failed"


@dataclass(frozen=True)
class Benchmark:
    """One script run: its name in the tables, its file, its usual and smallest arguments."""

    name: str
    script: str
    args: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return HERE / self.script  # an absolute ``script`` stays as it is

    def argv(self, quick: bool) -> tuple[str, ...]:
        return self.quick if quick and self.quick else self.args

    def command(self, quick: bool) -> str:
        """The command line a reader can paste (relative to the repository)."""
        try:
            shown = str(self.path.relative_to(ROOT))
        except ValueError:
            shown = str(self.path)
        return shlex.join(["python", shown, *self.argv(quick)])


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("cold_start", "cold_start.py", quick=("--runs", "3")),
    Benchmark(
        "runtime_load_status",
        "runtime_load.py",
        quick=("--clients", "10", "--rate", "10", "--seconds", "2"),
    ),
    Benchmark(
        "runtime_load_accounts",
        "runtime_load.py",
        ("--path", "/api/v1/sandbox/accounts?limit=20"),
        quick=("--path", "/api/v1/sandbox/accounts?limit=20", "--clients", "10", "--rate", "10")
        + ("--seconds", "2"),
    ),
    Benchmark(
        "request_cpu_status", "request_cpu.py", ("status",), ("status", "5", "--others", "0")
    ),
    Benchmark(
        "request_cpu_accounts",
        "request_cpu.py",
        ("accounts", "20"),
        ("accounts", "5", "--others", "0"),
    ),
    Benchmark(
        "transfer_latency",
        "transfer_latency.py",
        quick=("--items", "2000", "--samples", "5", "--untuned-samples", "1"),
    ),
    Benchmark("runtime_memory", "runtime_memory.py", quick=("--cycles", "5")),
    Benchmark("mock_data_generation", "mock_data_generation.py", quick=("--runs", "1")),
    Benchmark("ledger_writes", "ledger_writes.py", quick=("--runs", "1")),
    Benchmark("initialize_latency", "initialize_latency.py", quick=("--runs", "3")),
    Benchmark(
        "reset_latency", "reset_latency.py", quick=("--sizes", "1000,10000", "--repeats", "1")
    ),
    Benchmark("listing_latency", "listing_latency.py", quick=("--runs", "3")),
    Benchmark("dashboard_latency", "dashboard_latency.py", quick=("--runs", "3")),
    Benchmark(
        "behavior_latency", "behavior_latency.py", quick=("--history", "20", "--samples", "5")
    ),
    Benchmark(
        "delivery_delay",
        "delivery_delay.py",
        quick=("--messages", "20", "--advance-messages", "50", "--runs", "1"),
    ),
    Benchmark(
        "persistence_job",
        "persistence_job.py",
        ("--configs", "1000", "10000"),
        quick=("--configs", "100"),
    ),
    Benchmark(
        "runtime_load_signals",
        "runtime_load.py",
        ("--clients", "20", "--rate", "20", "--method", "POST")
        + ("--path", "/api/sandbox/signals", "--body", SIGNAL_BODY),
        quick=("--clients", "5", "--rate", "5", "--seconds", "2", "--method", "POST")
        + ("--path", "/api/sandbox/signals", "--body", SIGNAL_BODY),
    ),
    Benchmark("soak", "soak.py", quick=("--clients", "20", "--seconds", "10", "--sandboxes", "3")),
)


@dataclass(frozen=True)
class Run:
    """How one benchmark script ran: its exit code, its figures, why it failed."""

    benchmark: Benchmark
    command: str
    exit_code: int
    seconds: float
    results: tuple[Result, ...] = ()
    problem: str = ""  # the last line the script wrote to stderr, or what was wrong

    @property
    def ok(self) -> bool:
        """It exited 0 and wrote figures that could be read."""
        return self.exit_code == 0 and bool(self.results) and not self.problem

    @property
    def outcome(self) -> str:
        if self.exit_code < 0:
            return f"{FAILED} (killed by signal {-self.exit_code})"
        if self.exit_code != 0:
            return f"{FAILED} (exit {self.exit_code})"
        if self.problem:
            return f"{FAILED} (exit 0)"
        if not self.results:
            return f"{FAILED} (exit 0, no figures written)"
        return "ran"


def select(benchmarks: Sequence[Benchmark], only: Sequence[str] | None) -> list[Benchmark]:
    """The benchmarks named (by name or by script, ``runtime_load`` picks all three)."""
    if not only:
        return list(benchmarks)
    unknown = [
        name for name in only if not any(name in (b.name, Path(b.script).stem) for b in benchmarks)
    ]
    if unknown:
        raise ValueError(f"no benchmark named {', '.join(unknown)}")
    return [b for b in benchmarks if b.name in only or Path(b.script).stem in only]


def run_one(
    benchmark: Benchmark, quick: bool = False, python: str = sys.executable, tail: int = 20
) -> Run:
    """Run one script with ``--results``; its stdout goes straight to ours, stderr is
    echoed and its last line kept for the table."""
    command = benchmark.command(quick)
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        results_file = Path(scratch) / "results.jsonl"
        argv = [python, str(benchmark.path), *benchmark.argv(quick), "--results", str(results_file)]
        sys.stdout.flush()
        started = time.perf_counter()
        last_lines: deque[str] = deque(maxlen=tail)
        with subprocess.Popen(
            argv, cwd=ROOT, stderr=subprocess.PIPE, text=True, errors="replace"
        ) as process:
            assert process.stderr is not None
            for line in process.stderr:
                sys.stderr.write(line)
                if line.strip():
                    last_lines.append(line.strip())
            exit_code = process.wait()
        seconds = time.perf_counter() - started
        try:
            results = tuple(read(results_file))
            problem = ""
        except ValueError as exc:
            results, problem = (), f"unreadable results: {str(exc).splitlines()[0]}"
    if exit_code != 0 and last_lines:
        problem = last_lines[-1]
    return Run(benchmark, command, exit_code, seconds, results, problem)


def failure_row(run: Run) -> tuple[str, str, str, str]:
    detail = f": {run.problem}" if run.problem else ""
    return (run.benchmark.name, run.outcome + detail, "-", FAILED)


def render(runs: Sequence[Run], *, heading: str) -> str:
    """The bars table, the side-by-side table (when a run measured one) and the runs."""
    rows: list[tuple[str, str, str, str]] = []
    for run in runs:
        rows += [bar_row(result) for result in run.results if result.baseline is None]
        if not run.ok:
            rows.append(failure_row(run))
    sections = [heading, "## Bars", markdown_table(BARS_HEADER, rows)]
    compared = [result for run in runs for result in run.results if result.baseline is not None]
    if compared:
        sections += [
            "## Cold start: each function's import vs the baseline handler",
            side_by_side_table(compared),
        ]
    sections += [
        "## Runs",
        markdown_table(
            ("benchmark", "command", "seconds", "outcome"),
            [
                (run.benchmark.name, f"`{run.command}`", f"{run.seconds:.0f}", run.outcome)
                for run in runs
            ],
        ),
    ]
    return "\n\n".join(sections) + "\n"


def heading(started: datetime, quick: bool, only: Sequence[str] | None) -> str:
    scope = "every benchmark" if not only else "only " + ", ".join(only)
    settings = "usual settings"
    if quick:
        settings = "smallest settings (--quick: a smoke run, not comparable)"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        "# Benchmark results\n\n"
        f"`benchmarks/run_all.py`, {started:%Y-%m-%d %H:%M} UTC: {scope}, {settings}; "
        f"{os.cpu_count()} cores, load average {load:.1f} at the start."
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run these benchmarks only")
    parser.add_argument("--quick", action="store_true", help="each script's smallest settings")
    parser.add_argument(
        "--output",
        type=Path,
        help=f"write the tables here (default: {LATEST.relative_to(ROOT)} after a full run)",
    )
    parser.add_argument("--list", action="store_true", help="print the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for benchmark in BENCHMARKS:
            print(f"{benchmark.name:<24} {benchmark.command(args.quick)}")
        return 0
    try:
        chosen = select(BENCHMARKS, args.only)
    except ValueError as exc:
        parser.error(f"{exc}; --list shows the names")

    started = datetime.now(UTC)
    top = heading(started, args.quick, args.only)
    runs: list[Run] = []
    for benchmark in chosen:
        print(f"\n=== {benchmark.name}: {benchmark.command(args.quick)}", flush=True)
        runs.append(run_one(benchmark, args.quick))
    report = render(runs, heading=top)
    print("\n" + report)
    output = args.output or (LATEST if not args.only and not args.quick else None)
    if output is not None:
        output.write_text(report, encoding="utf-8")
        print(f"written to {output}")
    return 1 if any(not run.ok for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
