"""The persistence job through the local runtime: its admin routes, the function they invoke,
the bundled payment server it charges over HTTP, the charge history, its hourly schedule and
the shut-down a run decides. Wall time is held still and moved by the tests."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from sandbox_common import providers
from sandbox_common.clock import FixedClock
from tests.http.drivers import new_developer_key

BASE = "/api/v1/sandbox"


@pytest.fixture
def wall() -> Iterator[FixedClock]:
    """The runtime's wall time, held still from now on (only the test moves it)."""
    clock = FixedClock(datetime.now(UTC))
    providers.override_clock(clock)
    yield clock
    providers.override_clock(None)


@pytest.fixture
def admin(admin_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_key}"}


@pytest.fixture
def developer(client: httpx.Client, admin_key: str) -> tuple[dict[str, str], str]:
    """A developer key's headers and its sandbox id."""
    return _developer(client, admin_key)


def _developer(client: httpx.Client, admin_key: str) -> tuple[dict[str, str], str]:
    headers = {"x-api-key": new_developer_key(client, admin_key)}
    status = client.get(BASE + "/status", headers=headers)
    assert status.status_code == 200, status.text
    return headers, status.json()["sandbox_id"]


def grant(client: httpx.Client, admin: dict[str, str], customer: str, amount: str) -> None:
    granted = client.post(
        "/admin/credits", json={"customerId": customer, "amount": amount}, headers=admin
    )
    assert granted.status_code == 200, granted.text


def credits(client: httpx.Client, admin: dict[str, str], customer: str) -> Decimal:
    answer = client.get("/get-credits", params={"customerId": customer}, headers=admin)
    assert answer.status_code == 200, answer.text
    return Decimal(answer.json()["data"]["credits"])


def enable(
    client: httpx.Client, headers: dict[str, str], sandbox_id: str, customer: str
) -> httpx.Response:
    return client.post(
        "/update-sandbox-config",
        headers=headers,
        json={
            "userEmail": "owner@example.com",
            "customerId": customer,
            "sandboxId": sandbox_id,
            "persistantConfig": {"enabled": True, "mode": "forever"},
        },
    )


def execute(client: httpx.Client, admin: dict[str, str], **body: Any) -> dict[str, Any]:
    """POST /admin/execute-job (no body unless given); the run's summary."""
    answer = client.post("/admin/execute-job", headers=admin, **({"json": body} if body else {}))
    assert answer.status_code == 200, answer.text
    envelope = answer.json()
    assert envelope["success"] is True
    return dict(envelope["data"])


def last_run_id(client: httpx.Client, admin: dict[str, str]) -> str | None:
    status = client.get("/admin/job-status", headers=admin)
    assert status.status_code == 200, status.text
    last = status.json()["data"].get("lastRun")
    return last["runId"] if last else None


def new_customer() -> str:
    return "cust_" + secrets.token_hex(6)


# ---------------------------------------------------------------- the admin routes


def test_execute_job_without_a_body_runs_the_job_and_job_status_shows_it(client, admin):
    answer = client.post("/admin/execute-job", headers=admin)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["success"] is True and body["message"] == "Job executed successfully"
    assert body["data"]["trigger"] == "manual" and body["data"]["dryRun"] is False
    status = client.get("/admin/job-status", headers=admin)
    assert status.status_code == 200, status.text
    data = status.json()
    assert data["success"] is True
    assert data["data"]["running"] is False and data["data"]["schedule"] == "rate(1 hour)"
    assert data["data"]["lastRun"]["runId"] == body["data"]["runId"]


def test_a_dry_run_says_what_it_would_charge_and_charges_nothing(client, admin, developer, wall):
    headers, sandbox_id = developer
    customer = new_customer()
    grant(client, admin, customer, "5")
    assert enable(client, headers, sandbox_id, customer).status_code == 200
    wall.advance(3600)
    before = last_run_id(client, admin)

    answer = client.post("/admin/execute-job", headers=admin, json={"dryRun": True})

    assert answer.status_code == 200, answer.text
    summary = answer.json()["data"]
    assert summary["dryRun"] is True
    planned = {p["sandboxId"]: p for p in summary["planned"]}
    assert planned[sandbox_id]["charge"] == "0.2"
    assert credits(client, admin, customer) == Decimal(5)
    assert client.get(BASE + "/charges", headers=headers).json() == []
    assert last_run_id(client, admin) == before  # a dry run is not a run


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b'{"dryRun": "yes"}', id="dry-run-not-a-boolean"),
        pytest.param(b'{"dryRun": true, "force": true}', id="unknown-field"),
    ],
)
def test_a_bad_execute_job_body_is_refused_and_runs_nothing(client, admin, body):
    before = last_run_id(client, admin)

    answer = client.post(
        "/admin/execute-job",
        headers={**admin, "Content-Type": "application/json"},
        content=body,
    )

    assert answer.status_code == 400, answer.text
    refused = answer.json()
    assert refused["success"] is False and refused["code"] and refused["requestId"]
    assert last_run_id(client, admin) == before


def test_execute_job_while_a_run_holds_the_job_answers_409_and_status_says_running(
    client, admin, wall
):
    runs = providers.job_runs_repository()
    assert runs.acquire("a-run", now=wall.now(), until=wall.now() + timedelta(minutes=2))
    try:
        answer = client.post("/admin/execute-job", headers=admin)
        status = client.get("/admin/job-status", headers=admin).json()["data"]
    finally:
        runs.release("a-run")

    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == "job_running" and answer.json()["success"] is False
    assert status["running"] is True and status["runningSince"]


def test_a_developer_key_is_refused_on_the_job_routes(client, developer):
    headers, sandbox_id = developer

    for method, path in [
        ("POST", "/admin/execute-job"),
        ("GET", "/admin/job-status"),
        ("GET", f"/admin/sandboxes/{sandbox_id}/charges"),
    ]:
        answer = client.request(method, path, headers=headers)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["success"] is False


# ---------------------------------------------------------------- billing end to end


def test_an_hour_of_persistence_is_charged_and_shows_in_credits_and_history(
    client, admin, admin_key, developer, wall
):
    headers, sandbox_id = developer
    other_headers, _ = _developer(client, admin_key)
    customer = new_customer()
    grant(client, admin, customer, "5")
    assert enable(client, headers, sandbox_id, customer).status_code == 200
    wall.advance(3600)

    summary = execute(client, admin)

    assert summary["charged"] >= 1 and summary["failures"] == 0, summary
    assert credits(client, admin, customer) == Decimal("4.8")
    own = client.get(BASE + "/charges", headers=headers)
    assert own.status_code == 200, own.text
    [record] = own.json()
    assert (record["sandboxId"], record["customerId"], record["amount"]) == (
        sandbox_id,
        customer,
        "0.2",
    )
    assert record["runId"] == summary["runId"]
    assert client.get(f"/admin/sandboxes/{sandbox_id}/charges", headers=admin).json() == [record]
    assert client.get(BASE + "/charges", headers=other_headers).json() == []  # its own only
    ledger = client.get(f"/admin/credits/{customer}/ledger", headers=admin).json()
    consumes = [entry for entry in ledger if entry["kind"] == "consume"]
    assert [(e["amount"], e["idempotencyKey"]) for e in consumes] == [("0.2", record["chargeId"])]

    again = execute(client, admin)  # the same instant: the hour is paid

    assert again["failures"] == 0
    assert credits(client, admin, customer) == Decimal("4.8")
    assert len(client.get(BASE + "/charges", headers=headers).json()) == 1


def test_the_runtime_fires_the_hourly_schedule_and_the_run_shows_in_job_status(
    runtime, client, admin
):
    assert runtime.scheduler is not None
    assert runtime.scheduler.next_occurrence("PersistenceJobFunction", "Hourly") is not None

    firing = runtime.scheduler.fire("PersistenceJobFunction", "Hourly")

    assert firing.error is None, firing.error
    assert firing.result["trigger"] == "schedule"
    status = client.get("/admin/job-status", headers=admin).json()["data"]
    assert status["running"] is False
    assert status["lastRun"]["runId"] == firing.result["run_id"]
    assert status["lastRun"]["trigger"] == "schedule"


# ---------------------------------------------------------------- shut down and back


def test_credits_run_out_the_job_shuts_the_sandbox_down_and_a_re_enable_brings_it_back(
    client, admin, developer, wall
):
    headers, sandbox_id = developer
    customer = new_customer()
    grant(client, admin, customer, "0.1")
    assert enable(client, headers, sandbox_id, customer).status_code == 200
    assert client.get(BASE + "/accounts", headers=headers).status_code == 200
    wall.advance(3600)

    summary = execute(client, admin)

    assert summary["disabled"] >= 1, summary
    refused = client.get(BASE + "/accounts", headers=headers)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "sandbox_shut_down"
    assert "credits exhausted" in refused.json()["error"]
    lifecycle = client.get(BASE + "/status", headers=headers).json()["lifecycle"]
    assert lifecycle["state"] == "shut_down" and lifecycle["persistent"] is False
    assert "credits exhausted" in lifecycle["reason"]
    config = client.get(f"/get-persistant-config?sandboxId={sandbox_id}", headers=headers)
    assert config.json()["data"]["enabled"] is False
    assert credits(client, admin, customer) == Decimal("0.1")  # nothing charged

    grant(client, admin, customer, "5")
    reenabled = enable(client, headers, sandbox_id, customer)

    assert reenabled.status_code == 200, reenabled.text
    assert client.get(BASE + "/accounts", headers=headers).status_code == 200
    lifecycle = client.get(BASE + "/status", headers=headers).json()["lifecycle"]
    assert lifecycle["state"] == "active" and lifecycle["persistent"] is True
    # Billing starts again from the re-enable, not from the shut-down hour.
    wall.advance(3600)
    execute(client, admin)
    assert credits(client, admin, customer) == Decimal("4.9")
