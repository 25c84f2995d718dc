"""Initialize latency: POST /api/v1/sandbox/initialize through the local runtime.

Bar: p95 < 1,000 ms for initializing a sandbox with the default data set (100 accounts, 500
transactions, 50 compliance records) through the local runtime over HTTP.

What is measured: the full request as a client sees it, on one keep-alive connection: the
authorizer, the API key and usage-plan checks, generating the data set, writing it into a
fresh data generation (``LedgerData.load``, BatchWriteItem into the embedded moto), the
one conditional write that switches the sandbox to it, and the answer. ``--runs`` sequential
initializes of the same sandbox (``{"environment": "sandbox"}``, so a new random seed each
time) follow one untimed warm-up (imports, Faker locales, connections).

The runtime runs in this process (``LocalRuntime``, handlers and moto in-process). The key is
the runtime's demo key, on the free tier (10 req/s, 1,000 requests a day): sequential
initializes stay far below both. ``--pro`` creates a pro-tier key with the admin key first
(for many more runs). With 10 runs the p95 (nearest rank) is the slowest run.

Usage: python benchmarks/initialize_latency.py [--runs N] [--pro] [--check] [--results FILE]
Exits 0 (it is a report); with --check, exits 1 when the bar fails.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from results import Result, add_results_option, record
from runtime_harness import handler_output_to, new_pro_key, percentile

from local_runtime import LocalRuntime

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/sandbox/initialize"
BAR_P95_MS = 1_000.0
EXPECTED_COUNTS = {"accounts": 100, "transactions": 500, "compliance_records": 50}


def data_of(response: httpx.Response) -> dict[str, Any]:
    """The answer's payload (inside the envelope's ``data`` when there is one)."""
    body = response.json()
    payload = body.get("data", body) if isinstance(body, dict) else {}
    return payload if isinstance(payload, dict) else {}


def initialize_ms(client: httpx.Client, key: str) -> float:
    """One initialize; its latency in ms. Exits on anything but a full default data set."""
    started = time.perf_counter()
    response = client.post(
        PATH, headers={"Authorization": f"Bearer {key}"}, json={"environment": "sandbox"}
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"POST {PATH} answered {response.status_code}: {response.text[:500]}")
    counts = data_of(response).get("mock_data")
    if counts != EXPECTED_COUNTS:
        raise SystemExit(f"POST {PATH} initialized {counts}, expected {EXPECTED_COUNTS}")
    return elapsed_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed initializes (sequential)")
    parser.add_argument("--pro", action="store_true", help="use a new pro-tier key")
    parser.add_argument("--check", action="store_true", help="exit 1 when the bar fails")
    add_results_option(parser)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    logging.basicConfig(level=logging.WARNING)

    with (
        tempfile.TemporaryDirectory() as tmp,
        handler_output_to(Path(tmp) / "handlers.log"),
        LocalRuntime(ROOT / "template.yaml", port=0, project_root=tmp) as runtime,
        httpx.Client(base_url=runtime.endpoint, timeout=60) as client,
    ):
        if args.pro:
            key, tier = new_pro_key(client, runtime.admin_key, "initialize")[0], "pro"
        elif runtime.demo_key:
            key, tier = runtime.demo_key, "free (demo key)"
        else:
            raise SystemExit("the runtime made no demo key")
        initialize_ms(client, key)  # warm-up, untimed
        samples = [initialize_ms(client, key) for _ in range(args.runs)]

    p95 = percentile(samples, 0.95)
    ok = p95 < BAR_P95_MS
    print(
        f"Initialize latency: POST {PATH} (100 accounts, 500 transactions, 50 flags) over HTTP, "
        f"local runtime, {args.runs} sequential runs after 1 warm-up, key tier {tier} "
        f"(bar: p95 < {BAR_P95_MS:,.0f} ms)"
    )
    header = f"{'runs':>5} {'min':>8} {'p50':>8} {'p95':>8} {'max':>8}  verdict"
    print(header)
    print("-" * len(header))
    print(
        f"{len(samples):>5} {min(samples):>8.0f} {percentile(samples, 0.5):>8.0f} "
        f"{p95:>8.0f} {max(samples):>8.0f}  " + ("PASS" if ok else "FAIL")
    )
    print("-" * len(header))
    print("samples ms:", " ".join(f"{s:.0f}" for s in samples))
    print("overall:", "PASS" if ok else "FAIL")
    record(
        args.results,
        Result(
            benchmark="initialize_latency",
            what=f"POST {PATH}, default data set, over HTTP (key tier: {tier})",
            figure=f"p95 of {args.runs}",
            value=p95,
            unit="ms",
            bar=f"< {BAR_P95_MS:,.0f} ms",
            holds=ok,
        ),
    )
    return 1 if not ok and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
