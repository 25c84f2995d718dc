"""The sandbox aggregate and its identifiers."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, StringConstraints

# Seed 001: sandbox and customer ids are 1-100 letters, digits, '_' or '-'.
SANDBOX_ID_PATTERN = r"^[A-Za-z0-9_-]{1,100}$"
SandboxId = Annotated[str, StringConstraints(pattern=SANDBOX_ID_PATTERN)]
_SANDBOX_ID = re.compile(SANDBOX_ID_PATTERN)

# The bootstrap admin key acts in this sandbox, so operators can try every endpoint too.
OPERATOR_SANDBOX_ID = "operator"


class LifecycleState(StrEnum):
    """Where a sandbox is in its life (persistent sandboxes hibernate and shut down)."""

    ACTIVE = "active"
    HIBERNATING = "hibernating"
    SHUT_DOWN = "shut_down"


class Sandbox(BaseModel):
    """A tenant: its data, keys and settings are isolated from every other sandbox."""

    sandbox_id: str
    created_at: datetime
    lifecycle_state: LifecycleState = LifecycleState.ACTIVE
    owner_email: str | None = None


def new_sandbox_id() -> str:
    """A fresh random sandbox id (``sb_`` + 16 url-safe characters)."""
    return "sb_" + secrets.token_urlsafe(12)


def is_valid_sandbox_id(value: str) -> bool:
    """True if ``value`` has the documented sandbox id shape."""
    return bool(_SANDBOX_ID.fullmatch(value))
