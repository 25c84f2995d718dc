"""Credits: the amount rules, request bodies, answers and the customer's credit ledger.

Field names on the wire are camelCase (``customerId``), as the payment server's clients send
them; Python code uses snake_case. Amounts are exact decimals inside (DynamoDB numbers) and
decimal strings in answers, so a client never parses a float it did not send.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from sandbox_common.sandboxes.models import SANDBOX_ID_PATTERN
from sandbox_common.wire import CamelModel

# Customer ids have the shape of sandbox ids (the hourly job charges a sandbox's owner).
CustomerId = Annotated[str, StringConstraints(pattern=SANDBOX_ID_PATTERN)]
# The same keys the ledger's transfers accept: the hourly job sends "<sandboxId>:<period>".
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9_:.-]{1,128}$"
# A charge or grant is at most this much, with at most this many decimals; a balance never
# grows past MAX_BALANCE (grants beyond it are refused), so every figure fits DynamoDB's
# 38 digits with room to spare.
MAX_AMOUNT = Decimal("1000000")
AMOUNT_DECIMALS = 4
MAX_BALANCE = Decimal("1000000000000")
AMOUNT_TEXT_PATTERN = r"^[0-9]{1,7}(\.[0-9]{1,4})?$"
_AMOUNT_TEXT = re.compile(AMOUNT_TEXT_PATTERN)
# How long a consume's Idempotency-Key is remembered: past a billing period, so the hourly
# job's retries of a period (keyed "<sandboxId>:<period>") can never charge it twice.
IDEMPOTENCY_TTL_DAYS = 35


def parse_amount(value: object) -> Decimal:
    """A credit amount from a JSON number or a decimal string: finite, not negative, at most
    ``AMOUNT_DECIMALS`` decimals and ``MAX_AMOUNT``; ValueError otherwise."""
    if isinstance(value, bool):  # JSON true is an int to Python
        raise ValueError("amount must be a number or a decimal string, not a boolean")
    if isinstance(value, str):
        if not _AMOUNT_TEXT.fullmatch(value):
            raise ValueError(
                f"amount must be a decimal string like '1.5' (at most {AMOUNT_DECIMALS} decimals)"
            )
        amount = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("amount must be a finite number")
        amount = Decimal(repr(value))  # the shortest text that reads back as the float sent
    elif isinstance(value, int | Decimal):
        try:
            amount = Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - Decimal(int) always succeeds
            raise ValueError("amount must be a number") from exc
        if not amount.is_finite():
            raise ValueError("amount must be a finite number")
    else:
        raise ValueError("amount must be a number or a decimal string")
    if amount < 0:
        raise ValueError("amount must not be negative")
    if amount > MAX_AMOUNT:
        raise ValueError(f"amount must be at most {MAX_AMOUNT}")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -AMOUNT_DECIMALS:
        raise ValueError(f"amount must have at most {AMOUNT_DECIMALS} decimals")
    return canonical(amount)


def canonical(amount: Decimal) -> Decimal:
    """The amount without trailing zeros and without exponent (``1.50`` → ``1.5``, ``1E+2`` →
    ``100``): equal amounts have one form, in fingerprints and in storage."""
    normalized = amount.normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized


def credits_text(amount: Decimal) -> str:
    """Fixed-point text, never exponent notation (``1E+2``)."""
    return format(canonical(amount), "f")


def _positive(amount: Decimal) -> Decimal:
    if amount == 0:
        raise ValueError("amount must be greater than 0")
    return amount


_TEXT = PlainSerializer(credits_text, return_type=str, when_used="json")
# What a consume charges or a grant adds: more than 0 (a charge of nothing is a client's
# mistake, refused like any other bad amount), up to MAX_AMOUNT.
CreditAmount = Annotated[
    Decimal,
    BeforeValidator(parse_amount),
    AfterValidator(_positive),
    _TEXT,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": int(MAX_AMOUNT)},
                {"type": "string", "pattern": AMOUNT_TEXT_PATTERN, "examples": ["1.5"]},
            ]
        },
        mode="validation",
    ),
]
# A balance as answered: a decimal string.
Credits = Annotated[Decimal, _TEXT]


class CreditsConsume(CamelModel):
    """``POST /consume-credits``: charge a customer this amount."""

    customer_id: CustomerId
    amount: CreditAmount

    def fingerprint(self) -> str:
        """What an Idempotency-Key is bound to: the customer and the amount, canonically."""
        canonical_body = json.dumps(
            {"customerId": self.customer_id, "amount": credits_text(self.amount)},
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical_body.encode()).hexdigest()


class CreditsGrant(CamelModel):
    """``POST /admin/credits``: add this amount to a customer's credits."""

    customer_id: CustomerId
    amount: CreditAmount


class CustomerCredits(CamelModel):
    """A customer's balance (0 for a customer never seen)."""

    customer_id: str
    credits: Credits


class CreditCharge(CamelModel):
    """What a consume did: the amount charged, its ledger entry (none for 0) and the balance
    read right after it (a replay reads the balance again)."""

    customer_id: str
    amount: Credits
    credits: Credits
    entry_id: str | None
    consumed_at: str


class CreditGrantResult(CamelModel):
    """What a grant did: the amount added, its ledger entry and the balance right after."""

    customer_id: str
    amount: Credits
    credits: Credits
    entry_id: str
    granted_at: str


class EntryKind(StrEnum):
    """What a credit ledger entry records."""

    GRANT = "grant"
    CONSUME = "consume"


class CreditEntry(CamelModel):
    """One change of a customer's credits, as its ledger lists it."""

    entry_id: str
    customer_id: str
    kind: EntryKind
    amount: Credits
    at: str
    idempotency_key: str | None = None
