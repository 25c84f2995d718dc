"""Paged listings: the query every listing takes, its pages, and opaque cursors.

A cursor carries where the listing stopped (a DynamoDB LastEvaluatedKey, or a listing
position) and the scope it was issued for: a sandbox id, or ``*`` for admin listings, and for
filtered listings also the kind and a digest of the filters (``listing_scope``). Replaying it
in another scope, or with other filters, is refused; and since every query is keyed by the
caller's sandbox anyway, an edited cursor can only reposition a listing inside the caller's
own data.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from sandbox_common.errors import InvalidInput

MAX_PAGE_SIZE = 100


class ListingQuery(BaseModel):
    """Paging of every listing: page size and the opaque cursor of ``X-Next-Cursor``.

    A listing's filters are the fields a subclass adds; unknown parameters are refused.
    """

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)
    cursor: Annotated[str, StringConstraints(max_length=2048)] | None = None

    def conditions(self) -> dict[str, Any]:
        """The filters given, by name (paging left out; values as the model holds them)."""
        return {
            name: getattr(self, name)
            for name in type(self).model_fields
            if name not in ("limit", "cursor") and getattr(self, name) is not None
        }


def listing_scope(owner: str, kind: str, conditions: Mapping[str, Any]) -> str:
    """What a filtered listing's cursor is bound to: who listed what, with which filters."""
    canonical = json.dumps(conditions, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return f"{owner}:{kind}:{digest}"


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
