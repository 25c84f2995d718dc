"""GET /api/v1/sandbox/usage: the caller's own counters."""

from __future__ import annotations


def test_usage_counts_requests_endpoints_errors_and_quota(invoke, make_key, as_developer):
    created = make_key(tier="free")
    developer = as_developer(created)
    for _ in range(3):
        assert invoke("environment", "environment/status.json", caller=developer)[0] == 200
    assert invoke("keys", "keys/get_key.json", caller=developer)[0] == 404
    status, report, headers = invoke("keys", "keys/usage.json", caller=developer)
    assert status == 200
    assert report["key_id"] == created["key_id"] and report["tier"] == "free"
    endpoints = {e["endpoint"]: e for e in report["by_endpoint"]}
    assert endpoints["GET /api/v1/sandbox/status"]["requests"] == 3
    assert endpoints["GET /api/v1/sandbox/keys/{key_id}"]["errors"] == 1
    assert report["total_requests"] == 4 and report["total_errors"] == 1
    assert report["by_day"][-1]["requests"] == 4 and len(report["by_day"]) == 7
    assert report["latency_ms"]["p50"] is not None
    assert report["quota"] == {
        "limit": 1000,
        "period": "DAY",
        "used": 4,
        "remaining": 996,
        "resets_at": report["quota"]["resets_at"],
    }
    assert report["throttle"] == {"rate_limit": 10.0, "burst_limit": 20}
    # The usage request itself is counted once it has been answered.
    assert headers["x-ratelimit-remaining"] == "995"


def test_usage_is_per_key(invoke, make_key, as_developer):
    busy = as_developer(make_key(sandbox_id="sb-u"))
    quiet = as_developer(make_key(sandbox_id="sb-u"))
    invoke("environment", "environment/status.json", caller=busy)
    _, report, _ = invoke("keys", "keys/usage.json", caller=quiet)
    assert report["total_requests"] == 0


def test_usage_needs_the_analytics_permission(invoke, make_key, as_developer):
    developer = as_developer(make_key(permissions=["read"]))
    status, body, _ = invoke("keys", "keys/usage.json", caller=developer)
    assert status == 403


def test_usage_days_out_of_range_is_400(invoke, make_key, as_developer):
    developer = as_developer(make_key())
    status, body, _ = invoke("keys", "keys/usage.json", caller=developer, query={"days": "365"})
    assert status == 400 and body["code"] == "validation_error"
