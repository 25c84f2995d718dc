"""Listing latency: filtered listings of the largest sandbox through the local runtime.

Bar: p95 < 100 ms for every listing below, on a sandbox initialized with the largest data set
initialize allows (5,000 accounts, 20,000 transactions, 2,000 compliance records).

What is measured: the full GET as a client sees it, on one keep-alive connection (the
authorizer, the API key and plan checks, the listing's Queries against the embedded moto,
usage accounting, the answer). Every listing is one bounded read: an equality filter is a
Query on its ``by_ix*`` index, an account filter on transactions merges the sending and the
receiving side's index, and a filter no index covers reads at most its budget
(``sandbox_common.storage.listing_plan``) and may answer a short page with a cursor. Each
case runs ``--runs`` times after one untimed warm-up; "page 2" cases follow the first page's
X-Next-Cursor.

How: a ``LocalRuntime`` runs in this process; a pro-tier key (100 req/s) is created with the
admin key and its sandbox initialized over HTTP (the initialize itself takes a minute or
more at moto's pace and is reported, not judged).

Usage: python benchmarks/listing_latency.py [--runs N] [--check] [--results FILE]
Exits 0 (it is a report); with --check, exits 1 when the bar fails.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

import httpx
from results import Result, add_results_option, record
from runtime_harness import handler_output_to, new_pro_key, percentile

from local_runtime import LocalRuntime

ROOT = Path(__file__).resolve().parent.parent
BAR_P95_MS = 100.0
LARGEST = {"accounts": 5_000, "transactions": 20_000, "compliance_records": 2_000}
NO_SUCH_ACCOUNT = "00000000-0000-4000-8000-000000000000"
TRANSACTIONS, ACCOUNTS, FLAGS = "transactions", "accounts", "compliance/flags"
CASES: list[tuple[str, str, dict[str, str]]] = [
    (
        "transactions, account_id with no match",
        TRANSACTIONS,
        {"limit": "100", "account_id": NO_SUCH_ACCOUNT},
    ),
    ("transactions, status=failed", TRANSACTIONS, {"limit": "20", "status": "failed"}),
    ("transactions, currency=USDC", TRANSACTIONS, {"limit": "20", "currency": "USDC"}),
    (
        "transactions, account_id (either side)",
        TRANSACTIONS,
        {"limit": "20", "account_id": "{account}"},
    ),
    (
        "transactions, transaction_type (residual only)",
        TRANSACTIONS,
        {"limit": "20", "transaction_type": "payment"},
    ),
    (
        "transactions, status+currency+type, limit 100",
        TRANSACTIONS,
        {"limit": "100", "status": "failed", "currency": "KES", "transaction_type": "remittance"},
    ),
    ("transactions, unfiltered, limit 100", TRANSACTIONS, {"limit": "100"}),
    ("accounts, country_code=KE", ACCOUNTS, {"limit": "20", "country_code": "KE"}),
    ("accounts, unfiltered, limit 20", ACCOUNTS, {"limit": "20"}),
    ("flags, status=open", FLAGS, {"limit": "20", "status": "open"}),
]
PAGE_TWO = {"transactions, status=failed", "accounts, country_code=KE"}


def get(client: httpx.Client, key: str, path: str, query: dict[str, str]) -> httpx.Response:
    """One listing request; exits on anything but a 200 with a JSON list."""
    response = client.get(
        f"/api/v1/sandbox/{path}", params=query, headers={"Authorization": f"Bearer {key}"}
    )
    if response.status_code != 200 or not isinstance(response.json(), list):
        raise SystemExit(f"GET {path} {query} answered {response.status_code}: {response.text}")
    return response


def timed(
    client: httpx.Client, key: str, path: str, query: dict[str, str], runs: int
) -> list[float]:
    """``runs`` timings (ms) of one listing, after one untimed warm-up."""
    get(client, key, path, query)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        get(client, key, path, query)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per listing")
    parser.add_argument("--check", action="store_true", help="exit 1 when the bar fails")
    add_results_option(parser)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    logging.basicConfig(level=logging.WARNING)

    results: list[tuple[str, int, list[float]]] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        handler_output_to(Path(tmp) / "handlers.log") as out,
        LocalRuntime(ROOT / "template.yaml", port=0, project_root=tmp) as runtime,
        httpx.Client(base_url=runtime.endpoint, timeout=600) as client,
    ):
        key, _ = new_pro_key(client, runtime.admin_key, "listings")
        started = time.perf_counter()
        response = client.post(
            "/api/v1/sandbox/initialize",
            headers={"Authorization": f"Bearer {key}"},
            json={"environment": "sandbox", "seed": 7, **LARGEST},
        )
        if response.status_code != 200:
            raise SystemExit(f"initialize answered {response.status_code}: {response.text}")
        print(f"initialized {LARGEST} in {time.perf_counter() - started:.1f} s", file=out)
        account = get(client, key, "accounts", {"limit": "1"}).json()[0]["id"]
        for name, path, template in CASES:
            query = {k: v.replace("{account}", account) for k, v in template.items()}
            first = get(client, key, path, query)
            results.append((name, len(first.json()), timed(client, key, path, query, args.runs)))
            cursor = first.headers.get("x-next-cursor")
            if name in PAGE_TWO and cursor:
                second = {**query, "cursor": cursor}
                size = len(get(client, key, path, second).json())
                results.append(
                    (name + ", page 2", size, timed(client, key, path, second, args.runs))
                )
            print(f"  measured {name}", file=out)

    print(
        f"Listing latency: largest sandbox ({LARGEST['accounts']:,} accounts, "
        f"{LARGEST['transactions']:,} transactions, {LARGEST['compliance_records']:,} flags), "
        f"local runtime over HTTP, {args.runs} sequential requests per listing after 1 warm-up "
        f"(bar: p95 < {BAR_P95_MS:.0f} ms)"
    )
    header = f"{'listing':<50} {'items':>5} {'p50':>7} {'p95':>7} {'max':>7}  verdict"
    print(header)
    print("-" * len(header))
    ok = True
    for name, size, samples in results:
        p95 = percentile(samples, 0.95)
        ok &= p95 < BAR_P95_MS
        record(
            args.results,
            Result(
                benchmark="listing_latency",
                what=f"listing of the largest sandbox: {name} ({size} items)",
                figure=f"p95 of {args.runs}",
                value=p95,
                unit="ms",
                bar=f"< {BAR_P95_MS:.0f} ms",
                holds=p95 < BAR_P95_MS,
            ),
        )
        print(
            f"{name:<50} {size:>5} {percentile(samples, 0.5):>7.1f} {p95:>7.1f} "
            f"{max(samples):>7.1f}  " + ("PASS" if p95 < BAR_P95_MS else "FAIL")
        )
    print("-" * len(header))
    print("overall:", "PASS" if ok else "FAIL")
    return 1 if not ok and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
