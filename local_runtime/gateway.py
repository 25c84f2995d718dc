"""The request pipeline API Gateway runs, in its order.

WAF rate rules → route (404 / 405) → Lambda authorizer → API key → throttle → quota →
proxy event → function → proxy response (+ quota headers). Each refusal is the template's
gateway response of the matching type.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from local_runtime.api import ApiDefinition
from local_runtime.apikeys import ApiKeyDirectory, KeyStatus
from local_runtime.authorizer import AuthDecision, AuthResult, LambdaAuthorizer
from local_runtime.events import (
    MalformedProxyResponse,
    RequestIdentity,
    build_proxy_event,
    parse_proxy_response,
)
from local_runtime.functions import LambdaFunction
from local_runtime.limits import UsagePlanEnforcer
from local_runtime.messages import HttpRequest, HttpResponse
from local_runtime.responses import DEFAULTS, ErrorContext, envelope
from local_runtime.routing import MethodNotAllowed, RouteMatch
from local_runtime.waf import IpRateLimiter

__all__ = ["MAX_PAYLOAD_BYTES", "Gateway", "Outcome", "caller_key_id"]

logger = logging.getLogger("local_runtime.access")
error_logger = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's request payload limit

_AUTH_RESPONSE_TYPES = {
    AuthDecision.UNAUTHORIZED: "UNAUTHORIZED",
    AuthDecision.DENIED: "ACCESS_DENIED",
    AuthDecision.FAILURE: "AUTHORIZER_FAILURE",
}


@dataclass(frozen=True)
class Outcome:
    """A handled request: the response and what the access log says about it.

    ``key_id`` is API Gateway's id of the API key metered (``identity.apiKeyId``);
    ``caller`` is the caller as the authorizer named it, the key id the answers show.
    """

    response: HttpResponse
    request_id: str
    key_id: str | None = None
    caller: str | None = None


@dataclass
class _Trace:
    """What the pipeline learned about a request before it answered or was refused."""

    key_id: str | None = None
    caller: str | None = None


def caller_key_id(auth: AuthResult | None) -> str | None:
    """The caller's key id from the authorizer: its context's ``key_id``, else the principal.

    This is the id API answers show (``sbx_…``), unlike API Gateway's internal API key id.
    """
    if auth is None:
        return None
    return auth.context.get("key_id") or auth.principal_id


class _Refusal(Exception):
    """Stops the pipeline with a response."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status)
        self.response = response


class Gateway:
    """Plays API Gateway for one REST API stage, in-process."""

    def __init__(
        self,
        api: ApiDefinition,
        functions: Mapping[str, LambdaFunction],
        keys: ApiKeyDirectory,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.api = api
        self.functions = functions
        self.keys = keys
        self.clock = clock
        self.enforcer = UsagePlanEnforcer(clock)
        self.ip_limiter = IpRateLimiter(api.ip_rules, clock) if api.ip_rules else None
        self.authorizers = {
            name: LambdaAuthorizer(config, functions[config.function_id].invoke, clock)
            for name, config in api.authorizers.items()
        }

    # ---------------------------------------------------------------- responses

    def gateway_response(
        self,
        response_type: str,
        request: HttpRequest,
        request_id: str,
        *,
        message: str | None = None,
        status: int | None = None,
    ) -> HttpResponse:
        """The template's response of ``response_type`` for this request."""
        context = ErrorContext(
            request_id=request_id,
            response_type=response_type,
            message=message or DEFAULTS.get(response_type, (0, "Internal server error"))[1],
            request=request,
            stage=self.api.info.stage,
            api_id=self.api.info.api_id,
        )
        response = self.api.gateway_responses.render(response_type, context, status)
        response.set_header("x-amzn-RequestId", request_id)
        return response

    def too_large(self, request: HttpRequest) -> HttpResponse:
        """413 for a body over API Gateway's payload limit (not read by the server)."""
        request_id = str(uuid.uuid4())
        response = self.gateway_response("REQUEST_TOO_LARGE", request, request_id)
        self._log(request, response, request_id, None, 0.0)
        return response

    # ---------------------------------------------------------------- pipeline

    def handle(self, request: HttpRequest) -> Outcome:
        """Answer one request as API Gateway and the function would."""
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        trace = _Trace()
        try:
            response = self._pipeline(request, request_id, trace)
        except _Refusal as refusal:
            response = refusal.response
        except Exception:
            error_logger.exception("local runtime error on %s %s", request.method, request.path)
            response = envelope(500, "Internal server error", "internal_error", request_id)
            response.set_header("x-amzn-RequestId", request_id)
        elapsed_ms = (time.perf_counter() - started) * 1000
        self._log(request, response, request_id, trace.caller, elapsed_ms)
        return Outcome(response, request_id, trace.key_id, trace.caller)

    def _log(
        self,
        request: HttpRequest,
        response: HttpResponse,
        request_id: str,
        caller: str | None,
        elapsed_ms: float,
    ) -> None:
        # One line per request, refusals included; `key` is the caller's key id as the API's
        # answers show it (`-`: no key, or one the authorizer did not accept).
        logger.info(
            "%s %s %d %.1fms key=%s id=%s",
            request.method,
            request.path,
            response.status,
            elapsed_ms,
            caller or "-",
            request_id,
        )

    def _refuse(
        self,
        response_type: str,
        request: HttpRequest,
        request_id: str,
        message: str | None = None,
    ) -> _Refusal:
        return _Refusal(self.gateway_response(response_type, request, request_id, message=message))

    def _pipeline(self, request: HttpRequest, request_id: str, trace: _Trace) -> HttpResponse:
        if len(request.body) > MAX_PAYLOAD_BYTES:
            raise self._refuse("REQUEST_TOO_LARGE", request, request_id)
        now = self.clock()
        if self.ip_limiter is not None:
            block = self.ip_limiter.check(request)
            if block is not None:
                response = self.gateway_response(
                    "WAF_FILTERED", request, request_id, status=block.rule.response_code
                )
                response.set_header("Retry-After", str(block.retry_after))
                raise _Refusal(response)

        match = self.api.router.match(request.method, request.path)
        if match is None:
            raise self._refuse("MISSING_AUTHENTICATION_TOKEN", request, request_id)
        if isinstance(match, MethodNotAllowed):
            response = envelope(405, "Method not allowed", "method_not_allowed", request_id)
            response.set_header("Allow", ", ".join(match.allowed))
            response.set_header("x-amzn-RequestId", request_id)
            raise _Refusal(response)

        route = match.route
        auth = self._authorize(request, match, request_id, now)
        trace.caller = caller_key_id(auth)  # a throttled or refused key is still named
        identity = RequestIdentity(
            request_id=request_id,
            request_time=now,
            authorizer=auth.request_context() if auth is not None else None,
        )
        limit_headers: dict[str, str] = {}
        if route.api_key_required:
            if self.api.api_key_source == "AUTHORIZER":
                key_value = auth.usage_identifier_key if auth is not None else None
            else:
                key_value = request.header("x-api-key")
            trace.key_id, limit_headers = self._meter(key_value, request, request_id)
            identity = replace(identity, api_key=key_value, api_key_id=trace.key_id)

        response = self._integrate(request, match, identity)
        # A function that reports the quota itself (as it must in AWS) keeps its own figures;
        # mixing its headers with ours could describe two different counters.
        if not any(response.header(name) is not None for name in limit_headers):
            response.headers.extend(limit_headers.items())
        response.set_header("x-amzn-RequestId", request_id)
        return response

    def _authorize(
        self, request: HttpRequest, match: RouteMatch, request_id: str, now: float
    ) -> AuthResult | None:
        name = match.route.authorizer
        if name is None:
            return None
        identity = RequestIdentity(request_id=request_id, request_time=now)
        result = self.authorizers[name].authorize(request, match, self.api.info, identity)
        if result.decision is AuthDecision.ALLOW:
            return result
        raise self._refuse(
            _AUTH_RESPONSE_TYPES[result.decision], request, request_id, message=result.message
        )

    def _meter(
        self, key_value: str | None, request: HttpRequest, request_id: str
    ) -> tuple[str, dict[str, str]]:
        """Validate the key against its usage plan, then throttle and count it."""
        lookup = self.keys.lookup(key_value) if key_value else None
        if lookup is None or lookup.status is not KeyStatus.OK:
            raise self._refuse("INVALID_API_KEY", request, request_id)
        assert lookup.key_id and lookup.plan_id and lookup.limits
        decision = self.enforcer.check(lookup.key_id, lookup.plan_id, lookup.limits)
        if not decision.allowed:
            assert decision.response_type is not None
            response = self.gateway_response(decision.response_type, request, request_id)
            response.set_header("Retry-After", str(decision.retry_after))
            for name, value in decision.headers.items():
                response.set_header(name, value)
            raise _Refusal(response)
        return lookup.key_id, decision.headers

    def _integrate(
        self, request: HttpRequest, match: RouteMatch, identity: RequestIdentity
    ) -> HttpResponse:
        function = self.functions[match.route.function_id]
        event = build_proxy_event(request, match, self.api.info, identity)
        try:
            result = function.invoke(event)
            return parse_proxy_response(result)
        except MalformedProxyResponse as exc:
            error_logger.error(
                "%s returned a malformed proxy response: %s", function.spec.logical_id, exc
            )
        except Exception:
            error_logger.exception("%s raised", function.spec.logical_id)
        # A failed or malformed Lambda proxy integration is a 502 in API Gateway.
        return self.gateway_response(
            "DEFAULT_5XX", request, identity.request_id, message="Internal server error", status=502
        )
