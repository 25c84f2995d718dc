"""Record ids of the messaging sandbox."""

from __future__ import annotations

import itertools
import secrets
from datetime import datetime

# User ids are case-sensitive; they become storage keys and listing positions, so they are
# short and printable. Messages may name any user, known to the sandbox or not, with the same
# shape (this module is the cheap place both the users and the messages import it from).
USER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$"

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
