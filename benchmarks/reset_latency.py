"""Reset latency: POST /api/v1/sandbox/reset of full sandboxes, by size.

Bar: a reset of a sandbox holding 10,000 ledger items answers in under 300 ms, and the
latency stays flat as the sandbox grows (here: the largest size's median at most
``FLAT_RATIO`` x the smallest's; a per-item delete would be ~50 x from 1,000 to 50,000).

Why flat: a reset does not delete anything. It switches the sandbox to a new, empty data
generation with one conditional write; the old generation's items expire by TTL out of band.

How: a ``LocalRuntime`` runs in this process (handlers and moto in-process; the repositories
are rebound to its moto with ``providers.reset()``). For every size (1,000, 10,000 and 50,000
items by default) and every repeat (``--repeats``, 3 by default; the largest size once):

1. a pro-tier key is created through the API (POST /api/v1/sandbox/keys with the admin key),
   so each sandbox is new and the usage plan (100 req/s) never throttles;
2. the sandbox is switched to a fresh data generation with the same repository call
   initialize makes (``switch_generation``), and that generation is filled directly through
   ``LedgerData.load`` with a generated data set of exactly N items (N/20 accounts at 2 items
   each, 0.8 N transactions, the rest flags). Not the initial generation "g0": status reports
   zero counts for a sandbox still on "g0" without counting (see ``sandboxes/status.py``);
3. GET /api/v1/sandbox/status must count every account, transaction and flag;
4. POST /api/v1/sandbox/reset is timed over HTTP (the first reset of the full sandbox:
   authorizer, API key and plan checks, one read and one conditional write of the sandbox,
   usage accounting), after one untimed warm-up reset of an empty sandbox at start;
5. GET /api/v1/sandbox/accounts must then return [] and status must count 0 records.

Nothing but the reset is timed. Filling runs at moto's pace (~3,000 items/s, see
``ledger_writes.py``), and the status check before a reset is slower than that: moto answers
each page of the COUNT query by scanning the partition from its start for the page's start key
and sorting it, so counting a partition costs O(n^2) locally (~2.5 s for 8,000 transactions,
~10 s for 16,000, over a minute for 40,000). DynamoDB itself resumes a query at its start key.
The default sizes take about two and a half minutes in all; the progress lines show where.

Usage: python benchmarks/reset_latency.py [--sizes 1000,10000,50000] [--repeats 3] [--check]
       [--results FILE]
Exits 0 (it is a report); with --check, exits 1 when a bar fails or a check does not hold.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import httpx
from results import Result, add_results_option, record
from runtime_harness import handler_output_to, new_pro_key

from local_runtime import LocalRuntime
from sandbox_common import providers
from sandbox_common.mockdata.generator import GenerationRequest, MockDataSet, generate
from sandbox_common.sandboxes.models import new_generation
from sandbox_common.storage.sandbox_items import DataScope

ROOT = Path(__file__).resolve().parent.parent
BASE = "/api/v1/sandbox"
BAR_SIZE = 10_000
BAR_MS = 300.0
FLAT_RATIO = 2.0
ANCHOR = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CHUNK = 10_000  # transactions per load() call, for progress lines


class CheckFailed(Exception):
    """The API did not answer as a correct reset requires."""


def composition(items: int) -> tuple[int, int, int]:
    """Accounts, transactions and flags whose load writes exactly ``items`` items."""
    accounts = max(2, items // 20)
    transactions = int(items * 0.8)
    flags = items - 2 * accounts - transactions
    if flags < 0:
        raise ValueError(f"{items} items is too few")
    return accounts, transactions, flags


def expect(response: httpx.Response, status: int, what: str) -> Any:
    if response.status_code != status:
        raise CheckFailed(f"{what} answered {response.status_code}: {response.text[:500]}")
    return response.json()


def fill(sandbox_id: str, items: int, seed: int, out: TextIO) -> dict[str, int]:
    """Switch the sandbox to a fresh generation and load ``items`` items into it."""
    accounts, transactions, flags = composition(items)
    data = generate(
        GenerationRequest(
            seed=seed,
            anchor=ANCHOR,
            accounts=accounts,
            transactions=transactions,
            compliance_records=flags,
        )
    )
    counts = {"accounts": accounts, "transactions": transactions, "compliance_flags": flags}
    repository = providers.sandboxes_repository()
    sandbox = repository.get(sandbox_id)
    if sandbox is None:
        raise CheckFailed(f"sandbox {sandbox_id} not found after its key was created")
    generation = new_generation()
    repository.switch_generation(
        sandbox,
        {
            "data_generation": generation,
            "environment": "sandbox",
            "record_counts": {"account": accounts, "txn": transactions, "flag": flags},
            "initialized_at": datetime.now(UTC),
        },
        retired_at=datetime.now(UTC),
        expires_at=int(time.time()) + 86_400,
    )
    scope = DataScope(sandbox_id, generation)
    ledger = providers.ledger_data()
    expires_at = int(time.time()) + 86_400
    parts = [MockDataSet(data.accounts, [], [])]
    parts += [
        MockDataSet([], data.transactions[start : start + CHUNK], [])
        for start in range(0, transactions, CHUNK)
    ]
    parts.append(MockDataSet([], [], data.compliance_flags))
    written = 0
    started = time.perf_counter()
    for part in parts:
        written += ledger.load(scope, part, expires_at=expires_at)
        if items >= 2 * CHUNK:
            elapsed = time.perf_counter() - started
            print(f"    filled {written:,} / {items:,} items ({elapsed:.0f} s)", file=out)
    # Each part also writes the dashboard's figure items of its records (a few hundred).
    if written < items:
        raise CheckFailed(f"loaded {written} items, meant {items}")
    return counts


def data_counts(client: httpx.Client, headers: dict[str, str]) -> dict[str, int]:
    counts = expect(client.get(f"{BASE}/status", headers=headers), 200, "GET /status")["counts"]
    return {name: counts.get(name) for name in ("accounts", "transactions", "compliance_flags")}


def reset_ms(client: httpx.Client, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.post(f"{BASE}/reset", headers=headers, json={})
    elapsed_ms = (time.perf_counter() - started) * 1000
    body = expect(response, 200, "POST /reset")
    if body.get("status") != "reset":
        raise CheckFailed(f"POST /reset answered {body}")
    return elapsed_ms


def measure(
    client: httpx.Client, admin_key: str, items: int, repeat: int, out: TextIO
) -> tuple[float, float, float]:
    """Fill a new sandbox with ``items`` items, check it, time its reset, check it is empty.

    Returns the reset's ms, and the seconds the fill and the status before it took.
    """
    key, sandbox_id = new_pro_key(client, admin_key, f"reset {items}-{repeat}")
    headers = {"Authorization": f"Bearer {key}"}
    started = time.perf_counter()
    counts = fill(sandbox_id, items, seed=items + repeat, out=out)
    fill_s = time.perf_counter() - started
    counted = time.perf_counter()
    before = data_counts(client, headers)
    count_s = time.perf_counter() - counted
    if before != counts:
        raise CheckFailed(f"status counts {before} before the reset, loaded {counts}")
    # The counts are the sandbox record's; the listing shows the items are really there.
    listed = expect(client.get(f"{BASE}/accounts?limit=1", headers=headers), 200, "GET /accounts")
    if len(listed) != 1:
        raise CheckFailed("GET /accounts before the reset listed no account")
    elapsed_ms = reset_ms(client, headers)
    accounts = expect(client.get(f"{BASE}/accounts", headers=headers), 200, "GET /accounts")
    if accounts != []:
        raise CheckFailed(f"GET /accounts after the reset returned {len(accounts)} accounts")
    after = data_counts(client, headers)
    if any(after.values()):
        raise CheckFailed(f"status counts {after} after the reset")
    return elapsed_ms, fill_s, count_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000,50000",
        help="comma-separated sandbox sizes in ledger items (ascending)",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="fill+reset per size (the largest size: once)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a bar fails")
    add_results_option(parser)
    args = parser.parse_args()
    try:
        sizes = sorted({int(size) for size in args.sizes.split(",")})
        for size in sizes:
            composition(size)
    except ValueError as exc:
        parser.error(f"--sizes: {exc}")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    logging.basicConfig(level=logging.WARNING)

    samples: dict[int, list[float]] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        handler_output_to(Path(tmp) / "handlers.log") as out,
        LocalRuntime(ROOT / "template.yaml", port=0, project_root=tmp) as runtime,
        httpx.Client(base_url=runtime.endpoint, timeout=120) as client,
    ):
        providers.reset()  # bind the repositories to the runtime's moto
        key, _ = new_pro_key(client, runtime.admin_key, "reset warm-up")
        reset_ms(client, {"Authorization": f"Bearer {key}"})  # warm-up, untimed
        for size in sizes:
            repeats = 1 if size == sizes[-1] and len(sizes) > 1 else args.repeats
            samples[size] = []
            for repeat in range(repeats):
                print(f"  {size:,} items, run {repeat + 1}/{repeats}: filling ...", file=out)
                elapsed_ms, fill_s, count_s = measure(client, runtime.admin_key, size, repeat, out)
                samples[size].append(elapsed_ms)
                print(
                    f"  {size:,} items, run {repeat + 1}/{repeats}: filled in {fill_s:.1f} s, "
                    f"status counted them in {count_s:.1f} s, reset in {elapsed_ms:.1f} ms, "
                    "then empty",
                    file=out,
                )

    print(
        f"Reset latency: POST {BASE}/reset of a full sandbox over HTTP, local runtime "
        f"(bar: < {BAR_MS:.0f} ms at {BAR_SIZE:,} items; flat: largest/smallest median "
        f"<= {FLAT_RATIO:g})"
    )
    header = f"{'items':>7} {'runs':>5} {'min ms':>8} {'median':>8} {'max ms':>8}  verdict"
    print(header)
    print("-" * len(header))
    failed = False
    found: list[Result] = []
    for size, values in samples.items():
        verdict = ""
        measured = Result(
            benchmark="reset_latency",
            what=f"POST {BASE}/reset of a sandbox of {size:,} items, over HTTP",
            figure=f"median of {len(values)}",
            value=statistics.median(values),
            unit="ms",
        )
        if size == BAR_SIZE:
            ok = max(values) < BAR_MS
            failed = failed or not ok
            verdict = "PASS" if ok else f"FAIL (max >= {BAR_MS:.0f} ms)"
            measured = measured.model_copy(
                update={
                    "figure": f"max of {len(values)}",
                    "value": max(values),
                    "bar": f"< {BAR_MS:.0f} ms",
                    "holds": ok,
                }
            )
        found.append(measured)
        print(
            f"{size:>7,} {len(values):>5} {min(values):>8.1f} {statistics.median(values):>8.1f} "
            f"{max(values):>8.1f}  {verdict}"
        )
    print("-" * len(header))
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        ratio = statistics.median(samples[large]) / statistics.median(samples[small])
        flat = ratio <= FLAT_RATIO
        failed = failed or not flat
        found.append(
            Result(
                benchmark="reset_latency",
                what=f"reset flatness, {large:,} vs {small:,} items",
                figure="median ratio",
                value=ratio,
                unit="x",
                bar=f"<= {FLAT_RATIO:g} x",
                holds=flat,
            )
        )
        print(
            f"flatness: median {large:,} / median {small:,} = {ratio:.2f} "
            f"({large // small} x the items)  " + ("PASS" if flat else "FAIL")
        )
    print("checks: status counted every record before each reset; after it, GET /accounts")
    print("        returned [] and status counted 0 accounts, transactions and flags")
    print("overall:", "FAIL" if failed else "PASS")
    record(args.results, *found)
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckFailed as exc:
        sys.exit(f"check failed: {exc}")
