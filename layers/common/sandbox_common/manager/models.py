"""Persistent configurations of sandboxes: the request body, the config and its record.

Field names on the wire are the documented camelCase ones (``persistantConfig`` as spelled
there); Python code uses snake_case. Numbers are strict: a timestamp is a positive integer
of milliseconds since the epoch, never a string, a fraction or a boolean, because the hourly
job does arithmetic on them and a lax parse would turn a client's mistake into a wrong charge.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    PlainSerializer,
    StrictBool,
    StringConstraints,
    model_validator,
)

from sandbox_common.sandboxes.models import SANDBOX_ID_PATTERN
from sandbox_common.wire import CamelModel

MAX_DAYS = 365
# Credits are stored to this many digits at most (DynamoDB numbers hold 38).
MAX_AMOUNT_DIGITS = 20


def _whole_number(value: object) -> object:
    """Accept an int (or an integral Decimal, as DynamoDB returns numbers); nothing else."""
    if isinstance(value, bool):
        raise ValueError("must be an integer, not a boolean")
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if not isinstance(value, int):
        raise ValueError("must be an integer")
    return value


def _number(value: object) -> object:
    """Accept a JSON number (int or finite float) or a Decimal; strings and booleans are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return Decimal(str(value))
    return value


Timestamp = Annotated[int, BeforeValidator(_whole_number), Field(gt=0)]
Days = Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=MAX_DAYS)]
# Decimal inside (exact arithmetic, DynamoDB numbers), a JSON number outside, as documented.
Amount = Annotated[
    Decimal,
    BeforeValidator(_number),
    Field(ge=0, max_digits=MAX_AMOUNT_DIGITS, allow_inf_nan=False),
    PlainSerializer(float, return_type=float, when_used="json"),
]
# Sandbox and customer ids: 1-100 letters, digits, '_' or '-'.
Identifier = Annotated[str, StringConstraints(pattern=SANDBOX_ID_PATTERN)]


class PersistenceMode(StrEnum):
    """How long a sandbox stays persistent."""

    FOREVER = "forever"
    LIMITED = "limited"


class LimitedConfig(CamelModel):
    """A limited persistence window: ``days`` days from ``startTimestamp``."""

    start_timestamp: Timestamp
    days: Days


class CreditsCharge(CamelModel):
    """The last credits charge for keeping the sandbox persistent."""

    timestamp: Timestamp
    amount: Amount


class PersistentConfig(CamelModel):
    """Whether a sandbox is kept alive, for how long, and its last charge and wake-up."""

    enabled: StrictBool
    mode: PersistenceMode
    limited_config: LimitedConfig | None = None
    last_credits_charge: CreditsCharge | None = None
    last_wake_up_timestamp: Timestamp | None = None

    @model_validator(mode="after")
    def _limited_needs_its_window(self) -> Self:
        if self.mode is PersistenceMode.LIMITED and self.limited_config is None:
            raise ValueError("limitedConfig is required when mode is 'limited'")
        return self


class ConfigUpdate(CamelModel):
    """``POST /update-sandbox-config``: who asks, for which customer and sandbox, and what."""

    # EmailStr normalises the domain's case; the stored owner is compared case-insensitively.
    user_email: EmailStr
    customer_id: Identifier
    sandbox_id: Identifier
    # Documented spelling.
    persistant_config: PersistentConfig


class PendingCharge(BaseModel):
    """A charge the hourly job recorded on the config before asking the payment server for it.

    Written first, so a run that dies after the payment server charged leaves it here, and
    the next run settles it under the same key (the server answers a repeat with the first
    result) instead of charging the period again or forgetting it.
    """

    model_config = ConfigDict(frozen=True)

    # ``<sandboxId>:<start ms>``: the period's identity, and the payment server's
    # Idempotency-Key.
    key: str
    customer_id: str
    start_ms: int
    end_ms: int
    amount: Decimal
    rate_per_hour: Decimal


class StoredConfig(BaseModel):
    """A sandbox's persistent configuration as stored, with its owner and write version."""

    model_config = ConfigDict(frozen=True)

    sandbox_id: str
    customer_id: str
    user_email: str
    config: PersistentConfig
    # Bumped by every write; an update is conditional on the version it read.
    version: int = Field(ge=1)
    updated_at: datetime
    # The job's own billing position (ms since the epoch), which clients cannot write: when
    # the config was last enabled, and where the last charge ended. The documented
    # ``lastCreditsCharge`` shows the job's last charge; billing never reads it back, so a
    # client cannot move it.
    enabled_at_ms: int | None = None
    billed_until_ms: int | None = None
    pending_charge: PendingCharge | None = None

    def owned_by(self, email: str) -> bool:
        """True if ``email`` is the owner's (emails compare case-insensitively)."""
        return self.user_email.casefold() == email.casefold()
