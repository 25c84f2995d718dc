"""The FastAPI app factory and Mangum handler every HTTP function uses.

One place maps domain exceptions, validation failures, unknown routes and crashes onto the
error envelope, counts each request for usage analytics, and sets the rate-limit headers.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox_common.errors import PayloadTooLarge, SandboxError
from sandbox_common.http.auth import optional_auth_context, request_id_of
from sandbox_common.http.envelope import error_body
from sandbox_common.observability import (
    emit_request_metrics,
    get_logger,
    per_request_log_keys,
)

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]

# Starlette's own refusals; 400 is a body that could not be parsed (invalid UTF-8, JSON
# nested past the parser's limit), which is a validation failure like invalid JSON.
_STATUS_CODES = {
    400: "validation_error",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}


def create_app(service: str, *, title: str, description: str = "") -> FastAPI:
    """A FastAPI app with the project's envelope, request accounting and no own docs routes.

    The docs group serves one merged OpenAPI document, so per-function docs are off.
    Settings are read on the first request, not here: pydantic-settings costs cold start.
    """
    app = FastAPI(
        title=title,
        description=description,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # A redirect would carry the function's view of the URL, without the API Gateway
        # stage: the client would be sent to a path that does not exist.
        redirect_slashes=False,
    )
    app.add_middleware(_IgnoreTrailingSlash)
    logger = get_logger(service)

    def openapi() -> dict[str, Any]:
        # The real error answers, not FastAPI's 422 (imported here: only `make openapi` asks).
        from sandbox_common.http.openapi import describe

        return describe(app)

    app.openapi = openapi  # type: ignore[method-assign]

    def envelope(request: Request, status: int, message: str, code: str, **extra: Any) -> Response:
        body = error_body(message=message, code=code, request_id=request_id_of(request), **extra)
        return JSONResponse(body, status_code=status)

    @app.exception_handler(SandboxError)
    async def _domain_error(request: Request, exc: SandboxError) -> Response:
        return envelope(request, exc.status_code, exc.message, exc.code, details=exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"loc": list(error.get("loc", ())), "msg": error.get("msg"), "type": error.get("type")}
            for error in exc.errors()
        ]
        return envelope(
            request, 400, "Request validation failed", "validation_error", details=details
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = _STATUS_CODES.get(exc.status_code, "client_error")
        message = "Route not found" if exc.status_code == 404 else str(exc.detail)
        return envelope(request, exc.status_code, message, code)

    @app.middleware("http")
    async def _account(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        try:
            await _reject_oversized(request)
            response = await call_next(request)
        except SandboxError as exc:
            response = envelope(request, exc.status_code, exc.message, exc.code)
        except Exception:
            logger.exception("unhandled error", extra={"path": request.url.path})
            response = envelope(request, 500, "Internal server error", "internal_error")
        latency_ms = (time.perf_counter() - started) * 1000
        _account_request(request, response, latency_ms, service)
        return response

    return app


def make_handler(app: FastAPI, service: str) -> LambdaHandler:
    """The Lambda entry point: Mangum around the app, logs correlated by API Gateway request id."""
    from aws_lambda_powertools.logging import correlation_paths
    from mangum import Mangum

    asgi_handler = Mangum(app, lifespan="off")
    logger = get_logger(service)
    # The app module has loaded: resume garbage collection if it paused it (init_phase).
    init_phase = sys.modules.get("sandbox_common.init_phase")
    if init_phase is not None:
        init_phase.finished()

    @per_request_log_keys(logger, correlation_id_path=correlation_paths.API_GATEWAY_REST)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        response: dict[str, Any] = asgi_handler(event, context)
        return response

    return handler


async def _reject_oversized(request: Request) -> None:
    """413 for a body over the limit, measured on the body itself whatever its framing.

    A chunked request has no Content-Length, so the header alone let any size through.
    Under Lambda the body is already in memory (it came in the event); Starlette keeps what
    is read here for the route.
    """
    from sandbox_common.config import get_settings

    limit = get_settings().max_body_bytes
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise PayloadTooLarge(f"Request body exceeds {limit} bytes")
    if len(await request.body()) > limit:
        raise PayloadTooLarge(f"Request body exceeds {limit} bytes")


class _IgnoreTrailingSlash:
    """Serve ``/path/`` as ``/path``: API Gateway routes both to the same resource."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            # In place, not a copy: the accounting middleware outside reads the route that
            # routing records in this same scope (a copy left it counting the raw path).
            scope["path"] = path.rstrip("/") or "/"
            raw_path = scope.get("raw_path")
            if raw_path:
                scope["raw_path"] = raw_path.rstrip(b"/") or b"/"
        await self.app(scope, receive, send)


def _account_request(request: Request, response: Response, latency_ms: float, service: str) -> None:
    """Count the request against the caller's key and the project, and set the quota headers.

    Accounting must never turn a good response into an error, so failures are logged only.
    """
    from sandbox_common.usage import accounting

    emit_request_metrics(service, status=response.status_code, latency_ms=latency_ms)
    try:
        caller = optional_auth_context(request)
    except SandboxError:
        caller = None
    if caller is None:
        return
    route = request.scope.get("route")
    endpoint = f"{request.method} {getattr(route, 'path', request.url.path)}"
    try:
        headers = accounting.account_request(
            caller,
            endpoint,
            response.status_code,
            latency_ms,
            group=service,
            routed=route is not None,
        )
    except Exception:
        get_logger(service).exception("usage accounting failed", extra={"endpoint": endpoint})
        return
    for name, value in headers.items():
        response.headers.setdefault(name, value)
