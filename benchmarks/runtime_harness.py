"""What the benchmarks that drive a local runtime (over HTTP or in-process) share."""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import httpx

from local_runtime import LocalRuntime


@contextmanager
def handler_output_to(log_path: Path) -> Iterator[TextIO]:
    """Send file descriptor 1 (the handlers' JSON logs and EMF metrics) to ``log_path``.

    The handlers log as in Lambda, so the measured work is unchanged; only where the lines
    go changes. Yields a stream on the original stdout; on an error, the log's tail is shown.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    terminal = os.fdopen(os.dup(saved), "w", buffering=1)
    with log_path.open("ab") as log:
        os.dup2(log.fileno(), 1)
    try:
        yield terminal
    except BaseException:
        sys.stdout.flush()
        tail = log_path.read_text(errors="replace").splitlines()[-30:]
        print("\n".join(["handler output (last 30 lines):", *tail]), file=sys.stderr)
        raise
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        terminal.close()


def new_pro_key(client: httpx.Client, admin_key: str, label: str) -> tuple[str, str]:
    """A pro-tier key (100 req/s) with its own new sandbox: (clear key, sandbox id)."""
    response = client.post(
        "/api/v1/sandbox/keys",
        headers={"Authorization": f"Bearer {admin_key}"},
        json={
            "developer_name": f"Benchmark {label}",
            "developer_email": "bench@example.com",
            "tier": "pro",
        },
    )
    if response.status_code != 201:
        raise SystemExit(f"could not create a pro key: {response.status_code} {response.text}")
    body = response.json()
    return str(body["api_key"]), str(body["sandbox_id"])


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def invoke_json(
    runtime: LocalRuntime, method: str, path: str, key: str, body: Any = None
) -> dict[str, Any]:
    """One in-process request through the runtime's gateway; exits unless it is a 200/201."""
    status, _, raw = runtime.invoke(method, path, {"Authorization": f"Bearer {key}"}, body)
    if status not in (200, 201):
        raise SystemExit(f"{method} {path}: {status} {raw[:300]!r}")
    answer: dict[str, Any] = json.loads(raw)
    return answer


def in_process_pro_key(runtime: LocalRuntime) -> str:
    """A pro-tier key (100 req/s) with its own new sandbox, made in-process."""
    assert runtime.admin_key
    body = {"developer_name": "Bench", "developer_email": "b@example.com", "tier": "pro"}
    return str(
        invoke_json(runtime, "POST", "/api/v1/sandbox/keys", runtime.admin_key, body)["api_key"]
    )
