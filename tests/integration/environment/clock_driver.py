"""Drivers of the sandbox clock tests: API Gateway events built by the runtime's builder."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from types import ModuleType
from typing import Any

from local_runtime.events import ApiInfo, RequestIdentity, build_proxy_event
from local_runtime.messages import HttpRequest
from local_runtime.routing import Route, RouteMatch

API = ApiInfo(api_id="abc123", stage="v1", account_id="123456789012", region="us-east-1")
CLOCK = "/api/v1/sandbox/clock"


class Handlers:
    """Invokes the functions' handlers as API Gateway would, for one caller."""

    def __init__(
        self, load_function: Callable[[str], ModuleType], context: Any, caller: dict[str, str]
    ) -> None:
        self._load = load_function
        self._context = context
        self.caller = caller

    def call(
        self,
        function: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw_body: str | None = None,
        query: str = "",
    ) -> tuple[int, Any]:
        """The status and JSON answer of ``method path`` served by ``function``."""
        text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
        request = HttpRequest(
            method=method,
            path=path,
            query=query,
            headers=[("Content-Type", "application/json")],
            body=(text or "").encode(),
        )
        identity = RequestIdentity(
            request_id=str(uuid.uuid4()),
            request_time=time.time(),
            authorizer={**self.caller, "principalId": self.caller["key_id"]},
        )
        match = RouteMatch(Route(path, method, function), {})
        response = self._load(function).handler(
            build_proxy_event(request, match, API, identity), self._context
        )
        return response["statusCode"], json.loads(response["body"] or "null")

    # The clock routes.

    def clock(self) -> dict[str, Any]:
        status, body = self.call("environment", "GET", CLOCK)
        assert status == 200, body
        return body

    def freeze(self, **body: Any) -> tuple[int, Any]:
        return self.call("environment", "POST", CLOCK + "/freeze", body=body)

    def advance(self, seconds: Any) -> tuple[int, Any]:
        return self.call("environment", "POST", CLOCK + "/advance", body={"seconds": seconds})

    def reset_clock(self) -> tuple[int, Any]:
        return self.call("environment", "POST", CLOCK + "/reset")
