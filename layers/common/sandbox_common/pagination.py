"""Opaque cursors for paginated listings.

A cursor carries DynamoDB's LastEvaluatedKey and the scope it was issued for (a sandbox id,
or ``*`` for admin listings). Replaying it in another scope is refused; and since every
query is keyed by the caller's sandbox anyway, an edited cursor can only reposition a
listing inside the caller's own data.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from sandbox_common.errors import InvalidInput

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class RawPage:
    """A page of stored items as DynamoDB returned it, with its LastEvaluatedKey."""

    items: list[Any]
    last_key: dict[str, Any] | None


@dataclass(frozen=True)
class Page[T]:
    """One page of a listing and the cursor of the next (None at the end)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(last_key: dict[str, Any] | None, scope: str) -> str | None:
    """The opaque cursor for a page that ended at ``last_key`` (None when nothing follows)."""
    if not last_key:
        return None
    raw = json.dumps({"s": scope, "k": last_key}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, scope: str) -> dict[str, Any] | None:
    """The LastEvaluatedKey inside a cursor; InvalidInput if it is malformed or foreign."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("The cursor is not valid") from exc
    if not isinstance(payload, dict) or payload.get("s") != scope:
        raise InvalidInput("The cursor is not valid for this listing")
    last_key = payload.get("k")
    if not isinstance(last_key, dict) or not all(isinstance(v, str) for v in last_key.values()):
        raise InvalidInput("The cursor is not valid")
    return last_key
