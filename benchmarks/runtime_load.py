"""Local runtime under load: authenticated GETs from 100 concurrent clients.

Bars: p95 < 50 ms through the local runtime with 100 clients paced at 100 req/s in total,
zero errors; back to back, >= 150 req/s for `GET /status` and >= 100 req/s for
`GET /accounts?limit=20`; on a fresh runtime, every request of the first second of a
100-client burst answered in < 2 s.

The runtime (`python -m local_runtime`) runs in its own process, as `make run` does, so the
load generator does not share its interpreter lock. Each of the 100 clients has its own
sandbox key on the `pro` tier (100 req/s, quota 100,000/day), so the usage plans do not
throttle the benchmark, and its own keep-alive connection. Every request is the full path:
authorizer (one DynamoDB read), API key and plan checks, the environment function's
`GET /api/v1/sandbox/status` (two reads) and its usage accounting (one write).

`--path` picks the GET (default `/api/v1/sandbox/status`); for `/accounts` every key is
bound to one sandbox initialized with the default data set, so each listing reads data.

Three runs:
- burst (first, on the fresh runtime: the functions behind `--path` not yet loaded): every
  client opens its connection and sends at the same instant, then back to back for one
  second; every answer of that second must come in under 2 s;
- paced: each client sends at a fixed rate (total ``--rate`` req/s, staggered starts);
  latency is measured from each request's *scheduled* send time, so a stalled server cannot
  hide its queueing (no coordinated omission). This is "100 concurrent users".
- saturation: each client sends its next request as soon as the previous answer arrives;
  this gives the maximum throughput, and by Little's law latency = 100 / throughput.

`--compare` runs everything twice, on a runtime with moto's own code
(LOCAL_RUNTIME_MOTO_SPEEDUPS=0) and on the default one, one after the other.

`--method`/`--body` send another request: signals per second (a signal, its event, rules
evaluated, decisions and audit entries written in one transaction) with 20 clients is
`--clients 20 --rate 20 --method POST --path /api/sandbox/signals
--body '{"userId": "user_us", "type": "user_login"}'`.

Usage: python benchmarks/runtime_load.py [--clients 100] [--rate 100] [--seconds 20]
       [--path /api/v1/sandbox/accounts?limit=20] [--method POST --body JSON] [--compare]
       [--results FILE]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from results import Result, add_results_option, record

ROOT = Path(__file__).resolve().parent.parent
STATUS_PATH = "/api/v1/sandbox/status"
THROUGHPUT_BARS = {"/api/v1/sandbox/status": 150, "/api/v1/sandbox/accounts": 100}
BURST_BAR_MS = 2_000


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, latency_ms: float) -> None:
        with self.lock:
            self.latencies_ms.append(latency_ms)
            self.statuses[status] = self.statuses.get(status, 0) + 1


def start_runtime(
    port: int, workdir: Path, speedups: bool = True
) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    env = {**os.environ, "PORT": str(port), "LOCAL_RUNTIME_MOTO_SPEEDUPS": "1" if speedups else "0"}
    log = (workdir / "runtime.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local_runtime",
            "--port",
            str(port),
            "--project-root",
            str(workdir),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    info_file = workdir / ".sandbox" / "local.json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"runtime exited early; see {workdir / 'runtime.log'}")
        if info_file.exists():
            try:
                return process, json.loads(info_file.read_text())
            except json.JSONDecodeError:
                pass
        time.sleep(0.1)
    process.terminate()
    raise SystemExit("runtime did not start within 60 s")


def request(
    connection: http.client.HTTPConnection, method: str, path: str, key: str, body: bytes | None
) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {key}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def create_keys(port: int, admin_key: str, count: int, shared_data: bool) -> list[str]:
    """Pro-tier keys; with ``shared_data`` all bound to one sandbox holding the default set."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    keys: list[str] = []
    sandbox_id: str | None = None
    for number in range(count):
        fields = {
            "developer_name": f"Load client {number}",
            "developer_email": f"load{number}@example.com",
            "tier": "pro",
        }
        if sandbox_id:
            fields["sandbox_id"] = sandbox_id
        body = json.dumps(fields).encode()
        status, raw = request(connection, "POST", "/api/v1/sandbox/keys", admin_key, body)
        if status != 201:
            raise SystemExit(f"could not create key {number}: {status} {raw[:200]!r}")
        keys.append(json.loads(raw)["api_key"])
        if shared_data and sandbox_id is None:
            sandbox_id = json.loads(raw)["sandbox_id"]
            body = json.dumps({"environment": "sandbox"}).encode()
            status, raw = request(connection, "POST", "/api/v1/sandbox/initialize", keys[0], body)
            if status != 200:
                raise SystemExit(f"could not initialize: {status} {raw[:200]!r}")
    connection.close()
    return keys


def client(
    port: int,
    path: str,
    key: str,
    send: tuple[str, bytes | None],
    stop_at: float,
    interval: float | None,
    offset: float,
    tally: Tally,
    start: threading.Barrier | None = None,
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    if start is not None:
        start.wait()  # a burst: every client sends its first request at the same instant
    scheduled = time.perf_counter() + offset
    while True:
        if interval is not None:
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            started = scheduled  # latency counts from when the request was due
            scheduled += interval
        else:
            started = time.perf_counter()
        if started >= stop_at:
            break
        try:
            status, _ = request(connection, send[0], path, key, send[1])
        except (OSError, http.client.HTTPException):
            with tally.lock:
                tally.failures += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        tally.add(status, (time.perf_counter() - started) * 1000)
    connection.close()


def run(
    port: int,
    path: str,
    keys: list[str],
    seconds: float,
    rate: float | None,
    burst: bool = False,
    send: tuple[str, bytes | None] = ("GET", None),
) -> tuple[Tally, float]:
    tally = Tally()
    interval = len(keys) / rate if rate else None
    start = threading.Barrier(len(keys)) if burst else None
    began = time.perf_counter()
    stop_at = began + seconds
    threads = [
        threading.Thread(
            target=client,
            args=(port, path, key, send, stop_at, interval, (interval or 0) * n / len(keys), tally),
            kwargs={"start": start},
            daemon=True,
        )
        for n, key in enumerate(keys)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Requests were sent during `seconds`; answers still in flight after that are waited for
    # but do not stretch the window the throughput is computed over.
    return tally, max(seconds, 1e-9) if rate else time.perf_counter() - began


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def report(
    title: str, tally: Tally, elapsed: float, bar: str, path: str, found: list[Result]
) -> dict[str, float]:
    """Print one run; ``bar`` is which bar it answers: "p95", "throughput" or "burst".
    The bar's figure is appended to ``found``."""
    lat = tally.latencies_ms
    errors = tally.failures + sum(n for s, n in tally.statuses.items() if not 200 <= s < 300)
    print(f"\n{title}")
    if not lat:
        print("  no responses")
        found.append(
            Result(
                benchmark="runtime_load",
                what=title,
                figure="responses",
                value=0,
                bar="zero errors",
                holds=False,
            )
        )
        return {}
    rate = len(lat) / elapsed
    p50, p95, p99 = (percentile(lat, q) for q in (0.50, 0.95, 0.99))
    print(f"  requests   {len(lat)} in {elapsed:.1f} s = {rate:.0f} req/s")
    print(
        f"  statuses   {dict(sorted(tally.statuses.items()))}  connection failures {tally.failures}"
    )
    print(
        f"  latency ms p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}"
        f"  max {max(lat):.1f}  mean {statistics.fmean(lat):.1f}"
    )
    if bar == "p95":
        passed, rule = p95 < 50, "p95 < 50 ms"
    elif bar == "burst":
        passed, rule = max(lat) < BURST_BAR_MS, f"every answer < {BURST_BAR_MS} ms"
    else:
        floor = THROUGHPUT_BARS.get(path.partition("?")[0])
        if floor is None:
            passed, rule = True, "no throughput bar (reported)"
        else:
            passed, rule = rate >= floor, f">= {floor} req/s"
    passed = passed and errors == 0
    print(f"  bar        {rule} and zero errors: {'PASS' if passed else 'FAIL'}")
    statistic, value, unit = {
        "p95": ("p95", p95, "ms"),
        "burst": ("slowest answer", max(lat), "ms"),
    }.get(bar, ("throughput", rate, "req/s"))
    has_bar = bar != "throughput" or path.partition("?")[0] in THROUGHPUT_BARS
    found.append(
        Result(
            benchmark="runtime_load",
            what=title,
            figure=statistic + (f" ({errors} errors)" if errors else ""),
            value=value,
            unit=unit,
            bar=(rule + " and zero errors") if has_bar else "zero errors",
            holds=passed,
        )
    )
    return {"rate": rate, "p50": p50, "p95": p95, "max": max(lat), "errors": errors}


def measure(
    args: argparse.Namespace, speedups: bool, found: list[Result]
) -> dict[str, dict[str, float]]:
    """One runtime process, its keys, then the burst, paced and saturation runs."""
    label = "moto speedups on" if speedups else "moto's own code (LOCAL_RUNTIME_MOTO_SPEEDUPS=0)"
    results: dict[str, dict[str, float]] = {}
    mode = "" if speedups else "moto's own code, "
    with tempfile.TemporaryDirectory() as tmp:
        process, info = start_runtime(args.port, Path(tmp), speedups)
        try:
            # Ledger listings read one sandbox holding the default data set; the rest (status,
            # messaging) give each client a sandbox of its own.
            shared = args.path.startswith("/api/v1/sandbox/") and not args.path.startswith(
                STATUS_PATH
            )
            send = (args.method, args.body.encode() if args.body else None)
            what = f"{args.method} {args.path}"
            print(f"\n== {label}: runtime {info['endpoint']}; {args.clients} pro-tier keys ...")
            keys = create_keys(args.port, info["admin_key"], args.clients, shared)
            burst, _ = run(args.port, args.path, keys, 1.0, None, burst=True, send=send)
            results["burst"] = report(
                f"{mode}burst: {args.clients} clients at once, first second ({what})",
                burst,
                1.0,
                "burst",
                args.path,
                found,
            )
            run(args.port, args.path, keys, 3, args.rate, send=send)  # warm-up: connections, caches
            paced, paced_elapsed = run(
                args.port, args.path, keys, args.seconds, args.rate, send=send
            )
            results["paced"] = report(
                f"{mode}paced: {args.clients} clients x {args.rate / args.clients:g} req/s = "
                f"{args.rate:g} req/s ({what})",
                paced,
                paced_elapsed,
                "p95",
                args.path,
                found,
            )
            saturated, sat_elapsed = run(args.port, args.path, keys, args.seconds, None, send=send)
            results["saturation"] = report(
                f"{mode}saturation: {args.clients} clients back to back ({what})",
                saturated,
                sat_elapsed,
                "throughput",
                args.path,
                found,
            )
        finally:
            process.terminate()
            process.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rate", type=float, default=100.0, help="total req/s of the paced run")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=3917)
    parser.add_argument("--path", default=STATUS_PATH, help="the request every client sends")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default="", help="JSON body of each request (with --method)")
    parser.add_argument(
        "--compare", action="store_true", help="also run with moto's own code, first"
    )
    add_results_option(parser)
    args = parser.parse_args()

    modes = (False, True) if args.compare else (True,)
    found: list[Result] = []
    outcomes = {speedups: measure(args, speedups, found) for speedups in modes}
    record(args.results, *found)
    if args.compare:
        print("\nmoto's own code -> speedups on")
        for run_name in ("burst", "paced", "saturation"):
            before, after = outcomes[False].get(run_name), outcomes[True].get(run_name)
            if before and after:
                print(
                    f"  {run_name:<10} {before['rate']:.0f} -> {after['rate']:.0f} req/s, "
                    f"p50 {before['p50']:.1f} -> {after['p50']:.1f} ms, "
                    f"p95 {before['p95']:.1f} -> {after['p95']:.1f} ms, "
                    f"max {before['max']:.0f} -> {after['max']:.0f} ms"
                )


if __name__ == "__main__":
    main()
