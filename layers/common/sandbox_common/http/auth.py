"""FastAPI dependencies for the request's identity and id (from the API Gateway event)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from sandbox_common.auth import AuthContext

# The gateway's authorizer checks the key before a function runs; a function only reads the
# identity it established. These two schemes declare, in the OpenAPI document, that a keyed
# route takes the key in either header (two requirements: either one is enough).
_BEARER = HTTPBearer(
    scheme_name="bearerKey",
    description="The sandbox key: `Authorization: Bearer sk_sandbox_...`",
    auto_error=False,
)
_API_KEY_HEADER = APIKeyHeader(
    name="x-api-key",
    scheme_name="apiKeyHeader",
    description="The sandbox key in the `x-api-key` header",
    auto_error=False,
)


def api_gateway_event(request: Request) -> dict[str, Any]:
    """The API Gateway proxy event Mangum put in the ASGI scope (empty outside Lambda)."""
    event = request.scope.get("aws.event")
    return event if isinstance(event, dict) else {}


def _request_context(request: Request) -> dict[str, Any]:
    context = api_gateway_event(request).get("requestContext")
    return context if isinstance(context, dict) else {}


def request_id_of(request: Request) -> str:
    """API Gateway's request id, which is also the logs' correlation id."""
    cached = request.scope.get("sandbox.request_id")
    if cached:
        return str(cached)
    request_id = str(_request_context(request).get("requestId") or uuid.uuid4())
    request.scope["sandbox.request_id"] = request_id
    return request_id


def optional_auth_context(request: Request) -> AuthContext | None:
    """The caller's identity, or None on a public route."""
    context = _request_context(request).get("authorizer")
    if not context or not context.get("key_id"):
        return None
    return AuthContext.from_authorizer_context(context)


async def auth_context(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)] = None,
    _api_key: Annotated[str | None, Security(_API_KEY_HEADER)] = None,
) -> AuthContext:
    """The caller's identity from the authorizer context; 401 if the route had none.

    ``async`` only so FastAPI runs it inline instead of in a worker thread: it does no I/O.
    The key parameters are the OpenAPI declaration above; the authorizer already used them.
    """
    return AuthContext.from_authorizer_context(_request_context(request).get("authorizer"))


Caller = Annotated[AuthContext, Depends(auth_context)]


async def admin_context(caller: Caller) -> AuthContext:
    """The caller, who must be an admin: refused before the body is even validated.

    The use cases check the role too; this dependency only makes a developer key get its
    403 rather than a 400 about a body it was never allowed to send.
    """
    caller.require_admin()
    return caller


Admin = Annotated[AuthContext, Depends(admin_context)]
