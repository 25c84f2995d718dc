"""Record ids of the messaging sandbox."""

from __future__ import annotations

import itertools
import secrets
from datetime import datetime

# A process-wide sequence keeps ids made in one millisecond (or under a frozen sandbox
# clock) in creation order; the random tail keeps ids of concurrent processes apart.
_sequence = itertools.count()


def ordered_id(prefix: str, at: datetime) -> str:
    """A fresh id that sorts after every id this process made before with the same prefix
    and time: ``prefix``, the creation time, a sequence number, randomness."""
    millis = int(at.timestamp() * 1000)
    return f"{prefix}{millis:013d}{next(_sequence) % 10**8:08d}{secrets.token_hex(3)}"


def random_id(prefix: str) -> str:
    """A fresh id: ``prefix`` and 20 url-safe random characters (``evt_…``)."""
    return prefix + secrets.token_urlsafe(15)
