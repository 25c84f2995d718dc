"""Usage plans and the per-IP rule, enforced by the local runtime from template.yaml.

The runtime's clock is injected, so token refills and quota windows are driven by the test
instead of real sleeps.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from local_runtime import LocalRuntime

STATUS = "/api/v1/sandbox/status"
TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


class ManualClock:
    """Epoch seconds that move only when the test says so."""

    def __init__(self, start: datetime) -> None:
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0))


@pytest.fixture(scope="module")
def limited(admin_key, clock, tmp_path_factory) -> Iterator[httpx.Client]:
    project = tmp_path_factory.mktemp("rate-limits")
    with (
        LocalRuntime(
            TEMPLATE, port=0, admin_key=admin_key, project_root=project, clock=clock
        ) as runtime,
        httpx.Client(base_url=runtime.endpoint, timeout=30) as http,
    ):
        yield http


@pytest.fixture
def free_key(limited, admin_key, clock) -> str:
    clock.advance(10)  # a fresh admin token bucket for the create call
    response = limited.post(
        "/api/v1/sandbox/keys",
        json={"developer_name": "Load", "developer_email": "load@example.com", "tier": "free"},
        headers={"x-api-key": admin_key},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["api_key"])


def test_burst_then_throttled_then_refilled_like_a_token_bucket(limited, free_key, clock):
    headers = {"x-api-key": free_key}
    # sandbox-free: RateLimit 10/s, BurstLimit 20 (template.yaml).
    assert [limited.get(STATUS, headers=headers).status_code for _ in range(20)] == [200] * 20
    throttled = limited.get(STATUS, headers=headers)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert throttled.json()["error"] == "Too Many Requests"
    assert throttled.headers["Retry-After"] == "1"
    assert throttled.headers["X-RateLimit-Limit"] == "1000"
    clock.advance(0.11)  # one token (epoch floats are coarse near 1.8e9)
    assert limited.get(STATUS, headers=headers).status_code == 200
    assert limited.get(STATUS, headers=headers).status_code == 429
    clock.advance(1.01)  # ten tokens
    assert [limited.get(STATUS, headers=headers).status_code for _ in range(11)] == [200] * 10 + [
        429
    ]


def test_quota_exhausts_then_resets_with_the_next_window(limited, free_key, clock):
    headers = {"x-api-key": free_key}
    for sent in range(1000):
        clock.advance(0.1)  # stay under the throttle: only the quota may stop us
        response = limited.get(STATUS, headers=headers)
        assert response.status_code == 200, (sent, response.text)
    assert response.headers["X-RateLimit-Remaining"] == "0"
    clock.advance(0.1)
    exhausted = limited.get(STATUS, headers=headers)
    assert exhausted.status_code == 429
    assert exhausted.json()["code"] == "quota_exceeded"
    midnight = math.ceil(clock.now / 86400) * 86400
    assert int(exhausted.headers["Retry-After"]) == math.ceil(midnight - clock.now)
    assert exhausted.headers["X-RateLimit-Remaining"] == "0"
    clock.advance(midnight - clock.now + 1)
    assert limited.get(STATUS, headers=headers).status_code == 200
    clock.advance(-(midnight - clock.now + 1) + 86400)  # keep later tests in a fresh day


def test_keyless_requests_are_limited_per_ip_by_the_waf_rule(limited, clock):
    clock.advance(601)  # a fresh evaluation window
    # PublicIpRateLimit in template.yaml: 67 requests per 600 s per IP, keyless only.
    statuses = [limited.get("/health").status_code for _ in range(67)]
    assert statuses == [200] * 67
    blocked = limited.get("/health")
    assert blocked.status_code == 429 and blocked.json()["code"] == "ip_rate_limited"
    assert int(blocked.headers["Retry-After"]) >= 1
    clock.advance(601)
    assert limited.get("/health").status_code == 200
