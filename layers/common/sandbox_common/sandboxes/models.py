"""The sandbox aggregate and its identifiers."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, StringConstraints

from sandbox_common.sandboxes.sandbox_clock import SandboxClock

# Parsed on first use: every function reads Sandbox (the authorizer and keys too), and the
# configuration's models pull in the ledger's, which only some functions need.
if TYPE_CHECKING:
    from sandbox_common.sandboxes.config import SandboxConfig

# Sandbox and customer ids are 1-100 letters, digits, '_' or '-'.
SANDBOX_ID_PATTERN = r"^[A-Za-z0-9_-]{1,100}$"
SandboxId = Annotated[str, StringConstraints(pattern=SANDBOX_ID_PATTERN)]
_SANDBOX_ID = re.compile(SANDBOX_ID_PATTERN)

# The bootstrap admin key acts in this sandbox, so operators can try every endpoint too.
OPERATOR_SANDBOX_ID = "operator"
INITIAL_GENERATION = "g0"


class LifecycleState(StrEnum):
    """Where a sandbox is in its life (persistent sandboxes hibernate and shut down)."""

    ACTIVE = "active"
    HIBERNATING = "hibernating"
    SHUT_DOWN = "shut_down"


class Sandbox(BaseModel):
    """A tenant: its data, keys and settings are isolated from every other sandbox."""

    sandbox_id: str
    created_at: datetime
    # Stored as ACTIVE or SHUT_DOWN only: hibernation is derived from ``last_active_at``
    # (sandboxes.lifecycle), so going idle needs no write.
    lifecycle_state: LifecycleState = LifecycleState.ACTIVE
    lifecycle_reason: str | None = None
    lifecycle_changed_at: datetime | None = None
    # The last request, written at most every few minutes (``lifecycle.needs_touch``).
    last_active_at: datetime | None = None
    last_wake_up_at: datetime | None = None
    # Its persistent config is enabled: its data is kept, not expired.
    persistent: bool = False
    owner_email: str | None = None
    # The ledger data in use. Reset and initialize switch to a fresh generation, so wiping a
    # sandbox is one conditional write whatever its size; old items expire by TTL.
    data_generation: str = INITIAL_GENERATION
    environment: str | None = None
    data_seed: int | None = None
    data_anchor: datetime | None = None
    # Live record counts of the current generation by kind (``Kind`` values: ``account``,
    # ``txn``, ``flag``, ``msg``...), changed in the same write as the records, so status
    # never drifts from the listings and never has to count. Always stored (an empty map
    # at least): a count update sets a path inside it.
    record_counts: dict[str, int] = {}
    initialized_at: datetime | None = None
    reset_at: datetime | None = None
    config: dict[str, Any] | None = None
    # The sandbox's own time (wall time until frozen or advanced); items stored before the
    # clock existed read as the default.
    clock: SandboxClock = SandboxClock()

    def count(self, kind: str) -> int:
        """The number of live records of ``kind`` (a ``Kind`` value)."""
        return self.record_counts.get(kind, 0)

    @property
    def settings(self) -> SandboxConfig:
        """The sandbox's configuration (the defaults until it is set).

        A stored setting that today's rules refuse (saved before a bound was tightened, such
        as one default account) takes its default, so reading the config can never fail.
        """
        from pydantic import ValidationError

        from sandbox_common.sandboxes.config import SandboxConfig

        stored = self.config or {}
        try:
            return SandboxConfig.model_validate(stored)
        except ValidationError as exc:
            refused = {error["loc"][0] for error in exc.errors() if error["loc"]}
            kept = {name: value for name, value in stored.items() if name not in refused}
            return SandboxConfig.model_validate(kept)


def new_sandbox_id() -> str:
    """A fresh random sandbox id (``sb_`` + 16 url-safe characters)."""
    return "sb_" + secrets.token_urlsafe(12)


def new_generation() -> str:
    """A fresh, unguessable data generation id (concurrent initializes never share one)."""
    return "g" + secrets.token_hex(6)


def is_valid_sandbox_id(value: str) -> bool:
    """True if ``value`` has the documented sandbox id shape."""
    return bool(_SANDBOX_ID.fullmatch(value))
