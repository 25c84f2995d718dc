"""Local runtime under load: authenticated GETs from 100 concurrent clients (SPEC section 5).

Bar: p95 < 50 ms through the local runtime with 100 concurrent clients, zero errors.

The runtime (`python -m local_runtime`) runs in its own process, as `make run` does, so the
load generator does not share its interpreter lock. Each of the 100 clients has its own
sandbox key on the `pro` tier (100 req/s, quota 100,000/day), so the usage plans do not
throttle the benchmark, and its own keep-alive connection. Every request is the full path:
authorizer (one DynamoDB read), API key and plan checks, the environment function's
`GET /api/v1/sandbox/status` (two reads) and its usage accounting (one write).

Two runs:
- paced: each client sends at a fixed rate (total ``--rate`` req/s, staggered starts);
  latency is measured from each request's *scheduled* send time, so a stalled server cannot
  hide its queueing (no coordinated omission). This is "100 concurrent users".
- saturation: each client sends its next request as soon as the previous answer arrives;
  this gives the maximum throughput, and by Little's law latency = 100 / throughput.

Usage: python benchmarks/runtime_load.py [--clients 100] [--rate 200] [--seconds 20]
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

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/sandbox/status"


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


def start_runtime(port: int, workdir: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    env = {**os.environ, "PORT": str(port)}
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


def create_keys(port: int, admin_key: str, count: int) -> list[str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    keys = []
    for number in range(count):
        body = json.dumps(
            {
                "developer_name": f"Load client {number}",
                "developer_email": f"load{number}@example.com",
                "tier": "pro",
            }
        ).encode()
        status, raw = request(connection, "POST", "/api/v1/sandbox/keys", admin_key, body)
        if status != 201:
            raise SystemExit(f"could not create key {number}: {status} {raw[:200]!r}")
        keys.append(json.loads(raw)["api_key"])
    connection.close()
    return keys


def client(
    port: int, key: str, stop_at: float, interval: float | None, offset: float, tally: Tally
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
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
            status, _ = request(connection, "GET", PATH, key, None)
        except (OSError, http.client.HTTPException):
            with tally.lock:
                tally.failures += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        tally.add(status, (time.perf_counter() - started) * 1000)
    connection.close()


def run(port: int, keys: list[str], seconds: float, rate: float | None) -> tuple[Tally, float]:
    tally = Tally()
    interval = len(keys) / rate if rate else None
    began = time.perf_counter()
    stop_at = began + seconds
    threads = [
        threading.Thread(
            target=client,
            args=(port, key, stop_at, interval, (interval or 0) * n / len(keys), tally),
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


def report(title: str, tally: Tally, elapsed: float, check_bar: bool) -> bool:
    lat = tally.latencies_ms
    errors = tally.failures + sum(n for s, n in tally.statuses.items() if s != 200)
    print(f"\n{title}")
    if not lat:
        print("  no responses")
        return False
    p95 = percentile(lat, 0.95)
    print(f"  requests   {len(lat)} in {elapsed:.1f} s = {len(lat) / elapsed:.0f} req/s")
    print(
        f"  statuses   {dict(sorted(tally.statuses.items()))}  connection failures {tally.failures}"
    )
    p50, p99 = percentile(lat, 0.50), percentile(lat, 0.99)
    print(
        f"  latency ms p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}"
        f"  max {max(lat):.1f}  mean {statistics.fmean(lat):.1f}"
    )
    if not check_bar:
        return True
    passed = p95 < 50 and errors == 0
    print(f"  bar        p95 < 50 ms and zero errors: {'PASS' if passed else 'FAIL'}")
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rate", type=float, default=200.0, help="total req/s of the paced run")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=3917)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        process, info = start_runtime(args.port, Path(tmp))
        try:
            print(f"runtime {info['endpoint']}; creating {args.clients} pro-tier keys ...")
            keys = create_keys(args.port, info["admin_key"], args.clients)
            run(args.port, keys, 3, args.rate)  # warm-up: imports, connections, caches
            per_client = args.rate / args.clients
            paced, paced_elapsed = run(args.port, keys, args.seconds, args.rate)
            report(
                f"paced: {args.clients} clients x {per_client:g} req/s = {args.rate:g} req/s "
                f"(GET {PATH})",
                paced,
                paced_elapsed,
                check_bar=True,
            )
            saturated, sat_elapsed = run(args.port, keys, args.seconds, None)
            report(
                f"saturation: {args.clients} clients back to back (GET {PATH})",
                saturated,
                sat_elapsed,
                check_bar=False,
            )
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
