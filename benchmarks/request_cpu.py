"""CPU per request through the local runtime, with and without the moto tuning, side by side.

A `LocalRuntime` runs in this process; requests go through its gateway in-process
(``runtime.invoke``), so no socket or load generator shares the measure. CPU time
(``time.process_time``, every thread of the process) per request is taken over blocks of
``count`` requests, alternating tuned blocks and ``moto_tuning.untuned()`` blocks on the same
runtime and data, six of each; the medians are printed. A pro-tier key's sandbox holds the
default data set, and ``--others`` other sandboxes' data sets share the table.

Usage: python benchmarks/request_cpu.py {status,accounts} [count] [--others 3] [--results FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

from results import Result, add_results_option, record
from runtime_harness import handler_output_to, in_process_pro_key, invoke_json

from local_runtime import LocalRuntime, moto_tuning

ROOT = Path(__file__).resolve().parent.parent
PATHS = {"status": "/api/v1/sandbox/status", "accounts": "/api/v1/sandbox/accounts?limit=20"}
BLOCKS = 6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("request", choices=sorted(PATHS))
    parser.add_argument("count", type=int, nargs="?", default=50, help="requests per block")
    parser.add_argument("--others", type=int, default=3, help="other sandboxes' data sets")
    add_results_option(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    path = PATHS[args.request]

    with (
        tempfile.TemporaryDirectory() as tmp,
        handler_output_to(Path(tmp) / "handlers.log") as out,
        LocalRuntime(ROOT / "template.yaml", port=0, project_root=tmp) as runtime,
    ):
        assert runtime.demo_key
        key = in_process_pro_key(runtime)
        for seed in range(args.others):
            body = {"environment": "sandbox", "seed": seed}
            invoke_json(runtime, "POST", "/api/v1/sandbox/initialize", runtime.demo_key, body)
        invoke_json(runtime, "POST", "/api/v1/sandbox/initialize", key, {"environment": "sandbox"})
        for _ in range(20):
            invoke_json(runtime, "GET", path, key)  # warm-up: imports, clients
        found: dict[str, list[float]] = {"tuned": [], "untuned": []}
        for _ in range(BLOCKS):
            for mode in found:
                with moto_tuning.untuned() if mode == "untuned" else contextlib.nullcontext():
                    invoke_json(runtime, "GET", path, key)
                    started = time.process_time()
                    for _ in range(args.count):
                        invoke_json(runtime, "GET", path, key)
                    found[mode].append((time.process_time() - started) / args.count * 1000)
        tuned, untuned = (statistics.median(found[mode]) for mode in ("tuned", "untuned"))
        print(
            f"GET {path}: CPU ms per request, median of {BLOCKS} blocks of {args.count}: "
            f"moto's own code {untuned:.2f}, tuned {tuned:.2f} ({untuned / tuned:.1f} x)",
            file=out,
        )
    record(
        args.results,
        *(
            Result(
                benchmark="request_cpu",
                what=f"CPU per GET {path}, {mode}, in-process ({args.others} other sandboxes)",
                figure=f"median of {BLOCKS} blocks of {args.count}",
                value=value,
                unit="ms",
            )
            for mode, value in (("tuned", tuned), ("moto's own code", untuned))
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
