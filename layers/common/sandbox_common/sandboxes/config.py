"""A sandbox's own settings (``GET/PUT /api/v1/sandbox/config``)."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sandbox_common.ledger.types import (
    COUNTRIES,
    DEFAULT_COUNTRIES,
    CountryCode,
    PositiveAmount,
)

# Upper bounds of one initialize: an initialize writes everything in one request, and a
# Lambda invocation has 15 s to do it (see benchmarks/ for the write rate).
MAX_ACCOUNTS = 5_000
MAX_TRANSACTIONS = 20_000
MAX_COMPLIANCE_RECORDS = 2_000
MAX_SEED = 2**63 - 1

Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]
AccountCount = Annotated[int, Field(ge=1, le=MAX_ACCOUNTS)]
TransactionCount = Annotated[int, Field(ge=0, le=MAX_TRANSACTIONS)]
ComplianceCount = Annotated[int, Field(ge=0, le=MAX_COMPLIANCE_RECORDS)]


class ActiveHours(BaseModel):
    """The local hours in which messages may be delivered (the messaging simulator's default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time = time(9, 0)
    end: time = time(17, 0)

    @model_validator(mode="after")
    def _not_empty(self) -> ActiveHours:
        if self.start == self.end:
            raise ValueError("active hours must not start and end at the same time")
        return self


class SandboxConfig(BaseModel):
    """Defaults a sandbox applies to initialize, transfers and messaging."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_accounts: AccountCount = 100
    default_transactions: TransactionCount = 500
    default_compliance_records: ComplianceCount = 50
    default_seed: Seed | None = None
    default_countries: tuple[CountryCode, ...] = DEFAULT_COUNTRIES
    faker_locale: str | None = None
    aml_threshold: PositiveAmount = Decimal("10000")
    default_active_hours: ActiveHours = Field(default_factory=ActiveHours)

    @field_validator("default_countries")
    @classmethod
    def _known_countries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return validate_countries(value)

    @field_validator("faker_locale")
    @classmethod
    def _known_locale(cls, value: str | None) -> str | None:
        return validate_locale(value)


def validate_countries(value: tuple[str, ...]) -> tuple[str, ...]:
    """A non-empty list of supported, distinct country codes (ValueError otherwise)."""
    if not value:
        raise ValueError("at least one country is needed")
    unknown = sorted(set(value) - set(COUNTRIES))
    if unknown:
        raise ValueError(f"unsupported country {', '.join(unknown)}; use {', '.join(COUNTRIES)}")
    return tuple(dict.fromkeys(value))


def validate_locale(value: str | None) -> str | None:
    """A Faker locale the generator offers, or None (a locale per country)."""
    if value is None:
        return None
    from sandbox_common.mockdata.places import available_locales

    if value not in available_locales():
        raise ValueError(f"unsupported locale {value!r}")
    return value
