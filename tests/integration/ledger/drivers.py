"""Drivers the ledger handler tests share."""

from __future__ import annotations

from typing import Any

LIST_EVENTS = {
    "accounts": "ledger/list_accounts.json",
    "transactions": "ledger/list_transactions.json",
    "flags": "ledger/list_flags.json",
}


def list_page(
    invoke: Any, caller: dict[str, str], listing: str, **query: str
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a listing and its ``X-Next-Cursor`` (None at the end)."""
    status, page, headers = invoke("ledger", LIST_EVENTS[listing], caller=caller, query=query)
    assert status == 200, page
    return page, headers.get("x-next-cursor")


def list_every(
    invoke: Any, caller: dict[str, str], listing: str, *, limit: int = 100, **query: str
) -> list[dict[str, Any]]:
    """Every record of a listing, page after page, in listing order."""
    records: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        paging = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        page, cursor = list_page(invoke, caller, listing, **query, **paging)
        assert len(page) <= limit
        records += page
        if not cursor:
            return records
