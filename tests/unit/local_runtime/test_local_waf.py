"""The WAF rate-based rule on keyless requests, per client IP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from local_runtime.messages import HttpRequest
from local_runtime.template import Template
from local_runtime.waf import IpRateLimiter, RateRule, rate_rules, statement_matches, with_limit

ROOT = Path(__file__).resolve().parents[3]


def real_rules() -> list[RateRule]:
    template = Template.from_file(ROOT / "template.yaml", {"AdminApiKey": "sk_sandbox_" + "d" * 30})
    return rate_rules(template.resources["PublicIpRateLimit"].properties)


def keyless(ip: str = "10.0.0.1", **headers: str) -> HttpRequest:
    return HttpRequest(
        method="GET",
        path="/health",
        headers=[(k.replace("_", "-"), v) for k, v in headers.items()],
        source_ip=ip,
    )


def test_real_template_rule_is_67_requests_per_600_seconds_per_ip() -> None:
    (rule,) = real_rules()

    assert (rule.name, rule.limit, rule.window_seconds, rule.aggregate_key) == (
        "public-routes-per-ip",
        67,
        600,
        "IP",
    )
    assert rule.response_code == 429


def test_scope_down_matches_only_requests_without_a_key_header() -> None:
    (rule,) = real_rules()
    assert rule.scope_down is not None

    assert statement_matches(rule.scope_down, keyless())
    assert statement_matches(rule.scope_down, keyless(authorization=""))
    assert not statement_matches(rule.scope_down, keyless(authorization="Bearer k"))
    assert not statement_matches(rule.scope_down, keyless(x_api_key="k"))


def test_limit_is_enforced_per_ip_with_retry_after_until_oldest_request_leaves(clock: Any) -> None:
    rule = RateRule("r", 0, limit=3, window_seconds=60)
    limiter = IpRateLimiter([rule], clock)

    assert limiter.check(keyless()) is None
    clock.advance(10)
    assert limiter.check(keyless()) is None
    assert limiter.check(keyless()) is None
    blocked = limiter.check(keyless())

    assert blocked is not None and blocked.retry_after == 50
    assert limiter.check(keyless("10.0.0.2")) is None  # another client has its own window


def test_window_slides_so_a_request_is_allowed_once_the_oldest_expires(clock: Any) -> None:
    limiter = IpRateLimiter([RateRule("r", 0, limit=2, window_seconds=60)], clock)
    limiter.check(keyless())
    clock.advance(30)
    limiter.check(keyless())

    clock.advance(29.5)
    assert limiter.check(keyless()) is not None
    clock.advance(0.5)
    assert limiter.check(keyless()) is None


def test_requests_outside_the_scope_down_are_neither_counted_nor_blocked(clock: Any) -> None:
    (rule,) = real_rules()
    limiter = IpRateLimiter([rule], clock)

    for _ in range(200):
        assert limiter.check(keyless(x_api_key="sk_sandbox_k")) is None
    for _ in range(67):
        assert limiter.check(keyless()) is None
    blocked = limiter.check(keyless())

    assert blocked is not None and blocked.retry_after == 600


def test_rules_with_unsupported_statements_are_skipped() -> None:
    acl = {
        "Rules": [
            {
                "Name": "geo",
                "Action": {"Block": {}},
                "Statement": {
                    "RateBasedStatement": {
                        "Limit": 10,
                        "AggregateKeyType": "IP",
                        "ScopeDownStatement": {"GeoMatchStatement": {"CountryCodes": ["US"]}},
                    }
                },
            },
            {
                "Name": "count-only",
                "Action": {"Count": {}},
                "Statement": {"RateBasedStatement": {"Limit": 5}},
            },
        ]
    }

    assert rate_rules(acl) == []


def test_a_local_limit_replaces_the_rule_limit_and_keeps_its_window_and_scope(
    clock: Any,
) -> None:
    (rule,) = with_limit(real_rules(), 2)
    limiter = IpRateLimiter([rule], clock)

    statuses = [limiter.check(keyless()) is None for _ in range(3)]

    assert (rule.limit, rule.window_seconds) == (2, 600)
    assert statuses == [True, True, False]
    assert limiter.check(keyless(authorization="Bearer k")) is None  # keyed: out of scope


def test_a_local_limit_of_zero_drops_every_rule_and_none_keeps_the_template_s() -> None:
    rules = real_rules()

    assert with_limit(rules, 0) == []
    assert with_limit(rules, None) == rules


def test_a_negative_local_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="0 \\(no limit\\) or positive"):
        with_limit(real_rules(), -1)
