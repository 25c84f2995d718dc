"""The ledger's value types: money, currency and country codes, environments.

Kept apart from the records so that modules needing only these (a sandbox's config,
initialize's request) do not pay for importing every ledger model at cold start.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, get_args

from pydantic import BeforeValidator, Field, PlainSerializer, StringConstraints, WithJsonSchema

# The currencies and countries of the mock data generator. Amounts carry at most 7 decimals
# (a stroop). As Literals, the OpenAPI document lists them as the enums validation accepts.
Currency = Literal["USDC", "USDT", "XLM", "HBAR", "NGN", "KES", "ZAR", "GHS"]
Country = Literal["NG", "KE", "ZA", "GH", "UG", "TZ", "ET", "MA", "EG", "TN"]
CURRENCIES: tuple[str, ...] = get_args(Currency)
COUNTRIES: tuple[str, ...] = get_args(Country)
DEFAULT_COUNTRIES: tuple[Country, ...] = ("NG", "KE", "ZA", "GH", "UG")
MAX_AMOUNT = Decimal("1000000000000")


def _money(value: Decimal) -> str:
    # Fixed-point text, never exponent notation ("1E+3"), so clients parse it as they read it.
    return format(value, "f")


Money = Annotated[Decimal, PlainSerializer(_money, return_type=str, when_used="json")]
# Decimal text as clients should send it: no exponent, no sign, at most 7 decimals.
AMOUNT_TEXT_PATTERN = r"^[0-9]{1,13}(\.[0-9]{1,7})?$"
PositiveAmount = Annotated[
    Decimal,
    Field(gt=0, le=MAX_AMOUNT, max_digits=20, decimal_places=7, allow_inf_nan=False),
    PlainSerializer(_money, return_type=str, when_used="json"),
    # Pydantic documents a Decimal's text form as any string at all.
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": int(MAX_AMOUNT)},
                {"type": "string", "pattern": AMOUNT_TEXT_PATTERN, "examples": ["1000.00"]},
            ]
        },
        mode="validation",
    ),
]


def _upper_case(value: object) -> object:
    # Codes are accepted in any case ("usdc") and kept upper-case.
    return value.upper() if isinstance(value, str) else value


CurrencyCode = Annotated[Currency, BeforeValidator(_upper_case)]
CountryCode = Annotated[Country, BeforeValidator(_upper_case)]
# An account is referred to by its id (uuid) or its network address (``account_id``).
AccountRef = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class Environment(StrEnum):
    """The kind of data a sandbox holds: sandbox, testnet or mock."""

    SANDBOX = "sandbox"
    TESTNET = "testnet"
    MOCK = "mock"
