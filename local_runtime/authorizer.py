"""Lambda authorizers as API Gateway runs them: identity sources, result cache, policy check."""

from __future__ import annotations

import enum
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from local_runtime.events import (
    ApiInfo,
    RequestIdentity,
    build_request_authorizer_event,
    build_token_authorizer_event,
    method_arn,
)
from local_runtime.messages import HttpRequest
from local_runtime.routing import RouteMatch
from local_runtime.template import TemplateError

__all__ = [
    "AuthDecision",
    "AuthResult",
    "AuthorizerCache",
    "AuthorizerConfig",
    "LambdaAuthorizer",
    "MalformedAuthorizerResult",
    "arn_matches",
    "evaluate_policy",
]

logger = logging.getLogger(__name__)

# SAM's default ReauthorizeEvery when the template does not set it.
DEFAULT_TTL_SECONDS = 300


class MalformedAuthorizerResult(Exception):
    """The authorizer returned something API Gateway would refuse (a 500 for the caller)."""


class AuthDecision(enum.Enum):
    """What API Gateway does with the request after the authorizer."""

    ALLOW = "allow"
    UNAUTHORIZED = "unauthorized"  # 401, UNAUTHORIZED
    DENIED = "denied"  # 403, ACCESS_DENIED
    FAILURE = "failure"  # 500, AUTHORIZER_FAILURE


@dataclass(frozen=True)
class AuthResult:
    """The authorizer's verdict for one request."""

    decision: AuthDecision
    principal_id: str | None = None
    context: Mapping[str, str] = field(default_factory=dict)
    usage_identifier_key: str | None = None
    message: str = ""

    def request_context(self, latency_ms: int = 0) -> dict[str, Any]:
        """`requestContext.authorizer` of the proxy event."""
        return {**self.context, "principalId": self.principal_id, "integrationLatency": latency_ms}


@dataclass(frozen=True)
class AuthorizerConfig:
    """One entry of the Api's `Auth.Authorizers`, resolved."""

    name: str
    function_id: str
    payload_type: str = "TOKEN"
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    token_header: str = "Authorization"
    validation_expression: str | None = None
    headers: tuple[str, ...] = ()
    query_strings: tuple[str, ...] = ()
    context_variables: tuple[str, ...] = ()
    stage_variables: tuple[str, ...] = ()

    @classmethod
    def from_sam(cls, name: str, spec: Mapping[str, Any], function_id: str) -> AuthorizerConfig:
        """Build from a resolved SAM Lambda authorizer (`FunctionArn` already mapped)."""
        payload_type = str(spec.get("FunctionPayloadType", "TOKEN")).upper()
        if payload_type not in ("TOKEN", "REQUEST"):
            raise TemplateError(f"authorizer {name}: FunctionPayloadType {payload_type}")
        identity = spec.get("Identity") or {}
        ttl = int(identity.get("ReauthorizeEvery", DEFAULT_TTL_SECONDS))
        if payload_type == "TOKEN":
            return cls(
                name=name,
                function_id=function_id,
                payload_type=payload_type,
                ttl_seconds=ttl,
                token_header=str(identity.get("Header", "Authorization")),
                validation_expression=identity.get("ValidationExpression"),
            )
        return cls(
            name=name,
            function_id=function_id,
            payload_type=payload_type,
            ttl_seconds=ttl,
            headers=tuple(identity.get("Headers") or ()),
            query_strings=tuple(identity.get("QueryStrings") or ()),
            context_variables=tuple(identity.get("Context") or ()),
            stage_variables=tuple(identity.get("StageVariables") or ()),
        )


# ---------------------------------------------------------------- policy


@lru_cache(maxsize=1024)
def _arn_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), re.DOTALL)


def arn_matches(pattern: str, arn: str) -> bool:
    """IAM resource matching: `*` any run of characters, `?` exactly one."""
    return _arn_pattern(pattern).fullmatch(arn) is not None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _action_matches(action: Any) -> bool:
    return any(arn_matches(str(a).lower(), "execute-api:invoke") for a in _as_list(action))


def evaluate_policy(policy: Any, arn: str) -> bool:
    """Whether the policy allows invoking ``arn``: an Allow matches and no Deny matches."""
    if not isinstance(policy, dict):
        raise MalformedAuthorizerResult("policyDocument is not an object")
    statements = policy.get("Statement")
    if statements is None:
        raise MalformedAuthorizerResult("policyDocument has no Statement")
    allowed = False
    for statement in _as_list(statements):
        if not isinstance(statement, dict) or "Effect" not in statement:
            raise MalformedAuthorizerResult("a policy statement has no Effect")
        if "Resource" not in statement or "Action" not in statement:
            raise MalformedAuthorizerResult("a policy statement lacks Action or Resource")
        if not _action_matches(statement["Action"]):
            continue
        if not any(arn_matches(str(r), arn) for r in _as_list(statement["Resource"])):
            continue
        effect = str(statement["Effect"])
        if effect == "Deny":
            return False
        if effect == "Allow":
            allowed = True
        else:
            raise MalformedAuthorizerResult(f"policy Effect {effect!r}")
    return allowed


def _context_value(value: Any) -> str:
    # API Gateway accepts only primitives and hands them to the integration as strings.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedAuthorizerResult(f"context value {value!r} is not a string, number or bool")


@dataclass(frozen=True)
class _Grant:
    """A validated authorizer result: what the cache keeps."""

    principal_id: str
    policy: dict[str, Any]
    context: dict[str, str]
    usage_identifier_key: str | None

    @classmethod
    def parse(cls, result: Any) -> _Grant:
        if not isinstance(result, dict):
            raise MalformedAuthorizerResult(f"result is {type(result).__name__}, not an object")
        principal = result.get("principalId")
        if principal is None or isinstance(principal, dict | list):
            raise MalformedAuthorizerResult("result has no principalId")
        policy = result.get("policyDocument")
        evaluate_policy(policy, "")  # validates the shape
        context = result.get("context") or {}
        if not isinstance(context, dict):
            raise MalformedAuthorizerResult("context is not an object")
        key = result.get("usageIdentifierKey")
        if key is not None and not isinstance(key, str):
            raise MalformedAuthorizerResult("usageIdentifierKey is not a string")
        return cls(
            principal_id=str(principal),
            policy=policy,  # type: ignore[arg-type]
            context={str(k): _context_value(v) for k, v in context.items()},
            usage_identifier_key=key,
        )

    def decide(self, arn: str) -> AuthResult:
        if evaluate_policy(self.policy, arn):
            return AuthResult(
                AuthDecision.ALLOW, self.principal_id, self.context, self.usage_identifier_key
            )
        return AuthResult(
            AuthDecision.DENIED,
            self.principal_id,
            message="User is not authorized to access this resource with an explicit deny",
        )


# ---------------------------------------------------------------- cache


class AuthorizerCache:
    """Authorizer results by identity-source values, each kept for the authorizer's TTL."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[tuple[str, ...], tuple[float, _Grant]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> _Grant | None:
        """The cached result, if still fresh."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, grant = entry
            if self._clock() >= expires:
                del self._entries[key]
                return None
            return grant

    def put(self, key: tuple[str, ...], grant: _Grant, ttl_seconds: int) -> None:
        """Keep a result for ``ttl_seconds``."""
        with self._lock:
            self._entries[key] = (self._clock() + ttl_seconds, grant)


# ---------------------------------------------------------------- authorizer


class LambdaAuthorizer:
    """Runs one Lambda authorizer for a request, with API Gateway's cache and policy check."""

    def __init__(
        self,
        config: AuthorizerConfig,
        invoke: Callable[[dict[str, Any]], Any],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._invoke = invoke
        self.cache = AuthorizerCache(clock)

    def _identity_values(self, request: HttpRequest) -> list[str | None]:
        config = self.config
        if config.payload_type == "TOKEN":
            return [request.header(config.token_header)]
        context = {"identity.sourceIp": request.source_ip, "httpMethod": request.method}
        query = dict(parse_qsl(request.query, keep_blank_values=True))
        return [
            *(request.header(name) for name in config.headers),
            *(query.get(name) for name in config.query_strings),
            *(context.get(name) for name in config.context_variables),
            *(None for _ in config.stage_variables),  # the local API has no stage variables
        ]

    def authorize(
        self, request: HttpRequest, match: RouteMatch, api: ApiInfo, identity: RequestIdentity
    ) -> AuthResult:
        """Authorize a routed request."""
        config = self.config
        values = self._identity_values(request)
        missing = any(not v for v in values)
        caching = config.ttl_seconds > 0
        if config.payload_type == "TOKEN":
            token = values[0]
            if not token:
                return AuthResult(AuthDecision.UNAUTHORIZED, message="Unauthorized")
            expression = config.validation_expression
            if expression and not re.fullmatch(expression, token):
                return AuthResult(AuthDecision.UNAUTHORIZED, message="Unauthorized")
        elif caching and missing:
            # API Gateway demands every identity source of a caching authorizer and answers
            # 401 without calling the function when one is absent.
            return AuthResult(AuthDecision.UNAUTHORIZED, message="Unauthorized")
        arn = method_arn(api, request.method, request.path)
        cache_key = tuple(v or "" for v in values)
        if caching:
            cached = self.cache.get(cache_key)
            if cached is not None:
                return cached.decide(arn)
        if config.payload_type == "TOKEN":
            event = build_token_authorizer_event(request, api, values[0] or "")
        else:
            event = build_request_authorizer_event(request, match, api, identity)
        try:
            result = self._invoke(event)
        except Exception as exc:
            if str(exc) == "Unauthorized":
                return AuthResult(AuthDecision.UNAUTHORIZED, message="Unauthorized")
            logger.exception("authorizer %s failed", config.name)
            return AuthResult(AuthDecision.FAILURE, message="Internal server error")
        try:
            grant = _Grant.parse(result)
            decision = grant.decide(arn)
        except MalformedAuthorizerResult as exc:
            logger.error("authorizer %s returned a malformed result: %s", config.name, exc)
            return AuthResult(AuthDecision.FAILURE, message="Internal server error")
        if caching:
            self.cache.put(cache_key, grant, config.ttl_seconds)
        return decision
