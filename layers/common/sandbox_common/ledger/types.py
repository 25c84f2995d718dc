"""The ledger's value types: money, currency and country codes, environments.

Kept apart from the records so that modules needing only these (a sandbox's config,
initialize's request) do not pay for importing every ledger model at cold start.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, PlainSerializer, StringConstraints

# Seed 000: the currencies of its generator. Amounts carry at most 7 decimals (a stroop).
CURRENCIES: tuple[str, ...] = ("USDC", "USDT", "XLM", "HBAR", "NGN", "KES", "ZAR", "GHS")
COUNTRIES: tuple[str, ...] = ("NG", "KE", "ZA", "GH", "UG", "TZ", "ET", "MA", "EG", "TN")
DEFAULT_COUNTRIES: tuple[str, ...] = ("NG", "KE", "ZA", "GH", "UG")
MAX_AMOUNT = Decimal("1000000000000")


def _money(value: Decimal) -> str:
    # Fixed-point text, never exponent notation ("1E+3"), so clients parse it as they read it.
    return format(value, "f")


Money = Annotated[Decimal, PlainSerializer(_money, return_type=str, when_used="json")]
PositiveAmount = Annotated[
    Decimal,
    Field(gt=0, le=MAX_AMOUNT, max_digits=20, decimal_places=7, allow_inf_nan=False),
    PlainSerializer(_money, return_type=str, when_used="json"),
]
CurrencyCode = Annotated[str, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{3,5}$")]
CountryCode = Annotated[str, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{2}$")]
# An account is referred to by its id (uuid) or its network address (``account_id``).
AccountRef = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class Environment(StrEnum):
    """Seed 000's environments (the kind of data a sandbox holds)."""

    SANDBOX = "sandbox"
    TESTNET = "testnet"
    MOCK = "mock"
