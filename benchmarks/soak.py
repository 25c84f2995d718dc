"""Mixed-load soak: concurrent clients on all three groups, then nothing lost or doubled.

The runtime (`python -m local_runtime`) runs in its own process, as `make run` does. Clients
spread over several sandboxes, one pro-tier developer key each (100 req/s, so the usage
plan's throttle does not dominate; a 429 is counted, never reaches a function and is left
out of the counts), send back to back for `--seconds`: fintech (transfers with
Idempotency-Keys, some repeated or shared, processed, some twice; listings; the dashboard),
messaging (signals, orchestration, messages sent and marked delivered, scheduled ahead on
the frozen sandbox clock, delivered now; clock advances) and the manager (config updates,
credit grants and consumes with Idempotency-Keys, some repeated; manual runs of the job).

Afterwards everything is counted from what the API stores (`local_runtime/soak.py` says
how): money conserved and each completed transfer moved once, each acknowledged transfer
stored once; each message delivered once and every due one delivered; credits charged once
per key and the job's periods charged once; per key, the usage counters equal the requests
that reached a function. Prints req/s, statuses, p50/p95 per group and each check; exits 1
when a check fails.

Usage: python benchmarks/soak.py [--clients 100] [--seconds 60] [--sandboxes 10] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from results import Result, add_results_option, record
from runtime_load import start_runtime

from local_runtime.soak import GROUPS, SoakResult, percentile, run_soak


def _error_lines(log: Path) -> Counter[tuple[str, str]]:
    """The runtime log's ERROR lines counted by (message, exception name)."""
    found: Counter[tuple[str, str]] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if "ERROR" not in line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            found[(line[:120], "")] += 1
            continue
        if record.get("level") == "ERROR":
            found[(str(record.get("message")), str(record.get("exception_name", "")))] += 1
    return found


def figures(result: SoakResult) -> list[Result]:
    """Throughput and latencies per group (reported), and each check (no violation)."""
    load = f"soak, {result.clients} clients, mixed groups"
    found = [
        Result(
            benchmark="soak",
            what=load,
            figure="throughput",
            value=result.load_requests() / max(result.elapsed, 1e-9),
            unit="req/s",
        )
    ]
    for group in GROUPS:
        latencies = result.tally.latencies_ms[group]
        if latencies:
            found += [
                Result(
                    benchmark="soak",
                    what=f"{load}: {group}",
                    figure=name,
                    value=percentile(latencies, q),
                    unit="ms",
                )
                for name, q in (("p50", 0.5), ("p95", 0.95))
            ]
    found += [
        Result(
            benchmark="soak",
            what=f"soak: {check.name}",
            figure="violations",
            value=check.problems,
            bar="0",
            holds=check.passed,
        )
        for check in result.checks
    ]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--sandboxes", type=int, default=10, help="one pro key per sandbox")
    parser.add_argument("--seed", type=int, default=7, help="the clients' random choices")
    parser.add_argument("--port", type=int, default=3918)
    add_results_option(parser)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        process, info = start_runtime(args.port, Path(tmp))
        try:
            print(
                f"runtime {info['endpoint']}; {args.clients} clients over {args.sandboxes} "
                f"sandboxes for {args.seconds:g} s ..."
            )
            result = run_soak(
                info["endpoint"],
                info["admin_key"],
                clients=args.clients,
                seconds=args.seconds,
                sandboxes=args.sandboxes,
                seed=args.seed,
            )
        finally:
            process.terminate()
            process.wait(timeout=30)
            errors = _error_lines(Path(tmp) / "runtime.log")
    print("\n".join(result.report_lines()))
    # The functions' ERROR log lines, by what raised them (a 409 job_running is logged as a
    # failed invocation of the job function, by design: the manager answers it as 409).
    print(f"runtime log: {sum(errors.values())} ERROR lines")
    for (message, exception), count in errors.most_common():
        print(f"  {count:>5}  {message}: {exception}")
    record(args.results, *figures(result))
    sys.exit(0 if result.passed else 1)


if __name__ == "__main__":
    main()
