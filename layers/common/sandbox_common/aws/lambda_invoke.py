"""Invoking another of the stack's functions and waiting for its answer (Lambda Invoke).

The manager's ``POST /admin/execute-job`` runs the persistence job this way: the job has one
home (its own function, with its own timeout and permissions), and a manual run is the same
code path as a scheduled one.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox_common.errors import UpstreamError


class FunctionFailed(Exception):
    """The invoked function raised: its error type (the exception's class name) and message."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message


class FunctionInvoker:
    """Invokes functions by name with a JSON payload (RequestResponse)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def invoke(self, function_name: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The function's JSON answer; FunctionFailed if it raised, UpstreamError if it could
        not be invoked at all."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self._client.invoke(
                FunctionName=function_name,
                InvocationType="RequestResponse",
                Payload=json.dumps(payload).encode(),
            )
            body = json.loads(answer["Payload"].read() or b"null")
        except (BotoCoreError, ClientError, ValueError) as exc:
            raise UpstreamError(f"Could not invoke {function_name}: {exc}") from exc
        if answer.get("FunctionError"):
            details = body if isinstance(body, dict) else {}
            raise FunctionFailed(
                str(details.get("errorType", "Error")), str(details.get("errorMessage", body))
            )
        if not isinstance(body, dict):
            raise UpstreamError(f"{function_name} answered {body!r}, not a JSON object")
        return body
