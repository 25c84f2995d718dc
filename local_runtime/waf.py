"""The WAF web ACL's rate-based rules, applied per client IP in front of the API.

Only what rate-based rules need is implemented: the scope-down statements And/Or/Not,
SizeConstraint and ByteMatch over a header, the URI path, the query string or the method. A
rule using anything else is not enforced (logged at start-up), rather than enforced wrongly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

from local_runtime.messages import HttpRequest
from sandbox_common.usage_plans import retry_after_seconds

__all__ = [
    "IpRateLimiter",
    "RateRule",
    "UnsupportedStatement",
    "rate_rules",
    "statement_matches",
    "with_limit",
]

logger = logging.getLogger(__name__)

DEFAULT_WINDOW_SECONDS = 300  # WAF's EvaluationWindowSec default


class UnsupportedStatement(Exception):
    """A WAF statement the local runtime cannot evaluate."""


@dataclass(frozen=True)
class RateRule:
    """A blocking rate-based rule: at most ``limit`` requests per ``window`` s per client."""

    name: str
    priority: int
    limit: int
    window_seconds: int
    aggregate_key: str = "IP"
    scope_down: Mapping[str, Any] | None = None
    response_code: int | None = None


# ---------------------------------------------------------------- statements


def _field_value(field_to_match: Mapping[str, Any], request: HttpRequest) -> str:
    if "SingleHeader" in field_to_match:
        return request.header(str(field_to_match["SingleHeader"]["Name"])) or ""
    if "UriPath" in field_to_match:
        return request.path
    if "QueryString" in field_to_match:
        return request.query
    if "Method" in field_to_match:
        return request.method
    raise UnsupportedStatement(f"FieldToMatch {sorted(field_to_match)}")


def _transform(value: str, transformations: Any) -> str:
    for step in sorted(transformations or [], key=lambda t: int(t.get("Priority", 0))):
        kind = step.get("Type", "NONE")
        if kind == "NONE":
            continue
        if kind == "LOWERCASE":
            value = value.lower()
        elif kind == "URL_DECODE":
            value = unquote(value)
        elif kind == "COMPRESS_WHITE_SPACE":
            value = " ".join(value.split())
        else:
            raise UnsupportedStatement(f"TextTransformation {kind}")
    return value


_COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    "EQ": lambda a, b: a == b,
    "NE": lambda a, b: a != b,
    "LE": lambda a, b: a <= b,
    "LT": lambda a, b: a < b,
    "GE": lambda a, b: a >= b,
    "GT": lambda a, b: a > b,
}

_POSITIONS: dict[str, Callable[[str, str], bool]] = {
    "EXACTLY": lambda value, search: value == search,
    "STARTS_WITH": lambda value, search: value.startswith(search),
    "ENDS_WITH": lambda value, search: value.endswith(search),
    "CONTAINS": lambda value, search: search in value,
    "CONTAINS_WORD": lambda value, search: search in value.replace(",", " ").split(),
}


def statement_matches(statement: Mapping[str, Any], request: HttpRequest) -> bool:
    """Whether a WAF statement matches the request."""
    if "AndStatement" in statement:
        return all(statement_matches(s, request) for s in statement["AndStatement"]["Statements"])
    if "OrStatement" in statement:
        return any(statement_matches(s, request) for s in statement["OrStatement"]["Statements"])
    if "NotStatement" in statement:
        return not statement_matches(statement["NotStatement"]["Statement"], request)
    if "SizeConstraintStatement" in statement:
        spec = statement["SizeConstraintStatement"]
        value = _transform(
            _field_value(spec["FieldToMatch"], request), spec.get("TextTransformations")
        )
        operator = _COMPARISONS.get(str(spec["ComparisonOperator"]))
        if operator is None:
            raise UnsupportedStatement(f"ComparisonOperator {spec['ComparisonOperator']}")
        return operator(len(value.encode("utf-8")), int(spec["Size"]))
    if "ByteMatchStatement" in statement:
        spec = statement["ByteMatchStatement"]
        value = _transform(
            _field_value(spec["FieldToMatch"], request), spec.get("TextTransformations")
        )
        position = _POSITIONS.get(str(spec.get("PositionalConstraint", "CONTAINS")))
        if position is None:
            raise UnsupportedStatement(f"PositionalConstraint {spec['PositionalConstraint']}")
        return position(value, str(spec["SearchString"]))
    raise UnsupportedStatement(f"statement {sorted(statement)}")


def _check_supported(statement: Mapping[str, Any]) -> None:
    # Evaluate once against an empty request: raises for anything unsupported.
    statement_matches(statement, HttpRequest(method="GET", path="/"))
    for kind in ("AndStatement", "OrStatement"):
        for inner in statement.get(kind, {}).get("Statements", []):
            _check_supported(inner)
    if "NotStatement" in statement:
        _check_supported(statement["NotStatement"]["Statement"])


def rate_rules(web_acl: Mapping[str, Any]) -> list[RateRule]:
    """The blocking rate-based rules of a resolved `AWS::WAFv2::WebACL`, by priority."""
    rules: list[RateRule] = []
    for rule in web_acl.get("Rules") or []:
        name = str(rule.get("Name", "unnamed"))
        rate = (rule.get("Statement") or {}).get("RateBasedStatement")
        action = rule.get("Action") or {}
        if rate is None or "Block" not in action:
            logger.info("WAF rule %s is not a blocking rate-based rule: not enforced", name)
            continue
        aggregate = str(rate.get("AggregateKeyType", "IP"))
        scope_down = rate.get("ScopeDownStatement")
        try:
            if aggregate not in ("IP", "FORWARDED_IP", "CONSTANT"):
                raise UnsupportedStatement(f"AggregateKeyType {aggregate}")
            if scope_down:
                _check_supported(scope_down)
        except (UnsupportedStatement, KeyError) as exc:
            logger.warning("WAF rule %s is not enforced locally: %s", name, exc)
            continue
        custom = (action["Block"] or {}).get("CustomResponse") or {}
        rules.append(
            RateRule(
                name=name,
                priority=int(rule.get("Priority", 0)),
                limit=int(rate["Limit"]),
                window_seconds=int(rate.get("EvaluationWindowSec", DEFAULT_WINDOW_SECONDS)),
                aggregate_key=aggregate,
                scope_down=scope_down,
                response_code=int(custom["ResponseCode"]) if "ResponseCode" in custom else None,
            )
        )
    return sorted(rules, key=lambda r: r.priority)


def with_limit(rules: list[RateRule], limit: int | None) -> list[RateRule]:
    """The rules with their limit replaced, for local use: ``None`` keeps the template's,
    ``0`` drops every rule, N allows N requests per client per each rule's own window."""
    if limit is None:
        return rules
    if limit < 0:
        raise ValueError("the per-IP limit must be 0 (no limit) or positive")
    return [replace(rule, limit=limit) for rule in rules] if limit else []


# ---------------------------------------------------------------- limiter


@dataclass(frozen=True)
class IpBlock:
    """A request blocked by a rate rule, and when the client may try again."""

    rule: RateRule
    retry_after: int


class IpRateLimiter:
    """Sliding windows per client per rule; only requests that get through are counted."""

    def __init__(self, rules: list[RateRule], clock: Callable[[], float] = time.time) -> None:
        self.rules = rules
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], deque[float]] = {}

    @staticmethod
    def _client(rule: RateRule, request: HttpRequest) -> str:
        if rule.aggregate_key == "CONSTANT":
            return "*"
        if rule.aggregate_key == "FORWARDED_IP":
            forwarded = request.header("x-forwarded-for")
            if forwarded:
                return forwarded.split(",")[0].strip()
        return request.source_ip

    def check(self, request: HttpRequest) -> IpBlock | None:
        """Count the request against every rule it falls under; the first block wins."""
        applicable = [
            rule
            for rule in self.rules
            if rule.scope_down is None or statement_matches(rule.scope_down, request)
        ]
        if not applicable:
            return None
        now = self._clock()
        with self._lock:
            windows = []
            for rule in applicable:
                window = self._windows.setdefault((rule.name, self._client(rule, request)), deque())
                while window and window[0] <= now - rule.window_seconds:
                    window.popleft()
                if len(window) >= rule.limit:
                    wait = window[0] + rule.window_seconds - now
                    return IpBlock(rule, retry_after_seconds(wait))
                windows.append(window)
            for window in windows:
                window.append(now)
        return None
