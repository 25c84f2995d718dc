"""Path parameters the routes share: ids are bounded before they reach a storage key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

# Every id the API hands out is short (uuids, network addresses, ``sbx_…``, scenario names).
# Unbounded, a path id became a DynamoDB key over its 1,024-byte limit: a ValidationException,
# so a 5xx, for what is the client's mistake.
MAX_ID_LENGTH = 128

ResourceId = Annotated[str, Path(min_length=1, max_length=MAX_ID_LENGTH)]
