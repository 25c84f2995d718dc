"""A sandbox's own settings (``GET/PUT /api/v1/sandbox/config``)."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    field_validator,
    model_validator,
)
from pydantic_core import CoreSchema

from sandbox_common.inputs import ClockTime, Integer
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
# A transaction moves money between two different accounts, so a data set has at least two
# (with one, any transactions asked for, the default 500 included, could not be generated).
MIN_ACCOUNTS = 2

Seed = Annotated[Integer, Field(ge=0, le=MAX_SEED)]
AccountCount = Annotated[Integer, Field(ge=MIN_ACCOUNTS, le=MAX_ACCOUNTS)]
TransactionCount = Annotated[Integer, Field(ge=0, le=MAX_TRANSACTIONS)]
ComplianceCount = Annotated[Integer, Field(ge=0, le=MAX_COMPLIANCE_RECORDS)]


class _OfferedLocales:
    """Lists the locales validate_locale accepts in the model's JSON schema (an enum).

    Computed only when a schema is built (``make openapi``): the locale table is imported
    lazily, for cold start.
    """

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        from sandbox_common.mockdata.places import available_locales

        schema = dict(handler(core_schema))
        schema["enum"] = list(available_locales())
        return schema


LocaleName = Annotated[str, _OfferedLocales]
"""A Faker locale the generator offers (checked by validate_locale)."""


class ActiveHours(BaseModel):
    """The local hours in which messages may be delivered (the messaging simulator's default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: ClockTime = time(9, 0)
    end: ClockTime = time(17, 0)

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
    default_countries: Annotated[tuple[CountryCode, ...], Field(min_length=1)] = DEFAULT_COUNTRIES
    faker_locale: LocaleName | None = None
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
