"""Drivers the payments handler tests share: each call as the admin, answers as JSON."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

ADMIN = {
    "key_id": "bootstrap-admin",
    "sandbox_id": "operator",
    "role": "admin",
    "permissions": "analytics,read,write",
    "tier": "admin",
}


def new_customer() -> str:
    """A customer id no other test uses."""
    return "cust_" + secrets.token_hex(6)


def credits_of(invoke: Any, customer_id: str) -> Decimal:
    """The customer's balance as GET /get-credits answers it."""
    status, body, _ = invoke(
        "payments", "payments/get_credits.json", caller=ADMIN, query={"customerId": customer_id}
    )
    assert status == 200, body
    return Decimal(body["data"]["credits"])


def grant(invoke: Any, customer_id: str, amount: Any) -> dict[str, Any]:
    """POST /admin/credits; the grant's data."""
    status, body, _ = invoke(
        "payments",
        "payments/grant_credits.json",
        caller=ADMIN,
        body={"customerId": customer_id, "amount": amount},
    )
    assert status == 200, body
    return dict(body["data"])


def consume(
    invoke: Any,
    customer_id: str,
    amount: Any,
    *,
    key: str | None = None,
    caller: dict[str, str] | None = None,
) -> tuple[int, Any, dict[str, str]]:
    """POST /consume-credits, with an Idempotency-Key or none: the raw answer."""
    return invoke(
        "payments",
        "payments/consume_credits.json",
        caller=caller or ADMIN,
        body={"customerId": customer_id, "amount": amount},
        headers={"Idempotency-Key": key},
    )


def ledger_page(invoke: Any, customer_id: str, **query: str) -> tuple[int, Any, str | None]:
    """One page of GET /admin/credits/{customerId}/ledger and its X-Next-Cursor."""
    status, body, headers = invoke(
        "payments",
        "payments/list_credit_ledger.json",
        caller=ADMIN,
        path_parameters={"customerId": customer_id},
        query=query,
    )
    return status, body, headers.get("x-next-cursor")


def whole_ledger(invoke: Any, customer_id: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """Every entry of the customer's ledger, page after page, newest first."""
    entries: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        status, page, cursor = ledger_page(invoke, customer_id, **query)
        assert status == 200, page
        assert len(page) <= limit
        entries += page
        if not cursor:
            return entries
