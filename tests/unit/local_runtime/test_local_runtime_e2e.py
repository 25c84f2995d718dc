"""End to end: the fixture template served over HTTP, toy functions, moto as AWS."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from local_runtime import LocalRuntime


@pytest.fixture(scope="module")
def runtime(fixture_template: Path, module_clock: Any) -> Iterator[LocalRuntime]:
    with LocalRuntime(fixture_template, clock=module_clock, create_demo_key=False) as rt:
        yield rt


@pytest.fixture(scope="module")
def client(runtime: LocalRuntime) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=runtime.endpoint, timeout=10) as c:
        yield c


@pytest.fixture
def admin(runtime: LocalRuntime) -> dict[str, str]:
    return {"Authorization": f"Bearer {runtime.admin_key}"}


def toy_plan_id() -> str:
    plans = boto3.client("apigateway").get_usage_plans()["items"]
    return next(p["id"] for p in plans if p["name"] == "sandbox-platform-toy")


def make_key(*, plan: bool = True, enabled: bool = True) -> tuple[str, str]:
    """A fresh API key (value, id) in moto, in the toy plan unless told otherwise."""
    value = "good-" + secrets.token_hex(12)
    apigateway = boto3.client("apigateway")
    key_id = apigateway.create_api_key(name=value, value=value, enabled=enabled)["id"]
    if plan:
        apigateway.create_usage_plan_key(usagePlanId=toy_plan_id(), keyId=key_id, keyType="API_KEY")
    return value, key_id


def envelope_code(response: httpx.Response) -> str:
    body = response.json()
    assert body["success"] is False
    assert body["requestId"] == response.headers["x-amzn-requestid"]
    return str(body["code"])


# ---------------------------------------------------------------- routing


def test_public_route_is_served_without_a_key(client: httpx.Client) -> None:
    response = client.get("/public")

    assert response.status_code == 200
    assert response.json() == {"ok": "public", "helper": "items-helpers"}


def test_unknown_route_is_404_in_envelope(client: httpx.Client) -> None:
    response = client.get("/does/not/exist")

    assert response.status_code == 404
    assert envelope_code(response) == "not_found"


def test_wrong_method_on_known_path_is_405_in_envelope(client: httpx.Client) -> None:
    response = client.delete("/items")

    assert response.status_code == 405
    assert envelope_code(response) == "method_not_allowed"
    assert response.json()["error"] == "Method not allowed"
    assert response.headers["allow"] == "GET, POST"


def test_static_param_and_greedy_routes_reach_the_function(
    client: httpx.Client, admin: dict[str, str]
) -> None:
    special = client.get("/items/special", headers=admin).json()
    param = client.get("/items/a%20b", headers=admin).json()
    greedy = client.put("/files/x/y/z.txt", headers=admin).json()

    assert special == {"route": "static"}
    assert param == {"route": "param", "item_id": "a b"}
    assert greedy == {"route": "greedy", "path": "x/y/z.txt", "method": "PUT"}


# ---------------------------------------------------------------- auth and keys


def test_missing_key_is_401_from_the_template_response(client: httpx.Client) -> None:
    response = client.get("/items")

    assert response.status_code == 401
    assert envelope_code(response) == "unauthorized"


def test_deny_policy_is_403(client: httpx.Client) -> None:
    response = client.get("/items", headers={"x-api-key": "deny-me"})

    assert response.status_code == 403
    assert envelope_code(response) == "forbidden"


@pytest.mark.parametrize("key", ["boom-1", "malformed-1"])
def test_failing_or_malformed_authorizer_is_500(client: httpx.Client, key: str) -> None:
    response = client.get("/items", headers={"x-api-key": key})

    assert response.status_code == 500
    assert envelope_code(response) == "internal_error"


def test_unknown_key_is_403_invalid_api_key(client: httpx.Client) -> None:
    response = client.get("/items", headers={"x-api-key": "good-but-unknown"})

    assert response.status_code == 403
    assert envelope_code(response) == "invalid_api_key"


def test_key_in_no_usage_plan_is_403_invalid_api_key(client: httpx.Client) -> None:
    value, _ = make_key(plan=False)

    response = client.get("/items", headers={"x-api-key": value})

    assert response.status_code == 403
    assert envelope_code(response) == "invalid_api_key"


def test_disabling_a_key_in_moto_refuses_it_on_the_next_request(client: httpx.Client) -> None:
    value, key_id = make_key()
    assert client.get("/items", headers={"x-api-key": value}).status_code == 200

    boto3.client("apigateway").update_api_key(
        apiKey=key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
    )

    assert client.get("/items", headers={"x-api-key": value}).status_code == 403


# ---------------------------------------------------------------- usage plans


def test_burst_is_allowed_then_throttled_with_precise_retry_after(
    client: httpx.Client, module_clock: Any
) -> None:
    value, _ = make_key()
    headers = {"x-api-key": value}

    statuses = [client.get("/items", headers=headers).status_code for _ in range(2)]
    throttled = client.get("/items", headers=headers)
    module_clock.advance(1)
    after_wait = client.get("/items", headers=headers)

    assert statuses == [200, 200]
    assert throttled.status_code == 429
    assert envelope_code(throttled) == "throttled"
    assert throttled.headers["retry-after"] == "1"
    assert throttled.headers["x-ratelimit-remaining"] == "3"
    assert after_wait.status_code == 200


def test_quota_exceeded_until_the_utc_day_ends(client: httpx.Client, module_clock: Any) -> None:
    value, _ = make_key()
    headers = {"x-api-key": value}
    seen = []
    for _ in range(5):
        seen.append(client.get("/items", headers=headers))
        module_clock.advance(1)  # let the bucket refill: only the quota binds

    refused = client.get("/items", headers=headers)

    midnight = (int(module_clock.now) // 86_400 + 1) * 86_400
    assert [r.status_code for r in seen] == [200] * 5
    assert [r.headers["x-ratelimit-remaining"] for r in seen] == ["4", "3", "2", "1", "0"]
    assert seen[0].headers["x-ratelimit-limit"] == "5"
    assert seen[0].headers["x-ratelimit-reset"] == str(midnight)
    assert refused.status_code == 429
    assert envelope_code(refused) == "quota_exceeded"
    assert refused.headers["retry-after"] == str(midnight - int(module_clock.now))
    assert refused.headers["x-ratelimit-remaining"] == "0"


def test_function_rate_limit_headers_are_kept(client: httpx.Client, admin: dict[str, str]) -> None:
    response = client.get("/own-rate-headers", headers=admin)

    assert response.headers["x-ratelimit-limit"] == "function-says"
    assert "x-ratelimit-remaining" not in response.headers


def test_public_route_carries_no_rate_limit_headers(client: httpx.Client) -> None:
    assert "x-ratelimit-limit" not in client.get("/public").headers


def test_without_the_waf_condition_keyless_requests_are_not_limited(client: httpx.Client) -> None:
    assert {client.get("/public").status_code for _ in range(20)} == {200}


# ---------------------------------------------------------------- integration


def test_function_writes_and_reads_its_table_in_moto(
    client: httpx.Client, admin: dict[str, str]
) -> None:
    response = client.post("/items", headers=admin, json={"id": "i-1", "name": "first"})

    assert response.status_code == 201
    assert response.json() == {
        "stored": {"pk": "i-1", "owner": "toy", "name": "first"},
        "table": "sandbox-platform-ItemsTable",
    }


def test_function_sees_globals_and_its_own_environment(
    client: httpx.Client, admin: dict[str, str]
) -> None:
    assert client.get("/items", headers=admin).json()["greeting"] == "hello"


def test_the_function_receives_an_api_gateway_proxy_event(runtime: LocalRuntime) -> None:
    status, _, body = runtime.invoke(
        "POST",
        "/event?x=1",
        {"Authorization": f"Bearer {runtime.admin_key}", "Content-Type": "text/plain"},
        "hello",
        source_ip="10.9.8.7",
    )

    payload = json.loads(body)
    event = payload["event"]
    context = event["requestContext"]
    assert status == 200
    assert (event["resource"], event["path"], event["body"]) == ("/event", "/event", "hello")
    assert event["queryStringParameters"] == {"x": "1"}
    assert context["stage"] == "v1" and context["path"] == "/v1/event"
    assert context["identity"]["sourceIp"] == "10.9.8.7"
    assert context["identity"]["apiKey"] == runtime.admin_key
    assert context["identity"]["apiKeyId"]
    assert context["authorizer"]["principalId"].startswith("user-")
    assert context["authorizer"]["count"] == "3" and context["authorizer"]["flag"] == "true"
    assert 0 < payload["remaining_ms"] <= 5000


@pytest.mark.parametrize("path", ["/crash", "/malformed"])
def test_failing_integration_is_502_in_envelope(client: httpx.Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 502
    assert envelope_code(response) == "internal_error"


def test_body_over_10_mb_is_413_in_envelope(client: httpx.Client, admin: dict[str, str]) -> None:
    response = client.post("/items", headers=admin, content=b"x" * (10 * 1024 * 1024 + 1))

    assert response.status_code == 413
    assert envelope_code(response) == "client_error"
    assert response.json()["error"] == "Request Too Long"


def test_concurrent_requests_on_kept_alive_connections_all_succeed(
    runtime: LocalRuntime, admin: dict[str, str]
) -> None:
    def burst(_: int) -> list[int]:
        with httpx.Client(base_url=runtime.endpoint, headers=admin, timeout=10) as c:
            return [c.get("/items/special").status_code for _ in range(5)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = [s for batch in pool.map(burst, range(16)) for s in batch]

    assert statuses == [200] * 80


def test_head_request_has_headers_but_no_body(client: httpx.Client) -> None:
    response = client.head("/does/not/exist")

    assert response.status_code == 404
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0


def test_warming_imports_every_function_handler(runtime: LocalRuntime) -> None:
    runtime.warm()
    assert runtime.functions
    assert all(function._handler is not None for function in runtime.functions.values())
