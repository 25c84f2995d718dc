"""``time_period`` query values ("24h", "7d", "30d"): a look-back window ending now."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox_common.errors import InvalidInput

MAX_HOURS = 720
MAX_DAYS = 365
# No sign, no leading zero, no spaces: the label is echoed back, so it stays canonical.
_PATTERN = re.compile(r"([1-9][0-9]{0,3})([hd])")
_UNITS = {"h": (timedelta(hours=1), MAX_HOURS), "d": (timedelta(days=1), MAX_DAYS)}


@dataclass(frozen=True, slots=True)
class TimePeriod:
    """A look-back window: ``label`` as the caller wrote it and the ``duration`` it means."""

    label: str
    duration: timedelta

    @classmethod
    def parse(cls, text: str) -> TimePeriod:
        """``"<N>h"`` (1..720) or ``"<N>d"`` (1..365); anything else is ``InvalidInput``."""
        match = _PATTERN.fullmatch(text)
        if match is not None:
            amount = int(match.group(1))
            unit, limit = _UNITS[match.group(2)]
            if amount <= limit:
                return cls(label=text, duration=unit * amount)
        message = (
            f"time_period must be <N>h with N from 1 to {MAX_HOURS} or <N>d with N from 1 "
            f"to {MAX_DAYS} (e.g. 24h, 7d, 30d); got {text!r}"
        )
        raise InvalidInput(
            message,
            details=[{"loc": ["query", "time_period"], "msg": message, "type": "value_error"}],
        )

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        """``(now - duration, now)``: both ends belong to the window."""
        return now - self.duration, now
