"""The soak's requests: every one counted (status, latency, which key, refused or not)."""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import Any

import httpx

from local_runtime.soak.model import (
    GATEWAY_REFUSALS,
    SandboxState,
    Tally,
)


class Transport:
    """Requests to one runtime with a key, each counted in the tally the soak's parts share."""

    def __init__(
        self,
        endpoint: str,
        admin_key: str,
        *,
        clients: int,
        seconds: float,
        sandboxes: int,
        seed: int = 7,
    ) -> None:
        self.endpoint = endpoint
        self.admin_key = admin_key
        self.clients = clients
        self.seconds = seconds
        self.sandbox_count = max(1, min(sandboxes, clients))
        self.seed = seed
        self.tally = Tally()
        self.activity: Counter[str] = Counter()
        self.sandboxes: list[SandboxState] = []
        self.run_id = f"{int(time.time())}{random.Random(seed).randrange(1000):03d}"

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=self.endpoint, timeout=120)

    def send(
        self,
        http: httpx.Client,
        group: str,
        method: str,
        path: str,
        key: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response | None:
        """One request with ``key``, counted; None when no answer came (counted too)."""
        started = time.perf_counter()
        try:
            response = http.request(
                method,
                path,
                json=json,
                params=params,
                headers={"Authorization": f"Bearer {key}", **(headers or {})},
            )
        except httpx.TransportError:
            with self.tally.lock:
                self.tally.failures[group] += 1
            return None
        latency_ms = (time.perf_counter() - started) * 1000
        status = response.status_code
        with self.tally.lock:
            self.tally.statuses[status] += 1
            self.tally.by_group[group][status] += 1
            self.tally.latencies_ms[group].append(latency_ms)
            if status in GATEWAY_REFUSALS:
                self.tally.refused[key] += 1
            else:
                self.tally.reached[key] += 1
            if status >= 500:
                self.tally.server_errors.append(f"{method} {path} {status} {response.text[:200]}")
        return response

    def admin(self, http: httpx.Client, group: str, method: str, path: str, **kw: Any) -> Any:
        return self.send(http, group, method, path, self.admin_key, **kw)

    @staticmethod
    def _ok(response: httpx.Response | None) -> bool:
        return response is not None and 200 <= response.status_code < 300

    def _expect(self, response: httpx.Response | None, what: str) -> Any:
        if not self._ok(response):
            detail = "no answer" if response is None else f"{response.status_code} {response.text}"
            raise RuntimeError(f"soak setup: {what}: {detail[:300]}")
        assert response is not None
        return response.json()

    def listing(
        self, http: httpx.Client, group: str, path: str, key: str, params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Every item of a listing, following X-Next-Cursor (single-threaded use only)."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            query = {**params, "limit": 100, **({"cursor": cursor} if cursor else {})}
            response = self.send(http, group, "GET", path, key, params=query)
            items.extend(self._expect(response, path))
            assert response is not None
            cursor = response.headers.get("X-Next-Cursor")
            if not cursor:
                return items
