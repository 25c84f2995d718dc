"""Ledger writes: records written per second through the repositories.

Bar: at least 5,000 records/s (accounts + transactions + compliance flags) written by
``LedgerData.load``, the bulk write of ``POST /api/v1/sandbox/initialize``, into the local
runtime's DynamoDB (the embedded moto). Generating the records is a separate bar
(``mock_data_generation.py``) and is not timed here.

How: a ``LocalRuntime`` is started in this process (it points boto3 at its moto, handlers
call moto in-process) and the repositories are rebound to it (``providers.reset()``). For
each size, the default mix (100 accounts, 500 transactions, 50 flags) and that mix
scaled up, the data set is generated once, untimed; then only ``load()`` is timed, ``--runs``
times, each run into a fresh sandbox/generation (so no run overwrites another's items), and
the best run counts. ``load()`` writes 2 DynamoDB items per account (the record and its
address alias) and 1 per transaction and per flag; both rates are printed.

The reference line ("moto floor") writes trivial 5-attribute items through the same table's
``batch_writer``: the ceiling moto allows whatever the repositories do. moto parses every
request and converts every attribute of every item into its own types, under one
interpreter lock, so the local figures measure moto more than the repositories; real
DynamoDB is bound by the table's write capacity instead.

Usage: python benchmarks/ledger_writes.py [--runs N] [--check] [--results FILE]
Exits 0 (it is a report); with --check, exits 1 when the bar fails.
"""

from __future__ import annotations

import argparse
import gc
import logging
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from results import Result, add_results_option, record

from local_runtime import LocalRuntime
from sandbox_common import providers
from sandbox_common.mockdata.generator import GenerationRequest, MockDataSet, generate
from sandbox_common.storage.dynamo import table
from sandbox_common.storage.sandbox_items import DataScope

ROOT = Path(__file__).resolve().parent.parent
BAR_RECORDS_PER_S = 5_000
ANCHOR = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
FLOOR_ITEMS = 5_000

# (label, accounts, transactions, compliance records)
SIZES = (
    ("default set", 100, 500, 50),
    ("x10", 1_000, 5_000, 500),
    ("large", 2_000, 8_000, 1_000),
)


def fresh_scope() -> DataScope:
    """A sandbox id and generation nobody else writes to."""
    return DataScope("sb_bench_" + secrets.token_hex(6), "g" + secrets.token_hex(6))


def load_seconds(data: MockDataSet, expires_at: int) -> tuple[float, int]:
    """Time one ``LedgerData.load`` into a fresh scope: seconds and items written."""
    ledger = providers.ledger_data()
    scope = fresh_scope()
    # Start each run with no collection pending (the collector stays on during the run):
    # moto keeps every earlier run's items, and a full collection over them is ~0.3 s.
    gc.collect()
    started = time.perf_counter()
    items = ledger.load(scope, data, expires_at=expires_at)
    return time.perf_counter() - started, items


def floor_seconds(count: int, expires_at: int) -> float:
    """Time ``count`` trivial 5-attribute items through the ledger table's batch_writer."""
    data_table = table(providers.settings().data_table)
    pk = f"sb_bench_{secrets.token_hex(6)}#g0#floor"
    gc.collect()
    started = time.perf_counter()
    with data_table.batch_writer() as batch:
        for number in range(count):
            batch.put_item(
                Item={
                    "pk": pk,
                    "sk": f"r{number:07d}",
                    "ts": f"{number:09d}",
                    "value": "x",
                    "expires_at": expires_at,
                }
            )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="loads per size (best counts)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the bar fails")
    add_results_option(parser)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    logging.basicConfig(level=logging.WARNING)

    datasets = [
        (
            label,
            generate(
                GenerationRequest(
                    seed=index,
                    anchor=ANCHOR,
                    accounts=accounts,
                    transactions=transactions,
                    compliance_records=flags,
                )
            ),
        )
        for index, (label, accounts, transactions, flags) in enumerate(SIZES, start=1)
    ]
    expires_at = int(time.time()) + 86_400

    with (
        tempfile.TemporaryDirectory() as tmp,
        LocalRuntime(ROOT / "template.yaml", port=0, project_root=tmp, create_demo_key=False),
    ):
        providers.reset()  # bind the repositories to the runtime's moto
        load_seconds(datasets[0][1], expires_at)  # warm-up: clients, connections, moto paths
        floor_seconds(500, expires_at)

        print(
            f"Ledger writes: LedgerData.load into the local runtime's moto, best of {args.runs} "
            f"runs (bar: >= {BAR_RECORDS_PER_S:,} records/s)"
        )
        header = (
            f"{'size':<12} {'records':>8} {'items':>7} {'best ms':>9} "
            f"{'records/s':>10} {'items/s':>9}  verdict"
        )
        print(header)
        print("-" * len(header))
        failed = False
        for label, data in datasets:
            best_s, items = min(load_seconds(data, expires_at) for _ in range(args.runs))
            records = data.record_count
            rate = records / best_s
            ok = rate >= BAR_RECORDS_PER_S
            failed = failed or not ok
            record(
                args.results,
                Result(
                    benchmark="ledger_writes",
                    what=f"ledger writes (LedgerData.load), {label} ({records:,} records)",
                    figure=f"best of {args.runs}",
                    value=rate,
                    unit="records/s",
                    bar=f">= {BAR_RECORDS_PER_S:,} records/s",
                    holds=ok,
                ),
            )
            print(
                f"{label:<12} {records:>8} {items:>7} {best_s * 1000:>9.0f} "
                f"{rate:>10,.0f} {items / best_s:>9,.0f}  " + ("PASS" if ok else "FAIL")
            )
        print("-" * len(header))
        floor_s = min(floor_seconds(FLOOR_ITEMS, expires_at) for _ in range(args.runs))
        floor_rate = FLOOR_ITEMS / floor_s
        print(
            f"reference, moto floor: {FLOOR_ITEMS} trivial 5-attribute items through the same "
            f"table's batch_writer in {floor_s * 1000:.0f} ms = {floor_rate:,.0f} items/s"
        )
        record(
            args.results,
            Result(
                benchmark="ledger_writes",
                what=f"moto floor: {FLOOR_ITEMS:,} trivial items through batch_writer",
                figure=f"best of {args.runs}",
                value=floor_rate,
                unit="items/s",
            ),
        )
    print("overall:", "FAIL" if failed else "PASS")
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
