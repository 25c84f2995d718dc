"""Lambda cold start: import time of each handler module vs. a typical handler.

Bar: importing one of our handler modules in a fresh process costs at most 0.6 x the import of
a typical FastAPI + Mangum + Powertools (Logger, Metrics, Tracer) + boto3 handler
(benchmarks/baseline_handler/app.py), measured side by side; the authorizer additionally
under 250 ms absolute (judged on medians).

What is measured, and why import time: a Lambda execution environment's init phase is the
import of the handler module (plus runtime start-up, which is the same for every function).
Without SnapStart that init phase is paid on every cold start; with SnapStart the snapshot is
taken after init, so init cost moves to deployment and restore size, but it is still the
module-level work done here. The first invocation is not measured (it would need AWS).

How: every candidate (functions/*/app.py, discovered by glob, plus the baseline) is imported
in a fresh Python process, once untimed first so its bytecode is compiled (as it is in a built
artifact), then ``--runs`` times, candidates interleaved round-robin (the start rotating every
round) so machine noise hits all equally. The child times only the module load
(``time.perf_counter()`` right before the by-path load; the module is registered in
``sys.modules`` under a unique name before ``exec_module``); interpreter start-up is excluded
for all equally.
Children get a Lambda-like environment: ``LAMBDA_TASK_ROOT`` and ``AWS_LAMBDA_FUNCTION_NAME``
set, so Powertools keeps the baseline's Tracer enabled (it disables tracing only when
``LAMBDA_TASK_ROOT`` is missing, under SAM local / Chalice, or with POWERTOOLS_TRACE_DISABLED).

Usage: python benchmarks/cold_start.py [--runs N] [--check] [--results FILE]
Exits 0 (it is a report); with --check, exits 1 when a bar fails.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from results import Result, add_results_option, record

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "benchmarks" / "baseline_handler" / "app.py"

RATIO_BAR = 0.6
ABSOLUTE_BARS_MS = {"authorizer": 250.0}

LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "AKIDBENCHMARK",
    "AWS_SECRET_ACCESS_KEY": "benchmark-secret",
    "AWS_SESSION_TOKEN": "benchmark-token",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "KEYS_TABLE": "k",
    "SANDBOXES_TABLE": "s",
    "USAGE_TABLE": "u",
    "USAGE_PLAN_IDS": '{"free":"a","pro":"b"}',
    "ADMIN_KEY_PARAMETER": "/p",
}

# Runs in the child: load the module by path and print the elapsed milliseconds.
CHILD = """\
import importlib.util, sys, time
path, name = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location(name, path)
module = importlib.util.module_from_spec(spec)
sys.modules[name] = module
spec.loader.exec_module(module)
elapsed_ms = (time.perf_counter() - t0) * 1000
assert callable(module.handler), "no handler"
print(f"{elapsed_ms:.3f}")
"""


@dataclass
class Candidate:
    name: str
    path: Path
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        return min(self.samples)

    @property
    def p90(self) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def child_env(task_root: Path) -> dict[str, str]:
    """A clean, Lambda-like environment (nothing inherited that could change imports)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "LAMBDA_TASK_ROOT": str(task_root),
    }
    env.update(LAMBDA_ENV)
    return env


def import_ms(python: str, candidate: Candidate) -> float:
    """Import the candidate's module once in a fresh process; the child's own timing."""
    result = subprocess.run(
        [python, "-c", CHILD, str(candidate.path), f"bench_{candidate.name}_app"],
        cwd=candidate.path.parent,
        env=child_env(candidate.path.parent),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"importing {candidate.path} failed:\n{result.stderr}")
    return float(result.stdout.strip().splitlines()[-1])


def discover() -> list[Candidate]:
    functions = sorted((ROOT / "functions").glob("*/app.py"))
    return [Candidate("baseline", BASELINE)] + [Candidate(p.parent.name, p) for p in functions]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per candidate")
    parser.add_argument("--check", action="store_true", help="exit 1 when a bar fails")
    parser.add_argument("--python", default=sys.executable, help="interpreter of the children")
    add_results_option(parser)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    candidates = discover()
    for candidate in candidates:  # untimed: compiles bytecode, warms the page cache
        import_ms(args.python, candidate)
    for round_ in range(args.runs):
        shift = round_ % len(candidates)
        for candidate in candidates[shift:] + candidates[:shift]:
            candidate.samples.append(import_ms(args.python, candidate))

    baseline = candidates[0]
    print(
        f"Lambda init: handler module import, fresh process, {args.runs} runs each "
        f"(ms; bar: median <= {RATIO_BAR} x baseline"
        + "".join(f"; {name} < {ms:.0f} ms" for name, ms in ABSOLUTE_BARS_MS.items())
        + ")"
    )
    header = f"{'candidate':<12} {'min':>8} {'median':>8} {'p90':>8} {'ratio':>7}  verdict"
    print(header)
    print("-" * len(header))
    failed = False
    found: list[Result] = []
    ratios: dict[str, float] = {}
    for candidate in candidates:
        if candidate is baseline:
            ratio_text, verdict = "1.00", "reference"
        else:
            ratio = candidate.median / baseline.median
            reasons = []
            if ratio > RATIO_BAR:
                reasons.append(f"ratio > {RATIO_BAR}")
            limit = ABSOLUTE_BARS_MS.get(candidate.name)
            if limit is not None and candidate.median >= limit:
                reasons.append(f"median >= {limit:.0f} ms")
            failed = failed or bool(reasons)
            found += figures(candidate, baseline, ratio)
            ratios[candidate.name] = ratio
            ratio_text = f"{ratio:.2f}"
            verdict = "FAIL (" + ", ".join(reasons) + ")" if reasons else "PASS"
        print(
            f"{candidate.name:<12} {candidate.minimum:>8.1f} {candidate.median:>8.1f} "
            f"{candidate.p90:>8.1f} {ratio_text:>7}  {verdict}"
        )
    print("-" * len(header))
    print("overall:", "FAIL" if failed else "PASS")
    worst = max(ratios, key=ratios.__getitem__)
    found.append(
        Result(
            benchmark="cold_start",
            what=f"cold start: every function's import vs the baseline handler, {args.runs} runs",
            figure=f"worst median ratio ({worst})",
            value=ratios[worst],
            unit="x",
            bar=f"<= {RATIO_BAR} x baseline",
            holds=ratios[worst] <= RATIO_BAR,
        )
    )
    record(args.results, *found)
    return 1 if failed and args.check else 0


def figures(candidate: Candidate, baseline: Candidate, ratio: float) -> list[Result]:
    """A function's median side by side with the baseline's, and its absolute bar if any."""
    found = [
        Result(
            benchmark="cold_start",
            what=f"{candidate.name} import",
            figure="median",
            value=candidate.median,
            unit="ms",
            bar=f"<= {RATIO_BAR} x baseline",
            holds=ratio <= RATIO_BAR,
            baseline=baseline.median,
        )
    ]
    limit = ABSOLUTE_BARS_MS.get(candidate.name)
    if limit is not None:
        found.append(
            Result(
                benchmark="cold_start",
                what=f"cold start: {candidate.name} import",
                figure="median",
                value=candidate.median,
                unit="ms",
                bar=f"< {limit:.0f} ms",
                holds=candidate.median < limit,
            )
        )
    return found


if __name__ == "__main__":
    sys.exit(main())
