"""The sweeper through the local runtime: its schedule is in the template, the runtime fires it."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import boto3

from sandbox_common import providers
from sandbox_common.clock import FixedClock

BASE = "/api/v1/sandbox"
SMALL = {"environment": "sandbox", "accounts": 5, "transactions": 10, "compliance_records": 2}


def _generations(sandbox_id: str) -> set[str]:
    table = boto3.resource("dynamodb").Table(os.environ["DATA_TABLE"])
    items = table.scan(ProjectionExpression="pk", ConsistentRead=True)["Items"]
    return {item["pk"].split("#")[1] for item in items if item["pk"].startswith(sandbox_id + "#")}


def test_the_scheduled_sweep_leaves_only_the_live_generation(runtime, client, admin_key):
    created = client.post(
        BASE + "/keys",
        json={"developer_name": "Sweepy", "developer_email": "sweepy@example.com"},
        headers={"Authorization": f"Bearer {admin_key}"},
    ).json()
    headers = {"x-api-key": created["api_key"]}
    for seed in range(3):
        response = client.post(BASE + "/initialize", json={**SMALL, "seed": seed}, headers=headers)
        assert response.status_code == 200, response.text
    assert len(_generations(created["sandbox_id"])) == 3
    assert runtime.scheduler is not None
    assert runtime.scheduler.next_occurrence("SweeperFunction", "Sweep") is not None

    # The retired generations' grace period is over by the time the schedule fires.
    providers.override_clock(FixedClock(datetime.now(UTC) + timedelta(minutes=5)))
    try:
        firing = runtime.scheduler.fire("SweeperFunction", "Sweep")
    finally:
        providers.override_clock(None)

    assert firing.error is None
    assert firing.result["generations_swept"] >= 3  # its g0 too, and other tests' sandboxes
    assert len(_generations(created["sandbox_id"])) == 1
    accounts = client.get(BASE + "/accounts", headers=headers).json()
    assert len(accounts) == 5
