"""Drivers the behavior handler tests share: API Gateway events built by the local runtime's
event builder from template.yaml's BehaviorFunction routes, callers, and the clock."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from local_runtime.events import ApiInfo, RequestIdentity, build_proxy_event
from local_runtime.messages import HttpRequest
from local_runtime.routing import Route, RouteMatch, Router
from local_runtime.template import load_yaml
from sandbox_common import providers
from sandbox_common.clock import FixedClock
from tests.integration.conftest import ROOT, LambdaContext, load_function

API = ApiInfo(api_id="abc123", stage="v1", account_id="123456789012", region="us-east-1")
_ROUTERS: dict[str, Router] = {}


def function_router(function: str) -> Router:
    """A function's routes as the template declares them."""
    if function not in _ROUTERS:
        template = load_yaml((ROOT / "template.yaml").read_text())
        router = Router()
        for name, event in template["Resources"][function]["Properties"]["Events"].items():
            if event["Type"] == "Api":
                props = event["Properties"]
                router.add(Route(props["Path"], props["Method"].upper(), function, event_name=name))
        _ROUTERS[function] = router
    return _ROUTERS[function]


def caller_context(sandbox_id: str, permissions: str = "read,write") -> dict[str, str]:
    """An authorizer context of a developer key of ``sandbox_id``."""
    return {
        "key_id": f"sbx_{sandbox_id}",
        "sandbox_id": sandbox_id,
        "role": "developer",
        "permissions": permissions,
        "tier": "free",
    }


def new_caller(permissions: str = "read,write") -> dict[str, str]:
    """The context of a key of a sandbox no other test uses."""
    return caller_context(f"sb-bhv-{uuid.uuid4().hex[:10]}", permissions)


@dataclass
class Answer:
    """A handler's answer: status, parsed JSON body and headers (lower-case names)."""

    status: int
    body: Any
    headers: dict[str, str]


def call(
    caller: dict[str, str],
    method: str,
    path: str,
    *,
    body: Any = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    function: str = "BehaviorFunction",
) -> Answer:
    """Invoke ``function``'s handler as API Gateway would for ``method path``."""
    match = function_router(function).match(method, path)
    assert isinstance(match, RouteMatch), f"{method} {path} is not a {function} route"
    raw = (
        b""
        if body is None
        else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
    )
    request = HttpRequest(
        method=method,
        path=path,
        query=urlencode(query or {}),
        headers=[
            ("Content-Type", "application/json"),
            ("Authorization", "Bearer sk_sandbox_x"),
            *(headers or {}).items(),
        ],
        body=raw,
    )
    identity = RequestIdentity(
        request_id=str(uuid.uuid4()), request_time=time.time(), authorizer=caller
    )
    event = build_proxy_event(request, match, API, identity)
    folder = function.removesuffix("Function").lower()
    response = load_function(folder).handler(event, LambdaContext())
    answered = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    return Answer(response["statusCode"], json.loads(response["body"] or "null"), answered)


def ok(answer: Answer, status: int = 200) -> Any:
    """The body of an answer that must have ``status``."""
    assert answer.status == status, answer.body
    return answer.body


def signal(caller: dict[str, str], user_id: str, signal_type: str, **metadata: Any) -> Any:
    """Record a signal; its answer."""
    body = {"userId": user_id, "type": signal_type, "metadata": metadata}
    return ok(call(caller, "POST", "/api/sandbox/signals", body=body), 201)


def audit_of(caller: dict[str, str], user_id: str, **query: str) -> list[dict[str, Any]]:
    """Every audit entry of a user, page after page."""
    entries: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        paging = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        answer = call(caller, "GET", f"/api/sandbox/audit/{user_id}", query={**query, **paging})
        entries += ok(answer)
        cursor = answer.headers.get("x-next-cursor")
        if not cursor:
            return entries


def set_wall_clock(at: datetime) -> None:
    """Make the wall clock (and so every running sandbox clock) show ``at``."""
    providers.override_clock(FixedClock(at))
