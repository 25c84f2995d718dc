"""The project's request counters and sandbox-day markers, under moto (template.yaml tables)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from sandbox_common import providers
from sandbox_common.platform_usage.counters import SHARDS, merged_by_day, shard_of
from sandbox_common.storage.project_counters_repository import project_key
from sandbox_common.usage.models import RequestRecord

AT = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
DAY = AT.date()


def request(
    key_id: str,
    sandbox_id: str,
    *,
    endpoint: str = "GET /api/v1/sandbox/status",
    status: int = 200,
    at: datetime = AT,
) -> RequestRecord:
    return RequestRecord(key_id, sandbox_id, endpoint, status, 5.0, at)


def read_day(day: date = DAY):
    (merged,) = merged_by_day(providers.project_counters().days(day, day))
    return merged


def test_requests_count_by_group_and_endpoint_with_their_errors(stack):
    counters = providers.project_counters()
    counters.record_request(
        request("k1", "sb1"), group="environment", tier="free", first_of_day_for_key=True
    )
    counters.record_request(
        request("k1", "sb1", endpoint="GET /api/v1/sandbox/keys/{key_id}", status=404),
        group="keys",
        tier="free",
        first_of_day_for_key=False,
    )
    counters.record_request(
        request("k2", "sb2", status=500), group="environment", tier="pro", first_of_day_for_key=True
    )
    day = read_day()
    assert (day.requests, day.errors) == (3, 2)
    assert day.group_requests == {"environment": 2, "keys": 1}
    assert +day.group_errors == {"environment": 1, "keys": 1}
    assert day.endpoint_requests == {
        "GET /api/v1/sandbox/status": 2,
        "GET /api/v1/sandbox/keys/{key_id}": 1,
    }
    assert day.endpoint_errors["GET /api/v1/sandbox/keys/{key_id}"] == 1
    assert day.active_keys == {"free": 1, "pro": 1}
    assert day.active_sandboxes == {"free": 1, "pro": 1}


def test_a_key_and_its_sandbox_count_active_once_a_day(stack):
    counters = providers.project_counters()
    # Two keys of one sandbox: each key is active, the sandbox once (by the first key's tier).
    counters.record_request(
        request("k1", "sb1"), group="ledger", tier="pro", first_of_day_for_key=True
    )
    counters.record_request(
        request("k1", "sb1"), group="ledger", tier="pro", first_of_day_for_key=False
    )
    counters.record_request(
        request("k2", "sb1"), group="keys", tier="free", first_of_day_for_key=True
    )
    day = read_day()
    assert day.requests == 3
    assert day.active_keys == {"pro": 1, "free": 1}
    assert day.active_sandboxes == {"pro": 1}


def test_the_next_day_counts_the_sandbox_again(stack):
    counters = providers.project_counters()
    tomorrow = AT + timedelta(days=1)
    counters.record_request(
        request("k1", "sb1"), group="keys", tier="free", first_of_day_for_key=True
    )
    counters.record_request(
        request("k1", "sb1", at=tomorrow), group="keys", tier="free", first_of_day_for_key=True
    )
    assert read_day().active_sandboxes == {"free": 1}
    assert read_day(tomorrow.date()).active_sandboxes == {"free": 1}


def test_concurrent_first_requests_of_one_sandbox_count_it_once(stack):
    counters = providers.project_counters()
    keys = [f"key-{n}" for n in range(12)]

    def first_request(key_id: str) -> None:
        counters.record_request(
            request(key_id, "sb-busy"), group="keys", tier="free", first_of_day_for_key=True
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(first_request, keys))
    day = read_day()
    assert day.requests == 12
    assert day.active_keys == {"free": 12}
    assert day.active_sandboxes == {"free": 1}


def test_counts_go_to_the_shard_of_the_key_and_expire(stack):
    counters = providers.project_counters()
    counters.record_request(
        request("k-shard", "sb1"), group="keys", tier="free", first_of_day_for_key=True
    )
    table = counters._table
    item = table.get_item(Key=project_key(shard_of("k-shard"), DAY))["Item"]
    assert item["requests"] == 1 and item["grp#keys"] == 1 and item["keys#free"] == 1
    retention = providers.settings().usage_retention_days
    assert int(item["expires_at"]) == int(AT.timestamp()) + retention * 86400
    others = [s for s in range(SHARDS) if s != shard_of("k-shard")]
    assert all("Item" not in table.get_item(Key=project_key(s, DAY)) for s in others)
    marker = table.get_item(Key={"pk": "SANDBOXDAY#sb1", "sk": f"DAY#{DAY.isoformat()}"})["Item"]
    # The marker only matters during its day: it expires two days after the day began.
    assert int(marker["expires_at"]) == int(datetime(2026, 12, 2, tzinfo=UTC).timestamp())


def test_accounting_a_request_counts_it_for_the_key_and_the_project(invoke, make_key, as_developer):
    free = as_developer(make_key(tier="free"))
    pro = as_developer(make_key(tier="pro"))
    for _ in range(2):
        assert invoke("environment", "environment/status.json", caller=free)[0] == 200
    assert invoke("keys", "keys/get_key.json", caller=pro)[0] == 404
    today = providers.wall_clock().now().date()
    day = read_day(today)
    # The admin created the two keys (group keys); then the developers' three requests.
    assert day.requests == 5 and day.errors == 1
    assert day.group_requests == {"keys": 3, "environment": 2}
    assert day.active_keys == {"admin": 1, "free": 1, "pro": 1}
    assert day.active_sandboxes == {"admin": 1, "free": 1, "pro": 1}
    per_key = sum(
        usage.requests
        for key_id in ("bootstrap-admin", free["key_id"], pro["key_id"])
        for usage in providers.usage_repository().days(key_id, today, today)
    )
    assert per_key == day.requests
