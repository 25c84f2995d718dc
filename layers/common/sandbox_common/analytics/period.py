"""``time_period`` query values ("24h", "7d", "30d"): a look-back window of whole UTC hours.

The dashboard keeps its figures per UTC hour of creation time, so its window is made of
whole hours: it starts at the top of the hour ``duration`` before now and ends at the end of
the current hour. The transactions listing with ``since``/``until`` set to these two bounds
returns exactly the transactions the dashboard counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sandbox_common.errors import InvalidInput

MAX_HOURS = 720
MAX_DAYS = 365
# No sign, no leading zero, no spaces: the label is echoed back, so it stays canonical.
_PATTERN = re.compile(r"([1-9][0-9]{0,3})([hd])")
_UNITS = {"h": (timedelta(hours=1), MAX_HOURS), "d": (timedelta(days=1), MAX_DAYS)}
# What parse accepts, as one regular expression for the query parameter (and so the OpenAPI
# document): 1..720 hours or 1..365 days.
TIME_PERIOD_PATTERN = (
    r"^(([1-9]|[1-9][0-9]|[1-6][0-9]{2}|7[01][0-9]|720)h"
    r"|([1-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-5])d)$"
)
_HOUR = timedelta(hours=1)
# The last instant of an hour that a stored time can hold (datetimes have microseconds).
_LAST_INSTANT = _HOUR - timedelta(microseconds=1)


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
        """``(start, end)`` in UTC, both inclusive: whole hours covering ``duration`` up to now.

        ``start`` is the top of the hour of ``now - duration``; ``end`` is the last instant
        of the current hour (so the window spans up to one hour more than ``duration``, and
        activity dated later in the current hour counts too). Naive ``now`` is UTC.
        """
        now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
        return top_of_hour(now - self.duration), top_of_hour(now) + _LAST_INSTANT


def top_of_hour(moment: datetime) -> datetime:
    """The start of ``moment``'s hour."""
    return moment.replace(minute=0, second=0, microsecond=0)
