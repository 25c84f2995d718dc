"""Domain exceptions. The HTTP layer maps each to one status and code (sandbox_common.http)."""

from __future__ import annotations

from typing import Any, ClassVar


class SandboxError(Exception):
    """Base of every error the domain raises on purpose."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(SandboxError):
    """The request is well-formed but asks for something the rules forbid."""

    status_code = 400
    code = "validation_error"


class Unauthorized(SandboxError):
    """No credentials were presented."""

    status_code = 401
    code = "unauthorized"


class Forbidden(SandboxError):
    """The caller is known but may not do this."""

    status_code = 403
    code = "forbidden"


class SandboxShutDown(Forbidden):
    """The caller's sandbox is shut down (its persistence ended or its credits ran out)."""

    code = "sandbox_shut_down"


class NotFound(SandboxError):
    """The resource does not exist in the caller's sandbox (or at all: callers cannot tell)."""

    status_code = 404
    code = "not_found"


class InsufficientCredits(SandboxError):
    """A customer's credits do not cover a charge; nothing was charged.

    402 rather than 409: the payment server's clients (the hourly job) act on this answer
    alone (disable the config, shut the sandbox down), so it must not be confused with a 409
    that only means "retry" or "this Idempotency-Key was used for another request".
    """

    status_code = 402
    code = "insufficient_credits"


class Conflict(SandboxError):
    """The resource is in a state that does not allow the operation."""

    status_code = 409
    code = "conflict"


class PayloadTooLarge(SandboxError):
    """The request body is larger than the function accepts."""

    status_code = 413
    code = "payload_too_large"


class UpstreamError(SandboxError):
    """A dependency (API Gateway, a payment server) failed; the operation was rolled back."""

    status_code = 502
    code = "upstream_error"
