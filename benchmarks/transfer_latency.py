"""Transfer latency as the local store grows: empty store vs 50,000 ledger items of others.

Bar: a transfer on a local store holding 50,000 ledger items answers within 1.5 x its
latency on an empty store (nothing in a request path grows with the table).

A `LocalRuntime` runs in this process; requests go through its gateway in-process
(``runtime.invoke``: authorizer, key and plan checks, the function), so the figures are the
runtime's own work without a socket. A pro-tier key gets two funded accounts; each sample is
``POST /transfers`` (one TransactWriteItems) then ``POST /transfers/{id}/process`` (another),
timed separately. The store is then filled with other sandboxes' data through
``LedgerData.load`` (the bulk write of initialize) and the same samples are taken again.
Every phase runs twice, one block after the other: with the runtime's moto tuning and with
moto's own code (``moto_tuning.untuned()``, fewer samples: seconds each on a full store), so
the two are compared on the same machine at nearly the same moment.

Usage: python benchmarks/transfer_latency.py [--items 50000] [--samples 40] [--results FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from results import Result, add_results_option, record
from runtime_harness import handler_output_to, in_process_pro_key, invoke_json

from local_runtime import LocalRuntime, moto_tuning
from sandbox_common import providers
from sandbox_common.mockdata.generator import GenerationRequest, generate
from sandbox_common.storage.sandbox_items import DataScope

ROOT = Path(__file__).resolve().parent.parent
ANCHOR = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
BAR_RATIO = 1.5


def funded_accounts(runtime: LocalRuntime, key: str) -> tuple[str, str]:
    ids = []
    for _ in range(2):
        created = invoke_json(
            runtime,
            "POST",
            "/api/v1/sandbox/accounts",
            key,
            {"country_code": "KE", "opening_balances": {"USDC": "100000000.00"}},
        )
        ids.append(created.get("data", created)["id"])
    return ids[0], ids[1]


def transfer_ms(runtime: LocalRuntime, key: str, source: str, target: str) -> tuple[float, float]:
    started = time.perf_counter()
    created = invoke_json(
        runtime,
        "POST",
        "/api/v1/sandbox/transfers",
        key,
        {"from_account_id": source, "to_account_id": target, "amount": "1.00", "currency": "USDC"},
    )
    created_at = time.perf_counter()
    transfer_id = created.get("data", created)["id"]
    invoke_json(runtime, "POST", f"/api/v1/sandbox/transfers/{transfer_id}/process", key)
    done = time.perf_counter()
    return (created_at - started) * 1000, (done - created_at) * 1000


def sample(runtime, key, accounts, samples: int, untuned_samples: int) -> dict[str, list[float]]:
    """Tuned, then untuned samples, each block starting with no garbage pending.

    Blocks rather than alternate samples: moto's own transactions deep-copy the table, and
    the garbage they leave would be collected during whichever sample comes next.
    """
    found: dict[str, list[float]] = {}
    for mode, count in (("tuned", samples), ("untuned", untuned_samples)):
        gc.collect()
        with moto_tuning.untuned() if mode == "untuned" else contextlib.nullcontext():
            timings = [transfer_ms(runtime, key, *accounts) for _ in range(count)]
        found[mode] = [create for create, _ in timings]
        found[mode + " p"] = [process for _, process in timings]
    return found


def fill(items: int) -> int:
    """Other sandboxes' ledger data, ~7,500 items per load, until ``items`` are written."""
    ledger = providers.ledger_data()
    written, seed = 0, 100
    expires_at = int(time.time()) + 86_400
    while written < items:
        data = generate(
            GenerationRequest(
                seed=seed, anchor=ANCHOR, accounts=1_000, transactions=5_000, compliance_records=500
            )
        )
        scope = DataScope("sb_fill_" + secrets.token_hex(6), "g" + secrets.token_hex(6))
        written += ledger.load(scope, data, expires_at=expires_at)
        seed += 1
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument(
        "--untuned-samples", type=int, default=3, help="moto's own code: seconds each when full"
    )
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
        accounts = funded_accounts(runtime, key)
        sample(runtime, key, accounts, 3, 1)  # warm-up: imports, clients
        empty = sample(runtime, key, accounts, args.samples, args.untuned_samples)
        started = time.perf_counter()
        written = fill(args.items)
        print(f"filled {written:,} ledger items in {time.perf_counter() - started:.1f} s", file=out)
        full = sample(runtime, key, accounts, args.samples, args.untuned_samples)

        print(
            f"Transfer latency (ms, median of {args.samples} tuned and {args.untuned_samples} "
            "untuned samples; in-process gateway), "
            f"empty store vs {written:,} ledger items",
            file=out,
        )
        header = f"{'moto':<8} {'step':<8} {'empty':>8} {'full':>8} {'full/empty':>11}  verdict"
        print(header, file=out)
        print("-" * len(header), file=out)
        failed = False
        for mode in ("tuned", "untuned"):
            for step, name in (("create", mode), ("process", mode + " p")):
                low, high = statistics.median(empty[name]), statistics.median(full[name])
                ratio = high / low
                verdict = ("PASS" if ratio <= BAR_RATIO else "FAIL") if mode == "tuned" else "-"
                failed = failed or (mode == "tuned" and ratio > BAR_RATIO)
                if mode == "tuned":
                    record(
                        args.results,
                        Result(
                            benchmark="transfer_latency",
                            what=f"transfer {step}, store of {written:,} items vs empty",
                            figure=f"full / empty median, {high:.1f} / {low:.1f} ms",
                            value=ratio,
                            unit="x",
                            bar=f"<= {BAR_RATIO} x empty",
                            holds=ratio <= BAR_RATIO,
                        ),
                    )
                print(
                    f"{mode:<8} {step:<8} {low:>8.1f} {high:>8.1f} {ratio:>11.2f}  {verdict}",
                    file=out,
                )
        for step, name in (("create", ""), ("process", " p")):
            speedup = statistics.median(full["untuned" + name]) / statistics.median(
                full["tuned" + name]
            )
            print(f"untuned / tuned, full store, {step}: {speedup:.1f} x", file=out)
        print("overall:", "FAIL" if failed else "PASS", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
