"""The client of the payment server the persistence job charges credits at.

The server is the bundled one (this API's ``GET /get-credits`` and ``POST /consume-credits``)
unless ``PAYMENT_SERVER_URL`` names another that speaks the same interface: answers in the
envelope ``{"success": true, "data": {...}}``, amounts as decimal strings, 402 when the
credits do not cover a charge, ``Idempotent-Replayed: true`` on the repeat of a charge's
Idempotency-Key.

The caller sees two outcomes besides success: ``CreditsRefused`` (the customer cannot pay:
act on it) and ``PaymentServerUnavailable`` (nothing can be concluded about the customer:
try again later). urllib3 is imported when a client is built, not with this module: the
function that imports the manager pays for it only when it calls a payment server.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from sandbox_common.lazy import built_once

if TYPE_CHECKING:
    from urllib3 import BaseHTTPResponse, PoolManager

__all__ = [
    "ConsumeResult",
    "CreditsRefused",
    "HttpPaymentServer",
    "PaymentServer",
    "PaymentServerUnavailable",
    "payment_server",
]

# Answers that may succeed when sent again. A consume is safe to resend (POST included):
# it carries an Idempotency-Key, so the server charges a repeat at most once. 429 is a
# server asking to be called later, the same thing in effect.
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
# The pause before the n-th retry is backoff × 2^(n-1), at most this long. A server's own
# Retry-After is not obeyed: it could hold the job's worker for any time it names.
BACKOFF_MAX_SECONDS = 4.0
# Decimal text as answers carry it; Decimal() alone would also take "1_0", " 1", "NaN".
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class PaymentServerUnavailable(Exception):
    """No usable answer: a timeout, a connection error, a 5xx after the retries, the key
    refused (401/403: a misconfigured key), any other unexpected status, a malformed answer.

    Nothing is known about the customer's credits; a consume may or may not have been
    charged, and resending it with the same Idempotency-Key settles which.
    """

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status  # the HTTP status answered, None when there was no answer
        self.code = code  # the error envelope's code, when the answer had one


class CreditsRefused(Exception):
    """The customer's credits do not cover the charge (402); nothing was charged."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ConsumeResult:
    """A charge as the server answered it: the amount, the balance after it, and whether it
    is the first charge of this Idempotency-Key answered again (nothing charged this time)."""

    amount: Decimal
    credits: Decimal
    replayed: bool


class PaymentServer(Protocol):
    """What the persistence job needs from a payment server."""

    def credits(self, customer_id: str) -> Decimal:
        """The customer's credits (0 for a customer the server has never seen)."""
        ...

    def consume(self, customer_id: str, amount: Decimal, *, idempotency_key: str) -> ConsumeResult:
        """Charge ``amount`` at most once per ``idempotency_key``; CreditsRefused if short."""
        ...


class HttpPaymentServer:
    """A payment server over HTTP: one connection pool, timeouts, retries with backoff."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: float,
        retries: int,
        backoff: float = 0.5,
        max_connections: int = 10,
    ) -> None:
        import urllib3

        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the payment server URL must start with http(s)://: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        headers = {"Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._pool: PoolManager = urllib3.PoolManager(
            maxsize=max_connections,
            headers=headers,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=urllib3.Retry(
                total=retries,
                backoff_factor=backoff,
                backoff_max=BACKOFF_MAX_SECONDS,
                status_forcelist=RETRIED_STATUSES,
                allowed_methods=frozenset({"GET", "POST"}),
                respect_retry_after_header=False,
                raise_on_status=False,  # the last answer is reported, with its status
            ),
        )

    def credits(self, customer_id: str) -> Decimal:
        """The customer's credits (``GET /get-credits?customerId=``)."""
        response = self._send("GET", f"/get-credits?customerId={quote(customer_id, safe='')}")
        data = _data(response, customer_id)
        return _decimal(data, "credits")

    def consume(self, customer_id: str, amount: Decimal, *, idempotency_key: str) -> ConsumeResult:
        """Charge the customer (``POST /consume-credits`` with an Idempotency-Key).

        The amount travels as a decimal string, exactly; CreditsRefused when the credits do
        not cover it, PaymentServerUnavailable when the outcome is unknown.
        """
        body = {"customerId": customer_id, "amount": _amount_text(amount)}
        response = self._send(
            "POST",
            "/consume-credits",
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": idempotency_key},
        )
        data = _data(response, customer_id)
        charged = _decimal(data, "amount")
        if charged != amount:
            raise PaymentServerUnavailable(
                f"the payment server answered a charge of {charged} for {amount}",
                status=response.status,
            )
        return ConsumeResult(
            amount=charged,
            credits=_decimal(data, "credits"),
            replayed=response.headers.get("Idempotent-Replayed", "").lower() == "true",
        )

    def close(self) -> None:
        """Close the pooled connections."""
        self._pool.clear()

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> BaseHTTPResponse:
        import urllib3

        # PoolManager.request would replace the pool's headers (the key) with these.
        merged = {**self._pool.headers, **(headers or {})}
        try:
            return self._pool.request(
                method, self.base_url + path, body=body, headers=merged, redirect=False
            )
        except urllib3.exceptions.HTTPError as exc:
            reason = getattr(exc, "reason", None) or exc
            raise PaymentServerUnavailable(
                f"the payment server did not answer {method} {path}: {reason}"
            ) from exc


def payment_server() -> HttpPaymentServer:
    """The configured payment server, its key read from SSM; one client per process and key.

    ValueError when ``PAYMENT_SERVER_URL`` is not set; PaymentServerUnavailable when the key's
    parameter cannot be read. The key is read through the parameters cache, so a rotated key
    is used within ``cache_seconds``, as the authorizer's admin key is.
    """
    from sandbox_common import providers

    settings = providers.settings()
    if not settings.payment_server_url:
        raise ValueError("no payment server is configured (PAYMENT_SERVER_URL is empty)")
    api_key = None
    if settings.payment_server_key_parameter:
        from sandbox_common.aws.ssm import secret_parameter

        api_key = secret_parameter(settings.payment_server_key_parameter)
        if api_key is None:
            raise PaymentServerUnavailable(
                "the payment server's key parameter cannot be read: "
                + settings.payment_server_key_parameter
            )
    return _client(
        settings.payment_server_url,
        api_key,
        settings.payment_server_timeout_seconds,
        settings.payment_server_retries,
        settings.job_workers,
    )


@built_once
def _client(
    base_url: str, api_key: str | None, timeout: float, retries: int, max_connections: int
) -> HttpPaymentServer:
    return HttpPaymentServer(
        base_url, api_key, timeout=timeout, retries=retries, max_connections=max_connections
    )


def _amount_text(amount: Decimal) -> str:
    """Fixed-point text without trailing zeros (``1.50`` → ``1.5``, ``1E+2`` → ``100``), the
    form the server's amount pattern takes; refused unless finite and ≥ 0."""
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"a charge must be a finite amount of at least 0, not {amount}")
    return format(amount.normalize(), "f")


def _data(response: BaseHTTPResponse, customer_id: str) -> dict[str, Any]:
    """The ``data`` of a 200 answer about ``customer_id``; the matching exception otherwise."""
    status = response.status
    if status != 200:
        error, code = _error(response.data)
        if status == 402:
            raise CreditsRefused(
                error or "the customer's credits do not cover the charge", code=code
            )
        if status in (401, 403):
            problem = "refused the key (check the payment server key parameter)"
        else:
            problem = f"answered {status}"
        raise PaymentServerUnavailable(
            f"the payment server {problem}: {code or '-'} {error or ''}".rstrip(),
            status=status,
            code=code,
        )
    envelope = _json(response.data)
    data = envelope.get("data") if isinstance(envelope, dict) else None
    if not (
        isinstance(envelope, dict) and envelope.get("success") is True and isinstance(data, dict)
    ):
        raise _malformed("not a success envelope with data", status)
    answered_for = data.get("customerId", customer_id)
    if answered_for != customer_id:
        raise _malformed(f"about customer {answered_for!r}, not {customer_id!r}", status)
    return data


def _decimal(data: dict[str, Any], field: str) -> Decimal:
    value = data.get(field)
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value):
        return Decimal(value)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        try:
            number = Decimal(value)
        except InvalidOperation:  # pragma: no cover - Decimal(int) always succeeds
            number = Decimal("NaN")
        if number.is_finite():
            return number
    raise _malformed(f"{field} is not a decimal: {value!r}", 200)


def _json(raw: bytes) -> object:
    try:
        # Numbers as Decimal, so a server answering numbers is read exactly.
        return json.loads(raw, parse_float=Decimal, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _malformed(f"not JSON ({exc})", 200) from exc


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


def _error(raw: bytes) -> tuple[str | None, str | None]:
    """The message and code of an error envelope, (None, None) when the body is not one."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None, None
    if not isinstance(body, dict):
        return None, None
    error, code = body.get("error"), body.get("code")
    return (
        error if isinstance(error, str) else None,
        code if isinstance(code, str) else None,
    )


def _malformed(problem: str, status: int) -> PaymentServerUnavailable:
    return PaymentServerUnavailable(f"the payment server's answer is {problem}", status=status)
