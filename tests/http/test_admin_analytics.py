"""``GET /admin/analytics`` through the local runtime: the project's counters add up to the
keys' own (``GET /api/v1/sandbox/usage``).

The runtime is fresh for this module, but its tests share it, so each check reads the
analytics before and after its own traffic and compares the difference. An analytics (or
usage) request is counted once it has answered: it is in the next answer, not in its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest

ANALYTICS = "/admin/analytics"
KEYS = "/api/v1/sandbox/keys"
USAGE = "/api/v1/sandbox/usage"
# (path, endpoint as counted, group: the function that serves it). With the key creations,
# the usage and analytics calls and the made-up paths, this module's tests reach ten
# endpoints: the top ten lists every one of them.
STATUS = ("/api/v1/sandbox/status", "GET /api/v1/sandbox/status", "environment")
CALLS = [
    STATUS,
    ("/api/v1/sandbox/keys/sbx_nosuchkey", "GET /api/v1/sandbox/keys/{key_id}", "keys"),
    ("/api/v1/sandbox/accounts", "GET /api/v1/sandbox/accounts", "ledger"),
    ("/api/sandbox/signals/catalog", "GET /api/sandbox/signals/catalog", "behavior"),
    (
        "/api/sandbox/message-state/msg-missing",
        "GET /api/sandbox/message-state/{messageId}",
        "messages",
    ),
    ("/api/v1/sandbox/charges", "GET /api/v1/sandbox/charges", "manager"),
]
STATUS_CALLS_PER_KEY = 3  # the busiest endpoint, so it leads the top endpoints


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@dataclass
class Traffic:
    """What the test sent, counted as the project should count it."""

    requests: int = 0
    errors: int = 0
    by_group: Counter[str] = field(default_factory=Counter)
    by_endpoint: Counter[str] = field(default_factory=Counter)
    errors_by_endpoint: Counter[str] = field(default_factory=Counter)

    def count(self, response: httpx.Response, endpoint: str, group: str) -> None:
        assert response.status_code != 429, response.text  # a throttled call is not counted
        error = 1 if response.status_code >= 400 else 0
        self.requests += 1
        self.errors += error
        self.by_group[group] += 1
        self.by_endpoint[endpoint] += 1
        self.errors_by_endpoint[endpoint] += error


def analytics(client: httpx.Client, admin_key: str, **params: object) -> dict:
    response = client.get(ANALYTICS, headers=bearer(admin_key), params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


def create_key(client, admin_key, traffic: Traffic, **fields) -> dict:
    body = {"developer_name": "Ada Lovelace", "developer_email": "ada@example.com", **fields}
    response = client.post(KEYS, json=body, headers=bearer(admin_key))
    assert response.status_code == 201, response.text
    traffic.count(response, "POST /api/v1/sandbox/keys", "keys")
    return response.json()


def today(report: dict) -> dict:
    return report["byDay"][-1]


def endpoints(report: dict) -> dict[str, dict]:
    return {e["endpoint"]: e for e in report["topEndpoints"]}


def test_project_figures_add_up_to_the_keys_own_counters(client, admin_key):
    before = analytics(client, admin_key, days=1)
    traffic = Traffic()
    traffic.count(httpx.Response(200), f"GET {ANALYTICS}", "manager")  # `before`, once answered
    free_one = create_key(client, admin_key, traffic, tier="free")
    free_two = create_key(client, admin_key, traffic, tier="free")
    pro_one = create_key(client, admin_key, traffic, tier="pro")
    # A second pro key in the first one's sandbox: two active keys, one active sandbox.
    pro_two = create_key(client, admin_key, traffic, tier="pro", sandbox_id=pro_one["sandbox_id"])
    developers = [free_one, free_two, pro_one, pro_two]
    for key in developers:
        for path, endpoint, group in CALLS + [STATUS] * (STATUS_CALLS_PER_KEY - 1):
            traffic.count(client.get(path, headers=bearer(key["api_key"])), endpoint, group)
    assert traffic.errors >= len(developers)  # the missing key and message at least

    after = analytics(client, admin_key, days=1)

    # Every figure moved by exactly what was sent ...
    assert after["totals"]["requests"] - before["totals"]["requests"] == traffic.requests
    assert after["totals"]["errors"] - before["totals"]["errors"] == traffic.errors
    groups_before = {g["group"]: g["requests"] for g in before["byGroup"]}
    moved = {
        g["group"]: g["requests"] - groups_before.get(g["group"], 0)
        for g in after["byGroup"]
        if g["requests"] != groups_before.get(g["group"], 0)
    }
    assert moved == dict(traffic.by_group)
    top_before, top_after = endpoints(before), endpoints(after)
    for endpoint, sent in traffic.by_endpoint.items():
        earlier = top_before.get(endpoint, {"requests": 0, "errors": 0})
        assert top_after[endpoint]["requests"] - earlier["requests"] == sent, endpoint
        assert (
            top_after[endpoint]["errors"] - earlier["errors"]
            == traffic.errors_by_endpoint[endpoint]
        ), endpoint
    assert after["topEndpoints"][0]["endpoint"] == STATUS[1]

    # ... and adds up within the answer.
    for report in (before, after):
        assert report["days"] == 1 and len(report["byDay"]) == 1
        assert report["totals"]["requests"] == today(report)["requests"]
        assert report["totals"]["requests"] == sum(g["requests"] for g in report["byGroup"])
        assert report["totals"]["errors"] == sum(g["errors"] for g in report["byGroup"])
        ranked = [(-e["requests"], e["endpoint"]) for e in report["topEndpoints"]]
        assert ranked == sorted(ranked) and len(ranked) <= 10

    # Active today, by tier: the new keys, their three sandboxes, and the admin.
    def moved_by_tier(figure: str) -> dict[str, int]:
        now, then = today(after)[figure], today(before)[figure]
        return {tier: now[tier] - then.get(tier, 0) for tier in ("free", "pro")}

    assert moved_by_tier("activeKeys") == {"free": 2, "pro": 2}
    assert moved_by_tier("activeSandboxes") == {"free": 2, "pro": 1}
    assert today(after)["activeKeys"]["admin"] == 1
    assert today(after)["activeSandboxes"]["admin"] == 1

    # The keys' own counters (read after `after`, so not in it) say the same.
    usages = []
    for key in developers:
        response = client.get(USAGE, headers=bearer(key["api_key"]), params={"days": 1})
        assert response.status_code == 200, response.text
        usages.append(response.json())
    developer_requests = sum(u["total_requests"] for u in usages)
    admin_requests = len(developers) + 1  # its key creations and `before`
    assert developer_requests + admin_requests == traffic.requests
    assert sum(u["total_errors"] for u in usages) == traffic.errors
    per_key_endpoints: Counter[str] = Counter()
    for usage in usages:
        per_key_endpoints.update({e["endpoint"]: e["requests"] for e in usage["by_endpoint"]})
    for endpoint, count in per_key_endpoints.items():
        earlier = top_before.get(endpoint, {"requests": 0})["requests"]
        assert top_after[endpoint]["requests"] - earlier == count, endpoint

    # `after` and the usage requests are counted now that they have answered.
    later = analytics(client, admin_key, days=1)
    assert later["totals"]["requests"] == after["totals"]["requests"] + 1 + len(developers)


def test_made_up_paths_are_counted_under_one_name_not_their_own(client, admin_key):
    developer = create_key(client, admin_key, Traffic(), tier="free")["api_key"]
    before = analytics(client, admin_key, days=1)
    made_up = ["/api/v1/sandbox/keys/a%2Fb", "/api/v1/sandbox/keys/c%2Fd%2Fe"]
    for path in made_up:
        assert client.get(path, headers=bearer(developer)).status_code == 404
    after = analytics(client, admin_key, days=1)
    unrouted = "GET (no route)"
    earlier = endpoints(before).get(unrouted, {"requests": 0, "errors": 0})
    assert endpoints(after)[unrouted]["requests"] - earlier["requests"] == 2
    assert endpoints(after)[unrouted]["errors"] - earlier["errors"] == 2
    assert not any("/a/b" in name or "/c/d" in name for name in endpoints(after))
    # The key's own view still shows what it asked for.
    usage = client.get(USAGE, headers=bearer(developer)).json()
    assert {e["endpoint"] for e in usage["by_endpoint"]} >= {
        "GET /api/v1/sandbox/keys/a/b",
        "GET /api/v1/sandbox/keys/c/d/e",
    }


def test_the_period_is_the_last_days_up_to_today(client, admin_key):
    month = analytics(client, admin_key)
    assert month["days"] == 30 and len(month["byDay"]) == 30
    assert month["byDay"][0]["date"] == month["periodStart"]
    assert month["byDay"][-1]["date"] == month["periodEnd"]
    assert analytics(client, admin_key, days=90)["days"] == 90
    assert set(month) >= {
        "scenarios",
        "deliveries",
        "creditsCharged",
        "keysCreated",
        "sandboxes",
        "signals",
        "jobFailures",
    }
    assert isinstance(month["creditsCharged"], str)


def test_a_developer_key_is_refused(client, admin_key):
    response = client.post(
        KEYS,
        json={"developer_name": "Dev", "developer_email": "dev@example.com"},
        headers=bearer(admin_key),
    )
    developer = response.json()["api_key"]
    refused = client.get(ANALYTICS, headers=bearer(developer))
    assert refused.status_code == 403
    assert refused.json()["success"] is False and refused.json()["code"] == "forbidden"


@pytest.mark.parametrize("days", ["0", "91", "-3", "week", "1.5"])
def test_days_outside_one_to_ninety_is_a_validation_error(client, admin_key, days):
    response = client.get(ANALYTICS, headers=bearer(admin_key), params={"days": days})
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["code"] == "validation_error"
    assert body["details"][0]["loc"] == ["query", "days"]
